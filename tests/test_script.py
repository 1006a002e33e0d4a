"""Traditional to simplified conversion: the one-off way agrees with the table way."""

from __future__ import annotations

from kg.script import _CJK, _traditional_chars, _t2s, to_simplified


def test_one_off_and_table_agree_on_every_cjk_character() -> None:
    table = _traditional_chars()
    convert = _t2s().convert
    chars = [chr(cp) for block in _CJK for cp in block]
    assert [bool(table.search(c)) for c in chars] == [convert(c) != c for c in chars]


def test_one_off_converts_like_the_table() -> None:
    for text in ("青石邊檢站", "青石边检站", "乾燥", "Hello, 世界", "", "黨建聯盟（試行）"):
        assert to_simplified(text, one_off=True) == to_simplified(text)


def test_short_texts_do_not_build_the_table() -> None:
    import subprocess
    import sys

    code = ("from kg.script import _traditional_chars, to_simplified\n"
            "print(to_simplified('青石邊檢站'), _traditional_chars.cache_info().currsize)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["青石边检站", "0"]
