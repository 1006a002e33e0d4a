import os
import subprocess
import sys
import textwrap

import pytest

from kg.store import EmbeddedStore, QueryError, QueryTimeout, StoreError, StoreLocked, open_store

TRIPLE = '<http://example.org/a> <http://example.org/p> "{}" .'


def write(store: EmbeddedStore, *values: str, copy: bool = False) -> None:
    with store.new_version(copy_current=copy) as transaction:
        transaction.add_lines(TRIPLE.format(v) for v in values)


def values(store: EmbeddedStore) -> list:
    return sorted(r["o"] for r in EmbeddedStore(store.location).query("SELECT ?o WHERE { ?s <http://example.org/p> ?o }").rows)


def test_a_new_version_becomes_current_only_when_it_succeeds(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    write(store, "one")
    with pytest.raises(RuntimeError):
        with store.new_version(copy_current=True) as transaction:
            transaction.add_lines([TRIPLE.format("two")])
            raise RuntimeError("build failed half way")
    assert values(store) == ["one"]
    assert sorted(p.name for p in store.versions_dir.iterdir() if p.is_dir()) == ["v000001"]


def test_copy_current_carries_the_graph_over_and_old_versions_are_collected(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    write(store, "one")
    write(store, "two", copy=True)
    write(store, "three", copy=True)
    assert values(store) == ["one", "three", "two"]
    kept = sorted(p.name for p in store.versions_dir.iterdir() if p.is_dir())
    assert kept == ["v000002", "v000003"]  # the current one and the one a reader may still hold


def test_a_new_database_and_every_third_written_copy_are_compacted_and_keep_their_graph(tmp_path, monkeypatch):
    import kg.store

    compacted = []
    compact = kg.store.Transaction.compact
    monkeypatch.setattr(kg.store.Transaction, "compact", lambda self: compacted.append(self.name) or compact(self))
    store = EmbeddedStore(tmp_path / "s")
    write(store, "one")
    counts = [store.build_record()["writes_since_compaction"]]
    for value in ("two", "three", "four", "five"):
        write(store, value, copy=True)
        counts.append(store.build_record()["writes_since_compaction"])
    assert counts == [0, 1, 2, 0, 1]
    assert compacted == ["v000001", "v000004"]  # the new database, then the third copy
    assert values(store) == ["five", "four", "one", "three", "two"]


def test_reader_opened_before_a_build_keeps_seeing_its_version(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    write(store, "old")
    reader = EmbeddedStore(store.location)
    assert reader.query("SELECT ?o WHERE { ?s ?p ?o }").rows == [{"o": "old"}]
    write(store, "new")
    assert reader.query("SELECT ?o WHERE { ?s ?p ?o }").rows == [{"o": "old"}]
    assert values(store) == ["new"]


def test_a_second_writer_is_refused_with_the_lock_named(tmp_path):
    root = tmp_path / "s"
    script = textwrap.dedent(f"""
        import sys, time
        from kg.store import EmbeddedStore
        store = EmbeddedStore({str(root)!r})
        with store.lock():
            print("locked", flush=True)
            time.sleep(30)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLocked, match="LOCK"):
            write(EmbeddedStore(root), "x")
    finally:
        holder.kill()
        holder.wait()
    write(EmbeddedStore(root), "x")  # the lock dies with its process
    assert values(EmbeddedStore(root)) == ["x"]


def test_killed_writer_leaves_the_previous_graph_and_the_next_build_succeeds(tmp_path):
    root = tmp_path / "s"
    write(EmbeddedStore(root), "before")
    script = textwrap.dedent(f"""
        import os, signal
        from kg.store import EmbeddedStore
        store = EmbeddedStore({str(root)!r})
        with store.new_version(copy_current=True) as transaction:
            transaction.add_lines(['<http://example.org/a> <http://example.org/p> "half" .'])
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script])
    assert result.returncode == -9
    assert values(EmbeddedStore(root)) == ["before"]
    write(EmbeddedStore(root), "after", copy=True)
    assert values(EmbeddedStore(root)) == ["after", "before"]


def test_query_errors_carry_the_parser_message(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    write(store, "x")
    with pytest.raises(QueryError, match="error at 1:"):
        store.query("SELECT * WHERE {")


def test_query_timeout(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    with store.new_version() as transaction:
        transaction.add_lines(f'<http://example.org/n{i}> <http://example.org/p> "{i % 50}" .' for i in range(3000))
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?x . ?c ?p ?x }"
    with pytest.raises(QueryTimeout, match="time limit"):
        store.query(slow, timeout=0.2)


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="kg build"):
        EmbeddedStore(tmp_path / "nothing").query("ASK {}")


def test_open_store_reads_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "env-store"))
    assert open_store().location == str(tmp_path / "env-store")
    assert open_store(tmp_path / "x").location == str(tmp_path / "x")


