"""Organization mentions from the grammar of Chinese unit names.

A name is [place / name part] + unit suffix (铜陵 + 海关). The name part is
found by walking left from the suffix over Chinese characters and stopping at
the last boundary word (verb, preposition, conjunction, list mark) that is not
inside a known place name. Units written one after another form a chain
(厦门出入境边防检查总站 + 东渡边检站 + 一队): each level is a mention and
keeps a link to its parent.

>>> from kg.extract.lexicon import load_lexicon
>>> [m.name for m in find_mentions("我们与铜陵海关共建。", load_lexicon()) if m.kind == "org"]
['铜陵海关']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

from kg.extract.lexicon import KEYWORD_TYPED, NATIONAL, Lexicon
from kg.extract.sentences import book_title_spans, quote_spans

MAX_NAME_PART = 10  # characters scanned left of a suffix before giving up on a boundary
LONG_NAME_PART = 7  # a longer name part must start with a known place to be trusted
# Words between a parent unit and its own part that keep the parent's name (…机关党委).
_ATTACH_GAPS = ("机关", "执勤", "驻", "直属", "所属", "下属")
_NAME_ENDS_BEFORE_CHAR = "省市县区旗盟州乡镇"  # place levels: what follows them starts a new name


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


@dataclass(slots=True)  # many are made per article: slots make them cheaper
class Mention:
    """One occurrence of something that may name an organization."""

    start: int
    end: int
    name: str
    type: str
    kind: str  # org | bare (suffix alone) | partial (chain on a bare suffix) | anaphor
    prefix: str = ""  # the own name part before the suffix (the place part)
    suffix: str = ""
    parent: Mention | None = None  # the enclosing unit (厦门…总站 for 东渡边检站)
    attached: bool = False  # the name includes the parent's name
    stop: str = ""  # what ended the name part on the left: a boundary word, "edge", "chain"
    anaphor: str = ""  # 该站 in 该站执勤一队
    implicit: bool = False
    quoted: bool = False
    aliases: set[str] = field(default_factory=set)
    group_of_sentence: bool = False  # named group whose parent is the sentence's subject
    entity: str | None = None  # filled by the pipeline


_END = attrgetter("end")
_START = attrgetter("start")


def sort_by_position(mentions: list[Mention]) -> list[Mention]:
    """Sort in place in reading order, the longer of two at one start first: the order of the key
    (start, -end), by two stable sorts on C-level keys (a Python key function costs more). Returns the list.

    >>> [m.name for m in sort_by_position([Mention(3, 5, "乙", "", "bare"), Mention(0, 5, "甲乙", "", "org"),
    ...                                     Mention(0, 2, "甲", "", "bare")])]
    ['甲乙', '甲', '乙']
    """
    mentions.sort(key=_END, reverse=True)  # reverse keeps equal keys in their order (stable)
    mentions.sort(key=_START)
    return mentions


class _Spans:
    """Fast membership test for a sorted list of non-overlapping spans."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.starts = [s for s, _ in spans]
        self.spans = spans

    def find(self, pos: int) -> tuple[int, int] | None:
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]:
            return self.spans[i]
        return None


def place_spans(part: str, lex: Lexicon) -> list[tuple[int, int]]:
    """Known place names inside a short string (longest at each position)."""
    return list(_place_spans(part, lex.places))


@lru_cache(maxsize=65536)
def _place_spans(part: str, places: frozenset[str]) -> tuple[tuple[int, int], ...]:
    # Matched from the right: a name part is anchored on its suffix, so 同江苏泰州
    # reads 同|江苏|泰州 (the connector 同 stays free), not 同江|苏泰州.
    spans = []
    j = len(part)
    lengths_ending = _lengths_by_ending(places).get
    while j > 1:
        # Only the lengths of places ending with these two characters are tried (most positions: none).
        for length in lengths_ending(part[j - 2 : j], ()):
            if length <= j and part[j - length : j] in places:
                spans.append((j - length, j))
                j -= length
                break
        else:
            j -= 1
    return tuple(reversed(spans))


