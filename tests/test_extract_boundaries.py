"""The left edge of a name comes from the sentence: verbs, prepositions, separators, places."""

import pytest

from _extract_helpers import names


@pytest.mark.parametrize(
    "text, expected",
    [
        ("该站先后与漳州海关签订协议。", {"漳州海关"}),  # preposition 与 after an adverb
        ("双方联合龙岩市公安局开展行动。", {"龙岩市公安局"}),  # verb 联合
        ("2021年8月，泉州市委召开会议。", {"泉州市委"}),  # date and comma
        ("2019年港区联检系统党工委被评为先进。", {"港区联检系统党工委"}),  # the year is not part of the name
        ("向三明市人大提交议案。", {"三明市人大"}),  # preposition 向
        ("由莆田军分区牵头组织演练。", {"莆田军分区"}),  # preposition 由
        ("此外，南平海事局也派员参加。", {"南平海事局"}),  # connective
        ("辖区和平村村委会积极配合。", {"和平村"}),  # 和 inside a known place is not a boundary
        ("民警走进宁德市第一中学开展宣讲。", {"宁德市第一中学"}),  # verb 走进
    ],
)
def test_left_boundary(text, expected):
    assert names(text) == expected


def test_long_run_without_boundary_keeps_only_from_a_known_place():
    # no boundary word: the name starts at the place, not at a fixed distance
    assert names("积极稳妥推动宁波远洋代理有限公司复工。") == {"宁波远洋代理有限公司"}


def test_verb_before_a_party_branch_is_not_part_of_a_name():
    assert names("如何不断激发党支部活力。") == set()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("青州市进出口商会积极参与。", {"青州市进出口商会"}),  # 进 inside 进出口 is not a verb
        ("向阳村党支部带头示范。", {"向阳村党支部"}),  # 向 inside a name
        ("钦州港经济技术开发区党工委召开会议。", {"钦州港经济技术开发区党工委"}),  # 经 inside 经济
    ],
)
def test_boundary_characters_inside_words_are_not_boundaries(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("word", ["与", "同", "和", "跟", "及", "向", "对"])
def test_a_connector_never_starts_a_name_before_a_one_character_part(word):
    # 与 + 己海关: the one-character part is too short to name a unit, and 与 is never absorbed
    assert not any(name.startswith(word) for name in names(f"{word}己海关开展共建。"))
    assert not any(name.startswith(word) for name in names(f"某县{word}己海关开展共建。"))


def test_a_unit_before_a_connector_and_a_one_character_part_is_kept():
    assert names("戊丁边检站与己海关结对共建。") == {"戊丁边检站"}
    assert names("戊丁边检站同己海关、庚辛海事局结对共建。") == {"戊丁边检站", "庚辛海事局"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("与等秀村开展共建。", {"等秀村"}),  # 等 may begin a name after a connector
        ("弄岛镇等秀村开展共建。", {"弄岛镇等秀村"}),  # and after a place word
    ],
)
def test_a_boundary_character_that_is_not_a_connector_may_still_begin_a_two_character_name(text, expected):
    assert names(text) == expected


def test_a_demonstrative_place_word_before_a_name_is_not_part_of_it():
    from kg.extract import extract

    for lead in ("该县", "全镇", "本市"):
        result = extract(f"{lead}石门村党支部与青岚边境派出所结对共建。")
        assert [e["name"] for e in result["entities"]] == ["石门村党支部", "青岚边境派出所"]
        assert [r["type"] for r in result["relations"]] == ["joint_building"]
