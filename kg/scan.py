"""The first part of a build: find the article files, hash what changed, take what the cache knows, extract the rest.

Two phases, so that a rebuild can run the first while it loads the previous
build's tables (kg.build._build):

- :func:`scan` needs nothing of the previous build: the walk (one stat a
  file), the content hash of each file (the recorded one while its size and
  modification time stay the same, else read), a cache lookup for the
  contents hashed now, and the extraction of a few new articles;
- :func:`finish` takes the previous build's article table (``reuse``):
  known articles come back bare (no cache query), the others from the cache;
  what is still missing is extracted (on all cores), and the articles are
  assembled with their skips and duplicates.

:class:`Background` runs :func:`scan` in a forked child (the walk, the
extractor's imports and the new articles' extraction on the second core) and
hands its result back through a pipe in two parts: the scan as soon as the
walk is done, then the extractions of the new articles, so that this process
matches the known articles while the child extracts. Anything wrong there and
the scan (or the extraction) runs again in this process, so the result is
always that of :func:`collect`.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> _ = open(f"{folder}/a.txt", "w", encoding="utf-8").write("青山边检站与青山海关开展党建联建。")
>>> docs = collect([folder], cache_dir=tempfile.mkdtemp())
>>> [(a.file_name, len(e["entities"])) for a, e in docs]
[('a.txt', 2)]
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.model import Article, Skipped


@dataclass
class Scan:
    """What :func:`scan` found, before the previous build's article table is known."""

    files: list[str] = field(default_factory=list)  # article files, in walk order
    skipped: list[Skipped] = field(default_factory=list)  # found by the walk, not articles
    results: list[Any] = field(default_factory=list)  # per file: kg.build._Processed (skip, hit, extracted) or None
    recorded: list[tuple[int, str]] = field(default_factory=list)  # (file, hash) recorded before: reuse or cache
    pending: list[int] = field(default_factory=list)  # files still to extract
    stats: dict[int, os.stat_result] = field(default_factory=dict)  # of pending files, taken before reading them
    timings: dict[str, float] = field(default_factory=dict)
    extracted: bool = False  # something was extracted: prune the cache's other pipeline versions
    pruned: bool = False  # ... done since the last extraction
    trimmed: bool = False  # the cache's file table holds only these files now
    later: list[int] = field(default_factory=list)  # files the scan child is extracting (see Background)
    rest: Any = None  # in the parent, while ``later`` is not empty: waits for them (Background.rest)


def scan(paths: Iterable[str | os.PathLike[str]], cache: Any, *, full: bool = False,
         max_bytes: int | None = 50_000_000, progress: bool = False) -> Scan:
    """Walk, hash and look up.

    ``cache`` is a kg.cache.ExtractionCache, or None (everything is pending).
    """
    import time

    from kg.build import _content_hash, _from_cache, _Processed, is_html_path
    from kg.progress import bar as progress_bar
    from kg.walk import iter_article_stats

    begun = time.perf_counter()
    found = Scan()
    infos: list[os.stat_result] = []
    for item in iter_article_stats(paths):
        if isinstance(item, Skipped):
            found.skipped.append(item)
        else:
            found.files.append(item[0])
            infos.append(item[1])
    files, results = found.files, [None] * len(found.files)
    found.results = results
    bar = progress_bar(progress and cache is not None, "read", len(files))
    hashed: list[tuple[int, str]] = []  # read and hashed now: a new or changed content
    known_hash = cache.known_hash if cache is not None else None
    # Nothing to look up (no cache, --full, or a first build): every file goes to extraction unread here; the
    # workers read it anyway, and its hash comes back with its extraction.
    unread = cache is None or full or cache.is_empty()
    for i, path in enumerate(files):
        bar.update()
        if unread:
            found.stats[i] = infos[i]
            found.pending.append(i)
            continue
        info = infos[i]
        if 0 < info.st_size <= (max_bytes or info.st_size):  # as kg.build._content_hash trusts a recorded hash
            sha256 = known_hash(path, info.st_size, info.st_mtime_ns)
            if sha256 is not None:
                found.recorded.append((i, sha256))
                continue
        try:
            sha256 = _content_hash(path, info, cache, max_bytes)
        except Exception as skip:  # kg.ingest.SkipFile, imported only if a file was read
            from kg.ingest import SkipFile

            if not isinstance(skip, SkipFile):
                raise
            results[i] = _Processed(skipped=Skipped(path, str(skip)))
            continue
        hashed.append((i, sha256))
    hits = cache.get_many([(sha256, is_html_path(files[i])) for i, sha256 in hashed]) if hashed else []
    for (i, sha256), hit in zip(hashed, hits):
        if hit is None:
            found.stats[i] = infos[i]
            found.pending.append(i)
        else:
            results[i] = _from_cache(files[i], sha256, hit)
    bar.close()
    found.timings["read"] = time.perf_counter() - begun
    return found


