"""``kg query`` once its arguments are read: pick the query, bind its parameters, run it, print the answer.

Click-free, and the one copy of this behaviour: the click command
(kg/cli/query.py) and the fast path that starts without click
(kg/fast_query.py) both call :func:`run_query` with the values click would
have given. Messages are written as ``click.echo`` writes them (see
:func:`echo`), so both paths print the same bytes.

>>> run_query(None, None, "partners-of", ("name=铜陵边检站",), "json", None, "kg-store")  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import json
import sys

from kg.store import QueryError, QueryTimeout, StoreError, open_store
from kg.tables import clean, json_text, render

TYPE_CHECKING = False  # typing costs 3 ms of every start: names for type checkers only
if TYPE_CHECKING:
    from typing import NoReturn

# What click.echo strips from text written to a stream that is not a terminal.
_CLICK_ANSI = r"\033\[[0-?]*[ -/]*[@-~]"


def _is_ascii(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except Exception:  # noqa: BLE001 - click treats any failure as "not a terminal"
        return False


def echo(text: str, *, err: bool = False) -> None:
    """Write ``text`` and a newline to stdout (stderr with ``err``) and flush, as ``click.echo`` does.

    Like click: ANSI sequences are removed when the stream is not a terminal, and a
    stream whose encoding is ASCII (a misconfigured locale) gets UTF-8 bytes,
    unencodable characters replaced.
    """
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    if "\x1b" in text and not _isatty(stream):
        import re

        text = re.sub(_CLICK_ANSI, "", text)  # no sequence can end in the newline click adds
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and _is_ascii(getattr(stream, "encoding", None) or "ascii"):
        stream.flush()
        buffer.write(text.encode("utf-8", "replace") + b"\n")
        buffer.flush()
        return
    # Two writes: text + "\n" would copy an answer of many megabytes once more.
    stream.write(text)
    stream.write("\n")
    stream.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error (terminal-safe) and exit: the same text as ``kg.cli.options.fail``."""
    echo(f"Error: {clean(message)}", err=True)
    sys.exit(code)


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a dict, values in simplified characters.

    >>> parse_params(("name=铜陵海关",))
    {'name': '铜陵海关'}
    """
    if not pairs:  # OpenCC loads its dictionaries on first use: a query without parameters skips that
        return {}
    from kg.script import to_simplified

    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            fail(f"--param takes NAME=VALUE, not {pair!r}", 2)
        params[name.strip()] = to_simplified(value.strip())
    return params


def _query_text(sparql: str | None, query_file: str | None, saved: str | None) -> str:
    from kg.query import saved_query

    sources = [s for s in (sparql, query_file, saved) if s]
    if len(sources) != 1:
        fail("give exactly one of: a SPARQL string, -f FILE, --saved NAME (or --list)", 2)
    if saved:
        found = saved_query(saved)
        if found is None:
            fail(f"no saved query named {saved!r}; `kg query --list` shows them", 2)
        return found.text
    if query_file:
        try:
            with open(query_file, encoding="utf-8") as handle:
                return handle.read()
        except UnicodeDecodeError as error:
            fail(f"{query_file}: a query file must be UTF-8 text ({error.reason} at byte {error.start})", 2)
    return sparql  # type: ignore[return-value]


def _select_output(result, fmt: str) -> str:
    if fmt == "json":
        return json_text(result.rows, indent=2)
    return render(result.rows, fmt, columns=result.variables)


def _graph_output(result, fmt: str) -> str:
    import pyoxigraph as ox

    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in result.triples)
    rdf_format = ox.RdfFormat.N_TRIPLES if fmt in ("table", "tsv", "csv") else ox.RdfFormat.TURTLE
    if fmt == "json":
        rdf_format = ox.RdfFormat.JSON_LD
    return store.dump(format=rdf_format, from_graph=ox.DefaultGraph()).decode("utf-8")


def clean_graph(text: str) -> str:
    """Serialized RDF is escaped already; only terminal control characters are removed, line by line."""
    return "\n".join(clean(line) for line in text.splitlines())


def run_query(sparql: str | None, query_file: str | None, saved: str | None, params: tuple[str, ...] | list[str],
              fmt: str, timeout: float | None, store_location: str | None, *, end_process: bool = False) -> None:
    """Run one query as ``kg query`` does and print its answer; errors exit (2 usage, 1 query or store, 4 timeout).

    ``end_process``: the caller is a process of its own with nothing left to do (the fast path),
    so once the answer is written and flushed the process ends with exit status 0 at once. Freeing
    a large answer's rows one by one and the interpreter's teardown took 100-200 ms of CPU after a
    60,000-row answer (bench/README.md); the output and exit status are those of a normal exit.
    """
    from kg.query import bind

    text = _query_text(sparql, query_file, saved)
    try:
        text = bind(text, parse_params(params))
    except ValueError as error:
        fail(str(error), 2)
    try:
        result = open_store(store_location).query(text, timeout=timeout)
    except QueryTimeout as error:
        from kg.entry import exit_now

        echo(f"Error: {error}", err=True)
        exit_now(4)  # the evaluation thread cannot be cancelled: end the process
    except QueryError as error:
        fail(f"SPARQL query rejected: {error}", 1)
    except StoreError as error:
        fail(str(error))
    if result.kind == "ask":
        echo(json.dumps(result.boolean) if fmt == "json" else ("yes" if result.boolean else "no"))
    elif result.kind == "select":
        echo(_select_output(result, fmt))
    else:
        echo(clean_graph(_graph_output(result, fmt)))
    if end_process:
        from kg.entry import exit_now

        exit_now(0)
