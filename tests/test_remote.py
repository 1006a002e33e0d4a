"""RemoteStore and build_remote against SPARQL endpoints over real HTTP.

Two endpoints: ``kg serve`` itself (read-only), and a small writable SPARQL
1.1 endpoint on an in-memory Oxigraph (below) standing in for an external
triple store; tests/virtuoso/ does the same against a real Virtuoso.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from kg.remote import DATA_GRAPH, RemoteStore, parse_response
from kg.serve import background_server, create_app
from kg.store import METRICS_GRAPH, ONTOLOGY_GRAPH, EmbeddedStore, QueryError, StoreError, open_store

SKOS = "http://www.w3.org/2004/02/skos/core#"


def writable_endpoint(store: ox.Store, fail_after: int | None = None) -> Starlette:
    """A SPARQL 1.1 query + update endpoint (default graph = union) on ``store``.

    With ``fail_after`` every INSERT after that many answers 500, like a server out of disk.
    """
    updates = {"n": 0}

    async def endpoint(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8"))
        if "update" in form:
            updates["n"] += form["update"][0].startswith("INSERT")
            if fail_after is not None and updates["n"] > fail_after and form["update"][0].startswith("INSERT"):
                return PlainTextResponse("disk full", status_code=500)
            try:
                store.update(form["update"][0])
            except SyntaxError as error:
                return PlainTextResponse(str(error), status_code=400)
            return Response(status_code=204)
        try:
            result = store.query(form["query"][0], use_default_graph_as_union=True)
        except SyntaxError as error:
            return PlainTextResponse(str(error), status_code=400)
        if isinstance(result, ox.QueryTriples):
            return Response(result.serialize(format=ox.RdfFormat.N_TRIPLES), media_type="application/n-triples")
        return Response(result.serialize(format=ox.QueryResultsFormat.JSON), media_type="application/sparql-results+json")

    return Starlette(routes=[Route("/sparql", endpoint, methods=["POST"])])


def normalized(result) -> object:
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return sorted(map(str, result.triples))
    return sorted(tuple(sorted((k, repr(v)) for k, v in row.items() if v is not None)) for row in result.rows)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, sample_corpus) -> EmbeddedStore:
    from kg.build import build

    location = tmp_path_factory.mktemp("embedded") / "store"
    build([sample_corpus], location, jobs=1)
    return EmbeddedStore(location)


@pytest.fixture(scope="module")
def remote(embedded, sample_corpus):
    from kg.build import build

    memory = ox.Store()
    with background_server(writable_endpoint(memory)) as base:
        summary = build([sample_corpus], base + "/sparql", jobs=1)
        yield RemoteStore(base + "/sparql"), memory, summary


# ---------------------------------------------------------------- reading


def test_open_store_gives_a_remote_store_for_urls():
    store = open_store("http://127.0.0.1:9/sparql")
    assert isinstance(store, RemoteStore)
    assert store.update_url == "http://127.0.0.1:9/sparql"


def test_update_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("KG_UPDATE_URL", "http://127.0.0.1:9/update")
    assert RemoteStore("http://127.0.0.1:9/sparql").update_url == "http://127.0.0.1:9/update"


def test_unreachable_endpoint_is_a_store_error():
    with pytest.raises(StoreError, match="cannot reach"):
        RemoteStore("http://127.0.0.1:9/sparql", timeout=2).query("ASK {}")


def test_parse_response_gives_plain_rows_and_pyoxigraph_terms():
    body = (b'{"head":{"vars":["o","n"]},"results":{"bindings":[{"o":{"type":"uri","value":"http://x/a"},'
            b'"n":{"type":"typed-literal","datatype":"http://www.w3.org/2001/XMLSchema#integer","value":"3"}}]}}')
    result = parse_response("application/sparql-results+json; charset=UTF-8", body)
    assert result.rows == [{"o": "http://x/a", "n": 3}]
    assert result.terms[0][0] == ox.NamedNode("http://x/a")
    graph = parse_response("text/plain", b'<http://x/a> <http://x/b> "c" .\n')
    assert graph.kind == "graph" and graph.triples[0].object == ox.Literal("c")
    with pytest.raises(QueryError):
        parse_response("image/png", b"")


def test_remote_store_reads_kg_serve_like_the_embedded_store(tmp_path):
    from kg.query import saved_queries

    store = EmbeddedStore(tmp_path / "store")
    with store.new_version() as transaction:
        transaction.add_lines([
            f'<https://w3id.org/lianjian/id/org/a> <{SKOS}prefLabel> "甲边检站"@zh-Hans .',
            '<https://w3id.org/lianjian/id/org/a> <https://w3id.org/lianjian/ontology#articleCount> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        ])
    with background_server(create_app(str(tmp_path / "store"))) as base:
        remote = RemoteStore(base + "/sparql")
        for query in ("SELECT * WHERE { ?s ?p ?o }", "ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }",
                      *(q.text for q in saved_queries().values())):
            assert normalized(remote.query(query)) == normalized(store.query(query)), query
        labels = remote.graph().query(f"SELECT ?l WHERE {{ ?o <{SKOS}prefLabel> ?l }}")
        assert [str(row.l) for row in labels] == ["甲边检站"]  # rdflib over SPARQLUpdateStore
        with pytest.raises(QueryError, match="400"):
            remote.query("SELECT WHERE {")
        with pytest.raises(StoreError, match="403"):
            remote.update("DROP ALL")  # kg serve is read-only


# ---------------------------------------------------------------- building


@pytest.mark.slow
def test_build_remote_gives_the_same_answers_as_the_embedded_store(remote, embedded):
    from kg.query import saved_queries

    store, memory, summary = remote
    assert summary.triples > 1000 and summary.articles_read == 16
    for name, saved in saved_queries().items():
        assert normalized(store.query(saved.text)) == normalized(embedded.query(saved.text)), name
    graphs = {g.value for g in memory.named_graphs()}
    assert graphs == {DATA_GRAPH, ONTOLOGY_GRAPH}  # the staging graphs were moved away


@pytest.mark.slow
def test_project_and_analysis_work_over_the_endpoint(remote, embedded):
    from kg.project import project

    store, _, _ = remote
    over_http, local = project(store), project(embedded)
    assert sorted(over_http.nodes) == sorted(local.nodes)
    assert sorted(map(sorted, over_http.edges)) == sorted(map(sorted, local.edges))


@pytest.mark.slow
def test_metrics_graph_is_replaced_and_a_rebuild_drops_it(remote, sample_corpus):
    from kg.build import build

    store, memory, _ = remote
    store.replace_graph(METRICS_GRAPH, ['<http://x/a> <http://x/pagerank> "0.5" .'])
    store.replace_graph(METRICS_GRAPH, ['<http://x/a> <http://x/pagerank> "0.7" .'])
    assert store.query(f"SELECT ?v WHERE {{ GRAPH <{METRICS_GRAPH}> {{ ?s ?p ?v }} }}").rows == [{"v": "0.7"}]
    before = len(memory)
    build([sample_corpus], store.url, jobs=1)
    assert len(memory) == before - 1  # same data again, metrics gone


@pytest.mark.slow
def test_a_failed_remote_build_leaves_the_previous_graph(tmp_path, sample_corpus):
    from kg.build import build

    memory = ox.Store()
    memory.add(ox.Quad(ox.NamedNode("http://x/old"), ox.NamedNode("http://x/p"), ox.Literal("old"),
                       ox.NamedNode(DATA_GRAPH)))
    with background_server(writable_endpoint(memory, fail_after=1)) as base:
        with pytest.raises(StoreError, match="disk full"):
            build([sample_corpus], base + "/sparql", jobs=1)
    # The first INSERT DATA went through before the failure; its staging graph was dropped.
    assert [(q.object.value, q.graph_name.value) for q in memory] == [("old", DATA_GRAPH)]


def test_remote_dump_and_load_files(tmp_path):
    memory = ox.Store()
    rdf = tmp_path / "extra.ttl"
    rdf.write_text('<http://x/a> <http://x/b> "乙" .\n', encoding="utf-8")
    with background_server(writable_endpoint(memory)) as base:
        store = RemoteStore(base + "/sparql")
        store.load_files([rdf])
        out = tmp_path / "dump.nt"
        with open(out, "wb") as handle:
            store.dump(handle, ox.RdfFormat.N_TRIPLES)
        assert out.read_text(encoding="utf-8") == '<http://x/a> <http://x/b> "乙" .\n'
        nodes = tmp_path / "nodes.ttl"  # blank nodes beyond one batch stay one node each
        nodes.write_text("".join(f'_:b <http://x/n> "{i}" .\n' for i in range(2500)), encoding="utf-8")
        store.load_files([nodes], graph="http://x/g")
        assert store.query("SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { GRAPH <http://x/g> { ?b ?p ?o } }").rows == [{"n": 1}]
        with pytest.raises(StoreError, match="not valid"):
            bad = tmp_path / "bad.ttl"
            bad.write_text("<a> <b", encoding="utf-8")
            store.load_files([bad])


@pytest.mark.slow
def test_remote_builds_reuse_a_local_extraction_cache(tmp_path, sample_corpus, monkeypatch):
    from kg.build import build

    monkeypatch.setenv("KG_REMOTE_CACHE", str(tmp_path / "cache"))
    memory = ox.Store()
    with background_server(writable_endpoint(memory)) as base:
        first = build([sample_corpus], base + "/sparql", jobs=1)
        second = build([sample_corpus], base + "/sparql", jobs=1)
    assert first.extracted == 16 and second.extracted == 0
    assert second.triples == first.triples
