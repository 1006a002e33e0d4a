"""Turtle prefixes shared by the tests that write small graphs in the ontology's terms."""

PREFIXES = """\
@prefix lj:      <https://w3id.org/lianjian/ontology#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/lianjian/id/> .
"""
