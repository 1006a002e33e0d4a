"""Decode the bytes of an article: BOMs, a fast path for UTF-8, charset-normalizer for the rest.

Chinese-specific care: on short texts charset-normalizer may rank Big5, GBK or a
Japanese or Korean codec first. Among the decodings it finds plausible (plus
GB18030 and Big5 when they decode strictly) the one that reads most like Chinese
wins: common hanzi count, rare hanzi count a little, and characters that only
appear in mis-decoded Chinese (kana, Hangul, private use, control characters)
count against it.

>>> decode("党建联建".encode("gb18030")).encoding
'gb18030'
>>> decode("黨建聯建，共建共享".encode("big5")).text
'黨建聯建，共建共享'
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import cache

from kg.filetype import binary_kind

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Codecs tried besides charset-normalizer's own candidates (supersets of GBK and Big5).
_CHINESE_CODECS = ("gb18030", "cp950", "big5hkscs")
# Declared charsets (HTML meta) mapped to the superset that decodes what sites really send.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "cp950"}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
# Characters that rarely occur in Chinese prose but often in Chinese bytes read with the wrong codec.
_UNLIKELY = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u0370-\u04ff\u2500-\u257f\u3040-\u30ff\u3130-\u318f"
    "\u3400-\u4dbf\uac00-\ud7af\ue000-\uf8ff\uf900-\ufaff\uff61-\uff9f\ufffd]"
)
# A hanzi wedged between Latin letters: a pinyin gloss read with the wrong codec ("d辰ng").
_WEDGED = re.compile(r"[a-z][\u4e00-\u9fff]{1,2}[a-z]")

SCORE_SAMPLE = 100_000  # characters scored per candidate decoding
DETECT_SAMPLE = 262_144  # bytes shown to charset-normalizer and decoded per candidate
MAX_CONTROL_RATIO = 0.02
# Damaged UTF-8 is kept as UTF-8 while valid non-ASCII characters outnumber replaced ones this much:
# GBK or Big5 read as UTF-8 gives about one valid character for twenty replaced.
MIN_VALID_PER_REPLACED = 2
MIN_VALID = 4


class NotText(ValueError):
    """The bytes are not a text article; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes, *, declared: str | None = None) -> Decoded:
    """Decode article bytes, or raise NotText.

    ``declared`` is a charset the file states about itself (an HTML meta tag):
    it is trusted only when it decodes without error.
    """
    if not data:
        raise NotText("empty file")
    kind = binary_kind(data[:64])
    if kind:
        raise NotText(f"not text: {kind}")
    decoded = _decode_bom(data) or _decode_utf8(data) or _decode_declared(data, declared) or _detect(data)
    _check_controls(decoded.text)
    return decoded


def _decode_bom(data: bytes) -> Decoded | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(name, errors="replace")
            return Decoded(text, name, _replacement_warning(text, name))
    return None


