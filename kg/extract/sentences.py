"""Sentence spans of a cleaned article, aware of closing quotes after end punctuation.

>>> [text[a:b] for text in ["甲与乙共建。“好！”丙说\\n丁"] for a, b in sentence_spans(text)]
['甲与乙共建。', '“好！”', '丙说', '丁']
"""

from __future__ import annotations

import re

# A sentence runs to an end mark (and any closing quotes right after it) or a line break.
_SENTENCE = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;]+[”’」』）)]*)?")
_SPACE_BUT_NEWLINE = re.compile(r"[^\S\n]")
_BOOK_TITLE = re.compile(r"《[^《》\n]{0,80}》")
_QUOTE = re.compile(r"“([^“”\n]{1,40})”")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence, white space trimmed."""
    if _SPACE_BUT_NEWLINE.search(text) is None:  # the usual cleaned text: nothing to trim
        return [m.span() for m in _SENTENCE.finditer(text)]
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def book_title_spans(text: str) -> list[tuple[int, int]]:
    """Spans of 《…》 titles: names inside a document title are not mentions."""
    if "《" not in text:  # str.find runs faster than the regex's scan for its first character
        return []
    return [m.span() for m in _BOOK_TITLE.finditer(text)]


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the text inside “…” (without the marks)."""
    if "“" not in text:
        return []
    return [m.span(1) for m in _QUOTE.finditer(text)]
