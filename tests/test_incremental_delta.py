"""kg.delta: a resolution redone only where articles changed equals the full resolution, line for line."""

from __future__ import annotations

import pytest

import marshal

from kg.delta import apply_patch, patch_lines, resolve_delta, state_of
from kg.linefile import LineFile, line_sizes
from kg.model import Article
from kg.resolve import join_resolved, resolve, resolved_lines


def full(docs):
    memo, trace = {}, {}
    resolved = resolve(docs, memo=memo, trace=trace)
    return resolved, state_of(resolved, memo, trace, "code", line_sizes(resolved_lines(resolved)))


def comparable(state: dict) -> dict:
    """The state decoded, with its link lists in a fixed order (a delta appends, a full build sorts).

    Packed tables (kg.delta._pack) are decoded: a shard a delta rewrote may
    list its entries in another order than a full build's.
    """
    import marshal

    def unpacked(table: str) -> dict:
        return {key: marshal.loads(blob) for key, blob in state[table].items()}

    return {**state, **{table: {key: sorted(value) for key, value in unpacked(table).items()}
                        for table in ("adjacency", "article_links")},
            **{table: unpacked(table) for table in ("memo", "kinds", "owner", "rest_ids", "ident_keys")}}


def check(before, after, *, expect_fallback: bool = False):
    """Resolve ``before`` in full, then ``after`` as a delta of it, and compare with ``after`` in full."""
    old, state = full(before)
    old_lines = resolved_lines(old)
    by_key = {section: dict(zip(state["order"][section], old_lines[section])) for section in old_lines}
    known = {(a.id, a.path, a.file_name) for a, _ in before}
    extractions = {a.id: e for a, e in after}
    fetched = []

    def fetch(ids):
        fetched.extend(ids)
        return {i: extractions[i] for i in ids}

    docs = [(a, None if (a.id, a.path, a.file_name) in known else e) for a, e in after]
    saved = marshal.dumps(state)
    delta = resolve_delta(state, docs, lambda section, key: by_key[section].get(key), fetch, limit=10_000)
    if expect_fallback:
        assert delta is None
        return None
    assert delta is not None
    new, new_state = full(after)
    patched = patch_lines(old_lines, state["order"], delta.state["order"], delta.lines)
    assert patched == resolved_lines(new)
    old_file = LineFile(join_resolved(old_lines, old.report).encode(), state["order"], state["line_bytes"])
    assert old_file.patched(delta.state["order"], delta.lines, delta.report) == \
        join_resolved(resolved_lines(new), new.report).encode()
    assert delta.report == new.report
    assert comparable(delta.state) == comparable(new_state)
    # The saved patch replays the delta on the saved tables (what the next build loads).
    replayed = apply_patch(marshal.loads(saved), marshal.loads(marshal.dumps(delta.patch)))
    assert comparable(replayed) == comparable(new_state)
    return delta, fetched


def article(name: str) -> Article:
    return Article(path=f"/corpus/{name}", file_name=name, sha256=(name.encode().hex() * 64)[:64], text="",
                   title=None)


def doc(name: str, *entities, relations=()):
    """An article and its extraction: entities as (name, type) or (name, type, [aliases])."""
    ents = []
    for number, entity in enumerate(entities, 1):
        ents.append({"id": f"e{number}", "name": entity[0], "type": entity[1],
                     "aliases": list(entity[2]) if len(entity) > 2 else []})
    rels = [{"head": f"e{h}", "tail": f"e{t}", "type": kind, "evidence": f"{name}第{h}{t}句。", "confidence": 0.9}
            for h, t, kind in relations]
    return article(name), {"doc": name, "entities": ents, "relations": rels}


@pytest.fixture(scope="module")
def sample_docs(sample_corpus):
    from kg.build import collect

    return collect([sample_corpus], jobs=1)


def test_adding_or_removing_any_one_sample_article(sample_docs):
    for i in range(len(sample_docs)):
        others = sample_docs[:i] + sample_docs[i + 1:]
        check(others, sample_docs)
        check(sample_docs, others)


def test_adding_and_removing_several_at_once(sample_docs):
    check(sample_docs[:10], sample_docs[5:])
    check(sample_docs[3:], sample_docs[:12])
    check(sample_docs, sample_docs[::2])


def test_nothing_changed_changes_nothing(sample_docs):
    delta, fetched = check(sample_docs, sample_docs)
    assert delta.lines == {} and fetched == [] and delta.reclustered == 0


BASE = [
    doc("a.txt", ("天津新港边检站", "BorderInspection"), ("天津港集团", "Enterprise"), relations=[(1, 2, "joint_building")]),
    doc("b.txt", ("新港边检站", "BorderInspection"), ("塘沽海关", "Customs"), relations=[(1, 2, "joint_defense")]),
    doc("c.txt", ("铜陵边检站", "BorderInspection"), ("铜陵海关", "Customs"), relations=[(1, 2, "cooperation")]),
]


