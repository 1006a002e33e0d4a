"""Faults during a build: killed (SIGKILL, Ctrl-C), two writers at once, readers during a build.

Builds run as real `kg build` child processes; the previous graph is compared
as sorted N-Quads before and after.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from faults.builders import (
    BUILD_OPTIONS,
    COUNT_TRIPLES,
    REPO,
    cli_build,
    graph_labels,
    interrupt,
    make_corpus,
    make_good_folder,
    run_kg,
    sorted_ntriples,
    start_build,
    wait_for_new_version,
)



@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """A store built from 40 articles, and a folder of 600 (the build that gets killed: long enough to be caught writing); made once."""
    base = tmp_path_factory.mktemp("corpora")
    old, new, store = base / "old", base / "new", base / "store"
    make_corpus(old, 40)
    new_orgs = make_corpus(new, 600)
    done = cli_build([str(old)], store)
    assert done.exit_code == 0, done.output
    return old, new, store, new_orgs


@pytest.fixture()
def two_corpora(corpora, tmp_path):
    """``corpora`` with a fresh copy of the store for each test."""
    old, new, store, new_orgs = corpora
    shutil.copytree(store, tmp_path / "store", symlinks=True)
    return old, new, tmp_path / "store", new_orgs


def assert_unchanged_then_rebuild(before: list[str], new: Path, store: Path, new_orgs: list[str]) -> None:
    assert sorted_ntriples(store) == before, "the previous graph changed"
    done = cli_build([str(new)], store)  # in this process: no start-up time
    assert done.exit_code == 0, done.output
    labels = graph_labels(store)
    assert set(new_orgs) <= labels
    assert not list(store.glob("kg-load-*")), "scratch files of the killed build were left behind"
    assert len([p for p in (store / "versions").iterdir() if p.is_dir()]) <= 2  # the half-written one is gone


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_build_killed_while_writing_leaves_the_previous_graph_and_the_next_build_succeeds(two_corpora, sig):
    _, new, store, new_orgs = two_corpora
    before = sorted_ntriples(store)
    process = start_build(new, store)
    writing = wait_for_new_version(store, process)
    code, err = interrupt(process, sig)
    if writing and code != 0:  # the signal came before the build ended
        assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 130), err
        if sig == signal.SIGINT:
            assert "interrupted: the previous graph is unchanged" in err
            assert "Traceback" not in err
        assert_unchanged_then_rebuild(before, new, store, new_orgs)
    else:
        pytest.skip(f"the build finished before the signal (exit {code}); the slow loop covers random moments")


def test_an_interrupted_build_exits_130_even_after_an_interrupt_inside_exec(tmp_path):
    # CPython ends a `python -m` process with SIGINT when a KeyboardInterrupt ever went through exec(), caught or
    # not; a Ctrl-C while dataclasses are being made (module imports) did that, and the build then exited -2.
    (tmp_path / "interrupted_build.py").write_text(
        "import sys\n"
        "import kg.build\n"
        "def build(*args, **kwargs):\n"
        "    exec('raise KeyboardInterrupt')\n"
        "kg.build.build = build\n"
        "sys.argv = ['kg', 'build', sys.argv[1], '--store', sys.argv[2]]\n"
        "from kg.entry import run\n"
        "run()\n", encoding="utf-8")
    make_good_folder(tmp_path / "corpus")
    done = subprocess.run([sys.executable, "-m", "interrupted_build", str(tmp_path / "corpus"), str(tmp_path / "store")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 130, done.stderr
    assert "interrupted: the previous graph is unchanged" in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_builds_killed_at_random_moments_never_change_the_previous_graph(two_corpora, sig):
    _, new, store, new_orgs = two_corpora
    before = sorted_ntriples(store)
    rng = random.Random(sig)
    for _ in range(5):
        process = start_build(new, store)
        time.sleep(rng.uniform(0.2, 6.0))
        code, err = interrupt(process, sig)
        if code == 0:  # finished first: that graph is the new "previous" one
            before = sorted_ntriples(store)
            continue
        if code == -signal.SIGINT:  # Ctrl-C while Python was still importing, before kg started: harmless
            assert "kg/build.py" not in err and "kg/store.py" not in err, err
        else:
            assert "Traceback" not in err, err
        assert sorted_ntriples(store) == before, f"graph changed after {signal.Signals(sig).name} (exit {code})"
    assert_unchanged_then_rebuild(before, new, store, new_orgs)


def test_a_second_build_on_a_locked_store_refuses_naming_the_lock_file(tmp_path):
    from kg.store import EmbeddedStore

    make_good_folder(tmp_path / "a")
    store = EmbeddedStore(tmp_path / "store")
    assert cli_build([str(tmp_path / "a")], store.root).exit_code == 0
    before = sorted_ntriples(store.root)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store.root), "30"], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = cli_build([str(tmp_path / "a")], store.root)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert str(store.lock_path) in result.stderr
    assert "--wait" in result.stderr
    assert sorted_ntriples(store.root) == before


HOLDER = textwrap.dedent("""
    import sys, time
    from kg.store import EmbeddedStore
    with EmbeddedStore(sys.argv[1]).lock():
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def test_a_second_build_with_wait_waits_for_the_lock_then_builds(tmp_path):
    make_good_folder(tmp_path / "a")
    store = tmp_path / "store"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store), "2"], cwd=REPO, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = cli_build([str(tmp_path / "a")], store, "--wait")
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert result.exit_code == 0, result.output
    assert waited >= 1.0  # it waited for the holder (2 s) instead of failing at once
    assert "白沙海关" in graph_labels(store)


COUNTER = textwrap.dedent("""
    import sys, time
    from kg.store import StoreError, open_store
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    end = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        try:
            print(open_store(sys.argv[1]).query(query).rows[0]["n"], flush=True)
        except StoreError as error:
            print("error", error, flush=True)
""")


def test_queries_during_a_build_see_the_old_graph_or_the_new_one_never_half(two_corpora):
    from kg.store import open_store

    _, new, store, _ = two_corpora
    old_total = open_store(str(store)).query(COUNT_TRIPLES).rows[0]["n"]
    reader = subprocess.Popen([sys.executable, "-c", COUNTER, str(store), "60"], cwd=REPO, stdout=subprocess.PIPE,
                              text=True)
    try:
        done = run_kg("build", str(new), "--store", str(store), *BUILD_OPTIONS)
        time.sleep(0.5)  # a few reads of the new graph
    finally:
        reader.terminate()
        out, _ = reader.communicate(timeout=30)
    assert done.returncode == 0, done.stderr
    new_total = open_store(str(store)).query(COUNT_TRIPLES).rows[0]["n"]
    assert new_total != old_total
    counts = out.split("\n")[:-1]  # the last line may be cut by terminate()
    assert len(counts) > 10, out
    seen = {int(c) if c.isdigit() else c for c in counts}
    assert seen <= {old_total, new_total}, f"half-built graphs seen: {seen - {old_total, new_total}}"
    assert new_total in seen


def test_a_build_started_while_another_writes_refuses_and_the_first_finishes(two_corpora):
    old, new, store, new_orgs = two_corpora
    first = start_build(new, store)
    try:
        assert wait_for_new_version(store, first), "the first build never started writing"
        second = cli_build([str(old)], store)
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.exit_code == 1
    assert str(store / "LOCK") in second.stderr and "nothing was changed" in second.stderr
    assert first.returncode == 0, err
    assert set(new_orgs) <= graph_labels(store)  # the first build's graph, untouched by the second
