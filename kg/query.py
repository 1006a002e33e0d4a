"""Saved SPARQL queries and their parameters.

A saved query is an ``.rq`` file in ``ontology/queries``. Its first comment line
says what it answers; ``# param: NAME — description`` lines name variables that
``--param NAME=VALUE`` binds. The value fills the query's placeholder
``VALUES ?NAME { UNDEF }`` when it has one (``UNDEF`` matches anything, so the
query without the parameter returns everything); otherwise a ``VALUES`` block
is placed at the start of the query's outermost ``WHERE`` group. A placeholder
lets a query bind the parameter inside the sub-select that uses it, before the
rows are joined, de-duplicated and sorted.

How the saved queries are written for Oxigraph, the embedded store (measured
on the 10,000-article benchmark graph, bench/README.md): a triple pattern joined
to earlier rows is looked up once per row (an index seek, about 10 µs), while a
sub-SELECT is read once and hash-joined (about 1 µs a row); ORDER BY decodes a
stored string from disk at every comparison, while a string computed during the
query stays in memory. So a saved query

- binds its parameters in a placeholder inside the sub-select that matches
  them, so names select organizations or links before rows multiply;
- reads whole tables (labels, article fields, counts, types) as sub-SELECTs;
- sorts on computed keys such as ``CONCAT("~", ?label)``, which order exactly
  as the labels do (one prefix on every value, one language tag);
- takes organization types from the ontology's concept scheme
  (``skos:inScheme lj:OrganizationTypes``) instead of testing every type
  triple's namespace;
- keeps, in its outermost group, triple patterns before OPTIONAL, FILTER and
  BIND (tests/test_queries.py checks it): Oxigraph plans a pattern written
  after them badly.

Switched lines. When the best plan with a parameter differs from the best
plan without it (a few rows looked up one by one, against whole tables
hash-joined), a query carries both: a line starting ``#with NAME:`` is a
comment unless NAME is bound, and then its text is used; a line ending
``#without NAME`` is dropped when NAME is bound. The file as it stands is the
query without parameters, so any SPARQL tool can run it; tests/test_queries.py
checks that both forms parse and that a bound form keeps exactly its rows of
the unbound one.

>>> sorted(saved_queries())[:2]
['alliances', 'articles-mentioning']
>>> "VALUES ?name" in bind("SELECT * WHERE { ?s ?p ?name }", {"name": "铜陵海关"})
True
>>> bind("SELECT * WHERE { { SELECT ?s WHERE { VALUES ?name { UNDEF } ?s ?p ?name } } }", {"name": "x"})
'SELECT * WHERE { { SELECT ?s WHERE { VALUES ?name { "x"@zh-Hans "x" } ?s ?p ?name } } }'
>>> print(switch("SELECT * WHERE {\\n#with name: ?s ?p ?name .\\n ?s ?p ?o .  #without name\\n}", {"name"}))
SELECT * WHERE {
 ?s ?p ?name .
}
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kg.resources import queries_dir

_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s*[—–-]+\s*(.*)$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"^\w+$")
_WITH = re.compile(r"^#with (\w+):(.*)$")
_WITHOUT = re.compile(r"\s#without (\w+)\s*$")


class SavedQuery:
    """One saved query: its name, file, first comment line and parameters (name -> description).

    A plain class, not a dataclass: ``kg query`` imports this module at every start, and
    dataclasses imports inspect (about 10 ms of CPU).
    """

    _FIELDS = ("name", "path", "summary", "params")

    def __init__(self, name: str, path: Path, summary: str, params: dict[str, str]):
        self.name, self.path, self.summary, self.params = name, path, summary, params

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, key) == getattr(other, key) for key in self._FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq

    def __repr__(self) -> str:
        return f"SavedQuery({', '.join(f'{key}={getattr(self, key)!r}' for key in self._FIELDS)})"

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


def saved_query(name: str) -> SavedQuery | None:
    """``saved_queries().get(name)``, reading one file instead of all of them (``kg query --saved``).

    >>> saved_query("partners-of").params["name"] != "", saved_query("../queries/partners-of")
    (True, None)
    """
    file_name = f"{name}.rq"
    folder = queries_dir()
    return _describe(folder / file_name) if file_name in os.listdir(folder) else None


def _term(value: str) -> str:
    if re.match(r"^https?://\S+$", value) and not re.search(r"[<>\"{}|^`\\]", value):
        return f"<{value}>"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    # Labels carry a language tag; a plain string matches values such as file names.
    return f'"{escaped}"@zh-Hans "{escaped}"'


def _placeholder(name: str) -> re.Pattern[str]:
    return re.compile(rf"\bVALUES\s+\?{name}\s*\{{\s*UNDEF\s*\}}", re.IGNORECASE)


def switch(sparql: str, bound: set[str] | dict[str, str]) -> str:
    """The query's form for these bound parameters: ``#with NAME:`` lines switched on, ``#without NAME`` lines dropped."""
    if "#with" not in sparql:
        return sparql
    lines = []
    for line in sparql.splitlines():
        if (match := _WITH.match(line)) and match.group(1) in bound:
            lines.append(match.group(2))
        elif not ((match := _WITHOUT.search(line)) and match.group(1) in bound):
            lines.append(line)
    return "\n".join(lines) + ("\n" if sparql.endswith("\n") else "")


def bind(sparql: str, params: dict[str, str]) -> str:
    """Switch the query's lines for ``params`` (see :func:`switch`), then fill ``VALUES ?name { UNDEF }``
    with each value or insert a VALUES block after the first ``WHERE {``."""
    if not params:
        return sparql
    for name in params:
        if not _VARIABLE.match(name):
            raise ValueError(f"not a variable name: {name!r}")
    sparql = switch(sparql, params)
    inserted = {}
    for name, value in params.items():
        block = f"VALUES ?{name} {{ {_term(value)} }}"
        filled, count = _placeholder(name).subn(lambda _: block, sparql)
        if count:
            sparql = filled
        else:
            inserted[name] = block
    if not inserted:
        return sparql
    match = _WHERE.search(sparql)
    if match is None:
        raise ValueError("the query has no WHERE clause to bind parameters in")
    return f"{sparql[:match.end()]} {' '.join(inserted.values())} {sparql[match.end():]}"
