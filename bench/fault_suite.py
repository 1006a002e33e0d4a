"""Run the fault suite's cases without pytest and count them: "N bad inputs tried, N handled, 0 lost".

A bad input is handled when it is read (its organizations are in the graph,
nothing from its scripts is) or reported with a reason (skip, refusal, clear
error and exit code). It is lost when an organization of a good article is
missing, or a failed or killed build changed the previous graph.

    .venv/bin/python bench/fault_suite.py            # about a minute on 2 cores
    .venv/bin/python bench/fault_suite.py --verbose  # one line per case

The cases and their files come from tests/faults/builders.py (the pytest suite
in tests/faults uses the same builders). Exit 0 when every case is handled and
none is lost.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faults.builders import (  # noqa: E402
    SCRIPT_ONLY_ORGS,
    build_paths,
    cli_build,
    graph_labels,
    graph_text,
    interrupt,
    json_summary,
    make_corpus,
    make_good_folder,
    make_messy_folder,
    run_kg,
    running_as_root,
    simulated_unreadable,
    sorted_ntriples,
    start_build,
    terminal_unsafe,
    wait_for_new_version,
)


@dataclass
class Outcome:
    what: str
    handled: bool
    lost: bool
    detail: str


def messy_folder(work: Path) -> list[Outcome]:
    """Every entry of the messy folder (but the plain good article) is a bad input."""
    root, store = work / "messy", work / "messy-store"
    cases = make_messy_folder(root)
    unreadable = [root / "locked.txt"] if running_as_root() else []
    with simulated_unreadable(unreadable):
        result = cli_build(build_paths(root, cases), store)
    summary = json_summary(result.stdout)
    skipped = {item["path"]: item["reason"] for item in summary["skipped"]}
    duplicates = {item["path"] for item in summary["duplicates"]}
    labels, text = graph_labels(store), graph_text(store)
    outcomes = []
    for case in cases:
        path = case.name if case.expect == "missing" else str(root / case.name)
        lost = any(org not in labels for org in case.orgs) or any(org in text for org in case.absent)
        if case.expect in ("skip", "missing"):
            reason = skipped.get(path, "")
            handled, detail = case.reason.lower() in reason.lower(), f"skipped: {reason or 'NOT REPORTED'}"
        elif case.expect == "duplicate":
            handled, detail = path in duplicates, "counted once" if path in duplicates else "NOT COUNTED ONCE"
        else:
            handled = path not in skipped and not lost
            detail = ("read" + (", its organizations are in the graph" if case.orgs else "")) if handled else f"NOT READ: {skipped.get(path, 'missing orgs')}"
        if case.name == "page.html":
            lost = lost or any(org in text for org in SCRIPT_ONLY_ORGS)
        if case.name == "baisha.txt":
            continue  # the plain good article: not a bad input
        outcomes.append(Outcome(case.what, handled and result.exit_code == 3, lost, detail))
    return outcomes


def oversize(work: Path) -> list[Outcome]:
    folder = work / "oversize"
    make_good_folder(folder)
    with open(folder / "huge.txt", "wb") as handle:
        handle.truncate(200_000_000)
    result = cli_build([str(folder)], work / "oversize-store", "--max-bytes", "1000000")
    summary = json_summary(result.stdout)
    reason = next((s["reason"] for s in summary["skipped"] if s["path"].endswith("huge.txt")), "")
    lost = summary["articles_read"] != 5
    return [Outcome("a 200 MB file over --max-bytes", "limit" in reason and result.exit_code == 3, lost,
                    f"skipped: {reason}")]


def _old_store(work: Path, name: str) -> tuple[Path, Path, list[str]]:
    old, new, store = work / f"{name}-old", work / f"{name}-new", work / f"{name}-store"
    make_corpus(old, 40)
    make_corpus(new, 200)
    assert cli_build([str(old)], store).exit_code == 0
    return new, store, sorted_ntriples(store)


def killed(work: Path, sig: int) -> Outcome:
    name = signal.Signals(sig).name
    new, store, before = _old_store(work, name)
    process = start_build(new, store)
    writing = wait_for_new_version(store, process)
    code, err = interrupt(process, sig)
    unchanged = code == 0 or sorted_ntriples(store) == before
    rebuilt = cli_build([str(new)], store).exit_code == 0
    expected = -signal.SIGKILL if sig == signal.SIGKILL else 130
    handled = (code == expected or code == 0) and rebuilt and "Traceback" not in err
    moment = "while writing the new version" if writing else "(the build ended first)"
    return Outcome(f"{name} during a build", handled, not unchanged,
                   f"exit {code} {moment}; previous graph {'unchanged' if unchanged else 'CHANGED'}; "
                   f"next build {'succeeded' if rebuilt else 'FAILED'}")


LOCK_HOLDER = """
import sys, time
from kg.store import EmbeddedStore
with EmbeddedStore(sys.argv[1]).lock():
    print("locked", flush=True)
    time.sleep(60)
