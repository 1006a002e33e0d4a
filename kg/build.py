"""The build: files → articles → extractions → organizations and links → triples → a new store version.

>>> summary = build(["data/corpus"], "kg-store")          # doctest: +SKIP
>>> summary.organizations_by_type["BorderInspection"]     # doctest: +SKIP
12

Fast at scale:

- extraction runs on all cores (``jobs``) or on a Dask cluster (``scheduler``);
  workers return each article's metadata and extraction, never its text;
- an article whose bytes were extracted before (same content hash, same
  pipeline version, see kg.cache) is not decoded, cleaned nor extracted again;
- a rebuild without curation decisions resolves again only what the changed
  articles reach (kg.delta, from the state the previous build saved); else
  resolution runs over all articles (one organization, one node). Either way
  only the organizations, links, articles and places that changed are
  rewritten in a cheap copy of the current version; a first build, a large
  change, a graph changed since its build, or ``full`` loads everything with
  Oxigraph's bulk loader from a streamed N-Triples file. All ways give the
  same graph (``BuildSummary.resolution`` and ``load`` say which ran).
"""

from __future__ import annotations

import hashlib
import io
import json
import marshal
import mmap
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.model import Article, Resolved, Skipped
from kg.progress import bar as progress_bar
from kg.store import IMPORT_GRAPH, ONTOLOGY_GRAPH, EmbeddedStore, Transaction, open_store

# Exit codes of `kg build` (documented in the README).
EXIT_ALL_READ = 0
EXIT_FAILED = 1
EXIT_SOME_SKIPPED = 3

# Above this share of changed nodes, reloading everything is faster than editing a copy.
INCREMENTAL_LIMIT = 0.25
# Above this many added and removed articles (a share of the corpus, at least DELTA_MIN), the whole
# resolution runs instead of kg.delta's (both give the same result; the delta is faster for few changes).
DELTA_LIMIT = 0.05
DELTA_MIN = 50
# Fewer articles to extract than this are extracted in this process: starting workers (a fork, then
# waiting for each) costs more than a few dozen articles of about a millisecond each.
SERIAL_BELOW = 64
# Lines per bulk-loaded chunk at most (the loading progress bar advances by chunks); a smaller graph is cut in
# 2 chunks a loader at least (a graph of 88,000 lines in one chunk kept one loader and one core idle). A load
# holds about 0.8-0.9 KB a line of its chunk until it ends: chunks of 200,000 lines were 300 MB of a build's peak.
LOAD_CHUNK = 50_000
MIN_LOAD_CHUNK = 5_000
LOADERS = 2  # concurrent bulk loads of a full build (see _load_full)