@lru_cache(maxsize=8)
def _lengths_by_ending(places: frozenset[str]) -> dict[str, tuple[int, ...]]:
    """Last two characters → lengths (2 to 8, longest first) of the places ending with them."""
    lengths: dict[str, set[int]] = {}
    for place in places:
        if 2 <= len(place) <= 8:
            lengths.setdefault(place[-2:], set()).add(len(place))
    return {ending: tuple(sorted(found, reverse=True)) for ending, found in lengths.items()}


def starts_with_place(part: str, lex: Lexicon) -> bool:
    spans = _place_spans(part, lex.places)  # the cached tuple itself: no list copy for a yes or no
    return bool(spans) and spans[0][0] == 0


def is_placeish(part: str, lex: Lexicon) -> bool:
    """A list item that names a place (泰州, 浙江温州, 勐龙镇)."""
    return bool(part) and (bool(_place_spans(part, lex.places)) or part.endswith(lex.place_markers))


def _name_part_start(text: str, start: int, floor: int, lex: Lexicon) -> tuple[int, str]:
    """Where the name part before `start` begins, and what stopped it (find_mentions has it inlined)."""
    limit = max(floor, start - MAX_NAME_PART)
    run = _CJK_TAIL.search(text, limit, start)
    i = run.start() if run else start
    cut, word = _window_cut(text[i:start], lex)
    if cut:
        return i + cut, word
    if floor and i == floor:
        return i, "chain"
    if i == limit and i > 0 and is_cjk(text[i - 1]):
        return i, "cap"
    return i, "edge"


_CJK_TAIL = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+\Z")  # with endpos: the Chinese run ending there
_CJK_TAIL_SEARCH = _CJK_TAIL.search


class _LexiconMemo:
    """Results of a pure function of (arguments, lexicon), kept for one lexicon at a time.

    Emptied when another lexicon is used or when it has grown past ``bound`` entries.
    """

    def __init__(self, bound: int = 200_000) -> None:
        self.values: dict = {}
        self.digest = ""
        self.bound = bound

    def get(self, key, lex: Lexicon):
        return self.table(lex).get(key)

    def table(self, lex: Lexicon) -> dict:
        """The values for ``lex`` (emptied first when stale or too big): fetched once per article,
        a plain dict lookup per name after that."""
        if lex.digest != self.digest or len(self.values) > self.bound:
            self.values.clear()
            self.digest = lex.digest
        return self.values


_WINDOW_CUTS = _LexiconMemo()  # window → (cut, word)


def _window_cut(window: str, lex: Lexicon) -> tuple[int, str]:
    """(end of the last boundary word in `window` not inside a protected place, the word), or (0, "").

    Cached: the same few characters before a suffix recur across articles.
    """
    known = _WINDOW_CUTS.get(window, lex)
    if known is not None:
        return known
    matches = list(lex.boundary_re.finditer(window))
    places = _place_spans(window, lex.shielded) if matches else ()  # no boundary word: no place to protect one
    cut, word, previous_cut, previous_word = 0, "", 0, ""
    for match in matches:
        if places and any(a <= match.start() < b or a < match.end() <= b for a, b in places):
            continue
        previous_cut, previous_word, cut, word = cut, word, match.end(), match.group()
    if cut and len(word) == 1 and len(window) - cut == 1 and not window[cut:].startswith(lex.generic_starts) and (
            word not in lex.never_name_starts) and (
            cut == previous_cut + 1 or (
            cut >= 2 and window[cut - 2] in _NAME_ENDS_BEFORE_CHAR)):
        # 与等秀村, 弄岛镇等秀村: a one-character name part after a one-character boundary that
        # itself follows a boundary or a place word makes a two-character name (等秀); a
        # connector or preposition is never absorbed so (与己海关 is 与 + a too short 己海关)
        cut, word = previous_cut, previous_word
    _WINDOW_CUTS.values[window] = (cut, word)
    return cut, word


def _strip_modifiers(part: str, lex: Lexicon) -> str:
    match = lex.modifiers_re.match(part)
    return part[match.end() :] if match else part


