"""Traditional to simplified conversion: the set of characters t2s changes, and texts tested against it."""

from __future__ import annotations

import subprocess
import sys

from kg.script import _CJK, _changing, _t2s, _traditional_chars, to_simplified


def test_the_characters_kept_are_those_t2s_changes_one_by_one() -> None:
    convert = _t2s().convert
    chars = [chr(cp) for block in _CJK for cp in block]
    assert _changing() == {c for c in chars if convert(c) != c}
    assert {c for c in chars if _traditional_chars().search(c)} == _changing()


def test_short_and_long_texts_convert_alike() -> None:
    for text in ("青石邊檢站", "青石边检站", "乾燥", "Hello, 世界", "", "黨建聯盟（試行）"):
        long = text * 100
        assert to_simplified(text) == _t2s().convert(text)
        assert to_simplified(long) == _t2s().convert(long)


def test_simplified_text_never_loads_opencc(tmp_path) -> None:
    code = ("import sys\nfrom kg.script import to_simplified\n"
            "print(to_simplified('青石边检站' * 100), 'opencc' in sys.modules)")
    env = {"PATH": "", "KG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.split()[1] == "True"  # the set is worked out with OpenCC once
    assert again.stdout.split() == ["青石边检站" * 100, "False"]
    converted = subprocess.run([sys.executable, "-c", code.replace("边检", "邊檢")], capture_output=True, text=True,
                               check=True, env=env)
    assert converted.stdout.split() == ["青石边检站" * 100, "True"]
