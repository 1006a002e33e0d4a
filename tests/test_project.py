"""The projection from RDF (architecture vocabulary) to networkx."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from kg.project import ALLIANCE_RELATION, project

ID = "https://w3id.org/lianjian/id/"

# A small fictional graph: four units, one alliance, two articles, a curated link.
TTL = """@prefix lj: <https://w3id.org/lianjian/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix o: <https://w3id.org/lianjian/id/org/> .
@prefix a: <https://w3id.org/lianjian/id/article/> .
@prefix l: <https://w3id.org/lianjian/id/link/> .
@prefix e: <https://w3id.org/lianjian/id/evidence/> .
@prefix p: <https://w3id.org/lianjian/id/place/> .

o:A a lj:PartyOrganization, org:Organization ; skos:prefLabel "甲镇党委"@zh-Hans ;
    lj:mentionedIn a:1, a:2 ; lj:locatedIn p:330000 .
o:B a lj:BorderInspection, org:Organization ; skos:prefLabel "乙出入境边防检查站"@zh-Hans ;
    skos:altLabel "乙边检站"@zh-Hans ; lj:mentionedIn a:1, a:2, a:3 .
o:C a lj:Village, org:Organization ; skos:prefLabel "丙村党支部"@zh-Hans ; lj:mentionedIn a:3 .
o:D a lj:Customs, org:Organization ; skos:prefLabel "丁海关"@zh-Hans ; lj:mentionedIn a:3 .
o:E a lj:Enterprise, org:Organization ; skos:prefLabel "戊公司"@zh-Hans .
o:L a lj:Alliance, org:Organization ; skos:prefLabel "某口岸党建联盟"@zh-Hans ; lj:mentionedIn a:3 .
p:330000 a lj:AdministrativeDivision ; skos:prefLabel "某省"@zh-Hans .

a:1 a lj:Article ; dcterms:title "标题一" ; dcterms:date "2024-01-02"^^xsd:date .
a:2 a lj:Article ; dcterms:title "标题二" ; dcterms:date "2024-03-04"^^xsd:date .
a:3 a lj:Article ; dcterms:title "标题三" .

l:ab a lj:Link ; lj:relation lj:jointBuildingWith ; lj:source o:A ; lj:target o:B ;
    lj:evidence e:ab1, e:ab2, e:ab3 .
