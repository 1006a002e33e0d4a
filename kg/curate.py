"""Apply curation decisions to a resolved graph: remove, rename, retype, remove_link, add_link.

(``same`` and ``different`` steer the clustering itself, in kg.resolve.)
Every applied decision is recorded in ``Resolved.decisions`` and marked on what
it changed; a decision whose names no longer occur goes to ``Resolved.report``.
"""

from __future__ import annotations

from kg.curation import Curation, Decision
from kg.identity import NameIndex
from kg.model import SYMMETRIC_RELATIONS, CurationRecord, Link, Resolved
from kg.names import normalize


def link_key(kind: str, head: str, tail: str) -> tuple[str, str, str]:
    """Symmetric links are stored once, ends in sorted order."""
    if kind in SYMMETRIC_RELATIONS and tail < head:
        head, tail = tail, head
    return (kind, head, tail)


def name_index(resolved: Resolved) -> NameIndex:
    index = NameIndex()
    for key, org in resolved.organizations.items():
        index.add(key, [org.key, org.name, *org.aliases])
    return index


def _find(name: str, index: NameIndex, decision: Decision, resolved: Resolved) -> str | None:
    keys = index.lookup(name) & resolved.organizations.keys()
    if len(keys) == 1:
        return next(iter(keys))
    problem = f"no organization named '{name}'" if not keys else f"'{name}' is ambiguous: {', '.join(sorted(keys))}"
    resolved.report.append(f"{decision.where}: {decision.describe()}: no longer applies: {problem}")
    return None


def _record(decision: Decision, resolved: Resolved) -> None:
    resolved.decisions[decision.id] = CurationRecord(decision.id, decision.operation, decision.describe(), decision.note)


def apply_organization_decisions(curation: Curation, resolved: Resolved) -> dict[str, str | None]:
    """rename, retype, remove; returns old key -> new key (None when removed)."""
    key_map: dict[str, str | None] = {}
    index = name_index(resolved)
    for decision in curation.of("remove", "rename", "retype"):
        if not decision.applies:
            continue
        a = decision.arg
        key = _find(a.get("name") or a.get("from"), index, decision, resolved)
        if key is None:
            continue
        org = resolved.organizations[key]
        if decision.operation == "remove":
            del resolved.organizations[key]
            key_map.update({old: None for old, new in key_map.items() if new == key})
            key_map[key] = None
        elif decision.operation == "retype":
            org.type = a["type"]
            org.curated_by.append(decision.id)
        else:
            new = normalize(a["to"])
            if new != key and new in resolved.organizations:
                resolved.report.append(f"{decision.where}: {decision.describe()}: not applied: "
                                       f"'{new}' is another organization (use 'same' to merge)")
                continue
            del resolved.organizations[key]
            org.aliases = (org.aliases | {org.name}) - {new}
            org.key = org.name = new
            org.curated_by.append(decision.id)
            resolved.organizations[new] = org
            key_map.update({old: new for old, target in key_map.items() if target == key})
            key_map[key] = new
            index.add(new, [new, *org.aliases])  # old names now find the renamed organization
        _record(decision, resolved)
    return key_map


def apply_link_decisions(curation: Curation, resolved: Resolved) -> None:
    index = name_index(resolved)
    for decision in curation.of("remove_link", "add_link"):
        if not decision.applies:
            continue
        a = decision.arg
        head = _find(a["head"], index, decision, resolved)
        tail = _find(a["tail"], index, decision, resolved)
        if head is None or tail is None:
            continue
        lk = link_key(a["type"], head, tail)
        if decision.operation == "remove_link":
            if lk not in resolved.links:
                resolved.report.append(f"{decision.where}: {decision.describe()}: no longer applies: no such link")
                continue
            del resolved.links[lk]
        else:
            link = resolved.links.setdefault(lk, Link(type=lk[0], head=lk[1], tail=lk[2]))
            link.curated_by = decision.id
            link.note = decision.note
        _record(decision, resolved)


def list_unapplied(curation: Curation, resolved: Resolved) -> None:
    for decision in curation.decisions:
        if decision.judgement == "unsure" or (decision.judgement == "negative" and decision.operation != "same"):
            resolved.report.append(f"{decision.where}: {decision.describe()}: {decision.judgement}, not applied")
