"""Static figures of the map (PNG or SVG, matplotlib) for papers, in the map's colours.

>>> from kg.maps.examples import sample_graph
>>> import tempfile, pathlib
>>> out = render_figure(sample_graph(), pathlib.Path(tempfile.mkdtemp()) / "map.svg", "svg")
>>> out.read_text(encoding="utf-8").startswith("<?xml")
True
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never open a window

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from kg.maps import layout, metrics  # noqa: E402
from kg.maps.styles import community_colour, load_styles, primary_relation, relation_style, type_style  # noqa: E402

FORMATS = ("png", "svg")
#: Only the most central organizations are named, so the figure stays readable.
LABELLED = 30
CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
             "PingFang SC", "SimHei"]
_CJK_FILE_HINTS = ("cjk", "wqy", "sourcehan", "simhei", "msyh", "pingfang")


def cjk_fonts() -> list[str]:
    """Installed fonts with Chinese glyphs, preferred first.

    matplotlib caches its font list the first time it runs: fonts installed
    later (fonts-noto-cjk, say) stay unknown to it, so look for them once here.
    """
    from matplotlib import font_manager

    def known() -> list[str]:
        return sorted({f.name for f in font_manager.fontManager.ttflist
                       if "cjk" in f.name.lower() or f.name in CJK_FONTS})

    if not known():
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name.lower() for hint in _CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
    names = known()
    return [n for n in CJK_FONTS if n in names] + [n for n in names if n not in CJK_FONTS and "Sans" in n] + \
        [n for n in names if n not in CJK_FONTS and "Sans" not in n]


def _linestyle(dashes) -> object:
    """vis-network's dash list as a matplotlib dash pattern, in units of line width."""
    return "solid" if not dashes else (0, tuple(float(d) / 2 for d in dashes))


def render_figure(graph: nx.Graph, path: str | Path, fmt: str | None = None, *,
                  color: str = "type", size: str = "degree", title: str | None = None) -> Path:
    """Draw ``graph`` to ``path`` as PNG or SVG (``fmt`` defaults to the file suffix)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; choose one of {', '.join(FORMATS)}")
    pos = layout.positions(graph)
    value = metrics.centrality(graph, size)
    top = max(value.values(), default=0.0) or 1.0
    community = metrics.communities(graph) if color == "community" else {}

    def colour(n) -> str:
        if color == "community":
            return community_colour(community[n])
        return type_style(graph.nodes[n].get("type"))["color"]

    rc = {"font.family": "sans-serif", "font.sans-serif": cjk_fonts() + ["DejaVu Sans"], "svg.hashsalt": "lianjian",
          "axes.unicode_minus": False}
    with plt.rc_context(rc), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")  # no CJK font installed: boxes, not noise
        warnings.filterwarnings("ignore", message="findfont")
        fig, ax = plt.subplots(figsize=(12, 9), dpi=150)
        ax.set_axis_off()
        by_relation: dict[str, list] = {}
        for u, v, attrs in graph.edges(data=True):
            by_relation.setdefault(primary_relation(list(attrs.get("relations") or [])), []).append((u, v))
        for relation, pairs in sorted(by_relation.items()):
            style = relation_style(relation)
            nx.draw_networkx_edges(graph, pos, edgelist=pairs, ax=ax, edge_color=style["color"], alpha=0.7,
                                   style=_linestyle(style.get("dashes")), width=1.2)
        nodes = list(graph)
        nx.draw_networkx_nodes(graph, pos, nodelist=nodes, ax=ax, node_color=[colour(n) for n in nodes],
                               node_size=[30 + 400 * (value[n] / top) for n in nodes], linewidths=0.5, edgecolors="white")
        named = sorted(nodes, key=lambda n: (-value[n], str(n)))[:LABELLED]
        ys = [p[1] for p in pos.values()] or [0.0]
        below = 0.015 * ((max(ys) - min(ys)) or 1.0)  # names under their dots, not across them
        nx.draw_networkx_labels(graph, {n: (pos[n][0], pos[n][1] - below) for n in named},
                                labels={n: _plain(graph.nodes[n].get("label", n)) for n in named},
                                ax=ax, font_size=8, font_family="sans-serif", verticalalignment="top")
        ax.legend(handles=_legend(graph, color, community), loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  fontsize=8, frameon=False)
        if title:
            ax.set_title(_plain(title))
        fig.tight_layout()
        fig.savefig(path, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
        plt.close(fig)
    return path


def _legend(graph: nx.Graph, color: str, community: dict) -> list:
    styles = load_styles()
    handles = []
    if color == "community":
        sizes: dict[int, int] = {}
        for c in community.values():
            sizes[c] = sizes.get(c, 0) + 1
        for c in sorted(sizes)[: len(styles["communities"])]:
            handles.append(_dot(community_colour(c), f"社区 {c + 1}（{sizes[c]}）"))
        if len(sizes) > len(styles["communities"]):
            handles.append(_dot(styles["other_community"]["color"], styles["other_community"]["label"]))
    else:
        present = {graph.nodes[n].get("type") for n in graph}
        order = list(styles["types"])
        for t in sorted(present, key=lambda t: (order.index(t) if t in order else len(order), str(t))):
            handles.append(_dot(type_style(t)["color"], type_style(t)["label"]))
    relations = {r for _, _, a in graph.edges(data=True) for r in a.get("relations") or ()}
    order = list(styles["relations"])
    for r in sorted(relations, key=lambda r: (order.index(r) if r in order else len(order), str(r))):
        style = relation_style(r)
        handles.append(Line2D([0], [0], color=style["color"], linestyle=_linestyle(style.get("dashes")),
                              linewidth=1.6, label=style["label"]))
    return handles


def _plain(text) -> str:
    """Article text as literal text: matplotlib would read ``$…$`` as mathematics."""
    return str(text).replace("$", r"\$")


def _dot(colour: str, label: str) -> Line2D:
    return Line2D([0], [0], marker="o", color="white", markerfacecolor=colour, markersize=8, label=label)
