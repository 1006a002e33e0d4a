"""Who brokers between sectors: Burt's constraint and effective size, and type span.

- ``constraint``: Burt's constraint with link weights as tie strength, equal
  to ``nx.constraint(graph, weight="weight")`` (low = a broker whose partners
  are not tied to each other); computed here from neighbour sets in one pass,
  since networkx's version recomputes the same sums per neighbour pair.
- ``effective_size``: Borgatti's simplification (degree minus average ties
  among the partners), equal to ``nx.effective_size(graph)``.
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


def _shares(graph: nx.Graph, weight: str | None) -> dict:
    """p[i][j]: the share of i's tie strength invested in j."""
    shares = {}
    for node in graph:
        ties = {nbr: (data.get(weight, 1) if weight else 1) for nbr, data in graph[node].items() if nbr != node}
        total = sum(ties.values())
        shares[node] = {nbr: w / total for nbr, w in ties.items()} if total else {}
    return shares


def constraint(graph: nx.Graph, weight: str | None = "weight") -> dict:
    """Burt's constraint per node; NaN for isolated nodes (as networkx)."""
    p = _shares(graph, weight)
    result = {}
    for i, pi in p.items():
        if not pi:
            result[i] = math.nan
            continue
        total = 0.0
        for j, pij in pi.items():
            pj = p[j]
            small, large = (pi, pj) if len(pi) <= len(pj) else (pj, pi)
            # sum over q ≠ i, j tied to both i and j of p_iq * p_qj
            indirect = sum(pi[q] * p[q].get(j, 0.0) for q in small if q in large and q != i and q != j)
            total += (pij + indirect) ** 2
        result[i] = total
    return result


def effective_size(graph: nx.Graph) -> dict:
    """Borgatti's effective size: degree − 2 × (ties among partners) / degree; NaN for isolated nodes."""
    result = {}
    for node in graph:
        partners = set(graph[node]) - {node}
        n = len(partners)
        if n == 0:
            result[node] = math.nan
            continue
        ties = sum(1 for u in partners for v in graph[u] if v in partners and v != u) / 2
        result[node] = n - 2 * ties / n
    return result


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
