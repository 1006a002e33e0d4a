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
        yield from _visit(Path(raw), seen, follow_symlinks)


def _not_an_article(path: Path) -> str:
    """Why a file found in a folder is not read: its format, or a name that is not an article's."""
    try:
        with open(path, "rb") as handle:
            kind = binary_kind(handle.read(64))
    except OSError:
        kind = None
    if kind:
        return f"not text: {kind}"
    return f"not an article file ({path.suffix}): name it on the command line to read it anyway"


def _visit(path: Path, seen: set[tuple[int, int]], follow: bool, in_folder: bool = False) -> Iterator[Path | Skipped]:
    try:
        link = path.is_symlink()
        if link and not follow:
            yield Skipped(str(path), "symlink not followed")
            return
        info = path.stat()
    except OSError as exc:
        yield Skipped(str(path), _reason(path, exc))
        return
    key = (info.st_dev, info.st_ino)
    if stat.S_ISDIR(info.st_mode):
        if key in seen:
            # A folder reached again through a link: a loop is reported, a second route is not.
            if link and _is_ancestor_link(path):
                yield Skipped(str(path), "symlink loop")
            return
        seen.add(key)
        yield from _visit_dir(path, seen, follow)
        return
    if key in seen:
        return  # the same file through another name or link
    seen.add(key)
    if not stat.S_ISREG(info.st_mode):
        yield Skipped(str(path), "not a regular file")
    elif not os.access(path, os.R_OK):
        yield Skipped(str(path), "permission denied")
    elif in_folder and path.suffix.lower() not in ARTICLE_SUFFIXES:
        yield Skipped(str(path), _not_an_article(path))
    else:
        yield path


def _visit_dir(folder: Path, seen: set[tuple[int, int]], follow: bool) -> Iterator[Path | Skipped]:
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError as exc:
        yield Skipped(str(folder), _reason(folder, exc))
        return
    for name in names:
        if not is_ignored(name):
            yield from _visit(folder / name, seen, follow, in_folder=True)


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
