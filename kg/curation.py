"""Human curation decisions: load and validate the curation file.

The file is a YAML list of decisions (see docs/curation.md)::

    - same: [铜陵边检站, 安徽铜陵出入境边防检查站]
      judgement: positive
      note: one station, named with and without its province
    - retype: {name: 铜陵口岸党建圈, type: Alliance}

Everything is validated before anything is applied; a bad file raises
``CurationError`` naming the file and line. Applying is done by
``kg.resolve.resolve`` (``same``/``different`` steer the clustering) and by
``kg.curate`` (the other operations, on the resolved graph).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.model import ORG_TYPES, RELATION_TYPES

OPERATIONS = ("same", "different", "rename", "retype", "add_link", "remove_link", "remove")
JUDGEMENTS = ("positive", "negative", "unsure")
OPTIONAL_FIELDS = ("judgement", "note", "by", "date")
DEFAULT_FILE = Path("data/curation.yaml")

# Fields each mapping-valued operation takes: (required, optional).
_MAPPING_FIELDS = {
    "rename": (("from", "to"), ()),
    "retype": (("name", "type"), ()),
    "add_link": (("head", "tail", "type"), ("note",)),
    "remove_link": (("head", "tail", "type"), ()),
}


class CurationError(ValueError):
    """A malformed curation file: the message starts with ``file:line:``."""


@dataclass(frozen=True)
class Decision:
    """One validated decision. ``args`` holds names as written (stripped)."""

    operation: str
    args: tuple[tuple[str, str], ...]  # ordered (field, value) pairs; same/different use "a", "b"
    judgement: str = "positive"
    note: str | None = None
    by: str | None = None
    date: str | None = None
    source: str = "<curation>"
    line: int = 0

    @property
    def arg(self) -> dict[str, str]:
        return dict(self.args)

    @property
    def id(self) -> str:
        """Stable id from what the decision does (notes and authors may be edited freely)."""
        payload = json.dumps([self.operation, list(self.args)], ensure_ascii=False)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:12]

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    def describe(self) -> str:
        """One line a person can read: ``same: 铜陵边检站 = 安徽铜陵边检站``."""
        a = self.arg
        if self.operation in ("same", "different"):
            sign = "=" if self.operation == "same" else "≠"
            return f"{self.operation}: {a['a']} {sign} {a['b']}"
        if self.operation == "rename":
            return f"rename: {a['from']} → {a['to']}"
        if self.operation == "retype":
            return f"retype: {a['name']} → {a['type']}"
        if self.operation in ("add_link", "remove_link"):
            return f"{self.operation}: {a['head']} —{a['type']}→ {a['tail']}"
        return f"remove: {a['name']}"

    @property
    def applies(self) -> bool:
        """Only positive decisions change the graph (a negative ``same`` keeps the pair apart)."""
        return self.judgement == "positive"


@dataclass
class Curation:
    decisions: list[Decision] = field(default_factory=list)
    source: str = "<curation>"

    def of(self, *operations: str) -> list[Decision]:
        return [d for d in self.decisions if d.operation in operations]


def load_curation(path: str | Path) -> Curation:
    """Read and validate a curation file; raises CurationError (with line) on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CurationError(f"{path}: cannot read curation file: {error}") from error
    return parse_curation(text, source=str(path))


def parse_curation(text: str, source: str = "<curation>") -> Curation:
    """Validate YAML text into a Curation.

    >>> parse_curation("- remove: 某某公司").decisions[0].describe()
    'remove: 某某公司'
    """
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        raise CurationError(f"{source}:{line}: YAML syntax error: {error.problem or error}") from error
    except yaml.YAMLError as error:
        raise CurationError(f"{source}: YAML error: {error}") from error
    if root is None:
        return Curation([], source)
    items = _decision_list(root, source)
    decisions = [_decision(node, source) for node in items]
    return Curation(decisions, source)


def _line(node) -> int:
    return node.start_mark.line + 1


def _fail(node, source: str, message: str) -> CurationError:
    return CurationError(f"{source}:{_line(node)}: {message}")


