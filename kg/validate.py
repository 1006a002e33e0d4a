"""SHACL validation of the built graph against ontology/shapes.ttl (pyshacl).

>>> report = validate_store(open_store("kg-store"))   # doctest: +SKIP
>>> report.conforms                                    # doctest: +SKIP
True
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph

from kg.resources import ontology_file, shapes_file
from kg.store import KGStore

SH = "http://www.w3.org/ns/shacl#"


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[dict] = field(default_factory=list)
    turtle: str = ""

    def text(self) -> str:
        from kg.tables import clean

        if self.conforms:
            return "The graph conforms to the Lianjian shapes."
        lines = [f"{len(self.violations)} violation(s):"]
        for v in self.violations:
            lines.append(f"- {clean(v['focus'])}: {clean(v['message'])} (path {clean(v['path'] or '-')}, "
                         f"shape {clean(v['shape'] or '-')})")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"conforms": self.conforms, "violations": self.violations}


def _data_graph(store: KGStore) -> Graph:
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=buffer.getvalue().decode("utf-8"), format="nt")


def validate_graph(data: Graph) -> ValidationReport:
    """Validate an rdflib graph (the ontology is used for class and property knowledge)."""
    from pyshacl import validate

    shapes = Graph().parse(shapes_file(), format="turtle")
    ontology = Graph().parse(ontology_file(), format="turtle")
    conforms, results, _ = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                    allow_warnings=True)
    violations = []
    query = f"""
        PREFIX sh: <{SH}>
        SELECT ?focus ?message ?path ?shape ?severity WHERE {{
          ?r a sh:ValidationResult ; sh:focusNode ?focus ; sh:resultSeverity ?severity .
          OPTIONAL {{ ?r sh:resultMessage ?message }}
          OPTIONAL {{ ?r sh:resultPath ?path }}
          OPTIONAL {{ ?r sh:sourceShape ?shape }}
        }} ORDER BY ?focus ?message"""
    for row in results.query(query):
        violations.append({
            "focus": str(row.focus), "message": str(row.message or ""), "path": str(row.path) if row.path else None,
            "shape": str(row.shape) if row.shape else None, "severity": str(row.severity).rsplit("#", 1)[-1],
        })
    return ValidationReport(bool(conforms), violations, results.serialize(format="turtle"))


def validate_store(store: KGStore) -> ValidationReport:
    return validate_graph(_data_graph(store))
