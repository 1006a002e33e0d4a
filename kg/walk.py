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
from operator import attrgetter
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
    for item in iter_article_stats(paths, follow_symlinks=follow_symlinks):
        yield item if isinstance(item, Skipped) else Path(item[0])


def iter_article_stats(paths: Iterable[str | Path], *, follow_symlinks: bool = True
                       ) -> Iterator[tuple[str, os.stat_result] | Skipped]:
    """:func:`iter_article_files` as (path string, its stat) pairs: what a build needs, one stat a file.

    The path is spelled as ``str(Path(...))`` of the Path the other yields.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "a.txt").write_text("青山边检站")
    >>> [(p == str(root / "a.txt"), info.st_size) for p, info in iter_article_stats([root])]
    [(True, 15)]
    """
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        yield from _visit(str(Path(raw)), seen, follow_symlinks)


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
# stats every file once; only iter_article_files makes a Path (one per article).
def _visit(path: str, seen: set[tuple[int, int]], follow: bool, in_folder: bool = False,
           entry: os.DirEntry | None = None) -> Iterator[tuple[str, os.stat_result] | Skipped]:
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
    found = _file(path, info, seen, in_folder)
    if found is not None:
        yield found


def _visit_dir(folder: str, seen: set[tuple[int, int]], follow: bool
               ) -> Iterator[tuple[str, os.stat_result] | Skipped]:
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=attrgetter("name"))
    except OSError as exc:
        yield Skipped(folder, _reason(Path(folder), exc))
        return
    prefix = "" if folder == "." else folder if folder.endswith("/") else folder + "/"
    access, readable, regular, owner_reads = os.access, os.R_OK, stat.S_ISREG, stat.S_IRUSR
    # A file of ours that our mode bits let us read is readable (no ACL or capability takes that away; a
    # security module might, and reading the file then reports it): os.access, a system call a file, took a
    # fifth of a walk. Anyone else's file asks the kernel.
    me = os.geteuid() if hasattr(os, "geteuid") else None
    for entry in entries:
        name = entry.name
        suffix = _suffix(name).lower()
        # is_ignored only for names that may be (a leading "." or "#", a trailing "~", a backup suffix, litter).
        if (name[0] in ".#" or name[-1] == "~" or suffix in _BACKUP or name in SYSTEM_FILES) and is_ignored(name):
            continue
        path = prefix + name
        # The common case inline (a plain article file, no link): a generator per file cost a third of a walk.
        if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
            yield from _visit(path, seen, follow, in_folder=True, entry=entry)
            continue
        try:
            info = entry.stat()
        except OSError as exc:
            yield Skipped(path, _reason(Path(path), exc))
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            continue  # the same file through another name or link
        seen.add(key)
        if regular(info.st_mode) and suffix in ARTICLE_SUFFIXES and (
                (info.st_uid == me and info.st_mode & owner_reads) or access(path, readable)):
            yield path, info
        else:
            yield _skipped(path, info, True) or (path, info)  # (readable after all: its mode changed meanwhile)


_BACKUP = frozenset(BACKUP_SUFFIXES)


def _file(path: str, info: os.stat_result, seen: set[tuple[int, int]], in_folder: bool
          ) -> tuple[str, os.stat_result] | Skipped | None:
    """A file reached by the walk: (path, stat), the reason it is skipped, or None when reached before."""
    key = (info.st_dev, info.st_ino)
    if key in seen:
        return None  # the same file through another name or link
    seen.add(key)
    return _skipped(path, info, in_folder) or (path, info)


def _skipped(path: str, info: os.stat_result, in_folder: bool) -> Skipped | None:
    """Why a file is not read (checked in this order), or None."""
    if not stat.S_ISREG(info.st_mode):
        return Skipped(path, "not a regular file")
    if not os.access(path, os.R_OK):
        return Skipped(path, "permission denied")
    if in_folder and _suffix(os.path.basename(path)).lower() not in ARTICLE_SUFFIXES:
        return Skipped(path, _not_an_article(path))
    return None


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
