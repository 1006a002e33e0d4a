"""When two surface forms name the same unit: identities and a name index.

An identity is (most specific place, rest of the name with short forms folded).
Forms with equal identities are one unit; a form without a place joins the one
placed identity with the same rest, when there is exactly one:

>>> identity("安徽铜陵出入境边防检查站") == identity("铜陵边检站")
True
>>> identity("铜陵边检站") == identity("泰州边检站")
False
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from kg.names import is_generic, match_key, normalize
from kg.places import split_place

Identity = tuple[str | None, str]

# Aliases shorter than this (一圈, 总署) are article-local abbreviations.
MIN_LINKING_ALIAS = 3


def identity(name: str) -> Identity:
    text = normalize(name)
    split = split_place(text)
    if split.code:
        return (split.code, match_key(split.rest))
    return (None, match_key(text))


def identifies(ident: Identity) -> bool:
    """False for identities that could name many units (a bare 海关 with no place)."""
    code, rest = ident
    return bool(rest) and (code is not None or not is_generic(rest))


def linking_alias(alias: str, name: str) -> bool:
    """May this alias join mentions in other articles?

    Not when it is short, generic, or the name with its qualifier dropped
    (缉私局机关党委 for 南京海关缉私局机关党委 could be any customs office's).

    >>> linking_alias("江苏泰州边检站", "泰州边检站"), linking_alias("缉私局机关党委", "南京海关缉私局机关党委")
    (True, False)
    """
    alias_key, name_key = match_key(alias), match_key(name)
    if len(alias_key) < MIN_LINKING_ALIAS or not identifies(identity(alias)):
        return False
    return alias_key == name_key or not name_key.endswith(alias_key)


class NameIndex:
    """Find organizations by any name a person might write for them."""

    def __init__(self) -> None:
        self._exact: dict[Identity, set[str]] = defaultdict(set)
        self._by_rest: dict[str, set[Identity]] = defaultdict(set)

    def add(self, key: str, names: Iterable[str]) -> None:
        for name in names:
            ident = identity(name)
            self._exact[ident].add(key)
            self._by_rest[ident[1]].add(ident)

    def lookup(self, name: str) -> set[str]:
        """Keys of the organizations a name denotes (empty, one, or several when ambiguous)."""
        ident = identity(name)
        if ident in self._exact:
            return set(self._exact[ident])
        code, rest = ident
        if code is None and identifies(ident):
            placed = [i for i in self._by_rest.get(rest, ()) if i[0] is not None]
            if len({i[0] for i in placed}) == 1:
                return set().union(*(self._exact[i] for i in placed))
        return set()
