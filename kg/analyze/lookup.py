"""Find a unit in the projected graph by IRI, name or alias.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("id/org/a", label="甲党支部", aliases=["甲支部"])
>>> find_node(g, "甲支部")
'id/org/a'
"""

from __future__ import annotations

import networkx as nx


class NodeNotFound(LookupError):
    """No unit, or more than one, answers to the name given."""


def find_node(graph: nx.Graph, name: str) -> object:
    """The node whose IRI, label or alias is ``name`` (exact, then unique substring of a label).

    Raises ``NodeNotFound`` with candidates when the name is unknown or ambiguous.
    """
    if name in graph:
        return name
    by_label = [n for n, d in graph.nodes(data=True) if d.get("label") == name]
    if len(by_label) == 1:
        return by_label[0]
    by_alias = [n for n, d in graph.nodes(data=True) if name in (d.get("aliases") or [])]
    exact = by_label or by_alias
    if len(exact) == 1:
        return exact[0]
    if not exact:
        exact = [n for n, d in graph.nodes(data=True) if name in str(d.get("label", ""))]
        if len(exact) == 1:
            return exact[0]
    if not exact:
        raise NodeNotFound(f"no unit named {name!r}")
    labels = sorted(str(graph.nodes[n].get("label", n)) for n in exact)
    shown = ", ".join(labels[:10]) + (" …" if len(labels) > 10 else "")
    raise NodeNotFound(f"{name!r} matches {len(exact)} units: {shown}")
