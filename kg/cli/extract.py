"""``kg extract`` (articles → one JSON per article) and ``kg eval`` (score against gold)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

import click

from kg.cli import main
from kg.tables import clean, render

if TYPE_CHECKING:  # kg.evaluate imports networkx: loaded only when `kg eval` runs, so every `kg` starts fast
    from kg.evaluate import Scores


@dataclass
class Extracted:
    """The outcome for one file: a result dict, or the reason it was skipped.

    ``failed`` marks an extractor error (a bug to report), as opposed to a file
    that is not an article.
    """

    path: Path
    result: dict | None = None
    skipped: str | None = None
    failed: bool = False


def extract_file(path: Path) -> Extracted:
    """Ingest one file and extract it; ``doc`` is the file name."""
    from kg.extract import extract
    from kg.ingest import SkipFile, read_article

    try:
        article = read_article(path)
    except SkipFile as skip:
        return Extracted(path, skipped=str(skip) or "skipped")
    try:
        result = extract(article.text, article.file_name)
    except Exception as exc:  # one faulty article must not lose the others' results
        return Extracted(path, skipped=f"extraction failed: {type(exc).__name__}: {exc}", failed=True)
    result["doc"] = article.file_name
    return Extracted(path, result=result)


def extract_files(paths: Iterable[str | Path], jobs: int = 1) -> Iterator[Extracted]:
    """Extract every article file under ``paths`` (``kg.walk`` order) on ``jobs`` processes."""
    from kg.walk import iter_article_files

    files: list[Path] = []
    unreadable: list[Extracted] = []
    for found in iter_article_files(paths):
        if isinstance(found, Path):
            files.append(found)
        else:
            unreadable.append(Extracted(Path(found.path), skipped=found.reason))
    yield from unreadable
    if jobs <= 1 or len(files) <= 1:
        yield from map(extract_file, files)
        return
    from multiprocessing import Pool

    with Pool(processes=min(jobs, len(files))) as pool:
        yield from pool.imap(extract_file, files, chunksize=4)


def _require_extractor() -> None:
    try:
        from kg.extract import extract  # noqa: F401
        from kg.ingest import read_article  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(f"the extraction pipeline is not available: {exc}") from exc


def _warn(message: str) -> None:
    click.echo(clean(message), err=True)


def collect(paths: Iterable[str | Path], jobs: int) -> tuple[dict[str, dict], int]:
    """Results keyed by file stem, and the number of extractor failures.

    Skipped files, failures and repeated stems are reported on stderr.
    """
    results: dict[str, dict] = {}
    sources: dict[str, Path] = {}
    failures = 0
    for item in extract_files(paths, jobs):
        if item.skipped is not None:
            _warn(f"{'FAILED' if item.failed else 'skipped'} {item.path}: {item.skipped}")
            failures += item.failed
            continue
        stem = item.path.stem
        if stem in sources:
            _warn(f"skipped {item.path}: same file stem as {sources[stem]}")
            continue
        sources[stem] = item.path
        results[stem] = item.result
    return results, failures


def _exit_on_failures(failures: int) -> None:
    if failures:
        raise click.ClickException(f"extraction failed on {failures} file(s): see the messages above")


_JOBS = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
    help="Worker processes.",
)


@main.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", "-o", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the JSON files (created if needed).",
)
@_JOBS
def extract_command(paths: tuple[Path, ...], out_dir: Path, jobs: int) -> None:
    """Extract organizations and links from articles, one JSON file per article.

    PATHS are files or folders (walked recursively). Each article gives
    OUT/<file stem>.json in the gold annotation format. Files that are not
    readable articles are skipped, with the reason on stderr.

    \b
    Example:
      kg extract data/corpus --out out/extracted --jobs 2
      kg eval --gold data/gold --pred out/extracted
    """
    _require_extractor()
    out_dir.mkdir(parents=True, exist_ok=True)
    results, failures = collect(paths, jobs)
    for stem, result in results.items():
        target = out_dir / f"{stem}.json"
        target.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _warn(f"wrote {len(results)} file(s) to {out_dir}")
    _exit_on_failures(failures)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _summary_rows(scores: Scores) -> list[dict]:
    from kg.evaluate import iter_rows

    rows = []
    for label, counts in iter_rows(scores):
        d = counts.as_dict()
        rows.append({
            "row": label, "P": _ratio(d["precision"]), "R": _ratio(d["recall"]),
            "F1": _ratio(d["f1"]), "TP": counts.tp, "FP": counts.fp, "FN": counts.fn,
        })
    return rows


def _document_rows(scores: Scores) -> list[dict]:
    from kg.evaluate import ROWS

    short = {"entities": "ent F1", "entities_typed": "typed F1", "relations": "rel F1",
             "relations_untyped": "untyped rel F1", "implicit_entities": "impl ent F1",
             "implicit_relations": "impl rel F1"}
    return [
        {"doc": doc, **{short[name]: _ratio(rows[name].as_dict()["f1"]) for name in ROWS}}
        for doc, rows in scores.documents.items()
    ]


def format_table(scores: Scores, errors: bool = False) -> str:
    """The scores as terminal tables (article-derived text is cleaned)."""
    parts = [
        f"Micro-averaged over {len(scores.documents)} document(s); indented rows: one relation type",
        render(_summary_rows(scores), "table"),
        "",
        "Per document",
        render(_document_rows(scores), "table"),
    ]
    if scores.missing:
        parts += ["", clean(f"no prediction (scored as empty): {', '.join(scores.missing)}")]
    if scores.unscored:
        parts += ["", clean(f"no gold answer (not scored): {', '.join(scores.unscored)}")]
    if errors:
        parts += ["", "Errors"]
        parts.append(render([e.as_dict() for e in scores.errors], "table") if scores.errors else "(none)")
    return "\n".join(parts)


def format_json(scores: Scores, errors: bool = False) -> str:
    """The scores as JSON; strings are cleaned too, since JSON is often read in a terminal."""
    from kg.evaluate import ROW_LABELS

    data = scores.as_dict()
    data["labels"] = dict(ROW_LABELS)
    if not errors:
        data.pop("errors")

    def safe(value):
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, dict):
            return {safe(k): safe(v) for k, v in value.items()}
        if isinstance(value, list):
            return [safe(v) for v in value]
        return value

    return json.dumps(safe(data), ensure_ascii=False, indent=2)


@main.command("eval")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--gold", "gold_dir", required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of gold JSON files (one per article, named after its stem).",
)
@click.option(
    "--pred", "pred_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of predicted JSON files (from kg extract) instead of PATHS.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--errors", is_flag=True, help="List false positives, false negatives and wrong types.")
@_JOBS
def eval_command(
    paths: tuple[Path, ...], gold_dir: Path, pred_dir: Path | None, fmt: str, errors: bool, jobs: int
) -> None:
    """Score extraction against gold answers: precision, recall and F1.

    Give either article PATHS (extracted on the fly) or --pred, a folder
    written by kg extract. Documents are matched by file stem; a gold
    document with no prediction is scored as an empty prediction. Rules:
    shared/gold/SCHEMA.md "Scoring" (one-to-one name matching after
    traditional→simplified conversion, symmetric relations ignore direction,
    implicit entities in rows of their own).

    \b
    Example:
      kg eval --gold ../shared/gold/dev ../shared/corpus
      kg eval --gold data/gold --pred out/extracted --errors
      kg eval --gold data/gold --pred out/extracted --format json
    """
    from kg.evaluate import load_dir, score

    if bool(paths) == (pred_dir is not None):
        raise click.UsageError("give either article PATHS or --pred DIR (one of the two)")
    try:
        gold = load_dir(gold_dir)
        pred = load_dir(pred_dir) if pred_dir is not None else {}
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if not gold:
        raise click.UsageError(f"no *.json gold files in {gold_dir}")
    failures = 0
    if pred_dir is None:
        _require_extractor()
        pred, failures = collect(paths, jobs)
    scores = score(gold, pred)
    text = format_json(scores, errors) if fmt == "json" else format_table(scores, errors)
    click.echo(text)
    if scores.missing and fmt == "json":
        _warn(f"{len(scores.missing)} gold document(s) had no prediction and were scored as empty")
    _exit_on_failures(failures)
