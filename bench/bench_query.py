"""Query latency of the saved queries: kg (library and CLI) against pyoxigraph directly and rdflib in memory.

On the largest store bench/bench_build.py left in ``$KG_BENCH_WORK`` (10,000
articles; 200 with --quick; built here when missing), every saved query
(``ontology/queries/*.rq``) runs without parameters, and a query with a
``name`` parameter runs once more bound to the organization with the most
links (most members for alliances, most sub-organizations for
sub-organizations), as ``kg query --saved partners-of --param name=…`` is
meant to be used. Each is timed five ways, every way in a child process stopped at a
time limit:

- kg library: ``kg.store.open_store(S).query(text)``, median of several runs after a warm-up
  (a query over 2 s: its one run);
- pyoxigraph: ``pyoxigraph.Store.read_only(version).query(text, use_default_graph_as_union=True)``,
  every solution read, the same way;
- kg CLI: ``kg query --saved NAME --store S --format json`` as a new process
  (start-up, imports and printing count), median of 3 (1 for queries over 2 s);
- pyoxigraph process: a new Python process that opens the store and runs the query, median of 3;
- rdflib: the same quads parsed into rdflib's default in-memory store
  (``Dataset(default_union=True)``), each query run by rdflib's own engine.

    .venv/bin/python bench/bench_query.py --quick
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_build import WORK, build_once, child_env, corpus  # noqa: E402

LIMIT = {True: 15, False: 20}  # seconds per query and way (quick, full)

# Times one query in this child: warm-up, then the median of a few runs (fewer when slow).
IN_PROCESS = """
import json, statistics, sys, time
mode, store_path, version, query_path = sys.argv[1:5]
text = open(query_path, encoding="utf-8").read()
if mode == "library":
    from kg.store import open_store
    store = open_store(store_path)
    run = lambda: store.query(text).rows
else:
    import pyoxigraph as ox
    store = ox.Store.read_only(version)
    run = lambda: [tuple(s) for s in store.query(text, use_default_graph_as_union=True)]
begun = time.perf_counter(); rows = len(run()); first = time.perf_counter() - begun
times = [first]  # a query over 2 s is timed once: its warm-up is the measurement
for _ in range(5 if first < 0.2 else 3 if first < 2 else 0):
    begun = time.perf_counter(); run(); times.append(time.perf_counter() - begun)
print(json.dumps({"seconds": statistics.median(times[1:] or times), "rows": rows}))
"""

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
        print(json.dumps({"name": name, "seconds": None}), flush=True)
"""


def in_child(command: list[str], limit: float) -> dict | None:
    """Run a timing child; None when one run of the query passed the time limit.

    The child also starts Python and opens the store, and repeats fast queries:
    it gets twice the limit, and its measured run is held to the limit itself.
    """
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=WORK, env=child_env(), timeout=2 * limit)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return None if result["seconds"] > limit else result


def process_seconds(command: list[str], limit: float, runs: int = 3) -> float | None:
    """Median wall time of a whole process (start-up included); None past the limit."""
    times = []
    for _ in range(runs):
        begun = time.perf_counter()
        try:
            subprocess.run(command, check=True, capture_output=True, cwd=WORK, env=child_env(), timeout=limit)
        except subprocess.TimeoutExpired:
            return None
        times.append(time.perf_counter() - begun)
        if times[-1] > limit / 3:
            break
    return statistics.median(times)


def store_for(quick: bool) -> Path:
    size = 200 if quick else 10000
    store = WORK / f"store-{size}"
    if not (store / "CURRENT").exists():
        build_once(corpus(size), store, 2)
    return store


# What makes an organization the natural `name` to ask a saved query about: most members
# for alliances, most sub-organizations for the hierarchy, else most links.
_HUB_PATTERN = {
    "alliances": "?x <http://www.w3.org/ns/org#memberOf> ?o",
    "sub-organizations": "?x <http://www.w3.org/ns/org#subOrganizationOf> ?o",
}
_LINK_ENDS = "?x <https://w3id.org/lianjian/ontology#source>|<https://w3id.org/lianjian/ontology#target> ?o"


def hub_label(store, query_name: str = "") -> str:
    """The label of the organization with the most links of the kind the query is about."""
    pattern = _HUB_PATTERN.get(query_name, _LINK_ENDS)
    rows = store.query(
        f"SELECT ?label (COUNT(?x) AS ?n) WHERE {{ {pattern} . ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }}"
        " GROUP BY ?label ORDER BY DESC(?n) ?label LIMIT 1").rows
    return rows[0]["label"]


def _ms(seconds: float | None, limit: float) -> str:
    return f"> {limit * 1000:,.0f} ms (stopped)" if seconds is None else f"{seconds * 1000:,.1f} ms"


