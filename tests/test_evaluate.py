"""The scorer on hand-made cases; every expected number is counted by hand in the comments.

Names are invented (甲市, 乙县, ...): no development article is quoted here.
"""

from __future__ import annotations

import json

import pytest

from kg.evaluate import Counts, evaluate_dirs, normalize_name, score


def ent(eid: str, name: str, etype: str, aliases=(), implicit: bool = False) -> dict:
    e = {"id": eid, "name": name, "type": etype, "aliases": list(aliases)}
    if implicit:
        e["implicit"] = True
    return e


def rel(head: str, tail: str, rtype: str) -> dict:
    return {"head": head, "tail": tail, "type": rtype, "evidence": ""}


def doc(entities=(), relations=()) -> dict:
    return {"doc": "t.txt", "entities": list(entities), "relations": list(relations)}


def row(scores, name: str) -> tuple[int, int, int]:
    c = scores.rows[name]
    return (c.tp, c.fp, c.fn)


GOLD = doc(
    [
        ent("e1", "甲市出入境边防检查站", "BorderInspection", ["甲市边检站"]),
        ent("e2", "甲市海关", "Customs"),
        ent("e3", "甲市口岸党建联盟", "Alliance"),
    ],
    [rel("e1", "e2", "joint_building"), rel("e2", "e3", "member_of")],
)


def test_exact_match_scores_one():
    s = score({"t": GOLD}, {"t": GOLD})
    for name in ("entities", "entities_typed", "relations", "relations_untyped"):
        assert s.rows[name].f1 == 1.0, name
    assert row(s, "entities") == (3, 0, 0)
    assert row(s, "relations") == (2, 0, 0)
    assert s.errors == []


def test_alias_matches_and_unknown_name_is_false_positive():
    pred = doc([ent("a", "甲市边检站", "BorderInspection"), ent("b", "乙县海关", "Customs")])
    s = score({"t": GOLD}, {"t": pred})
    # 甲市边检站 is an alias of e1 (TP); 乙县海关 matches nothing (FP); e2, e3 missed (FN).
    assert row(s, "entities") == (1, 1, 2)
    c = s.rows["entities"]
    assert c.precision == pytest.approx(0.5)
    assert c.recall == pytest.approx(1 / 3)
    assert c.f1 == pytest.approx(0.4)


def test_traditional_and_whitespace_input_is_normalized():
    assert normalize_name(" 甲市 海關\t") == "甲市海关"
    pred = doc([ent("a", "甲市出入境邊防檢查站", "BorderInspection"), ent("b", "甲市 海關", "Customs")])
    s = score({"t": GOLD}, {"t": pred})
    assert row(s, "entities") == (2, 0, 1)


def test_one_to_one_two_predictions_of_one_gold_entity():
    # Name and alias predicted as two entities: one TP, one FP (not two TPs).
    pred = doc([ent("a", "甲市出入境边防检查站", "BorderInspection"), ent("b", "甲市边检站", "BorderInspection")])
    s = score({"t": GOLD}, {"t": pred})
    assert row(s, "entities") == (1, 1, 2)


def test_one_to_one_prefers_a_matching_that_covers_most_gold():
    # 丙站 is an alias of both gold entities; 丁站 only of g2. The best matching is
    # 丙站-g1, 丁站-g2 (2 TP) although a greedy pass could pair 丙站 with g2.
    gold = doc([ent("g1", "丙站", "BorderInspection"), ent("g2", "丁站", "BorderInspection", ["丙站"])])
    pred = doc([ent("a", "丙站", "BorderInspection"), ent("b", "丁站", "BorderInspection")])
    s = score({"t": gold}, {"t": pred})
    assert row(s, "entities") == (2, 0, 0)


def test_duplicate_predictions_count_once():
    pred = doc(
        [ent("a", "甲市海关", "Customs"), ent("b", "甲市海关", "Customs"), ent("c", "甲市边检站", "BorderInspection")],
        [rel("a", "c", "joint_building"), rel("b", "c", "joint_building"), rel("c", "a", "joint_building")],
    )
    s = score({"t": GOLD}, {"t": pred})
    assert row(s, "entities") == (2, 0, 1)
    # Three predicted relations are one relation, which matches gold e1-e2.
    assert row(s, "relations") == (1, 0, 1)


