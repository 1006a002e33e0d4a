"""Coordinated lists that share a suffix or a place.

- 与江苏泰州、浙江温州、上海外高桥边检站 → three stations (泰州边检站, alias 江苏泰州边检站 …);
- 湖南、浙江、广东等商会党支部 → three Party branches;
- 铜陵海关、海事、公安 → 铜陵海事 and 铜陵公安, marked implicit (the place is inferred).

>>> from kg.extract.lexicon import load_lexicon
>>> from kg.extract.names import find_mentions
>>> lex = load_lexicon(); text = "与江苏泰州、浙江温州边检站共建"
>>> sorted(m.name for m in expand_lists(text, find_mentions(text, lex), lex))
['泰州边检站']
"""

from __future__ import annotations

import re

from kg.extract.lexicon import Lexicon
from kg.extract.names import Mention, _place_spans, is_cjk, is_placeish, place_spans

MAX_ITEM = 8
_LIST_END = re.compile(r"[、，,。；;]|等|部门|单位|机关|和|及|以及|$")
_SEPARATORS = "、"


def split_province(part: str, lex: Lexicon) -> str:
    """The name part without a leading province when more follows (江苏泰州 → 泰州)."""
    for province in lex.province_short:
        rest = part[len(province) :]
        if part.startswith(province) and len(rest) >= 2:
            return rest[1:] if rest[0] in "省市" and len(rest) >= 3 else rest
    return part


def _items_before(text: str, pos: int, lex: Lexicon) -> list[tuple[int, int]]:
    """Spans of the list items separated by 、 that end right before `pos` (a 、 or 等)."""
    items = []
    while pos > 0 and text[pos - 1] in _SEPARATORS + "等":
        end = pos - 1
        start = end
        while start > 0 and end - start < MAX_ITEM and is_cjk(text[start - 1]):
            start -= 1
        part = text[start:end]
        places = _place_spans(part, lex.shielded)
        cut = 0
        for match in lex.boundary_re.finditer(part):
            if not any(a <= match.start() < b for a, b in places):
                cut = match.end()
        start += cut
        if not is_placeish(text[start:end], lex) or lex.suffix_re.search(text, start, end):
            break
        items.append((start, end))
        if cut:
            break
        pos = start
    return items[::-1]


def _with_province(mention: Mention, lex: Lexicon) -> None:
    short = split_province(mention.prefix, lex)
    if short != mention.prefix:
        mention.aliases.add(mention.name)
        mention.name = short + mention.name[len(mention.prefix) :]
        mention.prefix = short


def _shared_suffix(text: str, mention: Mention, lex: Lexicon) -> list[Mention]:
    """Items before a full name share its suffix (江苏泰州、浙江温州、上海外高桥边检站)."""
    if mention.start == 0 or text[mention.start - 1] != "、" or not is_placeish(mention.prefix, lex):
        return []
    found = []
    tail = mention.name[len(mention.prefix) :]
    items = _items_before(text, mention.start, lex)
    head = _shared_head(text[items[0][0] : items[0][1]], lex) if items else ""
    for start, end in items:
        part = text[start:end]
        item = Mention(start, end, part + tail, mention.type, "org", part, mention.suffix, stop="list")
        if head and not part.startswith(head):  # 丹崖市福建、浙江商会: 浙江 shares 丹崖市
            item.aliases.add(item.name)
            item.name, item.prefix = head + item.name, head + part
        _with_province(item, lex)
        found.append(item)
    if found and head and not mention.prefix.startswith(head):
        mention.aliases.add(mention.name)
        mention.name, mention.prefix = head + mention.name, head + mention.prefix
    elif found:
        _with_province(mention, lex)
    return found


def _shared_head(first: str, lex: Lexicon) -> str:
    """The city or county that heads the first item of a list (丹崖市 in 丹崖市福建), or ''."""
    for i, char in enumerate(first[:-1]):
        if i >= 1 and char in "市县区旗州" and place_spans(first[i + 1 :], lex):
            return first[: i + 1]
    return ""


def _shared_before_deng(text: str, mention: Mention, chain_end: Mention, lex: Lexicon) -> list[Mention]:
    """湖南、浙江、广东等商会党支部: each item takes the whole suffix chain."""
    if mention.stop != "等" or mention.start < 2 or text[mention.start - 1] != "等":
        return []
    tail = text[mention.start : chain_end.end]
    return [
        Mention(start, end, text[start:end] + tail, chain_end.type, "org", text[start:end], tail, stop="list")
        for start, end in _items_before(text, mention.start, lex)
    ]


_JOINTS = ("、", "以及", "和", "及")
_JOINT_STARTS = tuple(sorted({j[0] for j in _JOINTS}))


def bare_after(text: str, mention: Mention, lex: Lexicon) -> list[Mention]:
    """铜陵海关、海事、公安: bare unit words after a full name share its place (implicit)."""
    if not mention.prefix or not is_placeish(mention.prefix, lex):
        return []
    found = []
    pos = mention.end
    while True:
        joint = next((j for j in _JOINTS if text.startswith(j, pos)), None)
        if joint is None:
            break
        start = pos + len(joint)
        for skip in ("当地的", "驻地的", "当地", "驻地"):
            if text.startswith(skip, start):
                start += len(skip)
                break
        match = lex.bare_re.match(text, start)
        if match is None:
            break
        if joint != "、" and not _LIST_END.match(text, match.end()):
            break  # 铜陵海关和公安民警: only a list ending (部门, 等, 、) makes 公安 a unit here
        word = match.group()
        head = mention.prefix[:-1] if mention.prefix.endswith(word[0]) and word[0] in "省市县区" else mention.prefix
        found.append(Mention(match.start(), match.end(), head + word, lex.bare_units[word], "org",
                             mention.prefix, word, implicit=True, stop="list"))
        pos = match.end()
    return found


def expand_lists(text: str, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """New mentions for the items of coordinated lists (existing mentions may lose a province)."""
    found: list[Mention] = []
    last_of_chain: dict[int, Mention] = {}
    # only _shared_before_deng reads it; a mention stopped by 等 needs a 等 in the text (a fast first look)
    if "等" in text and any(m.kind == "bare" and m.stop == "等" for m in mentions):
        for m in mentions:
            root = m
            while root.parent is not None and root.attached:
                root = root.parent
            last_of_chain[id(root)] = m
    for m in mentions:
        if m.kind == "org" and not m.attached:
            if m.start and text[m.start - 1] == "、":  # _shared_suffix's first condition, checked without a call
                found += _shared_suffix(text, m, lex)
            if text.startswith(_JOINT_STARTS, m.end):  # bare_after's: a list joint follows
                found += bare_after(text, m, lex)
        elif m.kind == "bare" and m.stop == "等":  # _shared_before_deng's first condition
            found += _shared_before_deng(text, m, last_of_chain.get(id(m), m), lex)
    return found
