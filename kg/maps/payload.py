"""The data a map page needs, as one JSON-ready dict: nodes, links, articles, styles, options.

Nodes get small integer ids (IRIs travel only as data). Articles and evidence
sentences are listed once and referenced by index: one sentence often states
several links, and this keeps large maps small. Each evidence is a triple
``[relation, sentence index, article index]``.

>>> from kg.maps.examples import sample_graph
>>> data = map_data(sample_graph())
>>> sorted(data) == ['articles', 'edges', 'nodes', 'options', 'sentences', 'styles']
True
"""

from __future__ import annotations

import math
from collections.abc import Hashable

import networkx as nx

from kg.maps import layout, metrics
from kg.maps.styles import community_colour, load_styles, primary_relation, relation_style, type_style

COLOURS = ("type", "community")
MIN_SIZE, MAX_SIZE = 7.0, 32.0


def _scaled_sizes(values: dict[Hashable, float]) -> dict[Hashable, float]:
    """Node radius in pixels; area grows with the value."""
    values = {n: _finite(v) for n, v in values.items()}
    top = max(values.values(), default=0.0)
    if top <= 0:
        return {n: MIN_SIZE for n in values}
    return {n: round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(max(v, 0.0) / top), 1) for n, v in values.items()}


def _finite(value) -> float:
    """JSON has no NaN or infinity (the page's JSON.parse would fail): such values become 0."""
    number = float(value)
    return round(number, 6) if math.isfinite(number) else 0.0


def _text(value) -> str | None:
    return None if value is None else str(value)


def map_data(
    graph: nx.Graph,
    *,
    color: str = "type",
    size: str = "degree",
    title: str | None = None,
    large: int = layout.LARGE_GRAPH,
) -> dict:
    """Everything the page draws. ``large``: node count above which positions come from Python."""
    if color not in COLOURS:
        raise ValueError(f"unknown colouring {color!r}; choose one of {', '.join(COLOURS)}")
    nodes = sorted(graph, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    value = metrics.centrality(graph, size)
    radius = _scaled_sizes(value)
    community = metrics.communities(graph)
    positions = layout.positions(graph) if len(nodes) > large else {}

    node_rows = []
    for n in nodes:
        attrs = graph.nodes[n]
        org_type = _text(attrs.get("type")) or ""
        row = {
            "id": index[n],
            "iri": str(n),
            "label": _text(attrs.get("label")) or str(n),
            "type": org_type,
            "aliases": [str(a) for a in attrs.get("aliases") or ()],
            "place": _text(attrs.get("place")),
            "articles": attrs.get("articles") or 0,
            "degree": graph.degree(n),
            "metric": _finite(value[n]),
            "size": radius[n],
            "community": community[n],
            "color": type_style(org_type)["color"] if color == "type" else community_colour(community[n]),
        }
        if n in positions:
            row["x"], row["y"] = positions[n]
        node_rows.append(row)

    articles: dict[str, int] = {}
    article_rows: list[dict] = []
    sentences: dict[str, int] = {}
    edge_rows = []
    for u, v in sorted(((index[a], index[b]) if index[a] <= index[b] else (index[b], index[a]))
                       for a, b in graph.edges()):
        attrs = graph.edges[nodes[u], nodes[v]]
        relations = [str(r) for r in attrs.get("relations") or ()]
        evidence = []
        for e in attrs.get("evidence") or ():
            key = str(e.get("article"))
            if key not in articles:
                articles[key] = len(article_rows)
                article_rows.append({"iri": key, "title": _text(e.get("title")), "date": _text(e.get("date"))})
            sentence = _text(e.get("sentence")) or ""
            evidence.append([_text(e.get("relation")) or "", sentences.setdefault(sentence, len(sentences)),
                             articles[key]])
        edge_rows.append({
            "from": u,
            "to": v,
            "relations": relations,
            "style": primary_relation(relations),
            "weight": attrs.get("weight") or len({e[2] for e in evidence}) or 1,
            "evidence": evidence,
        })

    styles = load_styles()
    return {
        "nodes": node_rows,
        "edges": edge_rows,
        "articles": article_rows,
        "sentences": list(sentences),
        "styles": {
            "types": {t: type_style(t) for t in sorted({r["type"] for r in node_rows})},
            "known_types": list(styles["types"]),
            "relations": {r: relation_style(r) for r in sorted({x for e in edge_rows for x in e["relations"]})},
            "known_relations": list(styles["relations"]),
            "communities": styles["communities"],
            "other_community": styles["other_community"],
        },
        "options": {
            "title": title or "",
            "color": color,
            "size": size,
            "size_label": styles["size_labels"].get(size, size),
            "layout": "python" if positions else "physics",
        },
    }
