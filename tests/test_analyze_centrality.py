"""Centralities: igraph results equal networkx's (the reference) on known graphs."""

from __future__ import annotations

import math
import warnings

import networkx as nx
import pytest

from kg.analyze import centrality as c

TOL = 1e-6
PAGERANK_TOL = 1e-4  # both iterate to a tolerance of their own


def known_graphs():
    karate = nx.karate_club_graph()  # weighted
    florentine = nx.florentine_families_graph()
    nx.set_edge_attributes(florentine, 1, "weight")
    disconnected = nx.disjoint_union(nx.karate_club_graph(), nx.path_graph(5))
    disconnected.add_node("isolated")
    return {"karate": karate, "florentine": florentine, "disconnected": disconnected}


GRAPHS = known_graphs()


def close(a: dict, b: dict, tol: float) -> bool:
    return a.keys() == b.keys() and all(abs(a[n] - b[n]) <= tol for n in a)


@pytest.mark.parametrize("name", GRAPHS)
def test_exact_betweenness_igraph_equals_networkx(name):
    g = GRAPHS[name]
    assert close(c.betweenness(g, engine="igraph"), nx.betweenness_centrality(g), TOL)


@pytest.mark.parametrize("name", GRAPHS)
def test_sampled_betweenness_uses_networkx_sample_and_scale(name):
    g = GRAPHS[name]
    ours = c.betweenness(g, k=7, seed=3, engine="igraph")
    assert close(ours, nx.betweenness_centrality(g, k=7, seed=3), TOL)
    assert close(c.betweenness(g, k=7, seed=3, engine="networkx"), ours, TOL)


@pytest.mark.parametrize("name", GRAPHS)
def test_closeness_igraph_equals_networkx(name):
    g = GRAPHS[name]
    assert close(c.closeness(g, engine="igraph"), nx.closeness_centrality(g), TOL)


def test_sampled_closeness_is_exact_when_every_node_is_a_source():
    g = GRAPHS["karate"]
    n = g.number_of_nodes()
    assert close(c._sampled_closeness(g, list(g)), nx.closeness_centrality(g), TOL)
    estimate = c.closeness(g, k=n - 4, seed=1)
    exact = nx.closeness_centrality(g)
    assert all(abs(estimate[v] - exact[v]) < 0.1 for v in g)


@pytest.mark.parametrize("name", GRAPHS)
def test_pagerank_igraph_equals_networkx(name):
    g = GRAPHS[name]
    assert close(c.pagerank(g, engine="igraph"), nx.pagerank(g, weight="weight"), PAGERANK_TOL)


@pytest.mark.parametrize("name", ["karate", "florentine"])
def test_eigenvector_on_connected_graph_is_networkx(name):
    g = GRAPHS[name]
    expected = nx.eigenvector_centrality(g, weight="weight", max_iter=1000, tol=1e-10)
    assert close(c.eigenvector(g, engine="networkx"), expected, 1e-4)
    assert close(c.eigenvector(g, engine="igraph"), expected, 1e-4)


def test_eigenvector_on_disconnected_graph_is_per_component():
    g = GRAPHS["disconnected"]
    for engine in ("networkx", "igraph"):
        values = c.eigenvector(g, engine=engine)
        assert values["isolated"] == 0.0
        path = [n for n in g if isinstance(n, int) and n >= 34]
        assert all(values[n] > 0 for n in path)  # not zeroed by the larger component
        # within a component, proportional to networkx on that component
        sub = nx.eigenvector_centrality(g.subgraph(path), max_iter=1000, tol=1e-10)
        ratio = values[path[0]] / sub[path[0]]
        assert all(abs(values[n] - ratio * sub[n]) < 1e-4 for n in path)
        assert math.isclose(sum(v * v for v in values.values()), (g.number_of_nodes() - 1) / g.number_of_nodes(),
                            rel_tol=1e-3)


def test_eigenvector_of_a_far_periphery_is_near_zero_without_a_warning():
    # Two dense clusters joined by a long path: igraph warns that some values are nearly zero. They are, and
    # the graph is connected, so the warning said nothing a user could act on (it was printed by kg analyze).
    g = nx.barbell_graph(30, 40)
    nx.set_edge_attributes(g, 1.0, "weight")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = c.eigenvector(g, engine="igraph")
    assert min(values.values()) < 1e-6 < max(values.values())


def test_hand_computed_star():
    rows = c.centrality(nx.star_graph(4), engine="networkx")
    hub = rows[0]
    assert (hub["node"], hub["degree"], hub["betweenness"], hub["closeness"]) == (0, 4, 1.0, 1.0)
    assert rows[1]["closeness"] == pytest.approx(4 / 7)


def test_rows_filter_sort_top():
    g = nx.Graph([("a", "b", {"weight": 5}), ("b", "c", {"weight": 1}), ("c", "d", {"weight": 1})])
    nx.set_node_attributes(g, {"a": "Customs", "b": "Village", "c": "Village", "d": "Customs"}, "type")
    rows = c.centrality(g, types=["Customs"], sort="weighted_degree")
    assert [r["node"] for r in rows] == ["a", "d"]
    assert c.centrality(g, top=1)[0]["node"] in {"b", "c"}


def test_engine_choice_by_size():
    from kg.analyze.engine import IGRAPH_THRESHOLD, choose

    assert choose(nx.empty_graph(IGRAPH_THRESHOLD - 1)) == "networkx"
    assert choose(nx.empty_graph(IGRAPH_THRESHOLD)) == "igraph"
    with pytest.raises(ValueError):
        choose(nx.empty_graph(1), "graphblas")


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_weighted_degree_igraph_equals_networkx_exactly_for_integer_weights(name):
    g = GRAPHS[name].copy()
    for i, (u, v) in enumerate(g.edges()):
        g.edges[u, v]["weight"] = i % 4 + 1
    g.add_edge(0, 0, weight=2)  # a self-loop counts twice in both
    ours, theirs = c.weighted_degree(g, engine="igraph"), c.weighted_degree(g, engine="networkx")
    assert ours == theirs and all(type(x) is int for x in ours.values())


def test_weighted_degree_igraph_with_float_weights():
    g = GRAPHS["karate"].copy()
    for u, v in g.edges():
        g.edges[u, v]["weight"] = 0.5
    assert close(c.weighted_degree(g, engine="igraph"), c.weighted_degree(g, engine="networkx"), TOL)
