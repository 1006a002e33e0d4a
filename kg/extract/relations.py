"""Links between organizations, sentence by sentence, from cue words and sentence structure.

- subject + connector (与/同/联合/携手) + partner list + cue (联建 → joint_building,
  联防 → joint_defense, 签订/联席会议 → cooperation);
- alliance membership: the subject and partners that 建立/组成/加入 a quoted alliance;
- hierarchy: nested names (X总站Y边检站), 下辖 / 隶属, named groups of a unit.

Confidence: cue in the same clause 0.9, nested names 0.95, cue elsewhere in the
sentence or a connector alone 0.6.

>>> from kg.extract import extract
>>> [r["type"] for r in extract("东兴边检站与东兴海关开展联防联控。")["relations"]]
['joint_defense']
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from kg.extract.lexicon import Lexicon
from kg.extract.names import Mention, sort_by_position
from kg.extract.sentences import sentence_spans
from kg.model import SYMMETRIC_RELATIONS

_CLAUSE_END = re.compile(r"[，,；;。！？!?：:]")
_JOINT_SUBJECT = re.compile(r"(?:等单位|等)?(?:双方|三方|四方|多方|共同|联合|携手|一道|一起)")
_UNNAMED_ITEM = re.compile(r"(?:、|和|及|以及)[\u4e00-\u9fff]{1,6}(?:、|和|及|以及)$")
_SUBJECT_LOOK_BACK = 12  # units searched back for a subject (keeps long lists linear)
_GAP_FILLERS = ("当地的", "驻地的", "当地", "驻地")
_LIST_GAPS = {"、", "和", "及", "以及", "、及", "、和"}
_PARTNER_SKIP = ("驻地", "当地", "辖区", "周边")
_STRONG_CONNECTORS = ("联合", "携手", "会同", "协同", "联手")
_SYMMETRIC = frozenset(SYMMETRIC_RELATIONS)  # a set: tested for every link statement
CUE_CONFIDENCE, NESTED_CONFIDENCE, WEAK_CONFIDENCE, LIST_CONFIDENCE, INFERRED_CONFIDENCE = 0.9, 0.95, 0.6, 0.7, 0.5


@dataclass(slots=True)
class Unit:
    """A run of mentions naming one organization (a chain keeps its deepest level)."""

    start: int
    end: int
    mention: Mention

    @property
    def entity(self) -> str:
        return self.mention.entity or ""


class Links:
    """One link per (type, pair); repeated statements add evidence."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], dict] = {}

    def add(self, type_: str, head: str | None, tail: str | None, evidence: str, confidence: float) -> None:
        if not head or not tail or head == tail:
            return
        if type_ in _SYMMETRIC and tail < head:  # the pair in sorted order (no sorted() call)
            key = (type_, tail, head)
        else:
            key = (type_, head, tail)
        link = self.items.get(key)
        if link is None:
            self.items[key] = {"head": head, "tail": tail, "type": type_, "evidence": evidence,
                               "evidences": [evidence], "confidence": confidence}
            return
        if evidence not in link["evidences"]:
            link["evidences"].append(evidence)
        link["confidence"] = max(link["confidence"], confidence)


def _units(mentions: list[Mention]) -> list[Unit]:
    units: list[Unit] = []
    last = None
    for m in mentions:
        top = m  # _chain_start, inlined: this loop runs for every mention of every sentence
        while top.attached and top.parent is not None:
            top = top.parent
        if last is not None and m.start == last.end and (m.parent is last.mention or m.entity == (last.mention.entity or "")):
            last = units[-1] = Unit(last.start, m.end, m)  # 石门村|村委会, 东渡边检站|一队: one unit
        elif last is not None and top.start < last.end:
            continue  # overlapping forms of the same words
        else:
            last = Unit(top.start, m.end, m)
            units.append(last)
    return units


