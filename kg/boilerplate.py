"""Tell site furniture lines (bylines, crumbs, share buttons, link lists, footers) from article text.

The words live in ``ontology/boilerplate.yaml``; this module holds the line
shapes. Lines are the output of ``kg.clean.clean_text``.

>>> rules = load_rules()
>>> [classify(line, rules) for line in ["责任编辑：张三", "首页 > 要闻 > 正文", "甲与乙签订共建协议。"]]
['label', 'crumb', None]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.datacache import cached
from kg.resources import ontology_dir
from kg.textmeta import parse_date
from kg.wordregex import alternation

_DATE_TIME = (
    r"(?:(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?|[-/.]\d{1,2}[-/.]\d{1,2})"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?)"
)
_SENTENCE_PUNCT = re.compile(r"[。！？；，]")
_NUMBERISH = re.compile(r"[\d\s.,:：/\-—_=*#~·…()（）\[\]【】<>|]+")
_DATE_ONLY = re.compile(rf"[\s(（【\[]*{_DATE_TIME}[\s)）】\]]*(?:星期.|周.)?")
_TRIM = "【】[]()（）:：<>《》 "
_GT_MARKS = re.compile(r"[»›→＞]")
_CLAUSE_END = re.compile(r"[。！？；]")
_SENTENCE_END = re.compile(r"[。！？]")
_NON_WORD = re.compile(r"\W")


@dataclass(frozen=True)
class Rules:
    """Compiled boilerplate rules."""

    max_line: int
    label_line: int
    label: re.Pattern[str]
    dated_label: re.Pattern[str]
    byline_line: int
    byline_token: int
    roles: frozenset[str]
    phrase_line: int
    phrase: re.Pattern[str]
    exact: frozenset[str]
    crumb_split: re.Pattern[str]
    crumb_segment: int
    crumb_words: frozenset[str]
    link_split: re.Pattern[str]
    link_segment: int
    related: frozenset[str]
    footer_label: int
    role: re.Pattern[str]  # prechecks: cheap searches that rule a line shape out
    crumb_chars: re.Pattern[str]
    link_chars: re.Pattern[str]
    html_drop_tags: tuple[str, ...] = ()
    html_drop_class_words: frozenset[str] = field(default_factory=frozenset)
    # Necessary conditions of every furniture kind: a line matched by neither is article text.
    # Two scans instead of ten per line (most lines are prose): see _maybe_furniture.
    maybe_start: re.Pattern[str] | None = None
    maybe_anywhere: re.Pattern[str] | None = None
    maybe_short: re.Pattern[str] | None = None  # phrases and roles: they count on short lines only


def _parse(raw: bytes) -> dict:
    import yaml

    return yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def load_rules(path: str | Path | None = None) -> Rules:
    """Compile ``ontology/boilerplate.yaml`` (or another file of the same shape)."""
    raw = Path(path or ontology_dir() / "boilerplate.yaml").read_bytes()
    data = cached("boilerplate", [raw], lambda: _parse(raw))
    labels = alternation(data["labels"])
    separators = alternation(data["crumb_separators"])
    pipes = alternation(data["link_separators"])
    bullets = "".join(re.escape(b) for b in data["link_bullets"])
    return Rules(
        max_line=data["max_line_chars"],
        label_line=data["label_line_chars"],
        label=re.compile(rf"^[\s(（【\[]*(?:{labels})\s*[：:]"),
        dated_label=re.compile(rf"^[\s(（【\[]*{_DATE_TIME}\s*(?:{labels})\s*[：:]"),
        byline_line=data["byline_line_chars"],
        byline_token=data["byline_token_chars"],
        roles=frozenset(data["byline_roles"]),
        phrase_line=data["phrase_line_chars"],
        phrase=re.compile(alternation(data["phrases"])),
        exact=frozenset(data["exact"]),
        crumb_split=re.compile(rf"\s*(?:{separators})\s*"),
        crumb_segment=data["crumb_segment_chars"],
        crumb_words=frozenset(data["crumb_end_words"]) | frozenset(data["crumb_start_words"]),
        link_split=re.compile(rf"\s*(?:{pipes})\s*|(?:^|\s+)[{bullets}]\s*"),
        link_segment=data["link_segment_chars"],
        related=frozenset(data["related_headings"]),
        footer_label=data["footer_label_chars"],
        role=re.compile(alternation(data["byline_roles"])),
        crumb_chars=re.compile("[" + "".join(re.escape(sep[0]) for sep in data["crumb_separators"]) + "]"),
        link_chars=re.compile("[" + re.escape("".join(data["link_separators"])) + bullets + "]"),
        html_drop_tags=tuple(data["html_drop_tags"]),
        html_drop_class_words=frozenset(data["html_drop_class_words"]),
        maybe_start=re.compile(rf"{_NUMBERISH.pattern[:-2]}【]|{labels}"),
        # One trie of literals: re then skips to the positions where one of their first characters is.
        maybe_anywhere=re.compile(alternation([
            *(sep[0] for sep in data["crumb_separators"]), *data["link_separators"], *data["link_bullets"],
        ])),
        maybe_short=re.compile(alternation([*data["phrases"], *data["byline_roles"]])),
    )


def classify(line: str, rules: Rules | None = None) -> str | None:
    """The kind of furniture ``line`` is (``label``, ``byline``, ``phrase``, ``exact``, ``crumb``,
    ``links``, ``date``, ``number``, ``related``), or None for article text."""
    rules = rules or load_rules()
    if _surely_text(line, rules):
        return None
    if len(line) > rules.max_line:
        has_links = rules.link_chars.search(line, 0, rules.max_line)
        return "links" if has_links and _is_link_list(line, rules) else None
    if _NUMBERISH.fullmatch(line):
        return "date" if parse_date(line) else "number"
    if _DATE_ONLY.fullmatch(line):
        return "date"
    if len(line) <= rules.label_line and (rules.label.match(line) or rules.dated_label.match(line)):
        return "label"
    bare = line.strip(_TRIM)
    if bare in rules.exact:
        return "exact"
    if bare in rules.related or bare.rstrip("更多>»") in rules.related:
        return "related"
    if len(line) <= rules.phrase_line and rules.phrase.search(line):
        return "phrase"
    if len(line) <= rules.byline_line and rules.role.search(line) and _is_byline(line, rules):
        return "byline"
    if rules.crumb_chars.search(line) and _is_crumb(line, rules):
        return "crumb"
    if rules.link_chars.search(line) and _is_link_list(line, rules):
        return "links"
    return None


def _surely_text(line: str, rules: Rules) -> bool:
    """True when ``line`` fails a necessary condition of every furniture kind (the common case, cheaply)."""
    if rules.maybe_start is None or rules.maybe_anywhere is None or rules.maybe_short is None:
        return False
    if rules.maybe_start.match(line) or rules.maybe_anywhere.search(line):
        return False
    if len(line) <= max(rules.phrase_line, rules.byline_line) and rules.maybe_short.search(line):
        return False
    bare = line.strip(_TRIM)  # exact and related lines are caught by their whole text
    return bare not in rules.exact and bare not in rules.related and bare.rstrip("更多>»") not in rules.related


def _is_byline(line: str, rules: Rules) -> bool:
    tokens = line.strip("()（）【】[]").split()
    if len(tokens) < 2 and not any(line.startswith(role) for role in rules.roles if len(role) > 1):
        return False
    has_role = False
    for token in tokens:
        if len(token) > rules.byline_token:
            return False
        if token in rules.roles or any(token.startswith(role) for role in rules.roles if len(role) > 1):
            has_role = True
    return has_role


def _is_crumb(line: str, rules: Rules) -> bool:
    segments = [s for s in rules.crumb_split.split(line) if s]
    if len(segments) < 2 or _SENTENCE_PUNCT.search(line):
        return False
    if any(len(s) > rules.crumb_segment for s in segments):
        return False
    single_gt = ">>" not in line and not _GT_MARKS.search(line)
    return not single_gt or len(segments) >= 3 or bool(rules.crumb_words & {segments[0], segments[-1]})


def _is_link_list(line: str, rules: Rules) -> bool:
    if len(line) > 2 * rules.max_line and len(rules.link_split.findall(line[: rules.max_line])) < 3:
        return False  # a long paragraph: do not split it all
    segments = [s for s in rules.link_split.split(line) if s and s.strip()]
    if len(segments) < 3 or _CLAUSE_END.search(line):
        return False
    return all(len(s.strip()) <= rules.link_segment for s in segments)


@dataclass
class Stripped:
    lines: list[str]
    removed: list[tuple[str, str]]  # (kind, line)


def strip_furniture(
    lines: Sequence[str],
    rules: Rules | None = None,
    *,
    outlet: str | None = None,
    kinds: Sequence[str | None] | None = None,
) -> Stripped:
    """Drop furniture lines, the headline lists after a "related articles" heading, the lone
    labels of a trailing footer block, and lines that only repeat the outlet's name.

    ``kinds`` are the lines' ``classify`` results when the caller has them already.
    """
    rules = rules or load_rules()
    kinds = list(kinds) if kinds is not None else [classify(line, rules) for line in lines]
    if outlet:
        kinds = [kind or ("outlet" if line == outlet else None) for line, kind in zip(lines, kinds)]
    _mark_related_lists(lines, kinds, rules)
    _mark_footer_labels(lines, kinds, rules)
    kept = [line for line, kind in zip(lines, kinds) if kind is None]
    removed = [(kind, line) for line, kind in zip(lines, kinds) if kind is not None]
    return Stripped(kept, removed)


def _is_headline(line: str) -> bool:
    return len(line) <= 50 and not _SENTENCE_END.search(line)


def _mark_related_lists(lines: Sequence[str], kinds: list[str | None], rules: Rules) -> None:
    started = False  # a related-articles heading counts once the article's sentences have begun
    for i, kind in enumerate(kinds):
        started = started or (kind is None and "。" in lines[i])
        if kind == "related" and started:
            j = i + 1
            while j < len(lines) and (kinds[j] or _is_headline(lines[j])):
                kinds[j] = kinds[j] or "related"
                j += 1


def _mark_footer_labels(lines: Sequence[str], kinds: list[str | None], rules: Rules) -> None:
    start = len(lines)
    while start > 0 and (kinds[start - 1] or _is_headline(lines[start - 1])):
        start -= 1
    if not any(kinds[start:]):
        return
    for i in range(start, len(lines)):
        line = lines[i]
        if kinds[i] is None and len(line) <= rules.footer_label and not _NON_WORD.search(line):
            kinds[i] = "footer"
