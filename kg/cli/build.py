"""``kg build``, ``kg import``, ``kg stats``, ``kg validate`` and ``kg export``."""

from __future__ import annotations

import json
import os
import sys

import click

from kg.cli import main
from kg.cli.options import EXIT_INTERRUPTED, end_program, fail, store_option


MAX_NOTES = 20  # resolution and curation notes printed after a build; JSON output has them all


def _print_summary(summary, fmt: str, curation: str | None = None) -> None:
    from kg.tables import clean, json_text, render

    if fmt == "json":
        click.echo(json_text({**summary.to_dict(), "curation": curation}, indent=2))
        return
    click.echo(f"Store:        {clean(summary.store)} (version {summary.version})")
    click.echo(f"Curation:     {clean(curation) if curation else 'none'}")
    click.echo(
        f"Articles:     {summary.articles_read} read ({summary.extracted} extracted, "
        f"{summary.articles_read - summary.extracted} from cache), {len(summary.skipped)} skipped, "
        f"{len(summary.duplicates)} duplicates"
    )
    click.echo(f"Organizations: {sum(summary.organizations_by_type.values())}   "
               f"Links: {sum(summary.links_by_type.values())}   Triples: {summary.triples}   "
               f"Time: {summary.seconds:.1f} s")
    if summary.load == "none":
        click.echo(f"Load:         nothing changed, version {summary.version} kept; resolution: {summary.resolution}")
    else:
        click.echo(f"Load:         {summary.load} ({summary.changed} nodes written); resolution: {summary.resolution}")
    if summary.organizations_by_type:
        rows = [{"type": k, "organizations": v} for k, v in summary.organizations_by_type.items()]
        click.echo("\n" + render(rows, "table"))
    if summary.links_by_type:
        rows = [{"relation": k, "links": v} for k, v in summary.links_by_type.items()]
        click.echo("\n" + render(rows, "table"))
    # One line each, never cut: a table cell would truncate long paths and hide the file name.
    if summary.skipped:
        click.echo("\nSkipped:")
        for skipped in summary.skipped:
            click.echo(f"  {clean(skipped.path)}: {clean(skipped.reason)}")
    if summary.duplicates:
        click.echo("\nDuplicates (counted once):")
        for path, same_as in summary.duplicates:
            click.echo(f"  {clean(path)}: same bytes as {clean(same_as)}")
    if summary.warnings:
        click.echo("\nRead with repairs:")
        for path, warning in summary.warnings:
            click.echo(f"  {clean(path)}: {clean(warning)}")
    for line in summary.report[:MAX_NOTES]:
        click.echo(f"Note: {clean(line)}", err=True)
    if len(summary.report) > MAX_NOTES:
        click.echo(f"Note: … and {len(summary.report) - MAX_NOTES} more (all of them in --format json)", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@store_option
@click.option("--curation", type=click.Path(dir_okay=False), default=None,
              help="Curation file applied on this build (default: data/curation.yaml when it exists).")
@click.option("--no-curation", is_flag=True, help="Ignore the default curation file.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Cores to spread the build over: extraction processes, and bulk loads at once (at most 2) "
                   "[default: all cores].")
@click.option("--full", is_flag=True,
              help="Extract every article again and reload every triple, instead of reusing the cache "
                   "and rewriting only what changed.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Extract on a Dask cluster (tcp://host:8786) instead of local processes; needs the `scale` extra.")
@click.option("--wait", is_flag=True, help="Wait for another build on this store instead of refusing.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=50_000_000, show_default=True,
              help="Refuse (skip) files larger than this.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Summary format.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bars on stderr for each step, with rate and time left [default: on a terminal].")
def build(paths, store_location, curation, no_curation, jobs, full, scheduler, wait, max_bytes, fmt, progress) -> None:
    """Build the graph from article files and folders into a new version of the store.

    Text, HTML, any common encoding, simplified or traditional. Unreadable and
    non-text files are skipped and listed. A failed or interrupted build leaves
    the previous graph as it was.

    A rebuild extracts only new or changed files (the others come from the
    cache in the store folder), resolves again only the organizations those
    articles can reach when no curation decision applies (resolution: delta),
    and rewrites only the organizations, links and articles that changed;
    --full does everything again.

    \b
    Exit codes: 0 all files read, 3 built but some files skipped, 1 failed (nothing changed),
    2 usage error, 130 interrupted (nothing changed). See docs/errors.md.

    \b
    Example:
      kg build data/corpus --store kg-store
      kg build ~/articles/2024 ~/articles/2025 --jobs 2 --format json
      kg build ~/articles --scheduler tcp://10.0.0.5:8786
    """
    from kg.build import EXIT_FAILED, build as run_build
    from kg.gcpause import no_cycle_collection
    from kg.curation import CurationError
    from kg.store import StoreError

    if curation is None and not no_curation and os.path.exists("data/curation.yaml"):
        curation = "data/curation.yaml"
    if no_curation:
        curation = None
    show_progress = sys.stderr.isatty() if progress is None else progress
    # The build runs without the cycle collector; turned back on, its first pass would walk the few hundred
    # thousand objects still alive (lexicon, tables) just before the process exits: 0.15 s of a small rebuild.
    # Freezing them keeps them out of every later pass (a command-line run ends here anyway).
    with no_cycle_collection(freeze=True):
        try:
            summary = run_build(paths, store_location, curation=curation, jobs=jobs, full=full, wait=wait,
                                max_bytes=max_bytes, progress=show_progress, scheduler=scheduler)
        except CurationError as error:
            fail(f"curation file rejected, nothing was changed: {error}", EXIT_FAILED)
        except StoreError as error:
            fail(f"{error} (nothing was changed)", EXIT_FAILED)
        except KeyboardInterrupt:
            fail("interrupted: the previous graph is unchanged", EXIT_INTERRUPTED)
        except (RuntimeError, OSError) as error:  # e.g. no Dask scheduler at --scheduler
            fail(f"build failed, nothing was changed: {error}", EXIT_FAILED)
    _print_summary(summary, fmt, curation)
    end_program(summary.exit_code)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@store_option
@click.option("--graph", default=None, metavar="IRI",
              help="Load into this named graph [default: …/graph/import/FILE-NAME, one per file].")
@click.option("--wait", is_flag=True, help="Wait for another writer instead of refusing.")
def import_(files, store_location, graph, wait) -> None:
    """Load RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) into the store.

    The files are added to the current graph in a new version, streamed by
    Oxigraph's bulk loader; a file that does not parse changes nothing. Each
    file gets a named graph of its own, which later `kg build` runs keep;
    queries see all graphs.

    \b
    Example:
      kg import other-team.ttl --store kg-store
    """
    from kg.store import StoreError, open_store

    store = open_store(store_location)
    try:
        store.load_files(files, graph=graph, wait=wait)
    except StoreError as error:
        fail(f"{error} (nothing was changed)")
    from kg.project import cache_projection

    cache_projection(store_location)  # the new version's projection, so `kg analyze` starts from it
    count = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    click.echo(f"Loaded {len(files)} file(s); the store now holds {count} triples.")


STATS_QUERIES = {
    "organizations": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.w3.org/ns/org#Organization> }",
    "links": "SELECT (COUNT(?l) AS ?n) WHERE { ?l a <https://w3id.org/lianjian/ontology#Link> }",
    "articles": "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/lianjian/ontology#Article> }",
    "evidence": "SELECT (COUNT(?e) AS ?n) WHERE { ?e a <https://w3id.org/lianjian/ontology#Evidence> }",
    "places": "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/lianjian/ontology#AdministrativeDivision> }",
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}


def graph_stats(store) -> dict:
    """Counts of the main kinds of node, and organizations by type and links by relation."""
    counts = {name: store.query(q).rows[0]["n"] for name, q in STATS_QUERIES.items()}
    by_type = store.query(
        "SELECT ?type (COUNT(?o) AS ?n) WHERE { ?o a <http://www.w3.org/ns/org#Organization> ; a ?type . "
        "FILTER(STRSTARTS(STR(?type), 'https://w3id.org/lianjian/ontology#')) } GROUP BY ?type ORDER BY ?type"
    ).rows
    by_relation = store.query(
        "SELECT ?relation (COUNT(?l) AS ?n) WHERE { ?l a <https://w3id.org/lianjian/ontology#Link> ; "
        "<https://w3id.org/lianjian/ontology#relation> ?relation } GROUP BY ?relation ORDER BY ?relation"
    ).rows
    counts["organizations_by_type"] = {r["type"].rsplit("#", 1)[-1]: r["n"] for r in by_type}
    counts["links_by_relation"] = {r["relation"].rsplit("#", 1)[-1]: r["n"] for r in by_relation}
    return counts


@main.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store_location, fmt) -> None:
    """Counts: organizations, links, articles, evidence, places, triples; organizations by type; links by relation.

    \b
    Example:
      kg stats --store kg-store --format json
    """
    from kg.store import StoreError, open_store
    from kg.tables import render

    try:
        counts = graph_stats(open_store(store_location))
    except StoreError as error:
        fail(str(error))
    if fmt == "json":
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    by_type = counts.pop("organizations_by_type")
    by_relation = counts.pop("links_by_relation")
    click.echo(render([{"count": k, "value": v} for k, v in counts.items()], "table"))
    click.echo("\n" + render([{"type": k, "organizations": v} for k, v in by_type.items()], "table"))
    click.echo("\n" + render([{"relation": k, "links": v} for k, v in by_relation.items()], "table"))


