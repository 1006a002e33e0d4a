"""Read one article file into an ``Article``: decode, HTML to text, clean, drop furniture, read metadata.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_bytes("青山邊檢站與青山海關簽訂聯建協議\\n2023年4月6日 來源:某某日報\\n正文。".encode("big5"))
>>> article = read_article(folder / "a.txt")
>>> article.title, article.date, article.source, article.encoding
('青山边检站与青山海关签订联建协议', '2023-04-06', '某某日报', 'big5')
>>> article.text
'青山边检站与青山海关签订联建协议\\n正文。'
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from kg.boilerplate import Rules, classify, load_rules, strip_furniture
from kg.clean import clean_lines, clean_text
from kg.encoding import Decoded, NotText, decode
from kg.filetype import HTML_SUFFIXES, looks_like_html
from kg.model import Article
from kg.textmeta import find_source, find_title, parse_date

if TYPE_CHECKING:
    from kg.htmltext import HtmlPage

DEFAULT_MAX_BYTES = 50_000_000
HEADER_LINES = 12  # the dateline, outlet and headline sit in the first lines
HEADER_LINE_CHARS = 100  # a longer line is the first paragraph: the header ends there
SHORT_LINE_CHARS = 40


class SkipFile(Exception):
    """A file that is not a readable article; ``reason`` says why (``str(exc)`` too)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_article(path: str | Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Article:
    """Read, decode and clean one article file, or raise SkipFile.

    ``max_bytes`` refuses larger files before reading them (None: no limit).
    """
    path = path if isinstance(path, Path) else Path(path)  # Path(a Path) parses it again
    data = read_bytes(path, max_bytes=max_bytes)
    sha256, decoded, html = _decode_article(data, path, None)
    del data  # a big file's bytes go before its text is cleaned: one of them alive at a time, not both
    return _article(path, sha256, decoded, html)


def read_bytes(path: Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes; never reads more than ``max_bytes + 1`` of them."""
    name = os.fspath(path)
    try:
        _check_regular(os.stat(name), max_bytes)  # refuse before opening
        # O_NONBLOCK: a file swapped for a FIFO after the check must not hang the open.
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(fd)
            _check_regular(info, max_bytes)
            data = _read_fd(fd, info.st_size, None if max_bytes is None else max_bytes + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise SkipFile(_os_reason(exc)) from exc
    _check_size(len(data), max_bytes)  # the file may have grown since stat
    return data


READ_CHUNK = 1 << 16


def _read_fd(fd: int, size: int, limit: int | None) -> bytes:
    """Everything up to ``limit`` bytes (None: all) from ``fd``, whose size was ``size`` at fstat.

    Plain os.read calls of about the file's size: a buffered read(limit) allocates ``limit``
    bytes first (50 MB by default), which cost more than reading a short article.
    """
    chunks: list[bytes] = []
    total = 0
    while limit is None or total < limit:
        want = max(size - total + 1, READ_CHUNK)  # one byte more than expected: a file that grew is seen
        chunk = os.read(fd, want if limit is None else min(want, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _check_regular(info: os.stat_result, max_bytes: int | None) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise SkipFile("a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file")
    _check_size(info.st_size, max_bytes)


def _check_size(size: int, max_bytes: int | None) -> None:
    if size == 0:
        raise SkipFile("empty file")
    if max_bytes is not None and size > max_bytes:
        raise SkipFile(f"larger than the {max_bytes:,}-byte limit ({size:,} bytes)")


def _os_reason(exc: OSError) -> str:
    reasons = {
        errno.ENOENT: "no such file",
        errno.ELOOP: "symlink loop",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "a directory",
    }
    return reasons.get(exc.errno or 0, f"cannot read: {exc.strerror or exc}")


def article_from_bytes(data: bytes, *, path: str | Path, html: bool | None = None) -> Article:
    """Build an Article from raw bytes; ``html`` None means: decide from the suffix and the content."""
    path = Path(path)
    return _article(path, *_decode_article(data, path, html))


def _decode_article(data: bytes, path: Path, html: bool | None) -> tuple[str, Decoded, bool]:
    """(sha256 hex, decoded text, whether it is HTML) of a file's bytes, or SkipFile."""
    if not data:
        raise SkipFile("empty file")
    suffix_html = path.suffix.lower() in HTML_SUFFIXES
    declared = None
    if html or suffix_html or b"<" in data[:1024]:
        from kg.htmltext import declared_charset  # with selectolax: imported once an article may be HTML

        declared = declared_charset(data)
    try:
        decoded = decode(data, declared=declared)
    except NotText as exc:
        raise SkipFile(exc.reason) from exc
    is_html = bool(html or (html is None and (suffix_html or looks_like_html(decoded.text))))
    return hashlib.sha256(data).hexdigest(), decoded, is_html


def _article(path: Path, sha256: str, decoded: Decoded, html: bool) -> Article:
    page = None
    text = decoded.text
    decoded.text = ""  # ``text`` holds it now: released as soon as cleaning is done with it
    if html:
        from kg.htmltext import html_to_text

        page = html_to_text(text)
        text = page.text
    body, title, date, source = clean_article_text(text, page)
    del text
    if not body:
        raise SkipFile("no text left after cleaning")
    return Article(
        path=str(path),
        file_name=path.name,
        sha256=sha256,
        text=body,
        title=title,
        date=date,
        source=source,
        encoding=decoded.encoding,
        warnings=decoded.warnings,
    )


def clean_article_text(
    text: str, page: HtmlPage | None = None, rules: Rules | None = None
) -> tuple[str, str | None, str | None, str | None]:
    """(clean text without furniture, title, ISO date, outlet) of decoded article text."""
    rules = rules or load_rules()
    lines = clean_lines(text)
    kinds = [classify(line, rules) for line in lines]
    header = list(_header(lines))
    furniture = [line for line, kind in zip(header, kinds) if kind]
    meta_title = _one_line(page.title) if page else None
    source = _one_line(page.source) if page else None
    source = source or _first(find_source, furniture)
    date = parse_date(page.date) if page and page.date else None
    date = date or _first(parse_date, furniture + [line for line in header if len(line) <= SHORT_LINE_CHARS])
    stripped = strip_furniture(lines, rules, outlet=source, kinds=kinds)
    removed = [line for _, line in stripped.removed]
    source = source or _first(find_source, removed) or (_one_line(page.site) if page else None)
    date = date or _first(parse_date, removed)
    header_furniture = set(furniture)
    title = meta_title or find_title(header, header_furniture.__contains__, source)
    kept = stripped.lines
    if meta_title and meta_title not in kept[:5]:
        kept = [meta_title, *kept]
    return "\n".join(kept), title, date, source


def _header(lines: list[str]):
    for line in islice(lines, HEADER_LINES):
        yield line
        if len(line) > HEADER_LINE_CHARS:
            return


def _first(find, lines):
    return next((found for found in map(find, lines) if found), None)


def _one_line(text: str | None) -> str | None:
    if not text:
        return None
    return clean_text(text).replace("\n", " ") or None


__all__ = ["SkipFile", "read_article", "read_bytes", "article_from_bytes", "clean_article_text", "DEFAULT_MAX_BYTES"]
