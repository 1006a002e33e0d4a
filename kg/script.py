"""Traditional to simplified Chinese characters (OpenCC ``t2s``), the one conversion every stage shares.

Kept apart from :mod:`kg.clean` so that converting one short string (a query
parameter) imports none of the text cleaners' patterns.

Most text needs no conversion at all. Whether a text does is decided from
the set of characters t2s changes, worked out from OpenCC once and kept by
:mod:`kg.datacache` (named by the installed OpenCC's data files), so a
process that meets only simplified text never loads OpenCC.

>>> to_simplified("聯建黨組織")
'联建党组织'
>>> to_simplified("联建党组织")
'联建党组织'
"""

from __future__ import annotations

import re
from functools import cache

_CJK = (range(0x3400, 0x4DC0), range(0x4E00, 0xA000), range(0xF900, 0xFB00))
# A process's first characters are tested against the set of characters (about 48 ns a character); past this
# many, one pattern of them is compiled (about 4 ms) and scans at about 5 ns a character. A process that reads a
# few articles or names (a rebuild's scan, a query parameter) never compiles it.
PATTERN_AFTER = 100_000
_tested = 0


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _opencc_signature() -> bytes | None:
    """Names, sizes and modification times of OpenCC's data files (found without importing it), or None."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "clib", "share", "opencc")
    try:
        stats = sorted((entry.name, entry.stat()) for entry in os.scandir(folder))
        return "\n".join(f"{name} {info.st_size} {info.st_mtime_ns}" for name, info in stats).encode()
    except OSError:
        return None


def _changed_by_t2s() -> list[str]:
    """Every CJK character t2s converts to another, worked out with OpenCC (one conversion of them all)."""
    chars = [chr(cp) for block in _CJK for cp in block]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    return [c for c, s in zip(chars, converted) if c != s] if len(converted) == len(chars) else chars


@cache
def _changing() -> frozenset[str]:
    signature = _opencc_signature()
    if signature is None:
        return frozenset(_changed_by_t2s())
    from kg.datacache import cached

    return frozenset(cached("t2s-characters", [signature], _changed_by_t2s))


@cache
def _traditional_chars() -> re.Pattern[str]:
    """The CJK characters t2s changes: text without any of them is left alone (a fast scan, not a conversion)."""
    return re.compile("[" + "".join(sorted(_changing())) + "]")


def _has_traditional(text: str) -> bool:
    global _tested
    if _tested < PATTERN_AFTER and _traditional_chars.cache_info().currsize == 0:
        _tested += len(text)
        return not _changing().isdisjoint(text)
    return _traditional_chars().search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional to simplified characters with OpenCC; text without a character t2s changes is returned as it is."""
    return _t2s().convert(text) if _has_traditional(text) else text
