"""Incremental builds give exactly the graph of a full build, and extract only what is new."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import _changes, _nodes, build, node_lines
from kg.rdf import triples
from kg.resolve import resolve, resolved_lines
from kg.store import EmbeddedStore

LJ = "https://w3id.org/lianjian/ontology#"


def quads(location: Path) -> list[str]:
    """Every quad of the current version (data, ontology and any other graph) as sorted N-Quads lines."""
    out = io.BytesIO()
    EmbeddedStore(location).ox.dump(out, format=ox.RdfFormat.N_QUADS)
    return sorted(out.getvalue().decode("utf-8").splitlines())


def copy_corpus(sample: Path, into: Path, names: list[str]) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(sample / name, into / name)
    return into


@pytest.fixture(scope="module")
def names(sample_corpus) -> list[str]:
    return sorted(p.name for p in sample_corpus.iterdir())


@pytest.fixture(scope="module")
def evolved(tmp_path_factory, sample_corpus, names):
    """A store built from part of the corpus, then rebuilt after adds, a change and a deletion."""
    root = tmp_path_factory.mktemp("incremental")
    corpus = copy_corpus(sample_corpus, root / "corpus", names[:12])
    store = root / "store"
    first = build([corpus], store, jobs=1)
    before = quads(store)
    # Add three articles, change one (a unit renamed in every sentence), delete one.
    copy_corpus(sample_corpus, corpus, names[12:15])
    changed = corpus / names[0]
    text = changed.read_bytes().decode("utf-8-sig")
    changed.write_text(text.replace("铜陵", "池州"), encoding="utf-8")
    removed = corpus / names[1]
    removed_id = first_article_id(store, removed.name)
    removed.unlink()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kg.build.INCREMENTAL_LIMIT", 1.0)  # a third of this small corpus changed: edit anyway
        second = build([corpus], store, jobs=1)
    return {"root": root, "corpus": corpus, "store": store, "first": first, "second": second,
            "before": before, "removed_id": removed_id}


def first_article_id(store: Path, file_name: str) -> str:
    rows = EmbeddedStore(store).query(
        f'SELECT ?a WHERE {{ ?a <{LJ}fileName> "{file_name}" }}').rows
    assert rows, file_name
    return rows[0]["a"]


def test_incremental_result_is_the_full_build_result(evolved):
    reference = evolved["root"] / "reference"
    summary = build([evolved["corpus"]], reference, jobs=1)
    assert summary.load == "full"
    assert (evolved["second"].load, evolved["second"].resolution) == ("incremental", "delta")
    assert quads(evolved["store"]) == quads(reference)
    assert evolved["second"].triples == summary.triples


def test_only_new_and_changed_articles_are_extracted(evolved):
    assert evolved["first"].extracted == 12
    assert evolved["second"].extracted == 4  # three added, one changed
    assert evolved["second"].articles_read == 14
    assert 0 < evolved["second"].changed < evolved["first"].changed


def test_a_removed_article_takes_its_evidence_and_its_links_with_it(evolved):
    store = EmbeddedStore(evolved["store"])
    gone = evolved["removed_id"]
    assert store.query(f"ASK {{ <{gone}> ?p ?o }}").boolean is False
    assert store.query(f"ASK {{ ?s ?p <{gone}> }}").boolean is False
    # Every link still has evidence, and every evidence still has its article.
    orphan_links = store.query(
        f"SELECT ?l WHERE {{ ?l a <{LJ}Link> FILTER NOT EXISTS {{ ?l <{LJ}evidence> ?e }} "
        f"FILTER NOT EXISTS {{ ?l <{LJ}curated> true }} }}").rows
    assert orphan_links == []
    orphan_evidence = store.query(
        f"SELECT ?e WHERE {{ ?e a <{LJ}Evidence> ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?a "
        f"FILTER NOT EXISTS {{ ?a a <{LJ}Article> }} }}").rows
    assert orphan_evidence == []


def test_links_only_the_removed_article_stated_are_removed(evolved):
    before = {line for line in evolved["before"] if f"<{LJ}Link>" in line}
    after = {line for line in quads(evolved["store"]) if f"<{LJ}Link>" in line}
    assert before - after  # some links lived only in the deleted (or changed) article


def test_a_rebuild_with_nothing_changed_extracts_nothing_and_writes_nothing(evolved):
    from kg.store import EmbeddedStore

    before = EmbeddedStore(evolved["store"]).current_version()
    summary = build([evolved["corpus"]], evolved["store"], jobs=1)
    assert (summary.extracted, summary.changed, summary.load, summary.resolution) == (0, 0, "none", "delta")
    assert summary.version == before == EmbeddedStore(evolved["store"]).current_version()
    assert quads(evolved["store"]) == quads(evolved["root"] / "reference")


def test_a_rebuild_that_changes_only_what_the_summary_lists_writes_a_version(evolved, tmp_path):
    from kg.store import EmbeddedStore

    copy = tmp_path / "store"
    shutil.copytree(evolved["store"], copy)
    before = EmbeddedStore(copy).current_version()
    (evolved["corpus"] / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")
    try:
        summary = build([evolved["corpus"]], copy, jobs=1)
    finally:
        (evolved["corpus"] / "notes.pdf").unlink()
    assert summary.load == "incremental" and summary.version != before
    assert [s.reason for s in summary.skipped if s.path.endswith("notes.pdf")]
    assert EmbeddedStore(copy).build_record()["summary"]["skipped"] == summary.to_dict()["skipped"]


def test_full_extracts_everything_again(evolved):
    copy = evolved["root"] / "full-copy"
    shutil.copytree(evolved["store"], copy)
    summary = build([evolved["corpus"]], copy, jobs=1, full=True)
    assert (summary.extracted, summary.load) == (14, "full")
    assert quads(copy) == quads(evolved["store"])


def test_a_graph_changed_after_its_build_is_reloaded_in_full(evolved, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(evolved["store"], copy)
    extra = tmp_path / "extra.nt"
    extra.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n", encoding="utf-8")
    EmbeddedStore(copy).load_files([extra])
    summary = build([evolved["corpus"]], copy, jobs=1)
    assert summary.load == "full"  # the graph is no longer the build's own output
    imported = [q for q in quads(copy) if "graph/import/" in q]
    assert len(imported) == 1  # … but what `kg import` added is kept in its own graph
    assert [q for q in quads(copy) if q not in imported] == quads(evolved["store"])


def test_nodes_write_exactly_the_lines_of_kg_rdf(sample_corpus):
    from kg.build import collect

    resolved = resolve(collect([sample_corpus], jobs=1))
    by_node = [line for (kind, _), value in _nodes(resolved) for line in node_lines(kind, value)]
    assert by_node == list(triples(resolved))
    assert len(set(by_node)) == len(by_node)  # no triple belongs to two nodes


def test_changes_between_two_resolutions(sample_corpus):
    from kg.build import collect

    docs = collect([sample_corpus], jobs=1)
    whole, part = resolve(docs), resolve(docs[:-1])
    change = _changes(resolved_lines(part), resolved_lines(whole))
    assert change.nodes > 0 and change.add
    assert _changes(resolved_lines(whole), resolved_lines(whole)).nodes == 0
    applied = (set(triples(part)) - set(change.remove)) | set(change.add)
    assert applied == set(triples(whole))


def test_the_resolved_json_has_one_node_a_line_and_reads_back(sample_corpus):
    from kg.build import collect
    from kg.resolve import SECTIONS, node_from_line, resolved_from_json, resolved_to_json, split_resolved

    resolved = resolve(collect([sample_corpus], jobs=1))
    text = resolved_to_json(resolved)
    again = resolved_from_json(text)
    assert again == resolved
    assert list(triples(again)) == list(triples(resolved))
    lines = split_resolved(text)
    assert lines == resolved_lines(resolved)
    assert sum(len(lines[s]) for s in SECTIONS) == sum(1 for _ in _nodes(resolved))
    organization = next(iter(resolved.organizations.values()))
    assert node_from_line("organizations", lines["organizations"][0]) == (organization.key, organization)
    assert split_resolved('{"articles": {}}') is None  # any other layout: no previous build to edit


def test_a_changed_curation_file_gives_the_full_build_result(tmp_path, sample_corpus, repo_dir):
    """Curation decisions change names, types and links across the graph: the edit must still be exact."""
    store, reference = tmp_path / "store", tmp_path / "reference"
    curation = repo_dir / "data" / "curation.yaml"
    build([sample_corpus], store, jobs=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kg.build.INCREMENTAL_LIMIT", 1.0)
        summary = build([sample_corpus], store, jobs=1, curation=curation)
        assert (summary.load, summary.extracted) == ("incremental", 0) and summary.changed > 0
        assert build([sample_corpus], store, jobs=1).load == "incremental"  # and the curation taken away again
    build([sample_corpus], reference, jobs=1)
    assert quads(store) == quads(reference)
    curated = tmp_path / "curated"
    build([sample_corpus], curated, jobs=1, curation=curation)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kg.build.INCREMENTAL_LIMIT", 1.0)
        build([sample_corpus], store, jobs=1, curation=curation)
    assert quads(store) == quads(curated)


def test_unchanged_files_are_not_read_again_and_their_mentions_not_found_again(tmp_path, sample_corpus, names,
                                                                               monkeypatch):
    import os

    import kg.build
    import kg.ingest
    import kg.resolve

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:6])
    store = tmp_path / "store"
    build([corpus], store, jobs=1)
    # Spies that write to a file: a rebuild scans in a forked child (kg.scan.Background).
    monkeypatch.setattr(kg.build, "BACKGROUND_ABOVE", 0)
    log = tmp_path / "calls.log"
    log.touch()

    def note(what: str, name: str) -> None:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{what} {name}\n")

    def calls(what: str) -> list[str]:
        return [line.split(" ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines() if line.startswith(what)]

    read_bytes, mentions = kg.ingest.read_bytes, kg.resolve.article_mentions
    monkeypatch.setattr(kg.ingest, "read_bytes", lambda path, **kw: note("read", path.name) or read_bytes(path, **kw))
    monkeypatch.setattr(kg.resolve, "article_mentions", lambda *args: note("found", args[0].file_name) or mentions(*args))
    again = build([corpus], store, jobs=1)
    assert (calls("read"), calls("found"), again.changed) == ([], [], 0)
    touched = corpus / names[2]
    info = touched.stat()
    os.utime(touched, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))  # same bytes, new time: read again
    build([corpus], store, jobs=1)
    assert (calls("read"), calls("found")) == ([names[2]], [])


def test_a_first_build_reads_each_file_once_and_records_every_hash(tmp_path, sample_corpus, names, monkeypatch):
    import os

    import kg.ingest
    from kg.cache import ExtractionCache

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:4])
    for path in corpus.iterdir():  # an access time long past: reading the file moves it (relatime)
        os.utime(path, ns=(1_000_000_000_000_000_000, path.stat().st_mtime_ns))
    reads: list[str] = []
    read_bytes = kg.ingest.read_bytes
    monkeypatch.setattr(kg.ingest, "read_bytes", lambda path, **kw: reads.append(path.name) or read_bytes(path, **kw))
    build([corpus], tmp_path / "store", jobs=1)
    assert sorted(reads) == sorted(names[:4])  # nothing to look up in a new cache: read to extract, not to hash
    with ExtractionCache(tmp_path / "store" / "cache") as cache:
        for path in corpus.iterdir():
            info = path.stat()
            assert cache.known_hash(str(path), info.st_size, info.st_mtime_ns) is not None, path.name


def _cache_holds(store: Path, corpus: Path) -> tuple[int, int]:
    """(entries, files of ``corpus`` whose hash is recorded) in the store's extraction cache."""
    from kg.cache import ExtractionCache

    with ExtractionCache(store / "cache") as cache:
        recorded = sum(cache.known_hash(str(p), p.stat().st_size, p.stat().st_mtime_ns) is not None
                       for p in corpus.iterdir())
        return len(cache), recorded


