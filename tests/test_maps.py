"""Maps without a browser: the page's data, its safety by construction, selection, figures, CLI."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.maps import NodeNotFound, map_data, render_figure, render_map, select
from kg.maps.examples import PAYLOADS, hostile_graph, sample_graph, synthetic_graph
from kg.maps.page import json_for_script
from kg.maps.styles import load_styles, primary_relation, relation_style, type_style
from kg.model import ORG_TYPES, RELATION_TYPES


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, and the text of each script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> str:
    path = render_map(hostile_graph(), tmp_path_factory.mktemp("m") / "hostile.html", title=PAYLOADS[1])
    return path.read_text(encoding="utf-8")


def test_json_for_script_cannot_close_the_script_and_round_trips():
    data = {"s": "</script><script>x()</script>&amp;<!--", "n": [1, "\u2028"]}
    text = json_for_script(data)
    assert not set("<>&") & set(text)
    assert json.loads(text) == data


def test_hostile_page_has_only_our_tags_and_no_handlers(hostile_page):
    tags = parse(hostile_page)
    names = {name for name, _ in tags.tags}
    assert names <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "div", "input", "span",
                     "ul", "main", "aside", "section", "h2", "p", "script"}
    assert [name for name, _ in tags.tags].count("script") == 3
    assert not any(key.startswith("on") for _, attrs in tags.tags for key in attrs)
    assert not any(key in ("src", "href") for _, attrs in tags.tags for key in attrs)


def test_hostile_text_reaches_the_page_only_as_json_data(hostile_page):
    tags = parse(hostile_page)
    data = json.loads(tags.scripts[0])
    assert data == json.loads(json.dumps(map_data(hostile_graph(), title=PAYLOADS[1])))
    for payload in PAYLOADS:
        if set("<>&") & set(payload):
            assert payload not in hostile_page
    assert "<title>&lt;img src=x onerror=" in hostile_page  # the title, autoescaped


def test_page_is_offline_and_its_policy_allows_exactly_its_own_scripts(hostile_page):
    tags = parse(hostile_page)
    policy = next(a["content"] for name, a in tags.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "unsafe-eval" not in policy
    allowed = re.findall(r"'sha256-([^']+)'", policy)
    code = [s for (name, attrs), s in zip([t for t in tags.tags if t[0] == "script"], tags.scripts) if not attrs]
    assert sorted(allowed) == sorted(base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in code)
    assert "vis-network" in code[0] and "@license" in code[0]  # licence header kept
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", hostile_page)


def test_map_data_shape_and_colours():
    graph = sample_graph()
    data = map_data(graph, size="pagerank")
    assert len(data["nodes"]) == len(graph) and len(data["edges"]) == graph.number_of_edges()
    for row in data["nodes"]:
        assert row["color"] == type_style(row["type"])["color"]
        assert graph.nodes[row["iri"]]["label"] == row["label"]
        assert "x" not in row  # small maps are laid out by the browser's physics
    assert data["options"] == {"title": "", "color": "type", "size": "pagerank", "size_label": "PageRank",
                               "layout": "physics"}


def test_evidence_indexes_point_at_the_right_sentence_and_article():
    graph = sample_graph()
    data = map_data(graph)
    nodes = data["nodes"]
    for edge in data["edges"]:
        original = graph.edges[nodes[edge["from"]]["iri"], nodes[edge["to"]]["iri"]]
        rebuilt = [{"relation": r, "sentence": data["sentences"][s], "article": data["articles"][a]["iri"],
                    "title": data["articles"][a]["title"], "date": data["articles"][a]["date"]}
                   for r, s, a in edge["evidence"]]
        assert rebuilt == original["evidence"]
        assert edge["style"] == primary_relation(original["relations"])


def test_sizes_grow_with_the_measure_and_communities_colour_by_rank():
    data = map_data(sample_graph(), color="community")
    by_degree = sorted(data["nodes"], key=lambda n: n["degree"])
    assert by_degree[0]["size"] < by_degree[-1]["size"]
    palette = load_styles()["communities"]
    assert all(n["color"] == palette[n["community"]] for n in data["nodes"])
    sizes = [sum(1 for n in data["nodes"] if n["community"] == c) for c in range(3)]
    assert sizes == sorted(sizes, reverse=True)


def test_large_graphs_get_positions_from_python():
    data = map_data(synthetic_graph(60), large=50)
    assert data["options"]["layout"] == "python"
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])


def test_maps_are_deterministic(tmp_path):
    graph = synthetic_graph(80, seed=3)
    first = render_map(graph, tmp_path / "a.html", color="community").read_bytes()
    assert render_map(graph, tmp_path / "b.html", color="community").read_bytes() == first


def test_empty_graph_renders(tmp_path):
    page = render_map(nx.Graph(), tmp_path / "sub" / "empty.html").read_text(encoding="utf-8")
    assert json.loads(parse(page).scripts[0])["nodes"] == []


def test_unknown_colour_or_size_is_refused():
    with pytest.raises(ValueError):
        map_data(sample_graph(), color="rainbow")
    with pytest.raises(ValueError):
        map_data(sample_graph(), size="fame")


def test_every_type_and_relation_has_a_distinct_style():
    assert len({type_style(t)["color"] for t in ORG_TYPES}) == len(ORG_TYPES)
    assert len({json.dumps(relation_style(r)) for r in RELATION_TYPES}) == len(RELATION_TYPES)
    assert type_style("NoSuchType") == load_styles()["unknown_type"]


def test_select_by_relation_keeps_only_that_evidence():
    graph = sample_graph()
    chosen = select(graph, relations=["joint_defense"])
    assert chosen.number_of_edges() == 3
    for _, _, attrs in chosen.edges(data=True):
        assert attrs["relations"] == ["joint_defense"]
        assert {e["relation"] for e in attrs["evidence"]} == {"joint_defense"}
        assert attrs["weight"] == len({e["article"] for e in attrs["evidence"]})


def test_select_min_degree_and_ego():
    graph = sample_graph()
    core = select(graph, min_degree=3)
    assert core and all(graph.degree(n) >= 3 for n in core)
    ego = select(graph, ego="东港海关", radius=1)
    centre = next(n for n in ego if graph.nodes[n]["label"] == "东港海关")
    assert set(ego) == {centre, *graph[centre]}
    assert centre in select(graph, ego="东港海关", min_degree=10)  # the centre stays
    assert "东港湖南商会" in {graph.nodes[n]["label"] for n in select(graph, ego="港务集团", radius=1)}  # by alias
    with pytest.raises(NodeNotFound):
        select(graph, ego="不存在的单位")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_static_figure(tmp_path, fmt):
    graph = sample_graph()
    graph.nodes[next(iter(graph))]["label"] = "$x^2$ 与 $ 混合"  # must not be read as mathematics
    path = render_figure(graph, tmp_path / f"map.{fmt}")
    head = path.read_bytes()[:8]
    assert head.startswith(b"\x89PNG") if fmt == "png" else head.startswith(b"<?xml")


def test_static_figure_refuses_unknown_format(tmp_path):
    with pytest.raises(ValueError):
        render_figure(sample_graph(), tmp_path / "map.gif")


@pytest.fixture
def cli(monkeypatch):
    """``kg viz`` over the sample graph instead of a store."""
    import kg.project
    import kg.store
    from kg.cli import main

    calls = {}

    def fake_project(store, relations=None, alliances="node"):
        calls.update(relations=relations, alliances=alliances)
        graph = sample_graph()
        return select(graph, relations=relations) if relations else graph

    monkeypatch.setattr(kg.store, "open_store", lambda location=None: object())
    monkeypatch.setattr(kg.project, "project", fake_project)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["viz", *args]), calls


def test_cli_writes_html_and_picks_format_from_suffix(cli, tmp_path):
    run, calls = cli
    result = run("-o", str(tmp_path / "m.html"), "--color", "community", "--relation", "joint_building",
                 "--relation", "member_of", "--title", "测试")
    assert result.exit_code == 0, result.output
    assert calls["relations"] == ["joint_building", "member_of"]
    assert "<title>测试</title>" in (tmp_path / "m.html").read_text(encoding="utf-8")
    result = run("-o", str(tmp_path / "m.svg"), "--min-degree", "2")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m.svg").read_bytes().startswith(b"<?xml")


def test_cli_ego_and_open(cli, tmp_path, monkeypatch):
    run, _ = cli
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url))
    result = run("-o", str(tmp_path / "e.html"), "--ego", "东港海关", "--radius", "1", "--open")
    assert result.exit_code == 0, result.output
    assert opened == [(tmp_path / "e.html").resolve().as_uri()]
    data = json.loads(parse((tmp_path / "e.html").read_text(encoding="utf-8")).scripts[0])
    assert len(data["nodes"]) == 4


def test_cli_unknown_ego_fails_cleanly(cli, tmp_path):
    run, _ = cli
    result = run("-o", str(tmp_path / "e.html"), "--ego", "不存在\x1b[31m")
    assert result.exit_code == 1
    assert "Error:" in result.output and "\x1b" not in result.output
    assert not (tmp_path / "e.html").exists()
