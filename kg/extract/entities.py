"""Turn mentions into entities: one per organization, fullest name first, short forms as aliases.

>>> reg = Registry()
>>> e = reg.add("铜陵出入境边防检查站", "BorderInspection")
>>> reg.add("铜陵出入境边防检查站", "BorderInspection") is e
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.lexicon import Lexicon
from kg.extract.names import Mention


@dataclass(eq=False, slots=True)  # compared by identity: registries hold each entity once
class Entity:
    name: str
    type: str
    aliases: set[str] = field(default_factory=set)
    implicit: bool = True  # cleared as soon as one explicit mention is seen
    key: str = ""

    def forms(self) -> tuple[str, ...]:
        return (self.name, *sorted(self.aliases))


class Registry:
    """Entities by every surface form; merging keeps the longest name as `name`."""

    def __init__(self) -> None:
        self.by_form: dict[str, Entity] = {}
        self.order: list[Entity] = []
        self.redirect: dict[str, str] = {}  # key of a merged entity → key of the one kept
        self.live: dict[str, Entity] = {}  # key → entity, for the entities of `order`
        self.created = 0

    def get(self, form: str) -> Entity | None:
        return self.by_form.get(form)

    def add(self, name: str, type_: str, implicit: bool = False, aliases=()) -> Entity:
        entity = self.by_form.get(name)
        if entity is None:
            self.created += 1
            entity = Entity(name, type_, key=f"k{self.created}")
            self.order.append(entity)
            self.live[entity.key] = entity
            self.by_form[name] = entity
        entity.implicit = entity.implicit and implicit
        for alias in aliases:
            self.alias(entity, alias)
        return entity

    def alias(self, entity: Entity, form: str) -> Entity:
        """Record `form` as another name of `entity`, merging an entity already known by it."""
        other = self.by_form.get(form)
        if other is not None and other is not entity:
            return self.merge(entity, other)
        if form != entity.name:
            entity.aliases.add(form)
        self.by_form[form] = entity
        return entity

    def merge(self, a: Entity, b: Entity) -> Entity:
        keep, gone = (a, b) if len(a.name) >= len(b.name) else (b, a)
        keep.aliases |= gone.aliases | {gone.name}
        keep.aliases.discard(keep.name)
        keep.implicit = keep.implicit and gone.implicit
        for form in gone.forms():
            self.by_form[form] = keep
        self.order.remove(gone)
        del self.live[gone.key]
        self.redirect[gone.key] = keep.key
        return keep

    def resolve(self, key: str | None) -> Entity | None:
        """The live entity for a key, following merges."""
        while key in self.redirect:
            key = self.redirect[key]
        return self.live.get(key)  # type: ignore[arg-type]


def short_form_aliases(registry: Registry, mentions: list[Mention], lex: Lexicon) -> None:
    """铜陵出入境边防检查站 ≡ 铜陵边检站 (≡ 木康站 for 木康边境检查站): same name part, short suffix."""
    for m in mentions:
        if m.kind != "org" or m.attached or len(m.prefix) < 2:
            continue
        entity = registry.get(m.name)
        if entity is None:
            continue
        for short in lex.short_forms.get(m.suffix, ()):
            other = registry.get(m.prefix + short)
            if other is not None and other is not entity:
                entity = registry.merge(entity, other)


def attached_short_forms(registry: Registry, mentions: list[Mention]) -> None:
    """甲山出入境边防检查站执勤一队 ≡ 甲山边检站执勤一队: a part named through two names of one unit.

    Runs after short_form_aliases, once the unit's own names are merged.
    """
    for m in mentions:
        parent = m.parent
        if m.kind != "org" or not m.attached or parent is None or parent.kind != "org":
            continue
        unit, entity = registry.get(parent.name), registry.get(m.name)
        if unit is None or entity is None or not m.name.startswith(parent.name):
            continue
        own = m.name[len(parent.name) :]
        for form in unit.forms():
            other = registry.get(form + own)
            if other is not None and other is not entity and other.type == entity.type:
                entity = registry.merge(entity, other)


def _by_ending(entities: list[Entity]) -> dict[str, list[Entity]]:
    """Entities grouped by the last three characters of their names (in their given order).

    Both alias rules below need a shared ending of at least three characters, so
    comparing within these groups keeps them linear on long articles.
    """
    table: dict[str, list[Entity]] = {}
    for e in entities:
        table.setdefault(e.name[-3:], []).append(e)
    return table


def _name_length(entity: Entity) -> int:
    return len(entity.name)


def _alive(registry: Registry, entity: Entity) -> bool:
    """Is `entity` still in ``registry.order`` (not merged away)? A dict lookup, not a list scan."""
    return registry.live.get(entity.key) is entity


def _shared_endings(registry: Registry):
    """The groups of _by_ending with two entities or more, each shortest name first.

    Both rules below only ever merge two entities of one group, so groups can be
    worked through one after another: each group sorted by itself is in the order
    a sort of all entities would give its members (sorts are stable).
    """
    for group in _by_ending(registry.order).values():
        if len(group) > 1:
            group.sort(key=_name_length)
            yield group


def dropped_middle_aliases(registry: Registry) -> None:
    """满洲里党建学院 ≡ 满洲里国门党建学院: same type, same head and suffix, a middle word left out."""
    for group in _shared_endings(registry):
        for short in group:
            for long in group:
                if long is short or long.type != short.type or len(long.name) <= len(short.name):
                    continue
                a, b = long.name, short.name
                head = 0
                while head < len(b) and a[head] == b[head]:
                    head += 1
                tail = len(b) - head
                if head >= 2 and tail >= 2 and a.endswith(b[head:]) and _alive(registry, long) and _alive(registry, short):
                    # The tail must be more than a one-character suffix to be a safe match.
                    if len(b) - head >= 3:
                        registry.merge(long, short)
                        break


_PLACE_LEVELS = "省市县区旗盟州乡镇"


def place_dropped_aliases(registry: Registry) -> None:
    """福建商会 ≡ 丹崖市福建商会, 渔港社区 ≡ 澄湾渔港社区: the end of exactly one longer name of the same type."""
    for group in _shared_endings(registry):  # alone with its ending, a name has no owner
        for short in group:
            if len(short.name) < 3 or not _alive(registry, short):
                continue
            owners = [
                e for e in group
                if e is not short and e.type == short.type and len(e.name) > len(short.name) and e.name.endswith(short.name)
                and (len(short.name) >= 4 or e.name[-len(short.name) - 1] in _PLACE_LEVELS)  # 弄岛镇|等秀村
                and _alive(registry, e)
            ]
            if len(owners) == 1:
                registry.merge(owners[0], short)
