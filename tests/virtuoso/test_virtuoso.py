"""The sample corpus built into a real Virtuoso gives the same answers as the embedded store."""

from __future__ import annotations

import json

import pytest

from kg.query import saved_queries
from kg.remote import DATA_GRAPH, RemoteStore
from kg.store import METRICS_GRAPH, ONTOLOGY_GRAPH, EmbeddedStore

pytestmark = [pytest.mark.virtuoso, pytest.mark.slow]


def normalized(result) -> object:
    """Order-free and language-tag-case-free (Virtuoso writes tags in lower case)."""
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return sorted(str(t).lower() for t in result.triples)
    return sorted(tuple(sorted((k, repr(v)) for k, v in row.items() if v is not None)) for row in result.rows)


@pytest.fixture(scope="module")
def built(virtuoso_url, sample_corpus, tmp_path_factory):
    from kg.build import build

    location = tmp_path_factory.mktemp("embedded") / "store"
    build([sample_corpus], location, jobs=1)
    summary = build([sample_corpus], virtuoso_url, jobs=1)
    return RemoteStore(virtuoso_url), EmbeddedStore(location), summary


def test_saved_queries_give_the_same_answers(built):
    remote, embedded, summary = built
    assert summary.triples == embedded.build_record()["summary"]["triples"]
    for name, saved in saved_queries().items():
        assert normalized(remote.query(saved.text)) == normalized(embedded.query(saved.text)), name


def test_ask_and_construct_give_the_same_answers(built):
    remote, embedded, _ = built
    for query in ("ASK { ?o a <http://www.w3.org/ns/org#Organization> }", "ASK { ?o a <http://example.org/Nothing> }",
                  "CONSTRUCT { ?a <https://w3id.org/lianjian/ontology#jointBuildingWith> ?b } "
                  "WHERE { ?a <https://w3id.org/lianjian/ontology#jointBuildingWith> ?b }",
                  "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n# labels\n"
                  "CONSTRUCT { ?o skos:prefLabel ?l } WHERE { ?o a <http://www.w3.org/ns/org#Organization> ; skos:prefLabel ?l }"):
        assert normalized(remote.query(query)) == normalized(embedded.query(query)), query


def test_graph_layout_and_counts(built):
    remote, embedded, summary = built
    graphs = {row["g"] for row in remote.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows}
    assert {DATA_GRAPH, ONTOLOGY_GRAPH} <= graphs
    assert not any("/graph/build-" in g for g in graphs)  # staging graphs were moved
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }}"
    assert remote.query(count).rows == [{"n": summary.triples}]


def test_a_rebuild_replaces_the_graph_and_drops_the_metrics(built, sample_corpus):
    from kg.build import build

    remote, embedded, summary = built
    remote.replace_graph(METRICS_GRAPH, ['<https://w3id.org/lianjian/id/org/x> <http://example.org/m> "1" .'])
    assert remote.query(f"ASK {{ GRAPH <{METRICS_GRAPH}> {{ ?s ?p ?o }} }}").boolean is True
    again = build([sample_corpus], remote.url, jobs=1)
    assert again.triples == summary.triples
    assert remote.query(f"ASK {{ GRAPH <{METRICS_GRAPH}> {{ ?s ?p ?o }} }}").boolean is False
    saved = saved_queries()["organizations-by-type"].text
    assert normalized(remote.query(saved)) == normalized(embedded.query(saved))


def test_commands_work_against_the_endpoint(built, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main
    from kg.project import project

    remote, embedded, _ = built
    runner = CliRunner()
    by_cli = runner.invoke(main, ["query", "--store", remote.url, "--saved", "type-counts", "--format", "json"])
    assert by_cli.exit_code == 0, by_cli.output
    local = runner.invoke(main, ["query", "--store", embedded.location, "--saved", "type-counts", "--format", "json"])
    assert sorted(map(json.dumps, json.loads(by_cli.output))) == sorted(map(json.dumps, json.loads(local.output)))
    summary = runner.invoke(main, ["analyze", "summary", "--store", remote.url])
    assert summary.exit_code == 0, summary.output
    output = tmp_path / "map.html"
    drawn = runner.invoke(main, ["viz", "--store", remote.url, "-o", str(output)])
    assert drawn.exit_code == 0 and output.exists(), drawn.output
    over_http, here = project(remote), project(embedded)
    assert sorted(over_http.nodes) == sorted(here.nodes)
    assert over_http.number_of_edges() == here.number_of_edges()


def test_kg_serve_in_front_of_virtuoso(built):
    import httpx

    from kg.serve import background_server, create_app

    remote, embedded, _ = built
    with background_server(create_app(remote.url)) as base:
        answer = httpx.post(base + "/sparql", data={"query": saved_queries()["type-counts"].text},
                            headers={"Accept": "text/csv"}).text
    assert len(answer.strip().splitlines()) == 1 + len(embedded.query(saved_queries()["type-counts"].text).rows)
