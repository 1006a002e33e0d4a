"""A checker of the gold annotation format (shared/gold/SCHEMA.md), for extractor output.

>>> schema_errors({"doc": "a.txt", "entities": [], "relations": []})
[]
>>> schema_errors({"doc": "a.txt", "entities": [{"id": "e1", "name": "", "type": "Harbour", "aliases": []}],
...                "relations": []})
['entities[0].name: empty', "entities[0].type: 'Harbour' is not an ontology class"]
"""

from __future__ import annotations

from typing import Any

from kg.model import ORG_TYPES, RELATION_TYPES, SYMMETRIC_RELATIONS


def schema_errors(doc: Any) -> list[str]:
    """Every way ``doc`` departs from the gold format (an empty list when it conforms)."""
    if not isinstance(doc, dict):
        return ["not an object"]
    errors: list[str] = []
    if not isinstance(doc.get("doc"), str):
        errors.append("doc: not a string")
    entities, relations = doc.get("entities"), doc.get("relations")
    if not isinstance(entities, list) or not isinstance(relations, list):
        return errors + ["entities and relations must be lists"]
    ids: set[str] = set()
    for i, entity in enumerate(entities):
        errors += [f"entities[{i}].{e}" for e in _entity_errors(entity, ids)]
    seen: set[tuple] = set()
    for i, relation in enumerate(relations):
        errors += [f"relations[{i}].{e}" for e in _relation_errors(relation, ids, seen)]
    return errors


def _entity_errors(entity: Any, ids: set[str]) -> list[str]:
    if not isinstance(entity, dict):
        return ["not an object"]
    errors = []
    key = entity.get("id")
    if not isinstance(key, str) or not key:
        errors.append("id: not a non-empty string")
    elif key in ids:
        errors.append(f"id: {key!r} used twice")
    else:
        ids.add(key)
    name = entity.get("name")
    if not isinstance(name, str):
        errors.append("name: not a string")
    elif not name.strip():
        errors.append("name: empty")
    if entity.get("type") not in ORG_TYPES:
        errors.append(f"type: {entity.get('type')!r} is not an ontology class")
    aliases = entity.get("aliases")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        errors.append("aliases: not a list of non-empty strings")
    if "implicit" in entity and not isinstance(entity["implicit"], bool):
        errors.append("implicit: not a boolean")
    return errors


def _relation_errors(relation: Any, ids: set[str], seen: set[tuple]) -> list[str]:
    if not isinstance(relation, dict):
        return ["not an object"]
    errors = []
    head, tail, kind = relation.get("head"), relation.get("tail"), relation.get("type")
    for end, value in (("head", head), ("tail", tail)):
        if value not in ids:
            errors.append(f"{end}: {value!r} is not an entity id")
    if head == tail:
        errors.append("head and tail are the same entity")
    if kind not in RELATION_TYPES:
        errors.append(f"type: {kind!r} is not a relation type")
    key = (kind, *sorted((str(head), str(tail)))) if kind in SYMMETRIC_RELATIONS else (kind, head, tail)
    if key in seen:
        errors.append(f"{kind} between {head} and {tail} given twice")
    seen.add(key)
    evidence = relation.get("evidence")
    if not isinstance(evidence, str) or not evidence.strip():
        errors.append("evidence: not a non-empty string")
    evidences = relation.get("evidences", [])
    if not isinstance(evidences, list) or not all(isinstance(e, str) and e for e in evidences):
        errors.append("evidences: not a list of strings")
    confidence = relation.get("confidence", 1.0)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        errors.append(f"confidence: {confidence!r} is not a number in [0, 1]")
    return errors


def evidence_strings(doc: dict) -> list[str]:
    """Every evidence string of an extraction (``evidence`` and ``evidences``)."""
    out = []
    for relation in doc.get("relations", []):
        out.append(relation.get("evidence"))
        out.extend(relation.get("evidences", []))
    return out
