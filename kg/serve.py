"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, a query page and the maps, over HTTP.

Routes:

- ``/sparql``: GET ``?query=``, POST ``application/x-www-form-urlencoded``
  (``query=``) or POST ``application/sparql-query``. SELECT and ASK answer in
  SPARQL JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle, N-Triples,
  JSON-LD or RDF/XML, by the ``Accept`` header (406 when nothing offered is
  acceptable). Updates are refused with 403 and ``default-graph-uri`` /
  ``named-graph-uri`` with 400: the default graph is always the union of all
  graphs. A malformed query answers 400 with the parser's message.
- ``/``: the query page (saved queries, a form, the result as an HTML table).
- ``/maps/``: the files of the maps folder (nothing outside it).

Limits: a query running longer than ``timeout`` seconds answers 503 at once;
its worker thread stops at the next solution it produces, but a step that
computes everything before the first solution (ORDER BY, GROUP BY, COUNT,
a big join) runs to its end in the background (pyoxigraph cannot cancel it).
Queries run on a pool of ``workers`` threads (pyoxigraph releases the GIL):
while every worker is busy with such queries, new ones wait and may time
out too, but the server keeps answering. At
most ``max_results`` rows (or triples) are sent: a longer result is
truncated, and the response says so in the ``X-KG-Truncated: true`` header
(and ``X-KG-Result-Cap``); the query page says so too.

An embedded store is reopened when its ``CURRENT`` version changes, so a
rebuild while serving is seen by the next request.

>>> app = create_app("kg-store")          # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg.remote import query_form
from kg.store import EmbeddedStore, KGStore, QueryError, StoreError, open_store

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_MAPS = "out"
MAX_BODY = 1_000_000  # bytes of a POSTed query

RESULT_FORMATS = {  # SELECT and ASK
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {  # CONSTRUCT and DESCRIBE
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
}
_UPDATE_WORDS = ("insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with")


# ---------------------------------------------------------------- evaluation


@dataclass
class Answer:
    """A query's result, cut at the cap: SELECT rows as terms, an ASK boolean, or triples."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False


def evaluate(store: KGStore, sparql: str, cap: int, cancelled: threading.Event) -> Answer:
    """Run ``sparql`` on ``store``, keeping at most ``cap`` rows; stop early when ``cancelled`` is set."""
    if not isinstance(store, EmbeddedStore):
        result = store.query(sparql)  # a remote endpoint: its own limits apply, then ours
        return Answer(result.kind, result.variables, result.terms[:cap], result.boolean, result.triples[:cap],
                      truncated=len(result.terms) > cap or len(result.triples) > cap)
    try:
        return _evaluate_embedded(store, sparql, cap, cancelled)
    except _Cancelled:
        failure: Exception = _Cancelled()
    except (SyntaxError, OSError, ValueError, RuntimeError) as error:
        failure = QueryError(str(error))
    # Raised only now, when the frames holding pyoxigraph results are gone: those objects
    # may only be dropped on the thread that made them, not wherever the traceback ends up.
    raise failure


def _evaluate_embedded(store: EmbeddedStore, sparql: str, cap: int, cancelled: threading.Event) -> Answer:
    result = store.ox.query(sparql, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows, truncated = _take((tuple(s[v] for v in variables) for s in result), cap, cancelled)
        return Answer("select", variables, rows, truncated=truncated)
    triples, truncated = _take(result, cap, cancelled)
    return Answer("graph", triples=triples, truncated=truncated)


class _Cancelled(Exception):
    pass


def _take(items: Iterator[Any], cap: int, cancelled: threading.Event) -> tuple[list, bool]:
    taken = []
    for item in items:
        if cancelled.is_set():
            raise _Cancelled()
        if len(taken) >= cap:
            return taken, True
        taken.append(item)
    return taken, False


# ---------------------------------------------------------------- serialization


def results_json(answer: Answer) -> bytes:
    """SPARQL 1.1 Query Results JSON of a SELECT or ASK answer."""
    if answer.kind == "ask":
        return json.dumps({"head": {}, "boolean": answer.boolean}).encode()
    bindings = []
    for row in answer.rows:
        binding = {}
        for name, term in zip(answer.variables, row):
            if term is not None:
                binding[name] = _json_term(term)
        bindings.append(binding)
    return json.dumps({"head": {"vars": answer.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")


def _json_term(term: Any) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            value["datatype"] = term.datatype.value
        return value
    return {"type": "triple", "value": {k: _json_term(getattr(term, k)) for k in ("subject", "predicate", "object")}}


def serialize(answer: Answer, media: str) -> bytes:
    """The answer in the chosen media type (one of RESULT_FORMATS or RDF_FORMATS)."""
    if answer.kind == "graph":
        return ox.serialize(answer.triples, format=RDF_FORMATS[media])
    data = results_json(answer)
    fmt = RESULT_FORMATS[media]
    if fmt == ox.QueryResultsFormat.JSON:
        return data
    # pyoxigraph writes the other formats from parsed results (the cut was made on our JSON).
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)


def negotiate(accept: str | None, offers: dict[str, Any], default: str) -> str | None:
    """The offered media type the ``Accept`` header prefers, ``default`` for ``*/*``, or None.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_FORMATS, "application/sparql-results+json")
    'application/sparql-results+xml'
    >>> negotiate("image/png", RDF_FORMATS, "text/turtle") is None
    True
    """
    if not accept or not accept.strip():
        return default
    choices = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0:
            continue
        if media in offers:
            found = media
        elif media in ("*/*", "*"):
            found = default
        elif media.endswith("/*"):
            found = default if default.startswith(media[:-1]) else next(
                (m for m in offers if m.startswith(media[:-1])), None)
        else:
            found = None
        if found is not None:
            specific = 0 if "*" in media else 1
            choices.append((-quality, -specific, position, found))
    return min(choices)[3] if choices else None


# ---------------------------------------------------------------- the app


class _StoreHolder:
    """The store, reopened when the embedded store's CURRENT version changes."""

    def __init__(self, location: str):
        self.location = location
        self._lock = threading.Lock()
        self._store = open_store(location)
        self._version = self._current()

    def _current(self) -> str | None:
        return self._store.current_version() if isinstance(self._store, EmbeddedStore) else None

    def get(self) -> KGStore:
        if isinstance(self._store, EmbeddedStore):
            with self._lock:
                version = self._store.current_version()
                if version != self._version:
                    self._store = open_store(self.location)  # the old one stays valid for running queries
                    self._version = version
        return self._store


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status, headers={"X-Content-Type-Options": "nosniff"})


