"""Node sizes and communities for the maps.

A deliberately small fallback: the analysis package (kg.analyze) owns the
real measures; here networkx computes what a map needs, with fixed seeds so
the same graph always gives the same map.

>>> import networkx as nx
>>> sizes = centrality(nx.path_graph(3), "degree")
>>> sizes[1] > sizes[0]
True
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx

MEASURES = ("degree", "betweenness", "pagerank")

#: Above this many nodes betweenness is estimated from sampled sources.
EXACT_BETWEENNESS_LIMIT = 1000
BETWEENNESS_SAMPLES = 256
SEED = 0


def centrality(graph: nx.Graph, measure: str) -> dict[Hashable, float]:
    """One value per node; larger means more central."""
    if measure == "degree":
        return {n: float(d) for n, d in graph.degree()}
    if measure == "betweenness":
        k = BETWEENNESS_SAMPLES if len(graph) > EXACT_BETWEENNESS_LIMIT else None
        return nx.betweenness_centrality(graph, k=k, seed=SEED)
    if measure == "pagerank":
        if graph.number_of_edges() == 0:
            return {n: 1.0 / len(graph) for n in graph}
        return nx.pagerank(graph, weight="weight")
    raise ValueError(f"unknown size measure {measure!r}; choose one of {', '.join(MEASURES)}")


def communities(graph: nx.Graph) -> dict[Hashable, int]:
    """Louvain communities numbered by size, largest first (0), ties broken by member order."""
    if graph.number_of_edges() == 0:
        groups = [{n} for n in graph]
    else:
        groups = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    order = {n: i for i, n in enumerate(graph)}
    groups = sorted(groups, key=lambda g: (-len(g), min(order[n] for n in g)))
    return {n: i for i, group in enumerate(groups) for n in group}