@pytest.fixture
def cache_forks(monkeypatch):
    """The writer children kg.scan forks (any article count writes behind), as pids."""
    import os

    import kg.scan

    monkeypatch.setattr(kg.scan, "WRITE_BEHIND_FROM", 1)
    forks: list[int] = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(kg.scan.os, "fork", fork)
    return forks


def test_a_build_on_two_cores_writes_the_cache_in_a_child_and_waits_for_it(tmp_path, sample_corpus, names,
                                                                            cache_forks):
    import os

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:4])
    build([corpus], tmp_path / "store", jobs=2)
    assert len(cache_forks) == 1
    with pytest.raises(ChildProcessError):  # reaped when the build ended
        os.waitpid(cache_forks[0], os.WNOHANG)
    assert _cache_holds(tmp_path / "store", corpus) == (4, 4)
    assert build([corpus], tmp_path / "store", jobs=2).extracted == 0


def test_what_a_failed_cache_writer_did_not_write_is_written_by_the_build(tmp_path, sample_corpus, names,
                                                                           cache_forks, monkeypatch):
    import os

    import kg.scan

    monkeypatch.setattr(kg.scan, "_write_behind", lambda *args: os._exit(3))
    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:4])
    build([corpus], tmp_path / "store", jobs=2)
    assert len(cache_forks) == 1 and _cache_holds(tmp_path / "store", corpus) == (4, 4)


