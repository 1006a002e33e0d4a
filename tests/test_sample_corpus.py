"""The bundled sample corpus and its gold answers agree with each other and with the schema."""

import json
from pathlib import Path

import pytest

from kg.ingest import read_article
from kg.model import ORG_TYPES, RELATION_TYPES, SYMMETRIC_RELATIONS

DATA = Path(__file__).resolve().parents[1] / "data"
GOLD = sorted((DATA / "gold").glob("*.json"))


def test_every_article_has_gold_answers():
    articles = {p.stem for p in (DATA / "corpus").iterdir() if p.is_file()}
    assert len(articles) >= 12
    assert articles == {p.stem for p in GOLD}


@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.stem)
def test_gold_file_is_consistent(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    article = read_article(DATA / "corpus" / gold["doc"])
    ids = [e["id"] for e in gold["entities"]]
    assert len(ids) == len(set(ids))
    assert all(e["type"] in ORG_TYPES for e in gold["entities"])
    seen = set()
    for rel in gold["relations"]:
        assert rel["type"] in RELATION_TYPES
        assert rel["head"] in ids and rel["tail"] in ids and rel["head"] != rel["tail"]
        pair = frozenset((rel["head"], rel["tail"])) if rel["type"] in SYMMETRIC_RELATIONS else (rel["head"], rel["tail"])
        assert (pair, rel["type"]) not in seen, rel
        seen.add((pair, rel["type"]))
        assert rel["evidence"] in article.text, rel["evidence"]


def test_corpus_covers_every_type():
    entity_types, relation_types, names = set(), set(), set()
    for path in GOLD:
        gold = json.loads(path.read_text(encoding="utf-8"))
        entity_types |= {e["type"] for e in gold["entities"]}
        names |= {e["name"] for e in gold["entities"]}
        relation_types |= {r["type"] for r in gold["relations"]}
    assert entity_types == set(ORG_TYPES)
    assert relation_types == set(RELATION_TYPES)
    assert len(names) >= 45
