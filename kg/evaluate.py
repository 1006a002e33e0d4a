"""Score extraction output against hand-made gold answers (rules of shared/gold/SCHEMA.md).

Both sides are documents in the gold format, keyed by file stem::

    >>> gold = {"a": {"entities": [{"id": "e1", "name": "甲市海关", "type": "Customs", "aliases": []}],
    ...               "relations": []}}
    >>> pred = {"a": {"entities": [{"id": "x", "name": "甲市海關", "type": "Customs"}], "relations": []}}
    >>> score(gold, pred).rows["entities"].f1
    1.0

Matching rules:

- a name is normalized by OpenCC traditional→simplified conversion and removal of
  white space; a predicted entity matches a gold entity when its normalized name
  equals the gold name or one of the gold aliases;
- matching is one-to-one (a maximum bipartite matching: each gold entity is
  matched by at most one predicted entity and vice versa); among matchings of
  maximum size, pairs matched on the gold ``name`` and pairs of equal type are
  preferred; predicted entities with the same normalized name count once;
- a relation matches when both ends match (through the entity matching) and the
  types are equal; symmetric types ignore direction; the untyped row compares
  unordered pairs; repeated relations count once;
- gold entities marked ``implicit`` and the relations touching them are scored
  in rows of their own. A prediction matched to an implicit gold entity counts
  only there. A prediction that matches nothing is a false positive of the main
  row; if it is itself marked ``implicit`` it is also a false positive of the
  implicit row (a system that infers nothing is never charged there). A
  predicted relation with an end matched to an implicit gold entity is scored
  in the implicit relations row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import networkx as nx

from kg.clean import to_simplified
from kg.model import RELATION_TYPES, SYMMETRIC_RELATIONS

ROWS = (
    "entities",
    "entities_typed",
    "relations",
    "relations_untyped",
    "implicit_entities",
    "implicit_relations",
)

ROW_LABELS = {
    "entities": "entities (untyped)",
    "entities_typed": "entities (typed)",
    "relations": "relations (typed)",
    "relations_untyped": "relations (untyped)",
    "implicit_entities": "implicit entities",
    "implicit_relations": "implicit relations",
}

_WHITESPACE = re.compile(r"\s+")




@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Simplified script, no white space.

    >>> normalize_name(" 甲市 海關 ")
    '甲市海关'
    """
    return _WHITESPACE.sub("", to_simplified(name or ""))


