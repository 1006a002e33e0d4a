"""Resolve 该站 / 该所 / 该队 / 本站 … to the nearest compatible antecedent.

Compatibility comes from the lexicon: 该站 needs an antecedent whose name ends
with 站, 该所 one ending with 所, and so on. The nearest earlier mention wins,
so a new full name (a new story in an interleaved article) switches the
antecedent. When nothing precedes (a story whose full name only appears in
a headline further down), the nearest following mention is used.

>>> from kg.extract.names import Mention
>>> a = Mention(0, 5, "木康边境检查站", "BorderInspection", "org", entity="e1")
>>> b = Mention(9, 11, "", "", "anaphor", anaphor="该站")
>>> Antecedents([a, b], {"该站": ("站",)}).find(b).entity
'e1'
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import attrgetter

from kg.extract.names import Mention


# (id of an endings table, endings) → (the table, kept alive so the id stays its own; narrower endings)
_NARROWER: dict[tuple[int, tuple[str, ...]], tuple[dict, tuple[str, ...]]] = {}


class Antecedents:
    """Candidate antecedents indexed by the name endings each anaphor accepts."""

    def __init__(self, mentions: list[Mention], endings_of: dict[str, tuple[str, ...]],
                 names: dict[str, tuple[str, ...]] | None = None) -> None:
        self.endings_of = endings_of
        self.names = names or {}
        self.mentions = [m for m in mentions if m.kind != "anaphor" and m.entity is not None]
        self.mentions.sort(key=attrgetter("end"))
        self._index: dict[tuple[str, ...], tuple[list[int], list[int], list[Mention]]] = {}

    def _narrower(self, endings: tuple[str, ...]) -> tuple[str, ...]:
        """Endings of other anaphors that refine these (该总站's 总站 refines 该站's 站)."""
        key = (id(self.endings_of), endings)
        if key not in _NARROWER:
            _NARROWER[key] = (self.endings_of, tuple(sorted(
                {e for ends in self.endings_of.values() for e in ends if e not in endings and e.endswith(endings)})))
        return _NARROWER[key][1]

    def _compatible(self, endings: tuple[str, ...]):
        if endings not in self._index:
            narrower = self._narrower(endings)
            # A form fits when it ends with one of `endings` and with none of `narrower`; tested
            # inline (no call per form), and an entity's forms once, not once per mention of it.
            if narrower:
                fitting = {key for key, forms in self.names.items() for f in forms
                           if f.endswith(endings) and not f.endswith(narrower)}
                chosen = [m for m in self.mentions
                          if m.name.endswith(endings) and not m.name.endswith(narrower) or m.entity in fitting]
            else:
                fitting = {key for key, forms in self.names.items() for f in forms if f.endswith(endings)}
                chosen = [m for m in self.mentions if m.name.endswith(endings) or m.entity in fitting]
            self._index[endings] = ([m.end for m in chosen], sorted(m.start for m in chosen), chosen)
        return self._index[endings]

    def find(self, anaphor: Mention) -> Mention | None:
        """The mention `anaphor` refers to, or None."""
        ends, starts, chosen = self._compatible(self.endings_of.get(anaphor.anaphor, ()))
        i = bisect_right(ends, anaphor.start)
        if i:
            return chosen[i - 1]
        j = bisect_left(starts, anaphor.end)
        if j < len(starts):
            return min((m for m in chosen if m.start >= anaphor.end), key=lambda m: m.start)
        return None
