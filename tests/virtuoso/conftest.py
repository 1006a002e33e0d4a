"""A throwaway Virtuoso Open Source server on loopback, for the integration tests in this folder.

The fixture installs Debian's ``virtuoso-opensource`` when ``virtuoso-t`` is
missing and the machine allows it (root, apt-get), then starts the server on
free ports with its own database folder and virtuoso.ini, grants SPARQL_UPDATE
to the anonymous SPARQL user and stops the server at the end. It skips, with
the reason, only when the package cannot be installed or the server cannot start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kg.serve import free_port

PACKAGE = "virtuoso-opensource"
START_SECONDS = 120

INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort        = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers   = 10000
MaxDirtyBuffers   = 6000
CheckpointInterval = 0
DirsAllowed       = {db}
[HTTPServer]
ServerPort    = 127.0.0.1:{http_port}
ServerRoot    = {db}
ServerThreads = 10
Charset       = UTF-8
[SPARQL]
ResultSetMaxRows      = 1000000
MaxQueryExecutionTime = 120
"""


def _install() -> str | None:
    """Install the package; None when done, else why it could not be."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available (not a Debian-like system)"
    if os.geteuid() != 0:
        return "installing virtuoso-opensource needs root (sudo apt-get install virtuoso-opensource)"
    # The package asks for a DBA password; the test server uses its own database, so any value will do.
    selections = "".join(f"virtuoso-opensource-7 virtuoso-opensource-7/{key} password dba\n"
                         for key in ("dba-password", "dba-password-again"))
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["debconf-set-selections"], input=selections, text=True, check=False, timeout=60)
        subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True, timeout=600, env=environment)
        done = subprocess.run(["apt-get", "install", "-y", "-q", PACKAGE], capture_output=True, text=True,
                              timeout=900, env=environment)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"apt-get install {PACKAGE} failed: {error}"
    if done.returncode != 0 or shutil.which("virtuoso-t") is None:
        return f"apt-get install {PACKAGE} failed: {(done.stderr or done.stdout).strip()[-300:]}"
    return None


def _isql(sql_port: int, statements: str) -> None:
    isql = shutil.which("isql-vt") or shutil.which("isql")
    subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statements}"], check=True,
                   capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory) -> Iterator[str]:
    """The SPARQL endpoint URL of a fresh Virtuoso server (query and update)."""
    if shutil.which("virtuoso-t") is None:
        reason = _install()
        if reason is not None:
            pytest.skip(f"Virtuoso is not available: {reason}")
    db = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(INI.format(db=db, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = open(db / "stdout.log", "wb")
    process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=db,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        reason = _wait(process, url, db)
        if reason is not None:
            pytest.skip(f"the Virtuoso server did not start: {reason}")
        _isql(sql_port, 'GRANT SPARQL_UPDATE TO "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET (\'nobody\', 7);')
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def _wait(process: subprocess.Popen, url: str, db: Path) -> str | None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"virtuoso-t exited with {process.returncode}: {_tail(db)}"
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return None
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return f"no answer on {url} after {START_SECONDS} s: {_tail(db)}"


def _tail(db: Path) -> str:
    for name in ("virtuoso.log", "stdout.log"):
        path = db / name
        if path.exists():
            return " | ".join(path.read_text(errors="replace").strip().splitlines()[-3:])
    return "no log"
