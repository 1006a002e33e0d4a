"""kg review: suspected duplicates and weak links, as curation entries that load back."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from kg.cli import main
from kg.curation import parse_curation
from kg.model import Article
from kg.resolve import resolve, resolved_to_json
from kg.review import known_apart, review, similar, to_yaml

CASES = Path(__file__).parent / "resolution"


def doc(name, entities, relations=(), title=None):
    art = Article(path=name, file_name=name, sha256=hashlib.sha256(name.encode()).hexdigest(), text="", title=title)
    return art, {"doc": name, "entities": entities, "relations": list(relations)}


def ent(i, name, kind="SocialOrganization"):
    return {"id": f"e{i}", "name": name, "type": kind, "aliases": []}


DOCS = [
    doc("a.txt", [ent(1, "大连国门党建学院"), ent(2, "大连边检站", "BorderInspection")],
        [{"head": "e1", "tail": "e2", "type": "cooperation", "evidence": "学院与边检站合办培训班\x1b[31m", "confidence": 0.4}],
        title="学院办班"),
    doc("b.txt", [ent(1, "大连党建学院"), ent(2, "青岛党建学院")]),
]


def test_similar_names_of_one_type_and_place_are_suspected():
    items = review(resolve(DOCS))
    duplicates = [i for i in items if i["kind"] == "duplicate"]
    assert [i["entry"]["same"] for i in duplicates] == [["大连党建学院", "大连国门党建学院"]]
    assert duplicates[0]["entry"]["judgement"] == "unsure"
    names = {e["name"] for e in duplicates[0]["evidence"]}
    assert names == {"大连党建学院", "大连国门党建学院"}


def test_rules_that_keep_units_apart_are_not_suspected():
    assert not similar("大连边检站", "青岛边检站")
    assert not similar("南京海关", "南京海关缉私局")
    assert known_apart("大连边检站", "大连边检站执勤一队")
    assert known_apart("大连边检总站", "大连边检站")


def test_low_confidence_links_are_listed_as_remove_link_entries():
    items = [i for i in review(resolve(DOCS)) if i["kind"] == "low_confidence"]
    assert [i["entry"]["remove_link"] for i in items] == [
        {"head": "大连国门党建学院", "tail": "大连边检站", "type": "cooperation"}]
    assert review(resolve(DOCS), min_confidence=0.3) == [i for i in review(resolve(DOCS)) if i["kind"] == "duplicate"]


def test_the_yaml_loads_back_as_a_valid_curation_file_and_escapes_article_text():
    text = to_yaml(review(resolve(DOCS)))
    assert "\x1b" not in text
    curation = parse_curation(text, "review.yaml")
    assert [d.operation for d in curation.decisions] == ["same", "remove_link"]
    assert all(d.judgement == "unsure" for d in curation.decisions)


def test_pairs_already_decided_are_not_listed_again():
    curation = parse_curation("- different: [大连党建学院, 大连国门党建学院]\n"
                              "- remove_link: {head: 大连国门党建学院, tail: 大连边检站, type: cooperation}\n"
                              "  judgement: unsure\n")
    assert review(resolve(DOCS, curation), curation) == []


def test_cli_reviews_a_folder_of_extractions(tmp_path):
    folder = tmp_path / "extractions"
    shutil.copytree(CASES, folder)
    result = CliRunner().invoke(main, ["review", "--extractions", str(folder)])
    assert result.exit_code == 0, result.output
    assert "low_confidence" not in result.output  # YAML, not JSON
    entries = yaml.safe_load(result.output)
    assert [e["remove_link"] for e in entries] == [
        {"head": "滨江出入境边防检查站", "tail": "滨江港务集团有限公司", "type": "cooperation"}]
    assert "港务集团与边检站签下口岸服务协议" in result.output  # the evidence, as a comment


def test_cli_reads_the_resolved_graph_a_build_kept_in_the_store(tmp_path):
    store = tmp_path / "store"
    (store / "versions").mkdir(parents=True)
    (store / "CURRENT").write_text("v000001", encoding="utf-8")
    (store / "versions" / "v000001.resolved.json").write_text(resolved_to_json(resolve(DOCS)), encoding="utf-8")
    result = CliRunner().invoke(main, ["review", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [i["kind"] for i in json.loads(result.output)] == ["duplicate", "low_confidence"]


def test_cli_without_a_build_says_so(tmp_path):
    result = CliRunner().invoke(main, ["review", "--store", str(tmp_path / "none")])
    assert result.exit_code != 0 and "kg build" in result.output


def test_cli_reports_a_bad_curation_file_with_its_line(tmp_path):
    bad = tmp_path / "curation.yaml"
    bad.write_text("- same: [甲, 乙]\n- merge: x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["review", "--extractions", str(CASES), "--curation", str(bad)])
    assert result.exit_code != 0 and f"{bad}:2:" in result.output


def test_cli_refuses_a_file_that_is_not_an_extraction(tmp_path):
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    result = CliRunner().invoke(main, ["review", "--extractions", str(tmp_path)])
    assert result.exit_code != 0 and "bad.json" in result.output