def _partner_run(text: str, units: list[Unit], index: int, lenient: bool = False) -> list[Unit]:
    """Units listed one after another from units[index] (A、B和C).

    `lenient` lets the list run over a short unnamed item (A、驻地部队和B).
    """
    run = [units[index]]
    for unit in units[index + 1 :]:
        gap = text[run[-1].end : unit.start]
        if gap not in _LIST_GAPS and not (lenient and _UNNAMED_ITEM.match(gap)):
            break
        run.append(unit)
    return run


_ATTRIBUTIVE = re.compile(r"(?:共同|联合)?(?:共建|联建|共创|合建)的")
_QUOTED = re.compile(r"“([^“”\n]{1,40})”")


def _has_cue(pattern: re.Pattern, segment: str) -> bool:
    """A cue word used as an action: not a role (护边员, 联防队员)."""
    for match in pattern.finditer(segment):
        if not segment.startswith(_ROLE_ENDINGS, match.end()):
            return True
    return False


_ROLE_ENDINGS = ("员", "队员")


def _cue_types(segment: str, lex: Lexicon) -> list[str]:
    """Relation types whose cue words occur in `segment` (not inside a quoted alliance name).

    >>> from kg.extract.lexicon import load_lexicon
    >>> _cue_types("共同打造“甲乙党建联盟”", load_lexicon())
    ['cooperation']
    """
    found = [t for t in ("joint_building", "joint_defense") if _has_cue(lex.cue_re[t], segment)]
    if found and "“" in segment:  # “X党建联盟” names an alliance; its cue words state no link
        masked = _QUOTED.sub(lambda m: "“”" if m.group(1).endswith(lex.alliance_suffixes) else m.group(), segment)
        if masked != segment:
            return _cue_types(masked, lex)
    if not found and _has_cue(lex.cue_re["cooperation"], segment):
        found = ["cooperation"]
    return found


def _inside_list(text: str, units: list[Unit], index_by_end: dict[int, int], pos: int) -> bool:
    """Is `pos` right after a unit that itself follows a 、 (A、B|和C)?"""
    i = index_by_end.get(pos)
    return i is not None and i > 0 and text[units[i - 1].end : units[i].start] == "、"


def _connector_groups(text, s, e, units, lex):
    """(connector match, subject unit, partner units, segment end) for each connector."""
    matches = list(lex.connector_re.finditer(text, s, e))  # literal words: the same as in text[s:e]
    if not matches:
        return []
    starts = {u.start: i for i, u in enumerate(units)}
    index_by_end = {u.end: i for i, u in enumerate(units)}
    ends = index_by_end
    unit_ends = [u.end for u in units]  # increasing: units do not overlap
    groups = []
    for match in matches:
        cs, ce = match.span()
        k = bisect_right(unit_ends, cs)
        if k < len(units) and units[k].start <= cs:
            continue  # 联合 in 联合党工委, 同 in 同江市: part of a name
        word = match.group()
        after = ce
        if text.startswith(_PARTNER_SKIP, after):  # none there (the usual case): none skipped below either
            for skip in _PARTNER_SKIP:
                if text.startswith(skip, after):
                    after += len(skip)
        partners = _partner_run(text, units, starts[after], lenient=True) if after in starts else []
        if not partners and word in ("和", "及", "同"):
            continue
        if word in ("和", "及", "跟") and cs not in ends:
            continue  # …驻地部队和B: 和 joins list items here, it does not bring a partner
        if word in ("和", "及") and _inside_list(text, units, index_by_end, cs):
            continue  # A、B和C: the last item of a list, not a partner
        groups.append([word, cs, ce, partners])
    if not groups:
        return []
    used = {id(u) for g in groups for u in g[3]}
    partner_starts = [g[1] for g in groups if g[3]]
    result = []
    for word, cs, ce, partners in groups:
        subject_index = None
        i = bisect_right(unit_ends, cs) - 1
        lowest = max(-1, i - _SUBJECT_LOOK_BACK)
        while i > lowest and subject_index is None:  # the nearest unit before the connector that is no partner
            if id(units[i]) not in used and units[i].mention.type != "Alliance":
                subject_index = i
            i -= 1
        subjects = _run_before(text, units, subject_index, cs) if subject_index is not None else []
        seg_start = partners[-1].end if partners else ce
        j = bisect_left(partner_starts, max(seg_start, cs + 1))
        seg_end = partner_starts[j] if j < len(partner_starts) else e
        result.append((word, subjects, partners, seg_start, seg_end))
    return result


