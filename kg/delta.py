"""Incremental resolution: redo only the part of kg.resolve that the changed articles can reach.

Without curation decisions, two mentions belong to one organization exactly
when their linking identities fall in one group of kg.identity.groups, and the
groups of a name rest (the identity without place and parent) depend only on
the identities sharing that rest. So when articles are added or removed, only
the organizations holding the changed mentions' identities (or, where a
rest's groups change between one group and several, any reading of that
rest) are clustered again, with all their mentions and each rest's
identities over the whole corpus; every other organization keeps its
mentions, name and key. An organization that only gains or loses mentions
of kinds it keeps (see :func:`signature`) is updated without clustering.
Links touching a renamed, merged, split or vanished organization have their
ends renamed and the removed articles' evidence dropped; where an
organization split, its articles' relations are read again. Places are
recomputed from small per-organization tables. The result is line for line
what a full resolution gives (tests/test_incremental_delta.py).

What a resolution leaves for the next one is a :data:`State` (plain data,
saved with marshal beside the store version, then patched: see
:func:`state_patch`). ``resolve_delta`` returns None when it cannot promise
that equality (a cluster name collision, evidence without a sentence, too
many changed articles): the caller then resolves in full.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from kg.linefile import SECTIONS, edit_sorted
from kg.model import ORG_TYPES, Article, Evidence, Link, Organization, Resolved

# A resolution's reusable tables (plain data: dicts, lists, tuples, str), see state_of.
State = dict[str, Any]


@dataclass
class Delta:
    """The nodes a delta resolution changed, as lines of kg.resolve.resolved_lines."""

    state: State  # the tables of the new resolution
    patch: dict = field(default_factory=dict)  # what changed from the old tables to these (see state_patch)
    lines: dict[str, dict[Any, str | None]] = field(default_factory=dict)  # section -> key -> new line (None: removed)
    report: list[str] = field(default_factory=list)
    reclustered: int = 0  # mentions clustered again


def state_of(resolved: Resolved, memo: dict, trace: dict, code: str, line_bytes: dict[str, list[int]],
             advance: Callable[[int], None] = lambda n: None) -> State:
    """The tables a full resolution (with ``trace``, no curation) leaves for the next delta.

    ``memo`` is the mention memo resolve filled; ``trace`` what it recorded;
    ``line_bytes`` the sizes of its resolved JSON lines (kg.linefile.line_sizes,
    or filled by kg.resolve.resolved_chunks). ``advance(n)`` is told of the
    nodes done as the tables are made (all of them in the end).
    """
    owner = trace["owner"]
    adjacency: dict[str, list] = defaultdict(list)
    article_links: dict[str, list] = defaultdict(list)
    for key, link in resolved.links.items():
        adjacency[link.head].append(key)
        adjacency[link.tail].append(key)
        for aid in sorted({e.article for e in link.evidence}):
            article_links[aid].append(key)
    advance(len(resolved.links))
    rest_ids: dict[str, dict] = defaultdict(dict)
    ident_keys: dict[Any, set] = defaultdict(set)
    kinds: dict[str, dict] = defaultdict(dict)
    for _, mentions in memo.values():
        for mention in mentions:
            counts = kinds[owner[(mention[0], mention[1])]]
            sig = signature(mention)
            counts[sig] = counts.get(sig, 0) + 1
            for ident in mention[6]:
                counts = rest_ids[ident[2]]
                counts[ident] = counts.get(ident, 0) + 1
                ident_keys[ident].add(owner[(mention[0], mention[1])])
    orgs = {key: _org_row(org, trace["place1"][key]) for key, org in resolved.organizations.items()}
    advance(len(resolved.organizations))
    blobs, reports = memo_tables(memo)
    advance(len(resolved.articles))
    owners: dict[str, dict] = defaultdict(dict)
    for (aid, number), key in owner.items():
        owners[aid][number] = key
    by_rest: dict[str, dict] = defaultdict(dict)
    for ident, keys in ident_keys.items():
        by_rest[ident[2]][ident] = tuple(sorted(keys))
    state = {
        "code": code,
        "memo": blobs,
        "reports": reports,
        "articles": {aid: (a.path, a.file_name, tuple(a.warnings or ())) for aid, a in resolved.articles.items()},
        "owner": _pack(owners),
        "orgs": orgs,
        "title_place": trace["title_place"],
        "art_place": trace["art_place"],
        "subs": sorted((link.head, link.tail) for link in resolved.links.values() if link.type == "sub_organization_of"),
        "adjacency": _pack(adjacency),
        "article_links": _pack(article_links),
        "rest_ids": _pack(rest_ids),
        "ident_keys": _pack(by_rest),
        "kinds": _encode_kinds(kinds),
        "order": {section: sorted(getattr(resolved, section)) for section in SECTIONS},
        "line_bytes": line_bytes,
    }
    advance(len(resolved.places) + len(resolved.decisions))
    return state


def _encode_kinds(kinds: dict[str, dict]) -> dict[str, bytes]:
    """Each organization's kinds of mention as marshal bytes: loaded at once, decoded only for those a delta reads.

    Decoding the nested table whole took a fifth of loading the state.
    """
    import marshal

    return {key: marshal.dumps(value) for key, value in kinds.items()}


def _pack(table: dict) -> dict[Any, bytes]:
    """A table saved shard by shard (key -> marshal bytes of its value): loaded at once, decoded as read.

    The lookup tables of the state (which organization each mention went
    to, the links of each organization and article, the identities of each
    name rest) are read for a few hundred keys by a delta; decoding them
    whole took half of loading the state.
    """
    import marshal

    return {key: marshal.dumps(value) for key, value in table.items()}


class _Packed:
    """Read side of a packed table (see :func:`_pack`): each shard decoded once, on first use. Never mutate a value."""

    def __init__(self, blobs: dict[Any, bytes]):
        self.blobs, self.open = blobs, {}

    def get(self, key: Any, default: Any = None) -> Any:
        value = self.open.get(key, _MISSING)
        if value is _MISSING:
            import marshal

            blob = self.blobs.get(key)
            value = self.open[key] = None if blob is None else marshal.loads(blob)
        return default if value is None else value


class _Owners(_Packed):
    """The organization each mention went to, by (article id, mention id): shards are articles."""

    def __init__(self, blobs: dict[str, bytes], changes: dict | None = None):
        super().__init__(blobs)
        self.changes = changes if changes is not None else {}

    def __getitem__(self, slot: tuple[str, str]) -> str:
        found = self.changes.get(slot)
        return found if found is not None else self.get(slot[0])[slot[1]]


class _ByRest:
    """Read side of the ``ident_keys`` table: identity -> organization keys, packed by the identity's rest."""

    def __init__(self, packed: _Packed):
        self.packed = packed

    def get(self, ident: tuple, default: Any = ()) -> Any:
        return self.packed.get(ident[2], {}).get(ident, default)


