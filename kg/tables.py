"""Render rows (a list of dicts) as a terminal table, CSV or JSON.

Cells can hold article-derived text, so table and CSV output strip ANSI escape
sequences and control characters: a crafted sentence must not be able to move
the cursor, recolour or clear the user's terminal.

>>> print(render([{"name": "铜陵边检站", "degree": 3}], "table"))
name        degree
----------  ------
铜陵边检站       3
"""

from __future__ import annotations

import json
import math
import re
import unicodedata

TYPE_CHECKING = False  # `kg query` imports this module at every start: typing costs 3 ms of CPU
if TYPE_CHECKING:
    from typing import Any

FORMATS = ("table", "csv", "json")

# CSI / OSC / other ESC sequences first, then any remaining control or format
# character (C0, DEL, C1, bidi overrides such as U+202E).
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def clean(text: str) -> str:
    """Make one cell safe and single-line for a terminal.

    >>> clean("a\\x1b[31mred\\x1b[0m\\nline")
    'ared line'
    """
    text = _ANSI.sub("", text)
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            continue
        else:
            out.append(ch)
    return "".join(out)


# Characters json.dumps(ensure_ascii=False) writes raw that a terminal acts on: C1 controls (U+009B
# starts a CSI sequence like ESC [), bidi overrides and other format characters, line separators.
# Every one is non-printable (str.isprintable; tests/test_cli_fast_query.py checks it). A pattern, not
# compiled here: most answers never need it (see json_text).
_JSON_UNSAFE = (
    "[\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0001-\U000e007f]"
)


def json_text(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` keeping Chinese readable, with terminal-active characters as ``\\u`` escapes.

    Lossless (a JSON parser gives the same strings back) and safe to print.

    >>> json_text(["铜陵\u202e", "\x9b2J"])
    '["铜陵\\\\u202e", "\\\\u009b2J"]'
    """
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    # Text with only printable characters (line breaks aside: indentation) holds none of them: that
    # test runs in C at about 3.5 ns a character, the search at about 7 (bench/README.md).
    if text.replace("\n", " ").isprintable():
        return text
    # Such characters only occur inside JSON strings, where an escape means the same character.
    return re.sub(_JSON_UNSAFE, lambda m: json.dumps(m.group(0))[1:-1], text)


def _cell(value: Any, precise: bool = False) -> str:
    """One value as text: floats rounded for reading in a table, exact (``precise``) in CSV/TSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return repr(value) if precise else f"{value:.6g}"
    if isinstance(value, (list, tuple, set)):
        return "; ".join(_cell(v, precise) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_cell(k, precise)}={_cell(v, precise)}" for k, v in value.items())
    return clean(str(value))


def _width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


MAX_CELL = 60  # display columns of one table cell; longer text ends with "…" (CSV and JSON keep it whole)


def _shorten(text: str, limit: int = MAX_CELL) -> str:
    if _width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = _width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _columns(rows: list[dict], columns: list[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    return value


def render(rows: list[dict], fmt: str, columns: list[str] | None = None) -> str:
    """Format ``rows`` as ``table``, ``csv`` or ``json`` (a list of row objects).

    ``columns`` picks and orders the keys; by default every key, in first-seen order
    (JSON: each row's own keys). JSON keeps the text as it is (json escapes control
    characters); NaN and infinities become null.

    >>> render([{"a": 1, "b": "x"}], "csv")
    'a,b\\r\\n1,x\\r\\n'
    >>> render([{"a": 1, "b": "x"}], "json", ["b"])
    '[\\n  {\\n    "b": "x"\\n  }\\n]'
    """
    if fmt == "json":
        if columns is None:  # each row keeps its own keys
            return json_text([_json_safe(row) for row in rows], indent=2)
        picked = [{c: _json_safe(row.get(c)) for c in columns} for row in rows]
        return json_text(picked, indent=2)
    cols = _columns(rows, columns)
    if fmt in ("csv", "tsv"):  # tsv: what `kg query --format tsv` offers
        import csv  # here: `kg query` imports this module at every start, mostly for other formats
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t" if fmt == "tsv" else ",")
        writer.writerow([clean(c) for c in cols])
        for row in rows:
            writer.writerow([_cell(row.get(c), precise=True) for c in cols])
        return buffer.getvalue()
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    header = [clean(c) for c in cols]
    body = [[_shorten(_cell(row.get(c))) for c in cols] for row in rows]
    numeric = [
        all(isinstance(row.get(c), (int, float)) and not isinstance(row.get(c), bool) for row in rows if row.get(c) is not None)
        and any(row.get(c) is not None for row in rows)
        for c in cols
    ]
    widths = [max([_width(h)] + [_width(line[i]) for line in body]) for i, h in enumerate(header)]
    lines = [
        "  ".join(_pad(h, widths[i], False) for i, h in enumerate(header)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for line in body:
        lines.append("  ".join(_pad(v, widths[i], numeric[i]) for i, v in enumerate(line)).rstrip())
    return "\n".join(lines)
