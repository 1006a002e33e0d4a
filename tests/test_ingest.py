"""Reading article files: encodings, HTML, furniture and metadata, and every kind of bad input."""

from __future__ import annotations

import codecs
import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.encoding import chinese_score, decode
from kg.ingest import SkipFile, article_from_bytes, read_article
from kg.model import Article

# Made-up article: fictional places and units, in the shape of a news page.
HEADLINE = "青山边检站：党建共建凝聚口岸合力 携手守边"
BODY = [
    "今年以来，青山出入境边防检查站与青山海关、白云县公安局签署结对共建协议，合力打造“青山口岸党建联盟”。",
    "三家单位每月轮流牵头开展联合巡逻和主题党日，党建工作与执法业务相互促进。",
]
ARTICLE = "\n".join(
    [
        "某某新闻网>>党建>>专题",
        "分享",
        HEADLINE,
        "2023年04月06日09:30    来源：某某日报-某某新闻网",
        *BODY,
        "（责编：张三、李四）",
        "微信“扫一扫”关注我们",
    ]
)
CLEAN_BODY = "\n".join([HEADLINE, *BODY])


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def skip_reason(path: Path, **kwargs) -> str:
    with pytest.raises(SkipFile) as caught:
        read_article(path, **kwargs)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


# --- metadata and furniture ---------------------------------------------------------------


def test_plain_article_metadata_and_furniture(tmp_path):
    article = read_article(write(tmp_path, "a.txt", ARTICLE))
    assert isinstance(article, Article)
    assert article.text == CLEAN_BODY
    assert (article.title, article.date, article.source) == (HEADLINE, "2023-04-06", "某某日报-某某新闻网")
    assert article.file_name == "a.txt" and article.encoding == "utf-8" and article.warnings == []
    assert len(article.sha256) == 64


def test_sha256_is_of_the_raw_bytes(tmp_path):
    import hashlib

    data = ARTICLE.encode("gb18030")
    assert read_article(write(tmp_path, "a.txt", data)).sha256 == hashlib.sha256(data).hexdigest()


def test_traditional_article_with_pinyin_glosses(tmp_path):
    raw = "青山市：推進(jìn)“三聯行動(dòng)”帶動(dòng)黨建\n2021-06-17 08:05:00 來(lái)源:鄉(xiāng)村報(bào)網(wǎng) 作者:某某\n1\n鄉(xiāng)村報(bào)網(wǎng)\n微信公眾號(hào)\n青山邊檢站與海關聯(lián)建。"
    article = read_article(write(tmp_path, "t.txt", raw))
    assert article.title == "青山市：推进“三联行动”带动党建"
    assert article.date == "2021-06-17"
    assert article.source == "乡村报网"
    assert article.text == "青山市：推进“三联行动”带动党建\n青山边检站与海关联建。"


SAVED_PAGE = """首页 > 新闻中心 > 基层动态
【字体：大 中 小】【打印】【关闭】
白云县边境派出所与石桥村党支部结对共建
发布时间：2023-05-12 09:30:21 来源：白云县融媒体中心 浏览次数：1024
分享到：
\u3000\u3000本报讯（记者 赵某 通讯员 钱某）5月10日，白云县边境派出所与石桥村党支部签订结对共建协议。
\u3000\u3000据了解，今年以来，该所先后与辖区5个村党支部开展联建活动。
（完）
责任编辑：孙某
上一篇：白云县召开党建工作会议
下一篇：石桥村开展主题党日活动
相关新闻
白云县公安局开展警民共建活动
某某镇党委召开联席会议
主办：白云县人民政府办公室 承办：白云县大数据中心
网站标识码：1234567890 某ICP备12345678号
联系电话：0000-1234567
Copyright © 2023 All Rights Reserved
"""


def test_page_saved_as_text_from_a_browser(tmp_path):
    article = read_article(write(tmp_path, "saved.txt", SAVED_PAGE))
    assert (article.title, article.date, article.source) == (
        "白云县边境派出所与石桥村党支部结对共建",
        "2023-05-12",
        "白云县融媒体中心",
    )
    assert article.text.split("\n") == [
        "白云县边境派出所与石桥村党支部结对共建",
        "本报讯（记者 赵某 通讯员 钱某）5月10日，白云县边境派出所与石桥村党支部签订结对共建协议。",
        "据了解，今年以来，该所先后与辖区5个村党支部开展联建活动。",
    ]