def test_one_job_writes_the_cache_itself(tmp_path, sample_corpus, names, cache_forks):
    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:4])
    build([corpus], tmp_path / "store", jobs=1)
    assert cache_forks == [] and _cache_holds(tmp_path / "store", corpus) == (4, 4)


def test_an_interrupted_extraction_keeps_what_it_extracted(tmp_path, sample_corpus, names, cache_forks, monkeypatch):
    import kg.build

    def two_then_interrupted(paths, jobs, max_bytes, scheduler):
        for path in paths[:2]:
            yield kg.build.process_file(path, max_bytes)
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.build, "_extract_pending", two_then_interrupted)
    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:4])
    with pytest.raises(KeyboardInterrupt):
        build([corpus], tmp_path / "store", jobs=2)
    assert cache_forks == [] and _cache_holds(tmp_path / "store", corpus) == (2, 2)


def test_saved_mentions_of_other_code_are_not_used(tmp_path, sample_corpus, names, monkeypatch):
    import kg.resolve

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:3])
    store = tmp_path / "store"
    build([corpus], store, jobs=1)
    found = []
    mentions = kg.resolve.article_mentions
    monkeypatch.setattr(kg.resolve, "article_mentions", lambda *args: found.append(args[0].file_name) or mentions(*args))
    monkeypatch.setattr("kg.build.mention_code", lambda: "other code")
    build([corpus], store, jobs=1)
    assert sorted(found) == names[:3]