def _decision_list(root, source: str) -> list:
    import yaml

    if isinstance(root, yaml.MappingNode):
        # Also accepted: a mapping with a "decisions:" list (room for a version key later).
        for key, value in root.value:
            if _scalar(key) == "decisions":
                root = value
                break
        else:
            raise _fail(root, source, "expected a list of decisions (or a 'decisions:' key)")
    if isinstance(root, yaml.ScalarNode) and root.value in ("", "null", "~"):
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise _fail(root, source, "expected a list of decisions")
    return list(root.value)


def _scalar(node) -> str | None:
    import yaml

    return node.value if isinstance(node, yaml.ScalarNode) else None


def _text(node, source: str, what: str) -> str:
    value = _scalar(node)
    if value is None or not value.strip():
        raise _fail(node, source, f"{what} must be a non-empty text")
    return value.strip()


def _decision(node, source: str) -> Decision:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        raise _fail(node, source, f"a decision must be a mapping with one of: {', '.join(OPERATIONS)}")
    fields: dict[str, Any] = {}
    for key, value in node.value:
        name = _scalar(key)
        if name is None:
            raise _fail(key, source, "decision keys must be plain words")
        if name in fields:
            raise _fail(key, source, f"'{name}' given twice")
        if name not in OPERATIONS and name not in OPTIONAL_FIELDS:
            raise _fail(key, source, f"unknown field or operation '{name}' (operations: {', '.join(OPERATIONS)})")
        fields[name] = value
    operations = [name for name in fields if name in OPERATIONS]
    if len(operations) != 1:
        found = ", ".join(operations) or "none"
        raise _fail(node, source, f"a decision needs exactly one operation of {', '.join(OPERATIONS)} (found {found})")
    operation = operations[0]
    args = _arguments(operation, fields[operation], source)
    extra = {name: _text(fields[name], source, name) for name in OPTIONAL_FIELDS if name in fields}
    judgement = extra.pop("judgement", "positive")
    if judgement not in JUDGEMENTS:
        raise _fail(fields["judgement"], source, f"judgement must be one of {', '.join(JUDGEMENTS)}, not '{judgement}'")
    note = extra.get("note")
    if operation == "add_link":
        note = dict(args).get("note") or note
        if not note:
            raise _fail(fields[operation], source, "add_link needs a note naming its source")
        args = tuple((k, v) for k, v in args if k != "note")
    return Decision(operation, args, judgement, note, extra.get("by"), extra.get("date"), source, _line(node))


def _arguments(operation: str, node, source: str) -> tuple[tuple[str, str], ...]:
    import yaml

    if operation in ("same", "different"):
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != 2:
            raise _fail(node, source, f"{operation} needs a list of two names: [A, B]")
        a, b = (_text(item, source, f"{operation} name") for item in node.value)
        return (("a", a), ("b", b))
    if operation == "remove":
        return (("name", _text(node, source, "remove")),)
    required, optional = _MAPPING_FIELDS[operation]
    if not isinstance(node, yaml.MappingNode):
        raise _fail(node, source, f"{operation} needs a mapping with {', '.join(required)}")
    values: dict[str, str] = {}
    for key, value in node.value:
        name = _scalar(key)
        if name not in required and name not in optional:
            raise _fail(key, source, f"{operation} has no field '{name}' (fields: {', '.join(required + optional)})")
        values[name] = _text(value, source, f"{operation}.{name}")
    missing = [name for name in required if name not in values]
    if missing:
        raise _fail(node, source, f"{operation} is missing {', '.join(missing)}")
    if operation == "retype" and values["type"] not in ORG_TYPES:
        raise _fail(node, source, f"unknown type '{values['type']}' (types: {', '.join(ORG_TYPES)})")
    if operation in ("add_link", "remove_link") and values["type"] not in RELATION_TYPES:
        raise _fail(node, source, f"unknown relation type '{values['type']}' (types: {', '.join(RELATION_TYPES)})")
    return tuple((name, values[name]) for name in required + optional if name in values)
