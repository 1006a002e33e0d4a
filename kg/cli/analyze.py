"""``kg analyze``: centrality, communities, brokers, paths, ego networks, summary, report.

The library (kg.project, kg.analyze) computes; this layer only opens the store,
projects, and formats rows with kg.tables.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import click

from kg.cli import main
from kg.model import ORG_TYPES, RELATION_TYPES
from kg.tables import FORMATS, clean, render


@main.group()
def analyze() -> None:
    """Network analysis of the graph: who is central, who brokers, which communities form.

    \b
    Examples:
      kg analyze summary --store kg-store
      kg analyze centrality --top 20 --type BorderInspection
      kg analyze communities --format json
      kg analyze path 甲边检站 乙村党支部
      kg analyze ego 甲边检站 --radius 2
      kg analyze report -o report/
    """


def graph_options(func: Callable) -> Callable:
    """The options every subcommand shares: where the graph is and how to project it."""
    options = [
        click.option("--store", "store_location", envvar="KG_STORE", default="kg-store", show_default=True,
                     help="Store folder or SPARQL endpoint URL (env KG_STORE)."),
        click.option("--relation", "relations", multiple=True, type=click.Choice(RELATION_TYPES),
                     help="Relation types to keep (repeatable; default all)."),
        click.option("--alliances", type=click.Choice(["node", "clique"]), default="node", show_default=True,
                     help="Keep alliances as nodes, or replace each by links between its members."),
        click.option("--engine", type=click.Choice(["auto", "networkx", "igraph"]), default="auto",
                     show_default=True, help="Who computes: networkx, igraph, or chosen by graph size."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def format_option(func: Callable) -> Callable:
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="table, csv, or json (a list of row objects).")(func)


def _fail(message: str) -> None:
    raise click.ClickException(clean(message))


def _load(store_location: str, relations: tuple[str, ...], alliances: str, *, evidence: bool = False) -> tuple[Any, Any]:
    """The store and its projection; ``evidence`` only for the commands that show sentences."""
    from kg.project import project
    from kg.store import StoreError, open_store

    try:
        store = open_store(store_location)
        graph = project(store, relations=list(relations) or None, alliances=alliances, evidence=evidence)
    except (StoreError, OSError, ValueError) as error:
        _fail(str(error))
    import gc

    gc.freeze()  # the graph lives until exit: later collections need not walk its millions of objects
    return store, graph


def _handle_errors(func: Callable) -> Callable:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kg.analyze.lookup import NodeNotFound

        try:
            return func(*args, **kwargs)
        except NodeNotFound as error:
            _fail(str(error.args[0]))

    return wrapper


def _write_metrics(store: Any, graph: Any, engine: str, k: int | None, seed: int,
                   centrality_rows: list[dict] | None = None) -> None:
    from kg.analyze.writeback import METRICS_GRAPH, all_metrics, metric_triples, write_metrics

    started = time.perf_counter()
    try:
        metrics = all_metrics(graph, engine=engine, k=k, seed=seed, centrality_rows=centrality_rows)
        count = write_metrics(store, metric_triples(metrics))
    except Exception as error:  # noqa: BLE001 - any store failure is reported, not a traceback
        _fail(f"could not write the metrics: {error}")
    click.echo(f"wrote {count} metric triples to <{METRICS_GRAPH}> in {time.perf_counter() - started:.1f} s",
               err=True)


def _echo_rows(rows: list[dict], fmt: str, columns: list[str] | None = None) -> None:
    click.echo(render(rows, fmt, columns))


write_option = click.option("--write", is_flag=True,
                            help="Also store every metric in the graph (named graph …/graph/metrics), replacing earlier ones.")
seed_option = click.option("--seed", type=int, default=42, show_default=True, help="Random seed (sampling, communities).")
k_option = click.option("--k", "k", type=int, default=None,
                        help="Sampled sources for betweenness/closeness (default: exact up to 5,000 nodes, else 256).")


@analyze.command()
@graph_options
@format_option
@click.option("--top", type=int, default=20, show_default=True, help="Rows to show (0: all).")
@click.option("--type", "types", multiple=True, type=click.Choice(ORG_TYPES), help="Only these organization types.")
@click.option("--sort", type=click.Choice(["degree", "weighted_degree", "betweenness", "pagerank", "eigenvector",
                                           "closeness"]), default="betweenness", show_default=True)
@k_option
@seed_option
@write_option
def centrality(store_location, relations, alliances, engine, fmt, top, types, sort, k, seed, write) -> None:
    """Degree, weighted degree, betweenness, PageRank, eigenvector and closeness per unit.

    \b
    Examples:
      kg analyze centrality --top 10
      kg analyze centrality --type BorderInspection --format csv > central.csv
      kg analyze centrality --relation joint_defense --write
    """
    from kg.analyze.centrality import centrality as compute

    store, graph = _load(store_location, relations, alliances)
    every = compute(graph, engine=engine, k=k, seed=seed, sort=sort)
    wanted = set(types) if types else None
    rows = [r for r in every if wanted is None or r["type"] in wanted][: top or None]
    _echo_rows(rows, fmt, None if fmt == "json" else ["label", "type", "degree", "weighted_degree", "betweenness",
                                                       "pagerank", "eigenvector", "closeness"])
    if write:
        _write_metrics(store, graph, engine, k, seed, centrality_rows=every)


@analyze.command()
@graph_options
@format_option
@click.option("--method", type=click.Choice(["auto", "louvain", "leiden"]), default="auto", show_default=True,
              help="auto: Louvain on small graphs, Leiden (igraph) on large ones.")
@click.option("--members", type=int, default=10, show_default=True, help="Members listed per community (0: all).")
@seed_option
@write_option
def communities(store_location, relations, alliances, engine, fmt, method, members, seed, write) -> None:
    """Communities (seeded Louvain or Leiden), their modularity and mix of types.

    \b
    Examples:
      kg analyze communities
      kg analyze communities --method leiden --format json
    """
    from kg.analyze.communities import communities as compute

    store, graph = _load(store_location, relations, alliances)
    rows = compute(graph, method=method, seed=seed, engine=engine, max_members=members or None)
    if fmt == "table" and rows:
        click.echo(f"{len(rows)} communities ({rows[0]['method']}), modularity {rows[0]['modularity']:.4f}")
    _echo_rows(rows, fmt, None if fmt == "json" else ["community", "size", "types", "members"])
    if write:
        _write_metrics(store, graph, engine, None, seed)


@analyze.command()
@graph_options
@format_option
@click.option("--top", type=int, default=20, show_default=True, help="Rows to show (0: all).")
@click.option("--type", "types", multiple=True, type=click.Choice(ORG_TYPES), help="Only these organization types.")
@write_option
def brokers(store_location, relations, alliances, engine, fmt, top, types, write) -> None:
    """Cross-sector brokers: types of partners spanned, Burt's constraint and effective size.

    \b
    Examples:
      kg analyze brokers --top 10
      kg analyze brokers --alliances clique
    """
    from kg.analyze.brokers import brokers as compute

    store, graph = _load(store_location, relations, alliances)
    rows = compute(graph, top=top or None, types=types or None)
    _echo_rows(rows, fmt, None if fmt == "json" else ["label", "type", "degree", "partner_types",
                                                       "other_type_partners", "constraint", "effective_size",
                                                       "types_spanned"])
    if write:
        _write_metrics(store, graph, engine, None, 42)


@analyze.command()
@click.argument("a")
@click.argument("b")
@graph_options
@format_option
@click.option("--max-paths", type=int, default=5, show_default=True)
@_handle_errors
def path(a, b, store_location, relations, alliances, engine, fmt, max_paths) -> None:
    """Shortest paths between units A and B (name, alias or IRI), with each hop's evidence.

    \b
    Examples:
      kg analyze path 铜陵边检站 泰州边检站
      kg analyze path 铜陵边检站 铜陵海关 --format json
    """
    from kg.analyze.paths import paths

    _, graph = _load(store_location, relations, alliances, evidence=True)
    rows = paths(graph, a, b, max_paths=max_paths)
    if not rows and fmt == "table":
        click.echo(f"no path between {clean(a)} and {clean(b)}")
        return
    _echo_rows(rows, fmt, None if fmt == "json" else ["path", "hop", "from", "to", "relations", "sentence", "title",
                                                       "date"])


@analyze.command()
@click.argument("name")
@graph_options
@format_option
@click.option("--radius", type=int, default=1, show_default=True, help="Hops from the unit.")
@_handle_errors
def ego(name, store_location, relations, alliances, engine, fmt, radius) -> None:
    """One unit's network within --radius hops.

    \b
    Examples:
      kg analyze ego 铜陵边检站 --radius 2
      kg viz --ego 铜陵边检站 --radius 2 -o out/ego.html   # the same network as a map
    """
    from kg.analyze.ego import ego as compute

    _, graph = _load(store_location, relations, alliances, evidence=True)
    rows = compute(graph, name, radius)
    _echo_rows(rows, fmt, None if fmt == "json" else ["distance", "label", "type", "via", "relations", "weight",
                                                       "degree", "evidence"])


@analyze.command()
@graph_options
@format_option
def summary(store_location, relations, alliances, engine, fmt) -> None:
    """Size, density, components, links by relation, type × type matrix, assortativity by type.

    \b
    Examples:
      kg analyze summary
      kg analyze summary --relation joint_building --format json
    """
    from kg.analyze.summary import summary as compute

    _, graph = _load(store_location, relations, alliances)
    sections = compute(graph)
    if fmt == "json":
        rows = [{"section": name, **row} for name, section in sections.items() for row in section]
        click.echo(render(rows, "json"))
        return
    for name, rows in sections.items():
        if fmt == "table":
            click.echo(f"\n{name.replace('_', ' ')}")
        click.echo(render(rows, fmt))


@analyze.command()
@graph_options
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for report.md and its PNG charts.")
@click.option("--top", type=int, default=20, show_default=True)
@seed_option
def report(store_location, relations, alliances, engine, out_dir, top, seed) -> None:
    """A Markdown report with the tables and charts (degree distribution, type heat map, community sizes).

    \b
    Examples:
      kg analyze report -o report/
      kg analyze report -o report/ --relation joint_building --relation joint_defense
    """
    from kg.analyze.report import write_report

    _, graph = _load(store_location, relations, alliances)
    path = write_report(graph, out_dir, engine=engine, top=top, seed=seed)
    click.echo(f"wrote {path}")
