"""Local bodies named without their place (市委, 旗委、政府) take the place the article is about.

A bare 旗委 after a paragraph about 新巴尔虎左旗 is that banner's committee:
the nearest earlier place of the same level (the same last character) gives
the name, and the entity is marked implicit.

>>> from kg.extract.lexicon import load_lexicon
>>> from kg.extract.names import find_mentions
>>> lex = load_lexicon(); text = "景洪市地处边疆。市委按照标准下拨经费。"
>>> [m.name for m in local_bodies(text, find_mentions(text, lex), lex)]
['景洪市委']
"""

from __future__ import annotations

from kg.extract.lexicon import Lexicon
from kg.extract.lists import bare_after
from kg.extract.names import Mention, place_spans

LOOK_BACK = 600  # characters searched before the bare word for its place
_LEVELS = "省市县区旗州盟"


def _nearest_place(text: str, pos: int, level: str, lex: Lexicon) -> str | None:
    start = max(0, pos - LOOK_BACK)
    window = text[start:pos]
    best = None
    for a, b in place_spans(window, lex):
        if window[a:b].endswith(level) and b - a >= 3:
            best = window[a:b]
    return best


def local_bodies(text: str, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """Implicit mentions for bare level bodies (市委, 县政府 …) and the bare units listed after them."""
    found = []
    for m in mentions:
        if m.kind != "bare" or m.stop in ("generic", "untrusted", "too-long", "no-keyword"):
            continue
        if lex.suffix_type.get(m.suffix) != "Government" or m.suffix[0] not in _LEVELS:
            continue
        place = _nearest_place(text, m.start, m.suffix[0], lex)
        if place is None:
            continue
        core = place[:-1]
        body = Mention(m.start, m.end, core + m.suffix, "Government", "org", place, m.suffix,
                       implicit=True, stop="inferred")
        found.append(body)
        found += bare_after(text, body, lex)
    return found
