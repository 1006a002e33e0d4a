"""Normalize article text: characters, widths, pinyin glosses, script, punctuation, white space.

Pure functions on ``str``. ``clean_text`` applies them in order; the result is
the canonical form every later stage (boilerplate, metadata, extraction,
evidence) works on:

- simplified characters (OpenCC ``t2s``);
- no pinyin glosses after characters (``動(dòng)`` → ``动``);
- letters, digits and ASCII symbols half-width (``２０２２`` → ``2022``, ideographic
  space → space);
- Chinese punctuation full-width: an ASCII ``, : ; ! ?`` next to Chinese text
  (spaces between do not count) becomes ``， ： ； ！ ？``, and a ``( )`` pair
  that holds or touches Chinese text becomes ``（ ）``; between digits or Latin
  letters they stay (``18:14``, ``1,000``, ``http://``, ``(see)``);
- one paragraph per line: line ends normalized, runs of spaces collapsed,
  lines stripped, blank lines dropped.

>>> clean_text("  青山邊檢站:黨建聯(lián)創(chuàng),共建(一)\\r\\n\\r\\n２０２３年")
'青山边检站：党建联创，共建（一）\\n2023年'
"""

from __future__ import annotations

import re
from functools import cache

from kg.script import to_simplified

# Full-width forms U+FF01..U+FF5E map to ASCII, except the Chinese punctuation kept full-width.
_KEEP_FULL = "！（），：；？"
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULL}
_WIDTH.update({0x3000: " ", 0x00A0: " ", 0x202F: " ", 0x205F: " ", 0x2007: " "})
_WIDTH.update({cp: " " for cp in range(0x2000, 0x200B)})
_WIDTH.update({0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None, 0x00AD: None})
_WIDTH.update({cp: None for cp in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F)})
_WIDTH.update({0x09: " ", 0x0B: "\n", 0x0C: "\n", 0x1C: "\n", 0x1D: "\n", 0x1E: "\n"})
_WIDTH.update({0x0D: "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n"})
_CHAR_TABLE = str.maketrans(_WIDTH)
_CHAR_MAP = {chr(cp): ("" if to is None else to if isinstance(to, str) else chr(to)) for cp, to in _WIDTH.items()}
# Only the characters that change are visited: a scan for them runs at C speed.
_ODD_CHARS = re.compile("[" + "".join(re.escape(char) for char in sorted(_CHAR_MAP)) + "]+")

_TONED = {
    "a": "aāáǎà", "e": "eēéěè", "i": "iīíǐì", "o": "oōóǒò", "u": "uūúǔù", "ü": "üǖǘǚǜv",
}  # fmt: skip
_TONE_MARKS = "".join(v[1:] for v in _TONED.values()).replace("v", "")
_INITIAL = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINAL = "(?:{v}{v}?{v}?(?:ng|n|r)?)".format(v="[" + "".join(_TONED.values()) + "]")
_SYLLABLE = _INITIAL + _FINAL + "[1-5]?"
_HANZI = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_ONE_GLOSS = rf"[(（]\s?{_SYLLABLE}\s?[)）]"
# The hanzi before a gloss is asserted after the opening parenthesis: a pattern that starts
# with a lookbehind would be tried at every character, one that starts with "(" is found fast.
_GLOSS = re.compile(rf"[(（](?<={_HANZI}[(（])\s?{_SYLLABLE}\s?[)）](?:{_ONE_GLOSS})*")
_MARKED = re.compile(rf"[{_TONE_MARKS}]|[a-zü]\d")

# Chinese context for punctuation: hanzi, CJK punctuation, full-width forms, curly quotes.
_CN = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u2018\u2019\u201c\u201d\u2014\u2026"
_PAREN_PAIR = re.compile(r"\(([^()\n]{0,300})\)")
_CN_CHAR = re.compile(f"[{_CN}]")
_TO_FULL = str.maketrans(",:;!?", "，：；！？")
# One pattern per mark, each starting with the mark itself so the scan runs at C speed:
# the mark after Chinese (one space between allowed), or before it. Compiled on first use (about 3 ms each):
# most texts hold few of these marks.
@cache
def _full_mark(mark: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(mark)}(?<=[{_CN}]{re.escape(mark)})|{re.escape(mark)}(?<=[{_CN}] {re.escape(mark)})"
                      rf"|{re.escape(mark)}(?= ?[{_CN}])")


