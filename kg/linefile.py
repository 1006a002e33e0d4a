"""The resolved JSON (kg.resolve.join_resolved) as bytes: one node's line by key, and a patched copy.

A delta build (kg.delta) reads a few hundred of the previous build's lines
and rewrites as many: splitting and joining the whole 25 MB file would cost
more than the resolution. The state keeps each line's size in bytes, so the
lines are found by position, and unchanged stretches are copied as they are.

>>> from kg.resolve import join_resolved
>>> lines = {"articles": ['"a": 1', '"b": 2'], "decisions": [], "links": [], "organizations": [], "places": []}
>>> order = {"articles": ["a", "b"], "decisions": [], "links": [], "organizations": [], "places": []}
>>> data = join_resolved(lines, []).encode()
>>> found = LineFile(data, order, line_sizes(lines))
>>> found.line("articles", "b")
'"b": 2'
>>> patched = found.patched({**order, "articles": ["a", "c"]}, {"articles": {"b": None, "c": '"c": 3'}}, ["r"])
>>> patched == join_resolved({**lines, "articles": ['"a": 1', '"c": 3']}, ["r"]).encode()
True
"""

from __future__ import annotations

import json
import mmap
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate
from typing import Any

# Sections of the resolved JSON holding one node a line, in the file's (sorted) order.
SECTIONS = ("articles", "decisions", "links", "organizations", "places")


def line_sizes(lines: dict[str, list[str]]) -> dict[str, list[int]]:
    """section -> the size in bytes of each node's line, in the order of ``lines`` (the keys' sorted order).

    Lists of numbers, not a table by key: they load ten times faster, and a
    line is found by its key's position in the state's ``order`` anyway.
    """
    return {section: [len(line.encode("utf-8")) for line in lines[section]] for section in SECTIONS}


def framed(batches: Callable[[str], Iterable[list[bytes]]], report: list[str]) -> Iterator[bytes]:
    r"""The resolved JSON in pieces to write one after the other: each section's lines in its frame.

    ``batches(section)`` gives the section's lines (UTF-8, without separators)
    a list at a time, so a caller can encode them as they are written.

    >>> b"".join(framed(lambda section: [[b'"a": 1'], [b'"b": 2']] if section == "articles" else [], ["r"]))[:32]
    b'{"articles": {\n"a": 1,\n"b": 2\n},'
    """
    for number, section in enumerate(SECTIONS):
        header, closer = _frame(number, section)
        yield header
        pending = None  # the batch before, joined: the section's last line ends with "\n" alone
        for batch in batches(section):
            if batch:
                if pending is not None:
                    yield pending + b",\n"
                pending = b",\n".join(batch)
        if pending is not None:
            yield pending + b"\n"
        yield closer
    yield _report_line(report)


def edit_sorted(keys: list, sizes: list[int], changes: dict[Any, int | None]) -> tuple[list, list[int]]:
    """New copies of ``keys`` (sorted) and ``sizes`` (aligned with them) with ``changes`` (key -> size, None: gone).

    >>> edit_sorted(["a", "c"], [1, 3], {"b": 2, "c": None, "a": 5})
    (['a', 'b'], [5, 2])
    """
    if len(changes) > 64:  # many: rebuild
        table = dict(zip(keys, sizes))
        for key, size in changes.items():
            if size is None:
                table.pop(key, None)
            else:
                table[key] = size
        new = sorted(table)
        return new, [table[key] for key in new]
    keys, sizes = list(keys), list(sizes)
    for key in sorted(changes):
        i = bisect_left(keys, key)
        present = i < len(keys) and keys[i] == key
        size = changes[key]
        if size is None:
            if present:
                del keys[i], sizes[i]
        elif present:
            sizes[i] = size
        else:
            keys.insert(i, key)
            sizes.insert(i, size)
    return keys, sizes


