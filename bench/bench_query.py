"""Query latency of the saved queries: kg (library and CLI) against pyoxigraph directly and rdflib in memory.

On the largest store bench/bench_build.py left in ``$KG_BENCH_WORK`` (10,000
articles; 200 with --quick; built here when missing), every saved query
(``ontology/queries/*.rq``) runs without parameters, and a query with a
``name`` parameter runs once more bound to the organization with the most
links (most members for alliances, most sub-organizations for
sub-organizations), as ``kg query --saved partners-of --param name=…`` is
meant to be used. Each is timed five ways, every way in a child process:

- kg library: ``kg.store.open_store(S).query(text)``, and
- pyoxigraph: ``pyoxigraph.Store.read_only(version).query(text, use_default_graph_as_union=True)``,
  every solution read: both in one child process, taking turns (which goes
  first alternates), so both see the same process, caches and machine load;
  median of several runs after a warm-up (51 under 10 ms; a query over 2 s:
  its one run), wall and CPU time;
- kg CLI: ``kg query --saved NAME --store S --format json`` as a new process
  (start-up, imports and printing count), median of 5 (1 for queries over 2 s),
  wall time and the child's CPU time;
- pyoxigraph process: a new Python process that opens the store, runs the
  query and prints the rows as JSON (the output ``kg query --format json``
  gives), the same way;
- rdflib: the same quads parsed into rdflib's default in-memory store
  (``Dataset(default_union=True)``), each query run by rdflib's own engine and
  stopped when its CPU time passes 10 × the kg library's CPU time + 1 s: a query
  stopped there is more than 10 × slower than kg, so the target is shown
  without waiting for rdflib to finish.

Ratios are taken on CPU time (the machine is shared: wall time follows its
load); the wall times and the load average are in the notes.

    .venv/bin/python bench/bench_query.py --quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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

LIMIT = {True: 15, False: 20}  # seconds per query and kg or pyoxigraph way (quick, full)
RDFLIB_FACTOR, RDFLIB_FLOOR = 10, 1.0  # rdflib's CPU-time limit: 10 × kg's CPU time + 1 s

# Times one query in this child, kg library and pyoxigraph taking turns: warm-up, then the median of a few runs.
IN_PROCESS = """
import json, statistics, sys, time
store_path, version, query_path = sys.argv[1:4]
text = open(query_path, encoding="utf-8").read()
from kg.store import open_store
import pyoxigraph as ox
kg_store, ox_store = open_store(store_path), ox.Store.read_only(version)
ways = {"library": lambda: kg_store.query(text).rows,
        "direct": lambda: [tuple(s) for s in ox_store.query(text, use_default_graph_as_union=True)]}
def timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    rows = len(run())
    return time.perf_counter() - wall, time.process_time() - cpu, rows
first = {name: timed(run) for name, run in ways.items()}
slowest = max(r[0] for r in first.values())
runs = {name: [] for name in ways}
for turn in range(51 if slowest < 0.01 else 5 if slowest < 0.2 else 3 if slowest < 2 else 0):
    for name in (list(ways) if turn % 2 == 0 else list(ways)[::-1]):
        runs[name].append(timed(ways[name]))
out = {}
for name in ways:
    measured = runs[name] or [first[name]]  # a query over 2 s is timed once: its warm-up is the measurement
    out[name] = {"seconds": statistics.median(r[0] for r in measured),
                 "cpu": statistics.median(r[1] for r in measured), "rows": first[name][2]}
print(json.dumps(out))
"""

PYOXIGRAPH_PROCESS = """
import json, sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
solutions = store.query(open(sys.argv[2], encoding="utf-8").read(), use_default_graph_as_union=True)
names = [v.value for v in solutions.variables]
rows = [{n: None if t is None else t.value for n, t in zip(names, s)} for s in solutions]
print(json.dumps(rows, ensure_ascii=False, indent=2))
"""

RDFLIB_CHILD = """
import json, signal, sys, time
from rdflib import Dataset
started = time.perf_counter()
data = Dataset(default_union=True)
data.parse(sys.argv[1], format="nquads")
print(json.dumps({"load": time.perf_counter() - started, "quads": len(data)}), flush=True)
class Late(Exception):
    pass
