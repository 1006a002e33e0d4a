"""A Markdown report with the analysis tables and matplotlib charts, for a paper or a notebook.

``write_report(graph, out_dir)`` writes ``report.md`` and three PNGs
(``degree_distribution.png``, ``type_matrix.png``, ``community_sizes.png``).
Charts use the Agg backend (no display needed). Type names are shown in
Chinese when an installed CJK font is found, else in English, so no label
renders as empty boxes.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import networkx as nx

from kg.analyze.brokers import brokers
from kg.analyze.centrality import centrality
from kg.analyze.communities import communities
from kg.analyze.summary import summary
from kg.tables import clean

# Chinese names of the ontology's types (the skos:prefLabel@zh-Hans of each class).
TYPE_NAMES_ZH = {
    "PartyOrganization": "党组织",
    "BorderInspection": "出入境边防检查机构",
    "BorderPolice": "边境管理警务机构",
    "PublicSecurity": "公安机关",
    "Customs": "海关",
    "Maritime": "海事海警机构",
    "Military": "军队武警单位",
    "Government": "党政机关",
    "Village": "村社区",
    "Enterprise": "企业",
    "MerchantAssociation": "商会",
    "SocialOrganization": "社会组织",
    "Alliance": "党建联盟",
}
_CJK_FONT_HINTS = ("CJK", "Hei", "WenQuanYi", "Noto Sans SC", "Source Han", "SimSun", "Ming", "Song", "Kai")


def cjk_font() -> str | None:
    """The name of an installed font that has Chinese glyphs, or None.

    >>> cjk_font() is None or isinstance(cjk_font(), str)
    True
    """
    from matplotlib import font_manager

    for font in font_manager.fontManager.ttflist:
        if any(hint.lower() in font.name.lower() for hint in _CJK_FONT_HINTS):
            return font.name
    return None


def markdown_table(rows: list[dict], columns: list[str]) -> str:
    """A GitHub Markdown table; cells are single-line, control-free, with ``|`` and markup escaped.

    >>> print(markdown_table([{"a": "x|y", "b": 0.5}], ["a", "b"]))
    | a | b |
    | --- | --- |
    | x\\|y | 0.5 |
    """

    def cell(value: object) -> str:
        if isinstance(value, float):
            text = f"{value:.4g}"
        elif isinstance(value, (list, tuple)):
            text = "、".join(map(str, value))
        elif isinstance(value, dict):
            text = ", ".join(f"{k} {v}" for k, v in value.items())
        else:
            text = "" if value is None else str(value)
        text = clean(text)
        return re.sub(r"([\\|*`<>\[\]])", r"\\\1", text)  # "_" inside words is not emphasis

    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    lines += ["| " + " | ".join(cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _type_label(name: str, chinese: bool) -> str:
    return TYPE_NAMES_ZH.get(name, name) if chinese else name


def degree_chart(graph: nx.Graph, path: Path) -> None:
    plt = _plt()
    counts = Counter(d for _, d in graph.degree())
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = sorted(counts)
    ax.bar(xs, [counts[x] for x in xs], color="#4472c4")
    if xs and max(xs) > 50:
        ax.set_xscale("symlog")
        ax.set_yscale("log")
    ax.set_xlabel("degree (partners)")
    ax.set_ylabel("organizations")
    ax.set_title("Degree distribution")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def type_matrix_chart(matrix: list[dict], path: Path, font: str | None) -> None:
    plt = _plt()
    types = [row["type"] for row in matrix]
    labels = [_type_label(t, font is not None) for t in types]
    values = [[row[t] for t in types] for row in matrix]
    size = max(4.0, 0.6 * len(types) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    image = ax.imshow(values or [[0]], cmap="Blues")
    ax.set_xticks(range(len(types)), labels, rotation=60, ha="right", fontfamily=font or "sans-serif")
    ax.set_yticks(range(len(types)), labels, fontfamily=font or "sans-serif")
    top = max((v for row in values for v in row), default=0)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="white" if v > top / 2 else "black")
    fig.colorbar(image, ax=ax, shrink=0.7, label="links")
    ax.set_title("Links between organization types")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def community_chart(rows: list[dict], path: Path) -> None:
    plt = _plt()
    shown = rows[:30]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar([str(r["community"]) for r in shown], [r["size"] for r in shown], color="#ed7d31")
    ax.set_xlabel("community (largest first)")
    ax.set_ylabel("organizations")
    ax.set_title("Community sizes" + (f" (largest {len(shown)} of {len(rows)})" if len(rows) > len(shown) else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def write_report(graph: nx.Graph, out_dir: str | Path, *, engine: str = "auto", top: int = 20,
                 seed: int = 42, method: str = "auto", k: int | None = None) -> Path:
    """Write ``report.md`` and its charts into ``out_dir``; returns the Markdown file's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    font = cjk_font()
    sections = summary(graph)
    central = centrality(graph, engine=engine, top=top, seed=seed, k=k)
    groups = communities(graph, method=method, seed=seed, engine=engine, max_members=10)
    bridges = brokers(graph, top=top)
    degree_chart(graph, out / "degree_distribution.png")
    type_matrix_chart(sections["type_matrix"], out / "type_matrix.png", font)
    community_chart(groups, out / "community_sizes.png")
    types = [row["type"] for row in sections["type_matrix"]]
    modularity = groups[0]["modularity"] if groups else 0.0
    parts = [
        "# Network analysis report",
        f"Generated {date.today().isoformat()} by `kg analyze report`.",
        "## Overview",
        markdown_table(sections["overview"], ["measure", "value"]),
        markdown_table(sections["nodes_by_type"], ["type", "nodes"]),
        "## Links by relation",
        markdown_table(sections["links_by_relation"], ["relation", "links"]),
        "## Type × type links",
        "![Links between organization types](type_matrix.png)",
        markdown_table(sections["type_matrix"], ["type", *types]),
        "## Degree distribution",
        "![Degree distribution](degree_distribution.png)",
        f"## Most central units (top {top} by betweenness)",
        markdown_table(central, ["label", "type", "degree", "weighted_degree", "betweenness", "pagerank",
                                 "eigenvector", "closeness"]),
        "## Communities",
        f"{len(groups)} communities ({groups[0]['method'] if groups else '-'}), modularity {modularity:.4f}.",
        "![Community sizes](community_sizes.png)",
        markdown_table(groups[:top], ["community", "size", "types", "members"]),
        f"## Brokers (top {top} by types of partners spanned)",
        markdown_table(bridges, ["label", "type", "degree", "partner_types", "other_type_partners",
                                 "constraint", "effective_size"]),
    ]
    path = out / "report.md"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path
