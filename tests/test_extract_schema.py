"""Output format (gold schema), evidence as substrings, purity, and never raising."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import EXTRACTOR_VERSION, extract
from kg.model import ORG_TYPES, RELATION_TYPES

SAMPLE = (
    "近年来，大连出入境边防检查站与大连海关、海事等单位签订党建联建协议，建立“辽东口岸党建带”。\n"
    "该站执勤一队党支部与石门村党支部结对共建。"
)


def check_schema(out: dict, text: str) -> None:
    assert set(out) == {"doc", "entities", "relations"}
    ids = set()
    for e in out["entities"]:
        assert set(e) == {"id", "name", "type", "aliases", "implicit"}
        assert e["type"] in ORG_TYPES and isinstance(e["name"], str) and e["name"]
        assert isinstance(e["aliases"], list) and e["name"] not in e["aliases"]
        assert isinstance(e["implicit"], bool)
        ids.add(e["id"])
    assert len(ids) == len(out["entities"])
    names = [e["name"] for e in out["entities"]]
    assert len(names) == len(set(names))
    for r in out["relations"]:
        assert set(r) == {"head", "tail", "type", "evidence", "evidences", "confidence"}
        assert r["head"] in ids and r["tail"] in ids and r["head"] != r["tail"]
        assert r["type"] in RELATION_TYPES
        assert 0.0 <= r["confidence"] <= 1.0
        assert r["evidence"] == r["evidences"][0]
        for evidence in r["evidences"]:
            assert evidence and evidence in text


def test_sample_is_schema_valid():
    out = extract(SAMPLE, "sample.txt")
    assert out["doc"] == "sample.txt"
    assert out["entities"] and out["relations"]
    check_schema(out, SAMPLE)


def test_pure_and_deterministic():
    assert extract(SAMPLE, "a") == extract(SAMPLE, "a")


def test_version_is_a_string():
    assert isinstance(EXTRACTOR_VERSION, str) and EXTRACTOR_VERSION


def test_empty_and_odd_inputs():
    for text in ["", "\n\n", "。。。", "“”《》", "该站", "与、、等", "a" * 1000, "边检站" * 50, "\x00\ud800"]:
        check_schema(extract(text), text)


_ALPHABET = st.sampled_from(list("与和、等“”《》，。\n该站所队党支部委海关边检出入境防检查总一二执勤村商会联建共防签订协议铜陵江苏泰州下辖隶属加入成员单位") + ["a", " ", "1"])
_WORDS = st.sampled_from(["边检站", "海关", "党支部", "与", "、", "等", "该站", "“党建带”", "联建", "执勤一队",
                          "泰州", "铜陵市", "下辖", "加入", "成员单位包括", "。", "\n", "《联建协议》"])


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_any_string_of_characters_gives_valid_output(text):
    check_schema(extract(text), text)


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, max_size=30).map("".join))
def test_any_string_of_words_gives_valid_output(text):
    check_schema(extract(text), text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_string_gives_valid_output(text):
    check_schema(extract(text), text)
