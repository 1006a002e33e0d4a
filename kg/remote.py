"""The graph in an external triple store, reached over the SPARQL 1.1 Protocol.

``open_store("http://localhost:8890/sparql")`` gives a :class:`RemoteStore`:
queries go to the endpoint and come back as the same :class:`kg.store.QueryResult`
as from the embedded store (rows of plain values, terms as pyoxigraph terms),
so ``kg query``, ``kg analyze`` and ``kg viz`` work unchanged.

Layout on the endpoint (named graphs; queries use the endpoint's default
graph, which must be the union of all graphs, as Virtuoso's is):

- ``https://w3id.org/lianjian/id/graph/data``      the articles, organizations, links
- ``https://w3id.org/lianjian/id/graph/ontology``  the ontology
- ``https://w3id.org/lianjian/id/graph/metrics``   ``kg analyze --write``

Updates go to the same URL unless ``update_url`` (or ``$KG_UPDATE_URL``) names
another. User and password may be given in the URL (``http://user:pw@host/…``).

>>> store = RemoteStore("http://localhost:8890/sparql")      # doctest: +SKIP
>>> store.query("ASK { ?s ?p ?o }").boolean                  # doctest: +SKIP
True
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pyoxigraph as ox

from kg.store import ID, METRICS_GRAPH, ONTOLOGY_GRAPH, KGStore, QueryError, QueryResult, QueryTimeout, StoreError, _materialize

DATA_GRAPH = ID + "graph/data"
# N-Triples lines per INSERT DATA request: small enough for any server's request limit.
INSERT_BATCH = 2000
DEFAULT_TIMEOUT = 300.0

_RESULTS_JSON = "application/sparql-results+json"
# Ask for one format per query form: some servers (Virtuoso) take the first type offered, whatever the query.
_ACCEPT = {"select": _RESULTS_JSON, "ask": _RESULTS_JSON, "construct": "application/n-triples, text/turtle;q=0.9",
           "describe": "application/n-triples, text/turtle;q=0.9"}
_COMMENT = re.compile(r"(^|\s)#[^\n]*", re.MULTILINE)  # a '#' inside an IRI is not a comment
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", re.IGNORECASE)
_RDF_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_RESULT_TYPES = {
    _RESULTS_JSON: ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


class RemoteStore(KGStore):
    """A SPARQL 1.1 endpoint (query, and update for building) used as the store."""

    def __init__(self, url: str, update_url: str | None = None, *, timeout: float = DEFAULT_TIMEOUT):
        self.location = url
        self.url = url
        self.update_url = update_url or os.environ.get("KG_UPDATE_URL") or url
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout, follow_redirects=True)

    # -- reading ------------------------------------------------------------
    def query(self, sparql: str, timeout: float | None = None) -> QueryResult:
        """Run a query on the endpoint; :class:`QueryTimeout` past ``timeout`` seconds."""
        limit = timeout or self.timeout
        try:
            response = self._client.post(self.url, data={"query": sparql}, timeout=limit,
                                         headers={"Accept": _ACCEPT.get(query_form(sparql), _RESULTS_JSON)})
        except httpx.TimeoutException as error:
            raise QueryTimeout(f"query stopped after the time limit of {limit:g} s") from error
        except httpx.HTTPError as error:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.url}: {error}") from error
        if response.status_code >= 400:
            raise QueryError(f"the endpoint answered {response.status_code}: {_message(response)}")
        result = parse_response(response.headers.get("content-type", ""), response.content)
        if result.kind == "select" and result.variables == ["__ASK_RETVAL"]:  # Virtuoso's way to answer ASK in JSON
            return QueryResult("ask", boolean=bool(result.rows and result.rows[0]["__ASK_RETVAL"]))
        return result

    def graph(self):
        """An rdflib ``Graph`` reading (and writing) the endpoint through ``SPARQLUpdateStore``."""
        from rdflib import Graph
        from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

        return Graph(store=SPARQLUpdateStore(self.url, self.update_url, method="POST", returnFormat="json"))

    def dump(self, output: Any, fmt: ox.RdfFormat, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        """Serialize the data graph (or one named graph) fetched with CONSTRUCT.

        Endpoints may cap the triples of one answer (Virtuoso: ``ResultSetMaxRows``).
        """
        target = graph or DATA_GRAPH
        result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}")
        ox.serialize(result.triples, output, format=fmt, prefixes=prefixes)

    # -- writing ------------------------------------------------------------
    def update(self, sparql_update: str) -> None:
        """Send one SPARQL Update request."""
        try:
            response = self._client.post(self.update_url, data={"update": sparql_update})
        except httpx.HTTPError as error:
            raise StoreError(f"cannot reach the SPARQL update endpoint {self.update_url}: {error}") from error
        if response.status_code >= 400:
            raise StoreError(f"the update endpoint {self.update_url} answered {response.status_code}: "
                             f"{_message(response)}")

    def insert_lines(self, graph: str, lines: Iterable[str], *, batch: int = INSERT_BATCH) -> int:
        """Add N-Triples lines to a named graph with INSERT DATA requests; returns the number of lines."""
        count = 0
        for chunk in _batches(lines, batch):
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{''.join(chunk)}}} }}")
            count += len(chunk)
        return count

    def replace_graph(self, graph: str, lines: Iterable[str], *, wait: bool = False) -> None:
        """Replace one named graph (``kg analyze --write`` uses it for the metrics)."""
        lines = list(lines)
        self.update(f"DROP SILENT GRAPH <{graph}>")
        self.insert_lines(graph, lines)

    def load_files(self, paths: Iterable[str | os.PathLike[str]], *, graph: str | None = None, wait: bool = False) -> None:
        """Add RDF files to a named graph (the data graph by default); each file is parsed first."""
        from kg.store import rdf_format

        for path in paths:
            try:
                quads = list(ox.parse(path=str(path), format=rdf_format(path)))
            except SyntaxError as error:
                raise StoreError(f"{path}: not valid RDF: {error}") from error
            self.insert_lines(graph or DATA_GRAPH, map(_line, quads), batch=_batch_for(quads))
        if not self.query(f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}").boolean:
            _insert_ontology(self, ONTOLOGY_GRAPH)  # saved queries read the type scheme from it

    def close(self) -> None:
        self._client.close()


def query_form(sparql: str) -> str:
    r"""The first keyword after the prologue, in lower case: select, ask, construct, describe, insert, …

    >>> query_form("PREFIX lj: <https://w3id.org/lianjian/ontology#>\n# a comment\nCONSTRUCT WHERE { ?s ?p ?o }")
    'construct'
    """
    text = _PROLOGUE.sub("", _COMMENT.sub(" ", sparql))
    match = re.match(r"\s*([A-Za-z]+)", text)
    return match.group(1).lower() if match else ""


def parse_response(content_type: str, body: bytes) -> QueryResult:
    """An endpoint's answer (SPARQL results or RDF, by its media type) as a QueryResult."""
    media = content_type.split(";")[0].strip().lower()
    try:
        if media in _RESULT_TYPES:
            return _materialize(ox.parse_query_results(body, format=_RESULT_TYPES[media]))
        if media in _RDF_TYPES:
            return QueryResult("graph", triples=[q.triple for q in ox.parse(body, format=_RDF_TYPES[media])])
    except (SyntaxError, ValueError) as error:
        raise QueryError(f"unreadable answer from the endpoint ({media}): {error}") from error
    raise QueryError(f"the endpoint answered in an unsupported format: {media or 'none given'}")


