"""Find article files under the paths a user names, in a stable order, reporting what cannot be read.

Folders are walked depth first, entries sorted by name. Hidden files and
folders (``.git``, ``.DS_Store``) and editor backups (``a.txt~``, ``#a.txt#``,
``a.swp``) found inside folders are left out; a path named explicitly is
always considered. Every file is reached once, even through several symlinks.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("b.txt", "a.html", ".hidden", "c.txt~"):
...     _ = (root / name).write_text("x")
>>> [p.name for p in iter_article_files([root])]
['a.html', 'b.txt']
>>> list(iter_article_files([root / "missing.txt"]))[0].reason
'no such file or directory'
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.model import Skipped
from kg.filetype import ARTICLE_SUFFIXES, binary_kind

BACKUP_SUFFIXES = (".swp", ".swo", ".swx", ".bak", ".orig", ".rej", ".tmp", ".part", ".crdownload")
SYSTEM_FILES = frozenset({"Thumbs.db", "desktop.ini", "Icon\r"})


def is_ignored(name: str) -> bool:
    """Hidden files, editor backups and operating-system litter.

    >>> [is_ignored(n) for n in (".git", "a.txt~", "#a.txt#", "a.txt.bak", "a.txt")]
    [True, True, True, True, False]
    """
    return (
        name.startswith(".")
        or name.endswith("~")
        or (name.startswith("#") and name.endswith("#"))
        or name.lower().endswith(BACKUP_SUFFIXES)
        or name in SYSTEM_FILES
    )


def iter_article_files(paths: Iterable[str | Path], *, follow_symlinks: bool = True) -> Iterator[Path | Skipped]:
    """Yield each readable regular file under ``paths`` as a Path, and a Skipped record for the rest.

    Skipped reasons: ``no such file or directory``, ``dangling symlink``,
    ``symlink loop``, ``permission denied``, ``not a regular file``,
    ``symlink not followed`` (with ``follow_symlinks=False``).
    """
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        for item in _visit(str(Path(raw)), seen, follow_symlinks):
            yield item if isinstance(item, Skipped) else Path(item)


def _suffix(name: str) -> str:
    """``Path(name).suffix``, without making a Path (a folder of 10,000 files made 10,000 of them)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _not_an_article(path: str) -> str:
    """Why a file found in a folder is not read: its format, or a name that is not an article's."""
    try:
        with open(path, "rb") as handle:
            kind = binary_kind(handle.read(64))
    except OSError:
        kind = None
    if kind:
        return f"not text: {kind}"
    return f"not an article file ({_suffix(os.path.basename(path))}): name it on the command line to read it anyway"


# Paths are plain strings spelled as pathlib spells them (str(Path(...)), then "folder/name"): the walk
# stats every file once and builds one Path per article, instead of a few per entry.
def _visit(path: str, seen: set[tuple[int, int]], follow: bool, in_folder: bool = False,
           entry: os.DirEntry | None = None) -> Iterator[str | Skipped]:
    try:
        link = entry.is_symlink() if entry is not None else os.path.islink(path)
        if link and not follow:
            yield Skipped(path, "symlink not followed")
            return
        info = entry.stat() if entry is not None else os.stat(path)
    except OSError as exc:
        yield Skipped(path, _reason(Path(path), exc))
        return
    key = (info.st_dev, info.st_ino)
    if stat.S_ISDIR(info.st_mode):
        if key in seen:
            # A folder reached again through a link: a loop is reported, a second route is not.
            if link and _is_ancestor_link(Path(path)):
                yield Skipped(path, "symlink loop")
            return
        seen.add(key)
        yield from _visit_dir(path, seen, follow)
        return
    if key in seen:
        return  # the same file through another name or link
    seen.add(key)
    if not stat.S_ISREG(info.st_mode):
        yield Skipped(path, "not a regular file")
    elif not os.access(path, os.R_OK):
        yield Skipped(path, "permission denied")
    elif in_folder and _suffix(os.path.basename(path)).lower() not in ARTICLE_SUFFIXES:
        yield Skipped(path, _not_an_article(path))
    else:
        yield path


def _visit_dir(folder: str, seen: set[tuple[int, int]], follow: bool) -> Iterator[str | Skipped]:
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError as exc:
        yield Skipped(folder, _reason(Path(folder), exc))
        return
    prefix = "" if folder == "." else folder if folder.endswith("/") else folder + "/"
    for entry in entries:
        if not is_ignored(entry.name):
            yield from _visit(prefix + entry.name, seen, follow, in_folder=True, entry=entry)


def _is_ancestor_link(path: Path) -> bool:
    """True when a symlinked folder points at itself or one of the folders that contain it."""
    try:
        target = path.resolve()
        return path.parent.resolve().is_relative_to(target)
    except (OSError, RuntimeError):
        return True


def _reason(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "dangling symlink" if path.is_symlink() else "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"
