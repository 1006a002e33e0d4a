"""Build benchmarks: full builds of generated corpora, 1 job against 2, extraction alone, incremental rebuild.

Each measured step runs in a fresh process (``kg build`` through the CLI, as
users run it), which reports its wall time and the peak resident memory of
itself and of its largest child process: an extraction worker, or the child
that writes the extraction cache, a fork whose resident size counts the pages
it shares with the main process (``getrusage`` RUSAGE_SELF and
RUSAGE_CHILDREN). Corpora come from bench/corpus_gen.py (seeded) and are kept
with the stores under ``$KG_BENCH_WORK`` (default: a ``kg-bench`` folder in the
temporary directory), where bench/bench_query.py finds the largest store.
The measured processes run a snapshot of the tree installed at the start
(see ``child_env``), from outside the repository.

    .venv/bin/python bench/bench_build.py --quick      # 200 articles
    .venv/bin/python bench/bench_build.py              # 1,000 and 10,000 articles (about 15 minutes on 2 cores)
    .venv/bin/python bench/bench_build.py --sizes 10000 --no-one-job --repeat 3   # the 10,000 build and its rebuilds
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
WORK = Path(os.environ.get("KG_BENCH_WORK") or Path(tempfile.gettempdir()) / "kg-bench")
ADDED = 10  # articles added for the incremental rebuild

# Runs one Python statement (or the `kg` program, through its entry point) in this child and reports wall time,
# peak memory and CPU. The `kg` program ends its process with os._exit once its output is written
# (kg.cli.options.end_program): the report is printed then, by this process only (not by its forked children).
# The report's functions live in a namespace of their own: functions defined in __main__ (whose globals hold what
# the statement made) slowed this process's exit by 0.5 s after reading 10,000 articles.
RUNNER = """
import json, os, resource, sys, time
start = time.perf_counter()
hook = {"os": os, "json": json, "resource": resource, "sys": sys, "time": time, "start": start,
        "pid": os.getpid(), "end": os._exit}
exec('''
def report(code):
    seconds = time.perf_counter() - start
    sys.stdout.flush()
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    print("BENCH " + json.dumps({"seconds": seconds, "self_kb": own.ru_maxrss, "children_kb": workers.ru_maxrss,
                                 "cpu": cpu, "code": code}), file=sys.stderr, flush=True)


def reported_exit(code):
    if os.getpid() == pid:
        report(code)
    end(code)
''', hook)
os._exit = hook["reported_exit"]
code = 0
try:
    if sys.argv[1] == "kg":
        from kg.entry import run
        sys.argv = ["kg", *sys.argv[2:]]
        run()
    else:
        exec(sys.argv[2])
except SystemExit as stop:
    code = stop.code or 0
