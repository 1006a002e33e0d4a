"""extract(text) → the gold-format dict: mentions → entities → anaphora → relations.

>>> out = extract("铜陵边检站与铜陵海关签订党建联建协议。", "a.txt")
>>> [e["name"] for e in out["entities"]], out["relations"][0]["type"]
(['铜陵边检站', '铜陵海关'], 'joint_building')
"""

from __future__ import annotations

import re

from kg.extract.anaphora import Antecedents
from kg.extract.entities import Registry, attached_short_forms, dropped_middle_aliases, place_dropped_aliases, short_form_aliases
from kg.extract.lexicon import Lexicon, load_lexicon
from kg.extract.implicit import local_bodies
from kg.extract.lists import expand_lists
from kg.extract.names import Mention, Occupied, find_mentions, sort_by_position
from kg.extract.relations import find_relations
from kg.extract.subunits import bare_subunits
from kg.model import ORG_TYPES, RELATION_TYPES

BLOCK_CHARS = 200_000  # longer texts are extracted block by block (kg.extract.blocks)
_ORG_TYPES, _RELATION_TYPES = frozenset(ORG_TYPES), frozenset(RELATION_TYPES)  # sets: tested per entity and link


def _standalone(text: str, name: str, lex: Lexicon) -> bool:
    """Does `name` occur somewhere not followed by another unit suffix (on its own)?"""
    for start in _occurrences(text, name):
        end = start + len(name)
        if not (lex.suffix_re.match(text, end) or lex.team_re.match(text, end)):
            return True
    return False


def _register(text: str, mentions: list[Mention], lex: Lexicon) -> Registry:
    registry = Registry()
    party_only_parents = _parents_with_party_children_only(mentions, lex)
    held_back = []
    for m in mentions:
        if m.kind != "org":
            continue
        if id(m) in party_only_parents and not _standalone(text, m.name, lex):
            held_back.append(m)
            continue
        if m.attached and m.suffix in lex.same_unit_suffixes and m.parent is not None and m.parent.kind == "org":
            registry.alias(registry.add(m.parent.name, m.parent.type), m.name)  # 和平村村委会 is 和平村
            m.parent = None
            continue
        entity = registry.add(m.name, m.type, implicit=m.implicit)
        for alias in m.aliases:
            registry.alias(entity, alias)
    short_form_aliases(registry, mentions, lex)
    attached_short_forms(registry, mentions)
    by_prefix: dict[str, list[Mention]] = {}
    for other in mentions:
        if other.kind == "org" and other.prefix:
            by_prefix.setdefault(other.prefix, []).append(other)
    for m in held_back:  # 澜沧县委 in 澜沧县委党校 confirms a 澜沧县委 inferred from a bare 县委
        if registry.get(m.name) is not None:
            registry.add(m.name, m.type, implicit=False)
    for m in held_back:  # 珠海边检站 in 珠海边检站党委: kept when it is a short form of a known unit
        for other in by_prefix.get(m.prefix, ()):
            same_unit = m.suffix in lex.short_forms.get(other.suffix, ()) or other.suffix in lex.short_forms.get(m.suffix, ())
            if other.kind == "org" and other.prefix == m.prefix and same_unit and registry.get(other.name):
                registry.alias(registry.get(other.name), m.name)
                break
    dropped_middle_aliases(registry)
    place_dropped_aliases(registry)
    _declared_aliases(text, mentions, registry)
    return registry


_DECLARED = re.compile(r"[（(](?:以下)?(?:简称|下称)[为“\"]?([^）)”“\"]{2,12})[”\"]?[）)]")


def _declared_aliases(text: str, mentions: list[Mention], registry: Registry) -> None:
    """南坪国有农场（以下简称南坪农场）: the short name is declared an alias."""
    if "简称" not in text and "下称" not in text:
        return
    by_end = {m.end: m for m in mentions if m.kind == "org"}
    for match in _DECLARED.finditer(text):
        named = by_end.get(match.start())
        entity = registry.get(named.name) if named else None
        if entity is not None:
            registry.alias(entity, match.group(1))


def _bare_references(mentions: list[Mention], registry: Registry, lex: Lexicon) -> None:
    """工作站还与…: a bare unit word that ends exactly one entity's name refers to it."""
    owners_of: dict[tuple[str, str], set[str]] = {}
    for m in mentions:
        if m.kind != "bare" or len(m.suffix) < 3 or m.stop in _NOT_REFERENCES:
            continue
        key = (m.suffix, m.type)
        if key not in owners_of:  # 边检站 also stands for a name ending with its long form (出入境边防检查站)
            endings = (m.suffix, *(long for long, shorts in lex.short_forms.items() if m.suffix in shorts))
            owners_of[key] = {e.key for e in registry.order if e.name.endswith(endings) and m.type in ("", e.type)}
        if len(owners_of[key]) == 1:
            m.kind, m.entity = "ref", next(iter(owners_of[key]))


