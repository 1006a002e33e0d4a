"""Node positions computed in Python, for maps too large for in-browser physics.

>>> import networkx as nx
>>> pos = positions(nx.path_graph(4))
>>> sorted(pos) == [0, 1, 2, 3] and all(len(p) == 2 for p in pos.values())
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable

import igraph
import networkx as nx
import numpy as np

#: Above this many organizations the map is laid out here and drawn with physics off.
LARGE_GRAPH = 1000

#: Roughly the distance in pixels between linked nodes on the page.
SPACING = 60.0


def positions(graph: nx.Graph, *, seed: int = 0) -> dict[Hashable, tuple[float, float]]:
    """Fruchterman–Reingold positions (igraph, seeded: deterministic), scaled to page pixels."""
    nodes = list(graph)
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    ig = igraph.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in graph.edges()])
    # igraph draws its random start from a global generator: seed it for this call only.
    # (Passing our own start positions instead made the grid variant 10-200 times slower.)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = np.asarray(ig.layout_fruchterman_reingold(niter=500).coords)
    finally:
        igraph.set_random_number_generator(random)
    coords -= coords.mean(axis=0)
    spread = float(np.abs(coords).max()) or 1.0
    coords *= SPACING * math.sqrt(len(nodes)) / spread
    return {n: (round(float(x)), round(float(y))) for n, (x, y) in zip(nodes, coords)}
