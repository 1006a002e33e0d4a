"""``kg query``: SPARQL from the command line."""

from __future__ import annotations

import json
import os
import sys

import click

from kg.cli import main
from kg.cli.options import fail, store_option


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    if not pairs:  # OpenCC loads its dictionaries on first use: a query without parameters skips that
        return {}
    from kg.script import to_simplified

    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            fail(f"--param takes NAME=VALUE, not {pair!r}", 2)
        params[name.strip()] = to_simplified(value.strip(), one_off=True)
    return params


def _select_output(result, fmt: str) -> str:
    from kg.tables import json_text, render

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


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(exists=True, dir_okay=False), help="Read the query from a file.")
@click.option("--saved", metavar="NAME", help="Run a saved query (see --list).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Bind a variable of the query (repeatable).")
@click.option("--list", "list_saved", is_flag=True, help="List the saved queries, one a line.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True,
              help="Output format; json is a list of row objects keyed by variable name.")
@click.option("--timeout", type=click.FloatRange(min=0.001), default=None, metavar="SECONDS",
              help="Stop the query after this many seconds (exit 4).")
@store_option
def query(sparql, query_file, saved, params, list_saved, fmt, timeout, store_location) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the graph.

    The default graph is the union of all graphs (data, ontology, metrics), so
    property paths over rdfs:subClassOf work without a reasoner.

    \b
    Examples:
      kg query --list
      kg query --saved partners-of --param name=铜陵边检站
      kg query --format json 'SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.w3.org/ns/org#Organization> }'
      kg query -f my-query.rq --format csv > result.csv
    """
    from kg.query import bind, saved_queries
    from kg.store import QueryError, QueryTimeout, StoreError, open_store
    from kg.tables import clean

    if list_saved:
        for name, saved_query in saved_queries().items():
            params_note = f" [params: {', '.join(saved_query.params)}]" if saved_query.params else ""
            click.echo(f"{name}\t{saved_query.summary}{params_note}")
        return
    sources = [s for s in (sparql, query_file, saved) if s]
    if len(sources) != 1:
        fail("give exactly one of: a SPARQL string, -f FILE, --saved NAME (or --list)", 2)
    if saved:
        known = saved_queries()
        if saved not in known:
            fail(f"no saved query named {saved!r}; `kg query --list` shows them", 2)
        text = known[saved].text
    elif query_file:
        try:
            with open(query_file, encoding="utf-8") as handle:
                text = handle.read()
        except UnicodeDecodeError as error:
            fail(f"{query_file}: a query file must be UTF-8 text ({error.reason} at byte {error.start})", 2)
    else:
        text = sparql
    try:
        text = bind(text, _parse_params(params))
    except ValueError as error:
        fail(str(error), 2)
    try:
        result = open_store(store_location).query(text, timeout=timeout)
    except QueryTimeout as error:
        click.echo(f"Error: {error}", err=True)
        sys.stderr.flush()
        os._exit(4)  # the evaluation thread cannot be cancelled: end the process
    except QueryError as error:
        fail(f"SPARQL query rejected: {error}", 1)
    except StoreError as error:
        fail(str(error))
    if result.kind == "ask":
        click.echo(json.dumps(result.boolean) if fmt == "json" else ("yes" if result.boolean else "no"))
    elif result.kind == "select":
        click.echo(_select_output(result, fmt))
    else:
        click.echo(clean_graph(_graph_output(result, fmt), clean))


def clean_graph(text: str, clean) -> str:
    """Serialized RDF is escaped already; only terminal control characters are removed, line by line."""
    return "\n".join(clean(line) for line in text.splitlines())
