"""Saved SPARQL queries and their parameters.

A saved query is an ``.rq`` file in ``ontology/queries``. Its first comment line
says what it answers; ``# param: NAME — description`` lines name variables that
``--param NAME=VALUE`` binds, by a ``VALUES`` block placed at the start of the
query's outermost ``WHERE`` group.

>>> sorted(saved_queries())[:2]
['alliances', 'articles-mentioning']
>>> "VALUES ?name" in bind("SELECT * WHERE { ?s ?p ?name }", {"name": "铜陵海关"})
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.resources import queries_dir

_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s*[—–-]+\s*(.*)$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"^\w+$")


@dataclass
class SavedQuery:
    name: str
    path: Path
    summary: str
    params: dict[str, str]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _describe(path: Path) -> SavedQuery:
    summary, params = "", {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _PARAM.match(line)
        if match:
            params[match.group(1)] = match.group(2).strip()
        elif not summary:
            summary = line.lstrip("# ").strip()
    return SavedQuery(path.stem, path, summary, params)


def saved_queries() -> dict[str, SavedQuery]:
    """The saved queries installed with the package, by name."""
    return {path.stem: _describe(path) for path in sorted(queries_dir().glob("*.rq"))}


def _term(value: str) -> str:
    if re.match(r"^https?://\S+$", value) and not re.search(r"[<>\"{}|^`\\]", value):
        return f"<{value}>"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    # Labels carry a language tag; a plain string matches values such as file names.
    return f'"{escaped}"@zh-Hans "{escaped}"'


def bind(sparql: str, params: dict[str, str]) -> str:
    """Insert ``VALUES ?name { … }`` for each parameter after the first ``WHERE {``."""
    if not params:
        return sparql
    for name in params:
        if not _VARIABLE.match(name):
            raise ValueError(f"not a variable name: {name!r}")
    match = _WHERE.search(sparql)
    if match is None:
        raise ValueError("the query has no WHERE clause to bind parameters in")
    values = " ".join(f"VALUES ?{name} {{ {_term(value)} }}" for name, value in params.items())
    return f"{sparql[:match.end()]} {values} {sparql[match.end():]}"
