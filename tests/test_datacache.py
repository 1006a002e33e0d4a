"""kg.datacache: parsed data files kept between processes, keyed by the bytes they come from."""

from __future__ import annotations

from kg.datacache import cached


def test_a_value_is_parsed_once_for_the_same_bytes(tmp_path):
    calls = []

    def parse():
        calls.append(1)
        return {"types": ["边检站", "海关"], "limit": 3}

    first = cached("lexicon", [b"a", b"b"], parse, home=tmp_path)
    again = cached("lexicon", [b"a", b"b"], parse, home=tmp_path)
    assert first == again == {"types": ["边检站", "海关"], "limit": 3}
    assert len(calls) == 1


def test_other_bytes_are_parsed_again(tmp_path):
    assert cached("rules", [b"one"], lambda: 1, home=tmp_path) == 1
    assert cached("rules", [b"two"], lambda: 2, home=tmp_path) == 2
    assert cached("rules", [b"on", b"e"], lambda: 3, home=tmp_path) == 3  # sources are not simply concatenated


def test_a_damaged_entry_is_parsed_again_and_replaced(tmp_path):
    cached("rules", [b"x"], lambda: [1, 2], home=tmp_path)
    (entry,) = tmp_path.glob("rules-*.json")
    entry.write_text("[1, 2", encoding="utf-8")
    assert cached("rules", [b"x"], lambda: [1, 2], home=tmp_path) == [1, 2]
    assert entry.read_text(encoding="utf-8") == "[1, 2]"


def test_a_value_json_would_change_is_never_kept(tmp_path):
    assert cached("rules", [b"x"], lambda: {1: "整数键"}, home=tmp_path) == {1: "整数键"}
    assert not list(tmp_path.iterdir())


def test_a_folder_that_cannot_be_made_only_means_parsing(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    home = blocker / "cache"  # cannot be created, whoever runs the test
    assert cached("rules", [b"x"], lambda: "parsed", home=home) == "parsed"
    assert cached("rules", [b"x"], lambda: "parsed again", home=home) == "parsed again"


def test_the_lexicon_from_the_cache_is_the_parsed_lexicon(tmp_path, monkeypatch):
    from kg.extract import lexicon

    monkeypatch.setenv("KG_CACHE_HOME", str(tmp_path))
    lexicon.load_lexicon.cache_clear()
    try:
        parsed = lexicon.load_lexicon()
        assert list(tmp_path.glob("lexicon-*.json"))
        lexicon.load_lexicon.cache_clear()
        from_cache = lexicon.load_lexicon()
    finally:
        lexicon.load_lexicon.cache_clear()
    for field in ("suffix_type", "scan_type", "places", "short_forms", "relation_cues", "digest"):
        assert getattr(from_cache, field) == getattr(parsed, field)
    assert from_cache.scan_re.pattern == parsed.scan_re.pattern


def test_the_boilerplate_rules_from_the_cache_are_the_parsed_rules(tmp_path, monkeypatch):
    from kg import boilerplate

    monkeypatch.setenv("KG_CACHE_HOME", str(tmp_path))
    boilerplate.load_rules.cache_clear()
    try:
        parsed = boilerplate.load_rules()
        boilerplate.load_rules.cache_clear()
        from_cache = boilerplate.load_rules()
    finally:
        boilerplate.load_rules.cache_clear()
    assert list(tmp_path.glob("boilerplate-*.json"))
    assert from_cache == parsed


def test_doctests():
    import doctest

    import kg.datacache

    assert doctest.testmod(kg.datacache).failed == 0
