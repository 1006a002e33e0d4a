"""`kg build` on the sample corpus, through the command line as users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner

from kg.build import EXIT_ALL_READ, EXIT_SOME_SKIPPED, BuildSummary, build, collect, process_file
from kg.cli import main
from kg.query import saved_queries

REPO = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_corpus):
    """The sample corpus built twice into two stores, with the JSON summary of the first."""
    root = tmp_path_factory.mktemp("build")
    code, output = run("build", str(sample_corpus), "--store", str(root / "a"), "--format", "json",
                       "--no-curation", "--jobs", "2")
    assert code == EXIT_ALL_READ, output
    summary = json.loads(output[output.index("{"):output.rindex("}") + 1])
    code, _ = run("build", str(sample_corpus), "--store", str(root / "b"), "--no-curation", "--jobs", "1")
    assert code == EXIT_ALL_READ
    return {"root": root, "a": root / "a", "b": root / "b", "summary": summary}


def test_the_sample_corpus_gives_a_graph_of_organizations(built):
    summary = built["summary"]
    assert sum(summary["organizations_by_type"].values()) >= 30
    assert summary["articles_read"] == 16 and summary["extracted"] == 16
    assert summary["skipped"] == [] and summary["duplicates"] == []
    assert sum(summary["links_by_type"].values()) >= 20
    assert set(summary["timings"]) >= {"read", "extract", "resolve", "load", "save"}


def test_summary_counts_agree_with_the_graph(built):
    code, output = run("stats", "--store", str(built["a"]), "--format", "json")
    assert code == 0
    stats = json.loads(output)
    summary = built["summary"]
    assert stats["organizations"] == sum(summary["organizations_by_type"].values())
    assert stats["links"] == sum(summary["links_by_type"].values())
    assert stats["articles"] == summary["articles_read"]
    # The data graph holds exactly the triples the build wrote (the ontology is a named graph of its own).
    from kg.store import EmbeddedStore

    data = EmbeddedStore(built["a"]).query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]["n"]
    assert stats["triples"] - data == summary["triples"]


def test_the_graph_conforms_to_the_shapes(built):
    code, output = run("validate", "--store", str(built["a"]))
    assert code == 0, output


def test_two_builds_give_identical_n_triples(built, tmp_path):
    exported = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.nt"
        assert run("export", "--store", str(built[name]), "--format", "nt", "-o", str(out))[0] == 0
        exported.append(sorted(out.read_text(encoding="utf-8").splitlines()))
    assert exported[0] == exported[1] and len(exported[0]) > 500


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_every_saved_query_runs(built, name):
    code, output = run("query", "--store", str(built["a"]), "--saved", name, "--format", "json")
    assert code == 0, output
    assert isinstance(json.loads(output), list)


@pytest.mark.parametrize("fmt, parse", [
    ("ttl", lambda p: rdflib.Graph().parse(p, format="turtle")),
    ("nt", lambda p: rdflib.Graph().parse(p, format="nt")),
    ("jsonld", lambda p: rdflib.Graph().parse(p, format="json-ld")),
    ("graphml", nx.read_graphml),
    ("gexf", nx.read_gexf),
])
def test_every_export_format_parses(built, tmp_path, fmt, parse):
    out = tmp_path / f"graph.{fmt}"
    code, output = run("export", "--store", str(built["a"]), "--format", fmt, "-o", str(out))
    assert code == 0, output
    assert len(parse(str(out))) > 30


def test_a_skipped_file_gives_exit_code_3_and_is_listed(tmp_path, sample_corpus):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(sample_corpus / "11_shimen-cun-jingdi-jiedui.txt", corpus / "a.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, output = run("build", str(corpus), "--store", str(tmp_path / "s"), "--no-curation", "--format", "json",
                       "--jobs", "1")
    assert code == EXIT_SOME_SKIPPED
    skipped = {Path(s["path"]).name for s in json.loads(output[output.index("{"):])["skipped"]}
    assert skipped == {"empty.txt", "picture.png"}


@pytest.mark.slow
def test_a_missing_scheduler_fails_with_exit_code_1_and_changes_nothing(tmp_path, sample_corpus):
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(sample_corpus / "11_shimen-cun-jingdi-jiedui.txt", corpus / "a.txt")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(main, ["build", str(corpus), "--store", str(tmp_path / "s"), "--no-curation",
                                           "--scheduler", "tcp://127.0.0.1:9"])  # the discard port: nothing listens
    assert result.exit_code == 1
    assert not (tmp_path / "s" / "CURRENT").exists()


def test_workers_return_no_article_text(sample_corpus):
    result = process_file(str(sample_corpus / "01_tongling-kouan-dangjianquan.txt"))
    assert result.article.text == "" and result.chars > 300
    assert result.article.title and result.extraction["entities"]


def test_duplicates_count_once(tmp_path, sample_corpus):
    for name in ("a.txt", "b.txt"):
        shutil.copyfile(sample_corpus / "11_shimen-cun-jingdi-jiedui.txt", tmp_path / name)
    summary = BuildSummary(store="")
    docs = collect([tmp_path], jobs=1, summary=summary)
    assert len(docs) == 1 and summary.duplicates == [(str(tmp_path / "b.txt"), str(tmp_path / "a.txt"))]


def test_a_failed_build_leaves_the_previous_graph(tmp_path, sample_corpus):
    store = tmp_path / "s"
    first = build([sample_corpus / "11_shimen-cun-jingdi-jiedui.txt"], store, jobs=1)

    def fail(_resolved):
        raise RuntimeError("stopped half way")

    with pytest.raises(RuntimeError):
        build([sample_corpus], store, jobs=1, on_resolved=fail)
    from kg.store import EmbeddedStore

    assert EmbeddedStore(store).current_version() == first.version


def test_cache_hits_skip_extraction(tmp_path, sample_corpus):
    cache = tmp_path / "cache"
    first, second = BuildSummary(store=""), BuildSummary(store="")
    one = collect([sample_corpus], cache_dir=cache, jobs=1, summary=first)
    two = collect([sample_corpus], cache_dir=cache, jobs=1, summary=second)
    assert (first.extracted, second.extracted) == (16, 0)
    assert [(a.id, a.title, a.date, a.source) for a, _ in one] == [(a.id, a.title, a.date, a.source) for a, _ in two]
    assert [e for _, e in one] == [e for _, e in two]


@pytest.mark.slow
def test_a_non_editable_install_builds_and_validates(tmp_path):
    """pip install (no deps, no network) into a folder gives a kg with its ontology, queries, lexicon and templates."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(target), str(REPO)],
                   check=True, cwd=tmp_path, capture_output=True)
    package = target / "kg"
    for data in ("ontology/lianjian.ttl", "ontology/shapes.ttl", "ontology/lexicon.yaml", "ontology/queries"):
        assert (target / "kg" / data).exists() or list(target.glob(f"kg/**/{Path(data).name}")), data
    assert list(package.glob("**/*.rq")) and list(package.glob("**/*.html"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("KG_STORE", None)
    command = [sys.executable, "-c", "from kg.cli import main; main()"]
    done = subprocess.run(command + ["build", str(REPO / "data" / "corpus"), "--store", "S", "--jobs", "1"],
                          cwd=outside, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    imported = subprocess.run([sys.executable, "-c", "import kg; print(kg.__file__)"], cwd=outside, env=env,
                              capture_output=True, text=True)
    assert imported.stdout.strip().startswith(str(target))  # the installed copy, not the repository
    done = subprocess.run(command + ["validate", "--store", "S"], cwd=outside, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_cache_forgets_other_pipeline_versions(tmp_path):
    from kg.cache import ExtractionCache

    old = ExtractionCache(tmp_path, version="0.9+old")
    old.put("ab" * 32, False, {"title": "旧"}, {"entities": []})
    old.close()
    cache = ExtractionCache(tmp_path)
    cache.put("cd" * 32, True, {"title": "新"}, {"entities": []})
    assert len(cache) == 2 and cache.prune() == 1 and len(cache) == 1
    assert cache.get("cd" * 32, True)[0]["title"] == "新" and cache.get("cd" * 32, False) is None
    cache.close()


def test_progress_bars_show_each_step_with_a_rate(tmp_path, sample_corpus, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("11_shimen-cun-jingdi-jiedui.txt", "13_danya-shanghui-lianjian.txt"):
        shutil.copyfile(sample_corpus / name, corpus / name)
    build([corpus], tmp_path / "s", jobs=1, progress=True)
    err = capsys.readouterr().err
    for step in ("read", "extract", "resolve names", "resolve links", "write triples", "save JSON and state", "load"):
        assert f"{step}: 100%" in err, step
    assert "article/s" in err
    build([corpus], tmp_path / "s", jobs=1, progress=False)
    assert capsys.readouterr().err == ""


def test_work_done_before_its_bar_appeared_is_not_counted_in_the_rate(capsys):
    # The bulk loads often end while the triples are still being written: their bar then had no time to measure.
    from kg.progress import bar

    done = bar(True, "load", 755_000, unit="triple", initial=755_000)
    done.close()
    err = capsys.readouterr().err
    assert "755k/755k" in err and "?triple/s" in err


def test_progress_docstring_examples():
    import doctest

    import kg.progress

    result = doctest.testmod(kg.progress)
    assert result.failed == 0 and result.attempted > 0


def test_the_scaled_corpus_generator_makes_distinct_articles_with_drawn_places(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    from corpus_gen import generate

    from kg.ingest import read_article

    paths = generate(40, tmp_path, seed=3)
    articles = [read_article(p) for p in paths]
    assert len({a.sha256 for a in articles}) == 40
    assert all(a.date and a.title for a in articles)
    again = generate(40, tmp_path / "again", seed=3)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]  # seeded
    templates = {p.name.split("_", 1)[1] for p in paths}
    same_template = [a.text for a, p in zip(articles, paths) if p.name.endswith(sorted(templates)[0])]
    assert len(same_template) >= 2 and len(set(same_template)) == len(same_template)


def test_the_pipeline_version_is_read_without_importing_the_extractor():
    """A rebuild with nothing to extract must not pay for compiling the lexicon (kg.extract's import)."""
    code = ("import sys; from kg.cache import pipeline_version; v = pipeline_version(); "
            "print(v, 'kg.extract' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    version, imported = done.stdout.split()
    assert imported == "False"
    from kg.extract import EXTRACTOR_VERSION

    assert version.split("+")[0] == EXTRACTOR_VERSION.split("+")[0]


def test_a_link_diff_writes_only_the_changed_articles_evidence_and_equals_the_full_diff():
    import random

    from kg.build import _link_sides, node_lines, node_writer
    from kg.model import Evidence, Link

    rng = random.Random(7)
    sentences = ["甲乙两单位开展党建共建。", "甲乙签订联建协议。", "双方联合巡逻。"]
    for _ in range(200):
        pool = [Evidence(f"a{i}", rng.choice(sentences), rng.choice([0.6, 0.8, 0.9])) for i in range(rng.randint(1, 8))]
        old_evidence = [e for e in pool if rng.random() < 0.7]
        new_evidence = [e for e in pool if rng.random() < 0.7]
        if rng.random() < 0.3 and new_evidence:  # the same article, another confidence
            first = new_evidence[0]
            new_evidence[0] = Evidence(first.article, first.sentence, 0.5)
        old = Link("cooperation", "甲单位", "乙单位", old_evidence)
        new = Link("cooperation", "甲单位", "乙单位", new_evidence)
        full_old, full_new = set(node_lines("link", old)), set(node_lines("link", new))
        sides = _link_sides(old, new, node_writer())
        if sides is None:
            continue
        assert sides[0] - sides[1] == full_old - full_new
        assert sides[1] - sides[0] == full_new - full_old
        assert len(sides[0]) <= len(full_old)


def test_the_short_forms_read_without_yaml_are_those_yaml_reads():
    import yaml

    from kg.names import _plain_short_forms
    from kg.resources import lexicon_file

    raw = lexicon_file().read_text(encoding="utf-8")
    assert _plain_short_forms(raw) == yaml.safe_load(raw)["short_forms"]
    assert _plain_short_forms(raw.replace("short_forms:\n", "short_forms:\n  x: [yes]\n")) is None
    assert _plain_short_forms(raw.replace("short_forms:\n", "short_forms:  # note\n")) is None


def test_one_or_two_bulk_loads_and_saving_while_loading_give_the_same_version(tmp_path, sample_corpus, monkeypatch):
    """Small chunks: several loads per build, the JSON and state written while they run; jobs=1 loads one at a time."""
    import pyoxigraph as ox

    import kg.build

    monkeypatch.setattr(kg.build, "LOAD_CHUNK", 300)
    made = {}
    for jobs in (1, 2):
        summary = build([sample_corpus], tmp_path / f"s{jobs}", jobs=jobs)
        versions = tmp_path / f"s{jobs}" / "versions"
        quads = sorted(str(q) for q in ox.Store.read_only(str(versions / summary.version)))
        made[jobs] = (quads, (versions / f"{summary.version}.resolved.json").read_bytes(), summary.triples)
        assert (versions / f"{summary.version}.state").stat().st_size > 0
        assert {"encode", "save", "load"} <= set(summary.timings) and summary.timings["load"] >= 0
    assert made[1] == made[2] and made[1][2] > 3 * 300


def test_the_link_writer_gives_the_lines_of_the_iri_helpers():
    """kg.rdf._link writes its lines inline (the bulk of a graph): they are those of link_iri, evidence_iri, _line."""
    from kg import rdf
    from kg.model import Evidence, Link
    from kg.vocabulary import LJ, relation_properties, symmetric_properties

    evidence = [Evidence("a2", "乙“共建”\n。", 0.5), Evidence("a1", "甲乙共建。", 0.9)]
    link = Link("joint_building", "铜陵 海关", "甲/乙", evidence)
    lines = list(rdf._link(link, relation_properties(), symmetric_properties()))
    subject = rdf.link_iri(link)
    expected = {rdf._line(subject, LJ + "confidence", rdf.typed("0.900", "decimal")),
                rdf._line(subject, LJ + "articleCount", rdf.typed(2, "integer"))}
    for evidence in link.evidence:
        node = rdf.evidence_iri(link, evidence.article, evidence.sentence)
        expected |= {rdf._line(subject, LJ + "evidence", rdf.iri(node)),
                     rdf._line(node, LJ + "sentence", rdf.text(evidence.sentence)),
                     rdf._line(node, rdf.PROV + "wasDerivedFrom", rdf.iri(rdf.article_iri(evidence.article))),
                     rdf._line(node, LJ + "confidence", rdf.typed(f"{evidence.confidence:.3f}", "decimal"))}
    # Both directions, the link, its articles, its evidence.
    assert expected <= set(lines) and len(lines) == len(set(lines)) == 2 + 6 + 2 + 2 * 5
    assert rdf._line(rdf.org_iri("铜陵 海关"), LJ + "jointBuildingWith", rdf.iri(rdf.org_iri("甲/乙"))) in lines
