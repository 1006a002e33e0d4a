"""How two units are connected: the shortest paths, each hop with its evidence.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_nodes_from([("a", {"label": "甲"}), ("b", {"label": "乙"}), ("c", {"label": "丙"})])
>>> ev = [{"relation": "joint_building", "sentence": "…", "article": "x", "title": None, "date": None}]
>>> g.add_edge("a", "b", relations=["joint_building"], evidence=ev, weight=1)
>>> g.add_edge("b", "c", relations=["cooperation"], evidence=[], weight=1)
>>> [(r["hop"], r["from"], r["to"]) for r in paths(g, "甲", "丙")]
[(1, '甲', '乙'), (2, '乙', '丙')]
"""

from __future__ import annotations

from itertools import islice

import networkx as nx

from kg.analyze.lookup import find_node


def paths(graph: nx.Graph, a: str, b: str, *, max_paths: int = 5) -> list[dict]:
    """One row per hop of each shortest path from ``a`` to ``b`` (names, aliases or IRIs):
    ``path``, ``hop``, ``from``, ``to``, ``relations``, ``weight``, and the hop's first
    evidence ``sentence``, ``article``, ``title``, ``date`` (plus ``evidence_count``).

    Empty when the two units are not connected; raises ``NodeNotFound`` for unknown names.
    """
    source, target = find_node(graph, a), find_node(graph, b)
    try:
        found = list(islice(nx.all_shortest_paths(graph, source, target), max_paths))
    except nx.NetworkXNoPath:
        return []
    rows = []
    for number, path in enumerate(found, start=1):
        for hop, (u, v) in enumerate(zip(path, path[1:]), start=1):
            data = graph.edges[u, v]
            evidence = data.get("evidence") or []
            first = evidence[0] if evidence else {}
            rows.append(
                {
                    "path": number,
                    "hop": hop,
                    "from": graph.nodes[u].get("label", str(u)),
                    "to": graph.nodes[v].get("label", str(v)),
                    "relations": list(data.get("relations", [])),
                    "weight": data.get("weight", 1),
                    "sentence": first.get("sentence"),
                    "article": first.get("article"),
                    "title": first.get("title"),
                    "date": first.get("date"),
                    "evidence_count": len(evidence),
                }
            )
    return rows
