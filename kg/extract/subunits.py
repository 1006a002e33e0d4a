"""Sub-units listed bare after their unit and 下辖 / 下设 / 设有 …: parts of that unit.

丙山边检站下辖执勤一队、执勤二队 names two teams only through the station
before the verb: each becomes a mention named by the station
(丙山边检站执勤一队) whose parent is the station, so that the nested-name rule
links it with ``sub_organization_of``. After an anaphor (该站下辖执勤一队)
the team is an anaphoric mention, named once the anaphor is resolved. A bare
team with no unit before the verb stays out.

>>> from kg.extract.lexicon import load_lexicon
>>> from kg.extract.names import find_mentions
>>> lex = load_lexicon()
>>> text = "丙山边检站下辖执勤一队、执勤二队。"
>>> [m.name for m in bare_subunits(text, find_mentions(text, lex), lex)]
['丙山边检站执勤一队', '丙山边检站执勤二队']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from kg.extract.lexicon import Lexicon
from kg.extract.names import Mention, Occupied, is_generic, made_of_generic

_MAX_PART = 6  # characters of an item's own words before its ending (执勤十一 / 出入境管理)
_PARENT_GAP = 2  # characters allowed between the unit and the verb (丙边检站目前下辖 is too far)
_SEPARATORS = "、，,和及与"


@lru_cache(maxsize=8)
def _item_re(ends: tuple[str, ...]) -> re.Pattern:
    """One list item: a few Chinese characters then a sub-unit ending (shortest first)."""
    alternation = "|".join(re.escape(e) for e in sorted(ends, key=len, reverse=True))
    return re.compile(rf"[\u4e00-\u9fff]{{1,{_MAX_PART}}}?(?:{alternation})")


def _items(text: str, pos: int, lex: Lexicon) -> list[tuple[int, int]]:
    """Spans of the list items starting at `pos` (执勤一队、执勤二队和综合科)."""
    pattern = _item_re(lex.subunit_ends)
    found = []
    while True:
        match = pattern.match(text, pos)
        if match is None:
            break
        found.append((match.start(), match.end()))
        pos = match.end()
        if pos < len(text) and text[pos] in _SEPARATORS:
            pos += 1
        else:
            break
    return found


def _plain_item(item: str, lex: Lexicon) -> bool:
    """An item naming one sub-unit, not a class (部队, 各中队, 3个中队, 边境派出所 of a list of classes)."""
    own = next((item[: -len(e)] for e in lex.subunit_ends if item.endswith(e)), item)
    return not (item in lex.generic_parts or is_generic(item, lex) or made_of_generic(own, lex))


def bare_subunits(text: str, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """New mentions for the bare sub-units listed after a unit and a sub-unit verb.

    The caller drops the bare mentions these cover.
    """
    if lex.subunit_cue_re.search(text) is None:
        return []
    by_end = sorted((m for m in mentions if m.kind in ("org", "anaphor")), key=lambda m: m.end)
    ends = [m.end for m in by_end]
    named = Occupied(len(text))
    for m in by_end:
        named.take(m.start, m.end)
    found: list[Mention] = []
    for cue in lex.subunit_cue_re.finditer(text):
        i = bisect_right(ends, cue.start())
        parent = by_end[i - 1] if i else None
        if parent is None or cue.start() - parent.end > _PARENT_GAP:
            continue
        if parent.kind == "anaphor" and parent.name:  # 该站执勤一队下辖…: too deep to name safely
            continue
        first = cue.end() + 1 if text.startswith("的", cue.end()) else cue.end()  # 下辖的执勤一队
        for start, end in _items(text, first, lex):
            item = text[start:end]
            if named.overlaps(start, end) or not _plain_item(item, lex) or (
                    lex.boundary_re.match(item) and not lex.team_re.match(item)):
                break  # a named unit (下辖丁边检站) is linked by the hierarchy cues; a class ends the list
            if parent.kind == "anaphor":
                # typed once resolved: the part of a unit is of the unit's kind
                found.append(Mention(start, end, item, "", "anaphor", "", item, anaphor=parent.anaphor, stop="subunit"))
            else:
                found.append(Mention(start, end, parent.name + item, parent.type, "org", parent.prefix, item,
                                     parent=parent, attached=True, stop="chain"))
    return found