def test_replace_graph_and_load_files(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    write(store, "data")
    store.replace_graph("http://example.org/metrics", [TRIPLE.format("m1")])
    store.replace_graph("http://example.org/metrics", [TRIPLE.format("m2")])
    extra = tmp_path / "extra.ttl"
    extra.write_text('@prefix ex: <http://example.org/> . ex:b ex:p "imported" .', encoding="utf-8")
    store.load_files([extra])
    assert values(store) == ["data", "imported", "m2"]
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(StoreError, match="bad.ttl"):
        store.load_files([bad])
    assert values(store) == ["data", "imported", "m2"]


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    with store.lock():
        write(store, "inside")  # new_version takes the lock again
    assert values(store) == ["inside"]
    write(store, "after")
    assert values(store) == ["after"]


def test_imported_files_get_graphs_of_their_own(tmp_path):
    import pyoxigraph as ox

    from kg.store import IMPORT_GRAPH, ONTOLOGY_GRAPH

    store = EmbeddedStore(tmp_path / "s")
    write(store, "data")
    extra = tmp_path / "其他 团队.ttl"
    extra.write_text('@prefix ex: <http://example.org/> . ex:b ex:p "imported" .', encoding="utf-8")
    store.load_files([extra])
    graphs = sorted(g.value for g in EmbeddedStore(store.location).ox.named_graphs())
    assert graphs == sorted([IMPORT_GRAPH + "其他%20团队.ttl", ONTOLOGY_GRAPH])  # the ontology comes with a first import
    assert values(store) == ["data", "imported"]
    assert ox.NamedNode(graphs[0])


def test_saved_queries_work_on_a_graph_imported_into_an_empty_store(tmp_path):
    from kg.query import bind, saved_queries

    store = EmbeddedStore(tmp_path / "s")
    made_elsewhere = tmp_path / "elsewhere.ttl"
    made_elsewhere.write_text(
        "@prefix lj: <https://w3id.org/lianjian/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<http://example.org/a> a lj:Customs ; skos:prefLabel \"甲海关\"@zh .\n", encoding="utf-8")
    store.load_files([made_elsewhere])
    query = bind(saved_queries()["organizations-by-type"].text, {"type": "海关"})
    rows = EmbeddedStore(store.location).query(query).rows
    assert [r["label"] for r in rows] == ["甲海关"]
    store.load_files([made_elsewhere])  # a second import does not load the ontology twice
    assert len(list(EmbeddedStore(store.location).ox.named_graphs())) == 2


def test_side_files_are_copied_skipped_or_linked_and_the_previous_version_keeps_its_bytes(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    write(store, "one")
    first = store.versions_dir / store.current_version()
    for suffix, text in ((".kept", "copied"), (".fresh", "rewritten"), (".shared", "linked")):
        first.with_name(first.name + suffix).write_text(text, encoding="utf-8")
    with store.new_version(copy_current=True, rewritten=(".fresh",), linked=(".shared",)) as transaction:
        side = store.versions_dir / transaction.name
        assert side.with_name(side.name + ".kept").read_text(encoding="utf-8") == "copied"
        assert not side.with_name(side.name + ".fresh").exists()
        shared = side.with_name(side.name + ".shared")
        assert shared.read_text(encoding="utf-8") == "linked"
        assert shared.stat().st_ino == first.with_name(first.name + ".shared").stat().st_ino
        shared.unlink()  # how a build replaces a linked file
        shared.write_text("new", encoding="utf-8")
    assert first.with_name(first.name + ".shared").read_text(encoding="utf-8") == "linked"