# An ASCII mark still beside a full-width one (one space between allowed): starts with the rare ASCII mark.
_MIXED_RUN = re.compile(
    r"[,:;!?()](?:(?<=[，：；！？（）][,:;!?()])|(?<=[，：；！？（）] [,:;!?()])|(?= ?[，：；！？（）]))"
)
_MAX_PAREN_DEPTH = 8
_SPACES = re.compile(r"\t|  +")
_SPACE_AROUND = re.compile(r" (?=[，。、：；！？])| (?<=[，。、：；！？] )")


def normalize_chars(text: str) -> str:
    """Line ends to ``\\n``; full-width letters/digits and odd spaces to ASCII; control and zero-width characters out.

    >>> normalize_chars("ＡＢ１２\\u3000x\\u200b\\r\\n（，）")
    'AB12 x\\n（，）'
    """
    text = text.replace("\r\n", "\n")
    return _ODD_CHARS.sub(lambda m: m.group(0).translate(_CHAR_TABLE), text)


def strip_pinyin(text: str, *, glossed: bool | None = None) -> str:
    """Remove pinyin glosses written after characters, with tone marks or tone digits.

    Unmarked syllables (``们(men)``) are removed only where the text also has
    marked glosses (``glossed``: two or more; None: count them in ``text``), so an
    ordinary parenthesis such as ``(an)`` survives.

    >>> strip_pinyin("聯(lián)合行動（dong4）")
    '聯合行動'
    """
    if not _may_hold_gloss(text):
        return text
    if glossed is None:
        glossed = _marked_glosses(text) >= 2
    if glossed:
        return _GLOSS.sub("", text)  # a glossed text: every gloss goes
    return _GLOSS.sub(lambda m: "" if _MARKED.search(m.group(0)) else m.group(0), text)


_SYLLABLE_STARTS = frozenset("bpmfdtnlgkhjqxrzcsyw" + "".join(_TONED.values()))


def _may_hold_gloss(text: str) -> bool:
    """Is some "(" or "（" followed, after at most one white space, by a letter a syllable can start with?

    A necessary condition of a gloss, checked with str.find (a regex scan for the two
    parentheses tests every character and costs more than the rest of the test).
    """
    for paren in "(（":
        pos = text.find(paren)
        while pos != -1:
            after = text[pos + 1 : pos + 2]
            if after in _SYLLABLE_STARTS or after.isspace() and text[pos + 2 : pos + 3] in _SYLLABLE_STARTS:
                return True
            pos = text.find(paren, pos + 1)
    return False


def _marked_glosses(text: str, enough: int = 2) -> int:
    """Glosses with a tone mark or digit in ``text``, counted up to ``enough``."""
    marked = 0
    if _may_hold_gloss(text):
        for match in _GLOSS.finditer(text):
            if _MARKED.search(match.group(0)):
                marked += 1
                if marked >= enough:
                    break
    return marked


def normalize_punctuation(text: str) -> str:
    """ASCII ``, : ; ! ?`` next to Chinese text and ``( )`` pairs with Chinese in or beside them become full-width.

    >>> normalize_punctuation("来源:新华社 18:14 (一)共建,1,000 (see)")
    '来源：新华社 18:14 （一）共建，1,000 (see)'
    """
    # A converted mark or pair can put its ASCII neighbour next to Chinese: repeat until nothing
    # changes (once for ordinary text; the cheap _may_change_again check skips the confirming pass).
    for _ in range(_MAX_PAREN_DEPTH):
        before = text
        text = _punctuation_pass(text)
        if text == before or not _may_change_again(text):
            break
    return text


def _may_change_again(text: str) -> bool:
    """After a pass that changed ``text``: can another pass change it?

    An ASCII mark beside a full-width one may now be next to Chinese; an ASCII "(" left may
    close around a pair converted inside it (``(。(dòng)边)``: the outer pair only matches
    once the inner one is full-width).
    """
    return "(" in text or _MIXED_RUN.search(text) is not None


def _punctuation_pass(text: str) -> str:
    """One pass of normalize_punctuation (local to each line)."""
    if "(" in text:
        text = _PAREN_PAIR.sub(_full_pair, text)
    for mark in ",:;!?":
        if mark in text:
            text = _full_mark(mark).sub(mark.translate(_TO_FULL), text)
    return text


