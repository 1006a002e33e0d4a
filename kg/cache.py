"""The extraction cache: what an article's bytes gave, so a rebuild extracts only new or changed files.

One SQLite file in the store's ``cache/`` folder. An entry is keyed by the
SHA-256 of the file's raw bytes, whether it was read as HTML, and
:func:`pipeline_version` (the extractor version and a digest of the code and
data that turn bytes into an extraction), so a new extractor, a new cleaning
rule or a new lexicon misses the cache instead of serving stale results. A hit
gives the article's metadata (title, date, outlet, …: never its text) and its
extraction, with no decoding or cleaning at all.

>>> import tempfile
>>> cache = ExtractionCache(tempfile.mkdtemp())
>>> cache.put("ab" * 32, False, {"title": "标题"}, {"entities": [], "relations": []})
>>> cache.flush(); cache.get("ab" * 32, False)[0]["title"]
'标题'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

FILE_NAME = "extractions.sqlite"

# Modules whose code decides an article's cleaned text and metadata (kg.extract is added whole).
_INGEST_MODULES = ("kg.ingest", "kg.clean", "kg.boilerplate", "kg.encoding", "kg.htmltext", "kg.textmeta",
                   "kg.filetype", "kg.names", "kg.model", "kg.wordregex")


def _module_file(name: str) -> Path | None:
    spec = find_spec(name)
    return Path(spec.origin) if spec is not None and spec.origin else None


# The code part of EXTRACTOR_VERSION as written in kg/extract/__init__.py (its lexicon part is in the digest).
_VERSION_LITERAL = re.compile(r'^EXTRACTOR_VERSION = f?"([^"+{]*)', re.MULTILINE)


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """The extractor's version and a digest of the ingest and extraction code and their data files.

    Read from the files, without importing kg.extract: importing it compiles
    the lexicon (a few tenths of a second), which a rebuild with nothing to
    extract does not need. The digest covers the lexicon and the version line.
    """
    from kg.resources import ontology_dir

    files = [f for f in map(_module_file, _INGEST_MODULES) if f is not None]
    extract_init = _module_file("kg.extract")
    literal = "?"
    if extract_init is not None:
        files += sorted(extract_init.parent.glob("*.py"))
        found = _VERSION_LITERAL.search(extract_init.read_text(encoding="utf-8"))
        literal = found.group(1) if found else "?"
    files += sorted(ontology_dir().glob("*.yaml"))
    digest = hashlib.sha1()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{literal}+{digest.hexdigest()[:10]}"


class ExtractionCache:
    """Get and put extraction results by content; writes are committed by :meth:`flush`."""

    def __init__(self, folder: str | os.PathLike[str], version: str | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.version = version or pipeline_version()
        self._db = sqlite3.connect(self.folder / FILE_NAME, timeout=60, isolation_level="DEFERRED")
        # A rollback journal made each commit cost about 45 ms (fsyncs of journal, file and folder); with a
        # write-ahead log a commit is an append. NORMAL may lose the last commits on power loss, never the
        # file's integrity: this is a cache, a lost entry is extracted again.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS entry (key TEXT PRIMARY KEY, meta TEXT NOT NULL, extraction TEXT NOT NULL)"
        )
        # What each file's bytes hashed to, by (size, mtime_ns): an unchanged file is not read again.
        self._db.execute("CREATE TABLE IF NOT EXISTS file (path TEXT PRIMARY KEY, size INTEGER NOT NULL, "
                         "mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL)")
        # The pipeline version whose prune left only its own entries (cleared when another version writes).
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._db.commit()
        row = self._db.execute("SELECT value FROM meta WHERE key = 'pruned'").fetchone()
        self._pruned = row[0] if row else None
        self._pending = 0
        self._files: dict[str, tuple[int, int, str]] | None = None

    def _key(self, sha256: str, html: bool) -> str:
        return f"{sha256}:{'html' if html else 'text'}:{self.version}"

    def get(self, sha256: str, html: bool) -> tuple[dict, dict] | None:
        """(article metadata, extraction) or None."""
        row = self._db.execute("SELECT meta, extraction FROM entry WHERE key = ?", (self._key(sha256, html),)).fetchone()
        if row is None:
            return None
        try:
            return json.loads(row[0]), json.loads(row[1])
        except ValueError:
            return None  # a damaged entry is simply recomputed

    def get_many(self, wanted: list[tuple[str, bool]]) -> list[tuple[dict, dict] | None]:
        """:meth:`get` for many entries at once (one query per few hundred: a rebuild reads thousands)."""
        keys = [self._key(sha256, html) for sha256, html in wanted]
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            marks = ",".join("?" * len(part))
            for key, meta, extraction in self._db.execute(
                    f"SELECT key, meta, extraction FROM entry WHERE key IN ({marks})", part):
                found[key] = (meta, extraction)
        results: list[tuple[dict, dict] | None] = []
        for key in keys:
            row = found.get(key)
            try:
                results.append(None if row is None else (json.loads(row[0]), json.loads(row[1])))
            except ValueError:
                results.append(None)  # a damaged entry is simply recomputed
        return results

    def put(self, sha256: str, html: bool, meta: dict, extraction: dict) -> None:
        if self._pruned is not None and self._pruned != self.version:  # another version writes: prune again
            self._db.execute("DELETE FROM meta WHERE key = 'pruned'")
            self._pruned = None
        self._db.execute(
            "INSERT OR REPLACE INTO entry VALUES (?, ?, ?)",
            (self._key(sha256, html), json.dumps(meta, ensure_ascii=False), json.dumps(extraction, ensure_ascii=False)),
        )
        self._pending += 1
        if self._pending >= 1000:
            self.flush()

    def known_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The SHA-256 recorded for ``path`` when its size and modification time are still the same."""
        if self._files is None:
            self._files = {row[0]: tuple(row[1:]) for row in self._db.execute("SELECT * FROM file")}
        seen = self._files.get(path)
        return seen[2] if seen is not None and seen[:2] == (size, mtime_ns) else None

    def remember_hash(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        if self._files is not None and self._files.get(path) == (size, mtime_ns, sha256):
            return
        self._db.execute("INSERT OR REPLACE INTO file VALUES (?, ?, ?, ?)", (path, size, mtime_ns, sha256))
        if self._files is not None:
            self._files[path] = (size, mtime_ns, sha256)
        self._pending += 1
        if self._pending >= 1000:
            self.flush()

    def forget_files_except(self, paths: set[str]) -> None:
        """Drop the recorded hashes of files no longer in the corpus (keeps the table as small as the corpus)."""
        if self._files is None:
            self._files = {row[0]: tuple(row[1:]) for row in self._db.execute("SELECT * FROM file")}
        gone = [(path,) for path in self._files if path not in paths]
        if gone:
            self._db.executemany("DELETE FROM file WHERE path = ?", gone)
            for (path,) in gone:
                del self._files[path]
            self._db.commit()

    def flush(self) -> None:
        self._db.commit()
        self._pending = 0

    def clear(self) -> None:
        """Forget every entry (``kg build --full``)."""
        self._db.execute("DELETE FROM entry")
        self._db.execute("DELETE FROM file")
        self._db.execute("DELETE FROM meta")
        self._files = None
        self._pruned = None
        self._db.commit()

    def prune(self) -> int:
        """Drop entries of other pipeline versions; returns how many.

        A scan of every entry (20 ms or so for 10,000): skipped when this
        version pruned last and no other version wrote since.
        """
        if self._pruned == self.version:
            return 0
        suffix = f":{self.version}"
        cursor = self._db.execute("DELETE FROM entry WHERE substr(key, -?) != ?", (len(suffix), suffix))
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('pruned', ?)", (self.version,))
        self._pruned = self.version
        self._db.commit()
        return cursor.rowcount

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM entry").fetchone()[0]

    def is_empty(self) -> bool:
        """No entry at all (a new store): no file's bytes can be found here, whatever they hash to."""
        return self._db.execute("SELECT 1 FROM entry LIMIT 1").fetchone() is None

    def close(self) -> None:
        """Commit and close (again: nothing)."""
        if self._db is None:
            return
        self.flush()
        self._db.close()
        self._db = None

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
