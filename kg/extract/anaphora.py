"""Resolve 该站 / 该所 / 该队 / 本站 … to the nearest compatible antecedent.

Compatibility comes from the lexicon: 该站 needs an antecedent whose name ends
with 站, 该所 one ending with 所, and so on. The nearest earlier mention wins,
so a new full name (a new story in an interleaved article) switches the
antecedent. When nothing precedes (a story whose full name only appears in
a headline further down), the nearest following mention is used.

>>> from kg.extract.names import Mention
>>> a = Mention(0, 5, "木康边境检查站", "BorderInspection", "org", entity="e1")
>>> b = Mention(9, 11, "", "", "anaphor", anaphor="该站")
>>> antecedent(b, [a, b], {"该站": ("站",)}).entity
'e1'
"""

from __future__ import annotations

from kg.extract.names import Mention


def _compatible(mention: Mention, endings: tuple[str, ...], names: dict[str, tuple[str, ...]]) -> bool:
    if mention.kind == "anaphor" or mention.entity is None:
        return False
    forms = (mention.name,) + names.get(mention.entity, ())
    return any(form.endswith(endings) for form in forms)


def antecedent(anaphor: Mention, mentions: list[Mention], endings_of: dict[str, tuple[str, ...]],
               names: dict[str, tuple[str, ...]] | None = None) -> Mention | None:
    """The mention `anaphor` refers to (mentions sorted by position), or None."""
    endings = endings_of.get(anaphor.anaphor, ())
    names = names or {}
    before = [m for m in mentions if m.end <= anaphor.start and _compatible(m, endings, names)]
    if before:
        return max(before, key=lambda m: m.end)
    after = [m for m in mentions if m.start >= anaphor.end and _compatible(m, endings, names)]
    return min(after, key=lambda m: m.start) if after else None
