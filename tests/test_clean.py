"""Cleaning: widths, pinyin glosses, script, punctuation, white space, furniture lines, metadata."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.boilerplate import classify, load_rules, strip_furniture
from kg.clean import (
    clean_text,
    normalize_chars,
    normalize_punctuation,
    normalize_whitespace,
    strip_pinyin,
    to_simplified,
)
from kg.textmeta import find_source, find_title, parse_date

# --- characters and widths ----------------------------------------------------------------


def test_full_width_letters_and_digits_become_half_width():
    assert normalize_chars("ＡＢＣ１２３ａｂｃ％＋") == "ABC123abc%+"


def test_chinese_full_width_punctuation_is_kept():
    assert normalize_chars("甲，乙：丙；丁（戊）！？") == "甲，乙：丙；丁（戊）！？"


def test_odd_spaces_zero_width_and_controls():
    assert normalize_chars("甲\u3000乙\xa0丙\u200b丁\x07戊\ufeff") == "甲 乙 丙丁戊"


def test_line_ends_normalized():
    assert normalize_chars("甲\r\n乙\r丙\u2029丁") == "甲\n乙\n丙\n丁"


# --- pinyin glosses -----------------------------------------------------------------------


def test_pinyin_with_tone_marks_removed():
    assert strip_pinyin("聯(lián)合行動(dòng)推動(dòng)發(fā)展") == "聯合行動推動發展"


def test_pinyin_with_tone_digits_and_full_width_parentheses_removed():
    assert strip_pinyin("联（lian2）合行动（dong4）") == "联合行动"


def test_full_width_pinyin_letters_removed_after_width_normalization():
    assert clean_text("聯（ｌｉáｎ）建") == "联建"


def test_unmarked_syllables_removed_only_in_glossed_text():
    assert strip_pinyin("我們(men)的(de)聯(lián)建(jiàn)") == "我們的聯建"
    assert strip_pinyin("人工智能(ai)产业") == "人工智能(ai)产业"


@pytest.mark.parametrize("kept", ["检验检疫(CIQ)", "做法(一)", "英文名(Border Inspection)", "见附件(see)", "(lián)在行首"])
def test_ordinary_parentheses_survive(kept):
    assert strip_pinyin(kept) == kept


def test_repeated_glosses_removed_at_once():
    assert strip_pinyin("動(dòng)(dòng)作(zuò)") == "動作"


# --- script -------------------------------------------------------------------------------


def test_traditional_to_simplified():
    assert to_simplified("邊防檢查站與海關聯創聯建黨組織") == "边防检查站与海关联创联建党组织"


# --- punctuation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("甲,乙", "甲，乙"),
        ("来源:新华社", "来源：新华社"),
        ("甲;乙!丙?", "甲；乙！丙？"),
        ("(一)组织联建", "（一）组织联建"),
        ("自贸区(港)建设", "自贸区（港）建设"),
        ("年度(2019)报告", "年度（2019）报告"),
        ("甲 , 乙", "甲 ， 乙"),
        ("18:14", "18:14"),
        ("1,000人", "1,000人"),
        ("http://example.org", "http://example.org"),
        ("see (page 2)", "see (page 2)"),
        ("甲（乙(丙)）", "甲（乙（丙））"),
    ],
)
def test_punctuation_canonical_form(raw, canonical):
    assert normalize_punctuation(raw) == canonical


# --- white space --------------------------------------------------------------------------


def test_whitespace_one_paragraph_per_line():
    assert normalize_whitespace("  甲  乙 \n\n \n\t丙 ， 丁\n") == "甲 乙\n丙，丁"


def test_clean_text_whole_pipeline():
    raw = "  青山邊檢站(zhàn)與海關:簽訂協議,共建(jiàn)\r\n\r\n\u3000\u3000２０２３年（一）\n"
    assert clean_text(raw) == "青山边检站与海关：签订协议，共建\n2023年（一）"


# --- furniture lines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("责任编辑：张三", "label"),
        ("（责编：李四、王五）", "label"),
        ("2021-03-04 10:20:00 来源：某某日报 作者：赵六", "label"),
        ("2019.05.06 来源：某某网", "label"),
        ("标签：党建 联建", "label"),
        ("张三 李四 记者 王五", "byline"),
        ("本报记者 张三 通讯员 李四", "byline"),
        ("实习生 王五", "byline"),
        ("文/张三 图/李四", "byline"),
        ("（记者 张三 通讯员 李四）", "byline"),
        ("分享", "exact"),
        ("【打印】", "exact"),
        ("微信“扫一扫”关注我们", "phrase"),
        ("某某网官方微博", "phrase"),
        ("版权所有 © 2020 某某网", "phrase"),
        ("您现在的位置：首页 > 新闻", "phrase"),
        ("某某网>>党建>>专题", "crumb"),
        ("某某网> 要闻> 正文", "crumb"),
        ("首页 | 新闻 | 图片 | 视频", "links"),
        ("·甲网 ·乙网 ·丙网 ·丁网", "links"),
        ("12", "number"),
        ("2022年3月4日", "date"),
        ("相关阅读", "related"),
    ],
)
def test_furniture_kinds(line, kind):
    assert classify(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "青山边检站与青山海关签订党建联建协议，共建口岸党建圈。",
        "青山市边境管理支队",
        "开拓党建阵地 创新党建品牌",
        "三线·同心党建联盟成立",
        "一、主要做法",
        "记者：请问联建工作从哪里入手，遇到过哪些困难，又是怎样克服的？",
        "时间过得很快，转眼间联建已经走过了五个年头，双方的合作越来越深入。" * 2,
    ],
)
def test_article_lines_are_not_furniture(line):
    assert classify(line) is None


def test_long_link_list_removed():
    line = "| ".join(f"白云{i}县" for i in range(40))
    assert classify(line) == "links"


def test_related_headlines_and_footer_labels_dropped():
    lines = [
        "青山边检站联建纪实",
        "青山边检站与青山海关签订党建联建协议，双方约定定期开展主题党日活动。",
        "双方还建立了联席会议制度。",
        "相关阅读",
        "白云县推进党建联盟建设",
        "某镇党委开展联创活动",
        "友情链接",
        "名家风采",
    ]
    kept = strip_furniture(lines).lines
    assert kept == lines[:3]


def test_lines_repeating_the_outlet_are_dropped():
    assert strip_furniture(["某某日报", "正文一段。"], outlet="某某日报").lines == ["正文一段。"]


def test_rules_come_from_the_data_file(tmp_path):
    import yaml

    from kg.resources import ontology_dir

    data = yaml.safe_load((ontology_dir() / "boilerplate.yaml").read_text(encoding="utf-8"))
    data["labels"].append("特约审读")
    (tmp_path / "boilerplate.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    extended = load_rules(tmp_path / "boilerplate.yaml")
    assert classify("特约审读：张三", extended) == "label"
    assert classify("特约审读：张三") is None
    assert "script" in load_rules().html_drop_tags


# --- metadata -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2022年09月01日18:14", "2022-09-01"),
        ("2022年9月1日", "2022-09-01"),
        ("发布时间：2021-12-31 08:00", "2021-12-31"),
        ("2015.09.12 来源：某网", "2015-09-12"),
        ("2020/2/29", "2020-02-29"),
        ("2021/2/29", None),
        ("二〇二二年十月二十一日", "2022-10-21"),
        ("共有2022人参加", None),
        ("2022-09-01T18:14:00+08:00", "2022-09-01"),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("2023年04月06日09:30 来源：某某日报-某某新闻网", "某某日报-某某新闻网"),
        ("2022-02-23 16:08:00 来源：某某报网 作者：某某", "某某报网"),
        ("（来源：某某日报）", "某某日报"),
        ("发布时间：2023-05-12 09:30 来源：某某县融媒体中心 浏览次数：1024", "某某县融媒体中心"),
        ("来源：某某社 记者 张三", "某某社"),
        ("收入来源多样", None),
    ],
)
def test_find_source(line, outlet):
    assert find_source(line) == outlet


def test_find_title_skips_furniture_and_subtitles():
    lines = ["某某网>>党建>>专题", "——副标题", "青山边检站：警地共建守护边关", "2022年9月1日"]
    assert find_title(lines, lambda line: classify(line) is not None) == "青山边检站：警地共建守护边关"


def test_title_is_not_the_site_name():
    assert find_title(["某某边检资讯网", "青山边检站：警地共建守护边关"], outlet="某某边检资讯") == "青山边检站：警地共建守护边关"
    assert find_title(["某某新闻网", "青山边检站：警地共建守护边关"]) == "青山边检站：警地共建守护边关"


def test_no_title_when_the_article_starts_with_a_paragraph():
    assert find_title(["青山边检站与青山海关签订了党建联建协议。"]) is None


# --- properties ---------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("边检站海关党支部委联建共創聯黨組織與，。、：；！？（）“”《》 \n\t\r,:;!?()-.0123456789abcxyz")
    + ["áng", "ǐ", "ü", "\u3000", "\xa0", "\u200b", "Ａ", "１", "(dòng)", "（lián）", ">>", "|", "·"]
)
_CHINESEISH = st.lists(_ALPHABET, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_clean_functions_never_raise(text):
    for function in (normalize_chars, strip_pinyin, to_simplified, normalize_punctuation, normalize_whitespace, clean_text):
        assert isinstance(function(text), str)
    for line in clean_text(text).split("\n"):
        classify(line)
    parse_date(text)
    find_source(text)


@settings(max_examples=300, deadline=None)
@given(_CHINESEISH)
def test_clean_text_is_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once


@settings(max_examples=200, deadline=None)
@given(_CHINESEISH)
def test_cleaned_text_has_one_paragraph_per_line(text):
    cleaned = clean_text(text)
    assert all(line and line == line.strip() for line in cleaned.split("\n")) or cleaned == ""
    assert "\r" not in cleaned and "  " not in cleaned and "\t" not in cleaned


@pytest.mark.parametrize("module", ["kg.clean", "kg.boilerplate", "kg.textmeta", "kg.encoding", "kg.filetype", "kg.htmltext"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