def _repack(base: _Packed, changes: dict[Any, Any], shard_of: Callable[[Any], Any] | None = None,
            entry_of: Callable[[Any], Any] | None = None, emptied: set = frozenset()) -> tuple[dict[Any, bytes], set]:
    """``base``'s blobs with ``changes`` (item key -> value, None to remove) applied, and the shards changed.

    Without ``shard_of`` each key is a shard of its own and its value the
    whole shard; else an item lives in shard ``shard_of(key)`` under
    ``entry_of(key)``, and the shards in ``emptied`` start empty.
    """
    import marshal

    blobs = dict(base.blobs)
    if shard_of is None:
        shards: dict[Any, Any] = changes
    else:
        shards = {shard: {} for shard in emptied}
        for key, value in changes.items():
            shard = shard_of(key)
            if shard not in shards:
                shards[shard] = dict(base.get(shard, {}))
            if value is None:
                shards[shard].pop(entry_of(key), None)
            else:
                shards[shard][entry_of(key)] = value
    for shard, entries in shards.items():
        if entries:
            blobs[shard] = marshal.dumps(entries)
        else:
            blobs.pop(shard, None)
    return blobs, set(shards)


def kinds_of(kinds: dict[str, bytes], key: str) -> dict:
    """An organization's kinds of mention (signature -> count) from the state's ``kinds`` table, a fresh dict."""
    import marshal

    blob = kinds.get(key)
    return marshal.loads(blob) if blob is not None else {}


def _components(seeds: set[str], pairs: list[tuple[str, str]]) -> set[str]:
    """The organizations linked to ``seeds`` through ``pairs`` (in either direction), the seeds included.

    >>> sorted(_components({"b"}, [("b", "a"), ("c", "a"), ("e", "d")]))
    ['a', 'b', 'c']
    """
    neighbours: dict[str, list[str]] = defaultdict(list)
    for child, parent in pairs:
        neighbours[child].append(parent)
        neighbours[parent].append(child)
    found, todo = set(seeds), list(seeds)
    while todo:
        for other in neighbours.get(todo.pop(), ()):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found


def _org_row(org: Organization, own_place: str | None) -> tuple:
    """(type, place of its own names, place, local, article ids if local): what places need of an organization.

    Only local units keep their articles (their place may come from them):
    a national body named in thousands of articles would weigh on every patch.
    """
    from kg.places import is_local

    local = is_local(org.type, org.name)
    return (org.type, own_place, org.place, local, tuple(sorted(org.articles)) if local else ())


def memo_tables(memo: dict) -> tuple[dict, dict]:
    """A kg.resolve mention memo as saved: (key -> marshal bytes of its mentions, key -> its report if any).

    Bytes load at once and are decoded only for the articles a delta reads.
    """
    import marshal

    return ({key: marshal.dumps(value[1]) for key, value in memo.items()},
            {key: tuple(value[0]) for key, value in memo.items() if value[0]})


def mention_memo(state: State) -> dict:
    """The kg.resolve mention memo of a saved state (see :func:`memo_tables`)."""
    import marshal

    reports = state.get("reports", {})
    return {key: (reports.get(key, ()), marshal.loads(blob)) for key, blob in state.get("memo", {}).items()}


TABLES = ("memo", "reports", "articles", "owner", "orgs", "title_place", "art_place", "subs", "adjacency", "article_links",
          "rest_ids", "ident_keys", "kinds", "order", "line_bytes")


