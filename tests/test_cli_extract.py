"""``kg extract`` and ``kg eval`` end to end (invented articles, never development text)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main


def _has_pipeline() -> bool:
    try:
        from kg.extract import extract  # noqa: F401
        from kg.ingest import SkipFile, read_article  # noqa: F401
    except ImportError:
        return False
    return True


needs_pipeline = pytest.mark.skipif(
    not _has_pipeline(), reason="kg.extract.extract or kg.ingest.read_article does not exist yet"
)

# Invented organizations, invented sentences.
ARTICLE = (
    "甲市出入境边防检查站与甲市海关签订党建联建协议\n"
    "近日，甲市出入境边防检查站与甲市海关签订党建联建协议，双方将开展联合培训。\n"
    "乙县边境派出所党支部加入“北疆边关党建联盟”。\n"
)

GOLD = {
    "doc": "a.txt",
    "entities": [
        {"id": "e1", "name": "甲市出入境边防检查站", "type": "BorderInspection", "aliases": []},
        {"id": "e2", "name": "甲市海关", "type": "Customs", "aliases": []},
    ],
    "relations": [{"head": "e1", "tail": "e2", "type": "joint_building", "evidence": ""}],
}


def write_json(path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def dirs(tmp_path):
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.mkdir()
    pred.mkdir()
    write_json(gold / "a.json", GOLD)
    return gold, pred


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_eval_pred_table(dirs):
    gold, pred = dirs
    write_json(pred / "a.json", {**GOLD, "relations": []})
    result = invoke("eval", "--gold", str(gold), "--pred", str(pred))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "entities (untyped)" in out and "relations (typed)" in out
    assert "implicit entities" in out and "sub_organization_of" in out
    line = next(l for l in out.splitlines() if l.startswith("relations (typed)"))
    # P is undefined with no prediction; R, F1, TP, FP, FN follow.
    assert line.split()[2:] == ["—", "0.000", "0.000", "0", "0", "1"]


def test_eval_json_and_errors(dirs):
    gold, pred = dirs
    write_json(pred / "a.json", {"entities": [{"id": "x", "name": "甲市海關", "type": "Customs"}], "relations": []})
    result = invoke("eval", "--gold", str(gold), "--pred", str(pred), "--format", "json", "--errors")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["rows"]["entities"] == {"tp": 1, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert data["documents"]["a"]["entities"]["tp"] == 1
    assert {"doc": "a", "row": "entities", "kind": "false_negative",
            "detail": "甲市出入境边防检查站 [BorderInspection]"} in data["errors"]
    without = json.loads(invoke("eval", "--gold", str(gold), "--pred", str(pred), "--format", "json").stdout)
    assert "errors" not in without


def test_eval_output_is_terminal_safe(dirs):
    gold, pred = dirs
    hostile = "乙县\x1b[2J\x1b]0;title\x07海关\u202e\x9b31m"
    write_json(pred / "a.json", {"entities": [{"id": "x", "name": hostile, "type": "Customs"}], "relations": []})
    for fmt in ("table", "json"):
        result = invoke("eval", "--gold", str(gold), "--pred", str(pred), "--errors", "--format", fmt)
        assert result.exit_code == 0
        for bad in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert bad not in result.stdout, (fmt, bad)
        assert "乙县" in result.stdout


def test_eval_usage_errors(dirs, tmp_path):
    gold, pred = dirs
    assert invoke("eval", "--gold", str(gold)).exit_code == 2  # neither PATHS nor --pred
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert invoke("eval", "--gold", str(gold), "--pred", str(pred), str(article)).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("eval", "--gold", str(empty), "--pred", str(pred))
    assert result.exit_code == 2 and "no *.json gold files" in result.output


def test_eval_rejects_broken_json_clearly(dirs):
    gold, pred = dirs
    (pred / "a.json").write_text("{not json", encoding="utf-8")
    result = invoke("eval", "--gold", str(gold), "--pred", str(pred))
    assert result.exit_code == 1 and "a.json: cannot read JSON" in result.stderr


def test_eval_reports_missing_predictions(dirs):
    gold, pred = dirs
    write_json(pred / "other.json", GOLD)
    result = invoke("eval", "--gold", str(gold), "--pred", str(pred))
    assert result.exit_code == 0
    assert "no prediction (scored as empty): a" in result.stdout
    assert "no gold answer (not scored): other" in result.stdout


@pytest.fixture
def articles(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "b.txt").write_bytes("\ufeff".encode() + ARTICLE.replace("甲市", "丙市").encode("utf-8"))
    (folder / "c.bin").write_bytes(bytes(range(256)) * 8)  # not text: skipped with a reason
    return folder


@needs_pipeline
def test_extract_writes_one_json_per_article(articles, tmp_path):
    out = tmp_path / "out"
    result = invoke("extract", str(articles), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]
    raw = (out / "a.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    # UTF-8 text rather than ASCII escapes, indented.
    assert raw == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert data["doc"] == "a.txt"
    assert isinstance(data["entities"], list) and isinstance(data["relations"], list)
    assert "c.bin" in result.stderr and "skipped" in result.stderr


@needs_pipeline
def test_extract_skips_hidden_files_and_reports_missing_links(articles, tmp_path):
    (articles / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    (articles / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    out = tmp_path / "out"
    result = invoke("extract", str(articles), "--out", str(out))
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]
    assert "dangling.txt" in result.stderr


@needs_pipeline
def test_extract_jobs_give_the_same_files(articles, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke("extract", str(articles), "--out", str(one)).exit_code == 0
    assert invoke("extract", str(articles), "--out", str(two), "--jobs", "2").exit_code == 0
    for path in one.iterdir():
        assert path.read_text(encoding="utf-8") == (two / path.name).read_text(encoding="utf-8")


@needs_pipeline
def test_eval_on_paths_equals_eval_on_extracted_folder(articles, dirs, tmp_path):
    gold, _ = dirs
    out = tmp_path / "out"
    assert invoke("extract", str(articles), "--out", str(out)).exit_code == 0
    from_folder = invoke("eval", "--gold", str(gold), "--pred", str(out), "--format", "json")
    on_the_fly = invoke("eval", "--gold", str(gold), str(articles), "--format", "json")
    assert on_the_fly.exit_code == 0
    assert json.loads(on_the_fly.stdout) == json.loads(from_folder.stdout)


def test_extract_requires_out(tmp_path):
    result = invoke("extract", str(tmp_path))
    assert result.exit_code == 2 and "--out" in result.output


@needs_pipeline
def test_extract_then_eval_on_development_corpus(shared_dir, tmp_path):
    out = tmp_path / "out"
    result = invoke("extract", str(shared_dir / "corpus"), "--out", str(out), "--jobs", "2")
    assert result.exit_code == 0, result.output
    gold = shared_dir / "gold" / "dev"
    assert {p.stem for p in out.glob("*.json")} == {p.stem for p in gold.glob("*.json")}
    for path in out.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["doc"] == path.stem + ".txt"
        ids = {e["id"] for e in data["entities"]}
        assert all(r["head"] in ids and r["tail"] in ids for r in data["relations"])
    table = invoke("eval", "--gold", str(gold), "--pred", str(out))
    assert table.exit_code == 0 and "entities (typed)" in table.stdout
    from kg.evaluate import evaluate_dirs

    scores = evaluate_dirs(gold, out).as_dict()
    as_json = json.loads(invoke("eval", "--gold", str(gold), "--pred", str(out), "--format", "json").stdout)
    assert as_json["rows"] == scores["rows"]
    assert scores["missing"] == [] and scores["unscored"] == []


@needs_pipeline
def test_extractor_failure_keeps_other_results_and_exits_nonzero(articles, tmp_path, monkeypatch):
    import kg.extract

    real = kg.extract.extract

    def fragile(text: str, doc: str = "") -> dict:
        if doc == "b.txt":
            raise ValueError("boom")
        return real(text, doc)

    monkeypatch.setattr(kg.extract, "extract", fragile)
    out = tmp_path / "out"
    result = invoke("extract", str(articles), "--out", str(out))
    assert result.exit_code == 1
    assert [p.name for p in out.iterdir()] == ["a.json"]
    assert "FAILED" in result.stderr and "b.txt" in result.stderr and "boom" in result.stderr
