"""One unit's network: everyone within ``radius`` links, as a table and as a graph for maps.

>>> import networkx as nx
>>> g = nx.path_graph(["a", "b", "c", "d"])
>>> sorted(ego_graph(g, "b", radius=1))
['a', 'b', 'c']
>>> [(r["node"], r["distance"], r["via"]) for r in ego(g, "b", radius=2)]
[('b', 0, None), ('a', 1, 'b'), ('c', 1, 'b'), ('d', 2, 'c')]
"""

from __future__ import annotations

import networkx as nx

from kg.analyze.lookup import find_node


def ego_graph(graph: nx.Graph, name: str, radius: int = 1) -> nx.Graph:
    """The subgraph of units within ``radius`` hops of ``name`` (IRI, name or alias), with
    all node and edge attributes; ``graph.graph["center"]`` names the centre node."""
    center = find_node(graph, name)
    sub = nx.ego_graph(graph, center, radius=radius).copy()
    sub.graph["center"] = center
    sub.graph["radius"] = radius
    return sub


def ego(graph: nx.Graph, name: str, radius: int = 1) -> list[dict]:
    """One row per unit of the ego network, nearest first: ``node``, ``label``, ``type``,
    ``distance``, ``via`` (the label of the unit it is reached through), ``relations``
    and ``weight`` of that link, ``evidence`` (its first sentence), ``degree`` inside the ego network."""
    sub = ego_graph(graph, name, radius)
    center = sub.graph["center"]
    distance = nx.single_source_shortest_path_length(sub, center)
    parent: dict = {center: None}
    for u, v in nx.bfs_edges(sub, center, sort_neighbors=lambda ns: sorted(ns, key=str)):
        parent[v] = u
    rows = []
    for node in sub:
        via = parent.get(node)
        data = sub.edges[via, node] if via is not None else {}
        evidence = data.get("evidence") or [{}]
        rows.append(
            {
                "node": node,
                "label": sub.nodes[node].get("label", str(node)),
                "type": sub.nodes[node].get("type"),
                "distance": distance[node],
                "via": sub.nodes[via].get("label", str(via)) if via is not None else None,
                "relations": list(data.get("relations", [])),
                "weight": data.get("weight"),
                "evidence": evidence[0].get("sentence"),
                "degree": sub.degree(node),
            }
        )
    rows.sort(key=lambda r: (r["distance"], str(r["label"]), str(r["node"])))
    return rows