def _trusted(part: str, places, lex: Lexicon) -> bool:
    """A name part is trusted when short, or when it has a place, a place word or a national prefix."""
    if len(part) == 2 and part.endswith(lex.place_markers) and part not in lex.places:
        return False  # 任镇: one character before a place word is a verb or a class, not a name
    return (
        len(part) <= lex.plain_name_max
        or bool(places)
        or part.endswith(lex.place_markers)
        or any(marker in part for marker in lex.place_markers if len(marker) > 1)
        or any(part.find(marker, 2) != -1 for marker in lex.place_markers)  # 澄湾镇渔业
        or part.startswith(lex.national_prefixes)
        or any(word in part for word in lex.function_words)
    ) and len(part) <= LONG_NAME_PART


def made_of_generic(part: str, lex: Lexicon) -> bool:
    """边境乡村, 边境乡镇: a name part made only of class words names a class (places excepted)."""
    if not part or starts_with_place(part, lex):
        return False
    return _made_of(part, lex.generic_parts)


@lru_cache(maxsize=65536)
def _made_of(part: str, words: frozenset[str]) -> bool:
    ok = [True] + [False] * len(part)
    for end in range(1, len(part) + 1):
        ok[end] = any(ok[start] and part[start:end] in words for start in range(max(0, end - 4), end))
    return ok[-1]


_COUNTED = re.compile(r"^[0-9一二三四五六七八九十两几数多百千万余]+[个家支名所座批类级次处条项户]")


def is_generic(part: str, lex: Lexicon) -> bool:
    """各单位, 该站, 三家商会, 一次村企…: determiners and counted classes."""
    return part.startswith(lex.generic_starts) or _COUNTED.match(part) is not None


def is_honour(text: str, start: int, end: int, content: str, lex: Lexicon) -> bool:
    """A quoted title given as an honour (被授予“模范边检站”称号)."""
    return (
        content.startswith(lex.honour_words)
        or lex.honour_re.search(text, max(0, start - 8), max(0, start)) is not None
        or text.startswith(("称号", "荣誉", "奖"), end)
    )


def _suffix_hits(text: str, lex: Lexicon, titles: _Spans) -> list[tuple[int, int, str, str]]:
    """(start, end, suffix, type) of unit suffixes, leftmost-longest, outside book titles.

    One scan finds suffixes, national function names (公安部) and central organs
    (国务院): a national body is a hit of its own whose suffix is the whole name,
    its type prefixed with NATIONAL. Alliance suffixes only count inside quotes
    (see _quoted_mentions): here they only keep other suffixes from matching inside them.
    """
    hits = []
    size = len(text)
    scan_type, guards = lex.scan_type, _guards(lex)
    vocabulary, lengths = lex.scan_vocabulary, lex.scan_lengths
    free = 0
    for start, minus_size in _word_occurrences(text, lex):  # scan_words, inlined: one loop, not two
        if start < free:
            continue
        free = start - minus_size
        suffix = text[start:free]
        while suffix:  # a refused hit may give way to one starting inside it, before the scan goes on
            end = start + len(suffix)
            guard = guards.get(suffix)  # most words have none: one lookup instead of two
            if guard is not None and (guard[0] and end < size and text[end] in guard[0]
                                      or guard[1] and start > 0 and text[start - 1] in guard[1]):
                for pos in range(start + 1, end):  # 口岸办|事处: a suffix may start inside
                    inner = next((text[pos:pos + n] for n in lengths if text[pos:pos + n] in vocabulary), None)
                    if inner is not None:  # the longest word there, as lex.scan_re.match gives it
                        start, suffix = pos, inner
                        break
                else:
                    suffix = ""
                continue
            type_ = scan_type.get(suffix)
            if type_ is not None:
                hits.append((start, end, suffix, type_))
            suffix = ""
    teams = _team_hits(text, lex)
    if teams:
        hits += teams
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    chosen: list[tuple[int, int, str, str]] = []
    last_end = -1
    for hit in hits:
        if hit[0] < last_end or titles.spans and titles.find(hit[0]):
            continue
        chosen.append(hit)
        last_end = hit[1]
    return chosen


_GUARDS: dict[int, tuple[Lexicon, dict[str, tuple[str, str]]]] = {}
_ANAPHOR_STARTS: dict[int, tuple[Lexicon, frozenset[str]]] = {}


