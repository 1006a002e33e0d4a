"""The examples in the docstrings of kg.extract run as written."""

import doctest
import importlib

import pytest

MODULES = ["__init__", "lexicon", "sentences", "names", "lists", "implicit", "entities", "anaphora", "relations",
           "subunits", "pipeline"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module("kg.extract" if name == "__init__" else f"kg.extract.{name}")
    result = doctest.testmod(module)
    assert result.failed == 0


def test_wordregex_docstring_examples():
    """kg.wordregex builds the lexicon's word patterns (and compiles the rarely used one lazily)."""
    import kg.wordregex

    result = doctest.testmod(kg.wordregex)
    assert result.failed == 0 and result.attempted >= 4