def late(*_):
    raise Late()
signal.signal(signal.SIGPROF, late)  # ITIMER_PROF counts this process's CPU time
for name, (path, limit) in json.loads(sys.argv[2]).items():
    text = open(path, encoding="utf-8").read()
    times = []
    try:
        for _ in range(2):
            begun = time.process_time()
            signal.setitimer(signal.ITIMER_PROF, limit)
            rows = len(list(data.query(text)))
            signal.setitimer(signal.ITIMER_PROF, 0)
            times.append(time.process_time() - begun)
            if times[-1] > 2:
                break
        print(json.dumps({"name": name, "cpu": min(times), "rows": rows, "limit": limit}), flush=True)
    except Late:
        signal.setitimer(signal.ITIMER_PROF, 0)
        print(json.dumps({"name": name, "cpu": None, "limit": limit}), flush=True)
"""


def in_child(command: list[str], limit: float) -> dict:
    """Run a timing child: {way: timing or None when one run of the query passed the time limit}.

    The child also starts Python and opens the store, and repeats fast queries
    for both ways: it gets four times the limit, and each measured run is held
    to the limit itself.
    """
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=WORK, env=child_env(), timeout=4 * limit)
    except subprocess.TimeoutExpired:
        return {"library": None, "direct": None}
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {way: None if timing["seconds"] > limit else timing for way, timing in result.items()}


def process_seconds(command: list[str], limit: float, runs: int = 5) -> tuple[float, float] | None:
    """Median wall and CPU time of a whole process (start-up included); None past the limit."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        begun = time.perf_counter()
        try:
            subprocess.run(command, check=True, capture_output=True, cwd=WORK, env=child_env(), timeout=limit)
        except subprocess.TimeoutExpired:
            return None
        walls.append(time.perf_counter() - begun)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if walls[-1] > limit / 3:
            break
    return statistics.median(walls), statistics.median(cpus)


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


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _rdflib(nquads: Path, limits: dict[str, tuple[str, float]]) -> tuple[dict, dict[str, dict]]:
    """rdflib's load and, per case, its CPU time (None when stopped at the case's limit)."""
    done = subprocess.run([sys.executable, "-c", RDFLIB_CHILD, str(nquads), json.dumps(limits)],
                          capture_output=True, text=True, cwd=REPO)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(done.stderr[-2000:])
    return lines[0], {line["name"]: line for line in lines[1:]}


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
    load_start = _load()
    kg_cli = [sys.executable, "-m", "kg", "query", "--store", str(location), "--format", "json"]
    timings: dict[str, dict] = {}
    for case, (path, cli_args) in cases.items():
        timed = in_child([sys.executable, "-c", IN_PROCESS, str(location), version, str(path)], limit)
        library, direct = timed["library"], timed["direct"]
        cli = process = None
        if library is not None or direct is not None:  # else both would only run into the limit again
            runs = 5 if max(r["seconds"] for r in (library, direct) if r) < 2 else 1
            cli = process_seconds(kg_cli + cli_args, limit, runs)
            process = process_seconds([sys.executable, "-c", PYOXIGRAPH_PROCESS, version, str(path)], limit, runs)
        timings[case] = {"library": library, "direct": direct, "cli": cli, "process": process}
    load_kg = _load()

    # rdflib last: each case is stopped at 10 × kg's CPU time + a floor, so a stop shows the target.
    nquads = folder / "graph.nq"
    with open(nquads, "wb") as out:
        ox.Store.read_only(version).dump(out, format=ox.RdfFormat.N_QUADS)
    limits = {case: (str(path), RDFLIB_FACTOR * timings[case]["library"]["cpu"] + RDFLIB_FLOOR)
              for case, (path, _) in cases.items() if timings[case]["library"] is not None}
    rdflib_load, rdflib = _rdflib(nquads, limits)

    rows = [{"measure": "graph", "value": f"{triples:,} triples",
             "note": f"store {location.name}; name=hub: the organization with the most members (alliances), "
                     f"sub-organizations (sub-organizations) or links (others): "
                     f"{', '.join(sorted(set(hubs.values())))}; "
                     f"rdflib parsed {rdflib_load['quads']:,} quads in {rdflib_load['load']:.0f} s; "
                     f"kg and pyoxigraph stopped at {limit} s, rdflib at {RDFLIB_FACTOR} × kg's CPU time "
                     f"+ {RDFLIB_FLOOR:g} s of CPU; times are CPU time unless marked wall; load average "
                     f"{load_start} at the start, {load_kg} after the kg runs, {_load()} at the end"}]
    ratios, cli_ratios, speedups, shown = [], [], [], []
    for case, timing in timings.items():
        library, direct, cli, process = (timing[k] for k in ("library", "direct", "cli", "process"))
        lib_s = library["cpu"] if library else None
        ox_s = direct["cpu"] if direct else None
        notes, met = [f"wall {_ms(library['seconds'], limit)}" if library else "wall ?",
                      f"pyoxigraph {_ms(ox_s, limit)}"], None
        if lib_s is not None and ox_s is not None:
            ratio = lib_s / ox_s if ox_s > 0 else 1.0
            ratios.append(ratio)
            notes[1] += f" ({ratio:.2f} ×; wall {_ms(direct['seconds'], limit)})"
            met = ratio <= 1.2
        slow = rdflib.get(case)
        if slow is None:
            notes.append("rdflib: no result")
        elif slow["cpu"] is None:
            bound = slow["limit"] / lib_s
            shown.append(bound)
            notes.append(f"rdflib stopped at {slow['limit'] * 1000:,.0f} ms (> {bound:,.0f} × slower)")
            met = (met if met is not None else True) and bound >= 10
        else:
            speedup = slow["cpu"] / lib_s if lib_s > 0 else float("inf")
            speedups.append(speedup)
            notes.append(f"rdflib {slow['cpu'] * 1000:,.1f} ms ({speedup:,.0f} × slower)")
            met = (met if met is not None else True) and speedup >= 10
        if cli is not None and process is not None:
            cli_ratios.append(cli[1] / process[1])
            notes.append(f"CLI {cli[1] * 1000:,.0f} ms vs pyoxigraph process {process[1] * 1000:,.0f} ms "
                         f"({cli[1] / process[1]:.2f} ×; wall {cli[0] * 1000:,.0f} vs {process[0] * 1000:,.0f} ms)")
        else:
            notes.append(f"CLI {_ms(cli and cli[1], limit)}, pyoxigraph process {_ms(process and process[1], limit)}")
        rows.append({"measure": f"{case}: kg library", "value": _ms(lib_s, limit),
                     "target": "≤ 1.2 × pyoxigraph; ≥ 10 × faster than rdflib", "met": met,
                     "note": f"{library['rows'] if library else '?'} rows; " + "; ".join(notes)})
    if ratios:
        rows.append({"measure": "all queries: kg library / pyoxigraph", "value": f"median {statistics.median(ratios):.2f}, "
                     f"worst {max(ratios):.2f}", "unit": "×", "target": "≤ 1.2", "met": max(ratios) <= 1.2})
    if cli_ratios:
        rows.append({"measure": "all queries: kg CLI / pyoxigraph process", "value": f"median "
                     f"{statistics.median(cli_ratios):.2f}, worst {max(cli_ratios):.2f}", "unit": "×",
                     "target": "≤ 1.2", "met": max(cli_ratios) <= 1.2,
                     "note": "CPU time of the whole process, Python start-up included"})
    if speedups or shown:
        least = min(speedups + shown)
        rows.append({"measure": "all queries: rdflib in memory / kg library",
                     "value": f"{len(speedups) + len(shown)} cases: {len(shown)} stopped past 10 × kg, "
                              f"{len(speedups)} finished (median {statistics.median(speedups) if speedups else 0:,.0f} ×, "
                              f"least {min(speedups) if speedups else 0:,.0f} ×)",
                     "target": "≥ 10 ×", "met": least >= 10})
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
