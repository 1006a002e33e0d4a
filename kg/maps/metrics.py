"""Node sizes and communities for the maps, from kg.analyze.

kg.analyze owns the measures (and picks networkx or igraph by graph size);
should it be missing, a deliberately tiny networkx fallback keeps maps
working. Seeds are fixed, so the same graph always gives the same map.

>>> import networkx as nx
>>> sizes = centrality(nx.path_graph(3), "degree")
>>> sizes[1] > sizes[0]
True
>>> communities(nx.Graph([(1, 2), (3, 4), (4, 5)]))[3]
0
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx

try:
    from kg.analyze import centrality as _centrality
    from kg.analyze import communities as _communities
except ImportError:  # pragma: no cover - only in a partial install
    _centrality = _communities = None

MEASURES = ("degree", "betweenness", "pagerank")
SEED = 42


def centrality(graph: nx.Graph, measure: str) -> dict[Hashable, float]:
    """One value per node; larger means more central."""
    if measure not in MEASURES:
        raise ValueError(f"unknown size measure {measure!r}; choose one of {', '.join(MEASURES)}")
    if measure == "degree":
        return {n: float(d) for n, d in graph.degree()}
    if graph.number_of_edges() == 0:
        return {n: 0.0 for n in graph}
    if measure == "betweenness":
        if _centrality is not None:
            return _centrality.betweenness(graph, seed=SEED)
        return nx.betweenness_centrality(graph, k=min(256, len(graph)), seed=SEED)
    if _centrality is not None:
        return _centrality.pagerank(graph)
    return nx.pagerank(graph, weight="weight")


def communities(graph: nx.Graph) -> dict[Hashable, int]:
    """Node → community number, 0 for the largest."""
    if len(graph) == 0:
        return {}
    if _communities is not None:
        return _communities.membership(_communities.partition(graph, seed=SEED))
    parts = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    parts = sorted(parts, key=lambda p: (-len(p), min(map(str, p))))
    return {n: i for i, part in enumerate(parts) for n in part}
