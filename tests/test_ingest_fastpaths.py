"""The fast paths of ingestion and extraction give exactly what the plain algorithms give."""

from __future__ import annotations

import dataclasses
import random

import pytest

from kg.boilerplate import classify, load_rules
from kg.clean import clean_lines, clean_text
from kg.encoding import _CJK, SCORE_SAMPLE, _frequent_hanzi, _UNLIKELY, _WEDGED, chinese_score
from kg.extract.lexicon import load_lexicon
from kg.extract.names import _place_spans
from kg.ingest import SkipFile, read_article

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
