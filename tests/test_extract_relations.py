"""Links from cue words and sentence structure; one link per pair and type, all its evidence kept."""

from kg.extract import extract

from _extract_helpers import link, relations


def test_subject_connector_partner_and_building_cue():
    text = "东营边检站与东营海关结对共建，共同提升党建水平。"
    assert relations(text) == {link("东营边检站", "joint_building", "东营海关")}


def test_defense_cue():
    text = "峒中边境派出所联合峒中镇政府开展联防联控。"
    assert link("峒中边境派出所", "joint_defense", "峒中镇政府") in relations(text)


def test_cooperation_cue_when_no_party_building_is_stated():
    text = "日照海事局与日照港务集团签订安全合作协议。"
    assert relations(text) == {link("日照港务集团", "cooperation", "日照海事局")}


def test_agreement_about_party_building_is_joint_building():
    text = "日照海事局与日照边检站签订《党建一体化发展协作机制》。"
    assert relations(text) == {link("日照海事局", "joint_building", "日照边检站")}


def test_partner_list_links_the_subject_with_every_partner():
    text = "东营边检站与东营海关、东营海事局、东营港务集团联合开展党建联建活动。"
    found = relations(text)
    for partner in ("东营海关", "东营海事局", "东营港务集团"):
        assert link("东营边检站", "joint_building", partner) in found
    assert link("东营海关", "joint_building", "东营海事局") not in found


def test_strong_connector_alone_gives_a_weaker_link():
    out = extract("隘岭边境派出所联合温州商会党支部举行党员示范岗挂牌仪式。")
    (rel,) = out["relations"]
    assert rel["type"] == "joint_building" and rel["confidence"] < 0.9


def test_membership_of_an_alliance_built_together():
    text = "威海边检站与烟台边检站、青岛边检站共同建立“胶东半岛口岸党建带”。"
    found = relations(text)
    for member in ("威海边检站", "烟台边检站", "青岛边检站"):
        assert (member, "member_of", "胶东半岛口岸党建带") in found


def test_members_listed_after_the_alliance():
    text = "“滨海党建联盟”成员单位包括滨州海关、滨州海事局等。"
    found = relations(text)
    assert ("滨州海关", "member_of", "滨海党建联盟") in found
    assert ("滨州海事局", "member_of", "滨海党建联盟") in found


def test_hierarchy_cues():
    assert ("敬信边境派出所", "sub_organization_of", "珲春边境管理大队") in relations(
        "珲春边境管理大队下辖敬信边境派出所、春化边境派出所。")
    assert ("春化边境派出所", "sub_organization_of", "珲春边境管理大队") in relations(
        "珲春边境管理大队下辖敬信边境派出所、春化边境派出所。")
    assert ("敬信边境派出所", "sub_organization_of", "珲春边境管理大队") in relations(
        "敬信边境派出所隶属于珲春边境管理大队。")


def test_repeated_link_is_one_link_with_all_its_evidence():
    text = "东营边检站与东营海关开展联建。次年，东营边检站与东营海关再次深化共建。"
    out = extract(text)
    (rel,) = out["relations"]
    assert rel["evidence"] == "东营边检站与东营海关开展联建。"
    assert rel["evidences"] == ["东营边检站与东营海关开展联建。", "次年，东营边检站与东营海关再次深化共建。"]


def test_listed_units_right_before_a_cue_are_linked_pairwise():
    assert link("青岛海关", "joint_building", "青岛边检站") in relations("青岛海关、青岛边检站共建党员活动室。")


def test_no_link_without_a_stated_relation():
    assert relations("东营边检站和东营海关都位于港区。") == set()


def test_suoshu_hierarchy_does_not_reach_past_the_next_connector():
    found = relations("近日，拱北海关所属中山海关与中山市税务局签署合作备忘录。")
    assert ("中山海关", "sub_organization_of", "拱北海关") in found
    assert link("中山海关", "cooperation", "中山市税务局") in found
    assert ("中山市税务局", "sub_organization_of", "拱北海关") not in found


