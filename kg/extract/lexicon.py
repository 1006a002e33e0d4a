"""The extractor's vocabulary (ontology/lexicon.yaml), compiled once into regexes and sets.

>>> lex = load_lexicon()
>>> lex.suffix_type["边检站"]
'BorderInspection'
>>> "泰州" in lex.places
True
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from kg.datacache import cached
from kg.resources import lexicon_file
from kg.wordregex import LazyPattern, alternation

# Administrative suffixes stripped to get the short form of a place (铜陵市 → 铜陵).
_PLACE_ENDINGS = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
                  "自治县", "自治旗", "地区", "省", "市", "县", "区", "旗", "盟", "州")


KEYWORD_TYPED = "keyword-typed"
NATIONAL = "national:"  # type prefix marking a hit that is a whole national body (公安部, 国务院)  # the type of a generic unit word comes from its name part


def _scanner(words) -> re.Pattern:
    """A regex finding any of `words`.

    No first-character lookahead: re's compiler already derives the set of
    first characters from the trie, and a lookahead in front hides it (measured
    1.1-2 times slower on the corpora).
    """
    return re.compile(alternation(words))


def _automaton(words, reverse: bool = False) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton of `words` (each written backwards with `reverse`), each word's value its length.

    pyahocorasick looks a character up among a node's children one by one, and after a
    mismatch at the root: unit words share far fewer last characters than first ones
    (49 against 116), so the backward automaton, run over the reversed text, is about
    1.5 times faster and finds the same occurrences.
    """
    automaton = ahocorasick.Automaton()
    for word in sorted(set(words)):
        if word:
            automaton.add_word(word[::-1] if reverse else word, len(word))
    automaton.make_automaton()
    return automaton


def _lexicon_path() -> Path:
    try:
        path = lexicon_file()
        if path.is_file():
            return path
    except (TypeError, ModuleNotFoundError):  # kg.ontology not importable as a package here
        pass
    # Editable checkouts keep the file at the top level (ontology/ is mapped to kg.ontology).
    return Path(__file__).resolve().parents[2] / "ontology" / "lexicon.yaml"


