"""Whole articles written for these tests (tests/articles/*.txt) against hand-made answers (*.json).

The articles cover the phrasings of the extraction issue: nested units, lists
sharing a place or a suffix, anaphora across stories, alliances and their
members, hierarchy cues, honours and document titles.
"""

from pathlib import Path

import pytest

from kg.evaluate import score
from kg.extract import extract

ARTICLES = Path(__file__).parent / "articles"
STEMS = sorted(p.stem for p in ARTICLES.glob("*.txt"))


def _scores(stems):
    import json

    gold = {s: json.loads((ARTICLES / f"{s}.json").read_text(encoding="utf-8")) for s in stems}
    pred = {s: extract((ARTICLES / f"{s}.txt").read_text(encoding="utf-8"), f"{s}.txt") for s in stems}
    return score(gold, pred)


@pytest.mark.parametrize("stem", STEMS)
def test_each_article_is_nearly_right(stem):
    rows = _scores([stem]).rows
    assert rows["entities"].f1 >= 0.9
    assert rows["entities_typed"].f1 >= 0.9
    assert rows["relations"].f1 >= 0.8


def test_all_articles_together():
    scores = _scores(STEMS)
    assert scores.rows["entities"].f1 >= 0.95
    assert scores.rows["relations"].f1 >= 0.9
    assert scores.rows["implicit_entities"].f1 == 1.0
