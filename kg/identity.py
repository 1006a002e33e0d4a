"""When two surface forms name the same unit: identities and a name index.

An identity is (place, parent, rest): the most specific place the name starts
with, the parent unit it is qualified by, and the rest with short forms folded.

>>> identity("安徽铜陵出入境边防检查站") == identity("铜陵边检站")
True
>>> identity("云溪边境管理大队青岚边境派出所")
(None, '云溪边管大队', '青岚派出所')

Forms with the same rest join when all the qualifiers seen for that rest are
compatible (each part equal or missing): 外高桥边检站 joins 上海外高桥边检站,
but 新港边检站 joins nothing when both 天津新港边检站 and 福建新港边检站 occur.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Iterable

from kg.names import UNIT_WORDS, is_bare_part, is_generic, match_key, normalize
from kg.places import split_place

Identity = tuple[str | None, str | None, str]

# Aliases shorter than this (一圈, 总署) are article-local abbreviations.
MIN_LINKING_ALIAS = 3

# A city or county that the division table does not know (a new or renamed one).
_UNKNOWN_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,3}[市县旗])(?=[\u4e00-\u9fff]{2})")

# Units that other units are named under ("云溪边管大队青岚边境派出所"), in folded form.
CONTAINERS = ("边检总站", "边检站", "边境检查站", "总队", "支队", "大队", "公安", "分局", "局",
              "公司", "集团", "海关", "军分区", "农场", "街道")
_CONTAINER_AT = re.compile("(?=(" + "|".join(re.escape(w) for w in sorted(CONTAINERS, key=len, reverse=True)) + "))")
_UNIT_END = re.compile("(?:" + "|".join(re.escape(w) for w in sorted(set(UNIT_WORDS), key=len, reverse=True)) + ")$")


def split_parent(rest: str, placed: bool = False) -> tuple[str | None, str]:
    """Split a parent unit off the front when what follows names a unit of its own.

    The parent must identify a unit itself, unless a place came before it
    (崇左 + 边管支队 + 隘口边境派出所).

    >>> split_parent("海口边检总站美兰边检站"), split_parent("美兰边检站执勤一队")
    (('海口边检总站', '美兰边检站'), (None, '美兰边检站执勤一队'))
    """
    best = 0
    for match in _CONTAINER_AT.finditer(rest):
        end = match.start() + len(match.group(1))
        parent, child = rest[:end], rest[end:]
        if (end > best and len(child) >= 3 and _UNIT_END.search(child) and not is_generic(child)
                and not is_bare_part(child) and (placed or not is_generic(parent))):
            best = end
    if not best:
        return None, rest
    return rest[:best], rest[best:]


@lru_cache(maxsize=65536)
def identity(name: str) -> Identity:
    text = normalize(name)
    split = split_place(text)
    place: str | None = None
    rest = text
    if split.code and split.located:
        place, rest = split.code, split.rest
    elif not split.code and (unknown := _UNKNOWN_PLACE.match(text)):
        place, rest = "?" + unknown.group(1), text[unknown.end():]
    parent, rest = split_parent(match_key(rest), placed=place is not None)
    return (place, parent, rest)


def identifies(ident: Identity) -> bool:
    """False for identities that could name many units (a bare 海关 with no place)."""
    place, parent, rest = ident
    return bool(rest) and (place is not None or parent is not None or not is_generic(rest))


def order(ident: Identity) -> tuple[str, str, str]:
    return (ident[0] or "", ident[1] or "", ident[2])


def compatible(a: Identity, b: Identity) -> bool:
    """Same rest, and place and parent each equal or missing on one side."""
    return a[2] == b[2] and all(x == y or x is None or y is None for x, y in zip(a[:2], b[:2]))


def groups(identities: Iterable[Identity]) -> list[list[Identity]]:
    """Identities that name one unit: all readings of a rest when they agree, else each alone.

    >>> groups([(None, None, "外高桥边检站"), ("310000", None, "外高桥边检站")])
    [[(None, None, '外高桥边检站'), ('310000', None, '外高桥边检站')]]
    """
    by_rest: dict[str, set[Identity]] = defaultdict(set)
    for ident in identities:
        by_rest[ident[2]].add(ident)
    found = []
    for rest in sorted(by_rest):
        variants = sorted(by_rest[rest], key=order)
        # Pairwise compatible exactly when place and parent each take at most one value besides None.
        agree = all(len({v[part] for v in variants} - {None}) <= 1 for part in (0, 1))
        if agree and all(identifies(v) for v in variants):
            found.append(variants)
        else:
            found.extend([v] for v in variants)
    return found


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
        self._keys: dict[Identity, set[str]] = defaultdict(set)
        self._by_rest: dict[str, set[Identity]] = defaultdict(set)

    def add(self, key: str, names: Iterable[str]) -> None:
        for name in names:
            ident = identity(name)
            self._keys[ident].add(key)
            self._by_rest[ident[2]].add(ident)

    def lookup(self, name: str) -> set[str]:
        """Keys of the organizations a name denotes (empty, one, or several when ambiguous)."""
        ident = identity(name)
        if ident in self._keys:
            return set(self._keys[ident])
        found = set().union(*(self._keys[i] for i in self.matches(ident, self._by_rest)))
        if not found and identifies(ident):  # every reading it could be: several keys mean ambiguous
            found = set().union(*(self._keys[v] for v in self._by_rest.get(ident[2], ()) if compatible(ident, v)))
        return found

    @staticmethod
    def matches(ident: Identity, by_rest: dict[str, set[Identity]]) -> list[Identity]:
        """The identities of the group ``ident`` would belong to (itself if present and alone)."""
        variants = by_rest.get(ident[2], set())
        if ident in variants:
            for group in groups(variants):
                if ident in group:
                    return group
        if identifies(ident) and variants and all(compatible(ident, v) for v in variants):
            group = groups(variants | {ident})
            if len(group) == 1:
                return [v for v in group[0] if v != ident]
        return []