def _extract(found: Scan, pending: Sequence[int], cache: Any, extracted: list[tuple[int, bool]], *, jobs: int,
             max_bytes: int | None, scheduler: Any, progress: bool) -> None:
    """Extract ``pending`` files into ``found.results``.

    ``extracted`` receives, article by article, what :func:`_record` puts in
    the cache: (file, whether it was unchanged while it was read). It holds
    the articles done so far when an extraction fails or is interrupted.
    """
    from kg.build import _extract_pending, _stat
    from kg.progress import bar as progress_bar

    files = found.files
    bar = progress_bar(progress, "extract", len(pending))
    for i, result in zip(pending, _extract_pending([files[i] for i in pending], jobs, max_bytes, scheduler)):
        found.results[i] = result
        found.extracted, found.pruned = True, False
        bar.update()
        if cache is not None and result.article is not None:
            before, after = found.stats.get(i), _stat(files[i])
            # Unchanged while it was read, by what a recorded hash is looked up with (reading moves the access time).
            extracted.append((i, bool(before and after and (after.st_size, after.st_mtime_ns)
                                      == (before.st_size, before.st_mtime_ns))))
    bar.close()


def _record(found: Scan, extracted: list[tuple[int, bool]], cache: Any) -> None:
    """Put the extractions of :func:`_extract` in the cache, with the hashes of the files that did not change."""
    from kg.build import _META_FIELDS, is_html_path

    for i, unchanged in extracted:
        result, path = found.results[i], found.files[i]
        meta = {key: getattr(result.article, key) for key in _META_FIELDS}
        meta["chars"] = result.chars
        cache.put(result.article.sha256, is_html_path(path), meta, result.extraction)
        if unchanged:
            info = found.stats[i]
            cache.remember_hash(path, info.st_size, info.st_mtime_ns, result.article.sha256)


def _housekeep(found: Scan, cache: Any) -> None:
    """Forget the recorded hashes of files no longer there; prune other pipeline versions after an extraction."""
    if cache is None:
        return
    if not found.trimmed:
        cache.forget_files_except(set(found.files))
        found.trimmed = True
    if found.extracted and not found.pruned:  # a new pipeline version extracts everything: prune then
        cache.prune()  # (a scan of every entry) entries of other pipeline versions will never be read again
        found.pruned = True


# A build that extracted at least this many articles writes them to the cache in a forked child while it
# resolves: at 10,000 articles the writes took 0.7 s of CPU from this process while the workers extracted.
WRITE_BEHIND_FROM = 200

_WRITING: list[tuple[int, Any]] = []  # cache writer children, and how to write here if one fails (see reap)


