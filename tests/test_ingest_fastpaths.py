"""The fast paths of ingestion and extraction give exactly what the plain algorithms give."""

from __future__ import annotations

import dataclasses
import os
import random

import pytest

from kg.boilerplate import classify, load_rules
from kg.clean import (
    _GLOSS,
    _SPACES,
    _collapse_spaces,
    _marked_glosses,
    _may_hold_gloss,
    _punctuation_pass,
    clean_lines,
    clean_text,
    normalize_punctuation,
    strip_pinyin,
)
from kg.encoding import _CJK, SCORE_SAMPLE, _frequent_hanzi, _UNLIKELY, _WEDGED, chinese_score
from kg.extract.lexicon import load_lexicon
from kg.extract.names import _place_spans
from kg.filetype import _MAGIC, binary_kind
from kg.ingest import READ_CHUNK, SkipFile, _read_fd, read_article, read_bytes

PIECES = ["甲", "乙", "聯", "建", "(", ")", "（", "）", "lián", "hé", "dong4", "men", " ", "  ", "\n", "\r\n", "\r",
          ",", ":", "，", "。", "!", "?", "\u3000", "ａ", "1", "\t", "黨", "們", "(an)", "(一)", "\u2028"]


def _random_texts(count: int, seed: int = 7, longest: int = 60):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randint(0, longest)))


@pytest.fixture(scope="module")
def sample_lines(sample_corpus) -> list[str]:
    lines = []
    for path in sorted(sample_corpus.iterdir()):
        try:
            lines += read_article(path).text.split("\n")
        except SkipFile:
            continue
    return lines


def test_cleaning_block_by_block_equals_cleaning_the_whole_text():
    for text in _random_texts(1500):
        expected = clean_text(text).split("\n")
        for block_chars in (1, 4, 9):
            assert clean_lines(text, block_chars=block_chars) == expected, repr(text)


@pytest.mark.slow
def test_a_long_text_is_cleaned_as_a_whole_would_be():
    text = "".join(_random_texts(40_000, seed=3))  # about 1.2 M characters: over one block
    assert len(text) > 1_000_000
    assert clean_lines(text) == clean_text(text).split("\n")


def test_the_furniture_prefilter_never_changes_a_verdict(sample_lines):
    rules = load_rules()
    full = dataclasses.replace(rules, maybe_start=None)  # every check, no prefilter
    lines = sample_lines + ["责任编辑：张三", "首页 > 要闻 > 正文", "2023-01-01 10:00", "【打印】", "相关新闻更多>>",
                            "记者 张三 摄", "分享", "扫一扫关注", "甲 | 乙 | 丙", "· 甲  · 乙  · 丙", "（2023年4月6日）"]
    lines += [line for text in _random_texts(2000, seed=11) for line in clean_text(text).split("\n")]
    assert any(classify(line, rules) for line in lines)
    for line in lines:
        assert classify(line, rules) == classify(line, full), line


def _place_spans_plain(part: str, places: frozenset[str]) -> tuple[tuple[int, int], ...]:
    spans, j = [], len(part)
    while j > 1:
        for length in range(min(8, j), 1, -1):
            if part[j - length : j] in places:
                spans.append((j - length, j))
                j -= length
                break
        else:
            j -= 1
    return tuple(reversed(spans))


def test_place_spans_equal_the_plain_right_to_left_scan(sample_lines):
    lex = load_lexicon()
    text = "\n".join(sample_lines)
    for places in (lex.places, lex.shielded):
        for end in range(0, len(text), 53):
            for window in (text[max(0, end - 600) : end], text[max(0, end - 9) : end]):
                assert _place_spans.__wrapped__(window, places) == _place_spans_plain(window, places)


def _chinese_score_plain(text: str) -> float:
    top, common = _frequent_hanzi()
    hanzi = frequent = very = 0
    for char in _CJK.findall(text[:SCORE_SAMPLE]):
        hanzi += 1
        frequent += char in common
        very += char in top
    penalty = 3 * _UNLIKELY.subn("", text)[1] + 3 * _WEDGED.subn("", text)[1]
    return very + frequent + 0.3 * (hanzi - frequent) - penalty


def test_chinese_score_equals_the_plain_count(sample_lines):
    text = "\n".join(sample_lines)
    for sample in (text, text[:500], text.encode("gb18030").decode("big5", errors="replace"), "笢弊僕莉絨", ""):
        assert chinese_score(sample) == _chinese_score_plain(sample)


def _binary_kind_plain(head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[head[8:12]]
    if head[4:8] == b"ftyp":
        return "MP4/HEIF media"
    return None


def test_binary_kind_prefilter_never_changes_a_verdict():
    heads = [magic + b"rest of the file" for magic, _ in _MAGIC]
    heads += [b"RIFF\x00\x00\x00\x00WEBPVP8", b"RIFF\x00\x00\x00\x00WAVEfmt", b"RIFF\x00\x00\x00\x00JUNK",
              b"\x00\x00\x00\x18ftypheic", "党建联建".encode(), "党建".encode("gb18030"), b"", b"R", b"%PD"]
    rng = random.Random(5)
    heads += [bytes(rng.randrange(256) for _ in range(rng.randint(0, 64))) for _ in range(3000)]
    for head in heads:
        assert binary_kind(head) == _binary_kind_plain(head), head


@pytest.mark.parametrize("size", [0, 1, 1000, READ_CHUNK - 1, READ_CHUNK, READ_CHUNK + 1, 3 * READ_CHUNK + 7])
def test_reading_a_file_gives_all_its_bytes_or_the_limit_plus_one(tmp_path, size):
    data = random.Random(size).randbytes(size)
    path = tmp_path / "a.bin"
    path.write_bytes(data)
    for stated in (size, 0, size // 2, size + 10):  # the size seen at fstat may be stale: the file grew or shrank
        for limit in (None, 1, size, size + 1, READ_CHUNK + 2):
            fd = os.open(path, os.O_RDONLY)
            try:
                got = _read_fd(fd, stated, limit)
            finally:
                os.close(fd)
            assert got == (data if limit is None else data[:limit])
    if size:
        assert read_bytes(path, max_bytes=size) == data
        with pytest.raises(SkipFile, match="larger than"):
            read_bytes(path, max_bytes=size - 1)


def test_space_collapsing_skips_only_texts_without_runs():
    for text in list(_random_texts(1500, seed=13)) + ["甲  乙", "甲\t乙", "甲 乙", ""]:
        assert _collapse_spaces(text) == _SPACES.sub(" ", text)


def test_a_text_without_a_possible_gloss_start_has_no_gloss():
    texts = list(_random_texts(3000, seed=17)) + ["字( lián)", "字(\u3000lián)", "字(  lián)", "(一)", "字（dòng）"]
    for text in texts:
        if not _may_hold_gloss(text):
            assert _GLOSS.search(text) is None, text
            assert strip_pinyin(text) == text and _marked_glosses(text) == 0


def test_skipping_the_confirming_punctuation_pass_never_stops_early():
    """Passes until nothing changes, as the plain loop would; (。(dòng)边) needs two of them."""
    texts = list(_random_texts(3000, seed=19)) + ["(。(dòng)边)", "((甲))", "(x(甲)y)", "(x),甲"]
    for text in texts:
        plain, before = text, None
        while plain != before:
            before, plain = plain, _punctuation_pass(plain)
        assert normalize_punctuation(text) == plain, text
