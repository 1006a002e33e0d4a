"""Extraction of a long text block by block, so memory stays bounded whatever the text's size.

The text is cut at line ends into blocks of at most ``block_chars`` characters
(a single longer line at sentence-end punctuation, else hard), each block is
extracted alone, and the results are merged:

- entities by (name, type): aliases united, implicit only if implicit in every block;
- relations remapped to the merged entities, one per type and pair (unordered
  for the symmetric types), evidences concatenated without repeats, confidence
  the highest;
- ids renumbered ``e1``… in order of first appearance.

Every evidence is a sentence of one block, hence a substring of the whole text.

>>> text = "铜陵边检站与铜陵海关签订党建联建协议。\\n" * 3
>>> out = extract_blocks(text, "a.txt", block_chars=20)
>>> [e["name"] for e in out["entities"]], len(out["relations"]), out["relations"][0]["evidences"]
(['铜陵边检站', '铜陵海关'], 1, ['铜陵边检站与铜陵海关签订党建联建协议。'])
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.extract.pipeline import BLOCK_CHARS, extract_text
from kg.model import SYMMETRIC_RELATIONS

# Where a line too long for one block may be cut: after sentence-end punctuation (and closing quotes).
_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*")


def block_spans(text: str, block_chars: int = BLOCK_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) of each block: whole lines, at most ``block_chars`` characters, no line break inside at its ends.

    >>> list(block_spans("甲乙\\n丙丁\\n戊", 5))
    [(0, 5), (6, 7)]
    >>> list(block_spans("甲。乙。丙丁戊己", 3))
    [(0, 2), (2, 4), (4, 7), (7, 8)]
    """
    if block_chars < 1:
        raise ValueError("block_chars must be positive")
    start, size = 0, len(text)
    while start < size:
        end = min(start + block_chars, size)
        if end < size:
            cut = text.rfind("\n", start, end + 1)  # a line end right at the limit still fits
            if cut > start:
                end = cut
            else:  # one line longer than a block: cut after its last sentence end in reach
                cut = _last_sentence_end(text, start, end)
                end = cut if cut > start else end
        start_next = end
        while end > start and text[end - 1] == "\n":
            end -= 1
        if end > start:
            yield start, end
        start = start_next
        while start < size and text[start] == "\n":
            start += 1


def _last_sentence_end(text: str, start: int, end: int) -> int:
    last = -1
    for match in _SENTENCE_END.finditer(text, start, end):
        last = match.end()
    return last


def extract_blocks(text: str, doc: str = "", block_chars: int = BLOCK_CHARS) -> dict:
    """``extract`` of ``text`` block by block, merged into one gold-format result."""
    merged = _Merged()
    spans = block_spans(text, block_chars)
    first = next(spans, None)
    if first is None:
        return extract_text("", doc)
    second = next(spans, None)
    if second is None and first == (0, len(text)):
        return extract_text(text, doc)  # one block: exactly the plain extraction
    for start, end in (first, *((second,) if second else ()), *spans):
        merged.add(extract_text(text[start:end], doc))
    return merged.result(doc)


class _Merged:
    """Entities and relations of several blocks of one text."""

    def __init__(self) -> None:
        self.entities: dict[tuple[str, str], dict] = {}
        self.relations: dict[tuple, dict] = {}
        self.seen_evidence: dict[tuple, set[str]] = {}

    def add(self, out: dict) -> None:
        local: dict[str, tuple[str, str]] = {}
        for entity in out["entities"]:
            key = (entity["name"], entity["type"])
            local[entity["id"]] = key
            known = self.entities.get(key)
            if known is None:
                self.entities[key] = {**entity, "aliases": set(entity["aliases"])}
            else:
                known["aliases"].update(entity["aliases"])
                known["implicit"] = known["implicit"] and entity["implicit"]
        for relation in out["relations"]:
            head, tail = local[relation["head"]], local[relation["tail"]]
            pair = tuple(sorted((head, tail))) if relation["type"] in SYMMETRIC_RELATIONS else (head, tail)
            key = (relation["type"], *pair)
            evidences = relation.get("evidences") or [relation["evidence"]]
            known = self.relations.get(key)
            if known is None:
                self.relations[key] = {**relation, "head": head, "tail": tail, "evidences": list(evidences)}
                self.seen_evidence[key] = set(evidences)
                continue
            seen = self.seen_evidence[key]
            for evidence in evidences:
                if evidence not in seen:
                    seen.add(evidence)
                    known["evidences"].append(evidence)
            if "confidence" in relation:
                known["confidence"] = max(known.get("confidence", 0.0), relation["confidence"])

    def result(self, doc: str) -> dict:
        ids: dict[tuple[str, str], str] = {}
        entities = []
        for key, entity in self.entities.items():
            ids[key] = f"e{len(ids) + 1}"
            entities.append({**entity, "id": ids[key], "aliases": sorted(entity["aliases"] - {entity["name"]})})
        relations = [{**r, "head": ids[r["head"]], "tail": ids[r["tail"]]} for r in self.relations.values()]
        return {"doc": doc, "entities": entities, "relations": relations}


__all__ = ["extract_blocks", "block_spans", "BLOCK_CHARS"]