def test_imported_graphs_survive_full_and_incremental_rebuilds(tmp_path, sample_corpus, names):
    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:3])
    store = tmp_path / "store"
    build([corpus], store, jobs=1)
    extra = tmp_path / "partner.ttl"
    extra.write_text('<http://example.org/unit> <http://example.org/p> "来自其他团队" .', encoding="utf-8")
    EmbeddedStore(store).load_files([extra])
    ask = 'ASK { <http://example.org/unit> ?p "来自其他团队" }'
    for full in (False, True):
        shutil.copy(sample_corpus / names[3], corpus / names[3])
        build([corpus], store, jobs=1, full=full)
        assert EmbeddedStore(store).query(ask).boolean, f"imported triples lost by a {'full' if full else 'plain'} rebuild"


def test_a_build_holds_the_writer_lock_from_its_first_read(tmp_path, sample_corpus, names, monkeypatch):
    import fcntl

    import kg.build as build_module

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:2])
    store = tmp_path / "store"
    seen = []
    real_collect = build_module.collect

    def collect_while_checking(*args, **kwargs):
        other = EmbeddedStore(store)
        with open(other.lock_path, "a+") as handle:  # what a second process sees
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                seen.append("free")
            except BlockingIOError:
                seen.append("held")
        return real_collect(*args, **kwargs)

    monkeypatch.setattr(build_module, "collect", collect_while_checking)
    build([corpus], store, jobs=1)
    assert seen == ["held"]  # the refusal itself is tested in tests/faults/test_kill_and_locks.py


