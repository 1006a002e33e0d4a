"""kg.tables.render: table, CSV, JSON; terminal safety."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from kg.tables import clean, render

ROWS = [{"name": "甲边检站", "degree": 3, "score": 0.123456789}, {"name": "b", "degree": 10, "score": None}]


def test_table_aligns_wide_characters_and_numbers():
    # 甲边检站 takes 8 terminal columns; numbers are right-aligned.
    assert render(ROWS, "table").splitlines() == [
        "name      degree  score",
        "--------  ------  --------",
        "甲边检站       3  0.123457",
        "b             10",
    ]


def test_columns_pick_and_order():
    out = render(ROWS, "csv", ["degree", "name"])
    assert list(csv.reader(io.StringIO(out))) == [["degree", "name"], ["3", "甲边检站"], ["10", "b"]]


def test_json_is_a_list_of_row_objects_with_raw_values():
    data = json.loads(render(ROWS + [{"name": "x", "score": math.nan}], "json"))
    assert data[0] == {"name": "甲边检站", "degree": 3, "score": 0.123456789}
    assert data[2] == {"name": "x", "score": None}
    assert json.loads(render(ROWS, "json", ["degree"])) == [{"degree": 3}, {"degree": 10}]


def test_lists_and_dicts_are_joined():
    out = render([{"m": ["a", "b"], "t": {"Customs": 2}}], "csv")
    assert out.splitlines()[1] == "a; b,Customs=2"


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_control_and_ansi_sequences_are_stripped(fmt):
    evil = "甲\x1b[31m红\x1b[0m\x1b]0;title\x07\x07\r\n乙\u202e\x9b"
    out = render([{"name": evil}], fmt)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\x9b" not in out
    assert "甲红 乙" in out or "甲红  乙" in out


def test_clean_keeps_text():
    assert clean("甲乙 abc") == "甲乙 abc"


def test_unknown_format():
    with pytest.raises(ValueError):
        render(ROWS, "xml")


def test_empty_rows():
    assert render([], "json") == "[]"
    assert render([], "table", ["a"]).splitlines()[0] == "a"


def test_long_cells_are_shortened_in_tables_only():
    long = "联建" * 50
    table = render([{"s": long}], "table").splitlines()[2]
    assert table.endswith("…") and len(table) == 30
    assert long in render([{"s": long}], "csv")
