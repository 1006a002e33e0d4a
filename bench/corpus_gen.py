"""Scaled corpus: N articles made from the sample corpus by substituting places and unit names.

Method (see bench/README.md, "Build and scale"):

1. Every sample article (``data/corpus``) is read with ``kg.ingest`` (clean,
   simplified text, title, date, outlet): it becomes a template.
2. In each template, the place names are found: the administrative divisions
   cpca knows (full or short forms: 铜陵市 / 铜陵, 江苏) and the made-up stems
   of invented places (a two-character stem written at least twice and at
   least once before an administrative or settlement word: 市, 县, 镇, 村, 港 …).
3. Each generated article takes a template (round robin) and draws, for every
   distinct place of the template, a real division of the same level from
   cpca's table (seeded): a city inside the province drawn for its province,
   a county inside the drawn city, and county stems for invented places. The
   draws follow a Zipf law (weight 1/rank^0.8 over a seeded shuffle), so a few
   places recur: the same unit then appears in several articles and its links
   accumulate, while most units are new — the graph grows as a real one does.
4. Full names map to full names and short forms to short forms; the date
   line gets a random date (2015–2025). An article whose text repeats an
   earlier one is drawn again.

    .venv/bin/python bench/corpus_gen.py 1000 /tmp/corpus-1k --seed 1
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "corpus"

ZIPF_EXPONENT = 0.8
# Short forms of divisions that are also common words (合作市 → 合作): never treated as places.
COMMON_WORDS = frozenset({"合作", "城区", "郊区", "矿区", "新区", "县", "市辖区", "白云", "和平", "长安", "新华", "中山"})
# Words after which a two-character stem is the name of a place.
PLACE_WORDS = "市|县|区|镇|乡|村|港|旗|嘎查|街道|社区|口岸"
_STEM = re.compile(rf"([\u4e00-\u9fff]{{2}})(?={PLACE_WORDS})")
# Stems the pattern finds that are words, not names.
NOT_STEMS = frozenset({"边境", "辖区", "驻地", "进出", "行政", "一线", "贸易", "城市", "农村", "乡村", "社区", "渔港",
                       "口岸", "全市", "全县", "该市", "该县", "本市", "本县", "各村", "城乡", "沿边", "边疆"})


@dataclass
class Gazetteer:
    """cpca's divisions by level, each list in a seeded order with Zipf weights."""

    by_level: dict[int, list[str]]  # rank (0 province, 1 city, 2 county) -> adcodes
    names: dict[str, str]  # adcode -> full name
    children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, rng: random.Random) -> Gazetteer:
        import cpca

        names, by_level, children = {}, {0: [], 1: [], 2: []}, {}
        for info in cpca.ad_2_addr_dict.values():
            if info.name in COMMON_WORDS or len(info.name) < 2:
                continue
            names[info.adcode] = info.name
            by_level[info.rank].append(info.adcode)
        for level in by_level.values():
            level.sort()
            rng.shuffle(level)
        for code in by_level[1] + by_level[2]:
            parent = code[:2] + "0000" if code.endswith("00") else code[:4] + "00"
            children.setdefault(parent, []).append(code)
        return cls(by_level, names, children)

    @staticmethod
    def short(name: str) -> str:
        import cpca

        return cpca.matcher._abbr_name(name)

    def draw(self, rng: random.Random, level: int, parent: str | None = None) -> str:
        pool = self.children.get(parent, []) if parent else []
        pool = [code for code in pool if (code.endswith("00") == (level == 1))] or self.by_level[level]
        weights = _zipf(len(pool))
        return rng.choices(pool, cum_weights=weights)[0]


_ZIPF_CACHE: dict[int, list[float]] = {}


def _zipf(size: int) -> list[float]:
    if size not in _ZIPF_CACHE:
        _ZIPF_CACHE[size] = list(accumulate(1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(size)))
    return _ZIPF_CACHE[size]


@dataclass
class Template:
    """A sample article and the place names in it."""

    name: str
    title: str
    source: str
    text: str
    places: dict[str, tuple[str, bool]]  # written form -> (adcode, is the full name)
    stems: list[str]  # stems of invented places
    pattern: re.Pattern[str]