def test_symmetric_relation_ignores_direction():
    pred = doc(
        [ent("a", "甲市海关", "Customs"), ent("b", "甲市边检站", "BorderInspection")],
        [rel("a", "b", "joint_building")],  # gold states e1 -> e2
    )
    s = score({"t": GOLD}, {"t": pred})
    assert row(s, "relations") == (1, 0, 1)  # e2 member_of e3 is missed
    assert s.relation_types["joint_building"].recall == 1.0
    assert s.relation_types["member_of"].recall == 0.0


def test_member_of_direction_matters():
    pred = doc(
        [ent("a", "甲市海关", "Customs"), ent("b", "甲市口岸党建联盟", "Alliance")],
        [rel("b", "a", "member_of")],  # reversed: the alliance is not a member of the customs
    )
    s = score({"t": GOLD}, {"t": pred})
    assert row(s, "relations") == (0, 1, 2)
    # Untyped compares unordered pairs: the reversed link still joins the right two.
    assert row(s, "relations_untyped") == (1, 0, 1)


def test_typed_versus_untyped_relations_and_entities():
    pred = doc(
        [ent("a", "甲市边检站", "Customs"), ent("b", "甲市海关", "Customs")],
        [rel("a", "b", "cooperation")],
    )
    s = score({"t": GOLD}, {"t": pred})
    # Entities: 2 matched, 1 gold missed; one of the two has the wrong type.
    assert row(s, "entities") == (2, 0, 1)
    assert row(s, "entities_typed") == (1, 1, 2)
    # Relations: cooperation is not joint_building (typed: 0 TP), same pair (untyped: 1 TP).
    assert row(s, "relations") == (0, 1, 2)
    assert row(s, "relations_untyped") == (1, 0, 1)
    kinds = {(e.row, e.kind) for e in s.errors}
    assert ("entities_typed", "wrong_type") in kinds
    assert ("relations", "false_positive") in kinds


def test_relation_with_unmatched_end_is_false_positive():
    pred = doc(
        [ent("a", "甲市海关", "Customs"), ent("b", "戊县公安局", "PublicSecurity")],
        [rel("a", "b", "joint_building"), rel("a", "nowhere", "cooperation")],
    )
    s = score({"t": GOLD}, {"t": pred})
    assert row(s, "relations") == (0, 2, 2)


IMPLICIT_GOLD = doc(
    [
        ent("e1", "甲市边检站", "BorderInspection"),
        ent("e2", "甲市海关", "Customs"),
        ent("e3", "甲市海事", "Maritime", implicit=True),
    ],
    [rel("e1", "e2", "joint_building"), rel("e1", "e3", "joint_building")],
)


def test_implicit_entities_have_their_own_row():
    # A system that infers nothing: the main rows are perfect, only the implicit rows miss.
    pred = doc(
        [ent("a", "甲市边检站", "BorderInspection"), ent("b", "甲市海关", "Customs")],
        [rel("a", "b", "joint_building")],
    )
    s = score({"t": IMPLICIT_GOLD}, {"t": pred})
    assert row(s, "entities") == (2, 0, 0)
    assert row(s, "relations") == (1, 0, 0)
    assert row(s, "implicit_entities") == (0, 0, 1)
    assert row(s, "implicit_relations") == (0, 0, 1)


def test_prediction_of_implicit_entity_counts_only_in_implicit_rows():
    pred = doc(
        [ent("a", "甲市边检站", "BorderInspection"), ent("c", "甲市海事", "Maritime")],
        [rel("c", "a", "joint_building")],
    )
    s = score({"t": IMPLICIT_GOLD}, {"t": pred})
    assert row(s, "entities") == (1, 0, 1)  # 甲市海事 is not a main-row FP
    assert row(s, "implicit_entities") == (1, 0, 0)
    assert row(s, "relations") == (0, 0, 1)
    assert row(s, "implicit_relations") == (1, 0, 0)


def test_unmatched_prediction_marked_implicit_is_false_positive_in_both_rows():
    pred = doc([ent("x", "甲市税务", "Government", implicit=True)])
    s = score({"t": IMPLICIT_GOLD}, {"t": pred})
    assert row(s, "entities") == (0, 1, 2)
    assert row(s, "implicit_entities") == (0, 1, 1)