def test_inviting_connector_needs_a_cue_in_the_sentence():
    with_cue = "该所成立联合调解室，吸收江西商会党支部参与调解。"
    text = "峒中边境派出所地处边境。" + with_cue
    assert link("峒中边境派出所", "cooperation", "江西商会党支部") in relations(text)
    assert relations("峒中边境派出所地处边境。该所吸收江西商会党支部成员旁听。") == set()


def test_station_and_head_station_in_one_sentence_are_linked_with_low_confidence():
    text = "在福州出入境边防检查总站表彰大会上，马尾边检站一队获得表彰。"
    out = extract(text)
    by_id = {e["id"]: e["name"] for e in out["entities"]}
    inferred = [r for r in out["relations"] if by_id[r["head"]] == "马尾边检站" and by_id[r["tail"]] == "福州出入境边防检查总站"]
    assert inferred and inferred[0]["type"] == "sub_organization_of" and inferred[0]["confidence"] < 0.6


def test_listed_units_then_sanfang_and_an_agreement():
    found = relations("钦州海关、钦州海事局、钦州港务集团三方签订合作协议。")
    assert link("钦州海关", "cooperation", "钦州港务集团") in found
    assert link("钦州海事局", "cooperation", "钦州港务集团") in found


def test_jiecheng_duizi_is_joint_building():
    assert relations("东兴边检站和东兴海关结成对子。") == {link("东兴边检站", "joint_building", "东兴海关")}


def test_units_named_before_an_alliance_founding_are_its_members():
    text = "青州海关、青州边检站等8家单位举行“青州口岸党建联盟”成立仪式。"
    found = relations(text)
    assert ("青州海关", "member_of", "青州口岸党建联盟") in found
    assert ("青州边检站", "member_of", "青州口岸党建联盟") in found


def test_bare_unit_word_refers_to_the_only_unit_of_that_kind():
    text = "澄江海警工作站地处港区。工作站还与澄江镇渔业协会签订安全协作协议。"
    assert link("澄江海警工作站", "cooperation", "澄江镇渔业协会") in relations(text)


def test_pair_word_takes_the_pair_linked_just_before():
    text = "塔山边境管理大队与巴图嘎查结对共建。双方每周开展一次联合巡边。"
    found = relations(text)
    assert link("塔山边境管理大队", "joint_building", "巴图嘎查") in found
    assert link("塔山边境管理大队", "joint_defense", "巴图嘎查") in found


def test_listed_subjects_before_the_connector_are_all_linked():
    text = "湛江海关以及当地的海事、公安部门陆续与湛江边检站签署党建联建协议。"
    found = relations(text)
    assert link("湛江海关", "joint_building", "湛江边检站") in found
    assert link("湛江公安", "joint_building", "湛江边检站") in found
    assert link("湛江海关", "joint_building", "湛江公安") not in found


def test_units_said_to_be_members_of_the_alliance_in_the_sentence():
    text = "如今，这个“石榴籽式”支部群已有12个党支部，峒中边境派出所和福建商会党支部都是其中的成员。"
    found = relations(text)
    assert ("峒中边境派出所", "member_of", "石榴籽式支部群") in found
    assert ("福建商会党支部", "member_of", "石榴籽式支部群") in found


def test_informal_reference_to_the_station():
    text = "花桥边境检查站地处边境。目前，站里共有“铁拳突击”“青年先锋”等5个特色党小组。"
    assert ("铁拳突击党小组", "sub_organization_of", "花桥边境检查站") in relations(text)


def test_two_units_and_shuangfang_in_one_sentence():
    text = "日前，丹江海关党委书记带队到丹江边检站调研，双方就深化党建共建进行座谈。"
    assert link("丹江海关党委", "joint_building", "丹江边检站") in relations(text)


def test_listed_units_hosting_together():
    text = "东溪市公安局、东溪出入境边防检查站联合举办培训班。"
    assert link("东溪市公安局", "cooperation", "东溪出入境边防检查站") in relations(text)


def test_joint_party_branch_is_party_building():
    text = "黑山海关与黑山边检站建立口岸联合党支部。"
    assert link("黑山海关", "joint_building", "黑山边检站") in relations(text)
