"""Local bodies named without their place (市委, 旗委、政府) take the place the article is about.

A bare 旗委 after a paragraph about 新巴尔虎左旗 is that banner's committee:
the nearest earlier place of the same level (the same last character) gives
the name, and the entity is marked implicit.

>>> from kg.extract.lexicon import load_lexicon
>>> from kg.extract.names import find_mentions
>>> lex = load_lexicon(); text = "孟连县地处边疆。县委按照标准下拨经费。"
>>> [m.name for m in local_bodies(text, find_mentions(text, lex), lex)]
['孟连县委']
"""

from __future__ import annotations

from kg.extract.lexicon import Lexicon
from kg.extract.lists import bare_after
from kg.extract.names import Mention, _lengths_by_ending, _name_part_start, is_generic, made_of_generic

LOOK_BACK = 600  # characters searched before the bare word for its place
_LEVELS = "省市县区旗州盟"
_WHOLE_NAME_LEVELS = "旗盟"


def _nearest_place(text: str, pos: int, level: str, lex: Lexicon) -> str | None:
    """The last place of `level` (3 characters or more) among the place spans of the window before `pos`.

    The spans are segmented from the right (see ``names._place_spans``), so the first
    such place the segmentation meets is the answer: the rest of the window is not read.
    """
    start = max(0, pos - LOOK_BACK)
    window = text[start:pos]
    places = lex.places
    lengths_ending = _lengths_by_ending(places).get
    if not _some_place_ends_with(window, level, places, lengths_ending):
        return None  # the usual case: no walk over the whole window
    j = len(window)
    while j > 1:  # the loop of names._place_spans, stopping at the first fitting span
        for length in lengths_ending(window[j - 2 : j], ()):
            if length <= j and window[j - length : j] in places:
                if length >= 3 and window.endswith(level, j - length, j):
                    return window[j - length : j]
                j -= length
                break
        else:
            j -= 1
    return None


def _some_place_ends_with(window: str, level: str, places: frozenset[str], lengths_ending) -> bool:
    """Is a place of 3 characters or more that ends with `level` written in `window`? (A necessary
    condition of a result of _nearest_place, tested only where `level` is.)"""
    j = window.find(level) + 1
    while j:
        for length in lengths_ending(window[j - 2 : j], ()):
            if 3 <= length <= j and window[j - length : j] in places:
                return True
        j = window.find(level, j) + 1
    return False


_TOWN_LEVELS = "镇乡"
TOWN_LOOK_BACK = 300


def _nearest_town(text: str, pos: int, level: str, lex: Lexicon) -> str | None:
    """在敬信镇，镇党委…: the last named town (乡, 镇) written before `pos`."""
    idx = text.rfind(level, max(0, pos - TOWN_LOOK_BACK), pos)
    while idx > 0:
        head, _ = _name_part_start(text, idx, 0, lex)
        name = text[head:idx]
        if 2 <= len(name) <= 4 and not is_generic(name, lex) and not made_of_generic(name, lex):
            return name + level
        idx = text.rfind(level, max(0, pos - TOWN_LOOK_BACK), idx)
    return None


def _town_body(text: str, m: Mention, lex: Lexicon) -> Mention | None:
    """镇党委 / 乡政府 written with the level alone: the town of the paragraph."""
    at = m.end - len(m.suffix)  # where the suffix starts (a generic bare mention starts at its part)
    if at < 1 or text[at - 1] not in _TOWN_LEVELS:
        return None
    if at >= 2 and "\u4e00" <= text[at - 2] <= "\u9fff" and text[at - 2] not in "该本":
        return None  # 敬信镇党委 written out, or 乡镇党委 (a class): not a bare level word
    town = _nearest_town(text, at - 1, text[at - 1], lex)
    if town is None or not m.type:
        return None
    return Mention(at - 1, m.end, town + m.suffix, m.type, "org", town, m.suffix, implicit=True, stop="inferred")


def local_bodies(text: str, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """Implicit mentions for bare level bodies (市委, 县政府, 镇党委 …) and the bare units listed after them."""
    found = []
    for m in mentions:
        if m.kind != "bare":
            continue  # (the rules below are for bare unit words only)
        at = m.end - len(m.suffix)
        if at >= 1 and text[at - 1] in _TOWN_LEVELS:  # _town_body's first condition, without a call
            body = _town_body(text, m, lex)
            if body is not None:
                found.append(body)
                continue
        if m.kind != "bare" or m.stop in ("generic", "untrusted", "too-long", "no-keyword"):
            continue
        if lex.suffix_type.get(m.suffix) != "Government" or m.suffix[0] not in _LEVELS:
            continue
        place = _nearest_place(text, m.start, m.suffix[0], lex)
        if place is None:
            continue
        # 景洪市 + 市委 → 景洪市委; banners keep their name whole (新巴尔虎左旗 + 旗委 → 新巴尔虎左旗旗委)
        short, full = place[:-1] + m.suffix, place + m.suffix
        name, alias = (full, short) if place[-1] in _WHOLE_NAME_LEVELS else (short, full)
        body = Mention(m.start, m.end, name, "Government", "org", place, m.suffix, implicit=True, stop="inferred")
        body.aliases.add(alias)
        found.append(body)
        found += bare_after(text, body, lex)
    return found
