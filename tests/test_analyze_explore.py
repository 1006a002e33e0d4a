"""Paths, ego networks, summary tables and name lookup on the projected fixture graph."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from test_project import ID, oxigraph_store

from kg.analyze.ego import ego, ego_graph
from kg.analyze.lookup import NodeNotFound, find_node
from kg.analyze.paths import paths
from kg.analyze.summary import links_by_relation, overview, summary, type_assortativity, type_matrix
from kg.project import project


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    return project(oxigraph_store())


def test_find_node_by_label_alias_iri_and_substring(graph):
    b = f"{ID}org/B"
    assert find_node(graph, "乙出入境边防检查站") == b
    assert find_node(graph, "乙边检站") == b
    assert find_node(graph, b) == b
    assert find_node(graph, "丁海") == f"{ID}org/D"
    with pytest.raises(NodeNotFound, match="no unit"):
        find_node(graph, "不存在")
    with pytest.raises(NodeNotFound, match="matches 3 units"):
        find_node(graph, "党")  # 甲镇党委, 丙村党支部, 某口岸党建联盟


def test_path_hops_carry_evidence(graph):
    rows = paths(graph, "丁海关", "乙边检站")
    assert {r["path"] for r in rows} == {1, 2}  # via the alliance then 甲 or 丙
    first = [r for r in rows if r["path"] == 1]
    assert [r["from"] for r in first][0] == "丁海关" and first[-1]["to"] == "乙出入境边防检查站"
    hop = next(r for r in rows if r["to"] == "乙出入境边防检查站" and r["from"] == "甲镇党委")
    assert (hop["relations"], hop["sentence"], hop["title"], hop["weight"]) == (
        ["joint_building", "joint_defense"], "句一", "标题一", 3)


def test_no_path_is_empty(graph):
    assert paths(graph, "戊公司", "甲镇党委") == []


def test_ego_table_and_subgraph(graph):
    sub = ego_graph(graph, "乙边检站", radius=1)
    assert set(sub) == {f"{ID}org/{k}" for k in "ABC"} and sub.graph["center"] == f"{ID}org/B"
    rows = ego(graph, "乙边检站", radius=2)
    assert [(r["label"], r["distance"]) for r in rows][:3] == [
        ("乙出入境边防检查站", 0), ("丙村党支部", 1), ("甲镇党委", 1)]
    alliance = next(r for r in rows if r["type"] == "Alliance")
    assert alliance["distance"] == 2 and alliance["via"] in {"甲镇党委", "丙村党支部"}


def test_summary_tables(graph):
    over = {r["measure"]: r["value"] for r in overview(graph)}
    assert (over["nodes"], over["links"], over["components"], over["isolated"]) == (6, 5, 2, 1)
    assert over["density"] == pytest.approx(5 / 15)
    assert {r["relation"]: r["links"] for r in links_by_relation(graph)} == {
        "member_of": 3, "cooperation": 1, "joint_building": 1, "joint_defense": 1}
    matrix = {r["type"]: r for r in type_matrix(graph)}
    assert matrix["Alliance"]["Village"] == matrix["Village"]["Alliance"] == 1
    assert sum(matrix["Alliance"][t] for t in matrix) == 3
    assert set(summary(graph)) == {"overview", "nodes_by_type", "links_by_relation", "type_matrix"}


def test_assortativity_matches_networkx():
    g = nx.karate_club_graph()
    nx.set_node_attributes(g, {n: d["club"] for n, d in g.nodes(data=True)}, "type")
    assert type_assortativity(g) == pytest.approx(nx.attribute_assortativity_coefficient(g, "type"))
    assert math.isnan(type_assortativity(nx.empty_graph(2)))
