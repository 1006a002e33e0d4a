"""kg serve: a real uvicorn server on a free localhost port, queried with real clients."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import httpx
import pytest

from kg.serve import background_server, create_app, negotiate, RESULT_FORMATS
from kg.store import EmbeddedStore

LJ = "https://w3id.org/lianjian/ontology#"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
EVIL = "<script>alert(1)</script>"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
FILLER = 40


def graph_lines() -> list[str]:
    lines = [
        f"<https://w3id.org/lianjian/id/org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{LJ}BorderInspection> .",
        f"<https://w3id.org/lianjian/id/org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ORG}Organization> .",
        f'<https://w3id.org/lianjian/id/org/a> <{SKOS}prefLabel> "甲边检站"@zh-Hans .',
        f"<https://w3id.org/lianjian/id/org/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ORG}Organization> .",
        f'<https://w3id.org/lianjian/id/org/b> <{SKOS}prefLabel> "{EVIL}"@zh-Hans .',
        f"<https://w3id.org/lianjian/id/org/a> <{LJ}jointBuildingWith> <https://w3id.org/lianjian/id/org/b> .",
    ]
    lines += [f'<http://example.org/n{i}> <http://example.org/p> "{i}" .' for i in range(FILLER)]
    return lines


def make_store(path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    with store.new_version() as transaction:
        transaction.add_lines(graph_lines())
    return store


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    make_store(root / "store")
    maps = root / "maps"
    maps.mkdir()
    (maps / "map.html").write_text("<html>a map</html>", encoding="utf-8")
    (root / "secret.txt").write_text("do not serve me", encoding="utf-8")
    (maps / "link.txt").symlink_to(root / "secret.txt")  # a link out of the folder is not followed
    return root


@pytest.fixture(scope="module")
def url(store_dir):
    app = create_app(str(store_dir / "store"), maps=store_dir / "maps", timeout=10)
    with background_server(app) as base:
        yield base


def sparql(url: str, query: str, accept: str = "application/sparql-results+json", **kwargs) -> httpx.Response:
    return httpx.post(url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30, **kwargs)


def count(url: str) -> int:
    return int(sparql(url, COUNT).json()["results"]["bindings"][0]["n"]["value"])


# ---------------------------------------------------------------- protocol and formats


def test_get_post_form_and_post_body_give_the_same_answer(url):
    query = f"SELECT ?label WHERE {{ ?o <{SKOS}prefLabel> ?label }} ORDER BY ?label"
    by_get = httpx.get(url + "/sparql", params={"query": query}).json()
    by_form = sparql(url, query).json()
    by_body = httpx.post(url + "/sparql", content=query.encode(),
                         headers={"Content-Type": "application/sparql-query"}).json()
    assert by_get == by_form == by_body
    labels = [b["label"]["value"] for b in by_get["results"]["bindings"]]
    assert labels == sorted([EVIL, "甲边检站"])
    assert by_get["results"]["bindings"][0]["label"]["xml:lang"].lower() == "zh-hans"


@pytest.mark.parametrize("accept, media, marker", [
    ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
    ("text/csv", "text/csv", "label\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", "?label\n"),
    ("text/html, */*;q=0.1", "application/sparql-results+json", '"bindings"'),
])
def test_select_answers_in_the_format_asked(url, accept, media, marker):
    response = sparql(url, f"SELECT ?label WHERE {{ ?o <{SKOS}prefLabel> ?label }}", accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert marker in response.text
    assert "甲边检站" in response.text


@pytest.mark.parametrize("accept, media", [
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
])
def test_construct_answers_in_rdf(url, accept, media):
    import rdflib

    response = sparql(url, f"CONSTRUCT WHERE {{ ?s <{SKOS}prefLabel> ?o }}", accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    graph = rdflib.Graph().parse(data=response.text, format={"text/turtle": "turtle", "application/n-triples": "nt",
                                                             "application/ld+json": "json-ld",
                                                             "application/rdf+xml": "xml"}[media])
    assert {str(o) for o in graph.objects()} == {EVIL, "甲边检站"}


def test_ask_and_not_acceptable(url):
    assert sparql(url, "ASK { ?s ?p ?o }").json()["boolean"] is True
    assert sparql(url, "ASK { ?s ?p ?o }", "image/png").status_code == 406
    assert sparql(url, "CONSTRUCT WHERE { ?s ?p ?o }", "text/csv").status_code == 406
    described = sparql(url, "DESCRIBE <https://w3id.org/lianjian/id/org/a>", "application/n-triples")
    assert described.status_code == 200 and "甲边检站" in described.text


def test_negotiation_weighs_quality():
    chosen = negotiate("text/csv;q=0.2, application/sparql-results+xml;q=0.9", RESULT_FORMATS, "application/sparql-results+json")
    assert chosen == "application/sparql-results+xml"
    assert negotiate("text/csv;q=0", RESULT_FORMATS, "x") is None


# ---------------------------------------------------------------- refusals and limits


def test_malformed_query_answers_400_with_the_parser_message(url):
    response = sparql(url, "SELECT ?x WHERE { ?x ")
    assert response.status_code == 400
    assert "error at" in response.text
    assert sparql(url, "").status_code == 400


def test_updates_are_refused_and_the_graph_is_unchanged(url):
    before = count(url)
    update = "DELETE WHERE { ?s ?p ?o }"
    refused = [
        httpx.post(url + "/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
        httpx.post(url + "/sparql", data={"update": update}),
        httpx.get(url + "/sparql", params={"update": update}),
        sparql(url, update),
        sparql(url, "PREFIX ex: <http://example.org/#x>\n# a comment\nINSERT DATA { ex:a ex:b ex:c }"),
        httpx.post(url + "/sparql", content="DROP ALL", headers={"Content-Type": "application/sparql-query"}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert all("read-only" in r.text for r in refused)
    assert count(url) == before == len(graph_lines())


def test_dataset_parameters_are_refused(url):
    response = httpx.get(url + "/sparql", params={"query": "ASK {}", "default-graph-uri": "http://example.org/g"})
    assert response.status_code == 400


def test_result_cap_truncates_and_says_so(store_dir):
    with background_server(create_app(str(store_dir / "store"), max_results=5)) as base:
        response = sparql(base, "SELECT * WHERE { ?s ?p ?o }")
        assert len(response.json()["results"]["bindings"]) == 5
        assert response.headers["x-kg-truncated"] == "true"
        assert response.headers["x-kg-result-cap"] == "5"
        small = sparql(base, "SELECT * WHERE { ?s ?p ?o } LIMIT 5")
        assert "x-kg-truncated" not in small.headers
        csv = sparql(base, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
        assert len(csv.text.strip().splitlines()) == 6  # header + 5 rows
        graph = sparql(base, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
        assert len(graph.text.strip().splitlines()) == 5 and graph.headers["x-kg-truncated"] == "true"


def test_time_limit_answers_503_at_once_and_the_server_stays_responsive(store_dir):
    # Five copies of ~46 triples: 2e8 solutions, far more than 0.3 s; solutions stream, so the worker stops.
    runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"
    app = create_app(str(store_dir / "store"), timeout=0.3, max_results=10**9, workers=2)
    with background_server(app) as base:
        started = time.monotonic()
        response = sparql(base, runaway)
        assert response.status_code == 503
        assert "time limit of 0.3 s" in response.text
        assert time.monotonic() - started < 3
        for _ in range(3):  # the pool is free again: the worker stopped at its next solution
            assert sparql(base, "ASK { ?s ?p ?o }").json()["boolean"] is True


def test_a_rebuild_while_serving_is_seen_by_later_requests(tmp_path):
    store = make_store(tmp_path / "store")
    with background_server(create_app(str(tmp_path / "store"))) as base:
        assert count(base) == len(graph_lines())
        with store.new_version(copy_current=True) as transaction:
            transaction.add_lines(['<http://example.org/new> <http://example.org/p> "new" .'])
        assert count(base) == len(graph_lines()) + 1


# ---------------------------------------------------------------- maps and the query page


def test_maps_are_served_and_nothing_outside_them(url):
    assert httpx.get(url + "/maps/map.html").text == "<html>a map</html>"
    for path in ("/maps/link.txt", "/maps/../secret.txt", "/maps/%2e%2e/secret.txt", "/maps/..%2fsecret.txt",
                 "/maps/%2e%2e%2fsecret.txt", "/maps/../../../../etc/passwd", "/maps//etc/passwd",
                 "/maps/%2e%2e/%2e%2e/%2e%2e/etc/passwd"):
        response = raw_get(url, path)
        assert "do not serve me" not in response and "root:" not in response, path
        assert response.startswith("HTTP/1.1 404") or response.startswith("HTTP/1.1 400"), path


def raw_get(url: str, path: str) -> str:
    """A GET sent byte for byte (clients normalize '..' away before sending)."""
    import socket

    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.decode("utf-8", errors="replace")


def test_query_page_lists_the_saved_queries_and_escapes_results(url):
    from kg.query import saved_queries

    page = httpx.get(url + "/").text
    for name in saved_queries():
        assert f">{name}</a>" in page
    shown = httpx.get(url + "/", params={"query": f"SELECT ?l WHERE {{ ?o <{SKOS}prefLabel> ?l }}", "run": "1"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert EVIL not in shown


def test_query_page_escapes_saved_query_summaries(url, monkeypatch, tmp_path):
    import kg.query

    rq = tmp_path / "evil.rq"
    rq.write_text(f"# Finds {EVIL} things\n# param: name — the {EVIL} name\nSELECT * WHERE {{ ?s ?p ?name }}\n",
                  encoding="utf-8")
    monkeypatch.setattr(kg.query, "saved_queries", lambda: {"evil": kg.query._describe(rq)})
    page = httpx.get(url + "/", params={"saved": "evil"}).text
    assert EVIL not in page
    assert "Finds &lt;script&gt;" in page
    ran = httpx.get(url + "/", params={"saved": "evil", "query": "SELECT * WHERE { ?s ?p ?name }",
                                       "param.name": EVIL, "run": "1"})
    assert ran.status_code == 200 and EVIL not in ran.text


def test_query_page_shows_errors_escaped(url):
    page = httpx.get(url + "/", params={"query": f"SELECT {EVIL}", "run": "1"})
    assert page.status_code == 400
    assert EVIL not in page.text and "malformed" in page.text


# ---------------------------------------------------------------- real clients


def test_sparqlwrapper_json_xml_and_construct(url):
    from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(f"SELECT ?label WHERE {{ ?o <{SKOS}prefLabel> ?label }}")
    client.setReturnFormat(JSON)
    labels = {b["label"]["value"] for b in client.query().convert()["results"]["bindings"]}
    assert labels == {EVIL, "甲边检站"}
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert {n.firstChild.data for n in document.getElementsByTagName("literal")} == labels
    client.setQuery(f"CONSTRUCT WHERE {{ ?s <{LJ}jointBuildingWith> ?o }}")
    client.setReturnFormat(TURTLE)
    turtle = client.query().convert()
    assert b"jointBuildingWith" in turtle
    client.setReturnFormat(XML)  # CONSTRUCT as RDF/XML, parsed into an rdflib Graph
    assert len(client.query().convert()) == 1
    client.setMethod("POST")
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


def test_sparqlwrapper_update_is_refused(url):
    from urllib.error import HTTPError

    from SPARQLWrapper import POST, SPARQLWrapper

    before = count(url)
    client = SPARQLWrapper(url + "/sparql", updateEndpoint=url + "/sparql")
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <http://example.org/x> <http://example.org/y> 1 }")
    with pytest.raises((HTTPError, Exception)) as refused:
        client.query()
    assert "403" in str(refused.value) or "read-only" in str(refused.value)
    assert count(url) == before


def test_rdflib_sparqlstore(url):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(url + "/sparql"))
    rows = list(graph.query(f"SELECT ?o ?label WHERE {{ ?o <{SKOS}prefLabel> ?label }} ORDER BY ?label"))
    assert [str(r.label) for r in rows] == sorted([EVIL, "甲边检站"])
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    organizations = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(ORG + "Organization")))
    assert len(organizations) == 2
    built = graph.query(f"CONSTRUCT WHERE {{ ?s <{LJ}jointBuildingWith> ?o }}")
    assert len(built.graph) == 1


def test_curl(url):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed (apt-get install curl)")
    done = subprocess.run([curl, "-s", "-H", "Accept: text/csv", "--data-urlencode", f"query={COUNT}", url + "/sparql"],
                          capture_output=True, text=True, timeout=30, check=True)
    assert done.stdout.split() == ["n", str(len(graph_lines()))]
    ntriples = subprocess.run([curl, "-s", "-G", "-H", "Accept: application/n-triples", "--data-urlencode",
                               f"query=CONSTRUCT WHERE {{ ?s <{LJ}jointBuildingWith> ?o }}", url + "/sparql"],
                              capture_output=True, text=True, timeout=30, check=True)
    assert ntriples.stdout.count(" .\n") == 1
    status = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is",
                             url + "/maps/../secret.txt"], capture_output=True, text=True, timeout=30)
    assert status.stdout == "404"
    update = subprocess.run([curl, "-s", "-w", "\n%{http_code}", "-H", "Content-Type: application/sparql-update",
                             "--data-binary", "DROP ALL", url + "/sparql"], capture_output=True, text=True, timeout=30)
    assert update.stdout.endswith("403")
    assert json.loads(subprocess.run([curl, "-s", "--data-urlencode", "query=ASK {}", url + "/sparql"],
                                     capture_output=True, text=True, timeout=30).stdout)["boolean"] is True


def test_cli_serve_binds_to_localhost_by_default():
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output


def test_a_store_without_a_graph_is_refused_at_start(tmp_path):
    from kg.store import StoreError

    with pytest.raises(StoreError, match="no graph"):
        create_app(str(tmp_path / "empty"))


@pytest.mark.slow
def test_kg_serve_command_answers_503_and_stops_at_once_despite_a_runaway_aggregate(store_dir):
    import signal
    import sys
    from pathlib import Path

    from kg.serve import free_port

    port = free_port()
    kg = Path(sys.executable).with_name("kg")
    server = subprocess.Popen([str(kg), "serve", "--store", str(store_dir / "store"), "--port", str(port),
                               "--timeout", "0.5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "kg serve did not start"
                time.sleep(0.2)
        # COUNT computes everything before its one row: the worker cannot stop early.
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r }"
        assert sparql(base, runaway).status_code == 503
        assert sparql(base, "ASK { ?s ?p ?o }").json()["boolean"] is True  # other workers still answer
        server.send_signal(signal.SIGINT)
        assert server.wait(15) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