def _anaphor_starts(lex: Lexicon) -> frozenset[str]:
    """First characters of the anaphora (cached per lexicon): a name part starting otherwise holds none."""
    entry = _ANAPHOR_STARTS.get(id(lex))
    if entry is None:
        entry = _ANAPHOR_STARTS[id(lex)] = (lex, frozenset(word[:1] for word in lex.anaphora))
    return entry[1]


def _guards(lex: Lexicon) -> dict[str, tuple[str, str]]:
    """Word → (characters it may not be followed by, characters it may not be preceded by), only for
    words with either (cached per lexicon, which is kept with its entry so that its id stays its own)."""
    entry = _GUARDS.get(id(lex))
    if entry is None:
        after, before = lex.scan_not_followed_by, lex.not_preceded_by
        table = {w: (after.get(w) or "", before.get(w) or "") for w in {*after, *before} if after.get(w) or before.get(w)}
        entry = _GUARDS[id(lex)] = (lex, table)
    return entry[1]


def scan_words(text: str, lex: Lexicon) -> list[tuple[int, str]]:
    """(start, word) of the words of ``lex.scan_re``, leftmost-longest: what its finditer gives.

    Found with an Aho-Corasick automaton (every occurrence of every word, in one pass at C
    speed) instead of the regex, which tries its trie at every position where a word may start:
    among the occurrences sorted by start, the longest at the first start not covered by the
    previous hit is the next hit, as the regex scan would take it. The automaton holds the
    words backwards and runs over the reversed text (see lexicon._automaton): a word ending
    at index `end` of the reversed text starts at `last - end` of the text.

    >>> from kg.extract.lexicon import load_lexicon
    >>> scan_words("与铜陵出入境边防检查站共建", load_lexicon())
    [(3, '出入境边防检查站')]
    """
    hits: list[tuple[int, str]] = []
    free = 0
    for start, minus_size in _word_occurrences(text, lex):
        if start >= free:
            free = start - minus_size
            hits.append((start, text[start:free]))
    return hits


def _word_occurrences(text: str, lex: Lexicon) -> list[tuple[int, int]]:
    """(start, -length) of every occurrence of every word of ``lex.scan_re``, sorted."""
    if not text or not len(lex.scan_automaton):
        return []
    last = len(text) - 1
    return sorted([(last - end, -size) for end, size in lex.scan_automaton.iter(text[::-1])])


_TEAM_MARKS = "队科"  # the last characters of team names
_TEAM_MAX = 8  # characters of the longest team name (执勤十一中队)


def _team_hits(text: str, lex: Lexicon) -> list[tuple[int, int, str, str]]:
    """Numbered teams (执勤一队, 二中队): looked for only where 队 or 科 ends them.

    >>> from kg.extract.lexicon import load_lexicon
    >>> [h[2] for h in _team_hits("美兰边检站执勤一队和二中队、巡逻队", load_lexicon())]
    ['执勤一队', '二中队']
    """
    found: list[tuple[int, int, str, str]] = []
    last_end = 0
    for end in _mark_ends(text, _TEAM_MARKS):
        match = lex.team_tail_re.search(text, max(last_end, end - _TEAM_MAX), end)
        if match is not None:
            found.append((match.start(), end, match.group(), lex.team_type))
            last_end = end
    return found


def _mark_ends(text: str, marks: str) -> list[int]:
    """Positions just after each occurrence of any of `marks`, in order (str.find: faster than a regex class)."""
    ends = []
    for mark in marks:
        pos = text.find(mark)
        while pos != -1:
            ends.append(pos + 1)
            pos = text.find(mark, pos + 1)
    ends.sort()
    return ends


