"""SPARQL errors print the parser's message and exit non-zero; long queries stop at --timeout (exit 4)."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from faults.builders import cli_build, make_good_folder, run_kg

CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    base = tmp_path_factory.mktemp("query")
    make_good_folder(base / "a")
    assert cli_build([str(base / "a")], base / "store").exit_code == 0
    return base / "store"


def query(*args: str):
    from kg.cli import main

    return CliRunner().invoke(main, ["query", *args])


def parser_message(sparql: str) -> str:
    try:
        ox.Store().query(sparql)
    except SyntaxError as error:
        return str(error)
    raise AssertionError("the query parses")


@pytest.mark.parametrize("sparql", [
    "SELEC ?s WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o ",
    "SELECT ?s WHERE { ?s <http://x ?o }",
    "SELECT ?s WHERE { ?s ?p \"未闭合 }",
])
def test_a_syntax_error_prints_the_parser_message_and_exits_non_zero(store, sparql):
    result = query("--store", str(store), sparql)
    assert result.exit_code == 1
    assert "SPARQL query rejected" in result.stderr
    assert parser_message(sparql).splitlines()[0] in result.stderr
    assert "Traceback" not in result.output


def test_a_query_file_that_is_not_utf8_is_a_usage_error(store, tmp_path):
    path = tmp_path / "q.rq"
    path.write_bytes('SELECT * WHERE { ?s ?p "白沙海关" }'.encode("gbk"))
    result = query("--store", str(store), "-f", str(path))
    assert result.exit_code == 2
    assert "must be UTF-8" in result.stderr


def test_a_missing_store_is_a_clear_error(tmp_path):
    result = query("--store", str(tmp_path / "nowhere"), "SELECT * WHERE { ?s ?p ?o }")
    assert result.exit_code == 1
    assert "kg build" in result.stderr and "Traceback" not in result.output


def test_a_bad_parameter_name_is_a_usage_error(store):
    result = query("--store", str(store), "--saved", "partners-of", "--param", "na me=白沙海关")
    assert result.exit_code == 2


def test_a_query_that_runs_too_long_stops_at_the_timeout_with_exit_4(store):
    started = time.monotonic()
    done = run_kg("query", "--store", str(store), "--timeout", "0.5", CROSS_PRODUCT, timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 4, done.stderr
    assert "time limit of 0.5 s" in done.stderr
    assert elapsed < 30  # start-up included; without the limit the product runs for hours