def _frame(number: int, section: str) -> tuple[bytes, bytes]:
    opener, closer = ("[", "]") if section == "links" else ("{", "}")
    return f'{"{" if number == 0 else ""}"{section}": {opener}\n'.encode(), f"{closer},\n".encode()


def _report_line(report: list[str]) -> bytes:
    return f'"report": {json.dumps(list(report), ensure_ascii=False)}}}\n'.encode()


class LineFile:
    """Lines of a resolved JSON (bytes, or the file mapped) by key; raises ValueError when the sizes do not fit."""

    def __init__(self, data: bytes | mmap.mmap, order: dict[str, list], sizes: dict[str, list[int]]):
        self.data, self.order, self.sizes = data, order, sizes
        self.starts: dict[str, list[int]] = {}
        position = 0
        for number, section in enumerate(SECTIONS):
            header, closer = _frame(number, section)
            if data[position:position + len(header)] != header:
                raise ValueError(f"no {section} section where expected")
            position += len(header)
            if len(sizes[section]) != len(order[section]):
                raise ValueError(f"the {section} line sizes do not fit the keys")
            # Each line is followed by ",\n": the starts are running sums (summed in C: 60,000 lines).
            starts = self.starts[section] = list(accumulate(map((2).__add__, sizes[section]), initial=position))
            position = starts.pop()
            if starts:
                position -= 1  # the last line ends with "\n" alone
            if data[position:position + len(closer)] != closer:
                raise ValueError(f"the {section} section does not end where its line sizes say")
            position += len(closer)
        if data[position:position + 10] != b'"report": ':
            raise ValueError("no report where expected")

    def _index(self, section: str, key: Any) -> int | None:
        keys = self.order[section]
        i = bisect_left(keys, key)
        return i if i < len(keys) and keys[i] == key else None

    def line(self, section: str, key: Any) -> str | None:
        """The line of node ``key``, or None when the file has none."""
        i = self._index(section, key)
        if i is None:
            return None
        start = self.starts[section][i]
        return self.data[start:start + self.sizes[section][i]].decode("utf-8")

    def _stretch(self, section: str, first: int, end: int) -> memoryview:
        """Lines first..end-1 as they are in the file (without the ",\n" after the last), not copied."""
        starts = self.starts[section]
        last = end - 1
        return self._view[starts[first]:starts[last] + self.sizes[section][last]]

    def patched(self, order: dict[str, list], changes: dict[str, dict[Any, str | None]], report: list[str]) -> bytes:
        """The file with ``changes`` (key -> new line, None to remove) applied; ``order``: the new keys."""
        return b"".join(self.patched_parts(order, changes, report))

    def patched_parts(self, order: dict[str, list], changes: dict[str, dict[Any, str | None]],
                      report: list[str]) -> list[bytes | memoryview]:
        """:meth:`patched` as pieces to write one after the other: unchanged stretches are views of the old file
        (joining them copied the 25 MB file several times over)."""
        self._view = memoryview(self.data)
        parts: list[bytes | memoryview] = []
        for number, section in enumerate(SECTIONS):
            header, closer = _frame(number, section)
            parts.append(header)
            edits = changes.get(section)
            old = self.order[section]
            if not edits:
                if old:
                    parts += (self._stretch(section, 0, len(old)), b"\n")
                parts.append(closer)
                continue
            body: list[bytes | memoryview] = []  # each line or stretch followed by its ",\n"
            cursor = 0
            for key in sorted(edits):
                i = bisect_left(old, key)
                if i > cursor:
                    body += (self._stretch(section, cursor, i), b",\n")
                present = i < len(old) and old[i] == key
                if edits[key] is not None:
                    body += (edits[key].encode("utf-8"), b",\n")
                cursor = i + 1 if present else i
            if cursor < len(old):
                body += (self._stretch(section, cursor, len(old)), b",\n")
            if len(order[section]) and body:
                body[-1] = b"\n"  # the last line ends with "\n" alone
            parts += body
            parts.append(closer)
        parts.append(_report_line(report))
        return parts