_NOT_REFERENCES = ("generic", "untrusted", "too-long", "no-keyword", "等", "list")


def _committee_department(child: Mention, parent: Mention) -> bool:
    """某市委组织部, 中央军委政治工作部, 某市委党校: a body named through its committee (…委)."""
    return parent.name.endswith("委") and parent.type in (child.type, "Government", "Military")


def _parents_with_party_children_only(mentions: list[Mention], lex: Lexicon) -> set[int]:
    """Units named only as the owner of a Party organization or of a department.

    湖南商会 in 湖南商会党支部, 某市委 in 某市委组织部: the department's name
    includes its committee, which is not a participant of its own.
    """
    children: dict[int, list[Mention]] = {}
    parents: dict[int, Mention] = {}
    for m in mentions:
        parent = m.parent
        if parent is not None:
            key = id(parent)
            if key in parents:
                children[key].append(m)
            else:
                parents[key], children[key] = parent, [m]
    if not parents:
        return set()
    return {
        key
        for key, kids in children.items()
        if all(k.attached and (k.type == lex.party_type or _committee_department(k, parents[key])) for k in kids)
        and not parents[key].attached
        and parents[key].parent is None
    }


def _taken(text: str, mentions: list[Mention]) -> Occupied:
    taken = Occupied(len(text))
    mask = taken.mask
    for m in mentions:
        if m.kind != "bare":
            mask[m.start : m.end] = b"\x01" * (m.end - m.start)  # Occupied.take, inlined
    return taken


