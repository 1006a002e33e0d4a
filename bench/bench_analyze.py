"""Benchmark `kg analyze` on a synthetic graph beside plain networkx.

Builds a Barabási–Albert graph (seeded) in the ontology's terms as an
N-Triples file (types, labels, qualified links with one evidence each, direct
triples), loads it with `kg import FILE --store DIR`, times `kg analyze
summary`, `centrality` (sampled betweenness, k = 256) and `communities` as
separate processes (each with its own peak memory), then times plain networkx
on the same projected graph in the same run, and prints a Markdown table.

    .venv/bin/python bench/bench_analyze.py --quick          # 10,000 units, ~50,000 links
    .venv/bin/python bench/bench_analyze.py                   # 100,000 units, ~500,000 links (~20 min)
    .venv/bin/python bench/bench_analyze.py --skip-networkx   # only the kg side
    .venv/bin/python bench/bench_analyze.py --workdir W --reuse --skip-networkx   # again on the same graph

The first `kg analyze` command projects the store (SPARQL → networkx) and
caches the projection in the store folder; the next ones read the cache. The
suite total counts all three processes, interpreter start and imports included.
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
    start, cpu = time.perf_counter(), time.process_time()
    value = func()
    rows.append({"step": label, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, **extra})
    print(f"  {label}: {rows[-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
    return value


def plain_networkx(store_dir: str, k: int, seed: int) -> list[dict]:
    """The same analyses with networkx alone, on the same projected graph."""
    import networkx as nx

    from kg.project import project
    from kg.store import open_store

    graph = project(open_store(store_dir))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 units instead of 100,000")
    parser.add_argument("--nodes", type=int, default=None)
    parser.add_argument("--m", type=int, default=5, help="links per new unit (Barabási–Albert)")
    parser.add_argument("--k", type=int, default=256, help="sampled sources for betweenness")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-networkx", action="store_true")
    parser.add_argument("--workdir", default=None, help="keep the N-Triples file and store here")
    parser.add_argument("--json", default=None, help="also write the measurements to this file")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the graph already generated and imported in --workdir (its projection cache is removed)")
    args = parser.parse_args()
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
        seconds, peak, cpu = run_kg(["import", str(data), "--store", store])
        rows.append({"step": "kg import", "seconds": seconds, "cpu": cpu, "peak_mib": peak})
        meta.write_text(json.dumps([n, m]))
    suite = [
        ("kg analyze summary", ["analyze", "summary", "--store", store, "--format", "csv"]),
        (f"kg analyze centrality (k={args.k})",
         ["analyze", "centrality", "--store", store, "--k", str(args.k), "--format", "csv", "--top", "20"]),
        ("kg analyze communities", ["analyze", "communities", "--store", store, "--format", "csv"]),
    ]
    kg_total = kg_cpu = 0.0
    for label, command in suite:
        seconds, peak, cpu = run_kg(command)
        kg_total += seconds
        kg_cpu += cpu
        rows.append({"step": label, "seconds": seconds, "cpu": cpu, "peak_mib": peak})
        print(f"  {label}: {seconds:.1f} s ({cpu:.1f} s CPU), {peak} MiB", file=sys.stderr, flush=True)
    rows.append({"step": "kg suite total (3 processes, projection included)", "seconds": kg_total, "cpu": kg_cpu})

    # The projection alone, in process, for reference.
    from kg.project import project
    from kg.store import open_store

    timed("projection without cache (SPARQL → networkx), in process", lambda: project(open_store(store), cache=False),
          rows)
    if not args.skip_networkx:
        nx_rows = plain_networkx(store, args.k, args.seed)
        rows += nx_rows
        nx_total = sum(r["seconds"] for r in nx_rows)
        nx_cpu = sum(r["cpu"] for r in nx_rows)
        rows.append({"step": "plain networkx total (projection excluded)", "seconds": nx_total, "cpu": nx_cpu,
                     "note": f"kg suite / networkx = 1/{nx_total / kg_total:.1f} wall, 1/{nx_cpu / kg_cpu:.1f} CPU"})

    print(f"\n{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node() or 'machine'}, "
          f"{os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f}, "
          f"Python {platform.python_version()}; "
          f"graph: {n:,} units, {m:,} links (Barabási–Albert m={args.m}, seed {args.seed})\n")
    print("| step | wall s | CPU s | peak memory (MiB) | note |\n| --- | ---: | ---: | ---: | --- |")
    for row in rows:
        cpu = f"{row['cpu']:.1f}" if "cpu" in row else ""
        print(f"| {row['step']} | {row['seconds']:.1f} | {cpu} | {row.get('peak_mib', '')} | {row.get('note', '')} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
