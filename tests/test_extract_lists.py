"""Coordinated lists that share a suffix, a place or a chain of suffixes."""

from _extract_helpers import entities, link, names, relations


def test_places_sharing_one_suffix():
    found = entities("该站与广东汕头、福建漳州、海南洋浦边检站签订协议。")
    assert {"汕头边检站", "漳州边检站", "洋浦边检站"} <= set(found)
    assert found["汕头边检站"]["aliases"] == ["广东汕头边检站"]
    assert not found["汕头边检站"]["implicit"]


def test_items_before_deng_share_the_whole_suffix_chain():
    found = entities("吸收江西、福建、四川等商会党支部成员参与调解。")
    assert {"江西商会党支部", "福建商会党支部", "四川商会党支部"} == set(found)
    assert all(e["type"] == "PartyOrganization" for e in found.values())


def test_towns_sharing_a_party_suffix():
    found = entities("勐海镇、打洛镇党委联合召开会议。")
    assert {"勐海镇党委", "打洛镇党委"} == set(found)


def test_bare_units_after_a_full_name_share_its_place_and_are_implicit():
    text = "湛江边检站与湛江海关、海事、公安等单位签订联建协议。"
    found = entities(text)
    assert not found["湛江海关"]["implicit"]
    assert found["湛江海事"]["implicit"] and found["湛江海事"]["type"] == "Maritime"
    assert found["湛江公安"]["implicit"] and found["湛江公安"]["type"] == "PublicSecurity"
    assert link("湛江边检站", "joint_building", "湛江公安") in relations(text)


def test_city_congress_and_conference():
    found = entities("每年向韶关市人大、政协提交提案。")
    assert found["韶关市政协"]["implicit"] and found["韶关市政协"]["type"] == "Government"


def test_two_full_names_in_a_list_are_not_merged():
    found = entities("大连边检站与大连海关、大连海事局签订协议。")
    assert set(found) == {"大连边检站", "大连海关", "大连海事局"}


def test_city_of_the_first_item_is_shared_by_the_others():
    found = entities("丹江市兴华街道党工委与丹江市福建、浙江商会签订党建联建协议。")
    assert {"丹江市福建商会", "丹江市浙江商会"} <= set(found)
    assert found["丹江市浙江商会"]["aliases"] == ["浙江商会"]


def test_connector_glued_to_a_place_list():
    # 同 before 江苏 is the connector, not the start of the place 同江
    found = entities("铜川边检站同江苏泰州、浙江温州边检站结成对子。")
    assert {"泰州边检站", "温州边检站"} <= set(found)


def test_bare_units_after_yiji():
    found = entities("该站与湛江海关以及当地的海事、公安部门建立联防机制。")
    assert found["湛江海事"]["implicit"] and found["湛江公安"]["implicit"]


def test_counted_units_are_not_names():
    assert names("上述四家边检站和三家商会召开一次村企联席会议。") == set()
