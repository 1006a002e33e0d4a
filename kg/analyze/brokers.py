"""Who brokers between sectors: Burt's constraint and effective size, and type span.

- ``constraint``: Burt's constraint with link weights as tie strength, equal
  to ``nx.constraint(graph, weight="weight")`` (low = a broker whose partners
  are not tied to each other);
- ``effective_size``: Borgatti's simplification (degree minus average ties
  among the partners), equal to ``nx.effective_size(graph)``; both are
  computed with sparse matrix products (networkx loops over neighbour pairs in
  Python: minutes on 100,000 units).
- ``partner_types``: how many organization types a unit's partners span;
  units whose partners span the most sectors bridge them.

>>> import networkx as nx
>>> g = nx.Graph([("hub", "a"), ("hub", "b"), ("hub", "c")])
>>> round(constraint(g)["hub"], 3), effective_size(g)["hub"]
(0.333, 3.0)
"""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx


def _matrices(graph: nx.Graph, weight: str | None):
    """Nodes, the weight matrix without self-loops (CSR) and the row sums."""
    import numpy as np

    nodes = list(graph)
    matrix = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=weight, format="csr", dtype=float)
    matrix.setdiag(0)
    matrix.eliminate_zeros()
    return nodes, matrix, np.asarray(matrix.sum(axis=1)).ravel()


def constraint(graph: nx.Graph, weight: str | None = "weight") -> dict:
    """Burt's constraint per node; NaN for isolated nodes (as networkx).

    With p = the row-normalized weight matrix, the constraint of i is
    Σ_j (p_ij + (p²)_ij)² over i's partners j; p² is only needed on existing
    links, so the sparse product is masked by the adjacency pattern.
    """
    import numpy as np
    import scipy.sparse as sp

    if graph.number_of_nodes() == 0:
        return {}
    nodes, w, strength = _matrices(graph, weight)
    with np.errstate(divide="ignore"):
        inverse = np.where(strength > 0, 1.0 / strength, 0.0)
    p = sp.diags(inverse) @ w
    pattern = p.copy()
    pattern.data[:] = 1.0
    local = p + (p @ p).multiply(pattern)
    values = np.asarray(local.multiply(local).sum(axis=1)).ravel()
    degree = np.diff(w.indptr)
    return {node: (float(v) if d else math.nan) for node, v, d in zip(nodes, values, degree)}


def effective_size(graph: nx.Graph) -> dict:
    """Borgatti's effective size: degree − 2 × (ties among partners) / degree; NaN for isolated nodes.

    Ties among a node's partners are its triangles, counted with a sparse product.
    """
    import numpy as np

    if graph.number_of_nodes() == 0:
        return {}
    nodes, w, _ = _matrices(graph, None)
    triangles = np.asarray((w @ w).multiply(w).sum(axis=1)).ravel() / 2
    degree = np.diff(w.indptr).astype(float)
    return {
        node: (float(n - 2 * t / n) if n else math.nan) for node, n, t in zip(nodes, degree, triangles)
    }


def partner_types(graph: nx.Graph) -> dict:
    """Node → Counter of its partners' types.

    >>> partner_types(nx.Graph([(1, 2)]))[1]
    Counter({'None': 1})
    """
    return {node: Counter(str(graph.nodes[nbr].get("type")) for nbr in graph[node] if nbr != node) for node in graph}


def brokers(graph: nx.Graph, *, top: int | None = None, types: list[str] | None = None) -> list[dict]:
    """One row per node: ``partner_types`` (number of types spanned), ``other_type_partners``
    (partners of another type than the unit's own), ``constraint``, ``effective_size``,
    ``types_spanned``; most types spanned first, then lowest constraint.

    >>> g = nx.Graph([("h", "a"), ("h", "b")])
    >>> nx.set_node_attributes(g, {"h": "Customs", "a": "Village", "b": "Military"}, "type")
    >>> brokers(g)[0]["node"], brokers(g)[0]["partner_types"]
    ('h', 2)
    """
    cons = constraint(graph)
    eff = effective_size(graph)
    spans = partner_types(graph)
    wanted = set(types) if types else None
    rows = []
    for node, data in graph.nodes(data=True):
        if wanted is not None and data.get("type") not in wanted:
            continue
        own = str(data.get("type"))
        span = spans[node]
        rows.append(
            {
                "node": node,
                "label": data.get("label", str(node)),
                "type": data.get("type"),
                "degree": graph.degree(node),
                "partner_types": len(span),
                "other_type_partners": sum(c for t, c in span.items() if t != own),
                "constraint": cons[node],
                "effective_size": eff[node],
                "types_spanned": sorted(span),
            }
        )

    def order(row: dict) -> tuple:
        c = row["constraint"]
        return (-row["partner_types"], math.inf if math.isnan(c) else c, str(row["label"]))

    rows.sort(key=order)
    return rows[:top] if top is not None else rows