def test_successive_delta_builds_replay_their_saved_patches(tmp_path, sample_corpus, names):
    """Each delta build saves a patch of the resolution state; the next one replays it (and so on)."""
    from kg.build import STATE_LOG_SUFFIX

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:8])
    store = tmp_path / "store"
    assert build([corpus], store, jobs=1).resolution == "full"
    steps = [lambda: copy_corpus(sample_corpus, corpus, names[8:10]), lambda: (corpus / names[3]).unlink(),
             lambda: copy_corpus(sample_corpus, corpus, names[10:13]), lambda: (corpus / names[9]).unlink()]
    for number, step in enumerate(steps):
        step()
        summary = build([corpus], store, jobs=1)
        assert (summary.resolution, summary.load) == ("delta", "incremental")
        reference = tmp_path / f"reference-{number}"
        assert build([corpus], reference, jobs=1).resolution == "full"
        assert quads(store) == quads(reference)
        summary_lines = (store / "versions" / f"{summary.version}.resolved.json").read_text(encoding="utf-8")
        assert summary_lines == (reference / "versions" / f"{EmbeddedStore(reference).current_version()}"
                                 ".resolved.json").read_text(encoding="utf-8")
    log = store / "versions" / f"{EmbeddedStore(store).current_version()}{STATE_LOG_SUFFIX}"
    assert log.exists()
    data = log.read_bytes()
    log.unlink()  # a hard link to the previous version's log: replaced, not written into
    log.write_bytes(data[:-3])  # a damaged log: the state is not used, the build resolves everything
    (corpus / names[4]).unlink()
    summary = build([corpus], store, jobs=1)
    assert summary.resolution == "full"
    assert build([corpus], tmp_path / "reference-last", jobs=1).resolution == "full"
    assert quads(store) == quads(tmp_path / "reference-last")


def test_a_delta_build_leaves_the_previous_versions_side_files_as_they_were(tmp_path, sample_corpus, names):
    """The new version links the state files of the one before (no copy): it must replace them, not write into them."""
    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:8])
    store = tmp_path / "store"
    build([corpus], store, jobs=1)
    copy_corpus(sample_corpus, corpus, names[8:10])
    build([corpus], store, jobs=1)  # a delta build: its state is a log over the first one's
    versions = store / "versions"
    previous = EmbeddedStore(store).current_version()
    before = {p.name: p.read_bytes() for p in versions.glob(f"{previous}.*")}
    (corpus / names[2]).unlink()
    summary = build([corpus], store, jobs=1)
    assert summary.resolution == "delta" and summary.version != previous
    assert {p.name: p.read_bytes() for p in versions.glob(f"{previous}.*")} == before
    reference = tmp_path / "reference"
    build([corpus], reference, jobs=1)
    assert quads(store) == quads(reference)