def _gap(text: str, a: int, b: int) -> str:
    gap = text[a:b]
    if _FILLER_MARK not in gap:  # every filler has it: none to remove (the usual case, one test)
        return gap
    for word in _GAP_FILLERS:
        gap = gap.replace(word, "")
    return gap


_FILLER_MARK = "地"
assert all(_FILLER_MARK in word for word in _GAP_FILLERS)


def _run_before(text: str, units: list[Unit], i: int, pos: int) -> list[Unit]:
    """The subject units[i] and the units listed right before it (铜陵海关以及当地的海事、公安|与该站)."""
    last = units[i]
    if pos - last.end > 12 and _gap(text, last.end, pos).strip("，, 还也都均先后陆续分别共同一起"):
        return [last]
    run = [last]
    while i > 0 and _gap(text, units[i - 1].end, units[i].start) in _LIST_GAPS:
        i -= 1
        run.insert(0, units[i])
    return run


def _membership(text, alliances, subject, partners, seg_start, seg_end, evidence, links, lex) -> bool:
    """The subject and partners of a connector that 建立 / 组成 an alliance named in their clause.

    Returns whether they founded one (then 共同 / 联合 there says nothing more).
    """
    founded = False
    for unit in alliances:
        if not (seg_start <= unit.start < seg_end):
            continue
        before = text[seg_start : unit.start]
        if any(cue in before for cue in lex.relation_cues["member_of"]) or not before.strip("，,“"):
            for member in ([subject] if subject else []) + partners:
                if member.mention.type != "Alliance":
                    links.add("member_of", member.entity, unit.entity, evidence, CUE_CONFIDENCE)
                    founded = True
    return founded


class _At:
    """A zero-width position standing in for a cue match."""

    def __init__(self, pos: int) -> None:
        self.pos = pos

    def start(self) -> int:
        return self.pos


def _alliance_members(text, units, s, e, evidence, links, lex):
    """“X联盟”成员单位包括A、B; A、B共同组建“X联盟”; A牵头…组建“X联盟”; A和B都是其中的成员."""
    alliances = [i for i, u in enumerate(units) if u.mention.type == "Alliance"]
    if not alliances:
        return
    starts = [u.start for u in units]
    ends = [u.end for u in units]
    for tail in lex.members_before_re.finditer(text, s, e):  # A和B都是其中的成员
        last = bisect_right(ends, tail.start()) - 1
        if last < 0 or tail.start() - ends[last] > 2 or units[last].mention.type == "Alliance":
            continue
        before = [a for a in alliances if a < last]
        alliance = units[before[-1] if before else alliances[0]]
        for member in _run_before(text, units, last, tail.start()):
            if member.mention.type != "Alliance":
                links.add("member_of", member.entity, alliance.entity, evidence, CUE_CONFIDENCE)
    for i in alliances:
        alliance = units[i]
        after = lex.members_follow_re.search(text, alliance.end, min(e, alliance.end + 8))
        if after:
            first = bisect_left(starts, after.end())
            if first < len(units) and starts[first] - after.end() <= 2:
                for member in _partner_run(text, units, first):
                    links.add("member_of", member.entity, alliance.entity, evidence, CUE_CONFIDENCE)
        cue = None
        for match in lex.member_cue_re.finditer(text, max(s, alliance.start - 6), alliance.start):
            cue = match
        if cue is None and text.startswith(lex.founded_after, alliance.end + (text[alliance.end : alliance.end + 1] == "”")):
            cue = _At(alliance.start)  # “X”成立: the founders are named before X
        if cue is None:
            continue
        last = min(bisect_right(ends, cue.start()), i) - 1
        while last >= 0 and units[last].mention.type == "Alliance" and i - last < _SUBJECT_LOOK_BACK:
            last -= 1
        if last < 0 or units[last].mention.type == "Alliance":
            continue
        run = [units[last]]
        while last > 0 and text[units[last - 1].end : units[last].start] in _LIST_GAPS:
            last -= 1
            run.insert(0, units[last])
        confidence = CUE_CONFIDENCE if cue.start() - run[-1].end <= 4 else WEAK_CONFIDENCE + 0.1
        for member in run:
            if member.mention.type != "Alliance":
                links.add("member_of", member.entity, alliance.entity, evidence, confidence)


