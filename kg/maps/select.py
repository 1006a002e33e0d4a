"""Choosing the part of the graph a map shows: relation types, minimum degree, one unit's network.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("a", label="甲站", aliases=["甲"])
>>> g.add_node("b", label="乙关", aliases=[])
>>> g.add_node("c", label="丙村", aliases=[])
>>> g.add_edge("a", "b", relations=["joint_building"], evidence=[], weight=1)
>>> g.add_edge("b", "c", relations=["cooperation"], evidence=[], weight=1)
>>> sorted(select(g, ego="甲", radius=1))
['a', 'b']
>>> sorted(select(g, relations=["cooperation"]).edges())
[('b', 'c')]
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from kg.analyze.lookup import NodeNotFound, find_node

__all__ = ["NodeNotFound", "find_node", "keep_relations", "select"]


def keep_relations(graph: nx.Graph, relations: Iterable[str]) -> nx.Graph:
    """A copy keeping only links of the given relation types (with only their evidence)."""
    wanted = set(relations)
    kept = nx.Graph()
    kept.graph.update(graph.graph)
    kept.add_nodes_from(graph.nodes(data=True))
    for u, v, attrs in graph.edges(data=True):
        rels = [r for r in attrs.get("relations", ()) if r in wanted]
        if not rels:
            continue
        evidence = [e for e in attrs.get("evidence", ()) if e.get("relation") in wanted]
        articles = {e.get("article") for e in evidence}
        weight = len(articles) if evidence else attrs.get("weight", 1)
        kept.add_edge(u, v, **{**attrs, "relations": rels, "evidence": evidence, "weight": weight})
    return kept


def select(
    graph: nx.Graph,
    *,
    relations: Iterable[str] | None = None,
    min_degree: int = 0,
    ego: str | None = None,
    radius: int = 1,
) -> nx.Graph:
    """The subgraph to draw. Applied in this order: relation types, minimum degree, ego network.

    ``min_degree`` drops organizations with fewer links (counted after the
    relation filter); ``ego`` (an IRI, label or alias) keeps the organizations
    within ``radius`` links of it, and is kept itself even below ``min_degree``.
    """
    chosen = keep_relations(graph, relations) if relations else graph
    centre = find_node(chosen, ego) if ego is not None else None
    if min_degree > 0:
        keep = [n for n, d in chosen.degree() if d >= min_degree or n == centre]
        chosen = chosen.subgraph(keep)
    if centre is not None:
        chosen = nx.ego_graph(chosen, centre, radius=radius)
    return chosen
