"""Organization names: normalization, short-form equivalence and match keys.

Two surface forms name the same unit when their match keys are equal:

>>> match_key("铜陵出入境边防检查站") == match_key("銅陵邊檢站")
True
>>> match_key("厦门边检总站") == match_key("东渡边检站")
False

The short-form table is data (``SHORT_FORMS``), completed by the
``short_forms:`` section of ``ontology/lexicon.yaml`` (full form -> short forms).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kg.clean import to_simplified
from kg.wordregex import alternation

# Variant -> the short form every variant is folded to. Folding towards the
# short form is safe because every full form contains more characters than the
# short one, so no folded key can be folded again.
SHORT_FORMS: dict[str, str] = {
    "出入境边防检查总站": "边检总站",
    "边防检查总站": "边检总站",
    "出入境边防检查站": "边检站",
    "边防检查站": "边检站",
    "边防派出所": "边境派出所",
    "边境管理支队": "边管支队",
    "边境管理大队": "边管大队",
    "海事局": "海事",
    "公安局": "公安",
    "人民政府": "政府",
    # A village and its committee are one unit (石门村 = 石门村村委会 = 石门村民委员会).
    "村村民委员会": "村",
    "村民委员会": "村",
    "村村委会": "村",
    "村委会": "村",
    "社区居民委员会": "社区",
    "社区居委会": "社区",
    "居民委员会": "居委会",
    "股份有限公司": "公司",
    "有限责任公司": "公司",
    "有限公司": "公司",
    "国有农场": "农场",
}

# Words that name a kind of unit rather than a particular one. A name made
# only of these (and ordinals) is generic: "执勤一队", "战时党支部", "海关".
UNIT_WORDS = (
    "出入境边防检查总站", "出入境边防检查站", "边防检查站", "边境检查站", "边检总站", "边检站",
    "边境派出所", "边防派出所", "派出所", "边管支队", "边管大队", "边境管理支队", "边境管理大队",
    "支队", "大队", "中队", "分队", "小队", "队", "科", "处", "室", "组", "班", "排", "连", "营", "哨所", "站", "所",
    "党工委", "党委", "党总支", "党支部", "党小组", "支部", "总支", "工委", "委员会", "委",
    "海关", "缉私局", "海事", "海警", "公安", "政府", "人大", "政协", "商会", "协会", "学校", "党校",
    "村委会", "居委会", "社区", "村", "公司", "企业", "局", "办", "会",
    "圈", "带", "群", "联盟",
    "医院", "卫生院", "法院", "检察院", "银行", "小学", "中学", "大学", "学院", "幼儿园", "集团", "农场",
    "合作社", "工作站",
)

# Modifiers that do not identify a unit on their own ("执勤一队" is any station's).
GENERIC_QUALIFIERS = (
    "执勤", "勤务", "战时", "临时", "机关", "联合", "党员", "青年", "综合", "业务", "后勤",
    "警务", "监护", "检查", "查验", "功能型", "流动", "民兵", "应急",
    # Levels without a name (市委, 县公安局, 镇党委 are the article's own city, county, town).
    "省", "市", "州", "盟", "县", "区", "旗", "镇", "乡", "街道", "人民", "中心",
)

_ORDINAL = r"第?[一二三四五六七八九十百零〇两\d]+"

# Unit words that make a part of a larger body; a bare team or branch is named by its parent.
_PART_WORDS = (
    "支队", "大队", "中队", "分队", "小队", "队", "科", "处", "室", "组", "班", "排", "连",
    "党委", "党总支", "党支部", "党小组", "支部", "总支",
)


_BARE_PART = re.compile(
    rf"^(?:{alternation(GENERIC_QUALIFIERS)})*(?:{_ORDINAL})?(?:{alternation(_PART_WORDS)})$"
)
_GENERIC = re.compile(
    rf"^(?:{alternation(GENERIC_QUALIFIERS)}|{_ORDINAL}|{alternation(UNIT_WORDS)})*$"
)
_SPACE_AND_MARKS = re.compile(r"[\s\u200b\u3000\"'“”‘’《》「」『』()（）\[\]【】]+")




@lru_cache(maxsize=1 << 17)
def normalize(name: str) -> str:
    """Simplified script, NFKC width, no white space or quote marks.

    >>> normalize(" 銅陵　邊檢站 ")
    '铜陵边检站'
    """
    text = unicodedata.normalize("NFKC", name)
    text = _SPACE_AND_MARKS.sub("", text)
    return to_simplified(text)


@lru_cache(maxsize=1)
def short_forms() -> dict[str, str]:
    """The variant -> short form table: the lexicon's ``short_forms``, then ``SHORT_FORMS``.

    The lexicon maps a full form to the short forms an article may use; the
    first one of two or more characters is the fold target (one-character
    forms such as 站 or 所 are too loose to join articles). ``SHORT_FORMS``
    wins where both have an entry, and targets are followed to the end
    (村民委员会 → 村委会 → 村), so folding is done in one pass.
    """
    table: dict[str, str] = {}
    for full, shorts in _lexicon_short_forms().items():
        shorts = [shorts] if isinstance(shorts, str) else list(shorts or [])
        target = next((str(x) for x in shorts if len(str(x)) >= 2 and str(x) != str(full)), None)
        if target:
            table[str(full)] = target
    table.update(SHORT_FORMS)
    for variant in table:
        seen = {variant}
        while table[variant] in table and table[variant] not in seen:
            seen.add(table[variant])
            table[variant] = table[table[variant]]
    return table


def _lexicon_short_forms() -> dict:
    try:
        from kg.resources import lexicon_file

        raw = lexicon_file().read_text(encoding="utf-8")
    except (OSError, ImportError, ValueError, AttributeError, TypeError):  # no lexicon: the built-in table
        return {}
    fast = _plain_short_forms(raw)
    if fast is not None:
        return fast
    try:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: the lexicon is large
        data = yaml.load(raw, Loader=loader) or {}
    except (ImportError, ValueError, AttributeError, TypeError):
        return {}
    table = data.get("short_forms") if isinstance(data, dict) else None
    return table if isinstance(table, dict) else {}


# Words of non-ASCII characters only: YAML reads no such plain word as anything but that string.
_BLOCK_ITEM = re.compile(r"  ([^\x00-\x7f\s]+): \[([^\[\]]*)\]")
_LIST_WORD = re.compile(r"[^\x00-\x7f\s]+")


def _plain_short_forms(raw: str) -> dict[str, list[str]] | None:
    """The lexicon's ``short_forms`` block read without YAML, when it is written plainly; else None.

    A rebuild that extracts nothing needs only this block: importing and
    running the YAML parser on the whole lexicon cost more than the rest of
    the name folding. Only ``  word: [word, word]`` lines (comments and
    blank lines aside) are read this way, each word of non-ASCII characters (Chinese);
    anything else (quotes, anchors, nested blocks, a second key) returns
    None and the caller parses the file with YAML as before.

    >>> _plain_short_forms("a: 1\\nshort_forms:\\n  边防检查站: [边检站, 站]\\n\\nb: 2\\n")
    {'边防检查站': ['边检站', '站']}
    >>> _plain_short_forms("short_forms:\\n  站: ['站 ']\\n") is None
    True
    """
    lines = raw.splitlines()
    starts = [i for i, line in enumerate(lines) if line.rstrip() == "short_forms:"]
    if len(starts) != 1 or sum(line.startswith("short_forms") for line in lines) != 1:
        return None
    table: dict[str, list[str]] = {}
    for line in lines[starts[0] + 1:]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            break  # the next top-level key
        found = _BLOCK_ITEM.fullmatch(line.rstrip())
        if found is None or found.group(1) in table:
            return None
        words = [word.strip() for word in found.group(2).split(",")] if found.group(2).strip() else []
        if not all(_LIST_WORD.fullmatch(word) for word in words):
            return None
        table[found.group(1)] = words
    return table


@lru_cache(maxsize=1)
def _fold_pattern() -> re.Pattern[str]:
    return re.compile(alternation(short_forms()))


@lru_cache(maxsize=65536)
def match_key(name: str) -> str:
    """The normalized name with every full form folded to its short form.

    >>> match_key("安徽铜陵出入境边防检查站")
    '安徽铜陵边检站'
    """
    table = short_forms()
    return _fold_pattern().sub(lambda m: table[m.group(0)], normalize(name))


def fullness(name: str) -> int:
    """How many characters of full forms the name spells out (出入境边防检查站 beats 边检站).

    >>> fullness("铜陵出入境边防检查站") > fullness("铜陵边检站")
    True
    """
    return len(normalize(name)) - len(match_key(name))


@lru_cache(maxsize=1 << 16)
def is_bare_part(name: str) -> bool:
    """A team or branch name that needs its parent to identify it.

    >>> is_bare_part("执勤一队"), is_bare_part("美兰边检站执勤一队")
    (True, False)
    """
    return bool(_BARE_PART.match(normalize(name)))


@lru_cache(maxsize=1 << 16)
def is_generic(rest: str) -> bool:
    """True when a name (or a name without its place) has no identifying part.

    >>> is_generic("海关"), is_generic("外高桥边检站"), is_generic("一圈")
    (True, False, True)
    """
    return bool(_GENERIC.match(normalize(rest)))