def _message(response: httpx.Response) -> str:
    return " ".join(response.text.split())[:500] or response.reason_phrase


def _line(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} .\n"


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line if line.endswith("\n") else line + "\n")
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _batch_for(quads: list[ox.Quad]) -> int:
    """One request for data with blank nodes: a blank node label only holds within one INSERT DATA."""
    if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads):
        return max(len(quads), 1)
    return INSERT_BATCH


def _insert_ontology(store: RemoteStore, graph: str) -> None:
    from kg.resources import ontology_file

    quads = list(ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE))
    store.insert_lines(graph, map(_line, quads), batch=_batch_for(quads))


def build_remote(
    paths: Iterable[str | os.PathLike[str]],
    store: RemoteStore,
    *,
    curation: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    max_bytes: int | None = 50_000_000,
    progress: bool = False,
):
    """Build the graph of the articles under ``paths`` into the endpoint of ``store``.

    Same pipeline as :func:`kg.build.build` up to the N-Triples lines, then the
    triples go by batches of INSERT DATA into fresh staging graphs
    (``…/graph/build-<n>`` and ``…/graph/build-<n>-ontology``) and only at the
    end replace the data and ontology graphs (DROP, then MOVE), and the metrics
    of the previous graph are dropped. A failure before the switch drops the
    staging graphs and leaves the previous graph as it was.

    Extractions are cached in the folder ``$KG_REMOTE_CACHE`` when it is set
    (as in an embedded store's ``cache/``); without it every article is extracted.

    What an external store cannot give: during the load the staging graph is
    part of the union default graph, so readers may see triples twice; the
    final switch is one update request, atomic only where the server runs a
    request as one transaction; there is no writer lock (two builds at once
    each finish with their own switch, the last one wins).
    """
    from kg.build import BuildSummary, _step, collect
    from kg.curation import load_curation
    from kg.progress import bar as progress_bar
    from kg.rdf import triples
    from kg.resolve import resolve

    started = time.perf_counter()
    paths = [str(p) for p in paths]
    decisions = load_curation(curation) if curation else None  # fails before anything is written
    summary = BuildSummary(store=store.location)
    cache_dir = os.environ.get("KG_REMOTE_CACHE") or None  # a local folder: the endpoint cannot hold it
    docs = collect(paths, cache_dir=cache_dir, jobs=jobs, max_bytes=max_bytes, progress=progress, summary=summary)
    with _step(summary, "resolve"):
        resolved = resolve(docs, decisions, progress=progress)
    del docs
    summary.report = list(resolved.report)
    summary.organizations_by_type = _counts(o.type for o in resolved.organizations.values())
    summary.links_by_type = _counts(link.type for link in resolved.links.values())
    name = f"build-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}"
    staging, staging_ontology = f"{ID}graph/{name}", f"{ID}graph/{name}-ontology"
    try:
        with _step(summary, "load"):
            bar = progress_bar(progress, "insert", None, unit="triple")
            counted = _counting(triples(resolved), bar)
            summary.triples = store.insert_lines(staging, counted)
            bar.close()
            _insert_ontology(store, staging_ontology)
        with _step(summary, "switch"):
            store.update(
                f"DROP SILENT GRAPH <{METRICS_GRAPH}> ;\n"
                f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{DATA_GRAPH}> ;\n"
                f"MOVE SILENT GRAPH <{staging_ontology}> TO GRAPH <{ONTOLOGY_GRAPH}>"
            )
    except BaseException:
        for graph in (staging, staging_ontology):
            try:
                store.update(f"DROP SILENT GRAPH <{graph}>")
            except StoreError:
                pass
        raise
    summary.version = name
    summary.changed = sum(len(t) for t in (resolved.articles, resolved.places, resolved.decisions,
                                           resolved.organizations, resolved.links))
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _counts(values: Iterable[str]) -> dict[str, int]:
    from collections import Counter

    return dict(sorted(Counter(values).items()))


def _counting(lines: Iterable[str], bar: Any) -> Iterator[str]:
    for line in lines:
        bar.update()
        yield line