def test_empty_predictions():
    s = score({"t": GOLD}, {"t": doc()})
    assert row(s, "entities") == (0, 0, 3)
    assert row(s, "relations") == (0, 0, 2)
    assert s.rows["entities"].f1 == 0.0
    d = s.rows["entities"].as_dict()
    assert d["precision"] is None and d["recall"] == 0.0 and d["f1"] == 0.0


def test_missing_prediction_counts_as_empty():
    s = score({"t": GOLD}, {})
    assert row(s, "entities") == (0, 0, 3)
    assert s.missing == ["t"]


def test_empty_gold():
    pred = doc([ent("a", "甲市海关", "Customs")], [])
    s = score({"t": doc()}, {"t": pred})
    assert row(s, "entities") == (0, 1, 0)
    assert s.rows["entities"].precision == 0.0
    d = s.rows["entities"].as_dict()
    assert d["recall"] is None and d["f1"] == 0.0
    # Nothing on either side: the row is empty, not wrong.
    both = score({"t": doc()}, {"t": doc()})
    assert both.rows["relations"].as_dict()["f1"] is None


def test_micro_average_over_documents_and_per_document_rows():
    pred_1 = GOLD  # 3 TP
    pred_2 = doc([ent("a", "乙县海关", "Customs")])  # 1 FP, and 3 FN
    s = score({"one": GOLD, "two": GOLD}, {"one": pred_1, "two": pred_2, "extra": doc()})
    assert row(s, "entities") == (3, 1, 3)
    assert s.rows["entities"].precision == pytest.approx(0.75)
    assert s.rows["entities"].recall == pytest.approx(0.5)
    assert s.documents["one"]["entities"].f1 == 1.0
    assert s.documents["two"]["entities"].tp == 0
    assert s.unscored == ["extra"]


def test_scoring_is_deterministic():
    pred = doc([ent("a", "丙站", "BorderInspection"), ent("b", "丙站 ", "Customs")])
    gold = doc([ent("g1", "丙站", "BorderInspection"), ent("g2", "丁站", "BorderInspection", ["丙站"])])
    first = score({"t": gold}, {"t": pred}).as_dict()
    for _ in range(5):
        assert score({"t": gold}, {"t": pred}).as_dict() == first


def test_counts_add():
    c = Counts(1, 2, 3)
    c += Counts(1, 1, 1)
    assert (c.tp, c.fp, c.fn) == (2, 3, 4)


def test_evaluate_dirs(tmp_path):
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    gold_dir.mkdir()
    pred_dir.mkdir()
    (gold_dir / "a.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    (pred_dir / "a.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    s = evaluate_dirs(gold_dir, pred_dir)
    assert row(s, "entities") == (3, 0, 0)
    assert list(s.documents) == ["a"]


def test_gold_against_itself_on_dev_set(shared_dir):
    gold_dir = shared_dir / "gold" / "dev"
    s = evaluate_dirs(gold_dir, gold_dir)
    for name, counts in s.rows.items():
        assert counts.fp == 0 and counts.fn == 0, name


# --- the naive baseline (kg/baseline.py), scored with the same scorer -------------------------


def test_baseline_guesses_type_from_lexicon_suffix():
    from kg.baseline import guess_type, sentences

    assert guess_type("甲市海关") == "Customs"
    assert guess_type("甲市出入境边防检查站") == "BorderInspection"
    assert guess_type("甲乙丙") == "SocialOrganization"
    assert sentences("一句。二句！\n三句") == ["一句。", "二句！", "三句"]


@pytest.mark.slow  # loading jieba's dictionary takes one to several seconds
def test_baseline_links_nt_words_of_a_cue_sentence():
    pytest.importorskip("jieba")
    from kg.baseline import baseline_extract

    out = baseline_extract("国务院和民政部开展共建。国务院发布通知。")
    names = {e["name"] for e in out["entities"]}
    assert {"国务院", "民政部"} <= names
    assert [(r["type"], r["evidence"]) for r in out["relations"]] == [("joint_building", "国务院和民政部开展共建。")]
    gold = doc([ent("g1", "国务院", "Government"), ent("g2", "民政部", "Government")], [rel("g2", "g1", "joint_building")])
    s = score({"t": gold}, {"t": out})
    assert row(s, "relations") == (1, 0, 0)