@dataclass
class BuildSummary:
    store: str
    version: str | None = None
    articles_read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, same bytes as path)
    extracted: int = 0  # articles extracted in this build (the rest came from the cache)
    organizations_by_type: dict[str, int] = field(default_factory=dict)
    links_by_type: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    report: list[str] = field(default_factory=list)  # curation decisions that no longer apply, …
    seconds: float = 0.0
    load: str = "full"  # "full" (bulk load into a new database), "incremental" (changes applied to a copy) or
    # "none" (nothing changed: the current version stays, no new one is written)
    resolution: str = "full"  # "full" (every article) or "delta" (only what changed articles reach, kg.delta)
    changed: int = 0  # nodes (organizations, links, articles, places, decisions) rewritten by this build
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, what was repaired while reading)

    @property
    def exit_code(self) -> int:
        return EXIT_SOME_SKIPPED if self.skipped else EXIT_ALL_READ

    def to_dict(self) -> dict:
        data = asdict(self)
        data["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        data["warnings"] = [{"path": p, "warning": w} for p, w in self.warnings]
        data["duplicates"] = [{"path": p, "same_as": q} for p, q in self.duplicates]
        data["exit_code"] = self.exit_code
        return data


@contextmanager
def _step(summary: BuildSummary, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        summary.timings[name] = round(summary.timings.get(name, 0.0) + time.perf_counter() - started, 3)


# ---------------------------------------------------------------- reading and extracting


@dataclass
class _Processed:
    """What a worker returns for one file: the article without its text, and its extraction."""

    article: Article | None = None
    extraction: dict | None = None
    skipped: Skipped | None = None
    from_cache: bool = False
    chars: int = 0  # characters of cleaned text (the text itself stays in the worker)


_META_FIELDS = ("title", "date", "source", "encoding", "warnings")


def is_html_path(path: str | os.PathLike[str]) -> bool:
    """Whether ingest reads the file as HTML whatever it holds (part of the cache key)."""
    from kg.filetype import HTML_SUFFIXES

    return Path(path).suffix.lower() in HTML_SUFFIXES


def process_file(path: str, max_bytes: int | None = 50_000_000) -> _Processed:
    """Read and extract one file: a pure function of the file's bytes and name (runs in a worker).

    The cleaned text is dropped before returning: resolution needs the
    title and metadata, not the text, so the corpus never travels back.

    >>> process_file("data/corpus/01_tongling-kouan-dangjianquan.txt").article.text  # doctest: +SKIP
    ''
    """
    from kg.extract import extract
    from kg.ingest import SkipFile, read_article

    try:
        article = read_article(path, max_bytes=max_bytes)
    except SkipFile as skip:
        return _Processed(skipped=Skipped(str(path), str(skip)))
    except OSError as error:  # vanished or unreadable between the walk and the read
        return _Processed(skipped=Skipped(str(path), f"cannot read: {error.strerror or error}"))
    extraction = extract(article.text, article.file_name)
    chars = len(article.text)
    article.text = ""
    return _Processed(article, extraction, chars=chars)


def _run_local(paths: Sequence[str], jobs: int, max_bytes: int | None) -> Iterator[_Processed]:
    if jobs <= 1 or len(paths) < SERIAL_BELOW:
        for path in paths:
            yield process_file(path, max_bytes)
        return
    # Load the lexicon and the ingest rules once here: forked workers inherit them instead of each loading them.
    from kg.extract import extract
    from kg.boilerplate import load_rules

    extract("")
    load_rules()
    # Chunks of a few articles keep the workers busy without one straggling chunk at the end.
    chunk = max(1, min(32, len(paths) // (jobs * 8)))
    from concurrent.futures import ProcessPoolExecutor  # imported here: a small rebuild extracts in-process

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(process_file, paths, [max_bytes] * len(paths), chunksize=chunk)


def _run_dask(paths: Sequence[str], scheduler: Any, max_bytes: int | None) -> Iterator[_Processed]:
    """Submit process_file to a dask.distributed cluster (an address, or a Client)."""
    try:
        from dask.distributed import Client
    except ImportError as error:  # the `scale` extra
        raise RuntimeError("--scheduler needs dask.distributed: pip install 'lianjian-kg[scale]'") from error
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        batch = 1000  # bounded: results come back in order, a batch at a time
        for start in range(0, len(paths), batch):
            part = list(paths[start:start + batch])
            futures = client.map(process_file, part, max_bytes=max_bytes, pure=False)
            for future in futures:
                yield future.result()
    finally:
        if client is not scheduler:
            client.close()


def _extract_pending(paths: Sequence[str], jobs: int, max_bytes: int | None, scheduler: Any) -> Iterator[_Processed]:
    if scheduler is not None:
        return _run_dask(paths, scheduler, max_bytes)
    return _run_local(paths, jobs, max_bytes)


def _from_cache(path: str, sha256: str, hit: tuple[dict, dict]) -> _Processed:
    meta, extraction = hit
    name = Path(path).name
    fields = {key: meta.get(key) for key in _META_FIELDS}
    fields["warnings"] = list(fields["warnings"] or [])
    article = Article(path=str(path), file_name=name, sha256=sha256, text="", **fields)
    return _Processed(article, {**extraction, "doc": name}, from_cache=True, chars=int(meta.get("chars", 0)))


def fill(docs: list[tuple[Article, dict | None]], cache_dir: str | os.PathLike[str],
         max_bytes: int | None = 50_000_000) -> list[tuple[Article, dict]]:
    """``docs`` with the metadata and extraction of the bare articles of ``collect(reuse=…)`` filled in."""
    from kg.cache import ExtractionCache

    missing = [i for i, (_, extraction) in enumerate(docs) if extraction is None]
    if not missing:
        return docs
    docs = list(docs)
    with ExtractionCache(cache_dir) as cache:
        hits = cache.get_many([(docs[i][0].sha256, is_html_path(docs[i][0].path)) for i in missing])
        for i, hit in zip(missing, hits):
            article = docs[i][0]
            result = _from_cache(article.path, article.sha256, hit) if hit is not None \
                else process_file(article.path, max_bytes)  # an entry gone from the cache: read it again
            if result.article is None:
                raise RuntimeError(f"{article.path}: could not be read again")
            docs[i] = (result.article, result.extraction)
    return docs


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _content_hash(path: str, info: os.stat_result | None, cache: Any, max_bytes: int | None) -> str:
    """SHA-256 of the file's bytes; read again only when its size or modification time changed.

    ``info`` is the file's stat taken just before. Raises kg.ingest.SkipFile as reading does.
    """
    import stat

    fits = info is not None and stat.S_ISREG(info.st_mode) and 0 < info.st_size <= (max_bytes or info.st_size)
    if fits:
        known = cache.known_hash(path, info.st_size, info.st_mtime_ns)
        if known is not None:
            return known
    from kg.ingest import read_bytes  # imported only when a file must be read (its rules take a while to compile)

    data = read_bytes(Path(path), max_bytes=max_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    if fits and len(data) == info.st_size:
        cache.remember_hash(path, info.st_size, info.st_mtime_ns, sha256)
    return sha256


def collect(
    paths: Iterable[str | os.PathLike[str]],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    max_bytes: int | None = 50_000_000,
    progress: bool = False,
    summary: BuildSummary | None = None,
    full: bool = False,
    scheduler: Any = None,
    reuse: dict[str, tuple] | None = None,
    write_behind: bool = False,
) -> list[tuple[Article, dict]]:
    """Read and extract every article under ``paths``; skips and duplicates go to ``summary``.

    Articles come back without their text (``Article.text == ""``). With
    ``cache_dir`` an article whose bytes were extracted before is taken from
    the cache (``full`` ignores and refills it); ``scheduler`` (a Dask
    address or Client) extracts on a cluster instead of local processes.
    ``reuse`` (article id -> (path, file name, warnings), kg.delta's table of
    the previous build) names the articles the caller already knows: such a
    file, unchanged at the same path, comes back as a bare Article (no
    metadata) with ``None`` for its extraction, without a cache query
    (:func:`fill` completes them). ``write_behind`` lets a forked child write
    the extractions to the cache after this returns; :func:`kg.scan.reap`
    waits for it (kg.build.build calls it when the build ends).
    """
    from kg.scan import collect as scan_and_finish  # the walk, hashes, cache and extraction, in two phases

    return scan_and_finish(paths, cache_dir=cache_dir, jobs=jobs, max_bytes=max_bytes, progress=progress,
                           summary=summary, full=full, scheduler=scheduler, reuse=reuse, write_behind=write_behind)


# ---------------------------------------------------------------- the graph, node by node


def _nodes(resolved: Resolved) -> Iterator[tuple[tuple, Any]]:
    """Every node of the graph with its key, in the order of kg.rdf.triples."""
    for kind, table in (("article", resolved.articles), ("place", resolved.places),
                        ("decision", resolved.decisions), ("org", resolved.organizations), ("link", resolved.links)):
        for key in sorted(table):
            yield (kind, key), table[key]


def node_writer() -> Callable[[str, Any], Iterator[str]]:
    """A function giving the N-Triples lines of one node (kg.rdf writes them; the nodes share no triple)."""
    from functools import partial

    from kg import rdf
    from kg.vocabulary import relation_properties, symmetric_properties

    writers = {"article": rdf._article, "place": rdf._place, "decision": rdf._decision, "org": rdf._organization,
               "link": partial(rdf._link, properties=relation_properties(), symmetric=symmetric_properties())}
    return lambda kind, value: writers[kind](value)


def node_lines(kind: str, value: Any) -> list[str]:
    """The N-Triples lines of one node.

    >>> from kg.model import Place
    >>> node_lines("place", Place("340700", "铜陵市", "city", "340000"))[1].split(" ", 2)[1:]
    ['<http://www.w3.org/2004/02/skos/core#prefLabel>', '"铜陵市"@zh-Hans .\\n']
    """
    return list(node_writer()(kind, value))


def graph_signature() -> str:
    """Digest of what turns resolved nodes into triples: a change forces a full load."""
    from importlib.util import find_spec

    from kg.resources import ontology_file

    digest = hashlib.sha1()
    for module in ("kg.rdf", "kg.vocabulary", "kg.model", "kg.build"):
        spec = find_spec(module)
        digest.update(Path(spec.origin).read_bytes())
    digest.update(ontology_file().read_bytes())
    return digest.hexdigest()[:16]


def mention_code() -> str:
    """Digest of what turns an extraction into mentions and resolution state: saved ones made by other code are not used."""
    from importlib.util import find_spec

    from kg.cache import pipeline_version

    digest = hashlib.sha1(pipeline_version().encode())
    for module in ("kg.resolve", "kg.identity", "kg.places", "kg.names", "kg.model", "kg.curate", "kg.delta",
                   "kg.linefile"):
        digest.update(Path(find_spec(module).origin).read_bytes())
    for package in ("cpca", "opencc"):  # their tables decide places and simplified forms
        found = _installed_version(package)
        if found is not None:
            digest.update(f"{package} {found}".encode())
    return digest.hexdigest()[:16]


def _installed_version(package: str) -> str | None:
    """The installed version of ``package``, from the dist-info folder beside it when there is one.

    importlib.metadata gives the same answer, but importing it and searching
    every path for the two packages took 0.03 s of CPU (0.4 ms this way).
    """
    from importlib.util import find_spec

    spec = find_spec(package)
    if spec is None:
        return None
    found: list[str] = []
    if spec.submodule_search_locations:
        folder = os.path.dirname(next(iter(spec.submodule_search_locations)))
        prefix = f"{package}-"
        try:
            found = [name for name in os.listdir(folder) if name.startswith(prefix) and name.endswith(".dist-info")
                     and name[len(prefix):len(prefix) + 1].isdigit()]
        except OSError:
            pass
    if len(found) == 1:
        return found[0][len(prefix):-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


STATE_SUFFIX = ".state"  # beside versions/<name>: what its resolution leaves for the next build (marshal)
STATE_LOG_SUFFIX = ".state-log"  # the delta builds' patches to it since it was written (kg.delta.state_patch)
STATE_LOG_HEADER = b"kg state log 2\n"  # then sized records (see _log_patches)
# A log larger than this share of the state is folded into a new state file.
STATE_LOG_LIMIT = 0.25


def _load_state(target: EmbeddedStore, code: str) -> dict:
    """The current version's resolution state (kg.delta), when the same code made it; else empty.

    It always holds ``memo`` (each article's mentions); the delta tables
    only when that build had no curation decisions.
    """
    from kg.delta import apply_patch

    version = target.current_version()
    if version is None:
        return {}
    try:
        # Decoded from a mapping of the file: reading it into a bytes object first took a seventh longer.
        with open(target.versions_dir / f"{version}{STATE_SUFFIX}", "rb") as handle, \
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            data = marshal.loads(mapped)
        if isinstance(data, dict) and data.get("code") == code:
            for patch in _log_patches(target.versions_dir / f"{version}{STATE_LOG_SUFFIX}"):
                apply_patch(data, patch)
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError):  # damaged: resolve in full
        return {}
    if not isinstance(data, dict) or data.get("code") != code or not isinstance(data.get("memo"), dict):
        return {}
    return data


def _log_patches(log: Path) -> Iterator[dict]:
    """The patches of a state log, in the order the builds appended them.

    The log is :data:`STATE_LOG_HEADER`, then each patch as its size (8 bytes,
    little-endian) and its marshal bytes: decoded from the file's bytes, as
    ``marshal.load`` from a file calls the file once a string (4.5 ms a patch
    of 0.5 MB, against 0.5 ms). A log cut short raises EOFError. Logs written
    before (marshal records one after the other, or one list of patches)
    are still read.
    """
    try:
        data = log.read_bytes()
    except FileNotFoundError:
        return
    if data.startswith(STATE_LOG_HEADER):
        view, position = memoryview(data), len(STATE_LOG_HEADER)
        while position < len(data):
            size = int.from_bytes(view[position:position + 8], "little")
            end = position + 8 + size
            if not size or end > len(data):
                raise EOFError(f"{log}: a state log cut short")
            yield marshal.loads(view[position + 8:end])
            position = end
        return
    handle = io.BytesIO(data)
    while handle.tell() < len(data):
        record = marshal.load(handle)
        if isinstance(record, list):
            yield from record
        else:
            yield record


@dataclass
class _Change:
    remove: list[str]
    add: list[str]
    nodes: int  # nodes added, removed or changed
    total: int  # nodes in the new graph


_KINDS = {"articles": "article", "decisions": "decision", "links": "link", "organizations": "org",
          "places": "place"}


def _changes(old: dict[str, list[str]], new: dict[str, list[str]]) -> _Change:
    """The lines to remove and to add to turn the graph of ``old`` into the graph of ``new``.

    Both are kg.resolve.resolved_lines: one canonical JSON line a node, so
    a node changed exactly when its line did, and only those lines are read back.
    """
    from kg.resolve import SECTIONS, node_from_line

    removed: set[str] = set()
    added: set[str] = set()
    changed: set[tuple[str, Any]] = set()
    total = 0
    write = node_writer()
    for section in SECTIONS:
        before, after = set(old.get(section, ())), set(new.get(section, ()))
        total += len(after)
        for lines, into in ((before - after, removed), (after - before, added)):
            for line in lines:
                key, value = node_from_line(section, line)
                changed.add((section, key))
                into.update(write(_KINDS[section], value))
    return _Change(sorted(removed - added), sorted(added - removed), len(changed), total)


def _delta_change(changes: dict[str, dict[Any, str | None]], old_line: Callable[[str, Any], str | None],
                  total: int) -> _Change:
    """The triples to remove and add for the nodes a delta resolution rewrote (kg.delta)."""
    from kg.resolve import node_from_line

    removed: set[str] = set()
    added: set[str] = set()
    nodes = 0
    write = node_writer()
    for section, lines in changes.items():
        for key, line in lines.items():
            before = old_line(section, key)
            if before == line:
                continue
            nodes += 1
            values = [None if text is None else node_from_line(section, text)[1] for text in (before, line)]
            if section == "organizations" and None not in values:
                # One mentionedIn triple an article: those of the articles on both sides would cancel out
                # (a national body named in thousands of articles gains one).
                common = values[0].articles & values[1].articles
                for value in values:
                    value.articles -= common
            if section == "links" and None not in values:
                sides = _link_sides(values[0], values[1], write)
                if sides is not None:
                    removed.update(sides[0])
                    added.update(sides[1])
                    continue
            for value, into in zip(values, (removed, added)):
                if value is not None:
                    into.update(write(_KINDS[section], value))
    return _Change(sorted(removed - added), sorted(added - removed), nodes, total)


def _link_sides(old: Any, new: Any, write: Callable[[str, Any], Iterator[str]]) -> tuple[set[str], set[str]] | None:
    """The lines of a link before and after, leaving out the evidence of articles that did not change.

    A link stated in thousands of articles gains or loses one: its other
    articles' evidence nodes and ``prov:wasDerivedFrom`` triples are the same
    on both sides (they would cancel out), so only the changed articles'
    evidence is written, with the totals (confidence, article count) of the
    whole link. None when nothing is shared, or the link's own fields
    changed: then both sides are written in full.

    >>> from kg.model import Evidence, Link
    >>> shared = [Evidence("a1", "甲乙共建。", 0.9), Evidence("a2", "甲乙联建。", 0.8)]
    >>> old, new = Link("joint_building", "甲", "乙", shared), Link("joint_building", "甲", "乙", shared[:1])
    >>> before, after = _link_sides(old, new, node_writer())
    >>> before - after == set(node_lines("link", old)) - set(node_lines("link", new))
    True
    """
    from kg.model import Link

    if (old.type, old.head, old.tail, old.curated_by, old.note) != (new.type, new.head, new.tail, new.curated_by,
                                                                       new.note):
        return None
    by_article = [{}, {}]
    for evidences, into in zip((old.evidence, new.evidence), by_article):
        for evidence in evidences:
            into.setdefault(evidence.article, set()).add((evidence.sentence, evidence.confidence))
    common = {aid for aid, said in by_article[0].items() if by_article[1].get(aid) == said}
    if not common:
        return None
    sides = []
    for link in (old, new):
        part = Link(link.type, link.head, link.tail, [e for e in link.evidence if e.article not in common],
                    link.curated_by, link.note)
        lines = set(write("link", part))
        wrong = _link_totals(part)
        if not wrong <= lines:  # kg.rdf writes the totals otherwise now: write the link in full
            return None
        sides.append((lines - wrong) | _link_totals(link))
    return sides[0], sides[1]


def _link_totals(link: Any) -> set[str]:
    """The two triples of a link that depend on all its evidence (as kg.rdf._link writes them)."""
    from kg import rdf
    from kg.vocabulary import LJ

    subject = rdf.link_iri(link)
    return {rdf._line(subject, LJ + "confidence", rdf.typed(f"{link.confidence:.3f}", "decimal")),
            rdf._line(subject, LJ + "articleCount", rdf.typed(len(link.article_ids), "integer"))}


# ---------------------------------------------------------------- loading


def _load_full(transaction: Transaction, resolved: Resolved, root: Path, progress: bool, *, loaders: int = LOADERS,
               meanwhile: Callable[[], None] | None = None) -> int:
    """Stream the triples to N-Triples files and bulk-load them; returns the number of triples.

    Oxigraph's bulk load runs without the GIL and one load keeps one core busy,
    so each chunk is loaded by one of ``loaders`` threads as soon as it is
    written: the loads overlap each other and the writing of the next chunks.
    Loads into one store may run at once (each ingests its own sorted files);
    the version only becomes current after all of them succeeded.
    ``meanwhile`` runs once the last chunk is written, while loads go on (the
    build saves its JSON and state then).
    """
    from concurrent.futures import ThreadPoolExecutor

    from kg.resources import ontology_file

    total_nodes = _node_count(resolved)
    count = 0
    with tempfile.TemporaryDirectory(prefix="kg-load-", dir=root) as folder, \
            ThreadPoolExecutor(max_workers=max(1, loaders), thread_name_prefix="kg-load") as pool:
        loads: list[tuple[Any, int]] = [(pool.submit(transaction.load_file, ontology_file(), graph=ONTOLOGY_GRAPH), 0)]
        handle, lines_in_chunk = None, 0
        bar = progress_bar(progress, "write triples", total_nodes, unit="node")
        chunk_lines = min(LOAD_CHUNK, max(MIN_LOAD_CHUNK, _estimated_lines(resolved) // (2 * max(1, loaders))))
        write = node_writer()

        def close_chunk() -> None:
            nonlocal handle, lines_in_chunk, count
            handle.close()
            loads.append((pool.submit(transaction.load_file, handle.name, trusted=True), lines_in_chunk))
            count += lines_in_chunk
            handle, lines_in_chunk = None, 0

        try:
            for (kind, _), value in _nodes(resolved):
                if handle is None:
                    path = Path(folder) / f"part-{len(loads):05d}.nt"
                    handle = open(path, "w", encoding="utf-8", buffering=1 << 20)
                lines = list(write(kind, value))
                handle.writelines(lines)
                lines_in_chunk += len(lines)
                bar.update()
                if lines_in_chunk >= chunk_lines:
                    close_chunk()
            if handle is not None:
                close_chunk()
            bar.close()
            if meanwhile is not None:
                meanwhile()
            # Loads that ended while the triples were written and saved count as done, not in the rate.
            ended = [load.done() for load, _ in loads]
            bar = progress_bar(progress, "load", count, unit="triple",
                               initial=sum(lines for (_, lines), done in zip(loads, ended) if done))
            for (load, lines), done in zip(loads, ended):
                load.result()  # re-raises a failed load here, before the version can become current
                if not done:
                    bar.update(lines)
        finally:
            bar.close()
            if handle is not None and not handle.closed:
                handle.close()
            for load, _ in loads:
                load.cancel()
    return count


def _node_count(resolved: Resolved) -> int:
    return sum(len(table) for table in (resolved.articles, resolved.places, resolved.decisions,
                                        resolved.organizations, resolved.links))


def _estimated_lines(resolved: Resolved) -> int:
    """About how many N-Triples lines ``resolved`` gives (counted on 10,000 generated articles: 7 an article,
    8 an organization, 20 a link), to cut the load into chunks of about equal size."""
    return 7 * len(resolved.articles) + 8 * len(resolved.organizations) + 20 * len(resolved.links) + \
        4 * (len(resolved.places) + len(resolved.decisions))


def _apply(transaction: Transaction, change: _Change, progress: bool) -> None:
    """Remove and add the changed triples in the copied version."""
    import pyoxigraph as ox

    bar = progress_bar(progress, "apply changes", len(change.remove) + len(change.add), unit="triple")
    if change.remove:
        for quad in ox.parse("".join(change.remove).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
            transaction.ox.remove(quad)
        bar.update(len(change.remove))
    transaction.add_lines(change.add)
    bar.update(len(change.add))
    bar.close()


def _own_version(target: EmbeddedStore, signature: str) -> tuple[str, int] | None:
    """(version, its triple count) when the current version is a build's own output, by this RDF writer."""
    version = target.current_version()
    if version is None or target.resolved_path() is None:
        return None
    record = target.build_record()
    made = record.get("build", {})
    # kg import and kg analyze --write copy the record into a new version: the name tells them apart.
    if made.get("version") != version or made.get("signature") != signature:
        return None
    try:
        return version, int(record["summary"]["triples"])
    except (KeyError, TypeError, ValueError):
        return None


def _previous(target: EmbeddedStore, signature: str) -> tuple[str, dict[str, list[str]], int] | None:
    """(version, its resolved node lines, its triple count) when the current version is a build's own output."""
    from kg.resolve import split_resolved

    own = _own_version(target, signature)
    if own is None:
        return None
    try:
        lines = split_resolved(target.resolved_path().read_text(encoding="utf-8"))
        return None if lines is None else (own[0], lines, own[1])
    except (OSError, ValueError):
        return None


def _previous_file(target: EmbeddedStore, signature: str, state: dict):
    """(version, triple count, kg.linefile.LineFile of its resolved JSON), or None."""
    from kg.linefile import LineFile

    own = _own_version(target, signature)
    if own is None:
        return None
    try:
        with open(target.resolved_path(), "rb") as handle:  # mapped: a delta reads a few hundred of its lines
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return own[0], own[1], LineFile(data, state["order"], state["line_bytes"])
    except (OSError, ValueError, KeyError):
        return None


def _carry_imports(target: EmbeddedStore, transaction: Transaction) -> None:
    """Graphs added with `kg import` are not made from articles: a rebuild keeps them as they were."""
    if not target.exists():
        return
    current = target.ox
    for graph in current.named_graphs():
        if graph.value.startswith(IMPORT_GRAPH):
            transaction.ox.bulk_extend(current.quads_for_pattern(None, None, None, graph))


def build(
    paths: Iterable[str | os.PathLike[str]],
    store: str | os.PathLike[str] | None = None,
    *,
    curation: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    full: bool = False,
    wait: bool = False,
    max_bytes: int | None = 50_000_000,
    progress: bool = False,
    scheduler: Any = None,
    on_resolved: Callable[[Resolved], None] | None = None,
) -> BuildSummary:
    """Build the graph of the articles under ``paths`` into a new version of ``store``.

    Nothing is written unless everything before the final switch succeeded: a
    bad curation file, an error or an interruption leaves the previous graph.
    ``full`` extracts every article again and reloads every triple.
    """
    from kg.gcpause import no_cycle_collection

    from kg.scan import reap

    try:
        with no_cycle_collection():  # the collector took half of an incremental rebuild's time
            return _build(paths, store, curation=curation, jobs=jobs, full=full, wait=wait, max_bytes=max_bytes,
                          progress=progress, scheduler=scheduler, on_resolved=on_resolved)
    finally:
        reap()  # the scan child closing the extraction cache, the child writing extractions to it


def _build(paths, store, *, curation, jobs, full, wait, max_bytes, progress, scheduler, on_resolved) -> BuildSummary:
    from kg.curation import load_curation
    from kg.delta import usable

    started = time.perf_counter()
    paths = [str(p) for p in paths]
    target = open_store(store)
    if not isinstance(target, EmbeddedStore):
        from kg.remote import build_remote

        return build_remote(paths, target, curation=curation, jobs=jobs, max_bytes=max_bytes, progress=progress)
    decisions = load_curation(curation) if curation else None  # fails before anything is read or written
    # Without curation decisions (and without a caller wanting the whole Resolved) only what changed is resolved.
    plain = not (decisions and decisions.decisions) and on_resolved is None
    cores = jobs or os.cpu_count() or 1  # --jobs is the number of cores the build may use
    # One writer from the first read to the last write: a second build refuses (or waits) at once.
    with target.lock(wait=wait):
        summary = BuildSummary(store=target.location)
        code = mention_code()
        # A rebuild walks the files and extracts the new ones in a child process while this one loads the
        # previous build's tables, then matches the known articles (kg.scan.Background): two parts of about
        # the same time, on two cores.
        background = _background_scan(target, paths, full, scheduler, max_bytes, progress)
        early = None  # the copy of the current version a delta writes into
        try:
            try:
                saved = {} if full else _load_state(target, code)
                tables = plain and usable(saved)
                signature = graph_signature()
                previous = None
                if tables:
                    with _step(summary, "previous"):
                        previous = _previous_file(target, signature, saved)
                    if previous is not None and background is not None:
                        _preload_delta(background.done)
                if previous is not None:
                    # Opened in a thread (Oxigraph copies without the GIL) while this one waits for the scan and
                    # resolves.
                    early = _EarlyVersion(target.new_version(wait=wait, copy_current=True, rewritten=REWRITTEN,
                                                             linked=LINKED))
                reuse = saved["articles"] if tables else None
                # The extraction cache written by a second process while this one resolves (kg.scan._keep): not
                # with one job, which promises one core.
                behind = scheduler is not None or cores > 1
                if background is not None:
                    from kg.scan import finish

                    docs = finish(background.result(), target.cache_dir, summary=summary, jobs=jobs,
                                  max_bytes=max_bytes, progress=progress, scheduler=scheduler, reuse=reuse,
                                  write_behind=behind)
                else:
                    docs = collect(paths, cache_dir=target.cache_dir, jobs=jobs, max_bytes=max_bytes,
                                   progress=progress, summary=summary, full=full, scheduler=scheduler, reuse=reuse,
                                   write_behind=behind)
            finally:
                if background is not None:
                    background.stop()
            if previous is not None:
                with _step(summary, "resolve"):
                    delta = _resolve_delta(saved, docs, previous[2], target, max_bytes)
                if delta is not None:
                    return _write_delta(target, summary, delta, previous, signature, paths, started, wait, progress,
                                        early)
        finally:
            if early is not None:
                early.discard()  # unless _write_delta finished it
        del saved
        if tables:
            docs = fill(docs, target.cache_dir, max_bytes)
        with _step(summary, "previous"):
            previous = None if full else _previous(target, signature)
        # One job, one bulk load at a time.
        loaders = LOADERS if scheduler is not None else min(LOADERS, cores)
        return _write_full(target, summary, docs, decisions, plain, code, signature, previous, paths, started,
                           wait, progress, full, on_resolved, loaders)


# A rebuild scans in a child process when the previous state is at least this large (bytes; about 2,300 bytes an
# article): at 10,000 articles (23 MB) the child took 0.3-0.4 s off a rebuild; at 1,000 (2.7 MB) it saved 0.03 s
# on free cores and cost 0.17 s on a busy machine (the state loads too fast to hide the child's extra imports).
BACKGROUND_ABOVE = 8_000_000


def _background_scan(target: EmbeddedStore, paths: list[str], full: bool, scheduler: Any, max_bytes: int | None,
                     progress: bool):
    """kg.scan.Background for a rebuild (a large previous state, no --full, no cluster, fork), or None."""
    version = target.current_version()
    if full or scheduler is not None or not hasattr(os, "fork") or version is None:
        return None
    try:
        if (target.versions_dir / f"{version}{STATE_SUFFIX}").stat().st_size < BACKGROUND_ABOVE:
            return None
    except OSError:
        return None
    from kg.scan import Background

    return Background(paths, target.cache_dir, max_bytes=max_bytes, progress=progress, extract_below=SERIAL_BELOW)


def _preload_delta(scanned: Callable[[], bool]) -> None:
    """What a delta resolution may load on first use, loaded while the child still works (off the critical path).

    Each part only while ``scanned()`` is false: once the child's work is there, the
    delta loads what it turns out to need (a rebuild that changes no name
    needs no cpca).
    """
    import kg.rdf  # noqa: F401
    import kg.resolve  # noqa: F401
    from kg.places import _cpca
    from kg.script import _changing

    for load in (_cpca, _changing):  # cpca's division table; the characters OpenCC's t2s changes
        if scanned():
            return
        load()


def _resolve_delta(saved: dict, docs: list, previous, target: EmbeddedStore, max_bytes: int | None):
    """kg.delta's resolution of ``docs`` against the previous build, or None (then the full one runs)."""
    from kg.delta import resolve_delta

    def fetch(ids: list[str]) -> dict[str, dict]:
        wanted = set(ids)
        picked = [(a, e) for a, e in docs if a.id in wanted]
        return {a.id: e for a, e in fill(picked, target.cache_dir, max_bytes)}

    limit = max(DELTA_MIN, int(DELTA_LIMIT * len(saved["order"]["articles"])))
    return resolve_delta(saved, docs, previous.line, fetch, limit=limit)


class _EarlyVersion:
    """A ``store.new_version(...)`` context entered in a thread, used as the context itself later.

    Copying the current version (Oxigraph opening two databases and a
    backup, which release the GIL: about 0.07 s on 10,000 articles) runs
    while this thread resolves; :meth:`discard` drops the unused version
    when the build goes another way (or fails, or is interrupted).
    """

    def __init__(self, manager: Any):
        import threading

        self.manager, self.transaction, self.error, self.done = manager, None, None, False
        self.entered = threading.Event()
        threading.Thread(target=self._enter, name="kg-new-version", daemon=True).start()

    def _enter(self) -> None:
        try:
            self.transaction = self.manager.__enter__()
        except BaseException as error:  # noqa: BLE001  re-raised by __enter__ in the build's thread
            self.error = error
        finally:
            self.entered.set()

    def __enter__(self) -> Transaction:
        interrupted = _wait_for(self.entered)  # the context must not be left half entered
        if interrupted is not None:
            raise interrupted  # discard() then drops the version
        if self.error is not None:
            self.done = True
            raise self.error
        return self.transaction

    def __exit__(self, *exc: Any) -> bool:
        self.done = True
        return bool(self.manager.__exit__(*exc))

    def discard(self) -> None:
        if self.done:
            return
        interrupted = _wait_for(self.entered)
        self.done = True
        if self.error is None:
            stop = RuntimeError("the early version was not used")
            self.manager.__exit__(RuntimeError, stop, None)  # the version is removed; nothing becomes current
        if interrupted is not None:
            raise interrupted


class _Thread:
    """``function(*args)`` in a thread; :meth:`join` waits for it and raises what it raised."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        import threading

        self.error: BaseException | None = None
        self.finished = threading.Event()
        threading.Thread(target=self._run, args=(function, args), name="kg-save", daemon=True).start()

    def _run(self, function: Callable[..., Any], args: tuple) -> None:
        try:
            function(*args)
        except BaseException as error:  # noqa: BLE001  raised again by join
            self.error = error
        finally:
            self.finished.set()

    def join(self) -> None:
        """Wait for the thread, through Ctrl-C (raised once it has ended), then raise what it raised."""
        interrupted = _wait_for(self.finished)
        if interrupted is not None:
            raise interrupted
        if self.error is not None:
            raise self.error


def _wait_for(event: Any) -> KeyboardInterrupt | None:
    """Wait until a thread sets ``event``, through Ctrl-C: an interruption is returned, to be raised after."""
    interrupted = None
    while not event.is_set():
        try:
            event.wait()
        except KeyboardInterrupt as stop:
            interrupted = stop
    return interrupted


def _write_delta(target, summary, delta, previous, signature, paths, started, wait, progress,
                 early: _EarlyVersion | None = None) -> BuildSummary:
    from kg.delta import SECTIONS, counts

    version, triples, old = previous
    summary.resolution = "delta"
    summary.report = list(delta.report)
    summary.organizations_by_type, summary.links_by_type = counts(delta.state)
    with _step(summary, "diff"):
        total = sum(len(delta.state["order"][section]) for section in SECTIONS)
        change = _delta_change(delta.lines, old.line, total)
    if not any(delta.lines.values()) and _same_record(target.build_record(), summary, paths):
        # Nothing changed, not even what the summary lists: the current version stays (no copy, no compaction).
        summary.version, summary.triples, summary.load = version, triples, "none"
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary
    with early or target.new_version(wait=wait, copy_current=True, rewritten=REWRITTEN, linked=LINKED) as transaction:
        if target.current_version() != version:
            raise RuntimeError("the store changed during the build")  # the lock makes this unreachable
        # The side files are written in a thread while Oxigraph applies the changes (both mostly without the GIL).
        saving = _Thread(_save, transaction, old.patched_parts(delta.state["order"], delta.lines, delta.report),
                         delta.state, delta.patch)
        try:
            with _step(summary, "load"):
                _apply(transaction, change, progress)
                summary.load, summary.changed = "incremental", change.nodes
                summary.triples = triples - len(change.remove) + len(change.add)
        finally:
            with _step(summary, "save"):
                saving.join()  # also after a failure: nothing may write into the version once it is removed
        summary.version = transaction.name
        summary.seconds = round(time.perf_counter() - started, 3)
        transaction.record = {"summary": summary.to_dict(), "sources": paths,
                              "build": {"version": transaction.name, "signature": signature}}
    summary.seconds = round(time.perf_counter() - started, 3)  # with the compaction, if the version had one
    return summary


# Differ every build (triples: not counted yet when the comparison is made).
_VARYING = ("version", "seconds", "timings", "extracted", "load", "changed", "resolution", "triples")


def _same_record(record: dict, summary: BuildSummary, paths: list[str]) -> bool:
    """Whether the current version's build record would say what ``summary`` says, from the same ``paths``."""
    before = record.get("summary")
    if not isinstance(before, dict) or record.get("sources") != paths:
        return False
    now = summary.to_dict()
    return all(before.get(key) == value for key, value in now.items() if key not in _VARYING)


# Side files a build writes anew (kept out of the copy of the previous version), and those it only replaces
# (hard-linked into the new version: a build unlinks them before writing, the previous version keeps its bytes).
REWRITTEN = (".resolved.json",)
LINKED = (STATE_SUFFIX, STATE_LOG_SUFFIX)


def _replace(path: Path, data: bytes | Iterable[bytes | memoryview]) -> None:
    """Write ``data`` (bytes, or pieces written one after the other) to a new file at ``path``."""
    path.unlink(missing_ok=True)  # it may be a hard link to the previous version's file
    with open(path, "wb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            handle.writelines(data)


def _save(transaction: Transaction, resolved_json: bytes | Iterable[bytes | memoryview], state: dict,
          patch: dict | None = None) -> None:
    """Write the resolved JSON and the state."""
    _save_json(transaction, resolved_json)
    _save_state(transaction, state, patch)


def _save_json(transaction: Transaction, resolved_json: bytes | Iterable[bytes | memoryview]) -> None:
    versions = transaction.store.versions_dir
    _replace(versions / f"{transaction.name}.resolved.json", resolved_json)
    (versions / f"{transaction.name}.mentions").unlink(missing_ok=True)  # the memo file of earlier releases


def _save_state(transaction: Transaction, state: dict, patch: dict | None = None) -> None:
    """Write the state: as one more patch in the log when the copied state allows it."""
    versions = transaction.store.versions_dir
    base, log = versions / f"{transaction.name}{STATE_SUFFIX}", versions / f"{transaction.name}{STATE_LOG_SUFFIX}"
    if patch is not None and base.exists():  # the previous version's state, linked with its log
        try:
            # One more record after the previous ones, copied as they are (the previous version keeps its file).
            before = log.read_bytes() if log.exists() else STATE_LOG_HEADER
            record = marshal.dumps(patch)
            data = [before, len(record).to_bytes(8, "little"), record]
        except (OSError, ValueError, TypeError):
            data = None
        if (data is not None and data[0].startswith(STATE_LOG_HEADER)  # a log of the older shape is folded
                and sum(map(len, data)) <= STATE_LOG_LIMIT * base.stat().st_size):
            _replace(log, data)
            return
    _replace(base, marshal.dumps(state))
    log.unlink(missing_ok=True)


def _write_full(target, summary, docs, decisions, plain, code, signature, previous, paths, started, wait, progress,
                full, on_resolved, loaders: int = LOADERS) -> BuildSummary:
    from kg.delta import memo_tables, mention_memo, state_of
    from kg.resolve import resolve, resolved_chunks, resolved_lines, resolved_pieces

    with _step(summary, "resolve"):
        memo = {} if full else mention_memo(_load_state(target, code))
        trace: dict | None = {} if plain else None
        resolved = resolve(docs, decisions, memo=memo, trace=trace, progress=progress)
    del docs
    if on_resolved is not None:
        on_resolved(resolved)
    summary.report = list(resolved.report)
    summary.organizations_by_type = dict(sorted(Counter(o.type for o in resolved.organizations.values()).items()))
    summary.links_by_type = dict(sorted(Counter(link.type for link in resolved.links.values()).items()))

    lines: dict[str, list[str]] | None = None
    change = None
    if previous is not None:
        with _step(summary, "encode"):
            lines = resolved_lines(resolved)
        with _step(summary, "diff"):
            change = _changes(previous[1], lines)
        if change.nodes > INCREMENTAL_LIMIT * max(change.total, 1):
            change = None
    with target.new_version(wait=wait, copy_current=change is not None, rewritten=REWRITTEN + LINKED) as transaction:
        saving: list[float] = []  # seconds spent saving while the bulk loads ran (not counted as loading)

        def save() -> None:
            begun = time.perf_counter()
            # Counted in nodes: once as JSON lines, once as tables of the state.
            passes = 1 + (trace is not None)
            bar = progress_bar(progress, "save JSON and state", passes * _node_count(resolved), unit="node")
            with _step(summary, "encode"):
                # Written piece by piece, each node encoded as its piece is written unless the diff made the lines.
                sizes: dict[str, list[int]] = {}
                if lines is None:
                    _save_json(transaction, resolved_chunks(resolved, sizes, advance=bar.update))
                else:
                    _save_json(transaction, resolved_pieces(lines, resolved.report, sizes=sizes))
                    bar.update(_node_count(resolved))
            with _step(summary, "save"):
                if trace is not None:
                    state = state_of(resolved, memo, trace, code, sizes, advance=bar.update)
                else:
                    blobs, reports = memo_tables(memo)
                    state = {"code": code, "memo": blobs, "reports": reports}
                _save_state(transaction, state)
            bar.close()
            saving.append(time.perf_counter() - begun)

        with _step(summary, "load"):
            if change is not None and target.current_version() == previous[0]:
                _apply(transaction, change, progress)
                summary.load, summary.changed = "incremental", change.nodes
                summary.triples = previous[2] - len(change.remove) + len(change.add)
            else:
                transaction.ox.clear()  # the base changed under us (or a full load): start empty
                # The JSON and state are written while Oxigraph loads (its loads release the GIL).
                summary.triples = _load_full(transaction, resolved, target.root, progress, loaders=loaders,
                                             meanwhile=save)
                _carry_imports(target, transaction)
                summary.changed = _node_count(resolved)
        summary.timings["load"] = round(summary.timings["load"] - sum(saving), 3)
        if not saving:  # an incremental load: saved after it
            save()
        summary.version = transaction.name
        summary.seconds = round(time.perf_counter() - started, 3)
        transaction.record = {"summary": summary.to_dict(), "sources": paths,
                              "build": {"version": transaction.name, "signature": signature}}
    summary.seconds = round(time.perf_counter() - started, 3)  # with the compaction, if the version had one
    return summary
