"""Where the graph lives: an embedded Oxigraph folder with atomic versions.

Layout of a store folder::

    kg-store/
      CURRENT            name of the active version ("v000007")
      LOCK               held (fcntl) by the one process that writes
      versions/v000007/  an Oxigraph (RocksDB) database
      versions/v000007.json  what the build that made it recorded
      cache/             per-article extraction cache

Every write (build, import, metrics) makes a new version — a fresh database or
a cheap hard-link backup of the current one — and only then replaces
``CURRENT`` with ``os.replace``. A build that fails or is killed leaves
``CURRENT`` pointing at the previous, untouched version, and readers see either
the old graph or the new one, never half of each.

A copy that is written to gains small unsorted table files, and every index
lookup then has to look into each of them: after six incremental rebuilds of
the 10,000-article benchmark store the saved queries took 1.6–2.8 × as long as
on a fresh build. So every ``COMPACT_EVERY``-th written copy is compacted
(RocksDB's full compaction, ``Store.optimize``) before it becomes current; the
version record counts the writes since (``writes_since_compaction``). A new
database is compacted too: the chunks a build loads side by side leave table
files that overlap, and the saved queries took 1.3–1.9 × as long on a fresh
10,000-article build as after its compaction (0.3–0.8 s).

>>> store = open_store("kg-store")                         # doctest: +SKIP
>>> store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows  # doctest: +SKIP
[{'n': 5120}]
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

# `kg query` imports this module at every start: typing (3 ms of CPU) and dataclasses (10 ms: it
# imports inspect) are left out, threading is imported when a time limit asks for it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ID = "https://w3id.org/lianjian/id/"
ONTOLOGY_GRAPH = ID + "graph/ontology"
METRICS_GRAPH = ID + "graph/metrics"
IMPORT_GRAPH = ID + "graph/import/"  # + file name: what `kg import` loaded, kept by rebuilds
DEFAULT_LOCATION = "kg-store"
COMPACT_EVERY = 3  # written copies between compactions (0.2–0.8 s each on the 10,000-article store)

_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#integer": int,
    "http://www.w3.org/2001/XMLSchema#int": int,
    "http://www.w3.org/2001/XMLSchema#long": int,
    "http://www.w3.org/2001/XMLSchema#nonNegativeInteger": int,
    "http://www.w3.org/2001/XMLSchema#decimal": float,
    "http://www.w3.org/2001/XMLSchema#double": float,
    "http://www.w3.org/2001/XMLSchema#float": float,
}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class StoreError(Exception):
    """The store cannot be opened or written."""


class StoreLocked(StoreError):
    """Another process is writing the store."""


class QueryError(StoreError):
    """The query is malformed or failed; the message is the parser's."""


class QueryTimeout(QueryError):
    """The query ran longer than its time limit."""


