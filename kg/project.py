"""Project the RDF knowledge graph into one undirected networkx graph.

Every analysis and every map starts here. The graph is read with a handful of
SPARQL SELECTs (never one query per node) and joined in Python; the result is
kept per store version by kg.projection_cache (``kg import`` keeps it for the
version it writes).

Nodes are organization IRIs with ``label``, ``type``, ``aliases`` (list),
``place`` (place label, or None), ``articles`` (number of articles mentioning
the unit). Edges carry ``weight`` (distinct articles stating any selected link
between the two units; 1 for a curated link without article), ``relations``
(sorted relation keys) and ``evidence`` (list of ``{"relation", "sentence",
"article", "title", "date"}``); with ``evidence=False`` (what the measures
use) edges carry only ``weight`` and ``relations`` and no sentence is read.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.load(input=EXAMPLE_TTL, format=ox.RdfFormat.TURTLE)
>>> g = project(store)
>>> sorted(g.nodes[n]["label"] for n in g)
['乙边检站', '甲党支部']
>>> [d["weight"] for _, _, d in g.edges(data=True)]
[1]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal
from urllib.parse import unquote

import networkx as nx

from kg.gcpause import no_cycle_collection
from kg.model import ORG_TYPES, RELATION_TYPES

LJ = "https://w3id.org/lianjian/ontology#"
ID = "https://w3id.org/lianjian/id/"

RELATION_PROPERTIES = {
    "joint_building": LJ + "jointBuildingWith",
    "joint_defense": LJ + "jointDefenseWith",
    "cooperation": LJ + "cooperatesWith",
    "member_of": "http://www.w3.org/ns/org#memberOf",
    "sub_organization_of": "http://www.w3.org/ns/org#subOrganizationOf",
}
RELATION_KEYS = {iri: key for key, iri in RELATION_PROPERTIES.items()}
ALLIANCE_RELATION = "member_of_alliance"  # clique edges between members of one alliance

PREFIXES = """PREFIX lj: <https://w3id.org/lianjian/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

_TYPE_VALUES = " ".join(f"lj:{t}" for t in ORG_TYPES)

Q_ORGS = PREFIXES + f"SELECT ?org ?type WHERE {{ VALUES ?type {{ {_TYPE_VALUES} }} ?org a ?type }}"
Q_LABELS = PREFIXES + "SELECT ?s ?label WHERE { ?s skos:prefLabel ?label }"
Q_ALIASES = PREFIXES + "SELECT ?s ?alias WHERE { ?s skos:altLabel ?alias }"
Q_PLACES = PREFIXES + "SELECT ?org ?place WHERE { ?org lj:locatedIn ?place }"
# Articles are counted in the store: only the organization IRI is decoded.
Q_MENTIONS = PREFIXES + "SELECT ?org (COUNT(DISTINCT ?a) AS ?n) WHERE { ?org lj:mentionedIn ?a } GROUP BY ?org"
# Links are read as single-pattern scans and joined in Python: on an on-disk
# Oxigraph store each join step costs more than decoding the shared IRI twice.
Q_SCAN = PREFIXES + "SELECT ?s ?o WHERE { ?s %s ?o }"
Q_ARTICLES = PREFIXES + (
    "SELECT ?a ?title ?date WHERE { ?a a lj:Article . "
    "OPTIONAL { ?a dcterms:title ?title } OPTIONAL { ?a dcterms:date ?date } }"
)
# The articles of chosen links (%s: a VALUES list), when their article counts cannot simply be used.
Q_LINK_ARTICLES = PREFIXES + "SELECT ?l ?a WHERE { VALUES ?l { %s } ?l lj:evidence ?e . ?e prov:wasDerivedFrom ?a }"
# Only used when the store holds no qualified links (e.g. RDF imported from elsewhere).
Q_DIRECT = PREFIXES + "SELECT ?s ?p ?t WHERE { VALUES ?p { %s } ?s ?p ?t }"