e:ab1 a lj:Evidence ; lj:sentence "句一"@zh-Hans ; prov:wasDerivedFrom a:1 .
e:ab2 a lj:Evidence ; lj:sentence "句二"@zh-Hans ; prov:wasDerivedFrom a:1 .
e:ab3 a lj:Evidence ; lj:sentence "句三"@zh-Hans ; prov:wasDerivedFrom a:2 .
l:ab2 a lj:Link ; lj:relation lj:jointDefenseWith ; lj:source o:A ; lj:target o:B ; lj:evidence e:ab4 .
e:ab4 a lj:Evidence ; lj:sentence "句四"@zh-Hans ; prov:wasDerivedFrom a:3 .
l:bc a lj:Link ; lj:relation lj:cooperatesWith ; lj:source o:B ; lj:target o:C ; lj:curated true .
l:cl a lj:Link ; lj:relation org:memberOf ; lj:source o:C ; lj:target o:L ; lj:evidence e:cl .
e:cl a lj:Evidence ; lj:sentence "句五"@zh-Hans ; prov:wasDerivedFrom a:3 .
l:dl a lj:Link ; lj:relation org:memberOf ; lj:source o:D ; lj:target o:L ; lj:evidence e:dl .
e:dl a lj:Evidence ; lj:sentence "句六"@zh-Hans ; prov:wasDerivedFrom a:3 .
l:al a lj:Link ; lj:relation org:memberOf ; lj:source o:A ; lj:target o:L ; lj:evidence e:al .
e:al a lj:Evidence ; lj:sentence "句七"@zh-Hans ; prov:wasDerivedFrom a:2 .
"""


def org(key: str) -> str:
    return f"{ID}org/{key}"


def oxigraph_store(ttl: str = TTL) -> ox.Store:
    store = ox.Store()
    store.load(input=ttl, format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture
def store() -> ox.Store:
    return oxigraph_store()


def test_nodes_carry_label_type_aliases_place_articles(store):
    g = project(store)
    assert set(g) == {org(k) for k in "ABCDEL"}
    b = g.nodes[org("B")]
    assert (b["label"], b["type"], b["aliases"], b["articles"]) == ("乙出入境边防检查站", "BorderInspection", ["乙边检站"], 3)
    assert g.nodes[org("A")]["place"] == "某省"
    assert g.nodes[org("E")]["articles"] == 0 and g.degree(org("E")) == 0


def test_weight_counts_distinct_articles_across_relations(store):
    g = project(store)
    ab = g.edges[org("A"), org("B")]
    assert ab["weight"] == 3  # articles 1, 2, 3; two sentences of article 1 count once
    assert ab["relations"] == ["joint_building", "joint_defense"]
    assert [e["sentence"] for e in ab["evidence"]] == ["句一", "句二", "句三", "句四"]
    first = ab["evidence"][0]
    assert first == {"relation": "joint_building", "sentence": "句一", "article": f"{ID}article/1",
                     "title": "标题一", "date": "2024-01-02"}


def test_curated_link_without_article_weighs_one(store):
    g = project(store)
    bc = g.edges[org("B"), org("C")]
    assert (bc["weight"], bc["relations"], bc["evidence"]) == (1, ["cooperation"], [])


def test_relation_filter_keeps_only_touching_units(store):
    g = project(store, relations=["joint_defense"])
    assert set(g) == {org("A"), org("B")}
    assert g.edges[org("A"), org("B")]["relations"] == ["joint_defense"]
    assert g.edges[org("A"), org("B")]["weight"] == 1


def test_unknown_relation_is_refused(store):
    with pytest.raises(ValueError, match="unknown relation"):
        project(store, relations=["friends"])


def test_alliance_as_node(store):
    g = project(store)
    assert set(g[org("L")]) == {org("A"), org("C"), org("D")}
    assert g.edges[org("C"), org("L")]["relations"] == ["member_of"]


def test_alliance_as_clique(store):
    g = project(store, alliances="clique")
    assert org("L") not in g
    cd = g.edges[org("C"), org("D")]
    assert cd["relations"] == [ALLIANCE_RELATION]
    assert sorted(e["sentence"] for e in cd["evidence"]) == ["句五", "句六"]
    assert cd["weight"] == 1  # both memberships stated in article 3
    ac = g.edges[org("A"), org("C")]
    assert ac["weight"] == 2
    assert g.edges[org("B"), org("C")]["relations"] == ["cooperation"]  # untouched


def test_deterministic(store):
    one, two = project(store), project(oxigraph_store())
    assert list(one.nodes(data=True)) == list(two.nodes(data=True))
    assert list(one.edges(data=True)) == list(two.edges(data=True))


def test_rdflib_graph_gives_the_same_projection(store):
    graph = rdflib.Graph()
    graph.parse(data=TTL, format="turtle")
    assert sorted(project(graph).edges(data="weight")) == sorted(project(store).edges(data="weight"))


def test_direct_triples_are_used_when_there_are_no_qualified_links():
    ttl = """@prefix lj: <https://w3id.org/lianjian/ontology#> .