def signature(mention: tuple) -> tuple:
    """What naming an organization needs of a mention (name, forms, type, implicit, links): not where it is."""
    return (mention[2], tuple(mention[3]), mention[4], mention[5], tuple(mention[6]))


def usable(state: Any) -> bool:
    """Whether ``state`` holds every table of :func:`state_of` (a build with curation keeps only the memo)."""
    return isinstance(state, dict) and all(name in state for name in TABLES)


class _Fallback(Exception):
    """The delta cannot guarantee the full resolution's result."""


def resolve_delta(state: State, docs: list[tuple[Article, dict | None]], old_line: Callable[[str, Any], str | None],
                  fetch: Callable[[list[str]], dict[str, dict]], *, limit: int) -> Delta | None:
    """The changes from the resolution ``state`` describes to the resolution of ``docs``, or None.

    ``docs`` holds every article of the new corpus; an article the state
    knows (same id, path and file name) may come without its extraction
    (None). ``old_line(section, key)`` gives a line of the previous resolved
    JSON (None if it has no such node); ``fetch(article ids)`` the
    extractions of unchanged articles, when a split cluster needs their
    relations again. More than ``limit`` added and removed articles give
    None. The tables of ``state`` are reused in the result: do not use
    ``state`` afterwards.
    """
    try:
        return _Resolver(state, docs, old_line, fetch, limit).run()
    except _Fallback:
        return None


