"""Administrative places of organizations, from cpca's offline table of divisions.

A name that starts with places (安徽铜陵出入境边防检查站) is split into the most
specific place and the rest of the name:

>>> split_place("安徽铜陵边检站").code, split_place("安徽铜陵边检站").rest
('340700', '边检站')

Codes are six-digit adcodes; every place knows its parent, so
``place_chain("340700")`` gives the city and its province.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable
from functools import lru_cache

from kg.model import Place

LEVELS = ("province", "city", "county")

# Rows of the division table that are containers, not places people name.
_CONTAINER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

# "湖南商会" is the chamber of people from Hunan, wherever it sits: a place
# written in its short form before these words is an origin, not a location.
NATIVE_PLACE_WORDS = ("商会", "同乡会", "会馆", "老乡会")


@dataclass(frozen=True)
class SplitName:
    code: str | None  # most specific place the name starts with
    rest: str  # the name without its leading places
    levels: int = 0  # how many places were written (安徽铜陵 → 2)
    located: bool = True  # False when the place is an origin (湖南商会)


@lru_cache(maxsize=1)
def _cpca():
    import sys
    import warnings

    with warnings.catch_warnings():  # cpca imports the deprecated pkg_resources; not the user's concern
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        shim = "pkg_resources" not in sys.modules
        if shim:  # cpca only reads its table through it: importing pkg_resources took 4/5 of loading cpca
            sys.modules["pkg_resources"] = _resource_reader()
        try:
            import cpca  # loads its division table on import: only when places are needed
        finally:
            if shim:
                sys.modules.pop("pkg_resources", None)
    return cpca


def _resource_reader():
    """A stand-in for the one pkg_resources function cpca calls (the same bytes, from importlib.resources)."""
    import types
    from importlib.resources import files

    module = types.ModuleType("pkg_resources")
    module.resource_stream = lambda package, name: files(package).joinpath(name).open("rb")
    return module


@lru_cache(maxsize=65536)
def split_place(name: str) -> SplitName:
    """Split leading administrative places off a normalized name.

    >>> split_place("外高桥边检站")
    SplitName(code=None, rest='外高桥边检站', levels=0, located=True)
    """
    cpca = _cpca()
    position, last, levels, abbreviated = 0, None, 0, False
    for match in cpca.matcher.iter(name):
        if match.start_index != position:
            break
        if last is None and len({info.adcode for info in match.attr_infos}) > 1:
            break  # a name shared by several divisions: no guess
        found = match.get_match_addr(last)
        if found is None or (last is not None and found.rank <= last.rank):
            break
        if match.end_index + 1 >= len(name):
            break  # the whole name is a place: nothing left to name a unit
        last, position, levels = found, match.end_index + 1, levels + 1
        abbreviated = match.origin_value != found.name
    if last is None:
        return SplitName(None, name)
    rest = name[position:]
    located = not (abbreviated and rest.startswith(NATIVE_PLACE_WORDS))
    return SplitName(last.adcode, rest, levels, located)


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


@lru_cache(maxsize=8192)
def place(code: str) -> Place | None:
    """The Place of an adcode with its parent code, or None for an unknown code."""
    name = _cpca().adcode_name(code)
    if name is None or name in _CONTAINER_NAMES:
        return None
    level = level_of(code)
    parent = None
    if level == "county":
        city = place(code[:4] + "00")
        parent = city.code if city else code[:2] + "0000"
    elif level == "city":
        parent = code[:2] + "0000"
    return Place(code=code, name=name, level=level, parent=parent)


def place_chain(code: str) -> list[Place]:
    """The place and its ancestors, most specific first.

    >>> [p.name for p in place_chain("532801")]
    ['景洪市', '西双版纳傣族自治州', '云南省']
    """
    chain: list[Place] = []
    current: str | None = code
    while current:
        found = place(current)
        if found is None:
            break
        chain.append(found)
        current = found.parent
    return chain


def is_within(inner: str, outer: str) -> bool:
    """True when place ``inner`` is ``outer`` or lies inside it."""
    return any(p.code == outer for p in place_chain(inner))


@lru_cache(maxsize=4096)
def text_place(text: str) -> str | None:
    """The one place a short text (a title) names, or None when it names none or several.

    >>> text_place("铜陵边检站携手口岸单位共建党建圈")
    '340700'
    >>> text_place("基层党建的新答卷") is None
    True
    """
    cpca = _cpca()
    found: list[str] = []
    last = None
    for match in cpca.matcher.iter(text):
        info = match.get_match_addr(last) if last is not None else None
        if info is None:
            if len({i.adcode for i in match.attr_infos}) > 1:
                return None
            info = match.attr_infos[0]
        last = info
        if place(info.adcode) is not None:
            found.append(info.adcode)
    if not found:
        return None
    deepest = max(found, key=lambda code: (LEVELS.index(level_of(code)), code))
    if all(is_within(deepest, code) for code in found):
        return deepest
    return None


# Types whose units are local, so an article that names one place locates them.
LOCAL_TYPES = ("Village", "BorderInspection", "BorderPolice", "PublicSecurity", "Customs", "Maritime",
               "Enterprise", "PartyOrganization")
# Names of national bodies (公安部, 海关总署, 国家民委): never located by their article.
NATIONAL = re.compile(r"中央|国家|全国|中国|中华|国务院|总署|总局|[^支]部$")


def _name_place(names) -> str | None:
    """The deepest located place the names agree on (None if they name none or disagree)."""
    from kg.names import normalize

    codes = set()
    for name in names:
        split = split_place(normalize(name))
        if split.code and split.located:
            codes.add(split.code)
    if not codes:
        return None
    deepest = max(codes, key=lambda code: (LEVELS.index(level_of(code)), code))
    return deepest if all(is_within(deepest, code) for code in codes) else None


def attach_places(resolved, trace: dict | None = None) -> None:
    """Set Organization.place and fill Resolved.places with every place and its ancestors.

    In order: the organization's own names; else its parent unit's place
    (sub_organization_of); else, for local units, the place of its articles,
    when they agree (see ``article_places``). ``trace`` receives the
    intermediate results kg.delta reuses: ``place1`` (organization key -> the
    place of its own names), ``title_place`` and ``art_place`` (see
    ``article_places``).
    """
    orgs = resolved.organizations
    for key in sorted(orgs):
        org = orgs[key]
        org.place = _name_place([org.name, *sorted(org.aliases)])
    titles: dict[str, str | None] | None = {} if trace is not None else None
    articles = article_places(resolved, titles)
    if trace is not None:
        trace.update(place1={key: org.place for key, org in orgs.items()}, title_place=titles, art_place=articles)
    parents = sorted((link.head, link.tail) for link in resolved.links.values() if link.type == "sub_organization_of")
    final = propagate_places({key: org.place for key, org in orgs.items()}, parents,
                             {key: org.articles for key, org in orgs.items() if is_local(org.type, org.name)},
                             articles)
    for key, org in orgs.items():
        org.place = final[key]
    for code in sorted({org.place for org in orgs.values() if org.place}):
        for p in place_chain(code):
            resolved.places.setdefault(p.code, p)
    resolved.places = dict(sorted(resolved.places.items()))


def is_local(kind: str, name: str) -> bool:
    """Whether the article's place may locate a unit of this type and name."""
    return kind in LOCAL_TYPES and not NATIONAL.search(name)


