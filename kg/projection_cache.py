"""The projection of a store version, kept as JSON beside the store.

Reading 500,000 links back from an on-disk store takes seconds to minutes,
and every `kg analyze` command starts with a projection. A store version
never changes once current (every write makes a new one), so its projection
is kept in ``<store>/cache/projection/`` and reused until ``CURRENT`` changes.
JSON, never pickle: a store folder may come from someone else.

Two files per version and projection choice (relations, alliances):

- ``<key>.json``, the topology: node rows and a flat integer edge array
  ``[u, v, weight, relation set, ...]``; all that the measures need, cheap to
  parse;
- ``<key>.evidence.json``, the evidence of each edge in the same order, only
  read when a caller asks for evidence (paths, ego networks, maps, export).

Both carry the same random ``token``, so an evidence file is never matched
with a topology written by another process.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("a", label="甲", type="Customs", aliases=[], place=None, articles=1)
>>> g.add_node("b", label="乙", type="Village", aliases=["乙村"], place="某县", articles=0)
>>> g.add_edge("a", "b", relations=["joint_building"], weight=2)
>>> text = dump_topology(g, "t")
>>> back = load(text)
>>> list(back.edges(data=True))
[('a', 'b', {'relations': ['joint_building'], 'weight': 2})]
>>> back.nodes["b"]["aliases"]
['乙村']
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx

FORMAT = 2
_NODE_FIELDS = ("label", "type", "aliases", "place", "articles")


def cache_key(source: Any, relations: list[str] | None, alliances: str) -> Path | None:
    """The topology file for ``source``'s current version (None when it is not an embedded store)."""
    current = getattr(source, "current_path", None)
    cache_dir = getattr(source, "cache_dir", None)
    root = getattr(source, "root", None)
    if not callable(current) or cache_dir is None or root is None:
        return None
    try:
        version = current()
        stamp = os.stat(Path(root) / "CURRENT")
    except OSError:
        return None
    if version is None:
        return None
    key = json.dumps([FORMAT, str(version), stamp.st_ino, stamp.st_mtime_ns, relations, alliances])
    return Path(cache_dir) / "projection" / (hashlib.sha1(key.encode()).hexdigest()[:20] + ".json")


def evidence_file(topology: Path) -> Path:
    return topology.with_suffix(".evidence.json")


def _edges(graph: nx.Graph, order: list[tuple] | None) -> Iterator[tuple[Any, Any, dict]]:
    """The edges in ``order`` (the order they were added: a graph rebuilt from
    them has the same neighbour order everywhere), else as the graph lists them."""
    if order is None:
        yield from graph.edges(data=True)
        return
    adjacency = graph.adj
    for u, v in order:
        yield u, v, adjacency[u][v]


def dump_topology(graph: nx.Graph, token: str, order: list[tuple] | None = None) -> str:
    index = {n: i for i, n in enumerate(graph)}
    relation_sets: dict[tuple, int] = {}
    edges: list[int] = []
    for u, v, d in _edges(graph, order):
        kind = relation_sets.setdefault(tuple(d["relations"]), len(relation_sets))
        edges += (index[u], index[v], d["weight"], kind)
    data = {
        "format": FORMAT,
        "token": token,
        "nodes": [[n, *(a[f] for f in _NODE_FIELDS)] for n, a in graph.nodes(data=True)],
        "relations": [list(k) for k in relation_sets],
        "edges": edges,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def dump_evidence(graph: nx.Graph, token: str, order: list[tuple] | None = None) -> str:
    articles: dict[tuple, int] = {}
    edges = []
    for _, _, d in _edges(graph, order):
        rows = []
        for e in d["evidence"]:
            ref = articles.setdefault((e["article"], e["title"], e["date"]), len(articles))
            rows.append([e["relation"], e["sentence"], ref])
        edges.append(rows)
    data = {"format": FORMAT, "token": token, "articles": [list(k) for k in articles], "evidence": edges}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load(topology_text: str, evidence_text: str | None = None) -> nx.Graph:
    """The graph from its topology (and, if given, the evidence written with it)."""
    data = json.loads(topology_text)
    if data.get("format") != FORMAT:
        raise ValueError("stale projection cache")
    evidence = None
    if evidence_text is not None:
        extra = json.loads(evidence_text)
        if extra.get("format") != FORMAT or extra.get("token") != data.get("token"):
            raise ValueError("evidence cache of another projection")
        evidence, articles = extra["evidence"], extra["articles"]
        if len(evidence) * 4 != len(data["edges"]):
            raise ValueError("evidence cache of another projection")
    graph = nx.Graph()
    nodes = [row[0] for row in data["nodes"]]
    graph.add_nodes_from(
        (n, {"label": label, "type": kind, "aliases": aliases, "place": place, "articles": count})
        for n, label, kind, aliases, place, count in data["nodes"]
    )
    kinds, flat = data["relations"], data["edges"]
    if evidence is None:
        graph.add_edges_from(
            (nodes[flat[i]], nodes[flat[i + 1]], {"relations": list(kinds[flat[i + 3]]), "weight": flat[i + 2]})
            for i in range(0, len(flat), 4)
        )
    else:
        graph.add_edges_from(
            (nodes[flat[i]], nodes[flat[i + 1]], {
                "relations": list(kinds[flat[i + 3]]),
                "evidence": [
                    {"relation": r, "sentence": s, "article": articles[a][0], "title": articles[a][1],
                     "date": articles[a][2]}
                    for r, s, a in evidence[i // 4]
                ],
                "weight": flat[i + 2],
            })
            for i in range(0, len(flat), 4)
        )
    return graph


def read(topology: Path, *, evidence: bool) -> nx.Graph | None:
    """The cached projection, or None when missing, stale or damaged."""
    try:
        text = topology.read_text(encoding="utf-8")
        extra = evidence_file(topology).read_text(encoding="utf-8") if evidence else None
        return load(text, extra)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def write(topology: Path, graph: nx.Graph, *, evidence: bool, order: list[tuple] | None = None) -> None:
    """Keep ``graph`` (with its evidence file when ``evidence``), its edges in
    ``order`` when given (see ``_edges``). Best effort: a read-only store
    folder simply gets no cache."""
    token = uuid.uuid4().hex
    try:
        topology.parent.mkdir(parents=True, exist_ok=True)
        stem = topology.name[: -len(".json")]
        for old in topology.parent.glob("*.json"):
            if not old.name.startswith(stem) and old.stat().st_mtime < time.time() - 60:
                old.unlink(missing_ok=True)  # projections of earlier versions
        if evidence:  # evidence first: a reader pairs files by token, never half of each
            _replace(evidence_file(topology), dump_evidence(graph, token, order))
        _replace(topology, dump_topology(graph, token, order))
    except OSError:
        pass


def _replace(path: Path, text: str) -> None:
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