def test_a_build_with_curation_resolves_in_full_and_says_so(tmp_path, sample_corpus, names, repo_dir):
    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:4])
    store = tmp_path / "store"
    build([corpus], store, jobs=1)
    copy_corpus(sample_corpus, corpus, names[4:5])
    summary = build([corpus], store, jobs=1, curation=repo_dir / "data" / "curation.yaml")
    assert summary.resolution == "full"


def _evolve(corpus: Path, sample: Path, names: list[str]) -> None:
    """Two articles added, one changed, one deleted, a non-article file and a duplicate added."""
    copy_corpus(sample, corpus, names[6:8])
    changed = corpus / names[0]
    changed.write_text(changed.read_bytes().decode("utf-8-sig").replace("铜陵", "池州"), encoding="utf-8")
    (corpus / names[1]).unlink()
    (corpus / "notes.json").write_text("{}", encoding="utf-8")
    shutil.copyfile(corpus / names[2], corpus / ("copy-" + names[2]))


SUMMARY_FIELDS = ("articles_read", "extracted", "skipped", "duplicates", "warnings", "organizations_by_type",
                  "links_by_type", "triples", "report", "load", "resolution", "changed")


@pytest.mark.parametrize("child_fails", [None, "scan", "extract"],
                         ids=["child", "child-fails", "child-extraction-fails"])
def test_the_scan_in_a_child_process_gives_the_in_process_result(tmp_path, sample_corpus, names, monkeypatch,
                                                                 child_fails):
    """kg.scan.Background (walk and extraction in a forked child) against the same rebuild scanned in process.

    A child that fails before sending the scan has the parent scan again; one
    that fails after it (while extracting) has the parent extract its files.
    """
    import os

    import kg.build
    import kg.scan

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:6])
    build([corpus], tmp_path / "a", jobs=1)
    shutil.copytree(tmp_path / "a", tmp_path / "b", symlinks=True)
    _evolve(corpus, sample_corpus, names)
    monkeypatch.setattr(kg.build, "BACKGROUND_ABOVE", 0)  # this small store too
    started = []
    real_start, real_scan, real_extract = kg.build._background_scan, kg.scan.scan, kg.scan._extract
    monkeypatch.setattr(kg.build, "_background_scan", lambda *args: started.append(1) or real_start(*args))
    parent = os.getpid()

    def scan(*args, **kwargs):  # fails in the child only: the parent scans again
        if child_fails == "scan" and os.getpid() != parent:
            raise RuntimeError("the child failed")
        return real_scan(*args, **kwargs)

    def extract(*args, **kwargs):
        if child_fails == "extract" and os.getpid() != parent:
            raise RuntimeError("the child failed while extracting")
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(kg.scan, "_extract", extract)
    monkeypatch.setattr(kg.scan, "scan", scan)
    children = []
    real_result = kg.scan.Background.result
    monkeypatch.setattr(kg.scan.Background, "result", lambda self: children.append(self.pid) or real_result(self))
    forked = build([corpus], tmp_path / "a", jobs=1)
    assert children
    with pytest.raises(ChildProcessError):  # a child left closing the cache was reaped when the build ended
        os.waitpid(children[0], os.WNOHANG)
    monkeypatch.setattr(kg.build, "_background_scan", lambda *args: None)
    alone = build([corpus], tmp_path / "b", jobs=1)
    assert started and forked.resolution == "delta"
    assert {f: getattr(forked, f) for f in SUMMARY_FIELDS} == {f: getattr(alone, f) for f in SUMMARY_FIELDS}
    assert forked.extracted == 3 and forked.duplicates and forked.skipped
    assert quads(tmp_path / "a") == quads(tmp_path / "b")