def _keep(found: Scan, extracted: list[tuple[int, bool]], cache: Any, *, write_behind: bool) -> None:
    """:func:`_record` then :func:`_housekeep`, in this process or, with ``write_behind``, in a forked child.

    The child takes its work from this process's memory (copy on write) and
    runs on a core that resolution leaves idle; :func:`reap` waits for it, and
    writes here what a failed child did not.
    """
    if cache is None:
        return
    if write_behind and len(extracted) >= WRITE_BEHIND_FROM and hasattr(os, "fork"):
        folder, version = cache.folder, cache.version
        cache.close()  # an SQLite connection must not cross a fork; this process does not use it again
        pid = os.fork()
        if pid == 0:
            _write_behind(found, extracted, folder, version)
        _WRITING.append((pid, lambda: _write_here(found, extracted, folder, version)))
        return
    _record(found, extracted, cache)
    _housekeep(found, cache)


def _write_here(found: Scan, extracted: list[tuple[int, bool]], folder: Any, version: str) -> None:
    from kg.cache import ExtractionCache

    with ExtractionCache(folder, version) as cache:
        _record(found, extracted, cache)
        _housekeep(found, cache)


def _write_behind(found: Scan, extracted: list[tuple[int, bool]], folder: Any, version: str) -> None:
    """The cache writer child: never returns."""
    import signal

    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build; what it extracted is still kept
        os.closerange(3, 1 << 16)  # hold none of the parent's files: the store's writer lock goes with the parent
        _write_here(found, extracted, folder, version)
        code = 0
    except BaseException:  # noqa: BLE001  the parent writes it (reap)
        pass
    finally:
        os._exit(code)


def finish(found: Scan, cache_dir: str | os.PathLike[str] | None, *, summary: Any, jobs: int | None = None,
           max_bytes: int | None = 50_000_000, progress: bool = False, scheduler: Any = None,
           reuse: dict[str, tuple] | None = None, cache: Any = None,
           write_behind: bool = False) -> list[tuple[Article, dict | None]]:
    """The articles of ``found``: known ones bare (see kg.build.collect), the rest from the cache or extracted now.

    ``cache``: an open kg.cache.ExtractionCache of ``cache_dir`` (else one is
    opened when needed; it is closed when the cache is written behind).
    ``write_behind``: see :func:`_keep`.
    """
    from kg.build import _from_cache, _step, is_html_path

    summary.skipped.extend(found.skipped)
    files, results = found.files, found.results
    owned = None
    try:
        with _step(summary, "read"):
            ask: list[tuple[int, str]] = []
            for i, sha256 in found.recorded:
                if reuse is not None and (seen := reuse.get(sha256[:16])) is not None and seen[0] == files[i]:
                    # As the previous build had it (kg.build._bare): an Article alone stands for a bare result.
                    results[i] = Article(seen[0], seen[1], sha256, "", warnings=list(seen[2]))
                else:
                    ask.append((i, sha256))
        if found.rest is not None:  # the scan child's extractions (Background.rest)
            found.rest()
        for name, seconds in found.timings.items():
            summary.timings[name] = round(summary.timings.get(name, 0.0) + seconds, 3)
        with _step(summary, "read"):
            pending = list(found.pending)
            if cache is None and (ask or pending or not found.trimmed):
                cache = owned = _open_cache(cache_dir)
            hits = cache.get_many([(sha256, is_html_path(files[i])) for i, sha256 in ask]) if ask and cache else []
            for (i, sha256), hit in zip(ask, hits):
                if hit is None:  # an entry gone from the cache: extracted again
                    pending.append(i)
                else:
                    results[i] = _from_cache(files[i], sha256, hit)
            pending.sort()
        extracted: list[tuple[int, bool]] = []
        try:
            if pending:
                with _step(summary, "extract"):
                    _extract(found, pending, cache, extracted, jobs=jobs or os.cpu_count() or 1, max_bytes=max_bytes,
                             scheduler=scheduler, progress=progress)
        except BaseException:
            if cache is not None:
                _record(found, extracted, cache)  # what was extracted before the failure is not lost
            raise
        _keep(found, extracted, cache, write_behind=write_behind)
    finally:
        if owned is not None:
            owned.close()
    docs: list[tuple[Article, dict | None]] = []
    first_path: dict[str, str] = {}
    extracted = 0
    for result in results:
        if isinstance(result, Article):  # a bare known article (the common case of a rebuild)
            article, extraction = result, None
        elif result.skipped is not None:
            summary.skipped.append(result.skipped)
            continue
        else:
            article, extraction = result.article, result.extraction
            extracted += not result.from_cache
        if article.sha256 in first_path:
            summary.duplicates.append((article.path, first_path[article.sha256]))
            continue
        first_path[article.sha256] = article.path
        if article.warnings:
            summary.warnings.extend((article.path, warning) for warning in article.warnings)
        docs.append((article, extraction))
    summary.extracted += extracted
    summary.articles_read = len(docs)
    return docs


