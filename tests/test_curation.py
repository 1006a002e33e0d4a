"""Curation: every operation, judgements, line-numbered errors, stale decisions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kg.curation import CurationError, load_curation, parse_curation
from kg.model import Article
from kg.resolve import resolve


def doc(name, entities, relations=()):
    art = Article(path=name, file_name=name, sha256=hashlib.sha256(name.encode()).hexdigest(), text="")
    return art, {"doc": name, "entities": entities, "relations": list(relations)}


def ent(i, name, kind="BorderInspection", aliases=()):
    return {"id": f"e{i}", "name": name, "type": kind, "aliases": list(aliases)}


def rel(h, t, kind, evidence="两单位签订共建协议", confidence=0.9):
    return {"head": f"e{h}", "tail": f"e{t}", "type": kind, "evidence": evidence, "confidence": confidence}


DOCS = [
    doc("a.txt", [ent(1, "大连边检站"), ent(2, "大连海关", "Customs"), ent(3, "青松岭村", "Village")],
        [rel(1, 2, "joint_building"), rel(1, 3, "cooperation", confidence=0.4)]),
    doc("b.txt", [ent(1, "大窑湾口岸边检站"), ent(2, "大连海关", "Customs"), ent(3, "浙江北仑边检站")],
        [rel(1, 2, "joint_defense")]),
    doc("c.txt", [ent(1, "北仑边检站"), ent(2, "大窑湾边检站")]),
]


def run(text: str):
    return resolve(DOCS, parse_curation(text, "cur.yaml"))


# ---------------------------------------------------------------- operations


def test_same_merges_a_into_b_and_marks_the_decision():
    resolved = run("- same: [大窑湾边检站, 大窑湾口岸边检站]\n  note: one station\n")
    orgs = resolved.organizations
    assert "大窑湾边检站" not in orgs
    assert "大窑湾边检站" in orgs["大窑湾口岸边检站"].aliases  # merged into B, named as B
    decision = next(iter(resolved.decisions.values()))
    assert decision.operation == "same" and decision.note == "one station"
    assert orgs["大窑湾口岸边检站"].curated_by == [decision.id]


def test_different_keeps_apart_what_the_rules_would_merge():
    assert len(run("").organizations) == 6
    resolved = run("- different: [北仑边检站, 浙江北仑边检站]\n")
    assert {"北仑边检站", "浙江北仑边检站"} <= set(resolved.organizations)
    assert len(resolved.decisions) == 1
    (decision_id,) = resolved.decisions
    assert resolved.organizations["北仑边检站"].curated_by == [decision_id]
    assert resolved.organizations["浙江北仑边检站"].curated_by == [decision_id]


def test_negative_same_keeps_apart_and_same_cannot_override_different():
    resolved = run("- same: [北仑边检站, 浙江北仑边检站]\n  judgement: negative\n")
    assert {"北仑边检站", "浙江北仑边检站"} <= set(resolved.organizations)
    resolved = run("- same: [大窑湾边检站, 大连边检站]\n- different: [大连边检站, 大窑湾边检站]\n")
    assert {"大窑湾边检站", "大连边检站"} <= set(resolved.organizations)
    assert any("conflicts" in line for line in resolved.report)


def test_rename_keeps_the_old_name_as_alias():
    resolved = run("- rename: {from: 大连边检站, to: 大连出入境边防检查站}\n")
    org = resolved.organizations["大连出入境边防检查站"]
    assert "大连边检站" in org.aliases and org.curated_by
    assert ("joint_building", "大连出入境边防检查站", "大连海关") in resolved.links


def test_later_decisions_find_a_renamed_organization_by_its_old_names():
    resolved = run("- rename: {from: 大连边检站, to: 大连出入境边防检查站}\n- retype: {name: 大连边检站, type: BorderPolice}\n"
                   "- remove_link: {head: 大连边检站, tail: 大连海关, type: joint_building}\n")
    assert resolved.organizations["大连出入境边防检查站"].type == "BorderPolice"
    assert not [line for line in resolved.report if "no longer applies" in line]
    assert len(resolved.decisions) == 3


def test_rename_onto_another_organization_is_refused_and_said():
    resolved = run("- rename: {from: 大连边检站, to: 大连海关}\n")
    assert {"大连边检站", "大连海关"} <= set(resolved.organizations)
    assert any("use 'same'" in line for line in resolved.report) and not resolved.decisions


def test_an_ambiguous_name_is_reported_not_guessed():
    docs = DOCS + [doc("d.txt", [ent(1, "福建北仑边检站")])]
    resolved = resolve(docs, parse_curation("- retype: {name: 北仑边检站, type: Customs}\n"))
    assert resolved.organizations["北仑边检站"].type == "Customs"  # its own exact name is not ambiguous
    resolved = resolve(docs[:2] + docs[3:], parse_curation("- remove: 北仑边检站\n", "cur.yaml"))
    assert {"浙江北仑边检站", "福建北仑边检站"} <= set(resolved.organizations)
    assert any(line.startswith("cur.yaml:1:") and "ambiguous" in line for line in resolved.report), resolved.report


def test_retype_changes_the_type_and_marks_it():
    resolved = run("- retype: {name: 青松岭村, type: Government}\n")
    org = resolved.organizations["青松岭村"]
    assert org.type == "Government" and len(org.curated_by) == 1
    assert resolved.decisions[org.curated_by[0]].operation == "retype"


def test_add_link_is_curated_with_a_note_and_no_extracted_evidence():
    resolved = run("- add_link: {head: 青松岭村, tail: 大连海关, type: joint_building, note: 'source: 2023 年报'}\n")
    link = resolved.links[("joint_building", "大连海关", "青松岭村")]
    assert link.evidence == [] and link.note == "source: 2023 年报" and link.curated_by in resolved.decisions


def test_remove_link_and_remove_organization():
    resolved = run("- remove_link: {head: 大连海关, tail: 大连边检站, type: joint_building}\n")
    assert ("joint_building", "大连海关", "大连边检站") not in resolved.links
    resolved = run("- remove: 青松岭村\n")
    assert "青松岭村" not in resolved.organizations
    assert not any("青松岭村" in key for key in resolved.links)
    assert [d.operation for d in resolved.decisions.values()] == ["remove"]


def test_names_in_decisions_may_be_any_surface_form_or_script():
    resolved = run("- retype: {name: 大連出入境邊防檢查站, type: BorderPolice}\n")
    assert resolved.organizations["大连边检站"].type == "BorderPolice"


def test_unsure_and_negative_decisions_are_listed_not_applied():
    resolved = run("- remove: 青松岭村\n  judgement: unsure\n- retype: {name: 青松岭村, type: Enterprise}\n"
                   "  judgement: negative\n")
    assert resolved.organizations["青松岭村"].type == "Village"
    assert not resolved.decisions
    assert sum("not applied" in line for line in resolved.report) == 2


# ---------------------------------------------------------------- stale decisions


@pytest.mark.parametrize("text", [
    "- same: [某某边检站, 大连边检站]\n",
    "- different: [大连边检站, 某某海关]\n",
    "- rename: {from: 某某边检站, to: 大连边检站}\n",
    "- retype: {name: 某某边检站, type: Customs}\n",
    "- add_link: {head: 某某边检站, tail: 大连海关, type: cooperation, note: x}\n",
    "- remove_link: {head: 大连海关, tail: 青松岭村, type: joint_building}\n",
    "- remove: 某某边检站\n",
])
def test_a_decision_that_no_longer_applies_is_reported_with_its_line(text):
    resolved = run("# curation\n" + text)
    assert any(line.startswith("cur.yaml:2:") and "no longer applies" in line for line in resolved.report), resolved.report
    assert not resolved.decisions


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("text, line, words", [
    ("- same: [甲, 乙]\n- same: [甲\n", 3, "YAML syntax"),
    ("- same: [甲, 乙]\n- merge: [甲, 乙]\n", 2, "unknown field or operation 'merge'"),
    ("- same: [甲, 乙]\n\n- retype: {name: 甲, type: Ship}\n", 3, "unknown type 'Ship'"),
    ("- add_link: {head: 甲, tail: 乙, type: friends_with, note: x}\n", 1, "unknown relation type"),
    ("- add_link: {head: 甲, tail: 乙, type: cooperation}\n", 1, "needs a note"),
    ("- rename: {from: 甲}\n", 1, "missing to"),
    ("- same: [甲, 乙, 丙]\n", 1, "two names"),
    ("- same: [甲, 乙]\n  judgement: maybe\n", 2, "judgement"),
    ("- same: [甲, 乙]\n  remove: 甲\n", 1, "exactly one operation"),
    ("- note: nothing to do\n", 1, "exactly one operation"),
    ("same: [甲, 乙]\n", 1, "list of decisions"),
    ("- remove: ''\n", 1, "non-empty"),
    ("- same: [甲, 乙]\n  note: a\n  note: b\n", 3, "given twice"),
    ("- same: [甲, 乙]\n\t- remove: 甲\n", 2, "YAML syntax"),
    ("- rename: {from: 甲, to: 乙, by: 我}\n", 1, "no field 'by'"),
])
def test_malformed_files_fail_with_the_line_number(text, line, words):
    with pytest.raises(CurationError) as caught:
        parse_curation(text, "cur.yaml")
    message = str(caught.value)
    assert message.startswith(f"cur.yaml:{line}:") and words in message, message


def test_load_curation_names_the_file(tmp_path: Path):
    path = tmp_path / "curation.yaml"
    path.write_text("- same: [甲, 乙]\n- oops: 1\n", encoding="utf-8")
    with pytest.raises(CurationError, match=rf"{path}:2:"):
        load_curation(path)


def test_decision_ids_are_stable_and_ignore_notes():
    a = parse_curation("- same: [甲, 乙]\n  note: one\n").decisions[0]
    b = parse_curation("# moved\n- same: [甲, 乙]\n  note: two\n").decisions[0]
    assert a.id == b.id and len(a.id) == 12


def test_empty_file_and_decisions_key_are_accepted():
    assert parse_curation("").decisions == []
    assert len(parse_curation("decisions:\n  - remove: 甲\n").decisions) == 1


def test_the_bundled_example_file_is_valid(repo_dir):
    curation = load_curation(repo_dir / "data" / "curation.yaml")
    assert {d.operation for d in curation.decisions} >= {"same", "different"}


@pytest.mark.slow
def test_the_bundled_curation_file_applies_to_the_sample_corpus(repo_dir, sample_corpus):
    extract_module = pytest.importorskip("kg.extract")
    if not hasattr(extract_module, "extract") or not any(sample_corpus.glob("*")):
        pytest.skip("needs kg.extract.extract and the sample corpus")
    from kg.ingest import SkipFile, read_article

    docs = []
    for path in sorted(sample_corpus.iterdir()):
        try:
            art = read_article(path)
        except SkipFile:
            continue
        docs.append((art, extract_module.extract(art.text, art.file_name)))
    curation = load_curation(repo_dir / "data" / "curation.yaml")
    resolved = resolve(docs, curation)
    assert [line for line in resolved.report if "no longer applies" in line or "conflicts" in line] == []
    assert {d.id for d in curation.decisions if d.judgement == "positive"} <= set(resolved.decisions)