@prefix o: <https://w3id.org/lianjian/id/org/> .
o:A a lj:Customs . o:B a lj:Village .
o:A lj:jointBuildingWith o:B . o:B lj:jointBuildingWith o:A .
"""
    g = project(oxigraph_store(ttl))
    assert g.edges[org("A"), org("B")] == {"relations": ["joint_building"], "evidence": [], "weight": 1}
    assert g.nodes[org("A")]["label"] == "A"


def test_kgstore_is_read_directly(tmp_path, store):
    from kg.store import open_store

    path = tmp_path / "data.ttl"
    path.write_text(TTL, encoding="utf-8")
    kg = open_store(str(tmp_path / "store"))
    with kg.new_version() as transaction:
        transaction.load_file(path)
    g = project(open_store(str(tmp_path / "store")))
    assert sorted(g.edges(data="weight")) == sorted(project(store).edges(data="weight"))


def test_cache_returns_the_same_graph_and_follows_new_versions(tmp_path, store):
    from kg.store import open_store

    path = tmp_path / "data.ttl"
    path.write_text(TTL, encoding="utf-8")
    location = str(tmp_path / "store")
    with open_store(location).new_version() as transaction:
        transaction.load_file(path)
    fresh = project(open_store(location), cache=False)
    first = project(open_store(location))
    cached_files = sorted(p.name for p in (tmp_path / "store" / "cache" / "projection").glob("*.json"))
    assert len(cached_files) == 2 and cached_files[0].endswith(".evidence.json")  # topology + its evidence
    second = project(open_store(location))  # from the cache
    for g in (first, second):
        assert list(g.nodes(data=True)) == list(fresh.nodes(data=True))
        assert list(g.edges(data=True)) == list(fresh.edges(data=True))
    assert project(open_store(location), relations=["joint_defense"]).number_of_nodes() == 2  # its own key
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://w3id.org/lianjian/id/org/Z> a <https://w3id.org/lianjian/ontology#Customs> .')
    with open_store(location).new_version(copy_current=True) as transaction:
        transaction.load_file(extra)
    assert f"{ID}org/Z" in project(open_store(location))  # a new version is not served from the old cache


def test_corrupt_cache_is_ignored(tmp_path):
    from kg.store import open_store

    path = tmp_path / "data.ttl"
    path.write_text(TTL, encoding="utf-8")
    location = str(tmp_path / "store")
    with open_store(location).new_version() as transaction:
        transaction.load_file(path)
    project(open_store(location))
    for cached in (tmp_path / "store" / "cache" / "projection").glob("*.json"):
        cached.write_text("{not json")
    assert project(open_store(location)).number_of_edges() == 5


def test_escaped_literals_come_back_whole():
    from kg.project import select

    store = ox.Store()
    text = 'a\tb"c\\d\ne é甲\U0001F600'
    store.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://p"), ox.Literal(text, language="zh-Hans")))
    assert list(select(store, "SELECT ?s ?o WHERE { ?s ?p ?o }", ("s", "o"))) == [("http://a", text)]


# -- projections without evidence (what the measures read) -------------------

def _weights_and_relations(g):
    return sorted((u, v, d["weight"], d["relations"]) for u, v, d in g.edges(data=True))


@pytest.mark.parametrize("alliances", ["node", "clique"])
@pytest.mark.parametrize("relations", [None, ["joint_defense"], ["member_of", "cooperation"]])
def test_without_evidence_weights_match_the_evidence(store, relations, alliances):
    full = project(store, relations=relations, alliances=alliances)
    lean = project(store, relations=relations, alliances=alliances, evidence=False)
    assert list(lean.nodes(data=True)) == list(full.nodes(data=True))
    assert [(u, v) for u, v in lean.edges()] == [(u, v) for u, v in full.edges()]  # same order: same seeds' results
    assert _weights_and_relations(lean) == _weights_and_relations(full)
    assert all("evidence" not in d for _, _, d in lean.edges(data=True))


# Article counts on the links, as kg.rdf writes them: one link per pair is weighed by
# its count alone; a pair of two links needs the distinct articles of both.
COUNTED = """@prefix lj: <https://w3id.org/lianjian/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix o: <https://w3id.org/lianjian/id/org/> .
@prefix a: <https://w3id.org/lianjian/id/article/> .
@prefix l: <https://w3id.org/lianjian/id/link/> .
@prefix e: <https://w3id.org/lianjian/id/evidence/> .
o:A a lj:Customs . o:B a lj:Village . o:C a lj:Enterprise .
l:ab a lj:Link ; lj:relation lj:jointBuildingWith ; lj:source o:A ; lj:target o:B ; lj:articleCount 2 ;
    lj:evidence e:1, e:2 .