def load_templates(folder: Path = SAMPLE) -> list[Template]:
    import cpca

    from kg.ingest import SkipFile, read_article

    templates = []
    for path in sorted(folder.iterdir()):
        try:
            article = read_article(path)
        except SkipFile:
            continue
        text = article.text
        places: dict[str, tuple[str, bool]] = {}
        for match in cpca.matcher.iter(text):
            info = match.attr_infos[0]
            written = match.origin_value
            if written in COMMON_WORDS or len(written) < 2 or info.name in COMMON_WORDS:
                continue
            places.setdefault(written, (info.adcode, written == info.name))
        # A county's short form (同江 of 同江市) is too often part of a word (同江苏): kept only beside its full name.
        full_names = {written for written, (_, full) in places.items() if full}
        places = {written: (code, full) for written, (code, full) in places.items()
                  if full or not _is_county(code) or any(name.startswith(written) for name in full_names)}
        stems = sorted(
            {stem for stem in _STEM.findall(text)
             if stem not in NOT_STEMS and stem not in places and text.count(stem) >= 2
             and not any(stem in written for written in places)}
        )
        words = sorted({*places, *stems}, key=lambda w: (-len(w), w))
        if not words:
            continue  # nothing to vary: every copy would be the same article
        pattern = re.compile("|".join(map(re.escape, words)))
        templates.append(Template(path.name, article.title or "", article.source or "", text, places, stems, pattern))
    return templates


def _is_county(code: str) -> bool:
    return not code.endswith("00")


def _county_stem(gazetteer: Gazetteer, rng: random.Random) -> str:
    name = gazetteer.names[gazetteer.draw(rng, 2)]
    return name[:2]


def generate_one(template: Template, gazetteer: Gazetteer, rng: random.Random) -> str:
    """One article's text: the template with its places drawn again."""
    mapped: dict[str, str] = {}  # template adcode -> drawn adcode
    for code in sorted({code for code, _ in template.places.values()}, key=lambda c: (c.endswith("0000") is False,
                                                                                          c.endswith("00") is False, c)):
        level = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
        parent = None
        if level == 1:
            parent = mapped.get(code[:2] + "0000")
        elif level == 2:
            parent = mapped.get(code[:4] + "00") or mapped.get(code[:2] + "0000")
        mapped[code] = gazetteer.draw(rng, level, parent)
    replacement: dict[str, str] = {}
    for written, (code, full) in template.places.items():
        name = gazetteer.names[mapped[code]]
        replacement[written] = name if full else gazetteer.short(name)
    for stem in template.stems:
        replacement[stem] = _county_stem(gazetteer, rng)
    substitute = lambda m: replacement[m.group()]  # noqa: E731
    title = template.pattern.sub(substitute, template.title)
    body = template.pattern.sub(substitute, template.text)
    if body.startswith(title):
        body = body[len(title):].lstrip("\n")
    date = f"{rng.randint(2015, 2025)}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日"
    source = f" 来源：{template.source}" if template.source else ""
    return f"{title}\n{date}{source}\n\n{body}\n"


def generate(count: int, out: Path, *, seed: int = 1, sample: Path = SAMPLE, start: int = 0) -> list[Path]:
    """Write ``count`` articles into ``out`` (numbered from ``start``); returns their paths."""
    gazetteer = Gazetteer.load(random.Random(seed))
    templates = load_templates(sample)
    if not templates:
        raise SystemExit(f"no usable template in {sample}")
    rng = random.Random(f"{seed}:{start}")
    out.mkdir(parents=True, exist_ok=True)
    seen: set[bytes] = set()
    paths = []
    for number in range(start, start + count):
        template = templates[number % len(templates)]
        for _ in range(50):
            text = generate_one(template, gazetteer, rng)
            digest = hashlib.sha1(text.encode("utf-8")).digest()
            if digest not in seen:
                break
        seen.add(digest)
        path = out / f"{number:06d}_{Path(template.name).stem}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many articles")
    parser.add_argument("out", type=Path, help="folder to write them into")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="number of the first article (to add to a corpus)")
    args = parser.parse_args(argv)
    paths = generate(args.count, args.out, seed=args.seed, start=args.start)
    print(f"wrote {len(paths)} articles to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
