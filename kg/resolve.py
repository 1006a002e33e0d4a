"""Across articles: one organization, one node; links with all their evidence.

>>> from kg.model import Article
>>> a = Article("a.txt", "a.txt", "a" * 64, "")
>>> b = Article("b.txt", "b.txt", "b" * 64, "")
>>> ea = {"entities": [{"id": "e1", "name": "铜陵出入境边防检查站", "type": "BorderInspection"}], "relations": []}
>>> eb = {"entities": [{"id": "e1", "name": "安徽铜陵边检站", "type": "BorderInspection"}], "relations": []}
>>> list(resolve([(a, ea), (b, eb)]).organizations)
['铜陵出入境边防检查站']

The result is a function of the set of inputs: any order gives the same
``Resolved``. Curation (kg.curation) steers the clustering (same / different)
and kg.curate then edits the result (rename, retype, remove, add_link, remove_link).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, is_dataclass
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from kg.curate import apply_link_decisions, apply_organization_decisions, link_key, list_unapplied
from kg.curation import Curation
from kg.identity import Identity, NameIndex, groups, identifies, identity, linking_alias, order
from kg.linefile import SECTIONS, framed
from kg.model import (
    ORG_TYPES,
    RELATION_TYPES,
    Article,
    CurationRecord,
    Evidence,
    Link,
    Organization,
    Place,
    Resolved,
)
from kg.names import fullness, is_bare_part, normalize
from kg.places import LEVELS, attach_places, level_of, split_place
from kg.progress import bar as progress_bar

# Name of the file in which a build keeps its last Resolved (see resolved_to_json).
RESOLVED_FILE = "resolved.json"


@dataclass
class Mention:
    """One entity of one article, with its names qualified by its parent where needed.

    :func:`article_mentions` makes them as plain tuples of these fields, in this order (``Mention(*t)``).
    """

    article: str
    entity: str
    name: str  # normalized
    forms: list[str]  # every surface form, raw and normalized
    type: str
    implicit: bool
    links: list[Identity] = field(default_factory=list)  # identities that join other mentions
    identities: set[Identity] = field(default_factory=set)  # every form's identity (for curation)

    @property
    def order(self) -> tuple[str, str]:
        return (self.article, self.entity)


# An article's mentions and the report lines they gave, as plain data, by (Article.id, file name).
MentionMemo = dict[tuple[str, str], tuple[tuple[str, ...], list[tuple]]]


def resolve(docs: Iterable[tuple[Article, dict]], curation: Curation | None = None, *,
            memo: MentionMemo | None = None, trace: dict | None = None, progress: bool = False) -> Resolved:
    """Merge per-article extractions into organizations and links (see module doc).

    ``memo`` saves finding each article's mentions again: entries it holds are
    used as they are (so they must come from the same extractions and code),
    missing ones are added, and entries of articles not given are dropped.
    ``trace`` receives what kg.delta needs to redo only part of this next time:
    ``owner`` ((article id, entity id) -> organization key, before curation
    renames) and the places ``attach_places`` records. ``progress`` shows a
    bar for each pass over the articles (names, then links) on stderr.
    """
    resolved = Resolved()
    extractions: dict[str, dict] = {}
    for article, extraction in sorted(docs, key=lambda pair: (pair[0].id, pair[0].file_name, pair[0].path)):
        if article.id not in resolved.articles:  # the same bytes twice count once
            resolved.articles[article.id] = article
            extractions[article.id] = extraction
    curation = curation or Curation()

    mentions: list[Mention] = []
    by_entity: dict[tuple[str, str], int] = {}
    fresh: MentionMemo = {}
    bar = progress_bar(progress, "resolve names", len(extractions))
    for article_id in sorted(extractions):
        article = resolved.articles[article_id]
        key = (article_id, article.file_name)
        found = memo.get(key) if memo is not None else None
        if found is None:
            found = article_mentions(article, extractions[article_id])
        fresh[key] = found
        resolved.report.extend(found[0])
        for plain in found[1]:
            mention = Mention(*plain)
            by_entity[mention.order] = len(mentions)
            mentions.append(mention)
        bar.update()
    bar.close()
    if memo is not None:
        memo.clear()
        memo.update(fresh)

    clusters, preferred, marks = _cluster(mentions, curation, resolved)
    mention_key = _organizations(mentions, clusters, preferred, marks, resolved)
    if trace is not None:
        trace["owner"] = {mentions[i].order: key for i, key in mention_key.items()}
    # Without such decisions these only index every name (a tenth of resolving 10,000 articles).
    key_map = apply_organization_decisions(curation, resolved) if curation.of("remove", "rename", "retype") else {}
    bar = progress_bar(progress, "resolve links", len(extractions))
    _links(extractions, by_entity, mention_key, key_map, resolved, bar.update)
    bar.close()
    if curation.of("remove_link", "add_link"):
        apply_link_decisions(curation, resolved)
    list_unapplied(curation, resolved)
    attach_places(resolved, trace)
    resolved.organizations = dict(sorted(resolved.organizations.items()))
    resolved.links = dict(sorted(resolved.links.items()))
    return resolved


# ---------------------------------------------------------------- mentions


def article_mentions(article: Article, extraction: dict) -> tuple[tuple[str, ...], list[tuple]]:
    """One article's entry of the mention memo: (the report lines it gave, its mentions as plain tuples).

    A function of the article's id, file name and extraction alone, so an
    entry saved with a build's state serves every later build (kg.delta).
    Each mention is a plain tuple of :class:`Mention`'s fields in order (marshal can store it).

    >>> a = Article("a.txt", "a.txt", "a" * 64, "")
    >>> article_mentions(a, {"entities": [{"id": "e1", "name": "铜陵海关", "type": "Customs"}]})[1][0][2]
    '铜陵海关'
    """
    report: list[str] = []
    entities = {str(e.get("id")): e for e in extraction.get("entities", []) if isinstance(e, dict)}
    names = _QualifiedNames(entities, {
        str(r.get("head")): str(r.get("tail"))
        for r in extraction.get("relations", [])
        if isinstance(r, dict) and r.get("type") == "sub_organization_of"
    })
    found = []
    for entity_id in sorted(entities):
        entity = entities[entity_id]
        raw_name = str(entity.get("name") or "").strip()
        kind = entity.get("type")
        if not raw_name or kind not in ORG_TYPES:
            report.append(f"{article.file_name}: entity {entity_id} left out: no name or unknown type {kind!r}")
            continue
        name = names.of(entity_id)
        if name is None:
            report.append(f"{article.file_name}: '{raw_name}' left out: a team or branch with no parent unit named")
            continue
        if not identifies(identity(name)):
            report.append(f"{article.file_name}: '{raw_name}' left out: a generic name with no place or parent")
            continue
        forms = {raw_name, name}
        links = [identity(name)]
        for alias in entity.get("aliases") or []:
            alias_raw = str(alias).strip()
            if not alias_raw:
                continue
            alias_name = names.qualify(entity_id, alias_raw, frozenset({entity_id}))
            forms.add(alias_raw)
            if alias_name is None:
                continue
            forms.add(alias_name)
            if linking_alias(alias_name, name):
                links.append(identity(alias_name))
        found.append((article.id, entity_id, name, sorted(forms), kind, bool(entity.get("implicit", False)),
                      sorted(set(links), key=order), {identity(form) for form in forms}))
    return tuple(report), found


class _QualifiedNames:
    """The normalized names of one article's entities, a bare team or branch named by its parent unit
    (执勤一队 → 美兰边检站执勤一队). A class, not two closures calling each other: those made a reference cycle
    an article, left for the cycle collector."""

    def __init__(self, entities: dict[str, dict], parents: dict[str, str]) -> None:
        self.entities, self.parents = entities, parents
        self.known: dict[str, str | None] = {}

    def of(self, entity_id: str, seen: frozenset[str] = frozenset()) -> str | None:
        if entity_id not in self.known:
            self.known[entity_id] = self.qualify(entity_id, str(self.entities[entity_id].get("name") or ""), seen)
        return self.known[entity_id]

    def qualify(self, entity_id: str, name: str, seen: frozenset[str]) -> str | None:
        text = normalize(name)
        if not is_bare_part(text):
            return text
        parent = self.parents.get(entity_id)
        if parent is None or parent in seen or parent not in self.entities:
            return None
        parent_name = self.of(parent, seen | {entity_id})
        return parent_name + text if parent_name else None


# ---------------------------------------------------------------- clustering


class _Groups:
    """Union-find whose unions respect 'different' constraints (tags of opposite sides)."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.tags: dict[int, set[tuple[int, str]]] = defaultdict(set)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> bool | None:
        """True when joined, False when a constraint forbids it, None when already one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        opposite = {(i, "b" if side == "a" else "a") for i, side in self.tags[ra]}
        if opposite & self.tags[rb]:
            return False
        low, high = min(ra, rb), max(ra, rb)
        self.parent[high] = low
        self.tags[low] |= self.tags.pop(high, set())
        return True


def _matching(name: str, every: dict[Identity, list[int]], by_rest: dict[str, set[Identity]]) -> list[int]:
    """Mentions a curation name denotes: those with that very form, else its group's."""
    ident = identity(name)
    if ident in every:
        return sorted(set(every[ident]))
    found = {i for ident in NameIndex.matches(identity(name), by_rest) for i in every[ident]}
    return sorted(found)


