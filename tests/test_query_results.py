"""Query results as Python data (kg.store._materialize, term_value)."""

from __future__ import annotations

import gc

import pyoxigraph as ox

from kg.store import _materialize, term_value

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_values_follow_the_variables_with_none_for_unbound() -> None:
    query = ('SELECT ?label ?missing ?n ?iri WHERE { BIND("甲海关"@zh-Hans AS ?label) '
             f'BIND("3"^^<{XSD}integer> AS ?n) BIND(<http://x/a> AS ?iri) OPTIONAL {{ BIND(1 AS ?other) }} }}')
    result = _materialize(ox.Store().query(query))
    assert result.variables == ["label", "missing", "n", "iri"]
    assert result.rows == [{"label": "甲海关", "missing": None, "n": 3, "iri": "http://x/a"}]
    assert result.terms[0][0] == ox.Literal("甲海关", language="zh-Hans")


def test_term_values_by_kind() -> None:
    assert term_value(ox.Literal("标签", language="zh-Hans")) == "标签"
    assert term_value(ox.Literal("0.5", datatype=ox.NamedNode(XSD + "decimal"))) == 0.5
    assert term_value(ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))) is True
    assert term_value(ox.Literal("2024-05-01", datatype=ox.NamedNode(XSD + "date"))) == "2024-05-01"
    assert term_value(ox.Literal("a.txt")) == "a.txt"
    assert term_value(None) is None


def test_the_cycle_collector_is_restored() -> None:
    assert gc.isenabled()
    _materialize(ox.Store().query("SELECT ?x WHERE { VALUES ?x { 1 2 } }"))
    assert gc.isenabled()
    gc.disable()
    try:
        _materialize(ox.Store().query("SELECT ?x WHERE { VALUES ?x { 1 } }"))
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()
