"""Communities: seeded and reproducible, at least as modular as networkx's Louvain."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analyze.communities import communities, modularity, partition


def florentine():
    g = nx.florentine_families_graph()
    nx.set_edge_attributes(g, 1, "weight")
    return g


GRAPHS = {"karate": nx.karate_club_graph(), "florentine": florentine()}


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("method,engine", [("louvain", "networkx"), ("louvain", "igraph"), ("leiden", "igraph")])
def test_same_seed_same_communities(name, method, engine):
    g = GRAPHS[name]
    runs = [partition(g, method=method, seed=7, engine=engine) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert set().union(*runs[0]) == set(g)


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("method", ["louvain", "leiden"])
def test_igraph_at_least_as_modular_as_networkx_louvain(name, method):
    g = GRAPHS[name]
    reference = nx.community.modularity(g, nx.community.louvain_communities(g, weight="weight", seed=42))
    ours = partition(g, method=method, engine="igraph")
    assert nx.community.modularity(g, ours, weight="weight") >= reference - 1e-9


@pytest.mark.parametrize("name", GRAPHS)
def test_modularity_engines_agree(name):
    g = GRAPHS[name]
    parts = partition(g, method="louvain", engine="networkx")
    expected = nx.community.modularity(g, parts, weight="weight")
    assert modularity(g, parts, engine="igraph") == pytest.approx(expected, abs=1e-9)
    assert modularity(g, parts, engine="networkx") == pytest.approx(expected, abs=1e-12)


def test_rows_report_size_types_members_and_modularity():
    g = nx.barbell_graph(5, 0)
    types = {n: ("Customs" if n in (0, 1) else "Village") for n in g}
    nx.set_node_attributes(g, types, "type")
    nx.set_node_attributes(g, {n: f"单位{n}" for n in g}, "label")
    rows = communities(g, method="louvain", engine="networkx")
    assert [r["size"] for r in rows] == [5, 5]
    assert rows[0]["types"] == {"Village": 3, "Customs": 2}
    assert rows[0]["members"][0] == "单位4"  # the bridge end has the highest degree
    assert rows[0]["modularity"] == pytest.approx(nx.community.modularity(g, [set(range(5)), set(range(5, 10))]))
    assert communities(g, method="leiden", engine="networkx")[0]["method"] == "leiden"


def test_empty_and_edgeless_graphs():
    assert communities(nx.Graph()) == []
    rows = communities(nx.empty_graph(3))
    assert [r["size"] for r in rows] == [1, 1, 1] and rows[0]["modularity"] == 0.0
