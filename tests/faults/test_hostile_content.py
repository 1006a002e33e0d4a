"""Hostile article text: terminal escapes never reach the terminal raw, HTML is escaped in reports and
pages, and nothing from an article is used as a path or executed."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from faults.builders import cli_build, json_summary, terminal_unsafe

ESCAPES = "\x1b[2J\x1b]0;title\x07\x9b2J\u202e\u2066"  # clear screen, set title, C1 CSI, bidi override, isolate
TAG = "<img src=x onerror=alert(1)>"
MARKER = f"kg-fault-{uuid.uuid4().hex[:8]}"  # a file no command may ever create


def hostile_sentence(marker_path: Path) -> str:
    return (f"白沙边检站与白沙海关结对共建\x9b2J\u202e\u2066{TAG}\u2069{ESCAPES}，"
            f"共同开展活动$(touch {marker_path})`touch {marker_path}`。")


def hostile_label() -> str:
    return f"恶意{ESCAPES}{TAG}海关"


def turtle_literal(text: str) -> str:
    return "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04X}" for ch in text)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A store built from hostile articles, plus an imported organization whose label holds raw escapes
    (ingest already drops C0 controls, so the output layer is tested on them through `kg import`)."""
    base = tmp_path_factory.mktemp("hostile")
    folder, store = base / "articles", base / "store"
    folder.mkdir()
    marker = base / MARKER
    article = f"白沙口岸共建{TAG}{{{{7*7}}}}\n2024年3月5日\n{hostile_sentence(marker)}\n双方约定定期交流。"
    (folder / "hostile.txt").write_text(article, encoding="utf-8")
    (folder / f"{ESCAPES}evil.txt").write_text(article, encoding="utf-8")  # a duplicate: its name is printed
    (folder / f"\x1b[31mbinary\u202e.txt").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))  # a skip: printed too
    title_path = f"../../../../../../tmp/{MARKER}"
    (folder / "pathy.txt").write_text(f"{title_path}\n2024年3月6日\n石门村党支部与南岭公司党支部结对共建，"
                                      f"资料保存在{title_path}。", encoding="utf-8")
    # A file named like a path (backslashes are ordinary characters in a POSIX file name;
    # a name starting with a dot would be left out as hidden).
    (folder / f"x\\..\\..\\..\\..\\tmp\\{MARKER}.txt").write_text(
        "边城口岸联防\n2024年3月7日\n东港海事局和东港边境派出所开展联防联控。", encoding="utf-8")
    first = cli_build([str(folder)], store, fmt="json")
    assert first.exit_code == 3, first.output
    table = cli_build([str(folder)], store, fmt="table")
    ttl = base / "hostile.ttl"
    ttl.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/lianjian/id/org/hostile> a <http://www.w3.org/ns/org#Organization>, "
        "<https://w3id.org/lianjian/ontology#Customs> ;\n"
        f'  skos:prefLabel "{turtle_literal(hostile_label())}"@zh-Hans .\n', encoding="utf-8")
    imported = run(["import", str(ttl), "--store", str(store)])
    assert imported.exit_code == 0, imported.output
    return {"base": base, "folder": folder, "store": store, "marker": marker, "json": first, "table": table}


def run(args: list[str]):
    from kg.cli import main

    return CliRunner().invoke(main, args, catch_exceptions=False)


def assert_terminal_safe(text: str, what: str) -> None:
    """No control, format (bidi) or separator character but newline and tab."""
    bad = terminal_unsafe(text)
    assert not bad, f"{what}: raw {', '.join(bad)} reached the terminal"


def test_hostile_text_reaches_the_graph_so_the_checks_below_mean_something(hostile):
    from faults.builders import graph_labels, graph_text

    assert hostile_label() in graph_labels(hostile["store"])
    text = graph_text(hostile["store"])
    assert "\x9b2J" in text and "\u202e" in text and TAG in text


