"""该站 / 该所 / 该队 … resolve to the nearest compatible antecedent."""

from _extract_helpers import entities, link, names, relations


def test_gai_zhan_refers_to_the_last_station():
    text = "东兴边检站立足口岸实际。该站与东兴海关签订党建共建协议。"
    assert link("东兴边检站", "joint_building", "东兴海关") in relations(text)


def test_gai_suo_skips_a_station_to_find_a_police_post():
    text = "峒中边境派出所地处边境。东兴边检站派员支援。该所与峒中村党支部结对共建。"
    assert link("峒中边境派出所", "joint_building", "峒中村党支部") in relations(text)


def test_a_new_full_name_switches_the_antecedent():
    text = (
        "东兴边检站与东兴海关开展联建。\n"
        "另一则消息\n"
        "凭祥边检站地处友谊关口岸。该站与凭祥海关开展结对共建。"
    )
    found = relations(text)
    assert link("凭祥边检站", "joint_building", "凭祥海关") in found
    assert link("东兴边检站", "joint_building", "凭祥海关") not in found


def test_party_branch_of_an_anaphor_is_not_a_new_entity():
    text = "东兴边检站立足口岸实际。该站党支部与东兴海关党委开展共建。"
    assert "该站党支部" not in names(text)
    assert link("东兴边检站", "joint_building", "东兴海关党委") in relations(text)


def test_team_named_through_an_anaphor_takes_the_unit_name():
    text = "北海边检站执勤二队扎根口岸。北海边检站获评先进。该站执勤二队党支部认真落实制度。"
    found = entities(text)
    assert "北海边检站执勤二队" in found
    assert ("北海边检站执勤二队", "sub_organization_of", "北海边检站") in relations(text)


def test_anaphor_without_antecedent_gives_nothing():
    assert relations("该站与钦州海关开展联建。") == set()
