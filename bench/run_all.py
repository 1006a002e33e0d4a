"""Run every benchmark side by side in one run and write the table to bench/RESULTS.md.

    .venv/bin/python bench/run_all.py --quick                 # small sizes: a smoke test (a few minutes)
    .venv/bin/python bench/run_all.py                         # the real sizes (about 30 minutes on 2 cores)
    .venv/bin/python bench/run_all.py --only build query      # some sections

Plugging in a benchmark: add ``(section name, module name)`` to REGISTRY; the
module (a file in bench/) exposes ``run(quick: bool) -> list[dict]``, each
row a dict with ``measure`` and ``value`` and optionally ``unit``, ``target``
(text), ``met`` (True, False or None) and ``note``. A section that fails is
reported as failed in the table; the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import shlex
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "RESULTS.md"

REGISTRY: list[tuple[str, str]] = [
    ("Extraction speed (one core)", "run_all:extraction_rows"),
    ("Build", "bench_build"),
    ("Query latency", "bench_query"),
    ("Maps", "bench_maps"),
    ("Server", "bench_serve"),
]

PACKAGES = ("pyoxigraph", "oxrdflib", "rdflib", "networkx", "igraph", "jieba", "opencc", "pyahocorasick", "cpca",
            "tqdm", "dask", "distributed", "click", "pyshacl")


# ---------------------------------------------------------------- extraction (bench/bench_extract.py)


def extraction_rows(quick: bool) -> list[dict]:
    """Run bench/bench_extract.py (the extraction team's script) and read its figures.

    Uses its ``run(quick)`` when it has one; else runs it and parses the
    "ingest+extract" and "jieba.lcut" lines of each corpus (columns: CPU
    seconds, M chars/s, wall seconds). The target here: extraction at least
    5 × jieba's characters per second.
    """
    sys.path.insert(0, str(BENCH))
    module = importlib.import_module("bench_extract")
    if hasattr(module, "run"):
        return module.run(quick)
    target = "300000" if quick else "3000000"
    done = subprocess.run([sys.executable, str(BENCH / "bench_extract.py"), "--target-chars", target],
                          capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    rows, corpus, chars = [], None, ""
    speeds: dict[str, float] = {}
    for line in done.stdout.splitlines():
        header = re.match(r"^\[(.+?)\].*?([\d,]+) cleaned char", line)
        if header:
            corpus, chars, speeds = header.group(1), header.group(2), {}
        speed = re.match(r"^\s+(ingest\+extract|jieba\.lcut)\s+([\d.]+)\s+([\d.]+)", line)
        if not (speed and corpus):
            continue
        speeds[speed.group(1)] = float(speed.group(3))
        if len(speeds) == 2:
            extract, jieba = speeds["ingest+extract"], speeds["jieba.lcut"]
            rows.append({"measure": f"{corpus}: read + extract", "value": round(extract, 3), "unit": "M chars/s",
                         "note": f"{chars} characters, CPU time of one core"})
            rows.append({"measure": f"{corpus}: jieba precise mode (lcut)", "value": round(jieba, 3),
                         "unit": "M chars/s"})
            rows.append({"measure": f"{corpus}: extraction speed / jieba speed", "value": round(extract / jieba, 2),
                         "unit": "×", "target": "≥ 5", "met": extract / jieba >= 5})
            corpus = None
    if not rows:
        raise RuntimeError("bench_extract.py printed no figures:\n" + done.stdout[-2000:])
    return rows


# ---------------------------------------------------------------- machine and table


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cores": os.cpu_count()}
    try:
        info["cores usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        meminfo = Path("/proc/meminfo").read_text()
        total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
        info["memory"] = f"{total_kb / 1024 / 1024:.1f} GB"
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        info["cpu"] = cpu.group(1).strip() if cpu else platform.processor()
    except (OSError, AttributeError):
        pass
    info["load average at start"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    info["packages"] = ", ".join(versions)
    return info


def _cell(value) -> str:
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def render(sections: list[tuple[str, list[dict], str | None, float]], info: dict, command: str, started: str) -> str:
    lines = ["# Benchmark results", "",
             "Written by `bench/run_all.py`; every figure below was measured in the run described here.", "",
             f"- Date: {started}", f"- Command: `{command}`"]
    lines += [f"- {key.capitalize()}: {value}" for key, value in info.items()]
    lines += ["", "| section | measure | value | target | met | note |", "| --- | --- | --- | --- | --- | --- |"]
    for name, rows, error, seconds in sections:
        if error:
            lines.append(f"| {name} | failed | — | | | {_cell(error.strip().splitlines()[-1] if error.strip() else error)} |")
            continue
        for row in rows:
            met = {True: "yes", False: "**no**", None: ""}[row.get("met")]
            value = f"{_cell(row.get('value'))} {row.get('unit', '')}".strip()
            lines.append(f"| {name} | {_cell(row['measure'])} | {value} | {_cell(row.get('target', ''))} | {met} | "
                         f"{_cell(row.get('note', ''))} |")
    lines += ["", "Section times: " + ", ".join(f"{name} {seconds:.0f} s" for name, _, _, seconds in sections), ""]
    return "\n".join(lines)


def _load(spec: str):
    module_name, _, attr = spec.partition(":")
    if module_name == "run_all":
        return globals()[attr]
    module = importlib.import_module(module_name)
    return getattr(module, attr or "run")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--only", nargs="*", metavar="MODULE", help="run only these registry modules (e.g. bench_build)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BENCH))
    sys.path.insert(0, str(REPO))
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/run_all.py", *(argv or sys.argv[1:])])
    sections = []
    for name, spec in REGISTRY:
        if args.only and spec.partition(":")[0] not in args.only and spec not in args.only:
            continue
        print(f"== {name} ({spec})", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        try:
            rows, error = _load(spec)(args.quick), None
        except Exception:  # noqa: BLE001 - one failing benchmark must not hide the others
            rows, error = [], traceback.format_exc()
            print(error, file=sys.stderr)
        sections.append((name, rows, error, time.perf_counter() - begun))
        for row in rows:
            print(f"   {row['measure']}: {row.get('value')} {row.get('unit', '')}", file=sys.stderr, flush=True)
    args.output.write_text(render(sections, info, command, started), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