def _open_cache(cache_dir: str | os.PathLike[str] | None) -> Any:
    if cache_dir is None:
        return None
    from kg.cache import ExtractionCache

    return ExtractionCache(cache_dir)


def collect(paths: Iterable[str | os.PathLike[str]], *, cache_dir: str | os.PathLike[str] | None = None,
            jobs: int | None = None, max_bytes: int | None = 50_000_000, progress: bool = False, summary: Any = None,
            full: bool = False, scheduler: Any = None, reuse: dict[str, tuple] | None = None,
            write_behind: bool = False) -> list[tuple[Article, dict | None]]:
    """kg.build.collect: :func:`scan` then :func:`finish`, in this process."""
    from kg.build import BuildSummary

    summary = summary if summary is not None else BuildSummary(store="")
    cache = _open_cache(cache_dir)
    try:
        found = scan(paths, cache, full=full, max_bytes=max_bytes, progress=progress)
        return finish(found, cache_dir, summary=summary, jobs=jobs, max_bytes=max_bytes, progress=progress,
                      scheduler=scheduler, reuse=reuse, cache=cache, write_behind=write_behind)
    finally:
        if cache is not None:
            cache.close()


class Background:
    """:func:`scan` in a forked child, which then extracts the new articles if fewer than ``extract_below``.

    The child writes the cache (extractions, hashes, the file table) and
    sends two messages: the :class:`Scan` once the walk is done (the files it
    extracts listed in ``later``), then their results. :meth:`result` waits
    for the first, :meth:`rest` (``Scan.rest``) for the second. If the child
    fails in any way, :meth:`result` scans again in this process, and
    :meth:`rest` leaves its files pending (extracted by :func:`finish`).
    """

    def __init__(self, paths: Sequence[str], cache_dir: str | os.PathLike[str], *, max_bytes: int | None,
                 progress: bool, extract_below: int):
        self.args = (list(paths), cache_dir, max_bytes, progress)
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(read)
            _child(write, *self.args, extract_below)
        os.close(write)
        self.read: int | None = read  # unbuffered: select must see what has not been read yet
        self.received = 0  # messages read so far
        self.first: Any = None  # the first message, when done() read it
        self.more = True  # whether another message is due

    def done(self) -> bool:
        """Whether the child's last message has started to arrive (or the child ended): no long wait left."""
        import select

        if self.read is None:
            return True
        if self.received == 0:
            if not select.select([self.read], [], [], 0)[0]:
                return False
            self.first = self._receive()  # the scan: read now, then look for the extractions
            if not (isinstance(self.first, Scan) and self.first.later):
                return True
        elif not self.more:
            return True
        return bool(select.select([self.read], [], [], 0)[0])

    def _receive(self) -> Any:
        """The next message, read whole (None if the child failed)."""
        self.received += 1
        try:
            size = int.from_bytes(_read_exactly(self.read, 8), "little")
            return pickle.loads(_read_exactly(self.read, size)) if size else None
        except Exception:  # noqa: BLE001  done again in this process
            return None

    def result(self) -> Scan:
        found = self.first if self.received else self._receive()
        self.first = None
        if isinstance(found, Scan):
            self.more = bool(found.later)
            if self.more:
                found.rest = lambda: self.rest(found)
            else:
                self.stop(finished=True)
            return found
        self.stop()
        paths, cache_dir, max_bytes, progress = self.args
        cache = _open_cache(cache_dir)
        try:
            return scan(paths, cache, max_bytes=max_bytes, progress=progress)
        finally:
            cache.close()

    def rest(self, found: Scan) -> None:
        """Wait for the child's extractions of ``found.later`` and put them in place (else they stay pending)."""
        message = self._receive()
        self.more = False
        self.stop(finished=isinstance(message, _Extracted))
        if isinstance(message, _Extracted):
            for i, result in zip(found.later, message.results):
                found.results[i] = result
            found.extracted, found.pruned, found.trimmed = message.extracted, message.pruned, message.trimmed
            found.timings.update(message.timings)
        else:
            found.pending = sorted(found.pending + found.later)
        found.later, found.rest = [], None

    def stop(self, finished: bool = False) -> None:
        """End the child if it still runs (the build failed or was interrupted before it needed the scan).

        A child that sent its whole result (``finished``) is left to close its
        cache (SQLite's checkpoint, 30-40 ms) while the build goes on; :func:`reap`
        collects it.
        """
        if self.read is not None:
            os.close(self.read)
            self.read = None
        if self.pid and finished:
            _CLOSING.append(self.pid)
        elif self.pid:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        self.pid = None


