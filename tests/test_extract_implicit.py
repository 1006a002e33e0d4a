"""Implicit organizations: inferred names are marked, explicit mentions clear the mark."""

from _extract_helpers import entities


def test_bare_banner_committee_and_government_take_the_banner_of_the_paragraph():
    found = entities("阿荣旗地处大兴安岭东麓。旗委、政府高度重视边境党建。")
    # a banner keeps its whole name before 旗委 (阿荣旗旗委); 阿荣旗委 is kept as an alias
    assert found["阿荣旗旗委"]["implicit"] and found["阿荣旗旗委"]["type"] == "Government"
    assert found["阿荣旗旗委"]["aliases"] == ["阿荣旗委"]
    assert found["阿荣旗政府"]["implicit"]


def test_city_committee_drops_the_repeated_level_character():
    found = entities("孟连县地处边疆。县委、县政府高度重视边境党建。")
    assert found["孟连县委"]["implicit"] and found["孟连县政府"]["implicit"]


def test_an_explicit_mention_makes_the_entity_explicit():
    found = entities("澜沧县地处边疆。县委按照标准下拨经费。澜沧县委党校举办培训。")
    assert found["澜沧县委"]["implicit"] is False


def test_no_place_no_inference():
    assert entities("市委高度重视边境党建工作。") == {}


def test_generic_bodies_are_not_inferred():
    assert entities("澜沧县地处边疆。各级党委政府高度重视。") == {}


def test_town_committee_written_with_the_level_alone():
    found = entities("在石岭镇，镇党委联合石岭边境派出所组建护边队。")
    assert found["石岭镇党委"]["implicit"] and found["石岭镇党委"]["type"] == "PartyOrganization"


def test_class_of_town_committees_is_not_inferred():
    assert "石岭镇党委" not in entities("在石岭镇，各乡镇党委积极参与。")