def _cpca_resources() -> Path | None:
    """cpca's table folder, found without importing cpca (its import pulls in pandas)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "resources"


_PLACE_FILES = ("56_nations.csv", "adcodes.csv")


def _place_sources() -> list[bytes]:
    folder = _cpca_resources()
    sources = []
    for name in _PLACE_FILES:
        try:
            sources.append((folder / name).read_bytes() if folder else b"")
        except OSError:
            sources.append(b"")
    return sources


def _load_places(province_short) -> frozenset[str]:
    """Full and short names of Chinese provinces, cities and counties (cpca's table).

    Autonomous areas also give the name before their peoples (孟连傣族拉祜族佤族自治县 →
    孟连, 孟连县), the form news reports use.
    """
    names: set[str] = set(province_short)
    try:
        folder = _cpca_resources()
        if folder is None:
            raise FileNotFoundError("cpca")
        peoples = [p.strip() for p in (folder / "56_nations.csv").read_text(encoding="utf-8").split() if p.strip()]
        with (folder / "adcodes.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                name = row["name"]
                names.add(name)
                for ending in _PLACE_ENDINGS:
                    if name.endswith(ending) and len(name) - len(ending) >= 2:
                        names.add(name[: -len(ending)])
                        break
                if "自治" in name:
                    cut = min((name.find(p) for p in peoples if p in name), default=-1)
                    if cut >= 2:
                        names.add(name[:cut])
                        names.add(name[:cut] + name[-1])
    except (ModuleNotFoundError, FileNotFoundError, KeyError):  # the place list only refines boundaries
        pass
    names.discard("")
    return frozenset(n for n in names if len(n) >= 2)


@dataclass(frozen=True)
class Lexicon:
    suffix_type: dict[str, str]
    suffix_re: re.Pattern
    team_re: re.Pattern
    team_tail_re: re.Pattern  # a team name ending exactly at the end position given to search()
    keyword_suffixes: frozenset[str]
    keyword_types: dict[str, str]
    team_type: str
    party_type: str
    scan_re: re.Pattern  # suffixes, national function names and central organs (a LazyPattern: tests use it)
    scan_vocabulary: frozenset[str]  # the same words, and their lengths longest first (names._suffix_hits)
    scan_lengths: tuple[int, ...]
    scan_automaton: ahocorasick.Automaton  # the same words written backwards (value: length), for names.scan_words
    scan_type: dict[str, str]  # word → type; national hits carry NATIONAL + type
    scan_not_followed_by: dict[str, str]
    short_forms: dict[str, tuple[str, ...]]
    bare_units: dict[str, str]
    bare_re: re.Pattern
    boundary_re: re.Pattern
    never_name_starts: frozenset[str]
    subunit_cue_re: re.Pattern  # 下辖 / 下设 …: bare sub-units listed after it belong to the unit before it
    subunit_ends: tuple[str, ...]  # boundary words a name never absorbs (与己海关 is 与 + 己海关)
    leading_modifiers: tuple[str, ...]
    modifiers_re: re.Pattern
    generic_starts: tuple[str, ...]
    generic_parts: frozenset[str]
    plain_name_max: int
    strong_suffixes: frozenset[str]
    founded_after: tuple[str, ...]
    national_prefixes: tuple[str, ...]
    function_words: tuple[str, ...]
    not_followed_by: dict[str, str]
    not_preceded_by: dict[str, str]
    honour_verbs: tuple[str, ...]
    honour_words: tuple[str, ...]
    honour_re: re.Pattern
    anaphora: dict[str, tuple[str, ...]]
    anaphora_re: re.Pattern
    connector_re: re.Pattern
    list_separators: tuple[str, ...]
    inviting_connectors: tuple[str, ...]
    head_units: dict[str, tuple[str, ...]]
    relation_cues: dict[str, tuple[str, ...]]
    cue_re: dict[str, re.Pattern]
    parent_first_re: re.Pattern
    child_first_re: re.Pattern
    party_words: tuple[str, ...]
    pair_words: tuple[str, ...]
    pair_re: re.Pattern  # any of pair_words (one search instead of a test per word)
    places: frozenset[str]
    shielded: frozenset[str]  # places and protected words: boundary words inside them do not count
    province_short: tuple[str, ...]
    place_markers: tuple[str, ...]
    alliance_suffixes: tuple[str, ...]
    members_follow_re: re.Pattern
    members_before_re: re.Pattern
    member_cue_re: re.Pattern
    same_unit_suffixes: frozenset[str]
    inherits_parent_type: frozenset[str]
    digest: str


def _compile(data: dict, digest: str, places: frozenset[str]) -> Lexicon:
    suffix_type: dict[str, str] = {}
    for type_name, spec in data["types"].items():
        for suffix in spec.get("suffixes", []):
            suffix_type.setdefault(suffix, type_name)
    for suffix in data["keyword_typed"]["suffixes"]:
        suffix_type.setdefault(suffix, KEYWORD_TYPED)
    alliance = tuple(data["types"]["Alliance"]["suffixes"])
    national = data["national_bodies"]
    relations = data["relations"]
    cues = {name: tuple(spec.get("cues", [])) for name, spec in relations.items() if "cues" in spec}
    anaphora = {word: tuple(ends) for word, ends in data["anaphora"].items()}
    scan_type = {word: type_ for word, type_ in suffix_type.items() if type_ != "Alliance"}
    scan_not_followed_by = {k: str(v) for k, v in data["not_followed_by"].items()}
    national_words = {f + s: t for f, t in national["functions"].items() for s in national["suffixes"]}
    national_words.update(data.get("national_organs") or {})
    for word, type_ in national_words.items():
        scan_type[word] = NATIONAL + type_
        if word.endswith(tuple(national["suffixes"])):
            scan_not_followed_by[word] = scan_not_followed_by.get(word, "") + "门长署属"  # 公安部门, 海关总署长
    return Lexicon(
        scan_re=LazyPattern(alternation(list(scan_type) + list(alliance))),
        scan_vocabulary=(vocabulary := frozenset(word for word in [*scan_type, *alliance] if word)),
        scan_lengths=tuple(sorted({len(word) for word in vocabulary}, reverse=True)),
        scan_automaton=_automaton(list(scan_type) + list(alliance), reverse=True),
        scan_type=scan_type,
        scan_not_followed_by=scan_not_followed_by,
        suffix_type=suffix_type,
        suffix_re=_scanner(suffix_type),
        team_re=re.compile(data["team_pattern"]),
        team_tail_re=re.compile(f"(?:{data['team_pattern']})\\Z"),
        keyword_suffixes=frozenset(data["keyword_typed"]["suffixes"]),
        keyword_types=dict(data["keyword_typed"]["keywords"]),
        team_type=data["team_type"],
        party_type=data["party_suffix_class"],
        short_forms={k: tuple(v) for k, v in data["short_forms"].items()},
        bare_units=dict(data["bare_units"]),
        bare_re=re.compile(alternation(data["bare_units"])),
        boundary_re=re.compile(alternation(data["left_boundaries"])),
        never_name_starts=frozenset(data["never_name_starts"]),
        subunit_cue_re=_scanner(data["subunit_cues"]),
        subunit_ends=tuple(data["subunit_ends"]),
        leading_modifiers=tuple(sorted(data["leading_modifiers"], key=len, reverse=True)),
        modifiers_re=re.compile(f"(?:{alternation(data['leading_modifiers'])})+"),
        generic_starts=tuple(data["generic_starts"]),
        generic_parts=frozenset(data["generic_parts"]),
        plain_name_max=int(data["plain_name_max"]),
        strong_suffixes=frozenset(data["strong_suffixes"]),
        founded_after=tuple(relations["member_of"]["founded_after"]),
        national_prefixes=tuple(data["national_prefixes"]),
        function_words=tuple(data["function_words"]),
        not_followed_by={k: str(v) for k, v in data["not_followed_by"].items()},
        not_preceded_by={k: str(v) for k, v in data["not_preceded_by"].items()},
        honour_verbs=tuple(data["honour_verbs"]),
        honour_words=tuple(data["honour_words"]),
        honour_re=re.compile(alternation(data["honour_verbs"])),
        anaphora=anaphora,
        anaphora_re=_scanner(anaphora),
        connector_re=_scanner(data["connectors"]),
        list_separators=tuple(data["list_separators"]),
        inviting_connectors=tuple(data["inviting_connectors"]),
        head_units={k: tuple(v) for k, v in data["head_units"].items()},
        relation_cues=cues,
        cue_re={name: _scanner(words) for name, words in cues.items()},
        parent_first_re=re.compile(alternation(relations["sub_organization_of"]["parent_first"])),
        child_first_re=re.compile(alternation(relations["sub_organization_of"]["child_first"])),
        party_words=tuple(data["party_words"]),
        pair_words=tuple(data["pair_words"]),
        pair_re=_scanner(data["pair_words"]),
        places=places,
        shielded=places | frozenset(data["protected_words"]),
        province_short=tuple(data["province_short"]),
        place_markers=tuple(data["place_markers"]),
        alliance_suffixes=alliance,
        members_follow_re=re.compile(alternation(relations["member_of"]["members_follow"])),
        members_before_re=re.compile(relations["member_of"]["members_before"]),
        member_cue_re=re.compile(alternation(relations["member_of"]["cues"])),
        same_unit_suffixes=frozenset(data["same_unit_suffixes"]),
        inherits_parent_type=frozenset(data["inherits_parent_type"]),
        digest=digest,
    )


def _parse(raw: bytes) -> list:
    """[the lexicon's data, the place names]: what :func:`kg.datacache.cached` keeps between processes."""
    import yaml

    # libyaml's safe loader builds the same data about ten times faster than the pure-Python one.
    data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return [data, sorted(_load_places(data["province_short"]))]


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> Lexicon:
    """Read and compile the lexicon once per process (cached; its parsed data also between processes)."""
    raw = Path(path).read_bytes() if path else _lexicon_path().read_bytes()
    data, places = cached("lexicon", [raw, *_place_sources()], lambda: _parse(raw))
    return _compile(data, hashlib.sha1(raw).hexdigest()[:8], frozenset(places))