EXAMPLE_TTL = """@prefix lj: <https://w3id.org/lianjian/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/lianjian/id/org/a> a lj:PartyOrganization, org:Organization ; skos:prefLabel "甲党支部"@zh-Hans .
<https://w3id.org/lianjian/id/org/b> a lj:BorderInspection, org:Organization ; skos:prefLabel "乙边检站"@zh-Hans .
<https://w3id.org/lianjian/id/link/x> a lj:Link ; lj:relation lj:jointBuildingWith ;
  lj:source <https://w3id.org/lianjian/id/org/a> ; lj:target <https://w3id.org/lianjian/id/org/b> ;
  lj:evidence <https://w3id.org/lianjian/id/evidence/e> .
<https://w3id.org/lianjian/id/evidence/e> a lj:Evidence ; lj:sentence "s"@zh-Hans ;
  prov:wasDerivedFrom <https://w3id.org/lianjian/id/article/p> .
"""


def _value(term: Any) -> str | None:
    """A result term as a plain string (IRI, literal lexical form)."""
    if term is None:
        return None
    if type(term).__module__.startswith("rdflib"):
        return str(term)  # plain str: rdflib terms hash differently from equal strings
    if isinstance(term, str):
        return term
    value = getattr(term, "value", None)  # pyoxigraph NamedNode / Literal / BlankNode
    return value if isinstance(value, str) else str(term)


_ECHAR = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _ECHARS.get(match.group(3), match.group(3))


def _tsv_cell(cell: str) -> str | None:
    """One SPARQL TSV cell as a plain string: IRI without <>, literal lexical form, number as written.

    >>> _tsv_cell('"甲"@zh-hans'), _tsv_cell("<http://x/y>"), _tsv_cell(""), _tsv_cell("3")
    ('甲', 'http://x/y', None, '3')
    """
    if not cell:
        return None
    first = cell[0]
    if first == "<":
        return cell[1:-1]
    if first == '"':
        body = cell[1:cell.rindex('"')]
        return _ECHAR.sub(_unescape, body) if "\\" in body else body
    return cell


def _serialize(store: Any, sparql: str) -> bytes:
    """Run the query and serialize the rows to TSV, all inside Oxigraph (the GIL is released)."""
    import pyoxigraph

    return store.query(sparql, use_default_graph_as_union=True).serialize(format=pyoxigraph.QueryResultsFormat.TSV)


def _parse_tsv(data: bytes) -> Iterator[tuple[str | None, ...]]:
    lines = data.decode("utf-8").split("\n")
    del lines[0]
    cell = _tsv_cell
    for line in lines:
        if line:  # IRIs, most of the cells, inline: a call per cell is a third of the parsing time
            yield tuple([c[1:-1] if c[:1] == "<" else cell(c) for c in line.split("\t")])


def _select_tsv(store: Any, sparql: str) -> Iterator[tuple[str | None, ...]]:
    """Rows serialized to TSV inside Oxigraph and split in Python: a third less CPU than
    building a Python term object per cell."""
    yield from _parse_tsv(_serialize(store, sparql))


class _Prefetched:
    """A source whose known queries already run in the background, two at a time.

    Decoding terms from an on-disk store is most of the projection's cost and
    runs without the GIL, so the next scans proceed while Python joins the
    previous ones.
    """

    def __init__(self, source: Any, queries: Sequence[str]) -> None:
        self.source = source
        self.futures: dict[str, Any] = {}
        store = _oxigraph_store(source)
        if store is not None:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(max_workers=2)
            self.futures = {q: self.pool.submit(_serialize, store, q) for q in queries}

    def rows(self, sparql: str, variables: Sequence[str]) -> Iterator[tuple[str | None, ...]]:
        future = self.futures.pop(sparql, None)
        if future is None:
            return select(self.source, sparql, variables)
        return _parse_tsv(future.result())

    def close(self) -> None:
        for future in self.futures.values():
            future.cancel()
        if self.futures or hasattr(self, "pool"):
            self.pool.shutdown(wait=True)


def _oxigraph_store(source: Any) -> Any | None:
    """The pyoxigraph Store behind ``source``, when there is one to read directly."""
    import pyoxigraph

    if isinstance(source, pyoxigraph.Store):
        return source
    for name in ("ox", "oxigraph", "store"):
        inner = getattr(source, name, None)
        if isinstance(inner, pyoxigraph.Store):
            return inner
    return None


