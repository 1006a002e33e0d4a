"""``kg serve``: the graph over HTTP (SPARQL 1.1 Protocol, a query page, the maps)."""

from __future__ import annotations

import click

from kg.cli import main
from kg.cli.options import fail, store_option


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the server to the network.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.001), default=30.0, show_default=True, metavar="SECONDS",
              help="Time limit of one query (503 when exceeded).")
@click.option("--max-results", type=click.IntRange(min=1), default=10_000, show_default=True, metavar="N",
              help="Rows (or triples) sent at most; a longer result is cut and marked X-KG-Truncated: true.")
@click.option("--maps", "maps_dir", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Folder of HTML maps served under /maps/.")
def serve(store_location, host, port, timeout, max_results, maps_dir) -> None:
    """Serve the graph read-only: SPARQL endpoint at /sparql, query page at /, maps at /maps/.

    \b
    Example:
      kg serve --store kg-store --port 8000
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' \\
           http://127.0.0.1:8000/sparql
    """
    from kg.serve import serve as run_server
    from kg.store import StoreError

    try:
        run_server(store_location, host=host, port=port, timeout=timeout, max_results=max_results, maps=maps_dir)
    except StoreError as error:
        fail(str(error))
    # A query past its time limit may still be evaluating in a worker thread, and Python would wait
    # for it at exit: the server has stopped and writes nothing, so leave at once.
    from kg.entry import exit_now

    exit_now(0)