def _quoted_mentions(text: str, lex: Lexicon, quotes: list[tuple[int, int]]) -> list[Mention]:
    """“X党建带” and “X”支部群: alliance names given in quotes; “A”“B”等特色党小组: named groups."""
    found: list[Mention] = []
    for start, end in quotes:
        content = text[start:end]
        after = text[end + 1 : end + 1 + 8]
        if not (content.endswith(lex.alliance_suffixes) or after.startswith(lex.alliance_suffixes)):
            continue
        if is_honour(text, start - 1, end + 1, content, lex):
            continue
        for suffix in lex.alliance_suffixes:
            part = content[: -len(suffix)]
            if content.endswith(suffix) and part and not is_generic(content, lex) and not made_of_generic(part, lex):
                found.append(Mention(start, end, content, "Alliance", "org", content[: -len(suffix)], suffix, quoted=True))
                break
            if after.startswith(suffix) and not made_of_generic(content, lex):
                found.append(Mention(start, end + 1 + len(suffix), content + suffix, "Alliance", "org",
                                     content, suffix, quoted=True))
                break
    return found


_GROUP = re.compile(r"((?:“[^“”\n]{2,10}”[、，,]?){2,})等?[0-9一二三四五六七八九十]*个?(?:特色|先锋|示范|功能)?")


_PARTY_SUFFIXES: dict[int, tuple[Lexicon, tuple[str, ...]]] = {}


def _party_suffixes(lex: Lexicon) -> tuple[str, ...]:
    """Party organization suffixes, in lexicon order (the first that matches wins); cached per lexicon."""
    if id(lex) not in _PARTY_SUFFIXES:  # the lexicon is kept with its entry so that its id stays its own
        _PARTY_SUFFIXES[id(lex)] = (lex, tuple(s for s, t in lex.suffix_type.items() if t == lex.party_type))
    return _PARTY_SUFFIXES[id(lex)][1]


_GROUP_HINTS: dict[int, tuple[Lexicon, re.Pattern]] = {}


def _group_hint(lex: Lexicon) -> re.Pattern:
    """A closing quote followed by what may come before a Party suffix, then the suffix (cached per lexicon)."""
    if id(lex) not in _GROUP_HINTS:
        suffixes = "|".join(re.escape(s) for s in sorted(_party_suffixes(lex), key=len, reverse=True))
        _GROUP_HINTS[id(lex)] = (lex, re.compile(f"”等?[0-9一二三四五六七八九十]*个?(?:特色|先锋|示范|功能)?(?:{suffixes})"))
    return _GROUP_HINTS[id(lex)][1]


def _named_groups(text: str, lex: Lexicon) -> list[Mention]:
    """命名“A”“B”等5个特色党小组 → A党小组, B党小组 (their parent is the sentence's subject)."""
    found = []
    if "”" not in text or _group_hint(lex).search(text) is None:
        return found  # no quoted name right before a Party suffix: no group (a fast first look)
    for match in _GROUP.finditer(text):
        tail = text[match.end() : match.end() + 6]
        suffix = next((s for s in _party_suffixes(lex) if tail.startswith(s)), None)
        if suffix is None:
            continue
        for quote in re.finditer(r"“([^“”]+)”", match.group(1)):
            content = quote.group(1)
            s = match.start(1) + quote.start(1)
            found.append(Mention(s, s + len(content), content + suffix, lex.party_type, "org", content, suffix,
                                 quoted=True, group_of_sentence=True))
    return found


def find_mentions(text: str, lex: Lexicon) -> list[Mention]:
    """Every unit mention in reading order: named units, bare suffixes, anaphora."""
    titles = _Spans(book_title_spans(text))
    mentions: list[Mention] = []
    previous: Mention | None = None
    prev_end = 0
    cuts, judged = _WINDOW_CUTS.table(lex), _JUDGED.table(lex)  # the memos, checked once an article
    for start, end, suffix, type_ in _suffix_hits(text, lex, titles):
        # _name_part_start(text, start, floor, lex), inlined (it runs for every suffix), its memo read directly
        floor = prev_end if previous else 0
        limit = floor if floor > start - MAX_NAME_PART else start - MAX_NAME_PART
        run = _CJK_TAIL_SEARCH(text, limit, start)
        head = run.start() if run else start
        window = text[head:start]
        cut, stop = cuts.get(window) or _window_cut(window, lex)
        if cut:
            head += cut
        elif floor and head == floor:
            stop = "chain"
        elif head == limit and head > 0 and is_cjk(text[head - 1]):
            stop = "cap"
        else:
            stop = "edge"
        parent = previous if previous is not None and stop.startswith("chain") else None
        mention = _make_mention(text, lex, start, end, suffix, type_, head, stop, text[head:start], parent, judged)
        if mention is not None:
            mentions.append(mention)
        previous, prev_end = mention, end
    mentions += _quoted_mentions(text, lex, quote_spans(text))
    mentions += _named_groups(text, lex)
    mentions = _drop_covered(mentions)
    mentions += _bare_anaphora(text, lex, mentions, titles)
    return sort_by_position(mentions)


