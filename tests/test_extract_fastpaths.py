"""The fast paths of extraction give exactly what the plain algorithms give."""

from __future__ import annotations

import random
import re

import pytest

from kg.extract.entities import Registry
from kg.extract.implicit import _nearest_place
from kg.extract.lexicon import load_lexicon
from kg.extract.names import _mark_ends, _Spans, _suffix_hits, _team_hits, place_spans, scan_words
from kg.extract.sentences import book_title_spans
from _extract_helpers import article_texts


@pytest.fixture(scope="module")
def sample_text(sample_corpus) -> str:
    return "\n".join(article_texts(sample_corpus))


def _nearest_place_plain(text: str, pos: int, level: str, lex) -> str | None:
    window = text[max(0, pos - 600) : pos]
    best = None
    for a, b in place_spans(window, lex):
        if window[a:b].endswith(level) and b - a >= 3:
            best = window[a:b]
    return best


def test_nearest_place_stops_at_the_last_place_of_the_whole_segmentation(sample_text):
    lex = load_lexicon()
    text = sample_text + "。景洪市勐龙镇、新巴尔虎左旗和孟连县，县委" * 3
    for pos in range(0, len(text), 7):
        for level in "省市县区旗州盟":
            assert _nearest_place(text, pos, level, lex) == _nearest_place_plain(text, pos, level, lex), (pos, level)


def _suffix_hits_plain(text: str, lex, titles: _Spans):
    """The scan with a stack of pending hits (a refused hit pushes the one starting inside it)."""
    hits = []
    pending = [(m.start(), m.group()) for m in lex.scan_re.finditer(text)][::-1]
    while pending:
        start, suffix = pending.pop()
        end = start + len(suffix)
        after, before = lex.scan_not_followed_by.get(suffix), lex.not_preceded_by.get(suffix)
        if after and end < len(text) and text[end] in after or before and start > 0 and text[start - 1] in before:
            for pos in range(start + 1, end):
                inner = lex.scan_re.match(text, pos)
                if inner is not None:
                    pending.append((pos, inner.group()))
                    break
            continue
        if suffix in lex.scan_type:
            hits.append((start, end, suffix, lex.scan_type[suffix]))
    teams = _team_hits(text, lex)
    if teams:
        hits += teams
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    chosen, last_end = [], -1
    for hit in hits:
        if hit[0] < last_end or titles.spans and titles.find(hit[0]):
            continue
        chosen.append(hit)
        last_end = hit[1]
    return chosen


def test_suffix_scan_equals_the_pending_stack(sample_text):
    lex = load_lexicon()
    pieces = ["口岸办事处", "外事办公室", "党组织", "村寨", "渔村", "农村委员会", "集中学习", "厂区", "集团化",
              "海关", "边检站", "公安部门", "党委", "村委会", "某某", "、", "与", "执勤一队", "《", "》", "“", "”"]
    rng = random.Random(3)
    texts = [sample_text] + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(1500)]
    for text in texts:
        titles = _Spans(book_title_spans(text))
        assert _suffix_hits(text, lex, titles) == _suffix_hits_plain(text, lex, titles), text


def test_registry_resolves_keys_as_a_scan_of_its_entities_would():
    rng = random.Random(9)
    for _ in range(200):
        registry = Registry()
        names = [f"甲{i}站" for i in range(rng.randint(1, 12))]
        for name in names:
            registry.add(name, "BorderInspection")
        for _ in range(rng.randint(0, 8)):
            a, b = rng.sample(registry.order, 2) if len(registry.order) > 1 else (None, None)
            if a is not None:
                registry.merge(a, b)
        for key in [f"k{i}" for i in range(len(names) + 2)] + [None, ""]:
            plain = key
            while plain in registry.redirect:
                plain = registry.redirect[plain]
            expected = next((e for e in registry.order if e.key == plain), None)
            assert registry.resolve(key) is expected


def _fragments(words) -> list[str]:
    return sorted({w[i:j] for w in words for i in range(len(w)) for j in range(i + 1, len(w) + 1)})


def test_the_automaton_scan_finds_what_the_regex_scan_finds(sample_text):
    lex = load_lexicon()
    plain = [(m.start(), m.group()) for m in lex.scan_re.finditer(sample_text)]
    assert scan_words(sample_text, lex) == plain
    # Strings made of pieces of the words: prefixes of long words (居民委员 without 会) test
    # the fall-back to a shorter word starting later.
    pieces = _fragments(list(lex.scan_type) + list(lex.alliance_suffixes)) + ["甲", "、", "与", "\n"]
    rng = random.Random(1)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert scan_words(text, lex) == [(m.start(), m.group()) for m in lex.scan_re.finditer(text)], text


def test_mark_ends_are_the_ends_of_a_class_scan(sample_text):
    for text in (sample_text, "", "队", "科队科", "执勤一队和综合科"):
        assert _mark_ends(text, "队科") == [m.end() for m in re.finditer("[队科]", text)]



# Session 3 fast paths: each against the plain code it replaced.


def _dropped_middle_plain(registry: Registry) -> None:
    entities = sorted(registry.order, key=lambda e: len(e.name))
    by_ending: dict[str, list] = {}
    for e in entities:
        by_ending.setdefault(e.name[-3:], []).append(e)
    for short in entities:
        for long in by_ending.get(short.name[-3:], ()):
            if long is short or long.type != short.type or len(long.name) <= len(short.name):
                continue
            a, b = long.name, short.name
            head = 0
            while head < len(b) and a[head] == b[head]:
                head += 1
            if head >= 2 and len(b) - head >= 2 and a.endswith(b[head:]) and long in registry.order and short in registry.order:
                if len(b) - head >= 3:
                    registry.merge(long, short)
                    break


