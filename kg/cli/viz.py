"""``kg viz``: draw the graph as an interactive offline HTML map, or a PNG/SVG figure."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import main
from kg.cli.options import fail, store_option
from kg.model import RELATION_TYPES

FORMATS = ("html", "png", "svg")


def _format(fmt: str | None, output: Path) -> str:
    """``--format`` if given, else the output file's suffix, else html."""
    if fmt:
        return fmt
    suffix = output.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "html"


@main.command("viz")
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (.html, .png or .svg).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="html (interactive map) or png/svg (static figure); default from the file suffix.")
@click.option("--color", type=click.Choice(["type", "community"]), default="type", show_default=True,
              help="Colour organizations by type or by community.")
@click.option("--size", type=click.Choice(["degree", "betweenness", "pagerank"]), default="degree",
              show_default=True, help="What the size of an organization shows.")
@click.option("--relation", "relations", multiple=True, type=click.Choice(RELATION_TYPES),
              help="Relation types to draw (repeatable; default all).")
@click.option("--alliances", type=click.Choice(["node", "clique"]), default="node", show_default=True,
              help="Draw alliances as nodes, or as links between their members.")
@click.option("--ego", metavar="NAME", default=None, help="Only this unit's network (name, alias or IRI).")
@click.option("--radius", type=click.IntRange(min=0), default=1, show_default=True, help="Hops from --ego.")
@click.option("--min-degree", type=click.IntRange(min=0), default=0, show_default=True,
              help="Leave out organizations with fewer links.")
@click.option("--title", default=None, help="Title shown on the map.")
@click.option("--open", "open_it", is_flag=True, help="Open the map in the default browser.")
def viz(store_location, output, fmt, color, size, relations, alliances, ego, radius, min_degree, title,
        open_it) -> None:
    """Draw the network: organizations coloured by type or community, links by relation,
    with the evidence of every link one click away. The HTML file works offline.

    \b
    Examples:
      kg viz --store kg-store -o out/map.html --open
      kg viz -o out/map.html --color community --size betweenness
      kg viz -o out/ego.html --ego 甲边检站 --radius 2 --relation joint_building
      kg viz -o out/map.svg --min-degree 2
    """
    from kg.analyze.lookup import NodeNotFound
    from kg.maps import render_figure, render_map, select
    from kg.project import project
    from kg.store import StoreError, open_store

    try:
        graph = project(open_store(store_location), relations=list(relations) or None, alliances=alliances)
    except (StoreError, OSError, ValueError) as error:
        fail(str(error))
    try:
        graph = select(graph, min_degree=min_degree, ego=ego, radius=radius)
    except NodeNotFound as error:
        fail(str(error.args[0]) if error.args else f"no unit named {ego!r}")
    kind = _format(fmt, output)
    try:
        if kind == "html":
            written = render_map(graph, output, color=color, size=size, title=title)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            written = render_figure(graph, output, kind, color=color, size=size, title=title)
    except OSError as error:
        fail(f"could not write {output}: {error}")
    click.echo(f"{kind} map of {graph.number_of_nodes()} organizations and {graph.number_of_edges()} links "
               f"written to {written}", err=True)
    if open_it:
        import webbrowser

        webbrowser.open(written.resolve().as_uri())
