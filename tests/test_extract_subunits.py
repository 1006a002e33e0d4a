"""Sub-units listed bare after their unit and 下辖 / 所辖 / 下设 / 设有: parts named by the unit."""

import pytest

from _extract_helpers import entities, link, names, relations


def test_bare_teams_after_xiaxia_are_named_by_the_station():
    text = "青禾出入境边防检查站下辖执勤一队、执勤二队。"
    assert names(text) == {"青禾出入境边防检查站", "青禾出入境边防检查站执勤一队", "青禾出入境边防检查站执勤二队"}
    assert relations(text) == {
        link("青禾出入境边防检查站执勤一队", "sub_organization_of", "青禾出入境边防检查站"),
        link("青禾出入境边防检查站执勤二队", "sub_organization_of", "青禾出入境边防检查站"),
    }
    assert {e["type"] for e in entities(text).values()} == {"BorderInspection"}


@pytest.mark.parametrize("verb", ["下辖", "所辖", "下设", "设有", "内设", "下辖的"])
def test_each_verb_lists_parts(verb):
    text = f"白石边检站{verb}执勤三队和机动中队。"
    assert relations(text) == {
        link("白石边检站执勤三队", "sub_organization_of", "白石边检站"),
        link("白石边检站机动中队", "sub_organization_of", "白石边检站"),
    }


def test_sections_and_brigades_take_the_kind_of_their_unit():
    text = "青禾县公安局下辖治安大队、刑侦大队和户籍科，青禾海关下设综合科、监管科。"
    found = entities(text)
    assert {n: e["type"] for n, e in found.items() if n.endswith(("队", "科"))} == {
        "青禾县公安局治安大队": "PublicSecurity",
        "青禾县公安局刑侦大队": "PublicSecurity",
        "青禾县公安局户籍科": "PublicSecurity",
        "青禾海关综合科": "Customs",
        "青禾海关监管科": "Customs",
    }
    assert link("青禾海关监管科", "sub_organization_of", "青禾海关") in relations(text)


def test_teams_after_an_anaphor_belong_to_its_antecedent():
    text = "白石边检站地处边境。该站下辖执勤一队和执勤二队。"
    assert link("白石边检站执勤二队", "sub_organization_of", "白石边检站") in relations(text)
    assert entities(text)["白石边检站执勤一队"]["type"] == "BorderInspection"


def test_a_short_form_of_the_unit_names_the_same_team():
    text = "青禾出入境边防检查站下辖执勤一队。青禾边检站执勤一队开展活动。"
    team = entities(text)["青禾出入境边防检查站执勤一队"]
    assert "青禾边检站执勤一队" in team["aliases"]
    assert "青禾边检站执勤一队" not in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "下辖执勤一队、执勤二队。",  # no unit before the verb
        "近年来，下设执勤一队和综合科。",  # no unit in the sentence
        "白石边检站下辖3个中队。",  # a count, not a named part
        "白石边检站下辖各中队。",  # a determiner
        "白石边检站下辖部队。",  # a class word
    ],
)
def test_no_unit_or_no_named_part_gives_no_part(text):
    assert not any(name.endswith(("队", "科")) for name in names(text))


def test_named_units_after_the_verb_keep_their_own_names():
    text = "青禾边境管理大队下辖丁山边境派出所、戊山边境派出所。"
    assert names(text) == {"青禾边境管理大队", "丁山边境派出所", "戊山边境派出所"}
    assert link("丁山边境派出所", "sub_organization_of", "青禾边境管理大队") in relations(text)
