"""Store the metrics back into the graph, in the named graph ``…/id/graph/metrics``.

Each run replaces the earlier metrics, so SPARQL can sort organizations by
them, e.g. ``SELECT ?o ?b { ?o lj:betweenness ?b } ORDER BY DESC(?b)``.

>>> import networkx as nx
>>> g = nx.Graph([("https://w3id.org/lianjian/id/org/a", "https://w3id.org/lianjian/id/org/b")])
>>> lines = list(metric_triples(all_metrics(g)))
>>> lines[0]
'<https://w3id.org/lianjian/id/org/a> <https://w3id.org/lianjian/ontology#degree> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from kg.analyze.brokers import constraint, effective_size
from kg.analyze.centrality import METRICS, centrality
from kg.analyze.communities import membership, partition

METRICS_GRAPH = "https://w3id.org/lianjian/id/graph/metrics"
LJ = "https://w3id.org/lianjian/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# metric key → (property local name, datatype)
PROPERTIES = {
    "degree": ("degree", "integer"),
    "weighted_degree": ("weightedDegree", "double"),
    "betweenness": ("betweenness", "double"),
    "pagerank": ("pagerank", "double"),
    "closeness": ("closeness", "double"),
    "eigenvector": ("eigenvector", "double"),
    "community": ("community", "integer"),
    "constraint": ("constraint", "double"),
    "effective_size": ("effectiveSize", "double"),
}


def all_metrics(graph: nx.Graph, *, engine: str = "auto", k: int | None = None, seed: int = 42,
                method: str = "auto", centrality_rows: list[dict] | None = None) -> dict[Any, dict[str, float]]:
    """Every metric of ``PROPERTIES`` per node (``centrality_rows``: all-node rows already computed)."""
    rows = centrality_rows or centrality(graph, metrics=METRICS, k=k, seed=seed, engine=engine)
    values = {row["node"]: {m: row[m] for m in METRICS} for row in rows}
    community = membership(partition(graph, method=method, seed=seed, engine=engine))
    cons, eff = constraint(graph), effective_size(graph)
    for node, record in values.items():
        record["community"] = community.get(node)
        record["constraint"] = cons[node]
        record["effective_size"] = eff[node]
    return values


def _literal(value: float, datatype: str) -> str | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    text = str(int(value)) if datatype == "integer" else repr(float(value))
    return f'"{text}"^^<{XSD}{datatype}>'


def metric_triples(metrics: dict[Any, dict[str, float]]) -> Iterator[str]:
    """N-Triples lines, sorted by node then property; NaN (undefined) values are left out.
    Only IRI nodes are written (a node id that is not an IRI cannot be a subject)."""
    for node in sorted(metrics, key=str):
        iri = str(node)
        if not iri.startswith(("http://", "https://", "urn:")) or any(c in iri for c in '<>" {}|\\^`\n'):
            continue
        for key, (local, datatype) in PROPERTIES.items():
            literal = _literal(metrics[node].get(key), datatype)
            if literal is not None:
                yield f"<{iri}> <{LJ}{local}> {literal} ."


def write_metrics(store: Any, lines: Iterable[str]) -> int:
    """Replace the metrics graph with ``lines``; returns the number of triples written.

    An embedded ``KGStore`` gets a new version (the current one copied, then the
    metrics graph replaced), made current atomically; a plain pyoxigraph Store is
    written in place.
    """
    lines = list(lines)
    if hasattr(store, "replace_graph"):
        store.replace_graph(METRICS_GRAPH, lines)
        return len(lines)
    import pyoxigraph as ox

    if not isinstance(store, ox.Store):
        raise TypeError(f"cannot write metrics to {type(store).__name__}: it has no replace_graph")
    graph = ox.NamedNode(METRICS_GRAPH)
    store.clear_graph(graph)
    store.bulk_load(input="\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    return len(lines)