def test_the_scan_child_is_ended_when_the_build_fails_before_it_is_needed(tmp_path, sample_corpus, names,
                                                                          monkeypatch):
    import os

    import kg.build

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:3])
    store = tmp_path / "store"
    build([corpus], store, jobs=1)
    before = quads(store)
    monkeypatch.setattr(kg.build, "BACKGROUND_ABOVE", 0)
    children = []
    real_start = kg.build._background_scan

    def start(*args):
        background = real_start(*args)
        children.append(background.pid)
        return background

    def broken(*args):
        raise OSError("the state could not be read")

    monkeypatch.setattr(kg.build, "_background_scan", start)
    monkeypatch.setattr(kg.build, "_load_state", broken)
    with pytest.raises(OSError):
        build([corpus], store, jobs=1)
    assert children
    with pytest.raises(ChildProcessError):  # reaped: no child left running or as a zombie
        os.waitpid(children[0], os.WNOHANG)
    assert quads(store) == before


def test_the_cache_prunes_other_versions_once_until_another_version_writes(tmp_path):
    from kg.cache import ExtractionCache

    old = ExtractionCache(tmp_path, version="0.9+old")
    old.put("ab" * 32, False, {}, {"entities": []})
    old.close()
    cache = ExtractionCache(tmp_path, version="1.0+new")
    cache.put("cd" * 32, False, {}, {"entities": []})
    assert cache.prune() == 1
    cache.close()
    old = ExtractionCache(tmp_path, version="0.9+old")
    old.put("ef" * 32, False, {}, {"entities": []})  # another version writes after the prune
    old.close()
    cache = ExtractionCache(tmp_path, version="1.0+new")
    assert len(cache) == 2 and cache.prune() == 1 and len(cache) == 1
    cache.put("01" * 32, False, {}, {"entities": []})
    assert cache.prune() == 0 and len(cache) == 2  # nothing of another version: no scan
    cache.close()


def test_a_delta_that_fails_while_applying_its_changes_leaves_the_previous_version_and_no_files(
        tmp_path, sample_corpus, names, monkeypatch):
    """The side files are written in a thread during the changes (kg.build._write_delta): waited for, then removed."""
    import kg.build

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:6])
    store = tmp_path / "store"
    first = build([corpus], store, jobs=1)
    before = quads(store)
    _evolve(corpus, sample_corpus, names)

    def broken(*args):
        raise OSError("the disk is full")

    monkeypatch.setattr(kg.build, "_apply", broken)
    with pytest.raises(OSError, match="the disk is full"):
        build([corpus], store, jobs=1)
    target = EmbeddedStore(store)
    assert target.current_version() == first.version and quads(store) == before
    assert sorted(p.name for p in target.versions_dir.iterdir()) == sorted(
        p.name for p in target.versions_dir.glob(f"{first.version}*"))


def test_a_state_log_of_the_older_shape_is_replayed_then_folded(tmp_path, sample_corpus, names):
    """Logs written before sized records (marshal records one after the other) still give a delta build."""
    import marshal

    from kg.build import STATE_LOG_SUFFIX, STATE_SUFFIX, _log_patches

    corpus = copy_corpus(sample_corpus, tmp_path / "corpus", names[:8])
    store = tmp_path / "store"
    build([corpus], store, jobs=1)
    copy_corpus(sample_corpus, corpus, names[8:10])
    assert build([corpus], store, jobs=1).resolution == "delta"
    versions = store / "versions"
    log = versions / f"{EmbeddedStore(store).current_version()}{STATE_LOG_SUFFIX}"
    patches = list(_log_patches(log))
    assert patches
    log.unlink()  # a hard link to the previous version's log: replaced, not written into
    log.write_bytes(b"".join(marshal.dumps(patch) for patch in patches))
    assert list(_log_patches(log)) == patches
    (corpus / names[3]).unlink()
    summary = build([corpus], store, jobs=1)
    assert summary.resolution == "delta"
    assert not (versions / f"{summary.version}{STATE_LOG_SUFFIX}").exists()  # folded into a new state
    assert (versions / f"{summary.version}{STATE_SUFFIX}").exists()
    assert build([corpus], tmp_path / "reference", jobs=1).resolution == "full"
    assert quads(store) == quads(tmp_path / "reference")
