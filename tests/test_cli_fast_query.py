"""`kg query` without click (kg/fast_query.py) prints exactly what the click command prints.

Every case runs `python -m kg ARGS` twice as a real process, through the fast
path and with it switched off (``KG_CLI_NO_FAST=1``: click, as before), and
compares stdout, stderr and the exit code byte for byte.
"""

from __future__ import annotations

import doctest
import importlib
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from kg.fast_query import DEFAULTS, FORMATS, MULTIPLE, OPTIONS, STORE_ENVVAR, TIMEOUT_MIN, parse

REPO = Path(__file__).resolve().parent.parent

# Invented articles (no development article is quoted): two units building together, a hierarchy.
ARTICLES = {
    "a.txt": "青禾县海关与青禾边检站签订党建联建协议，双方开展联学联建活动。\n青禾边检站党委书记出席。\n",
    "b.txt": "白石镇党委与白石派出所开展党建共建，共同推进基层治理。\n白石派出所隶属于白石县公安局。\n",
}
# A label built to attack a terminal (ESC, C1 CSI, a bidi override), and one with a newline.
HOSTILE_TTL = (
    '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
    '<https://example.org/x> skos:prefLabel "危\\u001B[31m险\\u009B2J\\u202E单位"@zh-Hans ;\n'
    '    skos:altLabel "两行\\n文字\\r\\t" .\n'
)
ORG = "<http://www.w3.org/ns/org#Organization>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SELECT_LABELS = f"SELECT ?o ?l WHERE {{ ?o a {ORG} ; <{SKOS}prefLabel> ?l }} ORDER BY ?l"
SELECT_ALL_LABELS = f"SELECT ?l WHERE {{ ?o <{SKOS}prefLabel>|<{SKOS}altLabel> ?l }} ORDER BY ?l"
CONSTRUCT = f"CONSTRUCT {{ ?o <{SKOS}prefLabel> ?l }} WHERE {{ ?o <{SKOS}prefLabel> ?l }}"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from kg.cli import main
    from kg.store import EmbeddedStore

    root = tmp_path_factory.mktemp("fast-query")
    (root / "articles").mkdir()
    for name, text in ARTICLES.items():
        (root / "articles" / name).write_text(text, encoding="utf-8")
    built = CliRunner().invoke(main, ["build", str(root / "articles"), "--store", str(root / "store"), "--no-curation",
                                      "--jobs", "1", "--no-progress"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    (root / "hostile.ttl").write_text(HOSTILE_TTL, encoding="utf-8")
    EmbeddedStore(root / "store").load_files([root / "hostile.ttl"])
    (root / "q.rq").write_text(SELECT_LABELS, encoding="utf-8")
    (root / "gbk.rq").write_bytes('SELECT * WHERE { ?s ?p "青禾县海关" }'.encode("gbk"))
    return root / "store"


def run(args: list[str], *, fast: bool, env: dict[str, str] | None = None, cwd: Path | None = None):
    environ = {k: v for k, v in os.environ.items() if k not in (STORE_ENVVAR, "KG_CLI_NO_FAST")}
    environ.update(env or {})
    if not fast:
        environ["KG_CLI_NO_FAST"] = "1"
    done = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, env=environ, cwd=cwd, timeout=60)
    return done.stdout, done.stderr, done.returncode


def cases(store: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    s, q = str(store), str(store.parent / "q.rq")
    return {
        "saved": (["query", "--store", s, "--saved", "type-counts"], {}),
        "saved json": (["query", "--store", s, "--saved", "partners-of", "--format", "json"], {}),
        "param simplified": (["query", "--store", s, "--saved", "partners-of", "--param", "name=青禾边检站"], {}),
        "param traditional": (["query", "--store", s, "--saved", "partners-of", "--param", "name=青禾邊檢站",
                               "--format=json"], {}),
        "params repeated": (["query", "--store", s, "--saved", "organizations-by-type", "--param", "type=海关",
                             "--param", "name= 白石镇党委 "], {}),
        "equals spellings": (["query", "--store=" + s, "--saved=links-by-type", "--format=csv", "--timeout=30"], {}),
        "env store": (["query", "--saved", "alliances", "--format", "tsv"], {STORE_ENVVAR: s}),
        "option beats env": (["query", "--store", s, "--saved", "sub-organizations"], {STORE_ENVVAR: "/nowhere"}),
        "default store": (["query", "ASK {}"], {}),
        "sparql table": (["query", "--store", s, SELECT_LABELS], {}),
        "sparql last": (["query", SELECT_LABELS, "--format", "json", "--store", s], {}),
        "hostile table": (["query", "--store", s, SELECT_ALL_LABELS], {}),
        "hostile csv": (["query", "--store", s, "--format", "csv", SELECT_ALL_LABELS], {}),
        "hostile json": (["query", "--store", s, "--format", "json", SELECT_ALL_LABELS], {}),
        "ask table": (["query", "--store", s, f"ASK {{ ?o a {ORG} }}"], {}),
        "ask json": (["query", "--store", s, "--format", "json", "ASK { ?s <urn:none> ?o }"], {}),
        "construct table": (["query", "--store", s, CONSTRUCT], {}),
        "construct json": (["query", "--store", s, "--format", "json", CONSTRUCT], {}),
        "construct tsv": (["query", "--store", s, "--format", "tsv", CONSTRUCT], {}),
        "describe": (["query", "--store", s, "DESCRIBE <https://example.org/x>"], {}),
        "file": (["query", "--store", s, "-f", q, "--format", "csv"], {}),
        "file long": (["query", "--store", s, "--file", q], {}),
        "ascii stdout": (["query", "--store", s, SELECT_LABELS], {"PYTHONIOENCODING": "ascii"}),
        # errors
        "bad sparql": (["query", "--store", s, "SELEC ?s WHERE { ?s ?p ?o }"], {}),
        "unknown saved": (["query", "--store", s, "--saved", "no-such-query"], {}),
        "param without =": (["query", "--store", s, "--saved", "partners-of", "--param", "name"], {}),
        "param bad name": (["query", "--store", s, "--saved", "partners-of", "--param", "na me=白石镇党委"], {}),
        "param without where": (["query", "--store", s, "--param", "x=1", "ASK {}"], {}),
        "missing store": (["query", "--store", str(store.parent / "nowhere"), "--saved", "type-counts"], {}),
        "no source": (["query", "--store", s], {}),
        "two sources": (["query", "--store", s, "--saved", "type-counts", "ASK {}"], {}),
        "not utf-8 file": (["query", "--store", s, "-f", str(store.parent / "gbk.rq")], {}),
        "hostile error": (["query", "--store", s, "--saved", "x\x1b[2J\u202ey"], {}),
        # declined by the fast parser: click's own messages
        "list": (["query", "--list"], {}),
        "help": (["query", "--help"], {}),
        "unknown option": (["query", "--store", s, "--verbose", "ASK {}"], {}),
        "bad format": (["query", "--store", s, "--format", "xml", "ASK {}"], {}),
        "repeated format": (["query", "--store", s, "--format", "json", "--format", "csv", "ASK {}"], {}),
        "missing value": (["query", "--store", s, "--saved"], {}),
        "missing file": (["query", "--store", s, "-f", str(store.parent / "none.rq")], {}),
        "folder as file": (["query", "--store", s, "-f", str(store.parent)], {}),
        "bad timeout": (["query", "--store", s, "--timeout", "0", "ASK {}"], {}),
        "double dash": (["query", "--store", s, "--", "ASK {}"], {}),
        "two sparql": (["query", "--store", s, "ASK {}", "ASK {}"], {}),
    }


CASE_NAMES = list(cases(Path("/x/store")))


@pytest.mark.parametrize("case", CASE_NAMES)
def test_fast_path_prints_what_click_prints(store, case):
    args, env = cases(store)[case]
    fast, slow = run(args, fast=True, env=env, cwd=store.parent), run(args, fast=False, env=env, cwd=store.parent)
    assert fast == slow
    assert b"Traceback" not in fast[1]


def test_the_cases_produce_rows_and_errors(store):
    """The comparisons above are not of empty outputs: spot-check what the click path prints."""
    all_cases = cases(store)
    out, _, code = run(all_cases["param traditional"][0], fast=False, cwd=store.parent)
    assert code == 0 and "青禾县海关".encode() in out
    out, err, code = run(all_cases["hostile table"][0], fast=True, cwd=store.parent)
    assert code == 0 and "单位".encode() in out and b"\x1b" not in out and "\u202e".encode() not in out
    _, err, code = run(all_cases["unknown saved"][0], fast=True, cwd=store.parent)
    assert code == 2 and err.startswith(b"Error: no saved query named")
    _, err, code = run(all_cases["missing value"][0], fast=True, cwd=store.parent)
    assert code == 2 and b"requires an argument" in err


def test_a_timeout_exits_4_on_both_paths(store):
    args = ["query", "--store", str(store), "--timeout", "0.2", CROSS_PRODUCT]
    fast, slow = run(args, fast=True), run(args, fast=False)
    assert fast == slow == (b"", b"Error: query stopped after the time limit of 0.2 s\n", 4)


def test_an_answer_written_to_a_file_is_whole(store, tmp_path):
    """The fast path ends its process right after writing: nothing may be left in a buffer."""
    args = ["query", "--store", str(store), "--format", "csv", SELECT_ALL_LABELS]
    written = []
    for fast in (True, False):
        path = tmp_path / f"out-{fast}.csv"
        environ = {k: v for k, v in os.environ.items() if k not in (STORE_ENVVAR, "KG_CLI_NO_FAST")}
        if not fast:
            environ["KG_CLI_NO_FAST"] = "1"
        with open(path, "wb") as out:
            assert subprocess.run([sys.executable, "-m", "kg", *args], stdout=out, env=environ).returncode == 0
        written.append(path.read_bytes())
    assert written[0] == written[1] and written[0].startswith(b"l\r\n") and written[0].endswith(b"\r\n\n")


def test_a_closed_pipe_ends_the_same_way(store):
    """`kg query ... | head -0`: the reader has gone before the answer is written."""
    args = ["query", "--store", str(store), "--format", "json", SELECT_ALL_LABELS]
    results = []
    for fast in (True, False):
        environ = {k: v for k, v in os.environ.items() if k not in (STORE_ENVVAR, "KG_CLI_NO_FAST")}
        if not fast:
            environ["KG_CLI_NO_FAST"] = "1"
        child = subprocess.Popen([sys.executable, "-m", "kg", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=environ)
        child.stdout.close()
        results.append((child.stderr.read(), child.wait(timeout=60)))
    assert results[0] == results[1]
    assert b"Traceback" not in results[0][0]


@pytest.mark.parametrize("args", [
    ["query", "--store", "S", "--saved", "centrality", "--format", "json"],
    ["query", "--store", "S", "--saved", "partners-of", "--param", "name=青禾邊檢站"],
    ["query", "--store", "S", "ASK {}"],
])
def test_a_fast_query_does_not_import_click(store, args):
    args = [str(store) if a == "S" else a for a in args]
    environ = {k: v for k, v in os.environ.items() if k not in (STORE_ENVVAR, "KG_CLI_NO_FAST")}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kg", *args], capture_output=True, text=True,
                          env=environ, timeout=60)
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "kg.query_run" in imported
    assert not {"click", "dataclasses", "kg.cli"} & imported
    if "--param" not in args:  # OpenCC, which converts a parameter, imports typing itself
        assert "typing" not in imported


def test_a_declined_command_line_goes_through_click(store):
    environ = {k: v for k, v in os.environ.items() if k not in (STORE_ENVVAR, "KG_CLI_NO_FAST")}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kg", "query", "--list"], capture_output=True,
                          text=True, env=environ, timeout=60)
    assert done.returncode == 0 and "partners-of" in done.stdout
    assert "click" in {line.split("|")[-1].strip() for line in done.stderr.splitlines()}


# --- the parser alone ----------------------------------------------------------


def click_query_command() -> click.Command:
    from kg.cli import main

    importlib.import_module("kg.cli.query")
    return main.commands["query"]


def test_the_parser_matches_the_click_command_declaration():
    """Names, spellings, multiple, choices, defaults, range and envvar: the two cannot drift apart."""
    params = {param.name: param for param in click_query_command().params}
    assert set(params) == set(DEFAULTS) | {"list_saved"}
    spellings = {}
    for name, param in params.items():
        if isinstance(param, click.Argument):
            assert name == "sparql" and param.nargs == 1 and not param.required
            continue
        if param.is_flag:  # a flag changes what the command does: left to click
            assert name == "list_saved" and not set(param.opts) & set(OPTIONS)
            continue
        assert not param.secondary_opts
        for spelling in param.opts:
            spellings[spelling] = name
        assert param.multiple == (name in MULTIPLE)
        assert param.envvar == (STORE_ENVVAR if name == "store_location" else None)
    assert spellings == OPTIONS
    assert tuple(params["fmt"].type.choices) == FORMATS and params["fmt"].type.case_sensitive
    timeout = params["timeout"].type
    assert isinstance(timeout, click.FloatRange) and timeout.min == TIMEOUT_MIN and not timeout.min_open
    assert timeout.max is None
    file_type = params["query_file"].type
    assert isinstance(file_type, click.Path) and file_type.exists and not file_type.dir_okay
    assert params["query_file"].type.readable and not file_type.allow_dash
    for name in ("saved", "params", "store_location"):
        assert params[name].type is click.STRING
    assert click_query_command().context_settings.get("help_option_names", ["--help"]) is not None


@pytest.mark.parametrize("args", [
    [],
    ["build"],
    ["query", "--list"],
    ["query", "--help"],
    ["query", "-h"],
    ["query", "--saved"],
    ["query", "--saved", ""],
    ["query", "--saved", "--format"],
    ["query", "--saved=x", "--saved=y"],
    ["query", "--format", "JSON", "ASK {}"],
    ["query", "--timeout", "1e3", "ASK {}"],
    ["query", "--timeout", "nan", "ASK {}"],
    ["query", "--timeout", "0.0009", "ASK {}"],
    ["query", "--timeout", " 1", "ASK {}"],
    ["query", "--timeout", "\u0661", "ASK {}"],
    ["query", "-f", "/no/such/file.rq"],
    ["query", "-fq.rq"],
    ["query", "-f=q.rq"],
    ["query", "--", "ASK {}"],
    ["query", "-", "ASK {}"],
    ["query", "--sav", "x"],
    ["query", "ASK {}", "ASK {}"],
    ["query", "ASK {\udcff}"],
    ["query", "--param", "-x"],
])
def test_the_parser_declines_what_it_does_not_fully_understand(args):
    assert parse(args, {}) is None


def test_the_parser_declines_during_shell_completion():
    assert parse(["query", "ASK {}"], {"_KG_COMPLETE": "bash_complete"}) is None


def test_the_parser_gives_the_values_click_gives(tmp_path, monkeypatch):
    """For command lines the parser accepts, the keyword arguments equal those click passes to the command."""
    path = tmp_path / "q.rq"
    path.write_text("ASK {}", encoding="utf-8")
    command = click_query_command()
    for environ in ({}, {STORE_ENVVAR: "env-store"}, {STORE_ENVVAR: ""}):
        monkeypatch.delenv(STORE_ENVVAR, raising=False)
        for key, value in environ.items():
            monkeypatch.setenv(key, value)
        for args in (["ASK {}"], ["--saved", "x"], ["--store", "s", "--format", "json", "-f", str(path)],
                     ["--param", "a=1", "--param=b=2", "--timeout", "2", "--saved=x", "--file", str(path)],
                     ["--format=csv", "--store=s", "SELECT * {}", "--timeout=0.001"], ["--timeout", "1.", "x"]):
            given = parse(["query", *args], environ)
            with command.make_context("query", list(args)) as ctx:
                expected = {k: v for k, v in ctx.params.items() if k != "list_saved"}
            assert given == expected, args


def test_the_parser_reads_values_as_click_does(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("ASK {}", encoding="utf-8")
    got = parse(["query", "--param", "a=1", "-f", str(path), "--param=b=2", "--timeout", "1.5", "--format=tsv"],
                {STORE_ENVVAR: "env-store"})
    assert got == {"sparql": None, "query_file": str(path), "saved": None, "params": ("a=1", "b=2"), "fmt": "tsv",
                   "timeout": 1.5, "store_location": "env-store"}
    assert parse(["query", "ASK {}"], {STORE_ENVVAR: ""})["store_location"] == "kg-store"  # empty: unset, as in click
    assert parse(["query", "--store", "s", "ASK {}"], {STORE_ENVVAR: "e"})["store_location"] == "s"
    assert parse(["query", "--timeout", ".5", "ASK {}"], {})["timeout"] == 0.5


@pytest.mark.parametrize("module", ["kg.fast_query", "kg.query_run", "kg.query", "kg.tables", "kg.store"])
def test_doctests(module):
    assert doctest.testmod(importlib.import_module(module)).failed == 0


# --- the start-up and output shortcuts ---------------------------------------------


def test_saved_query_finds_what_saved_queries_lists():
    from kg.query import saved_queries, saved_query

    every = saved_queries()
    for name in [*every, "", ".", "..", "no-such-query", "../queries/partners-of", "partners-of.rq", "PARTNERS-OF"]:
        assert saved_query(name) == every.get(name), name


def test_every_character_json_text_escapes_is_non_printable():
    """json_text skips its pattern when the text is printable: that is exact only if this holds."""
    import re

    from kg.tables import _JSON_UNSAFE, json_text

    unsafe = re.findall(_JSON_UNSAFE, "".join(map(chr, range(0x110000))))
    assert len(unsafe) > 200 and not any(char.isprintable() for char in unsafe)
    assert json_text(["甲\u3000乙", "丙\u202e"], indent=2) == '[\n  "甲\u3000乙",\n  "丙\\u202e"\n]'
    assert json_text({"行": "一\n二"}) == '{"行": "一\\n二"}'