def _one(values: set[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


class _Resolver:
    def __init__(self, state, docs, old_line, fetch, limit):
        self.state, self.old_line, self.fetch, self.limit = state, old_line, fetch, limit
        self.current = {article.id: (article, extraction) for article, extraction in docs}
        self.lines: dict[str, dict[Any, str | None]] = {section: {} for section in SECTIONS}

    def run(self) -> Delta:
        from kg.resolve import article_mentions, node_encoder

        self.encode = node_encoder()
        state = self.state
        old_articles = state["articles"]
        current = self.current
        removed = sorted(aid for aid, (path, name, _) in old_articles.items()
                         if (now := current.get(aid)) is None or now[0].path != path or now[0].file_name != name)
        self.removed = set(removed)
        added = sorted(aid for aid in self.current if aid not in old_articles or aid in self.removed)
        self.added = set(added)
        if len(removed) + len(added) > self.limit or any(self.current[aid][1] is None for aid in added):
            raise _Fallback
        import marshal

        self.old_owner = _Owners(state["owner"])
        self.old_rest_ids = _Packed(state["rest_ids"])
        self.old_ident_keys = _Packed(state["ident_keys"])  # by rest: {identity: organization keys}
        self.ident_keys = _ByRest(self.old_ident_keys)
        self.adjacency, self.article_links = _Packed(state["adjacency"]), _Packed(state["article_links"])
        memo, reports = dict(state["memo"]), dict(state["reports"])
        self.decoded: dict[tuple[str, str], list] = {}
        self.old_names: dict[str, tuple[str, ...]] = {}  # of the previous organizations read (kg.places._name_place)
        touched = self.touched = defaultdict(set)  # table -> keys whose entry may have changed
        gone: list[tuple] = []
        for aid in removed:
            key = (aid, old_articles[aid][1])
            gone.extend(marshal.loads(memo.pop(key)))
            reports.pop(key, None)
            for table in ("memo", "reports"):
                touched[table].add(key)
        new: list[tuple] = []
        for aid in added:
            article, extraction = self.current[aid]
            report, found = article_mentions(article, extraction)
            key = (aid, article.file_name)
            memo[key] = marshal.dumps(found)
            self.decoded[key] = found
            if report:
                reports[key] = report
            for table in ("memo", "reports"):
                touched[table].add(key)
            new.extend(found)
        self.memo, self.reports = memo, reports
        self.names = {aid: name for aid, (_, name, _) in old_articles.items() if aid not in self.removed}
        self.names.update({aid: self.current[aid][0].file_name for aid in added})
        self.gone = gone
        for table in ("articles", "title_place", "art_place"):
            touched[table].update(self.removed | self.added)

        subset, old_keys = self._affected(gone, new)
        new_orgs = self._recluster(subset, old_keys)
        links = self._links(subset, old_keys, new_orgs)
        self._places(old_keys, new_orgs, subset, links)
        for aid in removed:
            self.lines["articles"][aid] = None
        for aid in added:
            self.lines["articles"][aid] = self.encode("articles", aid, self.current[aid][0])
        report = [line for aid in sorted(self.names) for line in reports.get((aid, self.names[aid]), ())]
        new_state = self._state(subset, old_keys, new_orgs, links)
        return Delta(new_state, state_patch(state, new_state, self.touched, self.order_changes, self.size_changes),
                     {s: v for s, v in self.lines.items() if v}, report, len(subset))

    def mentions(self, aid: str) -> list:
        """The mentions of a current article (decoded from the saved memo once)."""
        import marshal

        key = (aid, self.names[aid])
        found = self.decoded.get(key)
        if found is None:
            found = self.decoded[key] = marshal.loads(self.memo[key])
        return found

    def _affected(self, gone: list[tuple], new: list[tuple]):
        """The mentions to cluster again, and the organizations they belonged to.

        Those of the changed mentions' identities; and where a rest's groups
        change (one group of all its readings before or after), those of
        every reading of that rest; with every mention of their organizations.
        """
        from kg.identity import groups

        owner, old_rest_ids = self.old_owner, self.old_rest_ids
        rest_ids: dict[str, dict] = {}  # rest -> its identities now (changed rests only)
        changed: dict[str, set] = defaultdict(set)  # rest -> identities of changed mentions
        for mentions, step in ((gone, -1), (new, 1)):
            for mention in mentions:
                for ident in mention[6]:
                    rest = ident[2]
                    if rest not in changed:
                        rest_ids[rest] = dict(old_rest_ids.get(rest, {}))
                    changed[rest].add(ident)
                    counts = rest_ids[rest]
                    counts[ident] = counts.get(ident, 0) + step
                    if not counts[ident]:
                        del counts[ident]
        self.rest_ids = rest_ids
        self.touched["rest_ids"].update(changed)
        old_keys = {owner[(m[0], m[1])] for m in gone}
        ident_keys = self.ident_keys
        active: set[str] = set()  # organizations whose mentions must be clustered again
        for rest, idents in changed.items():
            before, after = old_rest_ids.get(rest, {}), rest_ids[rest]
            whole = before.keys() != after.keys() and (len(groups(before)) == 1 or len(groups(after)) == 1)
            if whole:
                idents = before.keys() | after.keys()  # all readings were (or are now) one unit
            for ident in idents:
                old_keys.update(ident_keys.get(ident, ()))
                if whole:
                    active.update(ident_keys.get(ident, ()))
        new = self._passive(old_keys, active, gone, new)
        old_keys -= set(self.passive)
        subset = []
        for key in sorted(old_keys):
            for aid in sorted(self._old_org(key).articles):
                if aid not in self.removed:
                    subset.extend(m for m in self.mentions(aid) if owner[(m[0], m[1])] == key)
        subset.extend(new)
        return subset, old_keys

    def _passive(self, old_keys: set[str], active: set[str], gone: list[tuple], new: list[tuple]) -> list[tuple]:
        """Organizations that only gain or lose mentions like the ones they keep: updated without re-clustering.

        A mention whose signature (kg.delta.signature) the organization still
        holds after the change, and whose identities only it holds, leaves
        its clusters, name, aliases and implicitness as they were (a national
        body named once more, or once less); only its type counts and
        articles change. Returns the new mentions still to cluster.
        """
        ident_keys, owner = self.ident_keys, self.old_owner
        counts = {key: kinds_of(self.state["kinds"], key) for key in old_keys - active}
        for mention in gone:
            key = owner[(mention[0], mention[1])]
            if key in counts:
                sig = signature(mention)
                counts[key][sig] = counts[key].get(sig, 0) - 1
        for key in list(counts):
            if any(count < 1 for count in counts[key].values()):
                del counts[key]  # a kind of mention it had is gone: it may split
        joining: dict[str, list[tuple]] = defaultdict(list)
        rest: list[tuple] = []
        for mention in new:
            keys = {frozenset(ident_keys.get(ident, ())) for ident in mention[6]}
            key = next(iter(next(iter(keys)))) if len(keys) == 1 and len(next(iter(keys))) == 1 else None
            if key in counts and counts[key].get(signature(mention), 0) >= 1:
                joining[key].append(mention)
            else:
                rest.append(mention)
        for mention in rest:  # a mention to cluster again reaches every organization holding its identities
            for ident in mention[6]:
                for key in ident_keys.get(ident, ()):
                    counts.pop(key, None)
        self.passive: dict[str, Organization] = {}
        self.passive_kinds: dict[str, dict] = {}
        for key, kept in sorted(counts.items()):
            for mention in joining.get(key, ()):
                sig = signature(mention)
                kept[sig] += 1
            org = self._old_org(key)
            org.articles = {a for a in org.articles if a not in self.removed} | {m[0] for m in joining.get(key, ())}
            types = Counter()
            for sig, count in kept.items():
                types[sig[2]] += count
            org.type = min(types, key=lambda t: (-types[t], ORG_TYPES.index(t)))
            self.passive[key] = org
            self.passive_kinds[key] = {sig: count for sig, count in kept.items() if count}
        for key, mentions in joining.items():
            if key not in self.passive:
                rest.extend(mentions)
        self.joined = {(m[0], m[1]): key for key, mentions in joining.items() if key in self.passive for m in mentions}
        return rest

    def _old_org(self, key: str) -> Organization:
        from kg.resolve import node_from_line

        line = self.old_line("organizations", key)
        if line is None:
            raise _Fallback  # the tables and the resolved JSON disagree
        org = node_from_line("organizations", line)[1]
        self.old_names[key] = (org.name, *sorted(org.aliases))
        return org

    def _recluster(self, subset: list[tuple], old_keys: set[str]):
        """Cluster ``subset`` as kg.resolve does, on distinct sets of linking identities (a hub's mentions share few)."""
        from kg.identity import groups
        from kg.resolve import Mention, _Groups, _organizations

        alike: dict[tuple, list[int]] = {}
        for i, mention in enumerate(subset):
            alike.setdefault(tuple(mention[6]), []).append(i)
        kinds = list(alike)
        linked: dict[Any, list[int]] = defaultdict(list)
        for j, links in enumerate(kinds):
            for ident in links:
                linked[ident].append(j)
        joined = _Groups(len(kinds))
        for rest in sorted({ident[2] for ident in linked}):
            for group in groups(self.rest_ids[rest] if rest in self.rest_ids else self.old_rest_ids.get(rest, {})):
                found = sorted({j for ident in group for j in linked.get(ident, ())})
                for j in found[1:]:
                    joined.union(found[0], j)
        members: dict[int, list[int]] = defaultdict(list)
        for j, links in enumerate(kinds):
            members[joined.find(j)].extend(alike[links])
        mentions = [Mention(*m) for m in subset]
        scratch = Resolved()
        mention_key = _organizations(mentions, sorted(sorted(group) for group in members.values()), set(), {}, scratch)
        kept = set(self.state["orgs"]) - old_keys
        if scratch.report or kept & set(scratch.organizations):
            raise _Fallback  # two organizations with one name: numbering depends on the whole corpus
        self.owner_of = {mentions[i].order: key for i, key in mention_key.items()}
        if set(self.passive) & set(scratch.organizations):
            raise _Fallback
        self.owner_of.update(self.joined)
        return {**scratch.organizations, **self.passive}

    def _links(self, subset, old_keys, new_orgs):
        """Links whose ends or evidence changed, remade; the others stay as they were."""
        from kg.curate import link_key
        from kg.model import RELATION_TYPES
        from kg.resolve import _confidence, node_from_line

        owner, owner_of = self.old_owner, self.owner_of
        moved: dict[str, set[str]] = {key: set() for key in old_keys}  # old key -> new keys of its remaining mentions
        for mention in subset:
            if mention[0] not in self.added:
                moved[owner[(mention[0], mention[1])]].add(owner_of[(mention[0], mention[1])])
        split = {key for key, into in moved.items() if len(into) > 1}
        changed = {key for key, into in moved.items() if into != {key}}
        evidence: dict[tuple, dict[tuple[str, str], float]] = defaultdict(dict)
        seeded: dict[tuple, Link] = {}

        def seed(lk: tuple) -> None:
            """Take an old link's evidence over (ends renamed, removed articles' evidence dropped)."""
            if lk in seeded:
                return
            line = self.old_line("links", lk)
            if line is None:
                return
            link = seeded[lk] = node_from_line("links", line)[1]
            if link.curated_by is not None or any(not e.sentence for e in link.evidence):
                raise _Fallback  # an evidence-less relation's placeholder depends on the order of articles
            if link.head in split or link.tail in split:
                return  # remade below from its articles' relations
            ends = [_one(moved[end]) if end in changed else end for end in (link.head, link.tail)]
            kept = [e for e in link.evidence if e.article not in self.removed]
            if not kept:
                return
            if None in ends:
                raise _Fallback  # evidence left for an organization with no mention left
            if ends[0] == ends[1]:
                return
            target = link_key(link.type, ends[0], ends[1])
            seed(target)
            slots = evidence[target]
            for e in kept:
                slots[(e.article, e.sentence)] = max(e.confidence, slots.get((e.article, e.sentence), 0.0))

        adjacency, article_links = self.adjacency, self.article_links
        for key in sorted(changed):
            for lk in adjacency.get(key, ()):
                seed(lk)
        for aid in sorted(self.removed):
            for lk in article_links.get(aid, ()):
                seed(lk)
        again = set(self.added) | {m[0] for m in subset if m[0] not in self.added and owner[(m[0], m[1])] in split}
        extractions = {aid: self.current[aid][1] for aid in self.added}
        wanted = sorted(again - self.added)
        if wanted:
            extractions.update(self.fetch(wanted))
        for aid in sorted(again):
            extraction = extractions.get(aid)
            if extraction is None:
                raise _Fallback
            known = {(m[0], m[1]) for m in self.mentions(aid)}
            for relation in extraction.get("relations", []):
                if not isinstance(relation, dict) or relation.get("type") not in RELATION_TYPES:
                    continue
                slots_of = [(aid, str(relation.get(end))) for end in ("head", "tail")]
                if any(slot not in known for slot in slots_of):
                    continue
                if aid not in self.added and not any(owner[slot] in split for slot in slots_of):
                    continue  # its link kept its ends: its evidence is there already
                ends = [owner_of.get(slot) or owner[slot] for slot in slots_of]
                if ends[0] == ends[1]:
                    continue
                sentences = [s.strip() for s in [relation.get("evidence"), *(relation.get("evidences") or [])]
                             if isinstance(s, str) and s.strip()]
                if not sentences:
                    raise _Fallback  # an evidence-less relation's placeholder depends on the order of articles
                target = link_key(relation["type"], ends[0], ends[1])
                seed(target)
                slots = evidence[target]
                confidence = _confidence(relation.get("confidence", 1.0))
                for sentence in sentences:
                    slots[(aid, sentence)] = max(confidence, slots.get((aid, sentence), 0.0))
        links = {lk: Link(type=lk[0], head=lk[1], tail=lk[2],
                          evidence=[Evidence(a, s, c) for (a, s), c in sorted(slots.items())])
                 for lk, slots in evidence.items() if slots}
        for lk in seeded:
            if lk not in links:
                self.lines["links"][lk] = None
        for lk, link in links.items():
            line = self.encode("links", lk, link)
            if self.old_line("links", lk) != line:
                self.lines["links"][lk] = line
        self.seeded = seeded
        return links

    def _places(self, old_keys, new_orgs, subset, links):
        """Every organization's place again, from the per-organization tables; writes the changed nodes."""
        from kg.places import _name_place, confirmed_place, propagate_places, text_place
        from kg.resolve import node_from_line

        state = self.state
        old_orgs = state["orgs"]
        # The mentions of removed articles go with their shards; every other mention that moved is in owner_of.
        owner = self.owner = _Owners(state["owner"], self.owner_of)
        orgs = dict(old_orgs)
        for key in old_keys:
            del orgs[key]
        for key, org in new_orgs.items():
            names = (org.name, *sorted(org.aliases))
            # The place of its own names, again when they changed (a rebuild that changes no name loads no cpca).
            same = key in self.passive or (key in old_orgs and self.old_names.get(key) == names)
            orgs[key] = _org_row(org, old_orgs[key][1] if same else _name_place(names))
        title_place = dict(state["title_place"])
        for aid in self.removed:
            del title_place[aid]
        for aid in sorted(self.added):
            article = self.current[aid][0]
            title_place[aid] = text_place(article.title) if article.title else None
        art_place = dict(state["art_place"])
        for aid in self.removed:
            art_place.pop(aid, None)
        old_owner = self.old_owner
        touched = set(self.added) | {m[0] for m in subset if m[0] not in self.added and
                                     old_orgs[old_owner[(m[0], m[1])]][1] != orgs[self.owner_of[(m[0], m[1])]][1]}
        self.touched["art_place"].update(touched)
        for aid in touched:
            own = {orgs[owner[(m[0], m[1])]][1] for m in self.mentions(aid)} - {None}
            code = confirmed_place(title_place[aid], sorted(own))
            if code:
                art_place[aid] = code
            else:
                art_place.pop(aid, None)
        gone_subs = {(lk[1], lk[2]) for lk in self.seeded if lk[0] == "sub_organization_of"}
        new_subs = {(lk[1], lk[2]) for lk in links if lk[0] == "sub_organization_of"}
        subs = state["subs"]
        if gone_subs or new_subs:
            subs = sorted((set(subs) - gone_subs) | new_subs)
        # Places propagate along sub-organization links only: the components those links form around what
        # changed are propagated again, every other organization keeps its place.
        seeds = set(new_orgs) | {owner[(m[0], m[1])] for aid in touched for m in self.mentions(aid)}
        seeds.update(key for pair in gone_subs | new_subs for key in pair)
        again = _components(seeds & orgs.keys(), subs)
        final = propagate_places({key: orgs[key][1] for key in again}, [pair for pair in subs if pair[0] in again],
                                 {key: orgs[key][4] for key in again if orgs[key][3]}, art_place)
        lines = self.lines["organizations"]
        for key in [key for key in orgs if key in again]:  # in the table's order, as a full pass had them
            value = orgs[key]
            if key in new_orgs:
                new_orgs[key].place = final[key]
                orgs[key] = value[:2] + (final[key],) + value[3:]
                line = self.encode("organizations", key, new_orgs[key])
                if self.old_line("organizations", key) != line:
                    lines[key] = line
            elif final[key] != value[2]:
                org = node_from_line("organizations", self.old_line("organizations", key))[1]
                org.place = final[key]
                orgs[key] = value[:2] + (final[key],) + value[3:]
                lines[key] = self.encode("organizations", key, org)
        for key in old_keys - set(new_orgs):
            lines[key] = None
        self.touched["orgs"].update(old_keys | set(new_orgs) | set(lines))
        places_changed = bool(lines) and any(
            (old_orgs[key][2] if key in old_orgs else None) != (orgs[key][2] if key in orgs else None) for key in lines)
        old_leaves = {v[2] for v in old_orgs.values()} if places_changed else set()
        new_leaves = {v[2] for v in orgs.values()} if places_changed else set()
        if old_leaves != new_leaves:
            # The place nodes are the places of the organizations with their ancestors: they change only
            # when the set of those places does. When places were only added, the chains of the new ones are
            # all that is added (the previous nodes are the chains of the previous places).
            before = set(state["order"]["places"])
            added_only = old_leaves <= new_leaves
            codes = self._place_chains({code for code in (new_leaves - old_leaves if added_only else new_leaves)
                                        if code}, before)
            if not added_only:
                for code in before - set(codes):
                    self.lines["places"][code] = None
            for code in set(codes) - before:
                self.lines["places"][code] = self.encode("places", code, codes[code])
        self.tables = {"orgs": orgs, "title_place": title_place, "art_place": art_place, "subs": subs}

    def _place_chains(self, leaves: set[str], known: set[str]) -> dict[str, Any]:
        """kg.places.place_chain of every code in ``leaves``, joined (code -> Place).

        A place the previous graph has (``known``) is read from its line,
        not from cpca: when no organization moved to a new place, cpca's
        table is not loaded at all.
        """
        from kg.places import place
        from kg.resolve import node_from_line

        found: dict[str, Any] = {}
        for code in sorted(leaves):
            current: str | None = code
            while current and current not in found:
                line = self.old_line("places", current) if current in known else None
                value = node_from_line("places", line)[1] if line is not None else place(current)
                if value is None:
                    break
                found[current] = value
                current = value.parent
        return found

    def _state(self, subset, old_keys, new_orgs, links) -> State:
        state = self.state
        articles = {aid: value for aid, value in state["articles"].items() if aid not in self.removed}
        for aid in sorted(self.added):
            article = self.current[aid][0]
            articles[aid] = (article.path, article.file_name, tuple(article.warnings or ()))
        adjacency: dict[str, list | None] = {}  # changed entries (None: removed)
        article_links: dict[str, list | None] = {}

        def edit(table: dict, key: Any, drop: Any = None, add: Any = None) -> None:
            old = (self.adjacency if table is adjacency else self.article_links).get(key, ())
            values = table[key] if key in table else list(old)
            values = [v for v in (values or ()) if v != drop] if drop is not None else list(values or ())
            if add is not None:
                values.append(add)
            table[key] = values or None

        # Only what a link gained or lost: a link stated in thousands of articles gains one.
        seeded = self.seeded
        for lk, link in seeded.items():
            kept = links.get(lk)
            if kept is None:
                edit(adjacency, lk[1], drop=lk)
                edit(adjacency, lk[2], drop=lk)
            now = {e.article for e in kept.evidence} if kept is not None else set()
            for aid in {e.article for e in link.evidence} - now:
                edit(article_links, aid, drop=lk)
        for lk, link in links.items():
            old = seeded.get(lk)
            if old is None:
                edit(adjacency, lk[1], add=lk)
                edit(adjacency, lk[2], add=lk)
            before = {e.article for e in old.evidence} if old is not None else set()
            for aid in sorted({e.article for e in link.evidence} - before):
                edit(article_links, aid, add=lk)
        old_owner = self.old_owner
        drop: dict[Any, set[str]] = defaultdict(set)
        kinds = dict(state["kinds"])
        for key in old_keys:
            kinds.pop(key, None)
        fresh: dict[str, dict] = {}
        for mention in subset:
            key = self.owner_of[(mention[0], mention[1])]
            if key not in fresh:
                fresh[key] = kinds_of(kinds, key)
            counts = fresh[key]
            sig = signature(mention)
            counts[sig] = counts.get(sig, 0) + 1
        kinds.update(_encode_kinds(fresh))
        kinds.update(_encode_kinds(self.passive_kinds))
        self.touched["kinds"].update(old_keys | set(new_orgs))
        for mention in [m for m in self.gone if old_owner[(m[0], m[1])] not in self.passive] + \
                [m for m in subset if m[0] not in self.added]:
            for ident in mention[6]:
                drop[ident].add(old_owner[(mention[0], mention[1])])
        add: dict[Any, set[str]] = defaultdict(set)
        for mention in subset:
            for ident in mention[6]:
                add[ident].add(self.owner_of[(mention[0], mention[1])])
        ident_changes = {}
        for ident in drop.keys() | add.keys():
            keys = (set(self.ident_keys.get(ident, ())) - drop.get(ident, set())) | add.get(ident, set())
            ident_changes[ident] = tuple(sorted(keys)) if keys else None
        ident_keys, shards = _repack(self.old_ident_keys, ident_changes, lambda ident: ident[2], lambda ident: ident)
        self.touched["ident_keys"].update(shards)
        packed = {}
        for name, table in (("adjacency", adjacency), ("article_links", article_links)):
            old = getattr(self, name)
            # A link taken over with the same key is dropped and added again: its lists are the same, but for order.
            same = [key for key, values in table.items() if values is not None and len(values) == len(old.get(key, ()))
                    and sorted(values) == sorted(old.get(key, ()))]
            for key in same:
                del table[key]
            packed[name], shards = _repack(old, table)
            self.touched[name].update(shards)
        # A removed article's mentions go with its shard (an article removed and added again starts afresh).
        owners, shards = _repack(self.old_owner, self.owner.changes, lambda slot: slot[0], lambda slot: slot[1],
                                 emptied=self.removed)
        self.touched["owner"].update(shards)
        rest_ids, shards = _repack(self.old_rest_ids, {rest: value for rest, value in self.rest_ids.items()
                                                       if value != self.old_rest_ids.get(rest, {})})
        self.touched["rest_ids"].update(shards)
        order = {}
        self.order_changes: dict[str, tuple[list, list]] = {}  # section -> (keys added, keys removed)
        for section in SECTIONS:
            changes = self.lines[section]
            old = state["order"][section]
            if not changes:
                order[section] = old
                continue
            # A few hundred keys in lists of tens of thousands: found by bisection, not by sets of every key.
            known = {key for key in changes if (i := bisect_left(old, key)) < len(old) and old[i] == key}
            fresh = sorted(key for key, line in changes.items() if line is not None and key not in known)
            gone = sorted(key for key in known if changes[key] is None)
            order[section] = _apply_sorted(list(old), fresh, gone)
            self.order_changes[section] = (fresh, gone)
        line_bytes = dict(state["line_bytes"])
        self.size_changes = {section: {key: None if line is None else len(line.encode("utf-8"))
                                       for key, line in changes.items()}
                             for section, changes in self.lines.items() if changes}
        for section, changes in self.size_changes.items():
            keys, line_bytes[section] = edit_sorted(state["order"][section], line_bytes[section], changes)
            if keys != order[section]:  # the two edits are the same; a full resolution if ever not
                raise _Fallback
        return {**state, "line_bytes": line_bytes, "memo": self.memo, "reports": self.reports, "articles": articles,
                "owner": owners, **self.tables, **packed, "rest_ids": rest_ids, "ident_keys": ident_keys,
                "kinds": kinds, "order": order}


def state_patch(old: State, new: State, touched: dict[str, set] | None = None,
                order_changes: dict[str, tuple[list, list]] | None = None,
                size_changes: dict[str, dict] | None = None) -> dict:
    """The entries of ``new``'s tables that are not those of ``old`` (a delta shares the unchanged values).

    Dict tables give ``(updated entries, deleted keys)`` (in packed tables,
    see :func:`_pack`, the changed shards); ``order`` and
    ``subs`` (sorted lists) give the keys added and removed. Replayed by
    :func:`apply_patch`, so a build saves a patch, not every table.
    ``touched`` (table -> keys), when given, names every key whose entry may
    differ: only those are compared; ``order_changes`` (section -> (keys
    added, keys removed), sorted), when given, what the delta knows changed
    in ``order`` (comparing two 30,000-key lists as sets is not needed);
    ``size_changes`` (section -> key -> line size or None) the same for
    ``line_bytes`` (sizes aligned with ``order``: a patch holds the sizes by
    key, and the replay puts them in place with the keys).
    """
    patch: dict[str, Any] = {}
    for table in TABLES:
        before, after = old[table], new[table]
        if before is after:
            continue
        if table == "order":
            known = order_changes or {}
            patch[table] = {section: known[section] if section in known else _list_change(before[section], after[section])
                            for section in SECTIONS if before[section] is not after[section]}
        elif table == "subs":
            patch[table] = _list_change(before, after)
        elif table == "line_bytes":
            if size_changes is None:
                size_changes = {}
                for section in SECTIONS:
                    was = dict(zip(old["order"][section], before[section]))
                    now = dict(zip(new["order"][section], after[section]))
                    changed = {key: size for key, size in now.items() if was.get(key) != size}
                    changed.update({key: None for key in was if key not in now})
                    if changed:
                        size_changes[section] = changed
            patch[table] = size_changes
        else:
            if touched is None:
                updated = {key: value for key, value in after.items() if before.get(key, _MISSING) is not value}
                deleted = [key for key in before if key not in after]
            else:
                keys = touched.get(table, ())
                updated = {key: after[key] for key in keys
                           if key in after and before.get(key, _MISSING) is not after[key]}
                deleted = [key for key in keys if key in before and key not in after]
            patch[table] = (updated, deleted)
    return patch


_MISSING = object()


def _list_change(before: list, after: list) -> tuple[list, list]:
    old, new = set(before), set(after)
    return sorted(new - old), sorted(old - new)


def apply_patch(state: State, patch: dict) -> State:
    """``state`` (changed in place) with ``patch`` of :func:`state_patch` applied."""
    for section, changes in patch.get("line_bytes", {}).items():  # placed by the keys before they change
        state["line_bytes"][section] = edit_sorted(state["order"][section], state["line_bytes"][section], changes)[1]
    for table, change in patch.items():
        if table == "line_bytes":
            continue
        if table == "order":
            for section, (added, removed) in change.items():
                state[table][section] = _apply_sorted(state[table][section], added, removed)
        elif table == "subs":
            state[table] = _apply_sorted(state[table], *change)
        else:
            updated, deleted = change
            values = state[table]
            for key in deleted:
                del values[key]
            values.update(updated)
    return state


def _apply_sorted(keys: list, added: list, removed: list) -> list:
    if len(added) + len(removed) > 64:
        return sorted((set(keys) - set(removed)) | set(added))
    for key in removed:
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            del keys[i]
    for key in added:
        insort(keys, key)
    return keys


def patch_lines(old: dict[str, list[str]], order: dict[str, list], new_order: dict[str, list],
                changes: dict[str, dict[Any, str | None]]) -> dict[str, list[str]]:
    """The new resolved lines: ``old`` (aligned with ``order``) with ``changes`` applied, aligned with ``new_order``."""
    out = {}
    for section in SECTIONS:
        lines, section_changes = old[section], changes.get(section)
        if not section_changes:
            out[section] = lines
            continue
        by_key = dict(zip(order[section], lines))
        out[section] = [section_changes[key] if key in section_changes else by_key[key] for key in new_order[section]]
    return out


def counts(state: State) -> tuple[dict[str, int], dict[str, int]]:
    """(organizations by type, links by type) of the resolution the state describes."""
    organizations = Counter(value[0] for value in state["orgs"].values())
    links = Counter(key[0] for key in state["order"]["links"])
    return dict(sorted(organizations.items())), dict(sorted(links.items()))
