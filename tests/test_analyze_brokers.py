"""Brokers: constraint and effective size equal networkx's; type span is counted by hand."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from kg.analyze.brokers import brokers, constraint, effective_size


def graphs():
    karate = nx.karate_club_graph()
    karate.add_node("isolated")
    florentine = nx.florentine_families_graph()
    return {"karate": karate, "florentine": florentine}


GRAPHS = graphs()


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[n]) and math.isnan(b[n])) or abs(a[n] - b[n]) < 1e-9 for n in a
    )


@pytest.mark.parametrize("name", GRAPHS)
def test_constraint_equals_networkx_weighted(name):
    g = GRAPHS[name]
    assert same(constraint(g), nx.constraint(g, weight="weight"))


@pytest.mark.parametrize("name", GRAPHS)
def test_effective_size_equals_networkx(name):
    g = GRAPHS[name]
    assert same(effective_size(g), nx.effective_size(g))


def test_hand_computed_triangle_with_pendant():
    # a-b-c triangle, a-d pendant: a invests 1/3 in each partner.
    g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")])
    # c_a = (1/3 + 1/3*1/2)^2 * 2 (b and c, each reached through the other) + (1/3)^2 (d)
    assert constraint(g)["a"] == pytest.approx(2 * (1 / 3 + 1 / 6) ** 2 + 1 / 9)
    assert effective_size(g)["a"] == pytest.approx(3 - 2 * 1 / 3)


def test_cross_sector_bridges_rank_first():
    g = nx.Graph([("hub", "p"), ("hub", "q"), ("hub", "r"), ("p", "q"), ("x", "p")])
    nx.set_node_attributes(
        g, {"hub": "Customs", "p": "Military", "q": "Village", "r": "Enterprise", "x": "Military"}, "type"
    )
    rows = brokers(g)
    assert rows[0]["node"] == "hub"
    assert (rows[0]["partner_types"], rows[0]["other_type_partners"]) == (3, 3)
    assert rows[0]["types_spanned"] == ["Enterprise", "Military", "Village"]
    assert [r["node"] for r in brokers(g, types=["Military"])] == ["p", "x"]
    assert len(brokers(g, top=2)) == 2
