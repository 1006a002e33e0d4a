"""Organization names from the grammar: place + function + unit suffix, nesting, short forms."""

from _extract_helpers import entities, link, names, relations


def test_place_and_suffix_make_a_typed_name():
    found = entities("今年以来，大连出入境边防检查站积极开展党建工作。")
    assert found["大连出入境边防检查站"]["type"] == "BorderInspection"


def test_each_class_is_typed_from_its_suffix():
    found = entities(
        "会上，青州市公安局、青州海关、青州海事局、青州军分区、青州市商务局、青州市福源村村委会、"
        "青州远洋物流有限公司、青州市温州商会、青州市第一中学代表依次发言。"
    )
    assert {name: e["type"] for name, e in found.items()} == {
        "青州市公安局": "PublicSecurity",
        "青州海关": "Customs",
        "青州海事局": "Maritime",
        "青州军分区": "Military",
        "青州市商务局": "Government",
        "青州市福源村": "Village",
        "青州远洋物流有限公司": "Enterprise",
        "青州市温州商会": "MerchantAssociation",
        "青州市第一中学": "SocialOrganization",
    }


def test_nested_units_give_each_level_and_its_parent():
    text = "近日，福州出入境边防检查总站马尾边检站执勤三队被评为先进集体。"
    assert {"福州出入境边防检查总站", "马尾边检站", "马尾边检站执勤三队"} <= names(text)
    assert link("马尾边检站", "sub_organization_of", "福州出入境边防检查总站") in relations(text)
    assert ("马尾边检站执勤三队", "sub_organization_of", "马尾边检站") in relations(text)


def test_party_organization_of_a_named_unit_is_its_own_entity():
    text = "宁波海关缉私局机关党委组织党员学习。"
    found = entities(text)
    assert found["宁波海关缉私局机关党委"]["type"] == "PartyOrganization"
    assert ("宁波海关缉私局机关党委", "sub_organization_of", "宁波海关缉私局") in relations(text)


def test_party_branch_of_a_village_does_not_make_the_village_an_entity():
    found = names("辖区石门村党总支多次获得表彰。")
    assert found == {"石门村党总支"}


def test_short_form_is_an_alias_of_the_full_name():
    text = "珠海出入境边防检查站深化党建工作。珠海边检站党委书记介绍了经验。"
    found = entities(text)
    # the station's Party committee is named on its own: an entity of its own
    assert set(found) == {"珠海出入境边防检查站", "珠海边检站党委"}
    assert found["珠海出入境边防检查站"]["aliases"] == ["珠海边检站"]
    assert ("珠海边检站党委", "sub_organization_of", "珠海出入境边防检查站") in relations(text)


def test_station_called_by_name_part_and_zhan_is_an_alias():
    found = entities("在石岭站，民警查获毒品。石岭边境检查站始终把党建放在首位。")
    assert found["石岭边境检查站"]["aliases"] == ["石岭站"]


def test_quoted_alliance_names():
    found = entities("三家单位共同建立“江海口岸党建带”，并成立“石榴籽式”支部群。")
    assert found["江海口岸党建带"]["type"] == "Alliance"
    assert found["石榴籽式支部群"]["type"] == "Alliance"


def test_named_party_groups_before_a_generic_suffix():
    text = "花桥边检站党支部先后命名“铁拳突击”“青年先锋”等3个特色党小组。"
    found = names(text)
    assert {"铁拳突击党小组", "青年先锋党小组"} <= found
    assert ("铁拳突击党小组", "sub_organization_of", "花桥边检站党支部") in relations(text)


def test_named_party_groups_of_an_anaphoric_branch_belong_to_the_unit():
    text = "花桥边检站地处边境。该站党支部命名“铁拳突击”“青年先锋”等特色党小组。"
    assert ("青年先锋党小组", "sub_organization_of", "花桥边检站") in relations(text)


def test_national_body_named_by_its_function():
    found = entities("该所被公安部记集体一等功，还被民政部表彰。")
    assert found["公安部"]["type"] == "PublicSecurity"
    assert found["民政部"]["type"] == "Government"


def test_names_inside_document_titles_are_ignored():
    assert names("印发《青州海关关于深化党建工作的意见》。") == set()


def test_party_branch_of_a_nested_unit_keeps_the_unit():
    text = "幸福乡党委与黑河边境管理支队幸福边境派出所党支部签订党建共建协议。"
    found = names(text)
    assert {"黑河边境管理支队", "幸福边境派出所", "幸福边境派出所党支部"} <= found
    assert ("幸福边境派出所", "sub_organization_of", "黑河边境管理支队") in relations(text)
    assert link("幸福乡党委", "joint_building", "幸福边境派出所党支部") in relations(text)


def test_subsidiary_company_and_its_party_committee():
    text = "中国远洋运输股份有限公司厦门分公司党委组织学习。"
    assert ("厦门分公司", "sub_organization_of", "中国远洋运输股份有限公司") in relations(text)


def test_generic_unit_word_typed_by_a_keyword_of_its_name():
    found = entities("武警红河支队与河口县公安局交警大队开展联合巡逻。")
    assert found["武警红河支队"]["type"] == "Military"
    assert found["河口县公安局交警大队"]["type"] == "PublicSecurity"
    assert names("驻地部队支队长带队巡逻。") == set()


def test_office_stationed_elsewhere_keeps_the_parent_name_and_type():
    found = entities("钦州海关驻港口办事处与钦州港务集团签订合作协议。")
    assert found["钦州海关驻港口办事处"]["type"] == "Customs"


def test_company_names_are_trusted_up_to_the_long_limit():
    assert "中铁十九局集团有限公司" in names("扎兰屯市委与中铁十九局集团有限公司签订协议。")


def test_declared_short_name_is_an_alias():
    found = entities("南岭国有农场（以下简称南岭农场）与石桥村党总支签订联建协议。南岭农场党委随后派员驻村。")
    assert "南岭农场" in found["南岭国有农场"]["aliases"]
    assert "南岭农场" not in found


def test_name_without_its_city_is_an_alias_of_the_full_name():
    found = entities("青州市福建商会成立党支部。福建商会现有会员三百家。")
    assert found["青州市福建商会"]["aliases"] == ["福建商会"]


def test_wharf_company_is_one_company():
    assert names("临江集装箱码头公司与临江海关签订协议。") == {"临江集装箱码头公司", "临江海关"}


def test_generic_unit_word_after_a_unit_keeps_the_unit_name_and_type():
    found = entities("钦南市公安局海防支队与钦南海警局涠石工作站开展联合巡逻。")
    assert found["钦南市公安局海防支队"]["type"] == "PublicSecurity"
    assert found["钦南海警局涠石工作站"]["type"] == "Maritime"


def test_name_written_after_gai_zhen_is_a_name():
    text = "石岭镇党委高度重视。该镇南湾村党支部与石岭边检站开展支部联建。"
    assert "南湾村党支部" in names(text)
    assert link("南湾村党支部", "joint_building", "石岭边检站") in relations(text)