@dataclass
class Counts:
    """True positives, false positives and false negatives of one row."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float:
        # Nothing predicted is vacuously precise: the row's recall shows what was missed.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """Number of gold items in the row."""
        return self.tp + self.fn

    def as_dict(self) -> dict[str, float | int | None]:
        """Counts and ratios; a ratio with nothing to divide by (empty row) is ``None``."""
        predicted, actual = self.tp + self.fp, self.tp + self.fn
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4) if predicted else None,
            "recall": round(self.recall, 4) if actual else None,
            "f1": round(self.f1, 4) if predicted or actual else None,
        }


@dataclass
class ScoringError:
    """One disagreement, for debugging: ``kind`` is ``false_positive``,
    ``false_negative`` or ``wrong_type``; ``row`` is one of ``ROWS``."""

    doc: str
    row: str
    kind: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"doc": self.doc, "row": self.row, "kind": self.kind, "detail": self.detail}


@dataclass
class Scores:
    """Micro-averaged rows over all documents, per-document rows and the errors."""

    rows: dict[str, Counts] = field(default_factory=lambda: {r: Counts() for r in ROWS})
    relation_types: dict[str, Counts] = field(
        default_factory=lambda: {t: Counts() for t in RELATION_TYPES}
    )
    documents: dict[str, dict[str, Counts]] = field(default_factory=dict)
    errors: list[ScoringError] = field(default_factory=list)
    unscored: list[str] = field(default_factory=list)  # predicted documents without gold
    missing: list[str] = field(default_factory=list)  # gold documents without prediction

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": {name: c.as_dict() for name, c in self.rows.items()},
            "relation_types": {name: c.as_dict() for name, c in self.relation_types.items()},
            "documents": {
                doc: {name: c.as_dict() for name, c in rows.items()}
                for doc, rows in self.documents.items()
            },
            "errors": [e.as_dict() for e in self.errors],
            "unscored": list(self.unscored),
            "missing": list(self.missing),
        }


# --- one document ---------------------------------------------------------------------------


@dataclass
class _GoldEntity:
    id: str
    name: str
    type: str
    forms: set[str]
    implicit: bool


@dataclass
class _PredEntity:
    key: str  # normalized name: predictions with equal keys are one entity
    name: str
    type: str
    implicit: bool


def _gold_entities(doc: dict) -> dict[str, _GoldEntity]:
    entities: dict[str, _GoldEntity] = {}
    for raw in doc.get("entities") or []:
        name = normalize_name(str(raw.get("name", "")))
        forms = {name} | {normalize_name(str(a)) for a in raw.get("aliases") or []}
        forms.discard("")
        entities[str(raw.get("id"))] = _GoldEntity(
            id=str(raw.get("id")),
            name=name,
            type=str(raw.get("type", "")),
            forms=forms,
            implicit=bool(raw.get("implicit", False)),
        )
    return entities


def _pred_entities(doc: dict) -> tuple[dict[str, _PredEntity], dict[str, str]]:
    """Predicted entities keyed by normalized name, and the map id → key."""
    by_key: dict[str, _PredEntity] = {}
    id_to_key: dict[str, str] = {}
    for raw in doc.get("entities") or []:
        key = normalize_name(str(raw.get("name", "")))
        if not key:
            continue
        id_to_key[str(raw.get("id"))] = key
        if key not in by_key:
            by_key[key] = _PredEntity(
                key=key,
                name=str(raw.get("name", "")),
                type=str(raw.get("type", "")),
                implicit=bool(raw.get("implicit", False)),
            )
    return by_key, id_to_key


def _match_entities(gold: dict[str, _GoldEntity], pred: dict[str, _PredEntity]) -> dict[str, str]:
    """One-to-one matching, predicted key → gold id (deterministic)."""
    graph = nx.Graph()
    for key in sorted(pred):
        for gid in sorted(gold):
            g = gold[gid]
            if key in g.forms:
                # Maximum cardinality first; among those, exact names then equal types.
                weight = 4 + 2 * (key == g.name) + (pred[key].type == g.type)
                graph.add_edge(("p", key), ("g", gid), weight=weight)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    pairs: dict[str, str] = {}
    for a, b in matching:
        p, g = (a, b) if a[0] == "p" else (b, a)
        pairs[p[1]] = g[1]
    return pairs


# A relation end is ("g", gold id) through the matching, else ("p", normalized name) for an
# unmatched prediction, or ("?", id) for an id that names no predicted entity.
End = tuple[str, str]
RelationKey = tuple[str, End, End]


def _relation_key(rtype: str, head: End, tail: End) -> RelationKey:
    if rtype in SYMMETRIC_RELATIONS and tail < head:
        head, tail = tail, head
    return (rtype, head, tail)


def _pair(head: End, tail: End) -> tuple[End, End]:
    return (head, tail) if head <= tail else (tail, head)


def _counts(gold: set, pred: set) -> Counts:
    return Counts(tp=len(gold & pred), fp=len(pred - gold), fn=len(gold - pred))


class _DocumentScorer:
    """Scores one document; ``rows``, ``per_type`` and ``errors`` hold the result."""

    def __init__(self, gold: dict, pred: dict, doc: str) -> None:
        self.doc = doc
        self.rows = {r: Counts() for r in ROWS}
        self.per_type = {t: Counts() for t in RELATION_TYPES}
        self.errors: list[ScoringError] = []
        self.gold_e = _gold_entities(gold)
        self.pred_e, self.pred_id_to_key = _pred_entities(pred)
        self.pairs = _match_entities(self.gold_e, self.pred_e)
        self._score_entities()
        self._score_relations(gold.get("relations") or [], pred.get("relations") or [])

    def _error(self, row: str, kind: str, detail: str) -> None:
        self.errors.append(ScoringError(self.doc, row, kind, detail))

    def _score_entities(self) -> None:
        rows = self.rows
        for key in sorted(self.pred_e):
            p = self.pred_e[key]
            gid = self.pairs.get(key)
            if gid is None:
                rows["entities"].fp += 1
                rows["entities_typed"].fp += 1
                self._error("entities", "false_positive", f"{p.name} [{p.type}]")
                if p.implicit:
                    rows["implicit_entities"].fp += 1
                    self._error("implicit_entities", "false_positive", f"{p.name} [{p.type}]")
                continue
            g = self.gold_e[gid]
            if g.implicit:
                rows["implicit_entities"].tp += 1
                continue
            rows["entities"].tp += 1
            if p.type == g.type:
                rows["entities_typed"].tp += 1
            else:
                rows["entities_typed"].fp += 1
                rows["entities_typed"].fn += 1
                self._error("entities_typed", "wrong_type", f"{g.name}: predicted {p.type}, gold {g.type}")
        matched_gold = set(self.pairs.values())
        for gid in sorted(self.gold_e):
            g = self.gold_e[gid]
            if gid in matched_gold:
                continue
            row = "implicit_entities" if g.implicit else "entities"
            rows[row].fn += 1
            if not g.implicit:
                rows["entities_typed"].fn += 1
            self._error(row, "false_negative", f"{g.name} [{g.type}]")

    def _is_implicit(self, end: End) -> bool:
        g = self.gold_e.get(end[1]) if end[0] == "g" else None
        return g is not None and g.implicit

    def _pred_end(self, ref: Any) -> End:
        key = self.pred_id_to_key.get(str(ref))
        if key is None:
            return ("?", str(ref))
        gid = self.pairs.get(key)
        return ("p", key) if gid is None else ("g", gid)

    def _split(self, relations: list[dict], end_of) -> tuple[set[RelationKey], set[RelationKey]]:
        """Relation keys (duplicates merged), split into main and implicit."""
        main: set[RelationKey] = set()
        implicit: set[RelationKey] = set()
        for raw in relations:
            head, tail = end_of(raw.get("head")), end_of(raw.get("tail"))
            key = _relation_key(str(raw.get("type", "")), head, tail)
            (implicit if self._is_implicit(head) or self._is_implicit(tail) else main).add(key)
        return main, implicit

    def _score_relations(self, gold_relations: list[dict], pred_relations: list[dict]) -> None:
        gold_main, gold_implicit = self._split(gold_relations, lambda ref: ("g", str(ref)))
        pred_main, pred_implicit = self._split(pred_relations, self._pred_end)
        self._compare("relations", gold_main, pred_main)
        self._compare("implicit_relations", gold_implicit, pred_implicit)
        for rtype in RELATION_TYPES:
            self.per_type[rtype] = _counts(
                {k for k in gold_main if k[0] == rtype}, {k for k in pred_main if k[0] == rtype}
            )
        self.rows["relations_untyped"] = _counts(
            {_pair(h, t) for _, h, t in gold_main}, {_pair(h, t) for _, h, t in pred_main}
        )

    def _compare(self, row: str, gold: set[RelationKey], pred: set[RelationKey]) -> None:
        self.rows[row] = _counts(gold, pred)
        for key in sorted(pred - gold):
            self._error(row, "false_positive", self._label(key))
        for key in sorted(gold - pred):
            self._error(row, "false_negative", self._label(key))

    def _end_name(self, end: End) -> str:
        g = self.gold_e.get(end[1]) if end[0] == "g" else None
        return g.name if g else end[1]

    def _label(self, key: RelationKey) -> str:
        rtype, head, tail = key
        arrow = "—" if rtype in SYMMETRIC_RELATIONS else "→"
        return f"{self._end_name(head)} {arrow}{rtype}{arrow} {self._end_name(tail)}"


def score_document(
    gold: dict, pred: dict, doc: str = ""
) -> tuple[dict[str, Counts], dict[str, Counts], list[ScoringError]]:
    """Rows, per-relation-type counts and errors of one document."""
    scorer = _DocumentScorer(gold or {}, pred or {}, doc)
    return scorer.rows, scorer.per_type, scorer.errors


# --- whole sets -----------------------------------------------------------------------------


def score(gold: dict[str, dict], pred: dict[str, dict]) -> Scores:
    """Score predicted documents against gold documents, both keyed by file stem.

    Every gold document is scored (a missing prediction counts as empty);
    predicted documents without gold are listed in ``Scores.unscored``.
    """
    scores = Scores()
    for stem in sorted(gold):
        if stem not in pred:
            scores.missing.append(stem)
        rows, per_type, errors = score_document(gold[stem], pred.get(stem) or {}, stem)
        scores.documents[stem] = rows
        for name, counts in rows.items():
            scores.rows[name] += counts
        for name, counts in per_type.items():
            scores.relation_types[name] += counts
        scores.errors.extend(errors)
    scores.unscored = sorted(set(pred) - set(gold))
    return scores


def load_dir(directory: str | Path) -> dict[str, dict]:
    """Every ``*.json`` of a folder (not recursive), keyed by file stem."""
    docs: dict[str, dict] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            with path.open(encoding="utf-8-sig") as f:
                data = json.load(f)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: cannot read JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object with entities and relations")
        docs[path.stem] = data
    return docs


def evaluate_dirs(gold_dir: str | Path, pred_dir: str | Path) -> Scores:
    """Score the JSON files of ``pred_dir`` against those of ``gold_dir`` (matched by stem)."""
    return score(load_dir(gold_dir), load_dir(pred_dir))


def iter_rows(scores: Scores) -> Iterable[tuple[str, Counts]]:
    """Display rows in order: the main rows, then recall per relation type."""
    for name in ROWS:
        yield ROW_LABELS[name], scores.rows[name]
    for rtype in RELATION_TYPES:
        yield f"  {rtype}", scores.relation_types[rtype]
