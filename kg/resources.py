"""Paths to the data installed with the package: ontology, shapes, lexicon, saved queries, map assets."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def ontology_dir() -> Path:
    return Path(str(files("kg.ontology")))


def viz_dir() -> Path:
    return Path(str(files("kg.viz_assets")))


def ontology_file() -> Path:
    return ontology_dir() / "lianjian.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def lexicon_file() -> Path:
    return ontology_dir() / "lexicon.yaml"


def queries_dir() -> Path:
    return ontology_dir() / "queries"