def select(source: Any, sparql: str, variables: Sequence[str]) -> Iterator[tuple[str | None, ...]]:
    """Run a SELECT on a KGStore, a pyoxigraph Store or an rdflib Graph; yield plain-string tuples.

    Named graphs are part of the default graph (the union), as everywhere in the project.
    """
    if isinstance(source, _Prefetched):
        yield from source.rows(sparql, variables)
        return
    store = _oxigraph_store(source)
    if store is not None:
        yield from _select_tsv(store, sparql)
        return
    result = source.query(sparql)
    if hasattr(result, "rows"):  # kg.store.QueryResult (e.g. a remote endpoint)
        for row in result.rows:
            yield tuple(_value(row.get(v)) for v in variables)
        return
    for row in result:
        if isinstance(row, dict):
            yield tuple(_value(row.get(v)) for v in variables)
            continue
        try:
            yield tuple(_value(row[v]) for v in variables)
        except (KeyError, TypeError, IndexError, ValueError):
            yield tuple(_value(row[i]) for i in range(len(variables)))


def _label_from_iri(iri: str) -> str:
    return unquote(iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def _check_relations(relations: Iterable[str] | None) -> list[str] | None:
    if relations is None:
        return None
    chosen = sorted(set(relations))
    unknown = [r for r in chosen if r not in RELATION_PROPERTIES]
    if unknown:
        raise ValueError(f"unknown relation {', '.join(unknown)}: use {', '.join(RELATION_TYPES)}")
    return chosen


def _read_organizations(source: Any) -> dict[str, dict]:
    types: dict[str, list[str]] = defaultdict(list)
    for org, type_iri in select(source, Q_ORGS, ("org", "type")):
        types[org].append(type_iri[len(LJ):])
    orgs = {
        org: {"label": None, "type": min(found), "aliases": [], "place": None, "articles": 0}
        for org, found in types.items()
    }
    labels: dict[str, str] = {}
    for subject, label in select(source, Q_LABELS, ("s", "label")):
        # Deterministic even if a subject has several prefLabels.
        if subject not in labels or label < labels[subject]:
            labels[subject] = label
    for org, record in orgs.items():
        record["label"] = labels.get(org) or _label_from_iri(org)
    aliases: dict[str, set[str]] = defaultdict(set)
    for org, alias in select(source, Q_ALIASES, ("s", "alias")):
        if org in orgs:
            aliases[org].add(alias)
    for org, names in aliases.items():
        orgs[org]["aliases"] = sorted(names - {orgs[org]["label"]})
    for org, place in select(source, Q_PLACES, ("org", "place")):
        if org in orgs:
            name = labels.get(place, place)
            current = orgs[org]["place"]
            orgs[org]["place"] = name if current is None else min(current, name)
    for org, count in select(source, Q_MENTIONS, ("org", "n")):
        if org in orgs:
            orgs[org]["articles"] = int(count)
    return orgs


def _scan(source: Any, predicate: str) -> Iterator[tuple[str, str]]:
    return select(source, Q_SCAN % predicate, ("s", "o"))  # type: ignore[return-value]


def _read_link_ends(source: Any, relations: list[str] | None) -> dict[str, dict]:
    """Qualified links as ``{link: {"iri", "relation", "source", "target"}}`` (self-links dropped)."""
    wanted = set(relations) if relations is not None else None
    kinds: dict[str, str] = {}
    for link, rel in _scan(source, "lj:relation"):
        key = RELATION_KEYS.get(rel)
        if key is not None and (wanted is None or key in wanted):
            kinds[link] = key
    sources = {link: s for link, s in _scan(source, "lj:source") if link in kinds}
    links: dict[str, dict] = {}
    for link, t in _scan(source, "lj:target"):
        s = sources.get(link)
        if s is not None and s != t:
            links[link] = {"iri": link, "relation": kinds[link], "source": s, "target": t}
    return links


def _read_direct_links(source: Any, relations: list[str] | None) -> list[dict]:
    """Links from the direct triples, for stores without qualified links (no evidence, weight 1)."""
    chosen = relations if relations is not None else list(RELATION_PROPERTIES)
    props = " ".join(f"<{RELATION_PROPERTIES[r]}>" for r in chosen)
    direct = {}
    for s, p, t in select(source, Q_DIRECT % props, ("s", "p", "t")):
        key = RELATION_KEYS[p]
        if s != t:
            ends = (s, t) if key not in ("joint_building", "joint_defense", "cooperation") else tuple(sorted((s, t)))
            direct[(key, *ends)] = {"iri": None, "relation": key, "source": ends[0], "target": ends[1],
                                    "evidence": [], "count": 0}
    return [direct[k] for k in sorted(direct)]


def _read_links(source: Any, relations: list[str] | None, *, evidence: bool = True) -> list[dict]:
    """Links as ``{"iri", "relation", "source", "target", ...}`` sorted by link IRI.

    With ``evidence``, each carries ``"evidence": [(sentence, article)]``;
    without, ``"count"``: its ``lj:articleCount`` (None where the store has
    none), so no sentence is decoded.
    """
    links = _read_link_ends(source, relations) if evidence else _read_counted_links(source, relations)
    if not links:
        return _read_direct_links(source, relations)
    if evidence:
        for link in links.values():
            link["evidence"] = []
        evidence_of = {ev: link for link, ev in _scan(source, "lj:evidence") if link in links}
        sentences = {ev: sentence for ev, sentence in _scan(source, "lj:sentence") if ev in evidence_of}
        articles = {ev: a for ev, a in _scan(source, "prov:wasDerivedFrom") if ev in sentences}
        for ev in sorted(sentences):
            links[evidence_of[ev]]["evidence"].append((sentences[ev], articles.get(ev)))
    return [links[k] for k in sorted(links)]


def counted_links_query(relations: Sequence[str]) -> str:
    """One SELECT of every qualified link of ``relations`` with its ends and article count.

    Each pattern is a sub-SELECT, which Oxigraph reads once and hash-joins
    on the stored term ids; the relation comes back as its index in
    ``relations`` (a number is stored inline, an IRI must be looked up), so
    the only strings decoded are the link and its two ends.
    """
    kinds = " UNION ".join(
        f"{{ {{ SELECT ?l WHERE {{ ?l lj:relation <{RELATION_PROPERTIES[r]}> }} }} BIND({i} AS ?r) }}"
        for i, r in enumerate(relations)
    )
    return PREFIXES + (
        f"SELECT ?l ?r ?s ?t ?n WHERE {{ {kinds} "
        "{ SELECT ?l ?s WHERE { ?l lj:source ?s } } { SELECT ?l ?t WHERE { ?l lj:target ?t } } "
        "OPTIONAL { SELECT ?l ?n WHERE { ?l lj:articleCount ?n } } }"
    )


def _read_counted_links(source: Any, relations: list[str] | None) -> dict[str, dict]:
    """Qualified links as ``{link: {"iri", "relation", "source", "target", "count"}}``, no evidence read."""
    chosen = relations if relations is not None else list(RELATION_TYPES)
    links: dict[str, dict] = {}
    for link, r, s, t, n in select(source, counted_links_query(chosen), ("l", "r", "s", "t", "n")):
        if s != t:
            count = int(n) if n is not None and n.isdigit() else None
            links[link] = {"iri": link, "relation": chosen[int(r)], "source": s, "target": t, "count": count}
    return links


_PLAIN_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")
VALUES_LIMIT = 2_000  # link IRIs per VALUES block


def _read_link_articles(source: Any, links: list[str], total: int) -> dict[str, set[str]]:
    """The articles of some links' evidence: looked up by IRI when they are few of
    ``total``, else from two whole scans."""
    found: dict[str, set[str]] = defaultdict(set)
    by_iri = len(links) * 4 < total and all(
        not link.startswith("_:") and _PLAIN_IRI.fullmatch(link) for link in links
    )
    if by_iri:
        for start in range(0, len(links), VALUES_LIMIT):
            block = " ".join(f"<{link}>" for link in links[start:start + VALUES_LIMIT])
            for link, article in select(source, Q_LINK_ARTICLES % block, ("l", "a")):
                if article:
                    found[link].add(article)
        return found
    wanted = set(links)
    evidence_of = {ev: link for link, ev in _scan(source, "lj:evidence") if link in wanted}
    for ev, article in _scan(source, "prov:wasDerivedFrom"):
        link = evidence_of.get(ev)
        if link is not None and article:
            found[link].add(article)
    return found


def _read_articles(source: Any) -> dict[str, tuple[str | None, str | None]]:
    meta: dict[str, tuple[str | None, str | None]] = {}
    for article, title, date in select(source, Q_ARTICLES, ("a", "title", "date")):
        old = meta.get(article)
        meta[article] = (title, date) if old is None else (old[0] or title, old[1] or date)
    return meta


def _evidence_rows(link: dict, relation: str, meta: dict) -> list[dict]:
    rows = []
    for sentence, article in link["evidence"]:
        title, date = meta.get(article, (None, None)) if article else (None, None)
        rows.append({"relation": relation, "sentence": sentence, "article": article, "title": title, "date": date})
    return rows


class _Edges:
    """Edges being assembled, in first-seen order (the order networkx will keep),
    as plain dicts: ``{"relations": [...], key: [parts of its links]}``."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.data: dict[tuple[str, str], dict] = {}

    def add(self, u: str, v: str, relation: str, parts: list) -> None:
        data = self.data.get((u, v)) or self.data.get((v, u))
        if data is None:
            self.data[(u, v)] = {"relations": [relation], self.key: list(parts)}
            return
        if relation not in data["relations"]:
            data["relations"].append(relation)
        data[self.key].extend(parts)


def _finish_edges(edges: _Edges) -> None:
    def order(e: dict) -> tuple:
        return (e["relation"], e["date"] or "", e["article"] or "", e["sentence"] or "")

    for data in edges.data.values():
        data["relations"].sort()
        data["evidence"].sort(key=order)
        articles = {e["article"] for e in data["evidence"] if e["article"]}
        data["weight"] = max(1, len(articles))


def _finish_weights(edges: _Edges, source: Any, total: int) -> None:
    """Weights without evidence: an edge made of one link weighs its article count;
    where several links meet (or a count is missing) the distinct articles of
    those links are fetched and counted, as the evidence would count them."""
    needed: set[str] = set()
    for data in edges.data.values():
        parts = data["links"]
        if len(parts) > 1 or parts[0]["count"] is None:
            needed.update(part["iri"] for part in parts if part["iri"] is not None)
    articles = _read_link_articles(source, sorted(needed), total) if needed else {}
    for data in edges.data.values():
        parts = data.pop("links")
        data["relations"].sort()
        if len(parts) == 1 and parts[0]["count"] is not None:
            count = parts[0]["count"]
        else:
            count = len(set().union(*(articles.get(part["iri"], ()) for part in parts)))
        data["weight"] = max(1, count)


def _node_attributes(iri: str, orgs: dict[str, dict]) -> dict:
    attrs = orgs.get(iri) or {"label": _label_from_iri(iri), "type": None, "aliases": [], "place": None, "articles": 0}
    return {**attrs, "aliases": list(attrs["aliases"])}


def project(
    source: Any,
    relations: Sequence[str] | None = None,
    alliances: Literal["node", "clique"] = "node",
    *,
    cache: bool = True,
    evidence: bool = True,
) -> nx.Graph:
    """The organizations and their links as an undirected weighted graph.

    ``source``: a ``kg.store.KGStore``, a pyoxigraph ``Store`` or an rdflib ``Graph``.
    ``relations``: relation keys to keep (default all); with a selection, only
    organizations touching a selected link become nodes, otherwise every
    organization does (isolated ones included).
    ``alliances="clique"`` replaces each Alliance by links between all its
    members (relation ``member_of_alliance``, carrying both members' membership
    evidence); the alliance's other links are dropped with it.
    ``cache``: reuse (and keep) the projection of an embedded store's current
    version in its cache folder; the graph returned is always a fresh copy.
    ``evidence=False``: edges carry only ``weight`` and ``relations`` (what
    the measures need); no sentence is read, which makes a cold projection of
    a large store several times cheaper. Weights are the same either way as
    long as each link's ``lj:articleCount`` (written by ``kg build``) counts
    the articles of its evidence.
    """
    from kg import projection_cache

    if alliances not in ("node", "clique"):
        raise ValueError(f"alliances must be 'node' or 'clique', not {alliances!r}")
    chosen = _check_relations(relations)
    key = projection_cache.cache_key(source, chosen, alliances) if cache else None
    with no_cycle_collection():
        if key is not None:
            cached = projection_cache.read(key, evidence=evidence)
            if cached is not None:
                return cached
        graph, order = _build(source, chosen, alliances, evidence=evidence)
    if key is not None:
        projection_cache.write(key, graph, evidence=evidence, order=order)
    return graph


def cache_projection(location: str) -> bool:
    """Project the current version of the embedded store at ``location`` (all
    relations, alliances as nodes, no evidence) and keep it in the store's
    cache, so the first ``kg analyze`` after a write starts from the cache.

    Returns whether a projection was kept. Best effort: a remote store, or a
    store that cannot be read, is left as it is.
    """
    from kg import projection_cache
    from kg.store import StoreError, open_store

    try:
        store = open_store(location)
        if projection_cache.cache_key(store, None, "node") is None:
            return False
        project(store, evidence=False)
    except (StoreError, OSError, ValueError):
        return False
    return True




def _build(source: Any, chosen: list[str] | None, alliances: str, *,
           evidence: bool = True) -> tuple[nx.Graph, list[tuple[str, str]]]:
    """The graph, and its edges in the order they were added (what the cache keeps)."""
    queries = [Q_ORGS, Q_LABELS, Q_ALIASES, Q_PLACES, Q_MENTIONS]
    if evidence:
        queries += [Q_SCAN % p for p in ("lj:relation", "lj:source", "lj:target", "lj:evidence", "lj:sentence",
                                         "prov:wasDerivedFrom")] + [Q_ARTICLES]
    else:  # the big links query first, so the organizations are read beside it
        queries.insert(0, counted_links_query(chosen if chosen is not None else list(RELATION_TYPES)))
    reader = _Prefetched(source, queries)
    try:
        orgs = _read_organizations(reader)
        links = _read_links(reader, chosen, evidence=evidence)
        meta = _read_articles(reader) if evidence and any(link["evidence"] for link in links) else {}
    finally:
        reader.close()
    if evidence:
        nodes, edges = _assemble(orgs, links, chosen, alliances,
                                 lambda link: _evidence_rows(link, link["relation"], meta),
                                 lambda rows: [{**e, "relation": ALLIANCE_RELATION} for e in rows], "evidence")
        _finish_edges(edges)
    else:
        nodes, edges = _assemble(orgs, links, chosen, alliances, lambda link: [link], lambda parts: parts, "links")
        _finish_weights(edges, source, len(links))
    graph = nx.Graph()
    graph.add_nodes_from((iri, _node_attributes(iri, orgs)) for iri in nodes)
    graph.add_edges_from((u, v, data) for (u, v), data in edges.data.items())
    return graph, list(edges.data)


def _assemble(orgs: dict[str, dict], links: list[dict], chosen: list[str] | None, alliances: str,
              parts_of: Any, carried: Any, key: str) -> tuple[dict[str, None], _Edges]:
    """The nodes (an ordered set) and edges; each edge collects in ``key`` the
    parts (``parts_of(link)``) of its links. Nodes and edges keep the order in
    which they are first met, as adding them to a graph one by one would."""
    nodes: dict[str, None] = dict.fromkeys(sorted(orgs)) if chosen is None else {}
    edges = _Edges(key)
    is_alliance = {iri for iri, attrs in orgs.items() if attrs["type"] == "Alliance"}
    members: dict[str, list[tuple[str, list]]] = defaultdict(list)
    clique = alliances == "clique"
    for link in links:
        s, t, relation = link["source"], link["target"], link["relation"]
        parts = parts_of(link)
        if clique and (s in is_alliance or t in is_alliance):
            if relation == "member_of" and t in is_alliance and s not in is_alliance:
                members[t].append((s, parts))
            continue
        nodes.setdefault(s)
        nodes.setdefault(t)
        edges.add(s, t, relation, parts)
    if clique:
        for iri in is_alliance:
            nodes.pop(iri, None)
        for alliance in sorted(members):
            group = sorted(members[alliance], key=lambda m: m[0])
            for u, _ in group:
                nodes.setdefault(u)
            for i, (u, parts_u) in enumerate(group):
                for v, parts_v in group[i + 1:]:
                    if u != v:
                        edges.add(u, v, ALLIANCE_RELATION, carried(parts_u + parts_v))
    return nodes, edges
