"""``kg review``: what a person should decide, as entries for the curation file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli import main
from kg.cli.options import fail, store_option


def _resolved_from_store(location: str):
    """The Resolved the last build kept beside its version (versions/<CURRENT>.resolved.json)."""
    from kg.resolve import RESOLVED_FILE, resolved_from_json
    from kg.store import EmbeddedStore

    root = Path(location)
    candidates = []
    version = EmbeddedStore(root).current_version()
    if version:
        candidates.append(root / "versions" / f"{version}.resolved.json")
    candidates.append(root / RESOLVED_FILE)
    for path in candidates:
        if path.is_file():
            return resolved_from_json(path.read_text(encoding="utf-8"))
    fail(f"no resolved graph in store {location!r}: run `kg build` first (a remote store keeps none: "
         "use --extractions)")


def _stand_in_article(doc: str):
    """An Article for an extraction whose article file is not at hand (id from the doc name)."""
    import hashlib

    from kg.model import Article

    return Article(path=doc, file_name=doc, sha256=hashlib.sha256(doc.encode("utf-8")).hexdigest(), text="")


def _read(path: Path):
    from kg.ingest import SkipFile, read_article

    try:
        return read_article(path)
    except SkipFile:
        return None


def load_extractions(folder: str | Path, corpus: str | Path | None = None) -> list[tuple]:
    """(Article, extraction) pairs from a folder of extraction JSON files, articles read from ``corpus``."""
    docs = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            extraction = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            fail(f"{path}: not an extraction JSON file: {error}")
        if not isinstance(extraction, dict):
            fail(f"{path}: not an extraction JSON file: expected an object with entities and relations")
        doc = str(extraction.get("doc") or path.with_suffix(".txt").name)
        article = None
        if corpus is not None and (Path(corpus) / doc).is_file():
            article = _read(Path(corpus) / doc)
        docs.append((article or _stand_in_article(doc), extraction))
    return docs


@main.command("review")
@store_option
@click.option("--extractions", type=click.Path(exists=True, file_okay=False), default=None,
              help="Review a folder of extraction JSON files instead of a store.")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False), default=None,
              help="With --extractions: the article files, for titles and places.")
@click.option("--curation", type=click.Path(dir_okay=False), default=None,
              help="Curation file: applied to --extractions, and pairs it already decides are not listed.")
@click.option("--min-confidence", type=float, default=0.6, show_default=True,
              help="Links below this confidence are listed.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to a file instead of standard output.")
def review_command(store_location, extractions, corpus, curation, min_confidence, fmt, output) -> None:
    """List suspected duplicates and weak links as curation entries (judgement: unsure).

    \b
    Example:
      kg review --store kg-store > review.yaml
      kg review --extractions out/extractions --corpus data/corpus
    Edit an entry (judgement: positive), move it to data/curation.yaml, rebuild.
    """
    from kg.curation import CurationError, load_curation
    from kg.resolve import resolve
    from kg.review import review, safe_text, safe_value, to_yaml

    try:
        decisions = load_curation(curation) if curation else None
    except CurationError as error:
        fail(str(error))
    if extractions:
        resolved = resolve(load_extractions(extractions, corpus), decisions)
    else:
        resolved = _resolved_from_store(store_location)
    items = review(resolved, decisions, min_confidence=min_confidence)
    if fmt == "json":
        text = json.dumps(safe_value(items), ensure_ascii=False, indent=1)
    else:
        header = f"# kg review: {len(items)} item(s) to decide; set judgement to positive or negative to apply\n"
        text = header + to_yaml(items)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{len(items)} item(s) written to {safe_text(str(output))}", err=True)
    else:
        click.echo(text)
