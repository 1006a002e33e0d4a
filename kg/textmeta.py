"""Read an article's date, outlet and title from its cleaned text.

>>> find_date("2023年04月06日09:30 来源：某某日报")
'2023-04-06'
>>> find_source("2015.09.12 来源：中国新经济观察 作者：某某")
'中国新经济观察'
>>> find_title(["首页 > 正文", "铸牢国门党建钢铁长城", "2015.09.12"], lambda line: ">" in line)
'铸牢国门党建钢铁长城'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日?"
    r"|(?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))(?!\d)"
)
_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_CN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")

_SOURCE_LABELS = "来源|稿源|信息来源|文章来源|出处"
_STOP_LABELS = "作者|编辑|责编|责任编辑|记者|通讯员|发布|时间|日期|点击|浏览|阅读|字号|分享|打印|来源"
# The outlet ends at the next "label：" (a short word and a colon), a closing bracket or the line end.
_SOURCE = re.compile(
    rf"(?:^|(?<=[\s（(【\[|｜]))(?:{_SOURCE_LABELS})\s*[：:]\s*(?P<value>.+?)"
    rf"(?=\s*(?:{_STOP_LABELS})[^\s：:]{{0,4}}\s*[：:]|\s+[^\s：:]{{1,6}}[：:]|\s+(?:本报)?(?:记者|通讯员|作者|编辑)|\s*[）)】\]|｜]|$)"
)
_TITLE_TRIM = re.compile(r"^[\s【\[]+|[\s】\]]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")

MAX_TITLE_CHARS = 80
MAX_SOURCE_CHARS = 40
SITE_NAME_CHARS = 12
SITE_NAME_ENDINGS = ("网", "网站", "频道", "在线", "客户端")


def parse_date(text: str) -> str | None:
    """The first valid calendar date in ``text`` as ISO ``YYYY-MM-DD``.

    >>> [parse_date(s) for s in ("2022-02-23 16:08", "2015.9.1", "2022/13/01", "二〇二二年九月一日")]
    ['2022-02-23', '2015-09-01', None, '2022-09-01']
    """
    for match in _DATE.finditer(text):
        month = match.group("m1") or match.group("m2")
        day = match.group("d1") or match.group("d2")
        iso = _iso(int(match.group("y")), int(month), int(day))
        if iso:
            return iso
    match = _CN_DATE.search(text)
    if match:
        year = int("".join(_CN_DIGITS[c] for c in match.group(1)))
        return _iso(year, _cn_number(match.group(2)), _cn_number(match.group(3)))
    return None


find_date = parse_date


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _cn_number(text: str) -> int:
    """一..三十一 as an int."""
    if "十" not in text:
        return int(_CN_DIGITS[text[0]])
    tens, _, units = text.partition("十")
    return (int(_CN_DIGITS[tens]) if tens else 1) * 10 + (int(_CN_DIGITS[units]) if units else 0)


def find_source(line: str) -> str | None:
    """The outlet named after ``来源：`` in ``line``, or None."""
    match = _SOURCE.search(line)
    if not match:
        return None
    value = match.group("value").strip(" ，。；、-—")
    if not value or len(value) > MAX_SOURCE_CHARS or not re.search(r"\w", value):
        return None
    return value


def find_title(
    lines: Sequence[str], is_furniture: Callable[[str], bool] = lambda line: False, outlet: str | None = None
) -> str | None:
    """The headline: the first short line with Chinese text that is not furniture, a date, a
    subtitle or the site's name (the outlet, or a short "…网" line).

    Returns None when the article starts straight with a paragraph.

    >>> find_title(["某某边检网", "边检站与海关共建党建圈"])
    '边检站与海关共建党建圈'
    """
    for line in lines:
        if is_furniture(line) or line.startswith(("——", "--")) or _is_site_name(line, outlet):
            continue
        if len(_CJK.findall(line, 0, MAX_TITLE_CHARS + 1)) < 4:
            continue
        if len(line) > MAX_TITLE_CHARS or line.endswith("。"):
            return None
        return _TITLE_TRIM.sub("", line) or None
    return None


def _is_site_name(line: str, outlet: str | None) -> bool:
    if outlet and line.startswith(outlet) and len(line) - len(outlet) <= 2:
        return True
    return len(line) <= SITE_NAME_CHARS and line.endswith(SITE_NAME_ENDINGS)
