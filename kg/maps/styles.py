"""Colours and line styles of the maps, read from ``viz/styles.json``.

The HTML map and the static figure read the same file, so a type keeps its
colour everywhere.

>>> type_style("Customs")["color"]
'#2ca02c'
>>> relation_style("joint_defense")["dashes"]
[10, 5]
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from kg.resources import viz_dir



@lru_cache(maxsize=1)
def load_styles() -> dict[str, Any]:
    """The whole style sheet as a dict (cached: treat it as read-only)."""
    return json.loads((viz_dir() / "styles.json").read_text(encoding="utf-8"))


def type_style(org_type: str | None) -> dict[str, str]:
    styles = load_styles()
    return styles["types"].get(org_type or "", styles["unknown_type"])


def relation_style(relation: str) -> dict[str, Any]:
    styles = load_styles()
    return styles["relations"].get(relation, styles["unknown_relation"])


def community_colour(index: int) -> str:
    """Colour of the community ranked ``index`` by size (0 = largest)."""
    styles = load_styles()
    palette = styles["communities"]
    return palette[index] if 0 <= index < len(palette) else styles["other_community"]["color"]


def primary_relation(relations: list[str]) -> str:
    """The relation that styles a link holding several: the first in the style sheet's order.

    >>> primary_relation(["member_of", "joint_building"])
    'joint_building'
    """
    order = list(load_styles()["relations"])
    known = [r for r in relations if r in order]
    if known:
        return min(known, key=order.index)
    return relations[0] if relations else ""
