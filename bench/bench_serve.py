"""Load test of ``kg serve``: 8 concurrent clients for 30 s running the saved queries in rotation.

Builds the sample corpus (data/corpus) into a temporary store, starts
``kg serve`` on it as a separate process on a free localhost port, then runs
8 client threads (one httpx connection each) that POST the saved queries
(without parameters, each client starting at a different one) with
``Accept: application/sparql-results+json`` for the duration. Reports
throughput, p50/p99 latency and the error count (any answer but 200, or a
transport error); the target is zero errors.

    .venv/bin/python bench/bench_serve.py                 # 8 clients, 30 s
    .venv/bin/python bench/bench_serve.py --quick         # 5 s
    .venv/bin/python bench/bench_serve.py --clients 16 --seconds 60
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.query import saved_queries  # noqa: E402
from kg.serve import free_port  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def start_server(store: Path, port: int) -> subprocess.Popen:
    kg = Path(sys.executable).with_name("kg")
    command = [str(kg), "serve", "--store", str(store), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited: {process.stderr.read().decode(errors='replace')[-500:]}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=2)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("kg serve did not answer within 60 s")


def load(url: str, clients: int, seconds: float) -> dict:
    queries = [(name, saved.text) for name, saved in saved_queries().items()]
    latencies: list[float] = []
    by_query: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        done = 0
        with httpx.Client(timeout=60, headers={"Accept": "application/sparql-results+json"}) as session:
            while time.monotonic() < stop:
                name, text = queries[(number + done) % len(queries)]
                begun = time.perf_counter()
                try:
                    response = session.post(url, data={"query": text})
                    failure = None if response.status_code == 200 else f"{name}: HTTP {response.status_code}"
                except httpx.HTTPError as error:
                    failure = f"{name}: {type(error).__name__}"
                took = time.perf_counter() - begun
                done += 1
                with lock:
                    latencies.append(took)
                    by_query[name].append(took)
                    if failure:
                        errors.append(failure)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begun
    return {"requests": len(latencies), "seconds": elapsed, "throughput": len(latencies) / elapsed,
            "p50": percentile(latencies, 0.50), "p99": percentile(latencies, 0.99),
            "mean": statistics.fmean(latencies) if latencies else float("nan"),
            "errors": errors, "by_query": by_query, "clients": clients}


def measure(clients: int, seconds: float) -> tuple[dict, dict]:
    from kg.build import build

    with tempfile.TemporaryDirectory(prefix="kg-bench-serve-") as folder:
        store = Path(folder) / "store"
        summary = build([REPO / "data" / "corpus"], store)
        port = free_port()
        server = start_server(store, port)
        try:
            result = load(f"http://127.0.0.1:{port}/sparql", clients, seconds)
        finally:
            server.terminate()
            server.wait(30)
    return result, {"articles": summary.articles_read, "triples": summary.triples}


def run(quick: bool) -> list[dict]:
    """Rows for bench/run_all.py."""
    result, _ = measure(8, 5 if quick else 30)
    return [
        {"measure": f"kg serve, {result['clients']} clients, saved queries", "value": round(result["throughput"], 1),
         "unit": "requests/s"},
        {"measure": "latency p50", "value": round(result["p50"] * 1000, 1), "unit": "ms"},
        {"measure": "latency p99", "value": round(result["p99"] * 1000, 1), "unit": "ms"},
        {"measure": "errors", "value": len(result["errors"]), "target": "0", "met": not result["errors"]},
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--quick", action="store_true", help="5 seconds instead of 30")
    options = parser.parse_args()
    seconds = 5.0 if options.quick else options.seconds
    result, graph = measure(options.clients, seconds)
    print(f"Sample graph: {graph['articles']} articles, {graph['triples']} triples; "
          f"{result['clients']} clients for {result['seconds']:.1f} s, {len(saved_queries())} saved queries in rotation.\n")
    print("| requests | throughput (req/s) | p50 (ms) | p99 (ms) | mean (ms) | errors |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {result['requests']} | {result['throughput']:.1f} | {result['p50'] * 1000:.1f} | "
          f"{result['p99'] * 1000:.1f} | {result['mean'] * 1000:.1f} | {len(result['errors'])} |")
    print("\n| saved query | requests | p50 (ms) | p99 (ms) |")
    print("| --- | ---: | ---: | ---: |")
    for name, times in sorted(result["by_query"].items()):
        print(f"| {name} | {len(times)} | {percentile(times, 0.5) * 1000:.1f} | {percentile(times, 0.99) * 1000:.1f} |")
    for error in result["errors"][:10]:
        print(f"error: {error}", file=sys.stderr)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
