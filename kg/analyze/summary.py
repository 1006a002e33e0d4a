"""The shape of the network: size, density, components, links by relation, type × type mixing.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_nodes_from([(1, {"type": "Customs"}), (2, {"type": "Village"}), (3, {"type": "Village"})])
>>> g.add_edge(1, 2, relations=["joint_building"]); g.add_edge(2, 3, relations=["cooperation"])
>>> {r["measure"]: r["value"] for r in overview(g)}["components"]
1
>>> type_matrix(g)
[{'type': 'Customs', 'Customs': 0, 'Village': 1}, {'type': 'Village', 'Customs': 1, 'Village': 1}]
"""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx


def _type(graph: nx.Graph, node: object) -> str:
    return str(graph.nodes[node].get("type"))


def type_pairs(graph: nx.Graph) -> Counter:
    """(type of u, type of v) per link, keys in the order the links first show them.

    >>> type_pairs(nx.Graph([(1, 2)]))
    Counter({('None', 'None'): 1})
    """
    types = {node: str(kind) for node, kind in graph.nodes(data="type")}
    return Counter((types[u], types[v]) for u, v in graph.edges())


def type_assortativity(graph: nx.Graph, pairs: Counter | None = None) -> float:
    """Newman's attribute assortativity by organization type (NaN when undefined:
    no links, or every link joins units of one type)."""
    pairs = type_pairs(graph) if pairs is None else pairs
    # Both directions of each link, keys in the order a walk over the links
    # would first meet them (the sums below are then the same to the last bit).
    counts: dict[tuple[str, str], int] = {}
    for a, b in pairs:
        for key in ((a, b), (b, a)):
            if key not in counts:
                counts[key] = pairs.get(key, 0) + pairs.get(key[::-1], 0)
    total = sum(counts.values())
    if not total:
        return math.nan
    rows: Counter = Counter()
    for (a, _), c in counts.items():
        rows[a] += c / total
    trace = sum(c for (a, b), c in counts.items() if a == b) / total
    expected = sum(x * x for x in rows.values())
    return math.nan if expected == 1 else (trace - expected) / (1 - expected)


def overview(graph: nx.Graph, pairs: Counter | None = None) -> list[dict]:
    """Rows ``measure`` / ``value``: nodes, links, density, components, largest component, assortativity."""
    components = [len(c) for c in nx.connected_components(graph)] if graph.number_of_nodes() else []
    return [
        {"measure": "nodes", "value": graph.number_of_nodes()},
        {"measure": "links", "value": graph.number_of_edges()},
        {"measure": "density", "value": nx.density(graph) if graph.number_of_nodes() > 1 else 0.0},
        {"measure": "components", "value": len(components)},
        {"measure": "largest_component", "value": max(components, default=0)},
        {"measure": "isolated", "value": sum(1 for c in components if c == 1)},
        {"measure": "type_assortativity", "value": type_assortativity(graph, pairs)},
    ]


def nodes_by_type(graph: nx.Graph) -> list[dict]:
    """Rows ``type`` / ``nodes``, most frequent first."""
    counts = Counter(_type(graph, n) for n in graph)
    return [{"type": t, "nodes": c} for t, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def links_by_relation(graph: nx.Graph) -> list[dict]:
    """Rows ``relation`` / ``links``: linked pairs stating each relation (a pair may state several)."""
    counts = Counter(r for _, _, relations in graph.edges(data="relations") for r in (relations or ["(none)"]))
    return [{"relation": r, "links": c} for r, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def type_matrix(graph: nx.Graph, pairs: Counter | None = None) -> list[dict]:
    """Symmetric type × type link counts: one row per type, a column per type."""
    pairs = type_pairs(graph) if pairs is None else pairs
    types = sorted({_type(graph, n) for n in graph})
    counts: Counter = Counter()
    for (a, b), c in pairs.items():
        counts[(a, b)] += c
        if a != b:
            counts[(b, a)] += c
    return [{"type": a, **{b: counts[(a, b)] for b in types}} for a in types]


def summary(graph: nx.Graph) -> dict[str, list[dict]]:
    """All the tables above, by section name."""
    pairs = type_pairs(graph)
    return {
        "overview": overview(graph, pairs),
        "nodes_by_type": nodes_by_type(graph),
        "links_by_relation": links_by_relation(graph),
        "type_matrix": type_matrix(graph, pairs),
    }
