"""Who is central: degree, weighted degree, betweenness, PageRank, eigenvector, closeness.

Values follow networkx's conventions whichever engine computes them (the tests
hold igraph to networkx within 1e-6, PageRank within 1e-4 since both iterate
to a tolerance):

- ``degree``: number of partners; ``weighted_degree``: sum of link weights
  (articles);
- ``betweenness``, ``closeness``: hop counts (weights ignored), normalized as
  ``nx.betweenness_centrality`` / ``nx.closeness_centrality`` (Wasserman–Faust
  for disconnected graphs). Exact up to ``EXACT_LIMIT`` nodes; above it
  estimated from ``k`` source nodes drawn with ``random.Random(seed)``, the
  same sample networkx draws for ``betweenness_centrality(k=k, seed=seed)``;
  closeness is then estimated from the distances to those sources;
- ``pagerank``: weighted, damping 0.85;
- ``eigenvector``: weighted, computed in each connected component (a single
  eigenvector of a disconnected graph puts zeros on every component but the
  dominant one), scaled so a component of ``c`` of the ``n`` nodes holds
  ``c / n`` of the squared norm; on a connected graph this is exactly
  ``nx.eigenvector_centrality``. Isolated nodes get 0.

>>> import networkx as nx
>>> rows = centrality(nx.star_graph(3))
>>> rows[0]["node"], rows[0]["degree"], round(rows[0]["betweenness"], 3)
(0, 3, 1.0)
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Iterable

import networkx as nx

from kg.analyze.engine import choose, to_igraph

EXACT_LIMIT = 5_000
DEFAULT_K = 256
METRICS = ("degree", "weighted_degree", "betweenness", "pagerank", "eigenvector", "closeness")


def _sample(graph: nx.Graph, k: int | None, seed: int) -> list | None:
    """Source nodes for sampled measures, or None for exact ones (networkx's own draw)."""
    n = graph.number_of_nodes()
    if k is None:
        k = DEFAULT_K if n > EXACT_LIMIT else None
    if k is None or k >= n:
        return None
    return random.Random(seed).sample(list(graph.nodes()), k)


def betweenness(graph: nx.Graph, *, k: int | None = None, seed: int = 42, engine: str = "auto") -> dict:
    """Normalized shortest-path betweenness (hops), exact or from ``k`` sampled sources.

    >>> betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    sources = _sample(graph, k, seed)
    n = graph.number_of_nodes()
    if choose(graph, engine) == "networkx":
        return nx.betweenness_centrality(graph, k=None if sources is None else len(sources), seed=seed)
    if n < 3:
        return {node: 0.0 for node in graph}
    view = to_igraph(graph)
    if sources is None:
        raw = view.graph.betweenness(directed=False)
        return view.to_dict([b * 2 / ((n - 1) * (n - 2)) for b in raw])
    # igraph counts each undirected (source, target) pair once; networkx counts it
    # from the source, then rescales sources and other nodes differently (nx 3.6).
    raw = view.graph.betweenness(directed=False, sources=[view.index[s] for s in sources])
    picked = set(sources)
    k = len(sources)
    on_source = 1 / ((k - 1) * (n - 2)) if k > 1 else math.nan
    off_source = 1 / (k * (n - 2))
    return {node: 2 * b * (on_source if node in picked else off_source) for node, b in zip(view.nodes, raw)}


def closeness(graph: nx.Graph, *, k: int | None = None, seed: int = 42, engine: str = "auto") -> dict:
    """Closeness (hops), as ``nx.closeness_centrality``; estimated from ``k`` sources on large graphs.

    >>> closeness(nx.path_graph(3))[1]
    1.0
    """
    sources = _sample(graph, k, seed)
    n = graph.number_of_nodes()
    if n <= 1:
        return {node: 0.0 for node in graph}
    if sources is None:
        if choose(graph, engine) == "networkx":
            return nx.closeness_centrality(graph)
        view = to_igraph(graph)
        raw = view.graph.closeness(normalized=True)
        sizes = view.graph.connected_components().membership
        comp_size = _component_sizes(sizes)
        return {
            node: 0.0 if math.isnan(c) else c * (comp_size[sizes[i]] - 1) / (n - 1)
            for i, (node, c) in enumerate(zip(view.nodes, raw))
        }
    return _sampled_closeness(graph, sources)


def _component_sizes(membership: list[int]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for m in membership:
        sizes[m] = sizes.get(m, 0) + 1
    return sizes


def _sampled_closeness(graph: nx.Graph, sources: list) -> dict:
    """Eppstein–Wang estimate: a node's distance sum scaled up from its distances to the sampled sources."""
    import numpy as np

    view = to_igraph(graph)
    g = view.graph
    n = g.vcount()
    membership = g.connected_components().membership
    comp_size = np.array([0] * n, dtype=float)
    sizes = _component_sizes(membership)
    comp_size[:] = [sizes[m] for m in membership]
    total = np.zeros(n)
    reached = np.zeros(n)
    ids = [view.index[s] for s in sources]
    for start in range(0, len(ids), 16):
        block = np.array(g.distances(source=ids[start:start + 16]), dtype=float)
        finite = np.isfinite(block)
        total += np.where(finite, block, 0.0).sum(axis=0)
        reached += finite.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Sources in the node's component stand for the whole component.
        estimate = total * (comp_size / np.maximum(reached, 1))
        value = np.where(estimate > 0, (comp_size - 1) / estimate * (comp_size - 1) / (n - 1), 0.0)
    return view.to_dict([float(x) for x in value])


def pagerank(graph: nx.Graph, *, engine: str = "auto", alpha: float = 0.85) -> dict:
    """Weighted PageRank, as ``nx.pagerank(graph, alpha, weight="weight")``.

    >>> round(sum(pagerank(nx.path_graph(4)).values()), 6)
    1.0
    """
    if graph.number_of_nodes() == 0:
        return {}
    if choose(graph, engine) == "networkx":
        return nx.pagerank(graph, alpha=alpha, weight="weight")
    view = to_igraph(graph)
    return view.to_dict(view.graph.pagerank(damping=alpha, weights="weight", directed=False))


def eigenvector(graph: nx.Graph, *, engine: str = "auto") -> dict:
    """Weighted eigenvector centrality per connected component (see the module notes).

    >>> values = eigenvector(nx.Graph([(1, 2), (3, 4), (4, 5)]))
    >>> round(values[1], 3) == round(values[2], 3), values[4] > values[3]
    (True, True)
    """
    n = graph.number_of_nodes()
    result = {node: 0.0 for node in graph}
    if choose(graph, engine) == "igraph":
        view = to_igraph(graph)
        components = view.graph.connected_components()
        for ids in components:
            if len(ids) < 2:
                continue
            sub = view.graph if len(components) == 1 else view.graph.induced_subgraph(ids)
            with warnings.catch_warnings():
                # Said of units far from the hub of one component: their values are near zero, and so they are
                # (the disconnected graphs the warning is about are split into components above).
                warnings.filterwarnings("ignore", "Some eigenvector centralities are nearly zero", RuntimeWarning)
                values = sub.eigenvector_centrality(weights="weight")  # directed=False is refused by igraph 1.0
            norm = math.sqrt(sum(v * v for v in values)) or 1.0
            share = math.sqrt(len(ids) / n)
            for i, value in zip(ids, values):
                result[view.nodes[i]] = abs(value) / norm * share
        return result
    for component in nx.connected_components(graph):
        size = len(component)
        if size < 2:
            continue
        if size == 2:
            local = {node: 1 / math.sqrt(2) for node in component}
        else:
            local = nx.eigenvector_centrality(graph.subgraph(component), max_iter=1000, weight="weight")
        share = math.sqrt(size / n)
        for node, value in local.items():
            result[node] = value * share
    return result


def weighted_degree(graph: nx.Graph, *, engine: str = "auto") -> dict:
    """Sum of link weights per node (ints when every weight is an int).

    >>> weighted_degree(nx.Graph([(1, 2, {"weight": 3})]))
    {1: 3, 2: 3}
    >>> weighted_degree(nx.Graph([(1, 2, {"weight": 3})]), engine="igraph")
    {1: 3, 2: 3}
    """
    if choose(graph, engine) == "networkx":
        return dict(graph.degree(weight="weight"))
    view = to_igraph(graph)
    strengths = view.graph.strength(weights="weight", loops=True)  # a self-loop counts twice, as in networkx
    return view.to_dict([int(s) for s in strengths] if view.integer_weights else strengths)


def centrality(
    graph: nx.Graph,
    *,
    metrics: Iterable[str] = METRICS,
    k: int | None = None,
    seed: int = 42,
    engine: str = "auto",
    top: int | None = None,
    types: Iterable[str] | None = None,
    sort: str | None = None,
) -> list[dict]:
    """One row per node (``node``, ``label``, ``type`` and the metrics), best first.

    Rows are sorted by ``sort`` (default: betweenness if computed, else the
    first metric) then label; ``types`` keeps only those organization types
    (metrics are still computed on the whole graph); ``top`` keeps the first N.
    """
    metrics = list(metrics)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric {', '.join(unknown)}: use {', '.join(METRICS)}")
    values: dict[str, dict] = {}
    for metric in metrics:
        if metric == "degree":
            values[metric] = dict(graph.degree())
        elif metric == "weighted_degree":
            values[metric] = weighted_degree(graph, engine=engine)
        elif metric == "betweenness":
            values[metric] = betweenness(graph, k=k, seed=seed, engine=engine)
        elif metric == "closeness":
            values[metric] = closeness(graph, k=k, seed=seed, engine=engine)
        elif metric == "pagerank":
            values[metric] = pagerank(graph, engine=engine)
        elif metric == "eigenvector":
            values[metric] = eigenvector(graph, engine=engine)
    wanted = set(types) if types else None
    rows = []
    for node, data in graph.nodes(data=True):
        if wanted is not None and data.get("type") not in wanted:
            continue
        row = {"node": node, "label": data.get("label", str(node)), "type": data.get("type")}
        for metric in metrics:
            row[metric] = values[metric][node]
        rows.append(row)
    key = sort or ("betweenness" if "betweenness" in metrics else (metrics[0] if metrics else None))
    rows.sort(key=lambda r: (-(r[key] or 0) if key else 0, str(r["label"]), str(r["node"])))
    return rows[:top] if top is not None else rows