@main.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True)
def validate(store_location, fmt) -> None:
    """Check the graph against the SHACL shapes of the ontology (exit 1 on violations).

    \b
    Example:
      kg validate --store kg-store
    """
    from kg.store import StoreError, open_store
    from kg.validate import validate_store

    try:
        report = validate_store(open_store(store_location))
    except StoreError as error:
        fail(str(error))
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "turtle":
        click.echo(report.turtle)
    else:
        click.echo(report.text())
    sys.exit(0 if report.conforms else 1)


EXPORT_FORMATS = ("ttl", "nt", "jsonld", "graphml", "gexf", "csv")


@main.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--with-ontology", is_flag=True, help="ttl and nt: append the ontology.")
def export(store_location, fmt, output, with_ontology) -> None:
    """Write the graph for other tools: RDF (ttl, nt, jsonld), networks (graphml, gexf) or CSV.

    RDF formats hold the data graph (and the ontology with --with-ontology);
    graphml and gexf hold the organization network (Gephi, Cytoscape, networkx);
    csv writes the links to FILE and the organizations beside it (FILE stem + .nodes.csv).

    \b
    Example:
      kg export --store kg-store --format ttl -o lianjian.ttl
      kg export --store kg-store --format gexf -o lianjian.gexf
    """
    from kg.export import export_store
    from kg.store import StoreError, open_store

    try:
        written = export_store(open_store(store_location), fmt, output, with_ontology=with_ontology)
    except (StoreError, ValueError) as error:
        fail(str(error))
    for path in written:
        click.echo(f"Wrote {path}")
