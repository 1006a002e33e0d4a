"""Held-out articles (tests/heldout/*.txt, written with their answers before the extractor ran on them).

They are read through ingestion (one is in traditional script, two carry
pinyin glosses), as ``kg eval --gold tests/heldout tests/heldout/*.txt`` does.
The first measurement, before any rule was changed for them, was entity F1
0.864 and relation F1 0.651 (see bench/README.md, "Extraction"); the rules
have since been tuned on these errors, so the thresholds below guard against
regressions and are not an unseen-data figure.
"""

import json
from pathlib import Path

from kg.evaluate import score
from kg.extract import extract
from kg.ingest import read_article

HELDOUT = Path(__file__).parent / "heldout"


def _gold_and_pred():
    gold, pred = {}, {}
    for path in sorted(HELDOUT.glob("*.txt")):
        gold[path.stem] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        text = read_article(path).text
        pred[path.stem] = extract(text, path.name)
        for r in pred[path.stem]["relations"]:
            assert all(evidence in text for evidence in r["evidences"])
    return gold, pred


def test_heldout_set_is_complete():
    stems = sorted(p.stem for p in HELDOUT.glob("*.txt"))
    assert len(stems) == 12
    assert stems == sorted(p.stem for p in HELDOUT.glob("*.json"))


def test_heldout_scores():
    rows = score(*_gold_and_pred()).rows
    assert rows["entities"].f1 >= 0.95
    assert rows["entities_typed"].f1 >= 0.95
    assert rows["relations"].f1 >= 0.90


FRESH = HELDOUT / "fresh"


def test_fresh_heldout_scores():
    """tests/heldout/fresh: four articles written after the tuning; first measured at entity F1 0.923,
    relation F1 0.780 (the unseen figure), then some general rules were added from their errors."""
    gold, pred = {}, {}
    for path in sorted(FRESH.glob("*.txt")):
        gold[path.stem] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        pred[path.stem] = extract(read_article(path).text, path.name)
    assert len(gold) == 4
    rows = score(gold, pred).rows
    assert rows["entities"].f1 >= 0.9
    assert rows["relations"].f1 >= 0.9
