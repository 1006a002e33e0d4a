"""``kg query``: SPARQL from the command line.

This command is the one definition of the interface (options, help, checks).
What runs once the arguments are read is :func:`kg.query_run.run_query`,
shared with :mod:`kg.fast_query`, which reads the common command lines
without importing click.
"""

from __future__ import annotations

import click

from kg.cli import main
from kg.cli.options import store_option


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
    if list_saved:
        from kg.query import saved_queries

        for name, saved_query in saved_queries().items():
            params_note = f" [params: {', '.join(saved_query.params)}]" if saved_query.params else ""
            click.echo(f"{name}\t{saved_query.summary}{params_note}")
        return
    from kg.query_run import run_query

    run_query(sparql, query_file, saved, params, fmt, timeout, store_location)
