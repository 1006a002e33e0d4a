"""What a person should decide: suspected duplicates and weak links, as curation entries.

Each item of ``review(resolved)`` is a dict::

    {"kind": "duplicate" | "low_confidence",
     "reason": "…",
     "entry": {"same": [A, B], "judgement": "unsure", "note": "…"},   # ready for data/curation.yaml
     "evidence": [{"name": A, "article": "…", "title": "…", "sentence": "…"}, …]}

``to_yaml(items)`` renders them as a YAML list with the evidence as comments;
an entry turns into a decision once its judgement is set to positive.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from itertools import combinations

from kg.curation import Curation
from kg.identity import identity
from kg.model import Resolved
from kg.names import is_bare_part, is_generic, match_key
from kg.places import is_within

LOW_CONFIDENCE = 0.6
SIMILARITY = 0.8
# Character pairs shared by very many names (边检, 党支) say nothing: skip such buckets.
MAX_BUCKET = 60
MAX_EVIDENCE = 3

# Relations that say two names are two units (a station and its team).
_APART = ("sub_organization_of", "member_of")


def review(resolved: Resolved, curation: Curation | None = None, *,
           min_confidence: float = LOW_CONFIDENCE) -> list[dict]:
    """Suspected duplicates first, then links below ``min_confidence``; pairs already decided are left out."""
    decided = _decided_pairs(curation)
    return _duplicates(resolved, decided) + _weak_links(resolved, min_confidence, decided)


def _decided_pairs(curation: Curation | None) -> set[frozenset]:
    pairs: set[frozenset] = set()
    for decision in curation.decisions if curation else []:
        a = decision.arg
        if decision.operation in ("same", "different"):
            pairs.add(frozenset((match_key(a["a"]), match_key(a["b"]))))
        elif decision.operation in ("add_link", "remove_link"):
            pairs.add(frozenset((match_key(a["head"]), match_key(a["tail"]), a["type"])))
    return pairs


def _rest(name: str) -> str:
    return identity(name)[2]


def _places_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or is_within(a, b) or is_within(b, a)


def _subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


def _similar_rests(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=lambda t: (len(t), t))
    if short == long or is_generic(short) or long.startswith(short) or short[-1] != long[-1]:
        return False  # equal, too vague, or a body and its part (南京海关 / 南京海关缉私局)
    if len(short) >= 3 and _subsequence(short, long):
        return True  # a word dropped: 葡萄串支部群 / 葡萄串式支部群
    # One character changed or added, but not the first: 云溪 / 塔溪 are two places, not a typo.
    return (short[0] == long[0] and len(long) - len(short) <= 1
            and SequenceMatcher(None, short, long).ratio() >= SIMILARITY)


def similar(a: str, b: str) -> bool:
    """Names that could be one unit: a word dropped or changed, same kind of unit, places that agree.

    >>> similar("满洲里党建学院", "满洲里国门党建学院"), similar("南京海关", "南京海关缉私局")
    (True, False)
    >>> similar("大连边检站", "青岛边检站"), similar("公安部", "铜陵公安")
    (False, False)
    """
    (ca, _, ra), (cb, _, rb) = identity(a), identity(b)
    ca, cb = (c if c and not c.startswith("?") else None for c in (ca, cb))
    if ca and cb and not (is_within(ca, cb) or is_within(cb, ca)):
        return False
    if ca and cb or not (ca or cb):
        return _similar_rests(ra, rb)
    placed, bare = (a, rb) if ca else (b, ra)
    return _similar_rests(identity(placed)[2], bare) or _similar_rests(match_key(placed), bare)


def known_apart(a: str, b: str) -> bool:
    """Pairs the resolution rules already tell apart: a unit and its team, a total station and a station.

    >>> known_apart("珠海边检站", "珠海边检站执勤二队"), known_apart("大连边检总站", "大连边检站")
    (True, True)
    """
    ka, kb = sorted((match_key(a), match_key(b)), key=len)
    if kb.startswith(ka) and is_bare_part(kb[len(ka):]):
        return True
    return ka != kb and ka.replace("总", "") == kb.replace("总", "")


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(max(1, len(text) - 1))}


def _candidates(resolved: Resolved) -> list[tuple[str, str]]:
    """Pairs of one type that share enough character pairs of their rests to be worth comparing."""
    grams = {key: _bigrams(_rest(org.name)) for key, org in resolved.organizations.items()}
    buckets: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in sorted(grams):
        for gram in grams[key]:
            buckets[(resolved.organizations[key].type, gram)].append(key)
    shared: Counter = Counter()
    for members in buckets.values():
        if len(members) <= MAX_BUCKET:
            shared.update(combinations(members, 2))
    return sorted(pair for pair, count in shared.items()
                  if count >= max(2, min(len(grams[pair[0]]), len(grams[pair[1]])) // 2))


def _duplicates(resolved: Resolved, decided: set[frozenset]) -> list[dict]:
    apart = {frozenset((l.head, l.tail)) for l in resolved.links.values() if l.type in _APART}
    items = []
    for a, b in _candidates(resolved):
        oa, ob = resolved.organizations[a], resolved.organizations[b]
        if frozenset((a, b)) in apart or frozenset((match_key(a), match_key(b))) in decided:
            continue
        if known_apart(oa.name, ob.name) or not _places_agree(oa.place, ob.place) or not similar(oa.name, ob.name):
            continue
        where = resolved.places[oa.place or ob.place].name if (oa.place or ob.place) in resolved.places else "no place"
        reason = f"similar names, both {oa.type}, {where}"
        items.append({
            "kind": "duplicate",
            "reason": reason,
            "entry": {"same": [a, b], "judgement": "unsure", "note": f"review: {reason}"},
            "evidence": _evidence(resolved, a) + _evidence(resolved, b),
        })
    return items


def _evidence(resolved: Resolved, key: str) -> list[dict]:
    """A few sentences that mention the organization, with their articles."""
    found = []
    for link in sorted(resolved.links.values(), key=lambda l: (l.type, l.head, l.tail)):
        if key in (link.head, link.tail):
            for ev in link.evidence:
                found.append(_evidence_row(resolved, key, ev.article, ev.sentence))
    if not found:
        org = resolved.organizations[key]
        found = [_evidence_row(resolved, key, a, "") for a in sorted(org.articles)]
    return found[:MAX_EVIDENCE]


def _evidence_row(resolved: Resolved, name: str, article_id: str, sentence: str) -> dict:
    article = resolved.articles.get(article_id)
    title = (article.title or article.file_name) if article else article_id
    return {"name": name, "article": article_id, "title": title, "sentence": sentence}


def _weak_links(resolved: Resolved, threshold: float, decided: set[frozenset]) -> list[dict]:
    items = []
    for (kind, head, tail), link in sorted(resolved.links.items()):
        if link.curated_by or not link.evidence or link.confidence >= threshold:
            continue
        if frozenset((match_key(head), match_key(tail), kind)) in decided:
            continue
        reason = f"{kind} link with confidence {link.confidence:.2f}"
        items.append({
            "kind": "low_confidence",
            "reason": reason,
            "entry": {"remove_link": {"head": head, "tail": tail, "type": kind},
                      "judgement": "unsure", "note": f"review: {reason}"},
            "evidence": [_evidence_row(resolved, f"{head} — {tail}", ev.article, ev.sentence)
                         for ev in link.evidence][:MAX_EVIDENCE],
        })
    return items


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(text: str) -> str:
    """Article text made safe for a terminal and a YAML comment: no control or bidi characters.

    >>> safe_text("a\\x1b[31mb\\nc")
    'a[31mb c'
    """
    return _CONTROL.sub(lambda m: " " if m.group(0) in "\n\r\t\u2028\u2029" else "", text)


def to_yaml(items: list[dict]) -> str:
    """Entries ready to paste into the curation file, evidence as comments."""
    import yaml

    parts = []
    for item in items:
        lines = [f"# {safe_text(item['reason'])}"]
        for ev in item["evidence"]:
            sentence = f": {safe_text(ev['sentence'])}" if ev["sentence"] else ""
            lines.append(f"#   {safe_text(ev['name'])} ({safe_text(ev['title'])}){sentence}")
        entry = yaml.safe_dump([safe_value(item["entry"])], allow_unicode=True, sort_keys=False,
                               default_flow_style=None, width=1000)
        parts.append("\n".join(lines) + "\n" + entry)
    return "\n".join(parts)


def safe_value(value):
    """safe_text applied to every string of a nested structure."""
    if isinstance(value, dict):
        return {k: safe_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_value(v) for v in value]
    return safe_text(value) if isinstance(value, str) else value