def test_build_summaries_never_print_escapes_from_file_names(hostile):
    assert "evil.txt" in hostile["table"].output and "binary" in hostile["table"].output
    assert_terminal_safe(hostile["table"].output, "kg build table summary")
    assert_terminal_safe(hostile["json"].output, "kg build --format json")
    names = {Path(d[key]).name for d in json_summary(hostile["json"].stdout)["duplicates"] for key in d}
    assert f"{ESCAPES}evil.txt" in names  # JSON escapes them, it does not lose them


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_kg_query_output_is_terminal_safe(hostile, fmt):
    sparql = ("SELECT ?text WHERE { { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?text } UNION "
              "{ ?e <https://w3id.org/lianjian/ontology#sentence> ?text } }")
    result = run(["query", "--store", str(hostile["store"]), "--format", fmt, sparql])
    assert result.exit_code == 0, result.output
    assert "onerror" in result.output and "恶意" in result.output
    assert_terminal_safe(result.output, f"kg query --format {fmt}")
    if fmt == "json":
        texts = {row["text"] for row in json.loads(result.output)}
        assert hostile_label() in texts  # escaped, not stripped: the data is intact


ANALYZE = [
    ["centrality", "--top", "0"],
    ["brokers"],
    ["communities"],
    ["summary"],
    ["ego", "白沙边检站"],
    ["path", "白沙边检站", "白沙海关"],
]


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("args", ANALYZE, ids=[a[0] for a in ANALYZE])
def test_kg_analyze_output_is_terminal_safe(hostile, args, fmt):
    result = run(["analyze", *args, "--store", str(hostile["store"]), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result.output, f"kg analyze {args[0]} --format {fmt}")


def test_kg_analyze_ego_shows_the_evidence_without_escapes(hostile):
    result = run(["analyze", "ego", "白沙边检站", "--store", str(hostile["store"]), "--format", "csv"])
    assert "结对共建" in result.output
    assert_terminal_safe(result.output, "kg analyze ego --format csv")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_kg_review_output_is_terminal_safe(hostile, fmt):
    result = run(["review", "--store", str(hostile["store"]), "--format", fmt, "--min-confidence", "1.01"])
    assert result.exit_code == 0, result.output
    assert "结对共建" in result.output  # the weak link's evidence is listed
    assert_terminal_safe(result.output, f"kg review --format {fmt}")


def test_the_markdown_report_escapes_html(hostile, tmp_path):
    result = run(["analyze", "report", "--store", str(hostile["store"]), "-o", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "恶意" in report
    assert not re.search(r"(?<!\\)<(img|script)", report)  # Markdown shows \\< as "<"
    assert_terminal_safe(report, "report.md")


def test_the_map_page_never_holds_article_markup_raw(hostile, tmp_path):
    page_path = tmp_path / "map.html"
    result = run(["viz", "--store", str(hostile["store"]), "-o", str(page_path)])
    assert result.exit_code == 0, result.output
    page = page_path.read_text(encoding="utf-8")
    assert "onerror=alert(1)" in page  # the text is there, as inert JSON
    assert TAG not in page
    assert "{{7*7}}" in page  # article text is data, never a template


def test_the_served_query_page_escapes_results(hostile):
    from starlette.testclient import TestClient

    from kg.serve import create_app

    sparql = "SELECT ?s WHERE { ?e <https://w3id.org/lianjian/ontology#sentence> ?s }"
    with TestClient(create_app(str(hostile["store"]), timeout=10)) as client:
        response = client.get("/", params={"query": sparql, "run": "1"})
    assert response.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
    assert TAG not in response.text


def test_nothing_from_an_article_is_used_as_a_path_or_executed(hostile, tmp_path):
    out = tmp_path / "extracted"
    result = run(["extract", str(hostile["folder"]), "--out", str(out)])
    assert_terminal_safe(result.stderr, "kg extract messages")
    written = sorted(p.name for p in out.iterdir())
    assert "pathy.json" in written and "hostile.json" in written
    assert all(p.parent == out for p in out.rglob("*"))
    assert f"x\\..\\..\\..\\..\\tmp\\{MARKER}.json" in written  # named after the file, inside --out
    assert not list(Path("/tmp").glob(f"{MARKER}*"))
    assert not [p for p in hostile["base"].rglob(f"{MARKER}*") if p.parent != hostile["folder"]]
    assert not hostile["marker"].exists()  # the $(touch …) and `touch …` in the article never ran
