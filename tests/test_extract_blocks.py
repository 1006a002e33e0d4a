"""Long texts are extracted block by block (kg.extract.blocks) with the same result and bounded memory."""

from __future__ import annotations

import doctest
import subprocess
import sys
import textwrap

import pytest

import kg.extract.blocks
import kg.extract.pipeline
from kg.extract import extract
from kg.extract.blocks import block_spans, extract_blocks
from kg.extract.pipeline import extract_text
from _extract_helpers import article_texts


@pytest.fixture(scope="module")
def sample_texts(sample_corpus) -> list[str]:
    return article_texts(sample_corpus)


def test_docstring_examples():
    assert doctest.testmod(kg.extract.blocks).failed == 0


def test_blocks_cover_the_text_at_line_ends():
    text = "甲乙丙。\n丁戊己庚。\n\n辛壬。\n"
    spans = list(block_spans(text, 6))
    assert all(end - start <= 6 for start, end in spans)
    assert "".join(text[s:e] for s, e in spans) == text.replace("\n", "")
    assert all(text[e] == "\n" for _, e in spans[:-1])


def test_one_huge_line_is_cut_after_sentence_ends_else_hard():
    line = "甲与乙共建。" * 10
    assert all(line[e - 1] == "。" for _, e in block_spans(line, 15))
    assert [e - s for s, e in block_spans("甲" * 25, 10)] == [10, 10, 5]


def test_repeated_articles_merge_into_one_articles_result(sample_texts):
    for article in sample_texts[:8]:
        one = extract_text(article, "a.txt")
        merged = extract_blocks((article + "\n") * 4, "a.txt", block_chars=len(article) + 1)
        assert merged["entities"] == one["entities"]
        assert merged["relations"] == one["relations"]


def test_every_evidence_is_a_substring_and_ids_are_renumbered(sample_texts):
    text = "\n".join(sample_texts)
    out = extract_blocks(text, "all.txt", block_chars=2_000)
    assert [e["id"] for e in out["entities"]] == [f"e{i}" for i in range(1, len(out["entities"]) + 1)]
    ids = {e["id"] for e in out["entities"]}
    assert len({(e["name"], e["type"]) for e in out["entities"]}) == len(out["entities"])
    assert out["relations"]
    for relation in out["relations"]:
        assert {relation["head"], relation["tail"]} <= ids
        assert relation["evidence"] in text
        assert len(set(relation["evidences"])) == len(relation["evidences"])
        assert all(evidence in text for evidence in relation["evidences"])


def test_symmetric_links_are_merged_across_blocks_whatever_their_direction():
    text = "铜陵边检站与铜陵海关签订党建联建协议。\n铜陵海关与铜陵边检站开展党建联建活动。"
    out = extract_blocks(text, "a.txt", block_chars=25)
    assert len(out["relations"]) == 1
    assert len(out["relations"][0]["evidences"]) == 2


def test_extract_switches_to_blocks_above_the_threshold_only(monkeypatch, sample_texts):
    article = sample_texts[0]
    assert extract(article, "a.txt") == extract_text(article, "a.txt")  # below: unchanged
    monkeypatch.setattr(kg.extract.pipeline, "BLOCK_CHARS", len(article) + 1)
    twice = extract((article + "\n") * 2, "a.txt")
    assert twice["entities"] == extract_text(article, "a.txt")["entities"]


MEMORY_BOUND_MB = 250  # peak RSS of the whole process (interpreter, lexicon, the text, its extraction): measured 83 MB;
# the whole-text extractor passed 316 MB and had not finished after 4 minutes
MEMORY_PROBE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from kg.extract import extract
    from kg.ingest import SkipFile, read_article
    texts = []
    for path in sorted(Path(sys.argv[1]).iterdir()):
        try:
            texts.append(read_article(path).text)
        except SkipFile:
            pass
    article = "\\n".join(texts)
    # 20 MB of UTF-8 made of numbered variants, so no block repeats another
    parts, size, n = [], 0, 0
    while size < 20_000_000:
        part = article.replace("党建", f"第{n}党建", 1)
        parts.append(part)
        size += len(part.encode("utf-8")) + 1
        n += 1
    text = "\\n".join(parts)
    del parts
    out = extract(text, "big.txt")
    assert out["entities"] and out["relations"]
    assert all(ev in text for r in out["relations"][:50] for ev in r["evidences"])
    # VmHWM is this process's own peak: ru_maxrss would carry the peak of the
    # (possibly large) pytest process this one was forked from across exec.
    peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(peak_kb // 1024, len(text))
""")


@pytest.mark.slow
def test_a_20_mb_text_extracts_in_bounded_memory(sample_corpus):
    probe = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(sample_corpus)], capture_output=True, text=True,
                           timeout=900)
    assert probe.returncode == 0, probe.stderr
    peak_mb, chars = map(int, probe.stdout.split())
    assert chars > 6_000_000
    assert peak_mb < MEMORY_BOUND_MB, f"peak RSS {peak_mb} MB"
