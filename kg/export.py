"""Export the graph: RDF serializations through Oxigraph, networks through networkx, CSV tables.

>>> export_store(open_store("kg-store"), "gexf", "out/lianjian.gexf")   # doctest: +SKIP
[PosixPath('out/lianjian.gexf')]
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.store import ONTOLOGY_GRAPH, KGStore

PREFIXES = {
    "lj": "https://w3id.org/lianjian/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def _flat(value):
    """GraphML and GEXF take scalars only: lists become JSON text."""
    if isinstance(value, (list, tuple, set, dict)):
        return json.dumps(sorted(value) if isinstance(value, set) else value, ensure_ascii=False)
    return "" if value is None else value


def network_for_export(graph: nx.Graph) -> nx.Graph:
    flat = nx.Graph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _flat(v) for k, v in data.items()})
    for u, v, data in graph.edges(data=True):
        flat.add_edge(u, v, **{k: _flat(val) for k, val in data.items()})
    return flat


def _dump_rdf(store: KGStore, fmt: str, output: Path, with_ontology: bool) -> None:
    rdf_format = RDF_FORMATS[fmt]
    with open(output, "wb") as handle:
        store.dump(handle, rdf_format, prefixes=PREFIXES if fmt == "ttl" else None)
        if with_ontology:  # N-Triples lines are valid Turtle too, so the ontology can follow either
            store.dump(handle, ox.RdfFormat.N_TRIPLES, graph=ONTOLOGY_GRAPH)


def _write_csv(graph: nx.Graph, output: Path) -> list[Path]:
    nodes_path = output.with_name(output.stem + ".nodes.csv")
    with open(output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "source_label", "target", "target_label", "relations", "weight", "evidence"])
        for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
            sentences = sorted({e.get("sentence") or "" for e in data.get("evidence", [])})
            writer.writerow([u, graph.nodes[u].get("label"), v, graph.nodes[v].get("label"),
                             ";".join(data.get("relations", [])), data.get("weight", 1), " | ".join(sentences)])
    with open(nodes_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label", "type", "aliases", "place", "articles", "degree"])
        for node, data in sorted(graph.nodes(data=True)):
            writer.writerow([node, data.get("label"), data.get("type"), ";".join(data.get("aliases") or []),
                             data.get("place") or "", data.get("articles", 0), graph.degree(node)])
    return [output, nodes_path]


def export_store(store: KGStore, fmt: str, output: str | Path, *, with_ontology: bool = False) -> list[Path]:
    """Write the graph in ``fmt`` (ttl, nt, jsonld, graphml, gexf, csv); returns the files written."""
    output = Path(output)
    if with_ontology and fmt not in ("ttl", "nt"):
        raise ValueError("--with-ontology works with the ttl and nt formats")
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt in RDF_FORMATS:
        _dump_rdf(store, fmt, output, with_ontology)
        return [output]
    from kg.project import project

    graph = project(store)
    if fmt == "graphml":
        nx.write_graphml(network_for_export(graph), output)
    elif fmt == "gexf":
        nx.write_gexf(network_for_export(graph), output)
    elif fmt == "csv":
        return _write_csv(graph, output)
    else:
        raise ValueError(f"unknown export format: {fmt}")
    return [output]
