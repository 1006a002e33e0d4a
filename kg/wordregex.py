"""One regex for a list of words, written as a trie.

A flat alternation of hundreds of words makes the regex engine try every word
at every position; the trie form (边检(?:站|总站)) costs one branch per
character. Longer words win over their prefixes, as in a longest-first
alternation.

>>> import re
>>> re.fullmatch(alternation(["边检站", "边检总站", "海关"]), "边检总站") is not None
True
>>> alternation(["责编", "责任编辑"])
'责(?:任编辑|编)'
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(words: Iterable[str]) -> str:
    """A regex (without anchors or an outer group) matching any of ``words``."""
    trie: dict = {}
    for word in set(words):
        if word:
            node = trie
            for char in word:
                node = node.setdefault(char, {})
            node[""] = {}
    return _emit(trie)


def _emit(node: dict) -> str:
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


class LazyPattern:
    """A regex compiled on first use, otherwise used as the compiled pattern (``match``, ``search``, …).

    For a large word list that few texts need: compiling one took a tenth of
    loading the extractor, in every process that extracts.

    >>> pattern = LazyPattern(alternation(["边检站", "海关"]))
    >>> pattern.compiled is None, pattern.match("海关").group(), pattern.compiled is not None
    (True, '海关', True)
    """

    __slots__ = ("source", "compiled")

    def __init__(self, source: str):
        self.source, self.compiled = source, None

    def __getattr__(self, name: str):
        if self.compiled is None:
            self.compiled = re.compile(self.source)
        return getattr(self.compiled, name)
