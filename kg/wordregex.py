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
