"""Benchmark `kg analyze` on a synthetic graph beside plain networkx.

Builds a Barabási–Albert graph (seeded) in the ontology's terms as an
N-Triples file (types, labels, qualified links with one evidence each, article
counts and confidences as kg.rdf writes them, direct triples), loads it with
`kg import FILE --store DIR`, then times `kg analyze summary`, `centrality`
(sampled betweenness, k = 256) and `communities` as separate processes (wall
time around each process, CPU time and peak memory from `getrusage` in the
child), twice:

- right after `kg import`, which keeps the projection of the version it
  writes (its cost is inside the import row, and measured alone below);
- cold: the projection cache removed first, so the first command projects the
  store itself.

Then plain networkx (density, components, type assortativity, degree,
betweenness k = 256, PageRank, eigenvector, Louvain) runs on the same
projected graph in a child process of its own (CPU time and peak memory of
that process), in the same run. Every row records the 1-minute load average
when it started.

    .venv/bin/python bench/bench_analyze.py --quick          # 10,000 units, ~50,000 links
    .venv/bin/python bench/bench_analyze.py                   # 100,000 units, ~500,000 links (networkx: 20-45 min)
    .venv/bin/python bench/bench_analyze.py --skip-networkx   # only the kg side
    .venv/bin/python bench/bench_analyze.py --workdir W --reuse --skip-networkx   # again on the same graph
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

LJ = "https://w3id.org/lianjian/ontology#"
ID = "https://w3id.org/lianjian/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

RELATIONS = [(LJ + "jointBuildingWith", True), (LJ + "jointDefenseWith", True), (LJ + "cooperatesWith", True)]

# A tiny Python program run in a child process: runs one `kg` command and
# reports its peak memory (ru_maxrss, KiB on Linux) on stderr; the wall time is
# measured around the whole process, interpreter start and imports included.
RUNNER = """
import resource, sys
from kg.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    sys.stdout.flush()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"BENCH {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime:.3f}", file=sys.stderr)
"""


def synthetic_ntriples(path: Path, nodes: int, m: int, seed: int, articles: int) -> tuple[int, int]:
    """Write the graph; returns (organizations, links)."""
    import networkx as nx

    from kg.model import ORG_TYPES

    graph = nx.barabasi_albert_graph(nodes, m, seed=seed)
    rng = random.Random(seed)
    types = [t for t in ORG_TYPES if t != "Alliance"]
    with open(path, "w", encoding="utf-8") as out:
        w = out.write
        for a in range(articles):
            iri = f"<{ID}article/{a:08x}>"
            w(f"{iri} <{RDF_TYPE}> <{LJ}Article> .\n")
            w(f'{iri} <{DCT}title> "合成文章{a}" .\n')
            w(f'{iri} <{DCT}date> "2024-{a % 12 + 1:02d}-{a % 28 + 1:02d}"^^<{XSD}date> .\n')
        for n in graph:
            iri = f"<{ID}org/u{n}>"
            w(f"{iri} <{RDF_TYPE}> <{LJ}{rng.choice(types)}> .\n")
            w(f"{iri} <{RDF_TYPE}> <{ORG}Organization> .\n")
            w(f'{iri} <{SKOS}prefLabel> "合成单位{n}"@zh-Hans .\n')
            w(f"{iri} <{LJ}mentionedIn> <{ID}article/{rng.randrange(articles):08x}> .\n")
        for i, (u, v) in enumerate(graph.edges()):
            prop, symmetric = rng.choice(RELATIONS)
            link, ev = f"<{ID}link/l{i}>", f"<{ID}evidence/e{i}>"
            article = f"<{ID}article/{rng.randrange(articles):08x}>"
            su, sv = f"<{ID}org/u{u}>", f"<{ID}org/u{v}>"
            w(f"{link} <{RDF_TYPE}> <{LJ}Link> .\n{link} <{LJ}relation> <{prop}> .\n")
            w(f"{link} <{LJ}source> {su} .\n{link} <{LJ}target> {sv} .\n{link} <{LJ}evidence> {ev} .\n")
            # As kg.rdf writes a link: confidence and article count on the link itself.
            w(f'{link} <{LJ}confidence> "0.900"^^<{XSD}decimal> .\n{link} <{LJ}articleCount> "1"^^<{XSD}integer> .\n')
            w(f"{link} <{PROV}wasDerivedFrom> {article} .\n")
            w(f"{ev} <{RDF_TYPE}> <{LJ}Evidence> .\n{ev} <{LJ}sentence> \"合成单位{u}与合成单位{v}开展联建\"@zh-Hans .\n")
            w(f'{ev} <{PROV}wasDerivedFrom> {article} .\n{ev} <{LJ}confidence> "0.900"^^<{XSD}decimal> .\n')
            w(f"{su} <{prop}> {sv} .\n")
            if symmetric:
                w(f"{sv} <{prop}> {su} .\n")
        return graph.number_of_nodes(), graph.number_of_edges()


def load() -> float:
    return os.getloadavg()[0]


def run_kg(args: list[str]) -> tuple[float, int, float]:
    """Run one `kg` command in a fresh process: (wall seconds, peak MiB, CPU seconds)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", RUNNER, *args], capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    line = [x for x in result.stderr.splitlines() if x.startswith("BENCH ")][-1]
    _, peak, cpu = line.split()
    return seconds, int(peak) // 1024, float(cpu)