@dataclass
class _Extracted:
    """The scan child's second message: the results of ``Scan.later``, and the cache's state after them."""

    results: list[Any]
    extracted: bool
    pruned: bool
    trimmed: bool
    timings: dict[str, float]


_CLOSING: list[int] = []  # children that sent their scan and still close the cache


def reap() -> None:
    """Wait for the children :meth:`Background.stop` left closing and the cache writers (called when the build ends).

    What a writer failed to write is written by this process.
    """
    while _CLOSING:
        try:
            os.waitpid(_CLOSING.pop(), 0)
        except ChildProcessError:
            pass
    while _WRITING:
        pid, write_here = _WRITING.pop()
        try:
            status = os.waitpid(pid, 0)[1]
        except ChildProcessError:  # reaped by someone else: its outcome is unknown
            status = -1
        if status != 0:
            write_here()


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd`` (fewer only at the end of the pipe)."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _send(pipe: Any, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(len(data).to_bytes(8, "little"))
    pipe.write(data)
    pipe.flush()


def _child(write: int, paths: list[str], cache_dir: Any, max_bytes: int | None, progress: bool,
           extract_below: int) -> None:
    import time

    code = 1
    try:
        # Hold none of the parent's files: the store's writer lock must go with the parent.
        os.closerange(3, write)
        os.closerange(write + 1, 1 << 16)
        cache = _open_cache(cache_dir)
        try:
            with os.fdopen(write, "wb") as pipe:
                found = scan(paths, cache, max_bytes=max_bytes, progress=progress)
                if found.pending and len(found.pending) < extract_below:
                    found.later, found.pending = found.pending, []
                else:
                    _housekeep(found, cache)
                    cache.flush()
                _send(pipe, found)
                if found.later:
                    begun = time.perf_counter()
                    extracted: list[tuple[int, bool]] = []
                    _extract(found, found.later, cache, extracted, jobs=1, max_bytes=max_bytes, scheduler=None,
                             progress=progress)
                    _record(found, extracted, cache)
                    seconds = time.perf_counter() - begun
                    _housekeep(found, cache)
                    cache.flush()
                    _send(pipe, _Extracted([found.results[i] for i in found.later], found.extracted, found.pruned,
                                           found.trimmed, {"extract": seconds}))
        finally:
            cache.close()  # after the result is sent: the parent goes on meanwhile
        code = 0
    except BaseException:  # noqa: BLE001  the parent scans (or extracts) again in its own process
        pass
    finally:
        try:
            import sys

            sys.stderr.flush()
        finally:
            os._exit(code)
