"""Property-based tests: cleaning, reading and extraction never raise on any input, extraction output
always satisfies the gold schema, and every evidence is a span of the cleaned text."""

from __future__ import annotations

import hashlib
import re
import tempfile
from functools import cache
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faults.gold_schema import evidence_strings, schema_errors
from kg import clean
from kg.extract import extract
from kg.ingest import SkipFile, read_article
from kg.resources import ontology_file

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def lexicon() -> dict:
    return yaml.safe_load((ontology_file().parent / "lexicon.yaml").read_text(encoding="utf-8"))


def _words(node) -> list[str]:
    """The Chinese words of a lexicon section (nested lists and mappings)."""
    if isinstance(node, str):
        return [node] if re.fullmatch(r"[\u4e00-\u9fff]{1,10}", node) else []
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return sorted({word for value in values for word in _words(value)})


SUFFIXES = _words({k: v.get("suffixes", []) for k, v in lexicon()["types"].items()})
CUES = _words(lexicon()["relations"])
CONNECTORS = _words(lexicon()["connectors"]) + _words(lexicon()["list_separators"])
PLACES = list("东南西北山河湖港岭溪桥林田江口塘") + ["白沙", "青山", "某某", "县", "市", "镇", "村"]
PUNCTUATION = list("，。、；：！？“”《》（）() \n\r\t") + ["\u3000", "\x1b[2J", "\u202e", "\ufffd", "..", "/"]

unit = st.tuples(st.lists(st.sampled_from(PLACES), min_size=1, max_size=3).map("".join),
                 st.sampled_from(SUFFIXES)).map("".join)
# A clause of the articles' grammar: unit, connector, unit(s), cue word, with noise allowed anywhere.
clause = st.lists(st.one_of(unit, unit, st.sampled_from(CONNECTORS), st.sampled_from(CUES),
                            st.sampled_from(PUNCTUATION), st.text(max_size=2)), max_size=12).map("".join)
article_like = st.lists(clause, max_size=8).map("".join)
any_text = st.one_of(st.text(max_size=300), article_like)

CLEANERS = [clean.normalize_chars, clean.strip_pinyin, clean.to_simplified, clean.normalize_punctuation,
            clean.normalize_whitespace, clean.clean_text]


def assert_clean(text: str) -> None:
    """What every later stage relies on: one paragraph a line, no blank line, no control character."""
    assert "\r" not in text
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", text)
    for line in text.split("\n") if text else []:
        assert line and line == line.strip()


@SETTINGS
@given(any_text)
def test_cleaning_never_raises_and_gives_clean_text(text):
    for function in CLEANERS:
        assert isinstance(function(text), str)
    assert_clean(clean.clean_text(text))


@SETTINGS
@given(any_text)
def test_extraction_of_any_text_satisfies_the_gold_schema_with_evidence_from_the_text(text):
    result = extract(text, "doc.txt")
    assert schema_errors(result) == []
    for evidence in evidence_strings(result):
        assert evidence in text


@SETTINGS
@given(any_text)
def test_extraction_of_cleaned_text_quotes_the_cleaned_text(text):
    cleaned = clean.clean_text(text)
    result = extract(cleaned, "doc.txt")
    assert schema_errors(result) == []
    assert all(evidence in cleaned for evidence in evidence_strings(result))


_FOLDER = Path(tempfile.mkdtemp(prefix="kg-fault-props-"))

encoded = st.one_of(
    st.binary(max_size=2000),
    st.tuples(article_like, st.sampled_from(["utf-8", "gb18030", "big5", "utf-16-le", "utf-16", "utf-8-sig"]))
    .map(lambda pair: pair[0].encode(pair[1], errors="replace")),
    st.tuples(article_like, st.binary(max_size=8), article_like)  # damaged bytes in the middle
    .map(lambda parts: parts[0].encode() + parts[1] + parts[2].encode()),
    st.tuples(st.sampled_from([b"%PDF-1.7", b"\x89PNG\r\n\x1a\n", b"<html><script>", b"\xef\xbb\xbf"]),
              st.binary(max_size=200)).map(b"".join),
)


@FEW
@given(encoded, st.sampled_from(["a.txt", "a.html", "a"]))
def test_reading_any_bytes_gives_a_clean_article_or_a_skip_with_a_reason(data, name):
    path = _FOLDER / name
    path.write_bytes(data)
    try:
        article = read_article(path)
    except SkipFile as skip:
        assert isinstance(skip.reason, str) and skip.reason.strip()
        return
    assert article.sha256 == hashlib.sha256(data).hexdigest()
    assert article.text
    assert_clean(article.text)
    result = extract(article.text, article.file_name)
    assert schema_errors(result) == []
    assert all(evidence in article.text for evidence in evidence_strings(result))
