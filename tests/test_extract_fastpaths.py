"""The fast paths of extraction give exactly what the plain algorithms give."""

from __future__ import annotations

import random
import re

import pytest

from kg.extract.entities import Registry
from kg.extract.implicit import _nearest_place
from kg.extract.lexicon import load_lexicon
from kg.extract.names import _mark_ends, _Spans, _suffix_hits, _team_hits, place_spans, scan_words
from kg.extract.sentences import book_title_spans
from _extract_helpers import article_texts


@pytest.fixture(scope="module")
def sample_text(sample_corpus) -> str:
    return "\n".join(article_texts(sample_corpus))


def _nearest_place_plain(text: str, pos: int, level: str, lex) -> str | None:
    window = text[max(0, pos - 600) : pos]
    best = None
    for a, b in place_spans(window, lex):
        if window[a:b].endswith(level) and b - a >= 3:
            best = window[a:b]
    return best


def test_nearest_place_stops_at_the_last_place_of_the_whole_segmentation(sample_text):
    lex = load_lexicon()
    text = sample_text + "。景洪市勐龙镇、新巴尔虎左旗和孟连县，县委" * 3
    for pos in range(0, len(text), 7):
        for level in "省市县区旗州盟":
            assert _nearest_place(text, pos, level, lex) == _nearest_place_plain(text, pos, level, lex), (pos, level)


def _suffix_hits_plain(text: str, lex, titles: _Spans):
    """The scan with a stack of pending hits (a refused hit pushes the one starting inside it)."""
    hits = []
    pending = [(m.start(), m.group()) for m in lex.scan_re.finditer(text)][::-1]
    while pending:
        start, suffix = pending.pop()
        end = start + len(suffix)
        after, before = lex.scan_not_followed_by.get(suffix), lex.not_preceded_by.get(suffix)
        if after and end < len(text) and text[end] in after or before and start > 0 and text[start - 1] in before:
            for pos in range(start + 1, end):
                inner = lex.scan_re.match(text, pos)
                if inner is not None:
                    pending.append((pos, inner.group()))
                    break
            continue
        if suffix in lex.scan_type:
            hits.append((start, end, suffix, lex.scan_type[suffix]))
    teams = _team_hits(text, lex)
    if teams:
        hits += teams
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    chosen, last_end = [], -1
    for hit in hits:
        if hit[0] < last_end or titles.spans and titles.find(hit[0]):
            continue
        chosen.append(hit)
        last_end = hit[1]
    return chosen


def test_suffix_scan_equals_the_pending_stack(sample_text):
    lex = load_lexicon()
    pieces = ["口岸办事处", "外事办公室", "党组织", "村寨", "渔村", "农村委员会", "集中学习", "厂区", "集团化",
              "海关", "边检站", "公安部门", "党委", "村委会", "某某", "、", "与", "执勤一队", "《", "》", "“", "”"]
    rng = random.Random(3)
    texts = [sample_text] + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(1500)]
    for text in texts:
        titles = _Spans(book_title_spans(text))
        assert _suffix_hits(text, lex, titles) == _suffix_hits_plain(text, lex, titles), text


def test_registry_resolves_keys_as_a_scan_of_its_entities_would():
    rng = random.Random(9)
    for _ in range(200):
        registry = Registry()
        names = [f"甲{i}站" for i in range(rng.randint(1, 12))]
        for name in names:
            registry.add(name, "BorderInspection")
        for _ in range(rng.randint(0, 8)):
            a, b = rng.sample(registry.order, 2) if len(registry.order) > 1 else (None, None)
            if a is not None:
                registry.merge(a, b)
        for key in [f"k{i}" for i in range(len(names) + 2)] + [None, ""]:
            plain = key
            while plain in registry.redirect:
                plain = registry.redirect[plain]
            expected = next((e for e in registry.order if e.key == plain), None)
            assert registry.resolve(key) is expected


def _fragments(words) -> list[str]:
    return sorted({w[i:j] for w in words for i in range(len(w)) for j in range(i + 1, len(w) + 1)})


def test_the_automaton_scan_finds_what_the_regex_scan_finds(sample_text):
    lex = load_lexicon()
    plain = [(m.start(), m.group()) for m in lex.scan_re.finditer(sample_text)]
    assert scan_words(sample_text, lex) == plain
    # Strings made of pieces of the words: prefixes of long words (居民委员 without 会) test
    # the fall-back to a shorter word starting later.
    pieces = _fragments(list(lex.scan_type) + list(lex.alliance_suffixes)) + ["甲", "、", "与", "\n"]
    rng = random.Random(1)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert scan_words(text, lex) == [(m.start(), m.group()) for m in lex.scan_re.finditer(text)], text


def test_mark_ends_are_the_ends_of_a_class_scan(sample_text):
    for text in (sample_text, "", "队", "科队科", "执勤一队和综合科"):
        assert _mark_ends(text, "队科") == [m.end() for m in re.finditer("[队科]", text)]

