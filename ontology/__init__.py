"""Lianjian KG ontology files (Turtle, SHACL shapes, lexicon, saved queries), installed as package data."""