_COLLECTIVE = re.compile(r"(?:上述|以上|这|这些)?([两二三四五六七八九十]|[1-9][0-9]?)(?:家|个)([\u4e00-\u9fff]{1,8}?)"
                         r"(?=[与和及、，,；;。]|共同|一起|一道|组成|成立|组建|发起|联合|均|都|是|为|$)")
_NUMBERS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ANY_UNIT = ("单位", "成员单位")


def _collective_members(text, s, e, units, live, cursor, evidence, links, lex):
    """这条“X党建带”由上述四家边检站组成; 三家商会与…共同组成“X”: a counted reference to units named before.

    The N most recently named distinct units whose names end with the counted
    word (or any units for 单位) are members of the alliance of the sentence,
    when exactly N are found.
    """
    alliances = [u for u in units if u.mention.type == "Alliance"]
    if not alliances or lex.member_cue_re.search(text, s, e) is None:
        return
    for match in _COLLECTIVE.finditer(text, s, e):
        count = _NUMBERS.get(match.group(1)) or int(match.group(1))
        word = match.group(2)
        if word in _ANY_UNIT:
            endings = None
        elif word in lex.suffix_type:
            endings = (word, *(long for long, shorts in lex.short_forms.items() if word in shorts))
        else:
            continue
        chosen: list[str] = []
        for m in reversed(live[:cursor]):  # the mentions up to this sentence's end
            if m.end > match.start() or m.kind != "org" or m.type == "Alliance" or m.entity in chosen:
                continue
            if endings is None or m.name.endswith(endings):
                chosen.append(m.entity)
                if len(chosen) > count:
                    break
        if len(chosen) < count:
            continue
        alliance = min(alliances, key=lambda u: abs(u.start - match.start()))
        for entity in chosen[:count]:
            links.add("member_of", entity, alliance.entity, evidence, WEAK_CONFIDENCE + 0.1)


def _pair_in_sentence(units, evidence, links, lex) -> list[tuple[str, str]]:
    """A到B调研，双方就深化共建座谈: exactly two units and 双方 make a pair."""
    entities = list(dict.fromkeys(u.entity for u in units if u.mention.type != "Alliance"))
    if len(entities) != 2:
        return []
    for type_ in _cue_types(evidence, lex):
        links.add(type_, entities[0], entities[1], evidence, WEAK_CONFIDENCE)
    return [(entities[0], entities[1])]