def _cluster(mentions: list[Mention], curation: Curation, resolved: Resolved):
    """Groups of mention indices; the mentions named as B by applied 'same: [A, B]' decisions;
    and for each mention the ids of the same/different decisions that concern it."""
    joined = _Groups(len(mentions))
    preferred: set[int] = set()
    marks: dict[int, set[str]] = defaultdict(set)
    linked: dict[Identity, list[int]] = defaultdict(list)
    every: dict[Identity, list[int]] = defaultdict(list)
    for i, mention in enumerate(mentions):
        for ident in mention.links:
            linked[ident].append(i)
        for ident in mention.identities:
            every[ident].append(i)
    every_by_rest: dict[str, set[Identity]] = defaultdict(set)
    for ident in every:
        every_by_rest[ident[2]].add(ident)

    decisions = list(enumerate(curation.of("same", "different")))
    # Constraints first, so a 'same' can never override a 'different' by coming earlier in the file.
    decisions.sort(key=lambda item: item[1].operation == "same" and item[1].judgement != "negative")
    for number, decision in decisions:
        keep_apart = decision.operation == "different" or decision.judgement == "negative"
        if decision.judgement == "unsure" or (decision.operation == "different" and not decision.applies):
            continue
        a = _matching(decision.arg["a"], every, every_by_rest)
        b = _matching(decision.arg["b"], every, every_by_rest)
        missing = [n for n, found in ((decision.arg["a"], a), (decision.arg["b"], b)) if not found]
        if missing:
            resolved.report.append(f"{decision.where}: {decision.describe()}: no longer applies: "
                                   f"no organization named {', '.join(repr(m) for m in missing)}")
            continue
        record = CurationRecord(decision.id, decision.operation if not keep_apart else "different",
                                decision.describe(), decision.note)
        if keep_apart:
            if set(a) & set(b):
                resolved.report.append(f"{decision.where}: {decision.describe()}: cannot keep apart: "
                                       "the two names are one name")
                continue
            for i in a:
                joined.tags[joined.find(i)].add((number, "a"))
            for i in b:
                joined.tags[joined.find(i)].add((number, "b"))
            resolved.decisions[decision.id] = record
            for i in a + b:
                marks[i].add(decision.id)
        else:
            for i in a[1:] + b:
                if joined.union(a[0], i) is False:
                    resolved.report.append(f"{decision.where}: {decision.describe()}: "
                                           "conflicts with a 'different' decision: not applied")
                    break
            else:
                resolved.decisions[decision.id] = record
                preferred.update(b)
                for i in a + b:
                    marks[i].add(decision.id)

    for group in groups(linked):
        first, *others = sorted({i for ident in group for i in linked[ident]})
        for i in others:
            joined.union(first, i)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        members[joined.find(i)].append(i)
    return sorted(members.values()), preferred, marks


