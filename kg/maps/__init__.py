"""Network maps of the projected graph: an interactive offline HTML page, or a static figure.

>>> from kg.maps.examples import sample_graph
>>> import tempfile, pathlib
>>> page = render_map(sample_graph(), pathlib.Path(tempfile.mkdtemp()) / "map.html", title="东港口岸")
>>> "东港口岸" in page.read_text(encoding="utf-8")
True
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from kg.maps.figure import render_figure
from kg.maps.page import render_html
from kg.maps.payload import map_data
from kg.maps.select import NodeNotFound, find_node, select

__all__ = ["render_map", "render_figure", "select", "find_node", "NodeNotFound", "map_data"]


def render_map(graph: nx.Graph, path: str | Path, *, color: str = "type", size: str = "degree",
               title: str | None = None) -> Path:
    """Write the interactive map of ``graph`` to ``path`` (one self-contained HTML file).

    ``color``: "type" or "community"; ``size``: "degree", "betweenness" or "pagerank".
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    html = render_html(map_data(graph, color=color, size=size, title=title))
    path.write_text(html, encoding="utf-8")
    return path