def _list_cues(text, units, s, e, in_groups, evidence, links, lex):
    """人民网、中组部共建: two or more listed units right before a cue word."""
    i, size = 0, len(units)
    while i < size:
        j = i + 1  # _partner_run(text, units, i), inlined: most units start no list
        while j < size and text[units[j - 1].end : units[j].start] in _LIST_GAPS:
            j += 1
        if j - i < 2:
            i = j
            continue
        run = units[i:j]
        i = j
        if any(id(u) in in_groups for u in run):
            continue
        clause_end = _CLAUSE_END.search(text, run[-1].end, e)
        window = text[run[-1].end : min(clause_end.start() if clause_end else e, run[-1].end + 20)]
        if lex.member_cue_re.search(window[:8]):
            continue  # A、B共同成立“X”: members of X, handled by _alliance_members
        if lex.honour_re.search(window):
            continue  # 被A、B等单位联合命名为“…”: an honour they gave, not work they did together
        types = _cue_types(window, lex)
        if _ATTRIBUTIVE.match(window):
            types = ["cooperation"]  # A、B共建的平台: a thing made together, not Party joint building
        if types == ["cooperation"] and not _JOINT_SUBJECT.match(window):
            continue  # a bare cooperation word later in the clause is too weak for a list
        for type_ in types:
            for a in range(len(run)):
                for b in range(a + 1, len(run)):
                    links.add(type_, run[a].entity, run[b].entity, evidence, LIST_CONFIDENCE)


def _head_units(units, evidence, links, lex):
    """One head station and stations in the same sentence: the stations belong to it (inferred)."""
    for head_end, member_ends in lex.head_units.items():
        heads = {u.entity for u in units if u.mention.name.endswith(head_end)}
        if len(heads) != 1:
            continue
        (head,) = heads
        for unit in units:
            top = unit.mention  # the outermost named level of the unit (东渡边检站 of 东渡边检站一队)
            while top.parent is not None and top.parent.entity:
                top = top.parent
            name = top.name
            if top.entity != head and name.endswith(member_ends) and not name.endswith(head_end):
                links.add("sub_organization_of", top.entity, head, evidence, INFERRED_CONFIDENCE)


def _hierarchy_cues(text, units, s, e, evidence, links, lex):
    sentence = text[s:e]
    for match in lex.parent_first_re.finditer(sentence):
        cs, ce = s + match.start(), s + match.end()
        parent = next((u for u in reversed(units) if u.end <= cs and cs - u.end <= 2), None)
        first = next((i for i, u in enumerate(units) if 0 <= u.start - ce <= 2), None)
        if parent and first is not None:
            for child in _partner_run(text, units, first):
                links.add("sub_organization_of", child.entity, parent.entity, evidence, CUE_CONFIDENCE)
    for match in lex.child_first_re.finditer(sentence):
        cs, ce = s + match.start(), s + match.end()
        child = next((u for u in reversed(units) if u.end <= cs and cs - u.end <= 2), None)
        parent = next((u for u in units if 0 <= u.start - ce <= 2), None)
        if parent and child:
            links.add("sub_organization_of", child.entity, parent.entity, evidence, CUE_CONFIDENCE)