def test_an_added_article_that_splits_a_cluster_and_its_removal_that_joins_it_again():
    fujian = doc("d.txt", ("福建新港边检站", "BorderInspection"), ("福州海关", "Customs"),
                 relations=[(1, 2, "joint_building")])
    # Before: 新港边检站 is 天津新港边检站; with a 福建新港边检站 too, the short name could be either.
    delta, _ = check(BASE, BASE + [fujian])
    assert "新港边检站" in {k for k, v in delta.lines.get("organizations", {}).items() if v}
    delta, fetched = check(BASE + [fujian], BASE)
    assert delta.lines["organizations"]["新港边检站"] is None


def test_a_deleted_article_that_splits_a_cluster_reads_its_articles_again():
    bridge = doc("e.txt", ("安徽铜陵边检站", "BorderInspection", ["铜陵港边检站"]))
    port = doc("f.txt", ("铜陵港边检站", "BorderInspection"), ("铜陵港务公司", "Enterprise"),
               relations=[(1, 2, "joint_building")])
    check(BASE + [port], BASE + [port, bridge])  # the alias joins two clusters
    delta, fetched = check(BASE + [port, bridge], BASE + [port])  # and its removal parts them
    assert fetched  # relations of the split cluster's articles were read again


def test_an_added_article_that_adds_an_alias_to_an_existing_organization():
    alias = doc("g.txt", ("铜陵出入境边防检查站", "BorderInspection", ["铜陵边检站"]), ("铜陵长江大桥党支部", "PartyOrganization"),
                relations=[(1, 2, "joint_building")])
    delta, _ = check(BASE, BASE + [alias])
    changed = delta.lines["organizations"]
    assert any(line and "铜陵出入境边防检查站" in line for line in changed.values())


def test_a_deleted_article_that_was_the_only_evidence_of_a_link():
    again = doc("h.txt", ("铜陵边检站", "BorderInspection"), ("天津港集团", "Enterprise"),
                relations=[(1, 2, "cooperation")])
    delta, _ = check(BASE + [again], BASE)
    assert [line for line in delta.lines["links"].values() if line is not None] == []
    assert any(line is None for line in delta.lines["links"].values())


def test_a_renamed_file_with_the_same_bytes_is_moved():
    moved = [(Article(**{**vars(BASE[0][0]), "path": "/other/a.txt"}), BASE[0][1])] + BASE[1:]
    check(BASE, moved)


def test_too_many_changes_give_no_delta():
    old, state = full(BASE[:1])
    assert resolve_delta(state, BASE, lambda s, k: None, lambda ids: {}, limit=1) is None


def test_an_added_article_that_gives_an_existing_organization_one_more_alias():
    before = BASE[:2] + [doc("x.txt", ("铜陵出入境边防检查站", "BorderInspection"), ("铜陵长江大桥党支部", "PartyOrganization"),
                             relations=[(1, 2, "joint_building")])]
    delta, _ = check(before, before + [BASE[2]])  # names it 铜陵边检站
    line = delta.lines["organizations"]["铜陵出入境边防检查站"]
    assert line is not None and "铜陵边检站" in line  # same key, one more alias
    assert "铜陵边检站" not in delta.lines["organizations"]


@pytest.fixture(scope="module")
def generated_docs(tmp_path_factory, repo_dir):
    """A few hundred generated articles: recurring units, hubs (national bodies), places (bench/corpus_gen.py)."""
    import sys

    from kg.build import collect

    sys.path.insert(0, str(repo_dir / "bench"))
    from corpus_gen import generate

    folder = tmp_path_factory.mktemp("generated")
    generate(240, folder, seed=3)
    return collect([folder], jobs=1)


def test_random_additions_and_deletions_in_a_generated_corpus(generated_docs):
    import random

    chooser = random.Random(8)
    docs = generated_docs
    for _ in range(6):
        dropped = set(chooser.sample(range(len(docs)), 10))
        part = [d for i, d in enumerate(docs) if i not in dropped]
        check(part, docs)
        check(docs, part)


def test_a_saved_patch_replays_the_delta_on_the_old_tables(sample_docs):
    import marshal

    from kg.delta import apply_patch

    old, state = full(sample_docs[:12])
    lines = resolved_lines(old)
    by_key = {section: dict(zip(state["order"][section], lines[section])) for section in lines}
    saved = marshal.dumps(state)
    extractions = {a.id: e for a, e in sample_docs}
    delta = resolve_delta(marshal.loads(saved), sample_docs[2:], lambda s, k: by_key[s].get(k),
                          lambda ids: {i: extractions[i] for i in ids}, limit=100)
    replayed = apply_patch(marshal.loads(saved), marshal.loads(marshal.dumps(delta.patch)))
    assert comparable(replayed) == comparable(delta.state)
    assert len(marshal.dumps(delta.patch)) < len(saved)


@pytest.mark.parametrize("module", ["kg.linefile", "kg.resolve", "kg.delta"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