def _alias_occurrences(text: str, registry: Registry, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """Mentions for short forms used before or apart from the full name (在木康站, 缉私局机关党委)."""
    first_named: dict[str, Mention] = {}
    for m in mentions:
        if m.kind == "org" and m.prefix:
            first_named.setdefault(m.name, m)
    owner_of: dict[str, tuple] = {}  # short form → (entity, the mention that gave it)
    for entity in list(registry.order):
        base = first_named.get(entity.name)
        for short in lex.short_forms.get(base.suffix, ()) if base else ():
            owner_of.setdefault(base.prefix + short, (entity, base))
    if not owner_of:
        return []
    taken = _taken(text, mentions)
    found = []
    for form, (entity, base) in owner_of.items():
        for s in _occurrences(text, form):
            e = s + len(form)
            if taken.overlaps(s, e):
                continue
            registry.alias(entity, form)
            found.append(Mention(s, e, form, entity.type, "org", base.prefix, form[len(base.prefix) :], stop="alias"))
            taken.take(s, e)
    return found


def _occurrences(text: str, word: str):
    """Start of every occurrence of `word` (str.find: no regex to compile per article)."""
    pos = text.find(word)
    while pos != -1:
        yield pos
        pos = text.find(word, pos + len(word))


def _partial_aliases(mentions: list[Mention], registry: Registry) -> None:
    """缉私局机关党委 written without its head unit: an alias of the one entity whose name ends so."""
    for m in mentions:
        if m.kind != "partial":
            continue
        owners = {id(e): e for e in registry.order if e.name.endswith(m.name) and e.name != m.name}
        if len(owners) == 1:
            entity = next(iter(owners.values()))
            registry.alias(entity, m.name)
            m.kind, m.entity = "org", entity.key


def _core_mentions(text: str, registry: Registry, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """Name parts written alone (木康缉毒…) as antecedent candidates: they switch the story.

    Only name parts that belong to one entity and are not known places count.
    """
    owners: dict[str, set[str]] = {}
    for m in mentions:
        if m.kind == "org" and m.entity and len(m.prefix) >= 2 and not m.attached:
            owners.setdefault(m.prefix, set()).add(m.entity)
    entity_of = {}
    for prefix, keys in owners.items():
        entity = registry.resolve(next(iter(keys))) if len(keys) == 1 and prefix not in lex.places else None
        if entity is not None:
            entity_of[prefix] = entity
    if not entity_of:
        return []
    taken = _taken(text, mentions)
    found = []
    for prefix, entity in entity_of.items():
        for s in _occurrences(text, prefix):
            if not taken.overlaps(s, s + len(prefix)):
                found.append(Mention(s, s + len(prefix), entity.name, entity.type, "core", prefix, entity=entity.key))
    return found


def _resolve_anaphora(text: str, mentions: list[Mention], registry: Registry, lex: Lexicon) -> list[tuple[Mention, Mention]]:
    """Set `entity` on anaphors; teams named through an anaphor (该站执勤一队) become entities.

    Returns (child, parent) pairs for the units created that way.
    """
    if not any(m.kind == "anaphor" for m in mentions):
        return []  # nothing to resolve: the candidates below are not needed (they change nothing)
    names = {e.key: e.forms() for e in registry.order}
    created = []
    candidates = Antecedents(mentions + _core_mentions(text, registry, mentions, lex), lex.anaphora, names)
    for m in mentions:
        if m.kind != "anaphor":
            continue
        if m.parent is not None and m.attached:  # 该站执勤一队党支部: the team's branch → the team
            m.entity = m.parent.entity
            continue
        target = candidates.find(m)
        if target is None:
            continue
        if not m.name or m.type == lex.party_type:  # 该站 / 该站党支部 → the station itself
            m.entity = target.entity
            if not m.name:  # 该联盟成员单位包括…: the anaphor stands for an alliance from now on
                m.type = target.type
            continue
        parent = registry.resolve(target.entity)
        if parent is None:
            continue
        known = next((registry.get(f + m.name) for f in parent.forms() if registry.get(f + m.name)), None)
        surface = target.name if target.name in parent.forms() else parent.name
        child = known or registry.add(surface + m.name, m.type or parent.type)  # 该站下辖一队: the station's kind
        for form in parent.forms():  # 该站执勤三队: every name of the station makes a name of the team
            if registry.get(form + m.name) is None:
                registry.alias(child, form + m.name)
        m.entity = child.key
        created.append((m, target))
    return created


def extract(text: str, doc: str = "") -> dict:
    """Organizations and links of one cleaned article, in the gold format (never raises on a string).

    A text longer than ``BLOCK_CHARS`` is extracted block by block (``kg.extract.blocks``),
    so memory stays bounded; shorter texts are extracted whole.
    """
    if not isinstance(text, str):
        text = ""
    if len(text) > BLOCK_CHARS:
        from kg.extract.blocks import extract_blocks

        return extract_blocks(text, doc, BLOCK_CHARS)
    return extract_text(text, doc)


def extract_text(text: str, doc: str = "") -> dict:
    """``extract`` of the whole text at once, whatever its length."""
    lex = load_lexicon()
    mentions = find_mentions(text, lex)
    mentions = _with_subunits(text, mentions, lex)
    mentions += expand_lists(text, mentions, lex)
    mentions += local_bodies(text, mentions, lex)
    sort_by_position(mentions)
    registry = _register(text, mentions, lex)
    _partial_aliases(mentions, registry)
    mentions += _alias_occurrences(text, registry, mentions, lex)
    sort_by_position(mentions)
    by_form = registry.by_form
    for m in mentions:
        if m.kind == "org" and m.entity is None:  # its entity, by its name
            entity = by_form.get(m.name)
            m.entity = entity.key if entity else None
    _bare_references(mentions, registry, lex)
    created = _resolve_anaphora(text, mentions, registry, lex)
    redirect, live = registry.redirect, registry.live
    for m in mentions:  # merged entities: point at the survivor (Registry.resolve, inlined)
        key = m.entity
        if key is not None:
            while key in redirect:
                key = redirect[key]
            m.entity = key if key in live else None
    relations = find_relations(text, mentions, created, lex)
    return _output(doc, registry, relations)


def _with_subunits(text: str, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """Bare sub-units after 下辖 / 下设 … become parts of their unit; the bare mentions they cover go."""
    parts = bare_subunits(text, mentions, lex)
    if not parts:
        return mentions
    taken = Occupied(len(text))
    for m in parts:
        taken.take(m.start, m.end)
    kept = [m for m in mentions if not (m.kind == "bare" and taken.overlaps(m.start, m.end))]
    return sort_by_position(kept + parts)


def _output(doc: str, registry: Registry, relations: list[dict]) -> dict:
    ids = {}
    entities = []
    for entity in registry.order:
        if entity.type not in _ORG_TYPES:
            continue
        ids[entity.key] = f"e{len(ids) + 1}"
        entities.append({"id": ids[entity.key], "name": entity.name, "type": entity.type,
                         "aliases": sorted(entity.aliases), "implicit": entity.implicit})
    out_relations = []
    for r in relations:
        if r["head"] in ids and r["tail"] in ids and r["type"] in _RELATION_TYPES and r["head"] != r["tail"]:
            out_relations.append({**r, "head": ids[r["head"]], "tail": ids[r["tail"]]})
    return {"doc": doc, "entities": entities, "relations": out_relations}
