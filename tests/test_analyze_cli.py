"""`kg analyze` end to end on a real store folder; metrics written back; the report."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_project import ID, TTL

from kg.cli import main
from kg.store import METRICS_GRAPH, open_store


@pytest.fixture
def store_dir(tmp_path):
    data = tmp_path / "data.ttl"
    # An evil sentence: terminal output must not carry its escape sequences.
    data.write_text(TTL.replace("句一", "句一\\u001b[31m红"), encoding="utf-8")
    location = str(tmp_path / "store")
    with open_store(location).new_version() as transaction:
        transaction.load_file(data)
    return location


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["analyze", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_centrality_table_json_and_type_filter(store_dir):
    table = run("centrality", "--store", store_dir)
    assert table.splitlines()[0].split()[:3] == ["label", "type", "degree"]
    assert "乙出入境边防检查站" in table
    rows = json.loads(run("centrality", "--store", store_dir, "--format", "json", "--type", "Village"))
    assert [r["label"] for r in rows] == ["丙村党支部"]
    assert set(rows[0]) >= {"node", "degree", "weighted_degree", "betweenness", "pagerank", "eigenvector",
                            "closeness"}


def test_engines_give_the_same_rows(store_dir):
    a = json.loads(run("centrality", "--store", store_dir, "--format", "json", "--engine", "networkx"))
    b = json.loads(run("centrality", "--store", store_dir, "--format", "json", "--engine", "igraph"))
    assert [r["node"] for r in a] == [r["node"] for r in b]
    assert all(abs(x["betweenness"] - y["betweenness"]) < 1e-9 for x, y in zip(a, b))


def test_relation_and_alliance_options(store_dir):
    rows = json.loads(run("summary", "--store", store_dir, "--format", "json", "--relation", "joint_defense"))
    assert {"section": "overview", "measure": "nodes", "value": 2} in rows
    rows = json.loads(run("summary", "--store", store_dir, "--format", "json", "--alliances", "clique"))
    relations = {r["relation"] for r in rows if r["section"] == "links_by_relation"}
    assert "member_of_alliance" in relations and "member_of" not in relations


def test_communities_brokers_csv(store_dir):
    out = run("communities", "--store", store_dir)
    assert out.startswith("3 communities") or "modularity" in out.splitlines()[0]
    csv_out = run("brokers", "--store", store_dir, "--format", "csv")
    assert csv_out.splitlines()[0].startswith("label,type,degree,partner_types")


def test_path_shows_evidence_without_escape_sequences(store_dir):
    out = run("path", "甲镇党委", "乙边检站", "--store", store_dir)
    assert "句一红" in out and "\x1b" not in out
    raw = json.loads(run("path", "甲镇党委", "乙边检站", "--store", store_dir, "--format", "json"))
    assert raw[0]["sentence"] == "句一\x1b[31m红"  # JSON keeps the data as it is, escaped by json


def test_unknown_name_is_a_clean_error(store_dir):
    result = CliRunner().invoke(main, ["analyze", "ego", "不存在", "--store", store_dir])
    assert result.exit_code == 1 and "no unit named" in result.output


def test_missing_store_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(main, ["analyze", "summary", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_write_replaces_the_metrics_graph(store_dir):
    run("centrality", "--store", store_dir, "--write")
    query = (
        "PREFIX lj: <https://w3id.org/lianjian/ontology#> SELECT ?o ?d WHERE { GRAPH <%s> { ?o lj:degree ?d } } "
        "ORDER BY DESC(?d) ?o" % METRICS_GRAPH
    )
    rows = open_store(store_dir).query(query).rows
    assert rows[:2] == [{"o": f"{ID}org/L", "d": 3}, {"o": f"{ID}org/A", "d": 2}]
    assert len(rows) == 6
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }" % METRICS_GRAPH
    first = open_store(store_dir).query(count).rows[0]["n"]
    run("communities", "--store", store_dir, "--write")
    assert open_store(store_dir).query(count).rows[0]["n"] == first  # replaced, not added
    kinds = open_store(store_dir).query(
        "SELECT DISTINCT ?p WHERE { GRAPH <%s> { ?s ?p ?o } } ORDER BY ?p" % METRICS_GRAPH).rows
    assert len(kinds) == 9
    # the projection ignores the metrics graph
    assert "乙出入境边防检查站" in run("centrality", "--store", store_dir)


@pytest.mark.slow
def test_report_writes_markdown_and_charts(store_dir, tmp_path):
    out = tmp_path / "report"
    run("report", "--store", store_dir, "-o", str(out))
    text = (out / "report.md").read_text(encoding="utf-8")
    for name in ("degree_distribution.png", "type_matrix.png", "community_sizes.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
        assert f"]({name})" in text
    assert "## Communities" in text and "乙出入境边防检查站" in text