# ---------------------------------------------------------------- organizations


def _name_rank(form: str) -> tuple:
    """Fullest first: full suffixes, the most specific place, more places written, longer."""
    split = split_place(form)
    if split.code and split.located:
        level, written = LEVELS.index(level_of(split.code)) + 1, split.levels
    else:  # an origin (湖南商会) or a place the table does not know (丹崖市…) ranks below known places
        level, written = (1, 1) if identity(form)[0] else (0, 0)
    return (-fullness(form), -level, -written, -len(form), form)


def _organizations(mentions, clusters, preferred: set[int], marks, resolved: Resolved) -> dict[int, str]:
    mention_key: dict[int, str] = {}
    for group in clusters:
        members = [mentions[i] for i in group]
        pool = [mentions[i] for i in group if i in preferred]
        pool = pool or [m for m in members if not m.implicit] or members
        candidates = {m.name for m in pool} | {
            normalize(f) for m in pool for f in m.forms if identity(f) in m.links
        }
        name = min(candidates, key=_name_rank) if len(candidates) > 1 else next(iter(candidates))
        key = name
        if key in resolved.organizations:
            number = 2
            while f"{name}#{number}" in resolved.organizations:
                number += 1
            key = f"{name}#{number}"
            resolved.report.append(f"two organizations kept apart share the name '{name}': the second is '{key}'")
        if len(members) == 1:  # most organizations are named in one article
            kind = members[0].type
        else:
            types = Counter(m.type for m in members)
            kind = min(types, key=lambda t: (-types[t], ORG_TYPES.index(t)))
        forms = {f for m in members for f in m.forms}
        resolved.organizations[key] = Organization(
            key=key,
            name=name,
            type=kind,
            aliases=forms - {name},
            articles={m.article for m in members},
            implicit=all(m.implicit for m in members),
            curated_by=sorted({d for i in group for d in marks.get(i, ())}),
        )
        for i in group:
            mention_key[i] = key
    return mention_key


