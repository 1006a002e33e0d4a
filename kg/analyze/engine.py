"""Which library does the arithmetic: networkx (the reference) or igraph (compiled).

networkx stays the graph model and the API; for large graphs the heavy loops
(betweenness, closeness, PageRank, eigenvector, community detection) run in
igraph on a copy built from an integer edge list, and results are mapped back
to the networkx node ids.

``auto`` picks igraph from ``IGRAPH_THRESHOLD`` nodes or ``IGRAPH_EDGE_THRESHOLD``
links on: below that networkx answers in well under a second, and its results
are the reference the tests compare igraph against.

>>> import networkx as nx
>>> choose(nx.path_graph(3))
'networkx'
>>> choose(nx.path_graph(3), "igraph")
'igraph'
"""

from __future__ import annotations

import sys
import weakref
from dataclasses import dataclass
from typing import Any

import networkx as nx

ENGINES = ("auto", "networkx", "igraph")
IGRAPH_THRESHOLD = 2_000
IGRAPH_EDGE_THRESHOLD = 10_000


def choose(graph: nx.Graph, engine: str = "auto") -> str:
    """The engine to use for ``graph``: ``networkx`` or ``igraph``."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine != "auto":
        return engine
    large = graph.number_of_nodes() >= IGRAPH_THRESHOLD or graph.number_of_edges() >= IGRAPH_EDGE_THRESHOLD
    return "igraph" if large else "networkx"


@dataclass
class IGraphView:
    """An igraph copy of a networkx graph: ``nodes[i]`` is the node id of vertex ``i``."""

    graph: Any  # igraph.Graph
    nodes: list
    index: dict
    integer_weights: bool = False  # every weight an int: sums of them are exact ints too

    def to_dict(self, values: list) -> dict:
        return dict(zip(self.nodes, values))


_VIEWS: "weakref.WeakKeyDictionary[nx.Graph, tuple[tuple, IGraphView]]" = weakref.WeakKeyDictionary()


def to_igraph(graph: nx.Graph, weight: str | None = "weight") -> IGraphView:
    """Convert from an edge list (fast); edge attribute ``weight`` holds the weights (default 1).

    The copy is remembered for the graph while its size and weight key stay the
    same, so the several measures of one ``centrality`` call convert once
    (treat graphs handed to the analyses as read-only).

    >>> view = to_igraph(nx.path_graph(["a", "b", "c"]))
    >>> view.graph.vcount(), view.graph.ecount(), view.nodes
    (3, 2, ['a', 'b', 'c'])
    """
    stamp = (graph.number_of_nodes(), graph.number_of_edges(), weight)
    try:
        remembered = _VIEWS.get(graph)
    except TypeError:  # not weak-referenceable
        remembered = None
    if remembered is not None and remembered[0] == stamp:
        return remembered[1]
    view = _convert(graph, weight)
    try:
        _VIEWS[graph] = (stamp, view)
    except TypeError:
        pass
    return view


def load_igraph() -> Any:
    """The igraph module, imported without its plotting back-end.

    ``import igraph`` imports matplotlib.pyplot when it is installed (about
    0.3 s of CPU, on every `kg analyze` command), only for igraph's own
    drawing, which kg never uses; a ``None`` entry in ``sys.modules`` makes
    that import fail and igraph falls back to a placeholder. matplotlib stays
    importable for everyone else (``kg analyze report`` draws with it).
    """
    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        import igraph

        return igraph
    sys.modules["matplotlib"] = None  # type: ignore[assignment]
    try:
        import igraph
    finally:
        if sys.modules.get("matplotlib", 0) is None:
            del sys.modules["matplotlib"]
    return igraph


def _convert(graph: nx.Graph, weight: str | None) -> IGraphView:
    ig = load_igraph()

    nodes = list(graph)
    index = {n: i for i, n in enumerate(nodes)}
    edges = []
    raw = []
    for u, v, w in graph.edges(data=weight, default=1) if weight else ((u, v, 1) for u, v in graph.edges()):
        edges.append((index[u], index[v]))
        raw.append(w)
    g = ig.Graph(n=len(nodes), edges=edges, directed=False)
    g.es["weight"] = [float(w) for w in raw]
    return IGraphView(g, nodes, index, all(type(w) is int for w in raw))


class seeded_igraph:
    """Context manager: igraph's random numbers come from ``random.Random(seed)``, then the default is restored."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __enter__(self) -> None:
        import random

        load_igraph().set_random_number_generator(random.Random(self.seed))

    def __exit__(self, *exc: object) -> None:
        import random

        load_igraph().set_random_number_generator(random)
