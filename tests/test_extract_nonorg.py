"""Persons, places, honours, campaigns, slogans and generic classes are not organizations."""

import pytest

from _extract_helpers import names


@pytest.mark.parametrize(
    "text",
    [
        "去年该站被授予“英雄边检站”光荣称号。",  # honour after 授予
        "该所荣获“全国先进基层党组织”称号。",  # honour
        "各单位党委要高度重视。",  # generic class
        "驻地党委政府给予支持。",  # generic class
        "与驻地村支部开展共建，与当地驻军开展联防。",  # no unit named
        "辖区有9个边境村委会和2个国有农场。",  # counted classes
        "强化边境农村党组织建设，建设“最强党支部”。",  # class words and an honour
        "开展“无毒学校”创建活动。",  # campaign in quotes
        "学习《关于加强海关党建工作的意见》。",  # document title
        "张伟和李强来到边境乡村走访。",  # persons and places
        "全国民族团结进步示范村是该村获得的荣誉。",  # honour words inside a place-like name
        "民警担任护边员和联防队员。",  # roles, not units
        "积极采取分年度集中学、分批次轮训学的方式。",  # 中学 inside 集中学
        "青石边境派出所地处边境。村支书定期到所里通报村情民意。",  # informal 所里 before a verb
    ],
)
def test_not_an_organization(text):
    assert names(text) - {"青石边境派出所"} == set()


def test_generic_quoted_alliance_word_is_not_a_name():
    assert names("双方签订“党建联盟”协议。") == set()


def test_honour_giver_is_an_organization_but_the_honour_is_not():
    assert names("该队被公安部授予“先锋边检站”光荣称号。") == {"公安部"}
