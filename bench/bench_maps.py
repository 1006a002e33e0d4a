"""Benchmark the HTML maps: how long until a large map is drawn and answers, in headless Chromium.

For each size, builds a synthetic graph in the projection's shape
(kg.maps.examples.synthetic_graph: groups of about 40 organizations, about two
links each, one or two evidence sentences per link), writes the map with
``kg.maps.render_map`` (timed, with its file size), opens it in Debian's
Chromium driven by Playwright, and measures inside the page:

- drawn: milliseconds from navigation start until vis-network's first
  ``afterDrawing`` (``window.lianjianMap.firstDrawMs``);
- search: milliseconds from calling ``lianjianMap.search`` (match, select,
  list the results) until the frame showing the result has been drawn
  (the next ``afterDrawing``);
- interactive = drawn + search;
- filter: milliseconds to hide one organization type (about 1/13 of the
  nodes, with their links) until the frame showing it is drawn.

Targets: 5,000 nodes interactive within 3 s, 20,000 within 10 s.

    .venv/bin/python bench/bench_maps.py                      # 500, 5,000 and 20,000 nodes
    .venv/bin/python bench/bench_maps.py --sizes 500 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.maps import map_data, render_map  # noqa: E402
from kg.maps.examples import synthetic_graph  # noqa: E402
from kg.maps.page import render_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGETS_MS = {5000: 3000, 20000: 10000}

SEARCH = """async (query) => {
  const m = window.lianjianMap;
  const started = performance.now();
  const drawn = new Promise(resolve => m.network.once("afterDrawing", resolve));
  const found = m.search(query);  // requests the frame that shows the result
  await Promise.race([drawn, new Promise((_, fail) => setTimeout(() => fail(new Error("no frame")), 60000))]);
  return {ms: performance.now() - started, found: found, shown: m.shownNodeIds().length};
}"""


FILTER = """async (type) => {
  const m = window.lianjianMap;
  const started = performance.now();
  const drawn = new Promise(resolve => m.network.once("afterDrawing", resolve));
  m.setFilter("type", type, false);  // hides one type and its links, requests a frame
  await Promise.race([drawn, new Promise((_, fail) => setTimeout(() => fail(new Error("no frame")), 60000))]);
  return {ms: performance.now() - started, drawn: m.drawnNodeCount()};
}"""


def wait_drawn(page, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate("() => !!(window.lianjianMap && window.lianjianMap.drawn)"):
        if time.monotonic() > deadline:
            raise TimeoutError("the map was not drawn")
        time.sleep(0.02)


def build(n: int, folder: Path) -> dict:
    graph = synthetic_graph(n, seed=1)
    started = time.perf_counter()
    data = map_data(graph)
    prepared = time.perf_counter()
    path = folder / f"map-{n}.html"
    path.write_text(render_html(data), encoding="utf-8")
    done = time.perf_counter()
    return {"n": n, "edges": graph.number_of_edges(), "path": path, "data_s": prepared - started,
            "render_s": done - started, "bytes": path.stat().st_size, "layout": data["options"]["layout"]}


def measure(browser, path: Path) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    requests: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else
                  (requests.append(r.request.url), r.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    started = time.perf_counter()
    page.goto(path.as_uri())
    wait_drawn(page)
    wall = time.perf_counter() - started
    drawn_ms = page.evaluate("() => window.lianjianMap.firstDrawMs")
    search = page.evaluate(SEARCH, "第12")
    page.evaluate(SEARCH, "")
    hide = page.evaluate(FILTER, "Customs")
    context.close()
    return {"drawn_ms": drawn_ms, "search_ms": search["ms"], "found": search["found"], "wall_s": wall,
            "filter_ms": hide["ms"],
            "requests": len(requests), "errors": len(errors)}


def measure_sizes(sizes: list[int], repeat: int = 1) -> list[dict]:
    """Build and open one map per size; for each, the best of ``repeat`` browser runs."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        measure(browser, render_map(synthetic_graph(50), Path(tmp) / "warm.html"))  # first launch costs extra
        for n in sizes:
            built = build(n, Path(tmp))
            runs = [measure(browser, built["path"]) for _ in range(repeat)]
            best = min(runs, key=lambda r: r["drawn_ms"] + r["search_ms"])
            rows.append({**built, **best, "interactive_ms": best["drawn_ms"] + best["search_ms"]})
            print(f"  {n} nodes done", file=sys.stderr)
        browser.close()
    return rows


def run(quick: bool) -> list[dict]:
    """Rows for bench/run_all.py: time to interactive and file size per map size."""
    rows = []
    for r in measure_sizes([500, 5000] if quick else [500, 5000, 20000]):
        target = TARGETS_MS.get(r["n"])
        rows.append({"measure": f"{r['n']:,}-node map interactive (drawn + search)", "value": round(r["interactive_ms"]),
                     "unit": "ms", "target": f"≤ {target:,} ms" if target else None,
                     "met": None if target is None else r["interactive_ms"] <= target,
                     "note": f"drawn {r['drawn_ms']:,.0f} ms, search {r['search_ms']:,.0f} ms, "
                             f"file {r['bytes'] / 1e6:.1f} MB, {r['requests']} network requests"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 20000])
    parser.add_argument("--repeat", type=int, default=1, help="browser runs per map; the best is reported")
    args = parser.parse_args()
    try:
        rows = measure_sizes(args.sizes, args.repeat)
    except RuntimeError as error:
        sys.exit(str(error))

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Measured {stamp}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
          f"`.venv/bin/python bench/bench_maps.py {' '.join(sys.argv[1:])}`".rstrip())
    print()
    print("| nodes | links | layout | Python: data / total s | file MB | drawn ms | search ms | interactive ms "
          "| target ms | filter ms | requests | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        target = TARGETS_MS.get(r["n"])
        verdict = "—" if target is None else f"{target:,} ({'met' if r['interactive_ms'] <= target else 'MISSED'})"
        print(f"| {r['n']:,} | {r['edges']:,} | {r['layout']} | {r['data_s']:.1f} / {r['render_s']:.1f} "
              f"| {r['bytes'] / 1e6:.1f} | {r['drawn_ms']:,.0f} | {r['search_ms']:,.0f} | {r['interactive_ms']:,.0f} "
              f"| {verdict} | {r['filter_ms']:,.0f} | {r['requests']} | {r['errors']} |")


if __name__ == "__main__":
    main()