def find_relations(text: str, mentions: list[Mention], created: list[tuple[Mention, Mention]],
                   lex: Lexicon) -> list[dict]:
    """Links of one article with their evidence sentences (each a substring of `text`)."""
    links = Links()
    spans = sentence_spans(text)
    starts = [s for s, _ in spans]

    def sentence_of(pos: int) -> str:
        i = max(0, bisect_right(starts, pos) - 1)
        s, e = spans[i] if spans else (0, len(text))
        return text[s:e]

    live = sort_by_position([m for m in mentions if m.entity])
    # Rules whose trigger is absent from the whole article are skipped sentence by sentence;
    # the triggers are noted in the one walk over the mentions.
    has_alliance = has_head_unit = has_group = False
    head_ends = tuple(lex.head_units)
    for m in live:
        if m.parent is not None and m.parent.entity and m.parent.kind != "anaphor":
            links.add("sub_organization_of", m.entity, m.parent.entity, sentence_of(m.start), NESTED_CONFIDENCE)
        if m.type == "Alliance":
            has_alliance = True
        if m.group_of_sentence:
            has_group = True
        if head_ends and not has_head_unit and m.name.endswith(head_ends):
            has_head_unit = True
    for child, parent in created:
        links.add("sub_organization_of", child.entity, parent.entity, sentence_of(child.start), WEAK_CONFIDENCE + 0.2)

    has_hierarchy_cue = lex.parent_first_re.search(text) is not None or lex.child_first_re.search(text) is not None
    has_pair_word = lex.pair_re.search(text) is not None  # 双方 …: literal words, so absent from every sentence too
    live_starts = [m.start for m in live]
    cursor = 0
    last_pairs: list[tuple[str, str]] = []  # the pairs the previous sentence linked (for 双方)
    for s, e in spans:
        stop = bisect_left(live_starts, e, cursor)  # live is in reading order: the mentions before e
        ms = live[cursor:stop]
        if ms and ms[0].start < s:
            ms = [m for m in ms if m.start >= s]
        cursor = stop
        if not ms:
            if last_pairs and has_pair_word and lex.pair_re.search(text, s, e):
                evidence = text[s:e]
                for type_ in _cue_types(evidence, lex):  # 双方每周开展联合巡边: the pair linked just before
                    for head, tail in last_pairs:
                        links.add(type_, head, tail, evidence, WEAK_CONFIDENCE)
            continue
        if len(ms) < 2 and not has_alliance:
            continue  # one mention makes one unit: no link below needs fewer than two (nor changes last_pairs)
        evidence = text[s:e]
        units = _units(ms)
        if has_alliance:
            _collective_members(text, s, e, units, live, cursor, evidence, links, lex)
        if len(units) < 2:
            continue  # every other link needs two units in the sentence (双方 is handled above)
        in_groups = set()
        pairs: list[tuple[str, str]] = []
        alliances = [u for u in units if u.mention.type == "Alliance"]
        for connector, subjects, partners, seg_start, seg_end in _connector_groups(text, s, e, units, lex):
            in_groups |= {id(u) for u in partners + (subjects if partners else [])}
            subject = subjects[-1] if subjects else None
            founded = bool(alliances) and _membership(
                text, alliances, subject, subjects[:-1] + partners, seg_start, seg_end, evidence, links, lex)
            if subject is None or not partners:
                continue
            types = _cue_types(text[seg_start:seg_end], lex)
            if founded and types == ["cooperation"]:
                continue  # A联合B、C共同组建“X”: they are members of X; 共同 states no further link
            confidence = CUE_CONFIDENCE
            if not types and connector in lex.inviting_connectors:
                types, confidence = _cue_types(evidence, lex)[:1], WEAK_CONFIDENCE
            if not types:
                if connector not in _STRONG_CONNECTORS:
                    continue
                party = any(w in evidence for w in lex.party_words)
                types, confidence = ["joint_building" if party else "cooperation"], WEAK_CONFIDENCE
            for type_ in types:
                for subject in subjects:
                    for partner in partners:
                        if partner.mention.type != "Alliance":
                            links.add(type_, subject.entity, partner.entity, evidence, confidence)
                            pairs.append((subject.entity, partner.entity))
        if not pairs and has_pair_word and lex.pair_re.search(evidence):
            pairs = _pair_in_sentence(units, evidence, links, lex)
        _list_cues(text, units, s, e, in_groups, evidence, links, lex)
        if has_alliance:
            _alliance_members(text, units, s, e, evidence, links, lex)
        if has_hierarchy_cue:
            _hierarchy_cues(text, units, s, e, evidence, links, lex)
        if has_head_unit:
            _head_units(units, evidence, links, lex)
        if has_group:
            groups = [u for u in units if u.mention.group_of_sentence]
            owner = next((u for u in units if not u.mention.group_of_sentence and u.mention.type != "Alliance"), None)
            for unit in groups:
                if owner is not None:
                    links.add("sub_organization_of", unit.entity, owner.entity, evidence, CUE_CONFIDENCE)
        last_pairs = pairs or last_pairs
    return list(links.items.values())