hook["report"](code)
"""


_ENV: dict[str, str] | None = None


def child_env() -> dict[str, str]:
    """Environment of the measured processes: a frozen, non-editable install of the tree.

    Made once per run (``pip install --no-deps --target``), so every step of a
    run measures the same code even while the work tree changes, and so the
    extraction cache, keyed by a digest of the code, stays valid between builds.
    """
    global _ENV
    if _ENV is None:
        target = WORK / "snapshot"
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                        "--no-index", "--target", str(target), str(REPO)], check=True, cwd=WORK, capture_output=True)
        _ENV = {**os.environ, "PYTHONPATH": str(target)}
        _ENV.pop("KG_STORE", None)
    return _ENV


def measure(*args: str) -> dict:
    """Run ``kg ARGS`` (first arg "kg") or a Python statement (first arg "py") in a fresh process."""
    env = child_env()  # before the clock starts: the first call installs the snapshot (about a second)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER, *args], capture_output=True, text=True, cwd=WORK, env=env)
    wall = time.perf_counter() - started
    lines = [line for line in done.stderr.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(args)[:200]} failed:\n{done.stderr[-3000:]}")
    report = json.loads(lines[-1][len("BENCH "):])
    report["wall"] = wall  # including interpreter start-up and imports
    report["stdout"] = done.stdout
    return report


def corpus(size: int, seed: int = 1) -> Path:
    """The generated corpus of ``size`` articles (made once, then reused)."""
    sys.path.insert(0, str(BENCH))
    from corpus_gen import generate

    folder = WORK / f"corpus-{size}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(size, folder, seed=seed)
        marker.write_text("ok")
    return folder


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def build_once(folder: Path, store: Path, jobs: int, *extra: str) -> dict:
    report = measure("kg", "build", str(folder), "--store", str(store), "--no-curation", "--no-progress",
                     "--format", "json", "--jobs", str(jobs), *extra)
    summary = json.loads(report["stdout"])
    report["summary"] = summary
    return report


def _row(measure_name: str, value, unit: str = "", target: str = "", met: bool | None = None, note: str = "") -> dict:
    return {"measure": measure_name, "value": value, "unit": unit, "target": target, "met": met, "note": note}


def extraction_alone(folder: Path, jobs: int) -> dict:
    """Read and extract every article (no cache, no resolution, no store): the reference of the 2x target."""
    statement = (f"from kg.build import collect; docs = collect([{str(folder)!r}], jobs={jobs}); "
                 "print(len(docs))")
    return measure("py", statement)


def bench_size(size: int, *, one_job: bool, incremental: bool, repeat: int = 1) -> list[dict]:
    folder = corpus(size)
    rows: list[dict] = []
    alone = extraction_alone(folder, 2)
    store = WORK / f"store-{size}"
    shutil.rmtree(store, ignore_errors=True)
    two = build_once(folder, store, 2)
    summary = two["summary"]
    version = store / "versions" / summary["version"]
    organizations = sum(summary["organizations_by_type"].values())
    links = sum(summary["links_by_type"].values())
    label = f"{size:,} articles"
    rows.append(_row(f"{label}: graph", f"{organizations:,} organizations, {links:,} links, "
                     f"{summary['triples']:,} triples"))
    rows.append(_row(f"{label}: extraction alone (read + extract, 2 jobs)", round(alone["wall"], 2), "s",
                     note=f"CPU {alone['cpu']:.1f} s"))
    ratio = two["wall"] / alone["wall"]
    rows.append(_row(f"{label}: full build, 2 jobs", round(two["wall"], 1), "s",
                     "≤ 2 × extraction alone", ratio <= 2.0, f"{ratio:.2f} × extraction alone "
                     f"(CPU {two['cpu']:.1f} s against {alone['cpu']:.1f} s); steps (s): "
                     + ", ".join(f"{k} {v:.1f}" for k, v in summary["timings"].items())
                     + "; load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())))
    rows.append(_row(f"{label}: build rate, 2 jobs", round(size / two["wall"], 1), "articles/s"))
    rows.append(_row(f"{label}: peak memory, 2 jobs", round(two["self_kb"] / 1024),
                     "MB", note=f"main process; largest child {two['children_kb'] // 1024} MB (a worker, or the cache "
                          "writer: a fork, counting pages it shares with the main process)"))
    rows.append(_row(f"{label}: store size", round(folder_mb(store), 1), "MB",
                     note=f"database {folder_mb(version):.1f} MB, resolved.json "
                          f"{(store / 'versions' / (summary['version'] + '.resolved.json')).stat().st_size / 1e6:.1f} MB, "
                          f"extraction cache {folder_mb(store / 'cache'):.1f} MB; corpus {folder_mb(folder):.1f} MB"))
    if one_job:
        one = build_once(folder, WORK / f"store-{size}-1job", 1)
        shutil.rmtree(WORK / f"store-{size}-1job", ignore_errors=True)
        speedup = one["wall"] / two["wall"]
        rows.append(_row(f"{label}: full build, 1 job", round(one["wall"], 1), "s",
                         note=f"CPU {one['cpu']:.1f} s (2 jobs: {two['cpu']:.1f} s); load average "
                              + ", ".join(f"{x:.1f}" for x in os.getloadavg())))
        rows.append(_row(f"{label}: speed-up of 2 jobs over 1", round(speedup, 2), "×", "≥ 1.7", speedup >= 1.7,
                         "steps with 1 job (s): " + ", ".join(f"{k} {v:.1f}" for k, v in one["summary"]["timings"].items())))
    if incremental:
        rows += incremental_rows(folder, store, size, label, two, repeat)
    return rows


def walls(reports: list[dict]) -> str:
    return ", ".join(f"{r['wall']:.2f}" for r in reports)


def incremental_rows(folder: Path, store: Path, size: int, label: str, full: dict, repeat: int) -> list[dict]:
    """Add ADDED articles and rebuild, delete them and rebuild, ``repeat`` times; medians against the full build.

    Shares are given for wall time (the target) and for CPU time (the build's
    processes only, its scan child included: on a shared machine the wall
    time also measures the others).
    """
    from statistics import median

    sys.path.insert(0, str(BENCH))
    from corpus_gen import generate

    runs: dict[str, list[dict]] = {"adding": [], "deleting": []}
    for cycle in range(repeat):
        added = generate(ADDED, folder, seed=1, start=size + cycle * ADDED)  # new articles every cycle
        try:
            runs["adding"].append(build_once(folder, store, 2))
        finally:
            for path in added:
                path.unlink()
        # The store now holds the extra articles: rebuild it as it was (for the query benchmark), timed too.
        runs["deleting"].append(build_once(folder, store, 2))
    rows = []
    for what, reports in runs.items():
        wall = median(r["wall"] for r in reports)
        cpu = median(r["cpu"] for r in reports)
        last = reports[-1]["summary"]
        share, cpu_share = wall / full["wall"], cpu / full["cpu"]
        name = f"{label}: incremental rebuild after " + (f"adding {ADDED}" if what == "adding" else f"deleting those {ADDED}")
        rows.append(_row(name, round(wall, 2), "s", "≤ 5 % of the full build", share <= 0.05,
                         f"median of {len(reports)} ({walls(reports)} s); "
                         f"{share:.1%} of the full build's {full['wall']:.1f} s; CPU {cpu:.2f} s, "
                         f"{cpu_share:.1%} of the full build's {full['cpu']:.1f} s CPU; "
                         f"resolution {last.get('resolution', '?')}, {last['extracted']} extracted, {last['load']} load, "
                         f"{last['changed']} nodes rewritten; steps (s): "
                         + ", ".join(f"{k} {v:.2f}" for k, v in last["timings"].items())
                         + "; load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())))
    return rows


CALIBRATION = """
import json, sys, time
from concurrent.futures import ProcessPoolExecutor
def burn(n):
    total = 0
    for i in range(n):
        total += i * i
    return total
