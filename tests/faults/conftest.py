"""Fixtures of the fault suite: the messy folder and its build, made once per session.

The builders themselves live in ``builders.py`` (plain functions, reused by
``bench/fault_suite.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from faults.builders import Case, Unreadable, build_paths, cli_build, json_summary, make_messy_folder, running_as_root


@dataclass
class MessyBuild:
    root: Path
    store: Path
    cases: list[Case]
    exit_code: int
    summary: dict  # the --format json summary
    table: str  # the table summary of a second build over the same folder
    table_exit_code: int


@pytest.fixture(scope="session")
def messy_build(tmp_path_factory) -> MessyBuild:
    """The messy folder of issue 9 built twice into one store: --format json, then the table summary.

    Running as root, the unreadable file is made unreadable by wrapping os.access/os.open
    (root ignores file modes); as another user its mode 000 is enough.
    """
    base = tmp_path_factory.mktemp("messy")
    root, store = base / "articles", base / "store"
    cases = make_messy_folder(root)
    with pytest.MonkeyPatch.context() as patch:
        if running_as_root():
            Unreadable({str(root / "locked.txt")}).install(patch.setattr)
        first = cli_build(build_paths(root, cases), store, fmt="json")
        second = cli_build(build_paths(root, cases), store, fmt="table")
    return MessyBuild(root, store, cases, first.exit_code, json_summary(first.stdout), second.stdout,
                      second.exit_code)