# ---------------------------------------------------------------- links


def _confidence(value: Any) -> float:
    """A number in [0, 1]; anything else (a malformed extraction) counts as stated, 1.0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 1.0
    return min(1.0, max(0.0, number)) if number == number else 1.0


def _links(extractions, by_entity, mention_key, key_map, resolved: Resolved,
           advance: Callable[[], None] = lambda: None) -> None:
    evidence: dict[tuple[str, str, str], dict[tuple[str, str], float]] = defaultdict(dict)

    def organization(article_id: str, entity: Any) -> str | None:
        i = by_entity.get((article_id, str(entity)))
        key = mention_key.get(i) if i is not None else None
        return key_map.get(key, key) if key is not None and key_map else key

    for article_id in sorted(extractions):
        for relation in extractions[article_id].get("relations", []):
            if not isinstance(relation, dict) or relation.get("type") not in RELATION_TYPES:
                continue
            head, tail = organization(article_id, relation.get("head")), organization(article_id, relation.get("tail"))
            if head is None or tail is None or head == tail:
                continue
            slots = evidence[link_key(relation["type"], head, tail)]
            confidence = _confidence(relation.get("confidence", 1.0))
            for sentence in (relation.get("evidence"), *(relation.get("evidences") or [])):
                if isinstance(sentence, str) and (sentence := sentence.strip()):
                    slot = (article_id, sentence)
                    known = slots.get(slot)
                    if known is None or confidence > known:  # the highest confidence a sentence was given
                        slots[slot] = confidence
            if not slots:
                slots[(article_id, "")] = confidence
        advance()
    for lk in sorted(evidence):
        items = [Evidence(a, s, c) for (a, s), c in sorted(evidence[lk].items())]
        resolved.links[lk] = Link(type=lk[0], head=lk[1], tail=lk[2], evidence=items)

# ---------------------------------------------------------------- JSON


_HEADER = re.compile(r'^\{?"(articles|decisions|links|organizations|places)": [\[{]$')


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return vars(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def resolved_lines(resolved: Resolved, *, include_text: bool = False,
                   advance: Callable[[int], None] = lambda n: None) -> dict[str, list[str]]:
    """Each node of ``resolved`` as one canonical JSON line, by section, sorted by key.

    Equal nodes give equal lines, so comparing lines compares nodes (kg.build's diff).
    ``advance(n)`` is told of each section's ``n`` nodes once they are encoded.
    """
    encode = node_encoder(include_text=include_text)
    lines: dict[str, list[str]] = {}
    for section, table in (("articles", resolved.articles), ("decisions", resolved.decisions),
                           ("organizations", resolved.organizations), ("places", resolved.places),
                           ("links", resolved.links)):
        lines[section] = [encode(section, key, table[key]) for key in sorted(table)]
        advance(len(table))
    return lines


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_plain).encode


def node_encoder(*, include_text: bool = False):
    """``encode(section, key, value)``: the canonical line of one node (see :func:`resolved_lines`).

    >>> node_encoder()("places", "340700", Place("340700", "铜陵市", "city", "340000"))
    '"340700": {"code": "340700", "level": "city", "name": "铜陵市", "parent": "340000"}'
    """
    encode = _ENCODE

    def line(section: str, key: Any, value: Any) -> str:
        if section == "links":
            return encode(value)
        if section == "articles" and value.text and not include_text:
            value = {**vars(value), "text": ""}
        return f"{encode(key)}: {encode(value)}"

    return line


def join_resolved(lines: dict[str, list[str]], report: list[str]) -> str:
    """The resolved JSON from :func:`resolved_lines`: one node a line between section lines."""
    return b"".join(resolved_pieces(lines, report)).decode("utf-8")


def resolved_pieces(lines: dict[str, list[str]], report: list[str], *, batch: int = 1000,
                    sizes: dict[str, list[int]] | None = None) -> Iterator[bytes]:
    """:func:`join_resolved`'s bytes in pieces of up to ``batch`` lines, to be written without joining them all.

    ``sizes``, if given, receives what kg.linefile.line_sizes would give, as the lines are encoded.
    """
    return _encoded_pieces(lines.__getitem__, report, batch, sizes)


def resolved_chunks(resolved: Resolved, sizes: dict[str, list[int]], *, batch: int = 1000,
                    advance: Callable[[int], None] = lambda n: None) -> Iterator[bytes]:
    """``resolved_pieces(resolved_lines(resolved), resolved.report)``, each node encoded as its piece is written.

    The lines of the whole graph are never held at once (39 MB of the
    10,000-article build's peak). ``sizes`` receives what
    kg.linefile.line_sizes would give; ``advance(n)`` is told of the nodes written.
    """
    encode = node_encoder()

    def section_lines(section: str) -> Iterator[str]:
        table = getattr(resolved, section)
        return (encode(section, key, table[key]) for key in sorted(table))

    return _encoded_pieces(section_lines, resolved.report, batch, sizes, advance)


def _encoded_pieces(section_lines: Callable[[str], Iterable[str]], report: list[str], batch: int,
                    sizes: dict[str, list[int]] | None, advance: Callable[[int], None] = lambda n: None
                    ) -> Iterator[bytes]:
    """kg.linefile.framed over each section's lines, encoded ``batch`` at a time (their sizes kept in ``sizes``)."""
    def batches(section: str) -> Iterator[list[bytes]]:
        done = sizes.setdefault(section, []) if sizes is not None else None
        lines = iter(section_lines(section))
        while encoded := [line.encode("utf-8") for line in islice(lines, batch)]:
            if done is not None:
                done.extend(map(len, encoded))
            yield encoded
            advance(len(encoded))

    return framed(batches, report)


def split_resolved(text: str) -> dict[str, list[str]] | None:
    """The node lines of a resolved JSON written by :func:`join_resolved`, or None for any other layout."""
    lines: dict[str, list[str]] = {}
    section: list[str] | None = None
    for line in text.split("\n"):
        if section is None:
            header = _HEADER.match(line)
            if header is not None:
                section = lines.setdefault(header.group(1), [])
            elif line.startswith('"report": '):
                break
            else:
                return None
        elif line in ("},", "],"):
            section = None
        else:
            section.append(line[:-1] if line.endswith(",") else line)
    return lines if set(lines) == set(SECTIONS) else None


def node_from_line(section: str, line: str) -> tuple[Any, Any]:
    """(key, value) of one line of :func:`resolved_lines` (the inverse)."""
    if section == "links":
        link = _link(json.loads(line))
        return (link.type, link.head, link.tail), link
    key, value = next(iter(json.loads("{" + line + "}").items()))
    return key, _NODE[section](value)


def _organization(value: dict) -> Organization:
    return Organization(**{**value, "aliases": set(value["aliases"]), "articles": set(value["articles"])})


def _link(value: dict) -> Link:
    return Link(**{**value, "evidence": [Evidence(**e) for e in value["evidence"]]})


_NODE = {"articles": lambda v: Article(**v), "decisions": lambda v: CurationRecord(**v),
         "organizations": _organization, "places": lambda v: Place(**v)}


def resolved_to_json(resolved: Resolved, *, include_text: bool = False) -> str:
    """Serialize for the store folder (kg review and incremental builds read it back); sorted, so diffable.

    One node a line (see :func:`join_resolved`). Article texts are left out
    unless asked for (they are in the articles themselves, and no triple is
    made from them); they come back as "".
    """
    return join_resolved(resolved_lines(resolved, include_text=include_text), resolved.report)


def resolved_from_json(text: str) -> Resolved:
    data: dict[str, Any] = json.loads(text)
    resolved = Resolved(
        articles={k: Article(**v) for k, v in data.get("articles", {}).items()},
        places={k: Place(**v) for k, v in data.get("places", {}).items()},
        decisions={k: CurationRecord(**v) for k, v in data.get("decisions", {}).items()},
        report=list(data.get("report", [])),
    )
    for key, value in data.get("organizations", {}).items():
        resolved.organizations[key] = _organization(value)
    for value in data.get("links", []):
        link = _link(value)
        resolved.links[(link.type, link.head, link.tail)] = link
    return resolved
