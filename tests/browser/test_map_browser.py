"""The map in a real headless Chromium: offline, drawn, searchable, filterable and not hijackable."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from click.testing import CliRunner

from kg.maps import render_map
from kg.maps.examples import PAYLOADS, hostile_graph, sample_graph, synthetic_graph

pytestmark = pytest.mark.browser

# What vis-network draws, after filters (a search dims the rest but draws it).
VISIBLE_NODES = "() => window.lianjianMap.drawnNodeCount()"
VISIBLE_EDGES = "() => window.lianjianMap.drawnEdgeCount()"
SHOWN_NODES = "() => window.lianjianMap.shownNodeIds().length"

# Puts a node (or a point of an edge) in the middle of the canvas and returns that
# point in page coordinates, or null when something else would be under the mouse there.
CENTRE_ON_NODE = """(id) => {
  const net = window.lianjianMap.network;
  net.focus(id, {scale: 1.5, animation: false});
  net.redraw();
  const box = document.getElementById('network').getBoundingClientRect();
  const p = net.canvasToDOM(net.getPositions([id])[id]);
  return net.getNodeAt(p) === id ? {x: box.left + p.x, y: box.top + p.y} : null;
}"""
CENTRE_ON_EDGE = """(id) => {
  const m = window.lianjianMap, net = m.network, e = m.edges.get(id);
  const pos = net.getPositions([e.from, e.to]);
  const box = document.getElementById('network').getBoundingClientRect();
  for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
    const c = {x: pos[e.from].x + f * (pos[e.to].x - pos[e.from].x), y: pos[e.from].y + f * (pos[e.to].y - pos[e.from].y)};
    net.moveTo({position: c, scale: 1.5, animation: false});
    net.redraw();
    const p = net.canvasToDOM(c);
    if (net.getNodeAt(p) === undefined && net.getEdgeAt(p) === id) return {x: box.left + p.x, y: box.top + p.y};
  }
  return null;
}"""


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    return {
        "sample": render_map(sample_graph(), folder / "sample.html", title="东港口岸党建联建网络"),
        "community": render_map(sample_graph(), folder / "community.html", color="community", size="pagerank"),
        "hostile": render_map(hostile_graph(), folder / "hostile.html", title=PAYLOADS[0], size="betweenness"),
    }


def _tooltip_text(page) -> str:
    deadline = time.monotonic() + 5
    while page.evaluate("() => document.getElementById('tooltip').hidden"):
        assert time.monotonic() < deadline, "no tooltip"
        time.sleep(0.02)
    return page.evaluate("() => document.getElementById('tooltip').textContent")


def _move_away(page) -> None:
    page.mouse.move(5, 5)


def test_sample_map_loads_offline_and_draws(open_map, maps):
    page, watch = open_map(maps["sample"])
    assert page.evaluate(VISIBLE_NODES) == len(sample_graph())
    shot = page.locator("#network").screenshot()
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=float)
    assert pixels.std() > 10, "the canvas looks blank"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50, "the canvas has almost no colours"
    legend = page.locator("#sidebar").inner_text()
    assert "海关" in legend and "党建联建" in legend and "社区 1" in legend
    watch.assert_clean()


def test_community_colouring_map_loads(open_map, maps):
    page, watch = open_map(maps["community"])
    colours = page.evaluate("() => new Set(window.lianjianMap.nodes.get().map(n => n.color.background)).size")
    communities = page.evaluate("() => new Set(window.lianjianMap.data.nodes.map(n => n.community)).size")
    assert colours == min(communities, 12)
    watch.assert_clean()


def test_hover_and_click_show_text_in_tooltip_and_panel(open_map, maps):
    page, watch = open_map(maps["sample"])
    page.evaluate("() => window.lianjianMap.network.setOptions({edges: {smooth: false}})")
    data = page.evaluate("() => window.lianjianMap.data")
    customs = next(n for n in data["nodes"] if n["label"] == "东港海关")
    point = page.evaluate(CENTRE_ON_NODE, customs["id"])
    page.mouse.move(point["x"], point["y"], steps=3)
    tip = _tooltip_text(page)
    assert "东港海关" in tip and "海关" in tip
    page.mouse.click(point["x"], point["y"])
    assert "东港出入境边防检查站" in page.locator("#panel").inner_text()  # a partner, listed under 关系

    edge = next(i for i, e in enumerate(data["edges"]) if len(e["evidence"]) > 1)
    _move_away(page)
    point = page.evaluate(CENTRE_ON_EDGE, edge)
    page.mouse.move(point["x"], point["y"], steps=3)
    assert "签订党建联建协议" in _tooltip_text(page)
    page.mouse.click(point["x"], point["y"])
    panel = page.locator("#panel").inner_text()
    for raw in data["edges"][edge]["evidence"]:
        assert data["sentences"][raw[1]] in panel
        assert data["articles"][raw[2]]["title"] in panel
    watch.assert_clean()


def test_search_changes_what_is_shown(open_map, maps):
    page, watch = open_map(maps["sample"])
    graph = sample_graph()
    total = len(graph)
    expected = sum(1 for _, a in graph.nodes(data=True) if "海关" in a["label"] or any("海关" in x for x in a["aliases"]))
    page.fill("#search", "海关")
    page.press("#search", "Enter")
    assert page.evaluate(SHOWN_NODES) == expected < total
    assert page.locator("#search-results button").count() == expected
    assert page.locator("#search-count").inner_text() == f"{expected} 个匹配"
    page.locator("#search-results button").first.click()
    assert "海关" in page.locator("#panel").inner_text()
    page.fill("#search", "")
    page.press("#search", "Enter")
    assert page.evaluate(SHOWN_NODES) == total
    page.fill("#search", "没有这个单位")
    page.press("#search", "Enter")
    assert page.evaluate(SHOWN_NODES) == 0
    watch.assert_clean()


def test_filters_change_what_is_shown(open_map, maps):
    page, watch = open_map(maps["sample"])
    graph = sample_graph()
    total, links = len(graph), graph.number_of_edges()
    border = [n for n, a in graph.nodes(data=True) if a["type"] == "BorderInspection"]

    box = page.locator("#filter-types label", has_text="出入境边检").locator("input")
    box.uncheck()
    assert page.evaluate(VISIBLE_NODES) == total - len(border)
    assert page.evaluate(VISIBLE_EDGES) == links - len({e for n in border for e in map(frozenset, graph.edges(n))})
    box.check()
    assert page.evaluate(VISIBLE_NODES) == total

    defense = [e for e in graph.edges(data=True) if e[2]["relations"] == ["joint_defense"]]
    page.locator("#filter-relations label", has_text="联防").locator("input").uncheck()
    assert page.evaluate(VISIBLE_EDGES) == links - len(defense)
    assert page.evaluate(VISIBLE_NODES) == total  # organizations stay; only their links go

    biggest = page.evaluate("() => window.lianjianMap.data.nodes.filter(n => n.community === 0).length")
    page.locator("#filter-communities label", has_text="社区 1").locator("input").uncheck()
    assert page.evaluate(VISIBLE_NODES) == total - biggest
    assert page.locator("#shown-count").inner_text() == f"显示 {total - biggest} / {total} 个组织"
    watch.assert_clean()


@pytest.mark.parametrize("bypass_csp", [
    True,  # the escaping alone must hold
    pytest.param(False, marks=pytest.mark.slow),  # and with the page's policy on, as users get it
], ids=["escaping-alone", "with-csp"])
def test_hostile_map_runs_no_script_whatever_the_user_does(open_map, maps, bypass_csp):
    page, watch = open_map(maps["hostile"], bypass_csp=bypass_csp)
    assert page.evaluate("() => document.title") == PAYLOADS[0]  # shown as text, not markup
    page.evaluate("() => window.lianjianMap.network.setOptions({edges: {smooth: false}})")
    data = page.evaluate("() => window.lianjianMap.data")
    assert len(data["nodes"]) == len(PAYLOADS)

    for node in data["nodes"]:
        point = page.evaluate(CENTRE_ON_NODE, node["id"])
        assert point, f"node {node['id']} cannot be hovered"
        page.mouse.move(point["x"], point["y"], steps=2)
        assert node["label"] in _tooltip_text(page)
        page.mouse.click(point["x"], point["y"])
        assert node["label"] in page.locator("#panel").inner_text()
        _move_away(page)

    for edge in range(len(data["edges"])):
        point = page.evaluate(CENTRE_ON_EDGE, edge)
        assert point, f"link {edge} cannot be hovered"
        page.mouse.move(point["x"], point["y"], steps=2)
        first = data["edges"][edge]["evidence"][0]
        assert data["sentences"][first[1]] in _tooltip_text(page)
        page.mouse.click(point["x"], point["y"])
        panel = page.locator("#panel").inner_text()
        assert all(data["sentences"][raw[1]] in panel for raw in data["edges"][edge]["evidence"])
        buttons = page.locator("#panel button")
        for i in range(buttons.count()):  # the panel's own links: to both ends, and back
            page.locator("#panel button").nth(i).click()
        _move_away(page)

    for payload in PAYLOADS:
        page.fill("#search", payload)
        page.press("#search", "Enter")
        results = page.locator("#search-results button")
        assert results.count() >= 1
        results.first.click()

    boxes = page.locator("#sidebar input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
        boxes.nth(i).check()
    for toggle in page.locator("#sidebar h2 button").all():
        toggle.click()
        toggle.click()

    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.querySelectorAll('img, iframe, object, embed, a, [onerror], [onload]').length") == 0
    assert page.evaluate("() => document.scripts.length") == 3
    watch.assert_clean()


@pytest.mark.slow
def test_large_map_uses_python_layout_and_no_physics(open_map, tmp_path):
    path = render_map(synthetic_graph(1500), tmp_path / "large.html")
    page, watch = open_map(path)
    first = page.evaluate("() => window.lianjianMap.data.nodes[0]")
    drawn = page.evaluate("() => window.lianjianMap.network.getPositions([0])[0]")
    assert (drawn["x"], drawn["y"]) == pytest.approx((first["x"], first["y"]), abs=1)
    assert page.evaluate("() => window.lianjianMap.network.physics.options.enabled") is False
    assert page.evaluate("() => window.lianjianMap.search('第12')") > 0
    watch.assert_clean()


@pytest.mark.slow
def test_map_of_the_sample_corpus_loads_offline(open_map, sample_corpus, tmp_path):
    """The whole chain on data/corpus: build, project, map; then the page opens clean."""
    from kg.cli import main
    from kg.project import project
    from kg.store import open_store

    if not sample_corpus.is_dir():
        pytest.skip("data/corpus is missing")
    store = tmp_path / "store"
    built = CliRunner().invoke(main, ["build", str(sample_corpus), "--store", str(store)])
    assert built.exit_code == 0, built.output
    graph = project(open_store(str(store)))
    assert graph.number_of_nodes() > 0
    page, watch = open_map(render_map(graph, tmp_path / "sample.html", color="community"))
    assert page.evaluate(VISIBLE_NODES) == graph.number_of_nodes()
    assert page.evaluate(VISIBLE_EDGES) == graph.number_of_edges()
    watch.assert_clean()


def test_content_security_policy_blocks_injected_scripts(open_map, maps):
    """Defence in depth: even a script element that got into the page would not run."""
    page, watch = open_map(maps["sample"])
    page.evaluate("""() => {
      const s = document.createElement('script');
      s.textContent = 'window.__pwned = "inline"';
      document.body.appendChild(s);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__pwned = "handler"');
      img.src = 'data:,not-an-image';
      document.body.appendChild(img);
    }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__pwned") is None
    assert any("Content Security Policy" in message for message in watch.console_errors)
    assert watch.requests == []
