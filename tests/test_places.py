"""Places: from names (cpca, offline), from the parent unit, from the article title; a hierarchy."""

from __future__ import annotations

import hashlib

from kg.model import Article
from kg.places import place_chain, split_place, text_place
from kg.resolve import resolve


def doc(name, entities, relations=(), title=None):
    art = Article(path=name, file_name=name, sha256=hashlib.sha256(name.encode()).hexdigest(), text="", title=title)
    return art, {"doc": name, "entities": entities, "relations": list(relations)}


def ent(i, name, kind="BorderInspection"):
    return {"id": f"e{i}", "name": name, "type": kind, "aliases": []}


def test_split_place_reads_province_city_and_county_prefixes():
    assert split_place("辽宁大连边检站").code == "210200"
    assert split_place("辽宁大连边检站").levels == 2
    assert split_place("大连边检站").rest == "边检站"
    assert split_place("景洪市委党校").code == "532801"
    assert split_place("北仑边检站").code is None  # a district named without 区 is not guessed


def test_split_place_refuses_ambiguous_and_whole_place_names():
    assert split_place("朝阳区派出所").code is None  # several districts have this name
    assert split_place("北京朝阳区派出所").code == "110105"  # the province settles it
    assert split_place("大连").code is None


def test_a_native_place_chamber_is_not_located_there():
    assert split_place("湖北商会").located is False
    assert split_place("湖北省商会").located is True


def test_place_chain_walks_up_to_the_province_and_skips_containers():
    assert [p.level for p in place_chain("532801")] == ["county", "city", "province"]
    assert [p.name for p in place_chain("310101")] == ["黄浦区", "上海市"]  # no 市辖区 level


def test_text_place_needs_one_consistent_place():
    assert text_place("大连边检站开展党建联建") == "210200"
    assert text_place("辽宁大连：口岸共建") == "210200"
    assert text_place("大连与青岛两地联建") is None
    assert text_place("党建引领发展") is None


def test_organizations_get_places_and_the_graph_gets_the_hierarchy():
    resolved = resolve([doc("a.txt", [ent(1, "大连边检站"), ent(2, "景洪市委", "Government")])])
    assert resolved.organizations["大连边检站"].place == "210200"
    assert resolved.organizations["景洪市委"].place == "532801"
    places = resolved.places
    assert places["532801"].parent == "532800" and places["532800"].parent == "530000"
    assert places["210200"].level == "city" and places["210000"].level == "province"


def test_a_unit_without_a_place_takes_its_parents():
    relations = [{"head": "e2", "tail": "e1", "type": "sub_organization_of", "evidence": "下辖"}]
    resolved = resolve([doc("a.txt", [ent(1, "大连边检总站"), ent(2, "大窑湾边检站")], relations)])
    assert resolved.organizations["大窑湾边检站"].place == "210200"


def test_the_article_title_locates_local_units_but_not_national_bodies():
    entities = [ent(1, "大窑湾边检站"), ent(2, "青松岭村", "Village"), ent(3, "公安部", "PublicSecurity"),
                ent(4, "口岸党建联盟", "Alliance"), ent(5, "大连海关", "Customs")]
    resolved = resolve([doc("a.txt", entities, title="大连口岸党建联建纪实")])
    orgs = resolved.organizations
    assert orgs["大窑湾边检站"].place == "210200" and orgs["青松岭村"].place == "210200"
    assert orgs["公安部"].place is None and orgs["口岸党建联盟"].place is None


def test_a_title_place_needs_a_unit_of_that_place_in_the_article():
    entities = [ent(1, "大窑湾边检站"), ent(2, "青岛海关", "Customs")]
    resolved = resolve([doc("a.txt", entities, title="大连口岸党建联建纪实")])
    assert resolved.organizations["大窑湾边检站"].place is None  # nothing in the article is in 大连


def test_articles_that_disagree_locate_nothing():
    a = doc("a.txt", [ent(1, "青松岭村", "Village"), ent(2, "大连海关", "Customs")], title="大连见闻")
    b = doc("b.txt", [ent(1, "青松岭村", "Village"), ent(2, "青岛海关", "Customs")], title="青岛见闻")
    assert resolve([a, b]).organizations["青松岭村"].place is None
    assert resolve([a]).organizations["青松岭村"].place == "210200"