def _looks_like_update(sparql: str) -> bool:
    """True when the first keyword after the prologue is an update operation (INSERT, DROP, LOAD, …).

    >>> _looks_like_update("select * where { ?s ?p ?o }")
    False
    """
    return query_form(sparql) in _UPDATE_WORDS


def create_app(location: str, *, timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS,
               maps: str | Path = DEFAULT_MAPS, workers: int = 8) -> Starlette:
    """The Starlette application serving the store at ``location`` (see the module docstring)."""
    holder = _StoreHolder(location)
    first = holder.get()
    if isinstance(first, EmbeddedStore):
        first.ox  # noqa: B018 - fail at start, not at the first request, when there is no graph
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-query")
    page = _page_renderer()

    async def run(sparql: str) -> Answer:
        cancelled = threading.Event()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(pool, evaluate, holder.get(), sparql, max_results, cancelled)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            cancelled.set()
            future.add_done_callback(lambda f: f.cancelled() or f.exception())  # the late outcome is dropped, not logged
            raise

    async def read_query(request: Request) -> tuple[str | None, Response | None]:
        """The query text of a protocol request, or the error response."""
        params = request.query_params
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return None, _error(400, "default-graph-uri and named-graph-uri are not supported: "
                                     "the default graph is the union of all graphs")
        if request.method == "GET":
            if "update" in params:
                return None, _error(403, "this endpoint is read-only: SPARQL Update is refused")
            return params.get("query"), None
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        declared = request.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return None, _error(413, f"the request body is larger than {MAX_BODY} bytes")
        body = await request.body()
        if len(body) > MAX_BODY:
            return None, _error(413, f"the request body is larger than {MAX_BODY} bytes")
        if media == "application/sparql-update":
            return None, _error(403, "this endpoint is read-only: SPARQL Update is refused")
        if media == "application/sparql-query":
            return body.decode("utf-8", errors="replace"), None
        if media == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in form:
                return None, _error(403, "this endpoint is read-only: SPARQL Update is refused")
            if "default-graph-uri" in form or "named-graph-uri" in form:
                return None, _error(400, "default-graph-uri and named-graph-uri are not supported: "
                                         "the default graph is the union of all graphs")
            return (form.get("query") or [None])[0], None
        return None, _error(415, "send the query as application/sparql-query or application/x-www-form-urlencoded")

    async def execute(sparql: str) -> tuple[Answer | None, Response | None]:
        if _looks_like_update(sparql):
            return None, _error(403, "this endpoint is read-only: SPARQL Update is refused")
        try:
            return await run(sparql), None
        except (asyncio.TimeoutError, TimeoutError):
            return None, _error(503, f"the query ran longer than the time limit of {timeout:g} s and was stopped "
                                     "(its evaluation may finish in the background)")
        except QueryError as error:
            return None, _error(400, f"malformed or failed query: {error}")
        except StoreError as error:
            return None, _error(500, str(error))

    async def sparql_endpoint(request: Request) -> Response:
        sparql, refusal = await read_query(request)
        if refusal is not None:
            return refusal
        if not sparql or not sparql.strip():
            return _error(400, "no query given: send query=… (GET or form) or an application/sparql-query body")
        answer, refusal = await execute(sparql)
        if refusal is not None:
            return refusal
        accept = request.headers.get("accept")
        if answer.kind == "graph":
            media = negotiate(accept, RDF_FORMATS, "text/turtle")
        else:
            media = negotiate(accept, RESULT_FORMATS, "application/sparql-results+json")
        if media is None:
            offers = RDF_FORMATS if answer.kind == "graph" else RESULT_FORMATS
            return _error(406, "no acceptable format; this query answers in: " + ", ".join(offers))
        headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff"}
        if answer.truncated:
            headers.update({"X-KG-Truncated": "true", "X-KG-Result-Cap": str(max_results)})
        charset = "" if media.endswith("json") else "; charset=utf-8"
        return Response(serialize(answer, media), media_type=media + charset, headers=headers)

    async def query_page(request: Request) -> HTMLResponse:
        from kg.query import bind, saved_queries

        saved = saved_queries()
        params = request.query_params
        text = params.get("query") or ""
        chosen = params.get("saved")
        if chosen in saved and not text:
            text = saved[chosen].text
        context: dict[str, Any] = {"saved": list(saved.values()), "query": text, "chosen": chosen,
                                   "timeout": timeout, "max_results": max_results}
        if text.strip() and "run" in params:
            values = {k[6:]: v for k, v in params.items() if k.startswith("param.") and v.strip()}
            try:
                text = bind(text, values)
            except ValueError as error:
                context["error"] = str(error)
            else:
                started = time.perf_counter()
                answer, refusal = await execute(text)
                context["seconds"] = round(time.perf_counter() - started, 3)
                if refusal is not None:
                    context["error"] = bytes(refusal.body).decode("utf-8").strip()
                else:
                    context["answer"] = _table(answer)
        status = 400 if "error" in context else 200
        return HTMLResponse(page(context), status_code=status)

    maps_dir = Path(maps)
    routes = [
        Route("/", query_page, methods=["GET"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Mount("/maps", app=StaticFiles(directory=str(maps_dir), html=True, check_dir=False), name="maps"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        pool.shutdown(wait=False, cancel_futures=True)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.holder = holder
    return app


def _table(answer: Answer) -> dict[str, Any]:
    """Plain strings for the page's table (the template escapes them)."""
    if answer.kind == "ask":
        return {"columns": ["boolean"], "rows": [["true" if answer.boolean else "false"]], "truncated": False}
    if answer.kind == "graph":
        rows = [[str(t.subject), str(t.predicate), str(t.object)] for t in answer.triples]
        return {"columns": ["subject", "predicate", "object"], "rows": rows, "truncated": answer.truncated}
    rows = [["" if term is None else (term.value if not isinstance(term, ox.Triple) else str(term)) for term in row]
            for row in answer.rows]
    return {"columns": answer.variables, "rows": rows, "truncated": answer.truncated}


def _page_renderer():
    from jinja2 import Environment, FileSystemLoader

    from kg.resources import viz_dir

    environment = Environment(loader=FileSystemLoader(str(viz_dir())), autoescape=True)
    template = environment.get_template("query.html")
    return template.render


def serve(location: str, *, host: str = "127.0.0.1", port: int = 8000, timeout: float = DEFAULT_TIMEOUT,
          max_results: int = DEFAULT_MAX_RESULTS, maps: str | Path = DEFAULT_MAPS, log_level: str = "info") -> None:
    """Run the server until interrupted (uvicorn)."""
    import uvicorn

    app = create_app(location, timeout=timeout, max_results=max_results, maps=maps)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def background_server(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Run ``app`` on uvicorn in a daemon thread; yields its base URL (for tests and benchmarks).

    >>> with background_server(create_app("kg-store")) as url:   # doctest: +SKIP
    ...     httpx.get(url + "/sparql", params={"query": "ASK {}"}).json()
    {'head': {}, 'boolean': True}
    """
    import uvicorn

    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True, name="kg-serve")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
