"""Query latency of the saved queries: kg (library and CLI) against pyoxigraph directly and rdflib in memory.

On the largest store bench/bench_build.py left in ``$KG_BENCH_WORK`` (10,000
articles; 200 with --quick; built here when missing), every saved query
(``ontology/queries/*.rq``, no parameters) is timed five ways, each the
median of several runs after one warm-up run:

- kg library: ``kg.store.open_store(S).query(text)`` in this process;
- pyoxigraph: ``pyoxigraph.Store.read_only(version).query(text, use_default_graph_as_union=True)``,
  every solution read;
- kg CLI: ``kg query --saved NAME --store S --format json`` as a new process
  (start-up, imports and printing count);
- pyoxigraph process: a new Python process that opens the store and runs the query;
- rdflib: the same data (N-Quads) parsed into rdflib's default in-memory
  store (``Dataset(default_union=True)``), queried by rdflib's own engine in a
  child process, each query stopped after a time limit.

    .venv/bin/python bench/bench_query.py --quick
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_build import WORK, build_once, corpus  # noqa: E402

RDFLIB_LIMIT = {True: 20, False: 45}  # seconds per query (quick, full)

PYOXIGRAPH_PROCESS = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
rows = [tuple(s) for s in store.query(open(sys.argv[2], encoding="utf-8").read(), use_default_graph_as_union=True)]
print(len(rows))
"""

RDFLIB_CHILD = """
import json, signal, sys, time
from rdflib import Dataset
started = time.perf_counter()
data = Dataset(default_union=True)
data.parse(sys.argv[1], format="nquads")
print(json.dumps({"load": time.perf_counter() - started, "quads": len(data)}), flush=True)
limit = int(sys.argv[2])
class Late(Exception):
    pass
def late(*_):
    raise Late()
signal.signal(signal.SIGALRM, late)
for name, path in json.loads(sys.argv[3]).items():
    text = open(path, encoding="utf-8").read()
    times = []
    try:
        for _ in range(2):
            signal.alarm(limit)
            begun = time.perf_counter()
            rows = len(list(data.query(text)))
            times.append(time.perf_counter() - begun)
            signal.alarm(0)
            if times[-1] > 2:
                break
        print(json.dumps({"name": name, "seconds": min(times), "rows": rows}), flush=True)
    except Late:
        print(json.dumps({"name": name, "seconds": None, "limit": limit}), flush=True)
"""


def timed(func, minimum_runs: int = 3) -> float:
    """Median seconds over a few runs after one warm-up (fewer runs for slow queries)."""
    begun = time.perf_counter()
    func()
    first = time.perf_counter() - begun
    runs = 5 if first < 0.2 else minimum_runs if first < 2 else 1
    times = []
    for _ in range(runs):
        begun = time.perf_counter()
        func()
        times.append(time.perf_counter() - begun)
    return statistics.median(times)


def process_seconds(command: list[str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        begun = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - begun)
    return statistics.median(times)


def store_for(quick: bool) -> Path:
    size = 200 if quick else 10000
    store = WORK / f"store-{size}"
    if not (store / "CURRENT").exists():
        build_once(corpus(size), store, 2)
    return store


def rdflib_times(nquads: Path, queries: dict[str, Path], limit: int) -> tuple[dict, dict[str, dict]]:
    done = subprocess.run([sys.executable, "-c", RDFLIB_CHILD, str(nquads), str(limit),
                           json.dumps({k: str(v) for k, v in queries.items()})],
                          capture_output=True, text=True, cwd=REPO)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(done.stderr[-2000:])
    return lines[0], {line["name"]: line for line in lines[1:]}


def run(quick: bool) -> list[dict]:
    import pyoxigraph as ox

    from kg.query import saved_queries
    from kg.store import EmbeddedStore

    location = store_for(quick)
    store = EmbeddedStore(location)
    version = store.current_path()
    triples = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    queries = {name: saved.path for name, saved in saved_queries().items()}
    direct = ox.Store.read_only(str(version))
    nquads = WORK / f"{location.name}.nq"
    with open(nquads, "wb") as out:
        direct.dump(out, format=ox.RdfFormat.N_QUADS)
    rdflib_load, rdflib = rdflib_times(nquads, queries, RDFLIB_LIMIT[quick])
    rows = [{"measure": "graph", "value": f"{triples:,} triples", "note": f"store {location.name}; rdflib parsed "
             f"{rdflib_load['quads']:,} quads in {rdflib_load['load']:.0f} s"}]
    kg_cli = [sys.executable, "-m", "kg", "query", "--store", str(location), "--format", "json", "--saved"]
    ratios, speedups, cli_ratios = [], [], []
    for name, path in queries.items():
        text = path.read_text(encoding="utf-8")
        library = timed(lambda: store.query(text))
        pyoxigraph = timed(lambda: [tuple(s) for s in direct.query(text, use_default_graph_as_union=True)])
        cli = process_seconds(kg_cli + [name])
        process = process_seconds([sys.executable, "-c", PYOXIGRAPH_PROCESS, str(version), str(path)])
        ratio = library / pyoxigraph
        ratios.append(ratio)
        cli_ratios.append(cli / process)
        slow = rdflib.get(name, {})
        if slow.get("seconds") is not None:
            speedup = slow["seconds"] / library
            rdflib_note = f"rdflib {slow['seconds'] * 1000:,.0f} ms ({speedup:,.0f} × slower)"
        else:
            speedup = slow.get("limit", 0) / library if slow else None
            rdflib_note = f"rdflib > {slow.get('limit')} s (stopped; > {speedup:,.0f} × slower)" if slow else "rdflib: no result"
        if speedup is not None:
            speedups.append(speedup)
        rows.append({
            "measure": f"{name}: kg library", "value": round(library * 1000, 1), "unit": "ms",
            "target": "≤ 1.2 × pyoxigraph; ≥ 10 × faster than rdflib",
            "met": ratio <= 1.2 and (speedup or 0) >= 10,
            "note": f"pyoxigraph {pyoxigraph * 1000:,.1f} ms ({ratio:.2f} ×); {rdflib_note}; "
                    f"CLI {cli * 1000:,.0f} ms vs pyoxigraph process {process * 1000:,.0f} ms ({cli / process:.2f} ×)",
        })
    rows.append({"measure": "all queries: kg library / pyoxigraph", "value": f"median {statistics.median(ratios):.2f}, "
                 f"worst {max(ratios):.2f}", "unit": "×", "target": "≤ 1.2", "met": max(ratios) <= 1.2})
    rows.append({"measure": "all queries: kg CLI / pyoxigraph process", "value": f"median "
                 f"{statistics.median(cli_ratios):.2f}, worst {max(cli_ratios):.2f}", "unit": "×", "target": "≤ 1.2",
                 "met": max(cli_ratios) <= 1.2, "note": "both include Python start-up"})
    if speedups:
        rows.append({"measure": "all queries: rdflib in memory / kg library", "value": f"median "
                     f"{statistics.median(speedups):,.0f}, least {min(speedups):,.0f}", "unit": "×",
                     "target": "≥ 10", "met": min(speedups) >= 10})
    nquads.unlink(missing_ok=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for row in run(args.quick):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