def _decode_utf8(data: bytes) -> Decoded | None:
    """Valid UTF-8 (the fast path), or UTF-8 with a few damaged bytes kept with U+FFFD."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # UTF-16 text without a BOM can be valid UTF-8 full of NULs.
        return None if "\x00" in text else Decoded(text, "utf-8")
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))  # counts U+FFFD too
    valid = non_ascii - replaced
    if valid >= max(MIN_VALID, MIN_VALID_PER_REPLACED * replaced) and "\x00" not in text:
        return Decoded(text, "utf-8", _replacement_warning(text, "utf-8"))
    return None


def _decode_declared(data: bytes, declared: str | None) -> Decoded | None:
    if not declared:
        return None
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return None
    name = _SUPERSET.get(name, name)
    try:
        return Decoded(data.decode(name), name)
    except UnicodeDecodeError:
        return None


def _detect(data: bytes) -> Decoded:
    """Rank the plausible codecs on a sample, then decode the whole file with the best that fits.

    Only one full decoding is held at a time, so memory stays a small multiple of the file.
    """
    import charset_normalizer  # about 14 ms of imports, paid only when a file is not plainly UTF-8

    sample = data[:DETECT_SAMPLE]
    candidates: list[str] = []
    for match in charset_normalizer.from_bytes(sample):
        candidates.extend(match.could_be_from_charset or [match.encoding])
    candidates.extend(_CHINESE_CODECS)
    ranked: list[tuple[float, int, str]] = []
    scores: dict[str, float] = {}  # GBK and GB18030, Big5 and CP950 often decode a sample alike: score it once
    for order, name in enumerate(dict.fromkeys(_codec_names(candidates))):
        try:
            text = _decode_sample(sample, name)
        except (UnicodeDecodeError, ValueError, LookupError):
            continue
        if text not in scores:
            scores[text] = chinese_score(text)
        ranked.append((-scores[text], order, name))  # ties keep charset-normalizer's order
    for _, _, name in sorted(ranked):
        try:
            return Decoded(data.decode(name), name)
        except (UnicodeDecodeError, ValueError):
            continue  # fits the sample, not the rest of the file
    raise NotText("not text: no character encoding decodes it (binary data?)")


def _codec_names(candidates: list[str]):
    for candidate in candidates:
        try:
            yield codecs.lookup(candidate).name
        except LookupError:
            continue


def _decode_sample(sample: bytes, name: str) -> str:
    """Strict decoding that tolerates a character cut in two at the end of the sample."""
    return codecs.getincrementaldecoder(name)(errors="strict").decode(sample, final=False)


def chinese_score(text: str) -> float:
    """How much ``text`` reads like Chinese (higher is better).

    >>> chinese_score("中国共产党") > chinese_score("笢弊僕莉絨")
    True
    """
    not_top, not_common = _frequent_hanzi_patterns()
    sample = text[:SCORE_SAMPLE]
    # Counted at C speed: deleting the runs of other characters leaves the counted ones (a run is one
    # match, where findall made one string per counted character: twice as slow).
    hanzi = len(_NOT_CJK.sub("", sample))
    frequent, very = len(not_common.sub("", sample)), len(not_top.sub("", sample))
    penalty = 3 * _UNLIKELY.subn("", text)[1] + 3 * _WEDGED.subn("", text)[1]
    return very + frequent + 0.3 * (hanzi - frequent) - penalty


@cache
def _frequent_hanzi() -> tuple[frozenset[str], frozenset[str]]:
    """charset-normalizer's 100 most frequent hanzi, and GB2312 level 1 (the 3,755 most used),
    each in simplified and traditional forms."""
    import opencc
    from charset_normalizer.constant import FREQUENCIES

    s2t = opencc.OpenCC("s2t")
    top = "".join(FREQUENCIES.get("Chinese", []))
    level1 = bytes(b for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF) for b in (hi, lo))
    simplified = level1.decode("gb2312", errors="ignore")
    return (
        frozenset(top) | frozenset(s2t.convert(top)),
        frozenset(simplified) | frozenset(s2t.convert(simplified)),
    )


@cache
def _frequent_hanzi_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Runs of characters outside each set of ``_frequent_hanzi`` (only their \\u4e00-\\u9fff part is ever counted)."""
    return tuple(  # type: ignore[return-value]
        re.compile("[^" + "".join(sorted(c for c in chars if _CJK.fullmatch(c))) + "]+") for chars in _frequent_hanzi()
    )


def _replacement_warning(text: str, name: str) -> list[str]:
    replaced = text.count("\ufffd")
    if not replaced:
        return []
    return [f"{replaced} invalid {name} byte sequence{'s' if replaced > 1 else ''} replaced with U+FFFD"]


def _check_controls(text: str) -> None:
    if not _CONTROL.search(text):
        return
    controls = _CONTROL.subn("", text)[1]  # subn, not findall: no list as long as the text
    if controls and controls > MAX_CONTROL_RATIO * len(text):
        raise NotText(f"not text: binary data ({controls} control characters in {len(text)})")