def run(quick: bool) -> list[dict]:
    import pyoxigraph as ox

    from kg.query import bind, saved_queries
    from kg.store import EmbeddedStore

    limit = LIMIT[quick]
    location = store_for(quick)
    store = EmbeddedStore(location)
    version = str(store.current_path())
    triples = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    folder = Path(tempfile.mkdtemp(prefix="bench-query-", dir=WORK))
    hubs: dict[str, str] = {}
    cases: dict[str, tuple[Path, list[str]]] = {}  # case -> (query file, CLI arguments)
    for name, saved in saved_queries().items():
        cases[name] = (saved.path, ["--saved", name])
        if "name" in saved.params:
            bound = folder / f"{name}-bound.rq"
            hubs[name] = hub = hub_label(store, name)
            bound.write_text(bind(saved.text, {"name": hub}), encoding="utf-8")
            cases[f"{name} (name=hub)"] = (bound, ["--saved", name, "--param", f"name={hub}"])
    nquads = folder / "graph.nq"
    with open(nquads, "wb") as out:
        ox.Store.read_only(version).dump(out, format=ox.RdfFormat.N_QUADS)
    done = subprocess.run([sys.executable, "-c", RDFLIB_CHILD, str(nquads), str(int(limit)),
                           json.dumps({case: str(path) for case, (path, _) in cases.items()})],
                          capture_output=True, text=True, cwd=REPO)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(done.stderr[-2000:])
    rdflib_load, rdflib = lines[0], {line["name"]: line["seconds"] for line in lines[1:]}
    rows = [{"measure": "graph", "value": f"{triples:,} triples",
             "note": f"store {location.name}; name=hub: the organization with the most members (alliances), "
                     f"sub-organizations (sub-organizations) or links (others): "
                     f"{', '.join(sorted(set(hubs.values())))}; "
                     f"rdflib parsed {rdflib_load['quads']:,} quads in {rdflib_load['load']:.0f} s; "
                     f"time limit {limit} s per query and way"}]
    kg_cli = [sys.executable, "-m", "kg", "query", "--store", str(location), "--format", "json"]
    ratios, cli_ratios, speedups = [], [], []
    for case, (path, cli_args) in cases.items():
        library = in_child([sys.executable, "-c", IN_PROCESS, "library", str(location), version, str(path)], limit)
        direct = in_child([sys.executable, "-c", IN_PROCESS, "pyoxigraph", str(location), version, str(path)], limit)
        cli = process = None
        if library is not None or direct is not None:  # else both would only run into the limit again
            runs = 3 if max(r["seconds"] for r in (library, direct) if r) < 2 else 1
            cli = process_seconds(kg_cli + cli_args, limit, runs)
            process = process_seconds([sys.executable, "-c", PYOXIGRAPH_PROCESS, version, str(path)], limit, runs)
        lib_s = library["seconds"] if library else None
        ox_s = direct["seconds"] if direct else None
        slow = rdflib.get(case, "missing")
        notes, met = [f"pyoxigraph {_ms(ox_s, limit)}"], None
        if lib_s is not None and ox_s is not None:
            ratio = lib_s / ox_s
            ratios.append(ratio)
            notes[0] += f" ({ratio:.2f} ×)"
            met = ratio <= 1.2
        if slow == "missing":
            notes.append("rdflib: no result")
        elif lib_s is not None:
            speedup = (slow if slow is not None else limit) / lib_s
            speedups.append(speedup)
            notes.append(f"rdflib {_ms(slow, limit)} ({'>' if slow is None else ''}{speedup:,.0f} × slower)")
            met = (met if met is not None else True) and speedup >= 10
        else:
            notes.append(f"rdflib {_ms(slow, limit)}")
        if cli is not None and process is not None:
            cli_ratios.append(cli / process)
            notes.append(f"CLI {cli * 1000:,.0f} ms vs pyoxigraph process {process * 1000:,.0f} ms "
                         f"({cli / process:.2f} ×)")
        else:
            notes.append(f"CLI {_ms(cli, limit)}, pyoxigraph process {_ms(process, limit)}")
        rows.append({"measure": f"{case}: kg library", "value": _ms(lib_s, limit),
                     "target": "≤ 1.2 × pyoxigraph; ≥ 10 × faster than rdflib", "met": met,
                     "note": f"{library['rows'] if library else '?'} rows; " + "; ".join(notes)})
    if ratios:
        rows.append({"measure": "all queries: kg library / pyoxigraph", "value": f"median {statistics.median(ratios):.2f}, "
                     f"worst {max(ratios):.2f}", "unit": "×", "target": "≤ 1.2", "met": max(ratios) <= 1.2})
    if cli_ratios:
        rows.append({"measure": "all queries: kg CLI / pyoxigraph process", "value": f"median "
                     f"{statistics.median(cli_ratios):.2f}, worst {max(cli_ratios):.2f}", "unit": "×",
                     "target": "≤ 1.2", "met": max(cli_ratios) <= 1.2, "note": "both include Python start-up"})
    if speedups:
        rows.append({"measure": "all queries: rdflib in memory / kg library", "value": f"median "
                     f"{statistics.median(speedups):,.0f}, least {min(speedups):,.0f}", "unit": "×",
                     "target": "≥ 10", "met": min(speedups) >= 10})
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for row in run(args.quick):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