def _place_dropped_plain(registry: Registry) -> None:
    entities = sorted(registry.order, key=lambda e: len(e.name))
    by_ending: dict[str, list] = {}
    for e in entities:
        by_ending.setdefault(e.name[-3:], []).append(e)
    for short in entities:
        if short not in registry.order or len(short.name) < 3:
            continue
        owners = [e for e in by_ending.get(short.name[-3:], ())
                  if e in registry.order and e is not short and e.type == short.type and len(e.name) > len(short.name)
                  and e.name.endswith(short.name) and (len(short.name) >= 4 or e.name[-len(short.name) - 1] in "省市县区旗盟州乡镇")]
        if len(owners) == 1:
            registry.merge(owners[0], short)


def _registry_state(registry: Registry):
    return ([(e.key, e.name, e.type, sorted(e.aliases), e.implicit) for e in registry.order],
            sorted(registry.redirect.items()), sorted((f, e.key) for f, e in registry.by_form.items()))


def test_alias_rules_worked_group_by_group_equal_the_plain_scans():
    from kg.extract.entities import dropped_middle_aliases, place_dropped_aliases

    heads = ["丹崖", "丹崖市", "满洲里", "满洲里国门", "澄湾", "澄湾镇", "弄岛镇", "甲"]
    middles = ["", "国门", "福建", "渔港", "边境"]
    tails = ["党建学院", "商会", "社区", "等秀村", "边检站", "海关", "村"]
    rng = random.Random(11)
    for _ in range(600):
        names = {rng.choice(heads) + rng.choice(middles) + rng.choice(tails) for _ in range(rng.randint(1, 14))}
        names |= {rng.choice(middles) + rng.choice(tails) for _ in range(rng.randint(0, 4))}
        states = []
        for rules in ((dropped_middle_aliases, place_dropped_aliases), (_dropped_middle_plain, _place_dropped_plain)):
            registry = Registry()
            for name in sorted(n for n in names if n):
                registry.add(name, "Community" if name.endswith(("社区", "村")) else "Association")
            for rule in rules:
                rule(registry)
            states.append(_registry_state(registry))
        assert states[0] == states[1], names


def test_antecedent_index_equals_the_plain_fit_test():
    from kg.extract.anaphora import Antecedents
    from kg.extract.names import Mention

    lex = load_lexicon()
    words = ["边检站", "总站", "站", "派出所", "所", "海关", "村", "支部", "大队", "中队"]
    rng = random.Random(5)
    for _ in range(300):
        mentions, names = [], {}
        for i in range(rng.randint(1, 12)):
            name = "甲" * rng.randint(1, 3) + rng.choice(words)
            key = f"k{rng.randint(0, 6)}"
            names.setdefault(key, (name, *sorted({"乙" + rng.choice(words) for _ in range(rng.randint(0, 2))})))
            mentions.append(Mention(i * 10, i * 10 + len(name), name, "", "org", entity=key))
        candidates = Antecedents(mentions, lex.anaphora, names)
        for anaphor, endings in lex.anaphora.items():
            narrower = candidates._narrower(endings)

            def fits(form: str) -> bool:
                return form.endswith(endings) and not (narrower and form.endswith(narrower))

            fitting = {key for key, forms in names.items() if any(fits(f) for f in forms)}
            chosen = [m for m in candidates.mentions if fits(m.name) or m.entity in fitting]
            assert candidates._compatible(endings)[2] == chosen, (anaphor, names)


def _find_mentions_plain(text: str, lex):
    """find_mentions with _name_part_start called (not inlined) and the verdicts not memoised."""
    from kg.extract import names as N

    titles = N._Spans(book_title_spans(text))
    mentions, previous, prev_end = [], None, 0
    for start, end, suffix, type_ in N._suffix_hits(text, lex, titles):
        head, stop = N._name_part_start(text, start, prev_end if previous else 0, lex)
        parent = previous if previous is not None and stop.startswith("chain") else None
        mention = N._make_mention(text, lex, start, end, suffix, type_, head, stop, text[head:start], parent)
        if mention is not None:
            mentions.append(mention)
        previous, prev_end = mention, end
    mentions += N._quoted_mentions(text, lex, N.quote_spans(text))
    mentions += N._named_groups(text, lex)
    mentions = N._drop_covered(mentions)
    mentions += N._bare_anaphora(text, lex, mentions, titles)
    return N.sort_by_position(mentions)


def test_find_mentions_inlined_name_parts_equal_the_plain_loop(sample_text):
    from kg.extract.names import find_mentions

    lex = load_lexicon()
    pieces = ["铜陵", "海关", "边检站", "与", "和", "、", "该站", "执勤一队", "党支部", "2016年", "口岸", "“", "”",
              "某某", "市", "县委", "公安局", "国务院", "共建", "。", "\n", "甲乙丙丁戊己庚辛壬癸"]
    rng = random.Random(7)
    texts = [sample_text] + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 25))) for _ in range(800)]
    for text in texts:
        assert find_mentions(text, lex) == _find_mentions_plain(text, lex), text


def test_symmetric_link_keys_are_the_sorted_pair():
    from kg.extract.relations import Links

    links = Links()
    links.add("joint_building", "k2", "k10", "甲", 0.9)
    links.add("joint_building", "k10", "k2", "乙", 0.6)
    links.add("member_of", "k3", "k1", "丙", 0.9)
    assert list(links.items) == [("joint_building", "k10", "k2"), ("member_of", "k3", "k1")]
    assert links.items[("joint_building", "k10", "k2")]["evidences"] == ["甲", "乙"]
