"""Paths to the data installed with the package: ontology, shapes, lexicon, saved queries, map assets."""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path


@cache
def _package_dir(package: str) -> Path:
    # A plain folder in regular and editable installs alike; find_spec, unlike
    # importlib.resources, costs no extra imports at start-up.
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the package data {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def ontology_dir() -> Path:
    return _package_dir("kg.ontology")


def viz_dir() -> Path:
    return _package_dir("kg.viz_assets")


def ontology_file() -> Path:
    return ontology_dir() / "lianjian.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def lexicon_file() -> Path:
    return ontology_dir() / "lexicon.yaml"


def queries_dir() -> Path:
    return ontology_dir() / "queries"
