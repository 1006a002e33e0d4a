"""Traditional to simplified Chinese characters (OpenCC ``t2s``), the one conversion every stage shares.

Kept apart from :mod:`kg.clean` so that converting one short string (a query
parameter) imports none of the text cleaners' patterns.

>>> to_simplified("聯建黨組織")
'联建党组织'
>>> to_simplified("联建党组织")
'联建党组织'
"""

from __future__ import annotations

import re
from functools import cache

_CJK = (range(0x3400, 0x4DC0), range(0x4E00, 0xA000), range(0xF900, 0xFB00))


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _is_cjk(char: str) -> bool:
    return any(ord(char) in block for block in _CJK)


@cache
def _traditional_chars() -> re.Pattern[str]:
    """The CJK characters t2s changes: text without any of them is left alone (a fast scan, not a conversion)."""
    chars = [chr(cp) for block in _CJK for cp in block]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    changed = [c for c, s in zip(chars, converted) if c != s] if len(converted) == len(chars) else chars
    return re.compile("[" + "".join(changed) + "]")


# The first characters a process tests are tested one by one (memoized); past this many, the table of all the
# characters t2s changes is built (about 20 ms) and scanned at C speed. A process that cleans a few articles or
# normalizes a few names (a rebuild, a query parameter) never builds it.
TABLE_AFTER = 50_000
_changed: dict[str, bool] = {}
_tested = 0


def _has_traditional(text: str, one_off: bool) -> bool:
    global _tested
    if one_off or (_tested + len(text) <= TABLE_AFTER and _traditional_chars.cache_info().currsize == 0):
        _tested += 0 if one_off else len(text)
        changed, convert = _changed, None
        for char in text:
            known = changed.get(char)
            if known is None:
                convert = convert or _t2s().convert
                known = changed[char] = _is_cjk(char) and convert(char) != char
            if known:
                return True
        return False
    return _traditional_chars().search(text) is not None


def to_simplified(text: str, *, one_off: bool = False) -> str:
    """Traditional to simplified characters with OpenCC; text without a character t2s changes is returned as it is.

    A process's first :data:`TABLE_AFTER` characters are tested one by one;
    after them, one pattern of all the characters t2s changes is built and
    scanned. ``one_off=True`` always tests one by one. Both ways give the same
    result.
    """
    return _t2s().convert(text) if _has_traditional(text, one_off) else text