def test_article_without_header_has_no_title(tmp_path):
    article = read_article(write(tmp_path, "b.txt", BODY[0]))
    assert article.title is None and article.date is None and article.source is None
    assert article.text == BODY[0]


# --- encodings ----------------------------------------------------------------------------

SIMPLIFIED = "\n".join([HEADLINE, *BODY])
TRADITIONAL = "青山邊檢站：黨建共建凝聚合力\n去年以來，青山出入境邊防檢查站聯合青山海關舉辦黨課，雙方還結對組建了“青山關檢黨建聯盟”。"
TRADITIONAL_CLEAN = "青山边检站：党建共建凝聚合力\n去年以来，青山出入境边防检查站联合青山海关举办党课，双方还结对组建了“青山关检党建联盟”。"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "utf-16-be"),
        (SIMPLIFIED.encode("utf-16-le"), "utf-16-le"),
        (SIMPLIFIED.encode("utf-16-be"), "utf-16-be"),
        (SIMPLIFIED.encode("gbk"), "gb18030"),
        (SIMPLIFIED.encode("gb18030"), "gb18030"),
        (codecs.BOM_UTF32_LE + SIMPLIFIED.encode("utf-32-le"), "utf-32-le"),
    ],
)
def test_encodings_of_simplified_text(tmp_path, data, encoding):
    article = read_article(write(tmp_path, "a.txt", data))
    assert article.text == SIMPLIFIED
    assert article.encoding.replace("_", "-") == encoding


@pytest.mark.parametrize("codec", ["big5", "cp950", "utf-8", "utf-16-le", "gb18030"])
def test_encodings_of_traditional_text(tmp_path, codec):
    article = read_article(write(tmp_path, "t.txt", TRADITIONAL.encode(codec)))
    assert article.text == TRADITIONAL_CLEAN


@pytest.mark.parametrize(
    ("text", "codec"),
    [("党建联建", "gbk"), ("黨建聯建", "big5"), ("边检站与海关共建", "gbk"), ("邊檢站與海關共建", "big5"), ("联(lián)建", "gbk")],
)
def test_short_chinese_texts_are_not_confused(text, codec):
    assert decode(text.encode(codec)).text == text


def test_chinese_score_prefers_real_chinese():
    for text, wrong in (("我们的党建工作", "big5"), ("我們的黨建工作", "gbk")):
        garbled = text.encode("gbk" if wrong == "big5" else "big5").decode(wrong, errors="replace")
        assert chinese_score(text) > chinese_score(garbled)


def test_invalid_utf8_in_the_middle_keeps_the_article(tmp_path):
    data = SIMPLIFIED.encode("utf-8")
    middle = len(data) // 2
    data = data[:middle] + b"\xff\xfe\xc3" + data[middle:]
    article = read_article(write(tmp_path, "broken.txt", data))
    assert article.encoding == "utf-8"
    assert article.warnings and "replaced" in article.warnings[0]
    assert article.text.startswith(HEADLINE) and article.text.endswith(BODY[-1])


def test_invalid_bytes_splitting_a_character_of_a_short_article(tmp_path):
    data = SIMPLIFIED.encode("utf-8")[:100]
    data = data[:31] + b"\xff\xfe" + data[31:]  # 31 is inside a three-byte character
    article = read_article(write(tmp_path, "short.txt", data))
    assert article.encoding == "utf-8" and article.warnings
    assert article.text.startswith(HEADLINE[:10])


@pytest.mark.parametrize("codec", ["gbk", "big5"])
def test_chinese_codecs_are_not_taken_for_damaged_utf8(codec):
    text = TRADITIONAL if codec == "big5" else SIMPLIFIED
    decoded = decode(text.encode(codec))
    assert decoded.text == text and not decoded.warnings


def test_html_declared_charset_is_used(tmp_path):
    page = f'<html><head><meta charset="gb2312"><title>{HEADLINE}</title></head><body><p>{BODY[0]}</p></body></html>'
    article = read_article(write(tmp_path, "p.html", page.encode("gb18030")))
    assert article.encoding == "gb18030"
    assert BODY[0] in article.text


