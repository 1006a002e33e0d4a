import pyoxigraph as ox

from kg.model import Article, CurationRecord, Evidence, Link, Organization, Place, Resolved
from kg.rdf import org_iri, segment, triples

LJ = "https://w3id.org/lianjian/ontology#"


def sample() -> Resolved:
    article = Article("a/1.txt", "1.txt", "ab" * 32, "text", title="标题\"<script>", date="2022-09-01", source="边关时报")
    station = Organization("铜陵出入境边防检查站", "铜陵出入境边防检查站", "BorderInspection",
                           aliases={"铜陵边检站", "铜陵出入境边防检查站"}, articles={article.id}, place="340700")
    customs = Organization("铜陵海关", "铜陵海关", "Customs", articles={article.id}, curated_by=["d1"])
    link = Link("joint_building", customs.key, station.key,
                [Evidence(article.id, '与铜陵海关"联建"\n第二行\x07', 0.9)])
    added = Link("cooperation", customs.key, station.key, curated_by="d1", note="人工核实")
    return Resolved(
        articles={article.id: article},
        organizations={o.key: o for o in (station, customs)},
        links={("joint_building", customs.key, station.key): link, ("cooperation", customs.key, station.key): added},
        places={"340700": Place("340700", "铜陵市", "city", "340000"), "340000": Place("340000", "安徽省", "province")},
        decisions={"d1": CurationRecord("d1", "add_link", "add cooperation 铜陵海关 – 铜陵出入境边防检查站", "人工核实")},
    )


def load(lines) -> ox.Store:
    store = ox.Store()
    store.load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def test_lines_parse_as_ntriples_and_escape_hostile_text():
    store = load(triples(sample()))
    sentences = [q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(LJ + "sentence"), None)]
    assert sentences == ['与铜陵海关"联建"\n第二行\x07']
    titles = [q.object.value for q in store.quads_for_pattern(None, ox.NamedNode("http://purl.org/dc/terms/title"), None)]
    assert titles == ['标题"<script>']


def test_output_is_deterministic():
    assert list(triples(sample())) == list(triples(sample()))


def test_symmetric_links_are_written_both_ways_beside_the_qualified_link():
    store = load(triples(sample()))
    prop = ox.NamedNode(LJ + "jointBuildingWith")
    pairs = {(q.subject.value, q.object.value) for q in store.quads_for_pattern(None, prop, None)}
    station, customs = org_iri("铜陵出入境边防检查站"), org_iri("铜陵海关")
    assert pairs == {(station, customs), (customs, station)}
    rows = list(store.query(f"SELECT ?l WHERE {{ ?l a <{LJ}Link> ; <{LJ}relation> <{LJ}jointBuildingWith> ; "
                            f"<{LJ}evidence> ?e . ?e <http://www.w3.org/ns/prov#wasDerivedFrom> ?a }}"))
    assert len(rows) == 1


def test_curated_link_carries_its_decision_not_evidence():
    store = load(triples(sample()))
    rows = list(store.query(f"SELECT ?d ?note WHERE {{ ?l <{LJ}relation> <{LJ}cooperatesWith> ; <{LJ}curated> true ; "
                            "<http://www.w3.org/ns/prov#wasGeneratedBy> ?d ; <http://www.w3.org/2000/01/rdf-schema#comment> ?note "
                            f"FILTER NOT EXISTS {{ ?l <{LJ}evidence> ?e }} }}"))
    assert [r["note"].value for r in rows] == ["人工核实"]


def test_aliases_exclude_the_preferred_label_and_place_hierarchy_is_linked():
    store = load(triples(sample()))
    alt = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(org_iri("铜陵出入境边防检查站")),
                                                            ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"), None)]
    assert alt == ["铜陵边检站"]
    rows = list(store.query("SELECT ?p WHERE { ?o <https://w3id.org/lianjian/ontology#locatedIn>/"
                            "<http://www.w3.org/2004/02/skos/core#broader>* ?p }"))
    assert {r["p"].value.rsplit("/", 1)[-1] for r in rows} == {"340700", "340000"}


def test_iri_segments_keep_chinese_and_encode_the_rest():
    assert segment("铜陵边检站") == "铜陵边检站"
    assert segment('a b<>"{}|^`\\/#?') == "a%20b%3C%3E%22%7B%7D%7C%5E%60%5C%2F%23%3F"
    assert segment("一\u3000队") == "一%20队"