def timed(label: str, func, rows: list, **extra) -> object:
    before = load()
    start, cpu = time.perf_counter(), time.process_time()
    value = func()
    rows.append({"step": label, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                 "load": before, **extra})
    print(f"  {label}: {rows[-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
    return value


def plain_networkx(store_dir: str, k: int, seed: int) -> list[dict]:
    """The same analyses with networkx alone, on the same projected graph (projection not timed)."""
    import networkx as nx

    from kg.project import project
    from kg.store import open_store

    graph = project(open_store(store_dir), evidence=False)
    rows: list[dict] = []
    timed("nx summary (density, components, type assortativity)", lambda: (
        nx.density(graph), nx.number_connected_components(graph),
        nx.attribute_assortativity_coefficient(graph, "type")), rows)
    timed("nx degree", lambda: nx.degree_centrality(graph), rows)
    timed(f"nx betweenness k={k}", lambda: nx.betweenness_centrality(graph, k=k, seed=seed), rows)
    timed("nx pagerank", lambda: nx.pagerank(graph, weight="weight"), rows)
    timed("nx eigenvector", lambda: nx.eigenvector_centrality(graph, weight="weight", max_iter=1000), rows)
    parts = timed("nx louvain", lambda: nx.community.louvain_communities(graph, weight="weight", seed=seed), rows)
    rows[-1]["note"] = f"modularity {nx.community.modularity(graph, parts, weight='weight'):.3f}"
    return rows


def run_networkx(store_dir: str, k: int, seed: int) -> tuple[list[dict], int]:
    """plain_networkx in a child process: its rows and that process's peak memory (MiB)."""
    code = (f"import json, resource, sys; sys.path.insert(0, {str(REPO / 'bench')!r}); "
            "from bench_analyze import plain_networkx; "
            f"rows = plain_networkx({store_dir!r}, {k}, {seed}); "
            "print(json.dumps([rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"networkx side failed:\n{result.stderr[-3000:]}")
    sys.stderr.write(result.stderr)
    rows, peak = json.loads(result.stdout.strip().splitlines()[-1])
    return rows, peak // 1024


def run_suite(store: str, k: int, label: str, rows: list) -> tuple[float, float]:
    """The three `kg analyze` commands, each in its own process: (wall, CPU) totals."""
    suite = [
        ("summary", ["analyze", "summary", "--store", store, "--format", "csv"]),
        (f"centrality (k={k})",
         ["analyze", "centrality", "--store", store, "--k", str(k), "--format", "csv", "--top", "20"]),
        ("communities", ["analyze", "communities", "--store", store, "--format", "csv"]),
    ]
    total = cpu_total = 0.0
    for name, command in suite:
        before = load()
        seconds, peak, cpu = run_kg(command)
        total += seconds
        cpu_total += cpu
        rows.append({"step": f"kg analyze {name} ({label})", "seconds": seconds, "cpu": cpu, "peak_mib": peak,
                     "load": before})
        print(f"  kg analyze {name} ({label}): {seconds:.1f} s ({cpu:.1f} s CPU), {peak} MiB", file=sys.stderr,
              flush=True)
    rows.append({"step": f"**kg suite total ({label})**", "seconds": total, "cpu": cpu_total})
    return total, cpu_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 units instead of 100,000")
    parser.add_argument("--nodes", type=int, default=None)
    parser.add_argument("--m", type=int, default=5, help="links per new unit (Barabási–Albert)")
    parser.add_argument("--k", type=int, default=256, help="sampled sources for betweenness")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-networkx", action="store_true")
    parser.add_argument("--skip-evidence-projection", action="store_true",
                        help="do not time the projection with evidence (about 1.5 min of CPU at full size)")
    parser.add_argument("--workdir", default=None, help="keep the N-Triples file and store here")
    parser.add_argument("--json", default=None, help="also write the measurements to this file")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the graph already generated and imported in --workdir (its projection cache is removed)")
    args = parser.parse_args()
    started, start_load = datetime.now(timezone.utc), os.getloadavg()
    nodes = args.nodes or (10_000 if args.quick else 100_000)

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-analyze-"))
    work.mkdir(parents=True, exist_ok=True)
    data, store = work / "synthetic.nt", str(work / "store")
    rows: list[dict] = []
    meta = work / "graph.json"
    if args.reuse and meta.exists() and (work / "store" / "CURRENT").exists():
        n, m = json.loads(meta.read_text())
        shutil.rmtree(work / "store" / "cache" / "projection", ignore_errors=True)  # time a cold projection
        print(f"reusing {n} units, {m} links in {work}", file=sys.stderr, flush=True)
    else:
        shutil.rmtree(work / "store", ignore_errors=True)
        print(f"building {nodes} units in {work}", file=sys.stderr, flush=True)
        n, m = timed("generate N-Triples",
                     lambda: synthetic_ntriples(data, nodes, args.m, args.seed, max(1, nodes // 10)), rows)
        before = load()
        seconds, peak, cpu = run_kg(["import", str(data), "--store", store])
        rows.append({"step": "kg import (keeps the projection)", "seconds": seconds, "cpu": cpu, "peak_mib": peak,
                     "load": before})
        meta.write_text(json.dumps([n, m]))
    projection_dir = work / "store" / "cache" / "projection"
    after_import = None
    if not args.reuse:  # the import just kept the projection of its version
        after_import = run_suite(store, args.k, "right after kg import", rows)
    shutil.rmtree(projection_dir, ignore_errors=True)
    cold = run_suite(store, args.k, "cold: first command projects", rows)

    # What the import spends on keeping the projection, and the projection with evidence, in process.
    from kg.project import project
    from kg.store import open_store

    timed("projection without evidence, no cache (kept by kg import), in process",
          lambda: project(open_store(store), cache=False, evidence=False), rows)
    if not args.skip_evidence_projection:
        timed("projection with evidence (path, ego, maps), no cache, in process",
              lambda: project(open_store(store), cache=False), rows)
    if not args.skip_networkx:
        before = load()
        nx_rows, nx_peak = run_networkx(store, args.k, args.seed)
        rows += nx_rows
        nx_total = sum(r["seconds"] for r in nx_rows)
        nx_cpu = sum(r["cpu"] for r in nx_rows)
        notes = []
        for name, measured in (("right after import", after_import), ("cold", cold)):
            if measured:
                notes.append(f"kg suite {name} = 1/{nx_total / measured[0]:.1f} wall, 1/{nx_cpu / measured[1]:.1f} CPU")
        rows.append({"step": "**plain networkx total** (projection excluded)", "seconds": nx_total, "cpu": nx_cpu,
                     "peak_mib": nx_peak, "load": before, "note": "; ".join(notes)})

    print(f"\nstarted {started:%Y-%m-%d %H:%M} UTC, ended {datetime.now(timezone.utc):%H:%M} UTC, "
          f"{platform.node() or 'machine'}, {os.cpu_count()} cores, load average at the start "
          f"{start_load[0]:.1f}, {start_load[1]:.1f}, {start_load[2]:.1f}, at the end "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}, "
          f"Python {platform.python_version()}; "
          f"graph: {n:,} units, {m:,} links (Barabási–Albert m={args.m}, seed {args.seed})\n")
    print("| step | wall s | CPU s | peak MiB | load avg | note |\n| --- | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        cpu = f"{row['cpu']:.1f}" if "cpu" in row else ""
        average = f"{row['load']:.1f}" if "load" in row else ""
        print(f"| {row['step']} | {row['seconds']:.1f} | {cpu} | {row.get('peak_mib', '')} | {average} "
              f"| {row.get('note', '')} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
