"""Small views of extract() output used by the extraction tests."""

from __future__ import annotations

from pathlib import Path

from kg.extract import extract
from kg.ingest import SkipFile, read_article


def entities(text: str) -> dict[str, dict]:
    """Entities by name."""
    return {e["name"]: e for e in extract(text)["entities"]}


def names(text: str) -> set[str]:
    return set(entities(text))


def relations(text: str) -> set[tuple[str, str, str]]:
    """(head name, type, tail name); symmetric types with the two names sorted."""
    out = extract(text)
    by_id = {e["id"]: e["name"] for e in out["entities"]}
    found = set()
    for r in out["relations"]:
        head, tail = by_id[r["head"]], by_id[r["tail"]]
        if r["type"] in ("joint_building", "joint_defense", "cooperation"):
            head, tail = sorted((head, tail))
        found.add((head, r["type"], tail))
    return found


def link(a: str, type_: str, b: str) -> tuple[str, str, str]:
    """The key relations() uses for a link."""
    if type_ in ("joint_building", "joint_defense", "cooperation"):
        a, b = sorted((a, b))
    return (a, type_, b)


def article_texts(folder: Path) -> list[str]:
    """The cleaned text of every readable article in ``folder``, in file-name order."""
    texts = []
    for path in sorted(folder.iterdir()):
        try:
            texts.append(read_article(path).text)
        except SkipFile:
            continue
    return texts
