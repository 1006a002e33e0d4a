"""The examples in the docstrings of the projection, tables and analysis modules run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "kg.project", "kg.projection_cache", "kg.tables", "kg.analyze.engine", "kg.analyze.centrality", "kg.analyze.communities",
    "kg.analyze.brokers", "kg.analyze.paths", "kg.analyze.ego", "kg.analyze.lookup", "kg.analyze.summary",
    "kg.analyze.writeback", "kg.analyze.report",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