# --- HTML ---------------------------------------------------------------------------------

PAGE = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta property="og:title" content="{HEADLINE}">
<meta name="PubDate" content="2021-07-22 09:30">
<meta name="ContentSource" content="某某日报">
<title>{HEADLINE}_某某网</title>
<style>.x::after {{ content: "隐身边检站与隐身海关联建"; }}</style>
<script>var partner = "脚本边检站"; document.write("脚本海关共建");</script>
</head><body>
<header><a href="/">首页</a> 导航边检站</header>
<nav><a>新闻</a> | <a>党建</a></nav>
<div class="breadcrumb">首页 &gt; 党建 &gt; 正文</div>
<div class="article">
<h1>{HEADLINE}</h1>
<p>今年以来，青山出入境边防检查站与<a href="#">青山海关</a>、<b>白云县公安局</b>签署结对共建协议。</p>
<p>三家单位轮流开展联合巡逻，<span>共上党课</span>、共过党日。<br>第二行内容。</p>
<noscript>无脚本边检站</noscript>
<div class="share-bar">分享到：微信 微博</div>
<iframe src="x"></iframe>
</div>
<aside>侧栏边检站</aside>
<div id="footer">版权所有 某某网 页脚海关</div>
<footer>页脚边检站</footer>
<script type="application/ld+json">{{"name": "数据海关"}}</script>
</body></html>"""


def test_html_text_without_scripts_styles_and_navigation(tmp_path):
    article = read_article(write(tmp_path, "page.html", PAGE))
    for hidden in ("隐身", "脚本", "导航", "侧栏", "页脚", "无脚本", "数据海关", "分享到", "首页"):
        assert hidden not in article.text
    assert article.text.split("\n") == [
        HEADLINE,
        "今年以来，青山出入境边防检查站与青山海关、白云县公安局签署结对共建协议。",
        "三家单位轮流开展联合巡逻，共上党课、共过党日。",
        "第二行内容。",
    ]
    assert (article.title, article.date, article.source) == (HEADLINE, "2021-07-22", "某某日报")


def test_html_is_sniffed_in_a_txt_file(tmp_path):
    article = read_article(write(tmp_path, "saved.txt", PAGE))
    assert "脚本" not in article.text and "青山海关" in article.text


def test_html_metadata_from_text_when_no_meta(tmp_path):
    page = f"<html><body><h1>{HEADLINE}</h1><div>2020年5月6日 来源：某某晚报</div><p>{BODY[0]}</p></body></html>"
    article = read_article(write(tmp_path, "p.htm", page))
    assert (article.title, article.date, article.source) == (HEADLINE, "2020-05-06", "某某晚报")
    assert article.text == f"{HEADLINE}\n{BODY[0]}"


def test_nested_furniture_removed_once(tmp_path):
    nested = "".join(
        f'<div class="top"><div class="nav"><span id="share">导航{i}</span></div></div><p>第{i}段正文。</p>' for i in range(50)
    )
    page = f"<html><body><header><nav>页头导航</nav></header>{nested}<footer><aside>页脚</aside></footer></body></html>"
    article = read_article(write(tmp_path, "nested.html", page))
    assert article.text.split("\n") == [f"第{i}段正文。" for i in range(50)]


def test_html_title_without_site_name(tmp_path):
    page = f"<html><head><title>{HEADLINE} - 某某网</title></head><body><p>{BODY[0]}</p></body></html>"
    article = read_article(write(tmp_path, "t.html", page))
    assert article.title == HEADLINE and article.text.split("\n")[0] == HEADLINE


def test_html_escapes_are_text_not_markup(tmp_path):
    page = "<html><body><p>青山边检站 &lt;script&gt;alert(1)&lt;/script&gt; 与海关共建。</p></body></html>"
    article = read_article(write(tmp_path, "p.html", page))
    assert "<script>" in article.text  # shown as text; whoever displays it must escape it


# --- bad input ----------------------------------------------------------------------------


def test_empty_file(tmp_path):
    assert skip_reason(write(tmp_path, "empty.txt", b"")) == "empty file"


def test_blank_file_has_no_text(tmp_path):
    assert skip_reason(write(tmp_path, "blank.txt", " \n\u3000\r\n分享\n")) == "no text left after cleaning"


def test_random_binary_named_txt(tmp_path):
    data = random.Random(7).randbytes(4096)
    assert skip_reason(write(tmp_path, "random.txt", data)).startswith("not text")


def test_zero_bytes(tmp_path):
    assert skip_reason(write(tmp_path, "zeros.txt", b"\x00" * 1000)).startswith("not text")


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
    ],
)
def test_non_text_formats_by_magic(tmp_path, head, kind):
    reason = skip_reason(write(tmp_path, "x.txt", head + bytes(range(256))))
    assert reason.startswith("not text") and kind in reason


def test_oversize_file_refused_by_limit(tmp_path):
    path = write(tmp_path, "big.txt", SIMPLIFIED * 10)
    assert "limit" in skip_reason(path, max_bytes=100)
    assert read_article(path, max_bytes=None).text


def test_huge_file_refused_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(200_000_000)  # sparse: no disk space used

    def no_open(*args, **kwargs):
        raise AssertionError("a file above the limit must not be opened")

    monkeypatch.setattr(os, "open", no_open)
    reason = skip_reason(path)
    assert "50,000,000-byte limit" in reason and "200,000,000" in reason


def test_single_long_line(tmp_path):
    line = "青山边检站与青山海关开展联建活动，" * 60_000  # about 1 M characters on one line
    article = read_article(write(tmp_path, "long.txt", line))
    assert len(article.text) == len(line) and "\n" not in article.text


def test_missing_path(tmp_path):
    assert skip_reason(tmp_path / "nope.txt") == "no such file"


def test_dangling_symlink(tmp_path):
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    assert skip_reason(link) == "no such file"


def test_symlink_loop(tmp_path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    assert skip_reason(tmp_path / "a.txt") == "symlink loop"


def test_fifo_is_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert skip_reason(tmp_path / "pipe.txt") == "not a regular file"


def test_directory(tmp_path):
    assert skip_reason(tmp_path) == "a directory"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "secret.txt", ARTICLE)
    path.chmod(0)
    try:
        assert skip_reason(path) == "permission denied"
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.txt", ARTICLE)

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "open", denied)
    assert skip_reason(path) == "permission denied"


def test_article_from_bytes_without_a_file():
    article = article_from_bytes(ARTICLE.encode("utf-8"), path="memory/a.txt")
    assert article.file_name == "a.txt" and article.text == CLEAN_BODY


# --- the development corpus ---------------------------------------------------------------

_TRADITIONAL_ONLY = re.compile("[們來這個國會時為說對動學與過還進發經點開關現長問門見業東產當義黨聯邊檢區]")
_PINYIN_GLOSS = re.compile(r"[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]")


def test_development_corpus(shared_dir):
    files = sorted((shared_dir / "corpus").glob("*.txt"))
    assert files
    articles = [read_article(path) for path in files]
    for article in articles:
        assert article.title, article.file_name
        assert not _TRADITIONAL_ONLY.search(article.text), article.file_name
        assert not _PINYIN_GLOSS.search(article.text), article.file_name
        assert "责编" not in article.text and "扫一扫" not in article.text, article.file_name
        assert "\n\n" not in article.text
    dated = [a for a in articles if a.date]
    sourced = [a for a in articles if a.source]
    assert len(dated) >= len(articles) // 2 and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", a.date) for a in dated)
    assert len(sourced) >= len(articles) // 2 and all(len(a.source) <= 40 for a in sourced)


# --- properties ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_give_an_article_or_a_reason(data):
    try:
        article = article_from_bytes(data, path="x.txt")
    except SkipFile as skip:
        assert skip.reason
    else:
        assert article.text and not _CONTROL.search(article.text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=500), st.sampled_from(["x.txt", "x.html"]))
def test_any_text_gives_clean_lines_without_terminal_escapes(text, name):
    try:
        article = article_from_bytes(text.encode("utf-8", errors="surrogatepass"), path=name)
    except SkipFile:
        return
    assert "\x1b" not in article.text and "\r" not in article.text
    assert all(line and line == line.strip() for line in article.text.split("\n"))
    assert article.title is None or "\n" not in article.title


def test_docstring_examples():
    import doctest

    import kg.ingest

    result = doctest.testmod(kg.ingest)
    assert result.failed == 0 and result.attempted > 0