def propagate_places(own: dict[str, str | None], parents: list[tuple[str, str]], local: dict[str, Iterable[str]],
                     articles: dict[str, str]) -> dict[str, str | None]:
    """Final places from the places of own names: a parent's place, else (local units) their articles' one place.

    ``parents`` are sorted (child, parent) pairs; ``local`` maps the local
    units to their article ids; ``articles`` is :func:`article_places`.

    >>> propagate_places({"a": "340700", "b": None, "c": None}, [("b", "a")], {"c": ["x"]}, {"x": "340000"})
    {'a': '340700', 'b': '340700', 'c': '340000'}
    """
    place = dict(own)
    changed = True
    while changed:
        changed = False
        for child, parent in parents:
            if place[child] is None and place[parent] is not None:
                place[child] = place[parent]
                changed = True
    for key, article_ids in local.items():
        if place[key]:
            continue
        found = {articles.get(a) for a in article_ids} - {None}
        if len(found) == 1:
            place[key] = found.pop()
    return place


def confirmed_place(title_code: str | None, own_places: Iterable[str]) -> str | None:
    """The title's place when one of the article's organizations' own places lies within it."""
    if title_code and any(is_within(p, title_code) for p in own_places):
        return title_code
    return None


def article_places(resolved, titles: dict[str, str | None] | None = None) -> dict[str, str]:
    """Article id -> the place its title names, when one of its organizations' own names confirms it.

    A title word that happens to be a place name (大同, 东方) locates nothing
    unless a unit of that place is named in the article. ``titles`` receives
    every article's title place (confirmed or not).
    """
    placed: dict[str, set[str]] = {}
    for org in resolved.organizations.values():
        if org.place:
            for article in org.articles:
                placed.setdefault(article, set()).add(org.place)
    found = {}
    for article_id, article in resolved.articles.items():
        code = text_place(article.title) if article.title else None
        if titles is not None:
            titles[article_id] = code
        if confirmed_place(code, placed.get(article_id, ())):
            found[article_id] = code
    return found
