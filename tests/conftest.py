"""Shared fixtures. Tests that need the development corpus skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Parsed data files (kg.datacache) go to a folder of this run, not the user's ~/.cache; subprocesses inherit it.
if not os.environ.get("KG_CACHE_HOME"):
    import tempfile

    os.environ["KG_CACHE_HOME"] = tempfile.mkdtemp(prefix="kg-datacache-")


def _shared_dir() -> Path | None:
    candidates = [os.environ.get("LIANJIAN_SHARED"), REPO.parent / "shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "corpus").is_dir():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The development corpus and gold answers (../shared), or skip."""
    found = _shared_dir()
    if found is None:
        pytest.skip("development corpus not found: set LIANJIAN_SHARED or place shared/ beside the repository")
    return found


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def sample_corpus() -> Path:
    return REPO / "data" / "corpus"
