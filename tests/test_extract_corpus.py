"""Development targets on ../shared/corpus against ../shared/gold/dev (skips when absent)."""

from kg.evaluate import load_dir, score
from kg.extract import extract
from kg.ingest import read_article


def test_development_targets(shared_dir):
    gold = load_dir(shared_dir / "gold" / "dev")
    pred = {}
    for path in sorted((shared_dir / "corpus").iterdir()):
        if path.stem in gold:
            text = read_article(path).text
            out = extract(text, path.name)
            for r in out["relations"]:
                assert all(evidence in text for evidence in r["evidences"])
            pred[path.stem] = out
    assert set(pred) == set(gold)
    rows = score(gold, pred).rows
    assert rows["entities"].f1 >= 0.90
    assert rows["entities_typed"].f1 >= 0.85
    assert rows["relations"].f1 >= 0.75