if __name__ == "__main__":
    work = [3_000_000] * 8
    begun = time.perf_counter(); [burn(n) for n in work]; one = time.perf_counter() - begun
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(burn, [1, 1]))
        begun = time.perf_counter(); list(pool.map(burn, work)); two = time.perf_counter() - begun
    print(json.dumps({"one": one, "two": two}))
"""


def calibration() -> dict:
    """What 2 processes give over 1 on this machine right now, for a pure-Python loop (no I/O, no kg)."""
    script = WORK / "calibration.py"
    script.write_text(CALIBRATION, encoding="utf-8")
    speedups = []
    for _ in range(3):
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
        times = json.loads(done.stdout)
        speedups.append(times["one"] / times["two"])
    return _row("machine: 2 processes over 1 on a pure CPU loop", round(sorted(speedups)[1], 2), "×",
                note="median of 3 (" + ", ".join(f"{x:.2f}" for x in speedups) + "); the ceiling to expect for kg's 2-job "
                     "speed-up on this machine at this time; load average "
                     + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


def run(quick: bool, sizes: tuple[int, ...] = (1000, 10000), one_job: bool = True, repeat: int = 3) -> list[dict]:
    WORK.mkdir(parents=True, exist_ok=True)
    rows = [calibration()]
    if quick:
        return rows + bench_size(200, one_job=one_job, incremental=True, repeat=repeat)
    for size in sizes:
        rows += bench_size(size, one_job=one_job, incremental=True, repeat=repeat)
    return rows + [calibration()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 articles only")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes (default 1000 10000)")
    parser.add_argument("--no-one-job", action="store_true", help="skip the 1-job build")
    parser.add_argument("--repeat", type=int, default=3,
                        help="incremental add/delete cycles to take the median of (default 3)")
    args = parser.parse_args()
    for row in run(args.quick, tuple(args.sizes), not args.no_one_job, args.repeat):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