"""


def locked(work: Path) -> Outcome:
    from kg.store import EmbeddedStore

    folder, store = work / "locked-articles", EmbeddedStore(work / "locked-store")
    make_good_folder(folder)
    cli_build([str(folder)], store.root)
    before = sorted_ntriples(store.root)
    # The lock is held by another process, as when a second user starts a build.
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(store.root)], stdout=subprocess.PIPE, text=True)
    try:
        holder.stdout.readline()
        result = cli_build([str(folder)], store.root)
    finally:
        holder.kill()
        holder.wait()
    handled = result.exit_code == 1 and str(store.lock_path) in result.stderr
    return Outcome("a second build on a locked store", handled, sorted_ntriples(store.root) != before,
                   result.stderr.strip()[:100])


def curation(work: Path, text: str, what: str) -> Outcome:
    folder, store = work / "cur-articles", work / f"cur-store-{abs(hash(what))}"
    make_good_folder(folder)
    cli_build([str(folder)], store)
    before = sorted_ntriples(store)
    path = work / "curation.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli_build([str(folder)], store, "--curation", str(path))
    handled = result.exit_code == 1 and f"{path}:" in result.stderr
    return Outcome(what, handled, sorted_ntriples(store) != before, result.stderr.strip()[:100])


def query(work: Path, args: list[str], code: int, what: str, message: str) -> Outcome:
    store = work / "query-store"
    if not store.exists():
        make_good_folder(work / "query-articles")
        cli_build([str(work / "query-articles")], store)
    done = run_kg("query", "--store", str(store), *args, timeout=120)
    return Outcome(what, done.returncode == code and message in done.stderr, False, done.stderr.strip()[:100])


ESCAPES = "\x1b[2J\x1b]0;title\x07\x9b2J\u202e\u2066"
TAG = "<img src=x onerror=alert(1)>"


def hostile(work: Path) -> list[Outcome]:
    """Escape sequences in file names and article text, HTML in article text, paths and commands as text."""
    from click.testing import CliRunner

    from kg.cli import main as kg

    folder, store, marker = work / "hostile", work / "hostile-store", work / "pwned"
    folder.mkdir()
    text = (f"白沙口岸共建\n2024年3月5日\n白沙边检站与白沙海关结对共建\x9b2J\u202e{TAG}，活动$(touch {marker})。\n"
            f"资料见../../../../{marker.name}。")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / f"{ESCAPES}copy.txt").write_text(text, encoding="utf-8")
    (folder / f"{ESCAPES}.txt").write_bytes(b"%PDF-1.4\n")
    build = cli_build([str(folder)], store, fmt="table")
    shown = CliRunner().invoke(kg, ["query", "--store", str(store), "SELECT ?s WHERE { ?e "
                                    "<https://w3id.org/lianjian/ontology#sentence> ?s }"])
    CliRunner().invoke(kg, ["viz", "--store", str(store), "-o", str(work / "map.html")])
    page = (work / "map.html").read_text(encoding="utf-8") if (work / "map.html").exists() else ""
    CliRunner().invoke(kg, ["extract", str(folder), "--out", str(work / "extracted")])
    lost = not {"白沙边检站", "白沙海关"} <= graph_labels(store)
    return [
        Outcome("escape sequences in file names (build summary)", not terminal_unsafe(build.output) and
                "copy.txt" in build.output, lost, f"unsafe characters shown: {terminal_unsafe(build.output)}"),
        Outcome("escape sequences and bidi overrides in article text (kg query)",
                not terminal_unsafe(shown.output) and "onerror" in shown.output, lost,
                f"unsafe characters shown: {terminal_unsafe(shown.output)}"),
        Outcome("HTML in article text (map page)", bool(page) and TAG not in page and "onerror" in page, lost,
                "escaped in the page" if page and TAG not in page else "RAW OR MISSING"),
        Outcome("a path and a shell command in article text", not any(work.rglob("pwned")), lost,
                "never used as a path nor run" if not any(work.rglob("pwned")) else "FILE CREATED"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="One line per case.")
    options = parser.parse_args()
    started = time.perf_counter()
    runs: list[Callable[[Path], list[Outcome]]] = [
        messy_folder,
        oversize,
        hostile,
        lambda w: [killed(w, signal.SIGKILL)],
        lambda w: [killed(w, signal.SIGINT)],
        lambda w: [locked(w)],
        lambda w: [curation(w, "- same: [甲, 乙]\n- rename: {from: 甲, to: 乙\n", "a curation file with a YAML error")],
        lambda w: [curation(w, "- merge: [甲, 乙]\n", "a curation file with an unknown operation")],
        lambda w: [query(w, ["SELEC ?s WHERE { ?s ?p ?o }"], 1, "a SPARQL syntax error", "error at")],
        lambda w: [query(w, ["--timeout", "0.5", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                             "?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"], 4, "a query running past --timeout", "time limit")],
    ]
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="kg-fault-suite-") as folder:
        for number, run in enumerate(runs):
            work = Path(folder) / f"run{number}"
            work.mkdir()
            outcomes.extend(run(work))
    for outcome in outcomes:
        if options.verbose or not outcome.handled or outcome.lost:
            status = "LOST" if outcome.lost else "ok" if outcome.handled else "NOT HANDLED"
            print(f"{status:11} {outcome.what}: {outcome.detail}")
    handled = sum(o.handled and not o.lost for o in outcomes)
    lost = sum(o.lost for o in outcomes)
    print(f"{len(outcomes)} bad inputs tried, {handled} handled, {lost} lost "
          f"({time.perf_counter() - started:.0f} s)")
    return 0 if handled == len(outcomes) and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
