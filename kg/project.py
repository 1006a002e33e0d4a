"""Project the RDF knowledge graph into one undirected networkx graph.

Every analysis and every map starts here. The graph is read with a handful of
SPARQL SELECTs (never one query per node) and joined in Python, so a store of
100,000 organizations projects in seconds.

Nodes are organization IRIs with ``label``, ``type``, ``aliases`` (list),
``place`` (place label, or None), ``articles`` (number of articles mentioning
the unit). Edges carry ``weight`` (distinct articles stating any selected link
between the two units; 1 for a curated link without article), ``relations``
(sorted relation keys) and ``evidence`` (list of ``{"relation", "sentence",
"article", "title", "date"}``).

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

import hashlib
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

import networkx as nx

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
    for line in lines[1:]:
        if line:
            yield tuple(map(_tsv_cell, line.split("\t")))


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


def _read_links(source: Any, relations: list[str] | None) -> list[dict]:
    """Links as ``{"relation", "source", "target", "evidence": [(sentence, article)]}``."""
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
            links[link] = {"relation": kinds[link], "source": s, "target": t, "evidence": []}
    if links:
        evidence_of = {ev: link for link, ev in _scan(source, "lj:evidence") if link in links}
        sentences = {ev: sentence for ev, sentence in _scan(source, "lj:sentence") if ev in evidence_of}
        articles = {ev: a for ev, a in _scan(source, "prov:wasDerivedFrom") if ev in sentences}
        for ev in sorted(sentences):
            links[evidence_of[ev]]["evidence"].append((sentences[ev], articles.get(ev)))
        return [links[k] for k in sorted(links)]
    # No qualified links: fall back to the direct triples (no evidence, weight 1).
    chosen = relations if relations is not None else list(RELATION_PROPERTIES)
    props = " ".join(f"<{RELATION_PROPERTIES[r]}>" for r in chosen)
    direct = {}
    for s, p, t in select(source, Q_DIRECT % props, ("s", "p", "t")):
        key = RELATION_KEYS[p]
        if s != t:
            ends = (s, t) if key not in ("joint_building", "joint_defense", "cooperation") else tuple(sorted((s, t)))
            direct[(key, *ends)] = {"relation": key, "source": ends[0], "target": ends[1], "evidence": []}
    return [direct[k] for k in sorted(direct)]


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


def _add_link(graph: nx.Graph, u: str, v: str, relation: str, evidence: list[dict]) -> None:
    if graph.has_edge(u, v):
        data = graph.edges[u, v]
        if relation not in data["relations"]:
            data["relations"].append(relation)
        data["evidence"].extend(evidence)
    else:
        graph.add_edge(u, v, relations=[relation], evidence=list(evidence))


def _finish_edges(graph: nx.Graph) -> None:
    def order(e: dict) -> tuple:
        return (e["relation"], e["date"] or "", e["article"] or "", e["sentence"] or "")

    for _, _, data in graph.edges(data=True):
        data["relations"].sort()
        data["evidence"].sort(key=order)
        articles = {e["article"] for e in data["evidence"] if e["article"]}
        data["weight"] = max(1, len(articles))


def _add_node(graph: nx.Graph, iri: str, orgs: dict[str, dict]) -> None:
    if iri not in graph:
        attrs = orgs.get(iri) or {"label": _label_from_iri(iri), "type": None, "aliases": [], "place": None, "articles": 0}
        graph.add_node(iri, **{**attrs, "aliases": list(attrs["aliases"])})


# -- cache -------------------------------------------------------------------
# Reading 500,000 links back from an on-disk store takes tens of seconds, and
# every `kg analyze` command starts with a projection. A store version never
# changes once current (every write makes a new one), so the projection of the
# current version is kept as JSON (never pickle: a store folder may come from
# someone else) in the store's cache folder and reused until CURRENT changes.

CACHE_FORMAT = 1


def _cache_file(source: Any, relations: list[str] | None, alliances: str) -> Path | None:
    current = getattr(source, "current_path", None)
    cache_dir = getattr(source, "cache_dir", None)
    root = getattr(source, "root", None)
    if not callable(current) or cache_dir is None or root is None:
        return None
    try:
        version = current()
        stamp = os.stat(Path(root) / "CURRENT")
    except OSError:
        return None
    if version is None:
        return None
    key = json.dumps([CACHE_FORMAT, str(version), stamp.st_ino, stamp.st_mtime_ns, relations, alliances])
    return Path(cache_dir) / "projection" / (hashlib.sha1(key.encode()).hexdigest()[:20] + ".json")


def _dump(graph: nx.Graph) -> str:
    nodes = list(graph)
    index = {n: i for i, n in enumerate(nodes)}
    articles: dict[tuple, int] = {}
    edges = []
    for u, v, d in graph.edges(data=True):
        evidence = []
        for e in d["evidence"]:
            ref = articles.setdefault((e["article"], e["title"], e["date"]), len(articles))
            evidence.append([e["relation"], e["sentence"], ref])
        edges.append([index[u], index[v], d["weight"], d["relations"], evidence])
    data = {
        "format": CACHE_FORMAT,
        "nodes": [[n, a["label"], a["type"], a["aliases"], a["place"], a["articles"]] for n, a in graph.nodes(data=True)],
        "articles": [list(k) for k in articles],
        "edges": edges,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _load(text: str) -> nx.Graph:
    data = json.loads(text)
    if data.get("format") != CACHE_FORMAT:
        raise ValueError("stale projection cache")
    graph = nx.Graph()
    nodes = [row[0] for row in data["nodes"]]
    graph.add_nodes_from(
        (n, {"label": label, "type": kind, "aliases": aliases, "place": place, "articles": count})
        for n, label, kind, aliases, place, count in data["nodes"]
    )
    articles = data["articles"]
    graph.add_edges_from(
        (nodes[u], nodes[v], {
            "relations": relations,
            "evidence": [
                {"relation": r, "sentence": s, "article": articles[a][0], "title": articles[a][1], "date": articles[a][2]}
                for r, s, a in evidence
            ],
            "weight": weight,
        })
        for u, v, weight, relations, evidence in data["edges"]
    )
    return graph


def _read_cache(path: Path) -> nx.Graph | None:
    try:
        return _load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def _write_cache(path: Path, graph: nx.Graph) -> None:
    """Best effort: a read-only store folder simply gets no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("*.json"):
            if old.name != path.name and old.stat().st_mtime < time.time() - 60:
                old.unlink(missing_ok=True)  # projections of earlier versions
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(_dump(graph), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


def project(
    source: Any,
    relations: Sequence[str] | None = None,
    alliances: Literal["node", "clique"] = "node",
    *,
    cache: bool = True,
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
    """
    if alliances not in ("node", "clique"):
        raise ValueError(f"alliances must be 'node' or 'clique', not {alliances!r}")
    chosen = _check_relations(relations)
    cache_file = _cache_file(source, chosen, alliances) if cache else None
    if cache_file is not None and cache_file.exists():
        cached = _read_cache(cache_file)
        if cached is not None:
            return cached
    graph = _build(source, chosen, alliances)
    if cache_file is not None:
        _write_cache(cache_file, graph)
    return graph


def _build(source: Any, chosen: list[str] | None, alliances: str) -> nx.Graph:
    scans = [Q_SCAN % p for p in ("lj:relation", "lj:source", "lj:target", "lj:evidence", "lj:sentence",
                                   "prov:wasDerivedFrom")]
    reader = _Prefetched(source, [Q_ORGS, Q_LABELS, Q_ALIASES, Q_PLACES, Q_MENTIONS, *scans, Q_ARTICLES])
    try:
        orgs = _read_organizations(reader)
        links = _read_links(reader, chosen)
        meta = _read_articles(reader) if any(link["evidence"] for link in links) else {}
    finally:
        reader.close()

    graph = nx.Graph()
    if chosen is None:
        for iri in sorted(orgs):
            _add_node(graph, iri, orgs)
    is_alliance = {iri for iri, attrs in orgs.items() if attrs["type"] == "Alliance"}
    members: dict[str, list[tuple[str, list[dict]]]] = defaultdict(list)
    for link in links:
        s, t, relation = link["source"], link["target"], link["relation"]
        evidence = _evidence_rows(link, relation, meta)
        if alliances == "clique" and (s in is_alliance or t in is_alliance):
            if relation == "member_of" and t in is_alliance and s not in is_alliance:
                members[t].append((s, evidence))
            continue
        _add_node(graph, s, orgs)
        _add_node(graph, t, orgs)
        _add_link(graph, s, t, relation, evidence)
    if alliances == "clique":
        graph.remove_nodes_from([n for n in list(graph) if n in is_alliance])
        for alliance in sorted(members):
            group = sorted(members[alliance], key=lambda m: m[0])
            for _, (u, _) in enumerate(group):
                _add_node(graph, u, orgs)
            for i, (u, ev_u) in enumerate(group):
                for v, ev_v in group[i + 1:]:
                    if u != v:
                        carried = [{**e, "relation": ALLIANCE_RELATION} for e in ev_u + ev_v]
                        _add_link(graph, u, v, ALLIANCE_RELATION, carried)
    _finish_edges(graph)
    return graph