def resolve_location(location: str | os.PathLike[str] | None) -> str:
    """The store location: the argument, else ``$KG_STORE``, else ``./kg-store``."""
    return str(location or os.environ.get("KG_STORE") or DEFAULT_LOCATION)


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def term_value(term: Any) -> Any:
    """A pyoxigraph term as plain Python data: IRIs and strings as ``str``, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        if term.language is not None:  # most values are labels: no datatype to look at
            return term.value
        datatype = term.datatype.value
        if datatype in _NUMERIC:
            try:
                return _NUMERIC[datatype](term.value)
            except ValueError:
                return term.value
        if datatype == _BOOLEAN:
            return term.value == "true"
        return term.value
    if isinstance(term, ox.Triple):
        return f"<< {term.subject} {term.predicate} {term.object} >>"
    return term.value


class QueryResult:
    """What a query gave: ``rows`` for SELECT, ``boolean`` for ASK, ``triples`` for CONSTRUCT/DESCRIBE.

    A plain class with a dataclass's constructor, equality and repr (see the imports above).

    >>> QueryResult("ask", boolean=True)
    QueryResult(kind='ask', variables=[], rows=[], terms=[], boolean=True, triples=[])
    """

    _FIELDS = ("kind", "variables", "rows", "terms", "boolean", "triples")

    def __init__(self, kind: str, variables: list[str] | None = None, rows: list[dict[str, Any]] | None = None,
                 terms: list[tuple] | None = None, boolean: bool | None = None, triples: list[ox.Triple] | None = None):
        self.kind = kind  # "select" | "ask" | "graph"
        self.variables = [] if variables is None else variables
        self.rows = [] if rows is None else rows
        self.terms = [] if terms is None else terms  # SELECT rows as pyoxigraph terms
        self.boolean = boolean
        self.triples = [] if triples is None else triples

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq

    def __repr__(self) -> str:
        return f"QueryResult({', '.join(f'{name}={getattr(self, name)!r}' for name in self._FIELDS)})"




def _materialize(result: Any) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    # The collector toggled inline (kg.gcpause.no_cycle_collection's job): a context manager cost
    # a microsecond, a hundredth of a query that finds nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            # A solution iterates over its values in the order of the variables; looking
            # each value up by name took a third of the time of large results.
            terms = [tuple(solution) for solution in result]
            rows = [dict(zip(variables, map(term_value, t))) for t in terms]
            return QueryResult("select", variables, rows, terms)
        return QueryResult("graph", triples=list(result))
    finally:
        if collecting:
            gc.enable()


# Lock files this process holds, with how many nested holders (see EmbeddedStore.lock).
_HELD: dict[str, int] = {}


class KGStore:
    """The graph, wherever it lives. Subclasses: :class:`EmbeddedStore` (and a remote endpoint)."""

    location: str

    def query(self, sparql: str, timeout: float | None = None) -> QueryResult:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> KGStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EmbeddedStore(KGStore):
    """An on-disk Oxigraph store folder with versions (see the module docstring)."""

    def __init__(self, location: str | os.PathLike[str]):
        self.root = Path(location)
        self.location = str(self.root)
        self._ox: ox.Store | None = None

    # -- layout -------------------------------------------------------------
    @property
    def versions_dir(self) -> Path:
        return self.root / "versions"

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    @property
    def lock_path(self) -> Path:
        return self.root / "LOCK"

    def current_version(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def current_path(self) -> Path | None:
        version = self.current_version()
        return self.versions_dir / version if version else None

    def exists(self) -> bool:
        path = self.current_path()
        return path is not None and path.is_dir()

    def build_record(self) -> dict[str, Any]:
        """What the build that made the current version recorded (summary, sources, …)."""
        version = self.current_version()
        if version is None:
            return {}
        path = self.versions_dir / f"{version}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    # -- reading ------------------------------------------------------------
    @property
    def ox(self) -> ox.Store:
        """The current version, opened read-only (a writer never touches it)."""
        if self._ox is None:
            path = self.current_path()
            if path is None or not path.is_dir():
                raise StoreError(f"no graph in {self.root}: build one first with `kg build PATHS --store {self.root}`")
            try:
                self._ox = ox.Store.read_only(str(path))
            except OSError as error:
                raise StoreError(f"cannot open the store {path}: {error}") from error
        return self._ox

    def query(self, sparql: str, timeout: float | None = None) -> QueryResult:
        """Run a SPARQL query over the union of all graphs.

        With ``timeout`` (seconds) the query runs in a worker thread and
        :class:`QueryTimeout` is raised when it is exceeded (the evaluation
        cannot be cancelled: a command-line caller should exit).
        """
        if timeout is None:
            return self._run(sparql)
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["result"] = self._run(sparql)
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = error

        import threading

        worker = threading.Thread(target=target, daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryTimeout(f"query stopped after the time limit of {timeout:g} s")
        if "error" in box:
            raise box["error"]
        return box["result"]

    def _run(self, sparql: str) -> QueryResult:
        try:
            return _materialize(self.ox.query(sparql, use_default_graph_as_union=True))
        except (SyntaxError, OSError, ValueError, RuntimeError) as error:
            raise QueryError(str(error)) from error

    def graph(self):
        """The current graph as an rdflib ``Dataset`` (through oxrdflib), read-only."""
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        return Dataset(store=OxigraphStore(store=self.ox), default_union=True)

    def dump(self, output: Any, fmt: ox.RdfFormat, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        """Serialize the data (default graph, or one named graph) without loading it into Python."""
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        self.ox.dump(output, format=fmt, from_graph=target, prefixes=prefixes)

    def resolved_path(self) -> Path | None:
        """The resolved organizations and links the current version was made from (JSON)."""
        version = self.current_version()
        path = self.versions_dir / f"{version}.resolved.json" if version else None
        return path if path is not None and path.exists() else None

    def replace_graph(self, graph: str, lines: Iterable[str], *, wait: bool = False) -> None:
        """Replace one named graph in a new version (the rest of the graph is carried over)."""
        with self.new_version(copy_current=True, wait=wait) as transaction:
            transaction.replace_graph(graph, lines)

    def load_files(self, paths: Iterable[str | os.PathLike[str]], *, graph: str | None = None, wait: bool = False) -> None:
        """Add RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) to the graph, in a new version.

        Each file goes to its own named graph (``…/graph/import/FILE-NAME``), which
        later builds keep, unless ``graph`` names one. Queries see every graph.
        The ontology is loaded too when the store lacks it: saved queries read the
        type scheme and relation keys from it.
        """
        from kg.rdf import segment
        from kg.resources import ontology_file

        with self.new_version(copy_current=True, wait=wait) as transaction:
            for path in paths:
                transaction.load_file(path, graph=graph or IMPORT_GRAPH + segment(Path(path).name))
            ontology = ox.NamedNode(ONTOLOGY_GRAPH)
            if next(iter(transaction.ox.quads_for_pattern(None, None, None, ontology)), None) is None:
                transaction.load_file(ontology_file(), graph=ONTOLOGY_GRAPH)

    def close(self) -> None:
        self._ox = None

    # -- writing ------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, wait: bool = False) -> Iterator[None]:
        """Hold the writer lock; refuse at once (or wait) when another process holds it.

        Re-entrant within a process, so a build can hold it from its first read
        to its last write while the version it writes takes it again.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(self.lock_path)
        if _HELD.get(key):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        handle = open(self.lock_path, "a+", encoding="utf-8")
        try:
            flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
            try:
                fcntl.flock(handle, flags)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise StoreLocked(
                    f"the store {self.root} is being written by {holder} (lock file {self.lock_path}); "
                    "wait for it to finish, or pass --wait"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            handle.flush()
            _HELD[key] = 1
            try:
                yield
            finally:
                _HELD.pop(key, None)
        finally:
            with contextlib.suppress(OSError):
                handle.truncate(0)
            handle.close()

    @contextlib.contextmanager
    def new_version(self, *, copy_current: bool = False, wait: bool = False, rewritten: tuple[str, ...] = (),
                    linked: tuple[str, ...] = ()) -> Iterator[Transaction]:
        """Write a new version; it becomes current only if the block ends without error.

        With ``copy_current`` the current version's side files come along:
        copied, except those whose suffix (".resolved.json") is in
        ``rewritten`` (the caller writes them anew) and hard-linked for those
        in ``linked`` (the caller replaces them, never writes into them: the
        previous version shares their bytes).
        """
        import shutil  # imports the compression modules: writers only, not `kg query`

        with self.lock(wait=wait):
            self._collect_garbage()  # before the write, not after it: a build's copy runs in a thread (kg.build)
            self.versions_dir.mkdir(parents=True, exist_ok=True)
            name = self._next_version_name()
            path = self.versions_dir / name
            base = self.current_path()
            record: dict[str, Any] = {}
            if copy_current and base is not None and base.is_dir():
                source = ox.Store.read_only(str(base))
                source.backup(str(path))
                del source
                # The build's record and side files (resolved graph, …) describe the copy too; `kg review` reads them.
                record = self.build_record()
                for side_file in self.versions_dir.glob(f"{base.name}.*"):
                    suffix = side_file.name[len(base.name):]
                    if suffix == ".json" or suffix in rewritten:
                        continue
                    copy = self.versions_dir / (name + suffix)
                    copy.unlink(missing_ok=True)  # never write through a link into the previous version's file
                    if suffix in linked:
                        try:
                            os.link(side_file, copy)
                            continue
                        except OSError:  # a file system without hard links: copy
                            pass
                    shutil.copyfile(side_file, copy)
            transaction = Transaction(self, name, ox.Store(str(path)))
            if copy_current and base is not None and base.is_dir():
                transaction.writes_since_compaction = int(record.get("writes_since_compaction", 0)) + 1
            transaction.record = record
            try:
                yield transaction
                transaction.finish()
            except BaseException:
                transaction.discard()
                raise
            self._set_current(name)
            self._ox = None

    def _next_version_name(self) -> str:
        numbers = [int(p.name[1:]) for p in self.versions_dir.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
        return f"v{max(numbers, default=0) + 1:06d}"

    def _set_current(self, name: str) -> None:
        temporary = self.root / "CURRENT.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / "CURRENT")
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _collect_garbage(self) -> None:
        """Remove every version but the current one, as a write begins.

        After a write the version it replaced stays until the next write
        begins: a reader that opened it just before the switch still has it.
        """
        import shutil

        # Scratch folders of builds killed while loading (kg.build); the lock is held, so none is in use.
        for scratch in self.root.glob("kg-load-*"):
            shutil.rmtree(scratch, ignore_errors=True)
        if not self.versions_dir.is_dir():
            return
        current = self.current_version()
        for path in self.versions_dir.iterdir():
            if path.is_dir() and path.name != current:
                _remove_version(path)


class Transaction:
    """A version being written. Load data with :meth:`load_file`, :meth:`add_lines`, :meth:`update`."""

    def __init__(self, store: EmbeddedStore, name: str, ox_store: ox.Store):
        self.store = store
        self.name = name
        self.path = store.versions_dir / name
        self.ox = ox_store
        self.record: dict[str, Any] = {}
        self.writes_since_compaction = 0  # a new database; a copy counts the writes since its last compaction

    def load_file(self, path: str | os.PathLike[str], *, graph: str | None = None, fmt: ox.RdfFormat | None = None,
                  trusted: bool = False) -> None:
        """Bulk-load an RDF file (format from its extension unless given), streaming from disk.

        ``trusted``: the file was written by kg.rdf (IRIs already checked), so
        Oxigraph skips validating them (about a tenth of the load's CPU; the
        same quads). Never for files from elsewhere.
        """
        fmt = fmt or rdf_format(path)
        target = ox.NamedNode(graph) if graph else None
        try:
            self.ox.bulk_load(path=str(path), format=fmt, to_graph=target, lenient=trusted)
        except SyntaxError as error:
            raise StoreError(f"{path}: not valid {fmt.name}: {error}") from error

    def add_lines(self, lines: Iterable[str], *, graph: str | None = None) -> None:
        """Bulk-load N-Triples lines."""
        data = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        if data:
            target = ox.NamedNode(graph) if graph else None
            self.ox.bulk_load(data.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=target)

    def replace_graph(self, graph: str, lines: Iterable[str]) -> None:
        """Replace one named graph's content (used for analysis results)."""
        self.ox.clear_graph(ox.NamedNode(graph))
        self.add_lines(lines, graph=graph)

    def update(self, sparql_update: str) -> None:
        self.ox.update(sparql_update)

    def finish(self) -> None:
        self.ox.flush()
        if self.writes_since_compaction == 0 or self.writes_since_compaction >= COMPACT_EVERY:
            self.compact()
            self.writes_since_compaction = 0
        self.ox = None  # closes the database before it becomes current
        self.record["writes_since_compaction"] = self.writes_since_compaction
        (self.store.versions_dir / f"{self.name}.json").write_text(
            json.dumps(self.record, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )

    def compact(self) -> None:
        """RocksDB's full compaction: one sorted run of table files (see the module docstring)."""
        self.ox.optimize()

    def discard(self) -> None:
        self.ox = None
        _remove_version(self.path)


def _remove_version(path: Path) -> None:
    """Delete a version's database and its side files (``v000007.json``, ``v000007.resolved.json``)."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    for side_file in path.parent.glob(f"{path.name}.*"):
        side_file.unlink(missing_ok=True)


_EXTENSIONS = {"jsonld": "jsonld", "json": "jsonld", "ttl": "ttl", "nt": "nt", "nq": "nq", "trig": "trig", "rdf": "rdf", "owl": "rdf", "xml": "rdf", "n3": "n3"}


def rdf_format(path: str | os.PathLike[str]) -> ox.RdfFormat:
    """The RDF format of a file, from its extension."""
    extension = Path(path).suffix.lower().lstrip(".")
    fmt = ox.RdfFormat.from_extension(_EXTENSIONS.get(extension, extension))
    if fmt is None:
        raise StoreError(f"{path}: unknown RDF file extension .{extension} (use .ttl, .nt, .nq, .trig, .jsonld or .rdf)")
    return fmt


def open_store(location: str | os.PathLike[str] | None = None) -> KGStore:
    """Open the store at a folder (embedded) or a SPARQL endpoint URL.

    >>> store = open_store("kg-store")  # doctest: +SKIP
    """
    where = resolve_location(location)
    if is_remote(where):
        from kg.remote import RemoteStore

        return RemoteStore(where)
    return EmbeddedStore(where)
