"""The build: files → articles → extractions → organizations and links → triples → a new store version.

>>> summary = build(["data/corpus"], "kg-store")          # doctest: +SKIP
>>> summary.organizations_by_type["BorderInspection"]     # doctest: +SKIP
12
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.model import Article, Resolved, Skipped
from kg.store import ONTOLOGY_GRAPH, EmbeddedStore, open_store

# Exit codes of `kg build` (documented in the README).
EXIT_ALL_READ = 0
EXIT_FAILED = 1
EXIT_SOME_SKIPPED = 3


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

    @property
    def exit_code(self) -> int:
        return EXIT_SOME_SKIPPED if self.skipped else EXIT_ALL_READ

    def to_dict(self) -> dict:
        data = asdict(self)
        data["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        data["duplicates"] = [{"path": p, "same_as": q} for p, q in self.duplicates]
        data["exit_code"] = self.exit_code
        return data


@dataclass
class _Processed:
    """What a worker returns for one file."""

    article: Article | None = None
    extraction: dict | None = None
    skipped: Skipped | None = None
    from_cache: bool = False


def _cache_path(cache_dir: Path, sha256: str, version: str) -> Path:
    return cache_dir / sha256[:2] / f"{sha256}-{version}.json"


def process_file(path: str, cache_dir: str | None = None, max_bytes: int | None = None) -> _Processed:
    """Read and extract one file (runs in a worker process). Extraction results are cached by content."""
    from kg.extract import EXTRACTOR_VERSION, extract
    from kg.ingest import SkipFile, read_article

    try:
        article = read_article(path, max_bytes=max_bytes)
    except SkipFile as skip:
        return _Processed(skipped=Skipped(str(path), str(skip)))
    except OSError as error:  # vanished or unreadable between the walk and the read
        return _Processed(skipped=Skipped(str(path), f"cannot read: {error.strerror or error}"))
    cached = _cache_path(Path(cache_dir), article.sha256, EXTRACTOR_VERSION) if cache_dir else None
    if cached is not None and cached.exists():
        try:
            extraction = json.loads(cached.read_text(encoding="utf-8"))
            return _Processed(article, extraction, from_cache=True)
        except (OSError, ValueError):
            pass  # a damaged cache entry is simply recomputed
    extraction = extract(article.text, article.file_name)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(extraction, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, cached)
    return _Processed(article, extraction)


def _process_all(
    paths: Sequence[str], cache_dir: str | None, jobs: int, max_bytes: int | None
) -> Iterator[_Processed]:
    if jobs <= 1 or len(paths) < 2:
        for path in paths:
            yield process_file(path, cache_dir, max_bytes)
        return
    chunk = max(1, min(32, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(process_file, paths, [cache_dir] * len(paths), [max_bytes] * len(paths), chunksize=chunk)


def _progress(iterable: Iterable, total: int, enabled: bool, unit: str = "article", desc: str = "extract"):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True)


def collect(
    paths: Iterable[str | os.PathLike[str]],
    *,
    cache_dir: str | None = None,
    jobs: int | None = None,
    max_bytes: int | None = 50_000_000,
    progress: bool = False,
    summary: BuildSummary | None = None,
) -> list[tuple[Article, dict]]:
    """Read and extract every article under ``paths``; skips and duplicates go to ``summary``."""
    from kg.walk import iter_article_files

    summary = summary if summary is not None else BuildSummary(store="")
    files: list[str] = []
    for item in iter_article_files(paths):
        if isinstance(item, Skipped):
            summary.skipped.append(item)
        else:
            files.append(str(item))
    jobs = jobs or os.cpu_count() or 1
    docs: list[tuple[Article, dict]] = []
    first_path: dict[str, str] = {}
    for result in _progress(_process_all(files, cache_dir, jobs, max_bytes), len(files), progress):
        if result.skipped is not None:
            summary.skipped.append(result.skipped)
            continue
        article = result.article
        if article.sha256 in first_path:
            summary.duplicates.append((article.path, first_path[article.sha256]))
            continue
        first_path[article.sha256] = article.path
        summary.extracted += not result.from_cache
        docs.append((article, result.extraction))
    summary.articles_read = len(docs)
    return docs


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
    on_resolved: Callable[[Resolved], None] | None = None,
) -> BuildSummary:
    """Build the graph of the articles under ``paths`` into a new version of ``store``.

    Nothing is written unless everything before the final switch succeeded: a
    bad curation file, an error or an interruption leaves the previous graph.
    """
    from kg.curation import load_curation
    from kg.rdf import triples
    from kg.resolve import resolve, resolved_to_json

    started = time.perf_counter()
    paths = [str(p) for p in paths]
    target = open_store(store)
    if not isinstance(target, EmbeddedStore):
        from kg.remote import build_remote

        return build_remote(paths, target, curation=curation, jobs=jobs, max_bytes=max_bytes, progress=progress)
    decisions = load_curation(curation) if curation else None  # fails before anything is read or written
    summary = BuildSummary(store=target.location)
    if full:
        _clear_cache(target.cache_dir)
    cache_dir = str(target.cache_dir)
    docs = collect(paths, cache_dir=cache_dir, jobs=jobs, max_bytes=max_bytes, progress=progress, summary=summary)
    resolved = resolve(docs, decisions)
    del docs
    if on_resolved is not None:
        on_resolved(resolved)
    summary.report = list(resolved.report)
    summary.organizations_by_type = dict(sorted(Counter(o.type for o in resolved.organizations.values()).items()))
    summary.links_by_type = dict(sorted(Counter(link.type for link in resolved.links.values()).items()))

    from kg.resources import ontology_file

    with target.new_version(wait=wait) as transaction:
        with tempfile.NamedTemporaryFile("w", suffix=".nt", dir=target.root, encoding="utf-8", delete=False) as handle:
            for line in triples(resolved):
                handle.write(line)
                summary.triples += 1
        try:
            transaction.load_file(handle.name)
        finally:
            os.unlink(handle.name)
        transaction.load_file(ontology_file(), graph=ONTOLOGY_GRAPH)
        (transaction.store.versions_dir / f"{transaction.name}.resolved.json").write_text(
            resolved_to_json(resolved), encoding="utf-8"
        )
        summary.version = transaction.name
        summary.seconds = round(time.perf_counter() - started, 3)
        transaction.record = {"summary": summary.to_dict(), "sources": paths}
    return summary


def _clear_cache(cache_dir: Path) -> None:
    for entry in cache_dir.glob("*/*.json"):
        entry.unlink(missing_ok=True)
