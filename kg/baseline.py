"""A naive extractor to compare against: jieba's ``nt`` (organization) tags.

Every word jieba's part-of-speech tagger marks ``nt`` is an organization; its
type is guessed from the longest type suffix of the lexicon it ends with, else
``SocialOrganization``. Every pair of such words in a sentence that contains a
relation cue is linked, with the type of the first cue family found. It uses no
grammar, no lists, no anaphora: it is the floor the real extractor must beat.

    >>> guess_type("甲市海关"), guess_type("某某")
    ('Customs', 'SocialOrganization')
    >>> [e["name"] for e in baseline_extract("国务院和民政部开展共建。")["entities"]]  # doctest: +SKIP
    ['国务院', '民政部']

jieba is imported lazily: it is only a test/bench dependency.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from kg.model import ORG_TYPES, RELATION_TYPES, SYMMETRIC_RELATIONS

# Used only when the lexicon has no cues: the cue column of shared/gold/SCHEMA.md.
_FALLBACK_CUES = {
    "joint_building": ["联建", "共建", "联创", "结对"],
    "joint_defense": ["联防", "联控", "联巡", "联合打击"],
    "cooperation": ["签订", "协议", "联席会议", "联合"],
    "member_of": ["组成", "加入", "成员单位"],
    "sub_organization_of": ["下辖", "所属", "隶属"],
}

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")


def _strings(node: Any) -> list[str]:
    """Every string inside a YAML node (lists and mappings walked)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


@lru_cache(maxsize=1)
def _lexicon() -> Any:
    import yaml

    from kg.resources import lexicon_file

    path = lexicon_file()
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@lru_cache(maxsize=1)
def type_suffixes() -> list[tuple[str, str]]:
    """(suffix, type) pairs from the lexicon, longest suffix first."""
    types = _lexicon().get("types") or {}
    pairs = {(s, t) for t in ORG_TYPES for s in _strings((types.get(t) or {}).get("suffixes")) if s}
    return sorted(pairs, key=lambda p: (-len(p[0]), p))


@lru_cache(maxsize=1)
def relation_cues() -> dict[str, list[str]]:
    """Cue words per relation type in priority order (every word listed under the type)."""
    relations = _lexicon().get("relations") or {}
    return {r: _strings(relations.get(r)) or _FALLBACK_CUES[r] for r in RELATION_TYPES}


def guess_type(name: str) -> str:
    for suffix, org_type in type_suffixes():
        if name.endswith(suffix):
            return org_type
    return "SocialOrganization"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _cue_type(sentence: str) -> str | None:
    for rtype, words in relation_cues().items():
        if any(w in sentence for w in words):
            return rtype
    return None


def baseline_extract(text: str, doc: str = "") -> dict:
    """Organizations = jieba ``nt`` words; links = all their pairs in a cue sentence."""
    import jieba.posseg

    ids: dict[str, str] = {}
    entities: list[dict] = []
    relations: dict[tuple[str, str, str], dict] = {}
    for sentence in sentences(text):
        names = list(dict.fromkeys(w.word.strip() for w in jieba.posseg.lcut(sentence) if w.flag == "nt"))
        names = [n for n in names if n]
        for name in names:
            if name not in ids:
                ids[name] = f"e{len(ids) + 1}"
                entities.append({"id": ids[name], "name": name, "type": guess_type(name), "aliases": []})
        rtype = _cue_type(sentence)
        if rtype is None:
            continue
        for i, head in enumerate(names):
            for tail in names[i + 1:]:
                ends = (ids[head], ids[tail])
                key = (rtype, *(sorted(ends) if rtype in SYMMETRIC_RELATIONS else ends))
                relations.setdefault(key, {
                    "head": ids[head], "tail": ids[tail], "type": rtype,
                    "evidence": sentence, "confidence": 0.5,
                })
    return {"doc": doc, "entities": entities, "relations": list(relations.values())}
