"""Phenomena met on the held-out articles, each on an invented sentence of its own."""

from _extract_helpers import link, names, relations


def test_office_suffix_is_not_cut_by_a_shorter_suffix_inside_it():
    assert "宁明县口岸办公室" in names("宁明县公安局与宁明县口岸办公室共建。")
    assert "爱店海关驻峙浪口岸办事处" in names("爱店海关驻峙浪口岸办事处与峙浪村结对共建。")


def test_committee_department_does_not_make_the_committee_an_entity():
    assert names("宁明县委组织部与宁明县公安局联建。") == {"宁明县委组织部", "宁明县公安局"}


def test_unit_with_a_class_word_or_a_branch_word_keeps_its_parent_name():
    found = names("崇左市公安局口岸派出所与崇左市公安局江州分局开展联防。")
    assert {"崇左市公安局口岸派出所", "崇左市公安局江州分局"} <= found
    assert link("崇左市公安局江州分局", "sub_organization_of", "崇左市公安局") in relations(
        "崇左市公安局口岸派出所与崇左市公安局江州分局开展联防。")


def test_joining_verbs_end_a_name_and_bring_a_partner():
    text = "宁明县人民政府牵手宁明县人民武装部，共同组建民兵应急分队。"
    assert "宁明县人民武装部" in names(text)
    assert link("宁明县人民政府", "cooperation", "宁明县人民武装部") in relations(text)


def test_anaphor_of_a_detachment_and_the_verb_peihe():
    text = "龙州县组建了龙州县民兵应急分队。该分队将配合龙州边境管理大队开展联合巡逻。"
    assert link("龙州县民兵应急分队", "joint_defense", "龙州边境管理大队") in relations(text)


def test_members_listed_after_an_alliance_anaphor():
    text = "“左江口岸党建联盟”召开会议。该联盟成员单位包括龙州海关、龙州边检站。"
    found = relations(text)
    assert link("龙州海关", "member_of", "左江口岸党建联盟") in found
    assert link("龙州边检站", "member_of", "左江口岸党建联盟") in found


def test_new_member_taken_in():
    text = "“左江口岸党建联盟”吸收龙州县商务局为新成员单位。"
    assert link("龙州县商务局", "member_of", "左江口岸党建联盟") in relations(text)


def test_honour_title_in_quotes_names_no_village():
    assert names("该村被命名为“全国民族团结进步示范村”。") == set()


def test_one_character_name_after_a_place_word_or_a_boundary():
    found = names("走访了弄岛镇等嘎村。爱店边境派出所与等嘎村党支部联建。")
    assert "弄岛镇等嘎村" in found and "等嘎村党支部" in found


def test_central_bodies_by_proper_name():
    assert names("人民网、新华社对此进行了报道。经国务院批准，共青团中央发文。") == {
        "人民网", "新华社", "国务院", "共青团中央"}


def test_a_cue_word_used_for_a_role_states_no_link():
    text = "凭祥边境派出所与叫堪村结对共建，推行“党员+护边员”模式。"
    assert {t for _, t, _ in relations(text)} == {"joint_building"}


def test_cue_words_inside_an_alliance_name_state_no_link():
    text = "凭祥市委统战部与凭祥市工商联共同打造“商会党建联盟”。"
    found = relations(text)
    assert link("凭祥市委统战部", "joint_building", "凭祥市工商联") not in found
    assert link("凭祥市工商联", "member_of", "商会党建联盟") in found


def test_long_company_name_keeps_its_brand_before_the_place():
    assert "广西北投东兴物流有限公司" in names("东兴市公安局联合广西北投东兴物流有限公司开展联防。")


def test_station_anaphor_skips_a_head_station():
    text = "东兴出入境边防检查站隶属于广西出入境边防检查总站。东兴海关已与该站签订联防协议。"
    assert link("东兴出入境边防检查站", "joint_defense", "东兴海关") in relations(text)


def test_members_named_before_a_quoted_alliance_they_belong_to():
    text = "龙州边境管理大队、龙州县人民武装部均为“左江边关党建带”首批成员单位。"
    found = relations(text)
    assert link("龙州边境管理大队", "member_of", "左江边关党建带") in found
    assert link("龙州县人民武装部", "member_of", "左江边关党建带") in found


def test_founders_of_an_alliance_are_members_not_cooperating_pairs():
    text = "宁明县委党校牵头，联合宁明县中学、宁明县公安局共同组建“国门党建教育联合体”。"
    found = relations(text)
    assert "宁明县委" not in names(text)
    assert link("宁明县委党校", "member_of", "国门党建教育联合体") in found
    assert not any(t == "cooperation" for _, t, _ in found)


def test_newspapers_are_organizations():
    assert "广西日报" in names("广西日报对此进行了报道。")


def test_counted_reference_to_units_named_before_joins_an_alliance():
    text = ("凭祥边检站与东兴边检站开展交流。龙州边检站、爱店边检站也参与其中。"
            "这条“桂南国门党建带”由上述四家边检站组成。")
    found = relations(text)
    for station in ("凭祥边检站", "东兴边检站", "龙州边检站", "爱店边检站"):
        assert link(station, "member_of", "桂南国门党建带") in found


def test_counted_reference_needs_as_many_units_as_it_counts():
    text = "凭祥边检站开展交流。这条“桂南国门党建带”由上述四家边检站组成。"
    assert not any(t == "member_of" for _, t, _ in relations(text))