def _keyword_type(part: str, parent: Mention | None, lex: Lexicon) -> str | None:
    """武警红河支队 → Military; a 支队 right after a unit (…公安局海防支队) takes the unit's type."""
    for keyword, type_ in lex.keyword_types.items():
        if keyword in part:
            return type_
    if parent is not None and len(part) <= 4 and parent.type:
        return parent.type
    return None


def _make_mention(text, lex, start, end, suffix, type_, head, stop, raw_part, parent, judged=None):
    """The mention a suffix at start:end makes, given its name part raw_part = text[head:start].

    `judged`: the table of _JUDGED already fetched for `lex`.
    """
    quoted = head > 0 and text[head - 1] == "“" and end < len(text) and text[end] == "”"
    if quoted and is_honour(text, head - 1, end + 1, text[head:end], lex):
        return None
    if type_.startswith(NATIONAL):
        type_ = type_[len(NATIONAL) :]
        if raw_part and not quoted:
            return Mention(start, end, suffix, type_, "bare", "", suffix, stop=stop)
        return Mention(start, end, suffix, type_, "org", "", suffix, stop="national")
    if head > 0 and text[head - 1].isdigit() and raw_part[:1] in "年月日号":
        raw_part = raw_part[1:]  # 2016年口岸… : the year is not part of the name
        head += 1
    anaphor = lex.anaphora_re.match(raw_part) if raw_part[:1] in _anaphor_starts(lex) else None
    if anaphor:
        word = anaphor.group()
        rest = raw_part[len(word) :]
        if not rest or rest in _ATTACH_GAPS:
            return Mention(head, end, rest + suffix, type_, "anaphor", "", suffix, anaphor=word, stop=stop)
        if word.endswith("里"):  # 所里通报村情: an informal 所里 does not start a name
            return Mention(head, end, suffix, type_, "bare", "", suffix, stop="generic")
        raw_part, head, parent = rest, head + len(word), None  # 该镇南湾村党支部: the name follows 该镇
    if parent is not None and parent.stop == "national" and parent.type != type_:
        parent = None  # 人民网缉私局党建云平台: a central body names no unit of another kind after it
    keyword_typed = type_ == KEYWORD_TYPED
    if keyword_typed:
        type_ = _keyword_type(raw_part, parent, lex)
        if type_ is None:  # 工作站 alone may still refer back to a named one; 巡逻支队 may not
            return Mention(start, end, suffix, "", "bare", "", suffix, stop=stop if not raw_part else "no-keyword")
    # 某市公安局口岸分局 / 某公安局口岸派出所: a unit word that only exists inside its parent, or
    # an own name part that is a class word, keeps the parent's name.
    if parent is not None and (raw_part == "" or raw_part in _ATTACH_GAPS or raw_part.startswith("驻") or (
            parent.kind == "org" and len(raw_part) <= 4 and (
            keyword_typed or suffix in lex.inherits_parent_type or _made_of(raw_part, lex.generic_parts)))):
        # 北海市公安局海防支队, 北海海警局涠洲工作站: a generic unit word keeps its parent's name
        kind = {"org": "org", "anaphor": "anaphor"}.get(parent.kind, "partial")
        if suffix in lex.inherits_parent_type and parent.type:
            type_ = parent.type
        if parent.type == type_ == "Enterprise" and raw_part == "" and parent.kind == "org":
            parent.kind = "bare"  # 集装箱码头公司: one company, not a company inside a wharf
            return Mention(parent.start, end, parent.name + suffix, type_, "org", parent.prefix, suffix,
                           parent=parent.parent, stop=parent.stop)
        return Mention(head, end, parent.name + raw_part + suffix, type_, kind, parent.prefix, suffix,
                       parent=parent, attached=True, stop="chain", anaphor=parent.anaphor)
    if parent is not None and parent.kind != "org":
        parent = None
    key = (raw_part, suffix, stop not in ("edge", "cap", "chain"), quoted)
    known = judged.get(key) if judged is not None else None
    verdict, part = known if known is not None else _judge_part(*key, lex)
    if verdict == "generic":
        return Mention(head, end, suffix, type_, "bare", "", suffix, stop="generic")
    if verdict == "short":
        return Mention(start, end, suffix, type_, "bare", "", suffix, stop=stop)
    if verdict == "untrusted":
        return Mention(start, end, suffix, type_, "bare", "", suffix, stop="untrusted")
    return Mention(end - len(suffix) - len(part), end, part + suffix, type_, "org", part, suffix,
                   parent=parent, stop=stop, quoted=quoted)