def _full_pair(match: re.Match[str]) -> str:
    """（…） when the parenthesis holds or touches Chinese text (spaces between do not count)."""
    text, start, end = match.string, match.start(), match.end()
    inner = match.group(1)
    before = text[max(0, start - 3) : start].rstrip(" ")[-1:]
    after = text[end : end + 3].lstrip(" ")[:1]
    if _CN_CHAR.search(inner) or _CN_CHAR.search(before + after):
        return f"（{inner}）"
    return match.group(0)


def normalize_whitespace(text: str) -> str:
    """One paragraph per line: spaces collapsed, lines stripped, blank lines dropped.

    >>> normalize_whitespace("  甲 ，  乙\\n\\n\\n 丙  丁 ")
    '甲，乙\\n丙 丁'
    """
    if " " in text or "\t" in text:
        text = _SPACE_AROUND.sub("", _collapse_spaces(text))
    return "\n".join(line for line in map(str.strip, text.split("\n")) if line)


def clean_text(text: str, *, glossed: bool | None = None) -> str:
    """All normalizations in order: the canonical text of an article (``glossed``: see strip_pinyin)."""
    return normalize_whitespace(normalize_punctuation(_before_punctuation(text, glossed=glossed)))


def _before_punctuation(text: str, *, glossed: bool | None = None) -> str:
    text = normalize_chars(text)
    text = strip_pinyin(text, glossed=glossed)
    text = to_simplified(text)
    return _collapse_spaces(text)  # so punctuation sees at most one space between it and its neighbour


def _collapse_spaces(text: str) -> str:
    """Tabs and runs of spaces to one space; ``in`` tests first (C speed: the pattern has no literal start)."""
    return _SPACES.sub(" ", text) if "  " in text or "\t" in text else text


CLEAN_BLOCK_CHARS = 1_000_000


def clean_lines(text: str, block_chars: int = CLEAN_BLOCK_CHARS) -> list[str]:
    """``clean_text(text).split("\\n")``, cleaned block of lines by block for long texts.

    Every normalization is local to a line but the pinyin decision (two marked
    glosses make every gloss go), which is taken once for the whole text; so no
    full-length intermediate copy of a long text is made.

    >>> clean_lines("甲 ，乙\\n\\n聯(lián)合(hé)\\n丙", block_chars=4)
    ['甲，乙', '联合', '丙']
    """
    if len(text) <= block_chars:
        return clean_text(text).split("\n")
    spans = list(_line_blocks(text, block_chars))
    marked = 0
    for start, end in spans:
        if marked >= 2:
            break
        block = text[start:end]
        if "(" in block or "（" in block:
            marked += _marked_glosses(normalize_chars(block), 2 - marked)
    blocks = [_before_punctuation(text[start:end], glossed=marked >= 2) for start, end in spans]
    # The passes of normalize_punctuation go on while any block changes: the same passes as on the whole text.
    for _ in range(_MAX_PAREN_DEPTH):
        changed = mixed = False
        for i, block in enumerate(blocks):
            blocks[i] = _punctuation_pass(block)
            changed = changed or blocks[i] != block
            mixed = mixed or _may_change_again(blocks[i])
        if not changed or not mixed:
            break
    lines: list[str] = []
    for i, block in enumerate(blocks):
        blocks[i] = ""  # each block's memory goes as soon as its lines are made
        cleaned = normalize_whitespace(block)
        if cleaned:
            lines.extend(cleaned.split("\n"))
    return lines or [""]  # as "".split("\n")


def _line_blocks(text: str, block_chars: int):
    """(start, end) spans of about ``block_chars``, each ending just after a line feed (the last at the end),
    never where a pinyin gloss could hold that line feed."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", min(start + block_chars, size) - 1)
        while end != -1 and _gloss_may_hold(text, end):
            end = text.find("\n", end + 1)
        end = size if end == -1 else end + 1
        yield start, end
        start = end


def _gloss_may_hold(text: str, newline: int) -> bool:
    """A gloss may hold one white space right after its "(" or before its ")": 字(\\nlián)."""
    before = text[max(0, newline - 2) : newline].replace("\r", "")[-1:]
    return before in ("(", "（") or text[newline + 1 : newline + 2] in (")", "）")