e:1 lj:sentence "句一"@zh-Hans ; prov:wasDerivedFrom a:1 .
e:2 lj:sentence "句二"@zh-Hans ; prov:wasDerivedFrom a:2 .
l:ab2 a lj:Link ; lj:relation lj:cooperatesWith ; lj:source o:B ; lj:target o:A ; lj:articleCount 1 ; lj:evidence e:3 .
e:3 lj:sentence "句三"@zh-Hans ; prov:wasDerivedFrom a:2 .
l:bc a lj:Link ; lj:relation lj:jointDefenseWith ; lj:source o:B ; lj:target o:C ; lj:articleCount 1 ; lj:evidence e:4 .
e:4 lj:sentence "句四"@zh-Hans ; prov:wasDerivedFrom a:3 .
"""


def test_article_counts_weigh_single_links_and_shared_pairs_count_distinct_articles():
    full = project(oxigraph_store(COUNTED))
    lean = project(oxigraph_store(COUNTED), evidence=False)
    assert _weights_and_relations(lean) == _weights_and_relations(full)
    assert lean.edges[org("A"), org("B")]["weight"] == 2  # articles 1 and 2, not 2 + 1
    assert lean.edges[org("B"), org("C")]["weight"] == 1


def test_a_single_link_is_weighed_by_its_article_count_without_reading_evidence():
    ttl = COUNTED.replace("lj:articleCount 1 ; lj:evidence e:4", "lj:articleCount 5 ; lj:evidence e:4")
    assert project(oxigraph_store(ttl), evidence=False).edges[org("B"), org("C")]["weight"] == 5


def test_article_lookup_by_iri_and_by_scan_agree():
    from kg.project import _read_link_articles

    store = oxigraph_store(COUNTED)
    links = [f"{ID}link/ab", f"{ID}link/ab2"]
    by_iri = _read_link_articles(store, links, total=100)
    by_scan = _read_link_articles(store, links, total=2)
    assert by_iri == by_scan == {links[0]: {f"{ID}article/1", f"{ID}article/2"}, links[1]: {f"{ID}article/2"}}


def test_cache_without_evidence_then_with_it(tmp_path, store):
    from kg.store import open_store

    path = tmp_path / "data.ttl"
    path.write_text(TTL, encoding="utf-8")
    location = str(tmp_path / "store")
    with open_store(location).new_version() as transaction:
        transaction.load_file(path)
    folder = tmp_path / "store" / "cache" / "projection"
    lean = project(open_store(location), evidence=False)
    assert [p.name.endswith(".evidence.json") for p in folder.glob("*.json")] == [False]
    again = project(open_store(location), evidence=False)  # from the topology file
    assert list(again.edges(data=True)) == list(lean.edges(data=True))
    assert list(again.nodes(data=True)) == list(lean.nodes(data=True))
    full = project(open_store(location))  # no evidence cached yet: projected again, both files kept
    assert list(full.edges(data=True)) == list(project(open_store(location), cache=False).edges(data=True))
    assert len(list(folder.glob("*.json"))) == 2
    assert list(project(open_store(location)).edges(data=True)) == list(full.edges(data=True))
    project(open_store(location), evidence=False)
    assert _weights_and_relations(project(open_store(location), evidence=False)) == _weights_and_relations(full)


def test_evidence_file_of_another_projection_is_not_used(tmp_path):
    from kg.projection_cache import evidence_file
    from kg.store import open_store

    path = tmp_path / "data.ttl"
    path.write_text(TTL, encoding="utf-8")
    location = str(tmp_path / "store")
    with open_store(location).new_version() as transaction:
        transaction.load_file(path)
    full = project(open_store(location))
    topology = next(p for p in (tmp_path / "store" / "cache" / "projection").glob("*.json")
                    if not p.name.endswith(".evidence.json"))
    saved = evidence_file(topology).read_text(encoding="utf-8")
    project(open_store(location), cache=True, evidence=False)
    topology.unlink()
    project(open_store(location), evidence=False)  # a new topology with a new token
    assert evidence_file(topology).read_text(encoding="utf-8") == saved
    assert list(project(open_store(location)).edges(data=True)) == list(full.edges(data=True))


def test_kg_import_keeps_the_projection_of_its_new_version(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main
    from kg.store import open_store

    path = tmp_path / "data.ttl"
    path.write_text(TTL, encoding="utf-8")
    location = str(tmp_path / "store")
    result = CliRunner().invoke(main, ["import", str(path), "--store", location])
    assert result.exit_code == 0, result.output
    kept = list((tmp_path / "store" / "cache" / "projection").glob("*.json"))
    assert len(kept) == 1 and not kept[0].name.endswith(".evidence.json")
    lean = project(open_store(location), evidence=False)  # read from what the import kept
    fresh = project(open_store(location), evidence=False, cache=False)
    assert list(lean.edges(data=True)) == list(fresh.edges(data=True))


@pytest.mark.parametrize("evidence", [True, False])
def test_cached_graph_has_the_same_neighbour_order(tmp_path, evidence):
    from kg.store import open_store

    path = tmp_path / "data.ttl"
    path.write_text(TTL, encoding="utf-8")
    location = str(tmp_path / "store")
    with open_store(location).new_version() as transaction:
        transaction.load_file(path)
    fresh = project(open_store(location), evidence=evidence)  # built, then kept
    cached = project(open_store(location), evidence=evidence)
    assert [(n, list(cached.adj[n])) for n in cached] == [(n, list(fresh.adj[n])) for n in fresh]
    assert list(cached.edges(data=True)) == list(fresh.edges(data=True))