_JUDGED = _LexiconMemo()  # (raw part, suffix, bounded, quoted) → verdict


def _judge_part(raw_part: str, suffix: str, bounded: bool, quoted: bool, lex: Lexicon) -> tuple[str, str]:
    """Is the name part before a suffix a class ("generic"), too short, untrusted, or a name ("org", part)?

    `bounded`: a boundary word ended the part on its left, so it is whole. A pure
    function of its arguments, cached (names recur within and across articles).
    """
    key = (raw_part, suffix, bounded, quoted)
    known = _JUDGED.get(key, lex)
    if known is not None:
        return known
    part = _strip_modifiers(raw_part, lex)
    if quoted and part in lex.generic_parts or not quoted and (
        is_generic(raw_part, lex) or is_generic(part, lex) or made_of_generic(part, lex)
    ):
        verdict = ("generic", "")
    elif len(part) <= 1:
        verdict = ("short", "")
    else:
        verdict = ("org", part)
        if not quoted:
            places = place_spans(part, lex)
            if len(part) > LONG_NAME_PART and places and not (suffix in lex.strong_suffixes and bounded):
                verdict = ("org", part[places[0][0] :])  # 中铁阿拉山口物流有限公司 keeps its brand before the place
            elif not (_trusted(part, places, lex) or suffix in lex.strong_suffixes and len(part) <= MAX_NAME_PART):
                verdict = ("untrusted", "")
    _JUDGED.values[key] = verdict
    return verdict


class Occupied:
    """Characters of a text already taken by a mention (a byte mask: fast on long texts)."""

    def __init__(self, size: int) -> None:
        self.mask = bytearray(size + 1)

    def take(self, start: int, end: int) -> None:
        self.mask[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return self.mask.find(1, start, end) != -1

    def covers(self, start: int, end: int) -> bool:
        return end > start and self.mask.find(0, start, end) == -1


def _drop_covered(mentions: list[Mention]) -> list[Mention]:
    """Quoted alliance names win over suffix hits inside them."""
    quoted = [m for m in mentions if m.quoted and m.type == "Alliance" and not m.stop]
    if not quoted:
        return mentions
    taken = Occupied(max(m.end for m in mentions))
    for q in quoted:
        taken.take(q.start, q.end)
    ids = {id(q) for q in quoted}
    return [m for m in mentions if id(m) in ids or not taken.covers(m.start, m.end)]


def _bare_anaphora(text: str, lex: Lexicon, mentions: list[Mention], titles: _Spans) -> list[Mention]:
    """该站, 本所 … not already part of a longer anaphoric mention (该站党支部)."""
    matches = list(lex.anaphora_re.finditer(text))
    if not matches:
        return []
    covered = Occupied(len(text))
    for m in mentions:
        if m.kind == "anaphor":
            covered.take(m.start, m.end)
    found = []
    for match in matches:
        if covered.overlaps(match.start(), match.start() + 1) or titles.find(match.start()):
            continue
        found.append(Mention(match.start(), match.end(), "", "", "anaphor", anaphor=match.group()))
    return found
