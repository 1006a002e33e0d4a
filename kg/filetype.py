"""Recognize files that are not text from their first bytes, and HTML from its markup.

>>> binary_kind(b"%PDF-1.7 ...")
'PDF document'
>>> binary_kind("联建".encode()) is None
True
>>> looks_like_html("<!DOCTYPE html><html><body>x</body></html>")
True
"""

from __future__ import annotations

import re

# Magic numbers of common non-text formats found in article folders.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"PK\x03\x04", "ZIP archive (docx, xlsx, epub, ...)"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Microsoft Office (OLE) document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable (ELF)"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"%!PS", "PostScript document"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"fLaC", "FLAC audio"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
    (b"{\\rtf", "RTF document"),
)


_MAGIC_STARTS = tuple(magic for magic, _ in _MAGIC)


def binary_kind(head: bytes) -> str | None:
    """The name of the non-text format ``head`` starts with, or None."""
    if head[4:8] != b"ftyp" and not head.startswith(_MAGIC_STARTS) and head[:4] != b"RIFF":
        return None  # text: one C call instead of a loop over the magic numbers
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[head[8:12]]
    if head[4:8] == b"ftyp":
        return "MP4/HEIF media"
    return None


HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
# What a folder walk reads as articles; other files in folders are listed as skipped
# (a file named on the command line is read whatever its name).
ARTICLE_SUFFIXES = HTML_SUFFIXES | {".txt", ".text", ""}

_HTML_START = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(r"<(?:html|head|body|meta|title|div|p|br|script|style)\b[^<>]*>", re.I)


def looks_like_html(text: str) -> bool:
    """True when the text is markup: starts like a page, or its opening is dense with HTML tags."""
    head = text[:4096]
    if _HTML_START.match(head):
        return True
    return len(_HTML_TAGS.findall(head)) >= 5
