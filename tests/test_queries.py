"""The saved SPARQL queries of ontology/queries/ on a hand-written graph.

The graph is in the vocabulary of the RDF writer (docs/architecture.md, "RDF");
its organizations, places and sentences are invented for the test. Queries
run on pyoxigraph with the union of all named graphs as the default graph, as
`kg query` runs them; parameters are bound by kg.query.bind, as `kg query --param` does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from kg.query import bind, switch  # binds parameters as `kg query --param` does
from _turtle import PREFIXES

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
QUERY_DIR = ONTOLOGY_DIR / "queries"
ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/lianjian/id/graph/ontology")
METRICS_GRAPH = ox.NamedNode("https://w3id.org/lianjian/id/graph/metrics")


# Organizations (types): 青石出入境边防检查站 "站" (BorderInspection, alias 青石边检站),
# 红岩出入境边防检查站 "红岩站" (BorderInspection), 青石海关 (Customs),
# 青石海事局 (Maritime, implicit), 白沙村 (Village), 青石口岸党建联盟 (Alliance),
# 青石出入境边防检查站执勤一队 (BorderInspection, part of 站),
# 青石出入境边防检查站执勤一队党支部 (PartyOrganization, part of the team),
# 青石港务有限公司 (Enterprise, added by curation).
# Places: 青石省 > 青石市 > 白沙县; 红岩省 (no organization below it).
DATA_TTL = PREFIXES + """
<article/00000000000000a1> a lj:Article ;
    dcterms:title "青石口岸党建工作简讯"@zh-Hans ; dcterms:date "2024-05-01"^^xsd:date ;
    dcterms:source "青石日报" ; lj:fileName "a1.txt" ;
    lj:contentHash "00000000000000a1000000000000000000000000000000000000000000000000" .
<article/00000000000000a2> a lj:Article ;
    dcterms:title "白沙村警民联防纪实"@zh-Hans ; dcterms:date "2024-06-02"^^xsd:date ;
    lj:fileName "a2.html" ;
    lj:contentHash "00000000000000a2000000000000000000000000000000000000000000000000" .

<place/990000> a lj:AdministrativeDivision ; skos:prefLabel "青石省"@zh-Hans ; lj:adminLevel "province" .
<place/990100> a lj:AdministrativeDivision ; skos:prefLabel "青石市"@zh-Hans ; lj:adminLevel "city" ;
    skos:broader <place/990000> .
<place/990102> a lj:AdministrativeDivision ; skos:prefLabel "白沙县"@zh-Hans ; lj:adminLevel "county" ;
    skos:broader <place/990100> .
<place/980000> a lj:AdministrativeDivision ; skos:prefLabel "红岩省"@zh-Hans ; lj:adminLevel "province" .

<org/青石出入境边防检查站> a lj:BorderInspection , org:Organization ;
    skos:prefLabel "青石出入境边防检查站"@zh-Hans ; skos:altLabel "青石边检站"@zh-Hans ;
    lj:mentionedIn <article/00000000000000a1> , <article/00000000000000a2> ;
    lj:locatedIn <place/990100> .
<org/红岩出入境边防检查站> a lj:BorderInspection , org:Organization ;
    skos:prefLabel "红岩出入境边防检查站"@zh-Hans ; lj:mentionedIn <article/00000000000000a1> .
<org/青石海关> a lj:Customs , org:Organization ;
    skos:prefLabel "青石海关"@zh-Hans ; lj:mentionedIn <article/00000000000000a1> ;
    lj:locatedIn <place/990100> .
<org/青石海事局> a lj:Maritime , org:Organization ;
    skos:prefLabel "青石海事局"@zh-Hans ; lj:mentionedIn <article/00000000000000a1> ; lj:implicit true .
<org/白沙村> a lj:Village , org:Organization ;
    skos:prefLabel "白沙村"@zh-Hans ; lj:mentionedIn <article/00000000000000a2> ;
    lj:locatedIn <place/990102> .
<org/青石口岸党建联盟> a lj:Alliance , org:Organization ;
    skos:prefLabel "青石口岸党建联盟"@zh-Hans ; skos:altLabel "口岸联盟"@zh-Hans ;
    lj:mentionedIn <article/00000000000000a2> .
<org/青石出入境边防检查站执勤一队> a lj:BorderInspection , org:Organization ;
    skos:prefLabel "青石出入境边防检查站执勤一队"@zh-Hans ; lj:mentionedIn <article/00000000000000a2> .
<org/青石出入境边防检查站执勤一队党支部> a lj:PartyOrganization , org:Organization ;
    skos:prefLabel "青石出入境边防检查站执勤一队党支部"@zh-Hans ; lj:mentionedIn <article/00000000000000a2> .
<org/青石港务有限公司> a lj:Enterprise , org:Organization ;
    skos:prefLabel "青石港务有限公司"@zh-Hans ; lj:curated true ; lj:curatedBy <curation/000000000001> .

# joint building 站 - 青石海关, stated in both articles
<org/青石出入境边防检查站> lj:jointBuildingWith <org/青石海关> .
<org/青石海关> lj:jointBuildingWith <org/青石出入境边防检查站> .
<link/joint_building/000000000001> a lj:Link ; lj:relation lj:jointBuildingWith ;
    lj:source <org/青石出入境边防检查站> ; lj:target <org/青石海关> ;
    lj:evidence <evidence/0000000000000011> , <evidence/0000000000000012> ;
    prov:wasDerivedFrom <article/00000000000000a1> , <article/00000000000000a2> ;
    lj:confidence 0.9 ; lj:articleCount 2 .
<evidence/0000000000000011> a lj:Evidence ; lj:sentence "青石边检站与青石海关结对开展党建联建。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a1> ; lj:confidence 0.9 .
<evidence/0000000000000012> a lj:Evidence ; lj:sentence "两家单位的党支部每月同上一堂党课。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a2> ; lj:confidence 0.7 .

# joint building between two stations: same type, not cross-sector
<org/青石出入境边防检查站> lj:jointBuildingWith <org/红岩出入境边防检查站> .
<org/红岩出入境边防检查站> lj:jointBuildingWith <org/青石出入境边防检查站> .
<link/joint_building/000000000002> a lj:Link ; lj:relation lj:jointBuildingWith ;
    lj:source <org/青石出入境边防检查站> ; lj:target <org/红岩出入境边防检查站> ;
    lj:evidence <evidence/0000000000000021> ; prov:wasDerivedFrom <article/00000000000000a1> ;
    lj:confidence 0.8 ; lj:articleCount 1 .
<evidence/0000000000000021> a lj:Evidence ; lj:sentence "两个边检站签订了支部共建协议。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a1> ; lj:confidence 0.8 .

# joint defense 白沙村 - 站
<org/白沙村> lj:jointDefenseWith <org/青石出入境边防检查站> .
<org/青石出入境边防检查站> lj:jointDefenseWith <org/白沙村> .
<link/joint_defense/000000000003> a lj:Link ; lj:relation lj:jointDefenseWith ;
    lj:source <org/白沙村> ; lj:target <org/青石出入境边防检查站> ;
    lj:evidence <evidence/0000000000000031> ; prov:wasDerivedFrom <article/00000000000000a2> ;
    lj:confidence 0.8 ; lj:articleCount 1 .
<evidence/0000000000000031> a lj:Evidence ; lj:sentence "白沙村与青石边检站组建联防队开展联合巡逻。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a2> ; lj:confidence 0.8 .

# cooperation 站 - 青石海事局
<org/青石出入境边防检查站> lj:cooperatesWith <org/青石海事局> .
<org/青石海事局> lj:cooperatesWith <org/青石出入境边防检查站> .
<link/cooperation/000000000004> a lj:Link ; lj:relation lj:cooperatesWith ;
    lj:source <org/青石出入境边防检查站> ; lj:target <org/青石海事局> ;
    lj:evidence <evidence/0000000000000041> ; prov:wasDerivedFrom <article/00000000000000a1> ;
    lj:confidence 0.6 ; lj:articleCount 1 .
<evidence/0000000000000041> a lj:Evidence ; lj:sentence "青石边检站与海事部门召开口岸联席会议。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a1> ; lj:confidence 0.6 .

# memberships of the alliance
<org/青石出入境边防检查站> org:memberOf <org/青石口岸党建联盟> .
<org/青石海关> org:memberOf <org/青石口岸党建联盟> .
<link/member_of/000000000005> a lj:Link ; lj:relation org:memberOf ;
    lj:source <org/青石出入境边防检查站> ; lj:target <org/青石口岸党建联盟> ;
    lj:evidence <evidence/0000000000000051> ; prov:wasDerivedFrom <article/00000000000000a2> ;
    lj:confidence 0.8 ; lj:articleCount 1 .
<link/member_of/000000000006> a lj:Link ; lj:relation org:memberOf ;
    lj:source <org/青石海关> ; lj:target <org/青石口岸党建联盟> ;
    lj:evidence <evidence/0000000000000061> ; prov:wasDerivedFrom <article/00000000000000a2> ;
    lj:confidence 0.8 ; lj:articleCount 1 .
<evidence/0000000000000051> a lj:Evidence ; lj:sentence "青石边检站、青石海关共同组成口岸联盟。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a2> ; lj:confidence 0.8 .
<evidence/0000000000000061> a lj:Evidence ; lj:sentence "青石边检站、青石海关共同组成口岸联盟。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a2> ; lj:confidence 0.8 .

# hierarchy: party branch < team < station
<org/青石出入境边防检查站执勤一队> org:subOrganizationOf <org/青石出入境边防检查站> .
<org/青石出入境边防检查站执勤一队党支部> org:subOrganizationOf <org/青石出入境边防检查站执勤一队> .
<link/sub_organization_of/000000000007> a lj:Link ; lj:relation org:subOrganizationOf ;
    lj:source <org/青石出入境边防检查站执勤一队> ; lj:target <org/青石出入境边防检查站> ;
    lj:evidence <evidence/0000000000000071> ; prov:wasDerivedFrom <article/00000000000000a2> ;
    lj:confidence 0.9 ; lj:articleCount 1 .
<link/sub_organization_of/000000000008> a lj:Link ; lj:relation org:subOrganizationOf ;
    lj:source <org/青石出入境边防检查站执勤一队党支部> ; lj:target <org/青石出入境边防检查站执勤一队> ;
    lj:evidence <evidence/0000000000000081> ; prov:wasDerivedFrom <article/00000000000000a2> ;
    lj:confidence 0.9 ; lj:articleCount 1 .
<evidence/0000000000000071> a lj:Evidence ; lj:sentence "该站下辖执勤一队。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a2> ; lj:confidence 0.9 .
<evidence/0000000000000081> a lj:Evidence ; lj:sentence "执勤一队党支部隶属于执勤一队。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a2> ; lj:confidence 0.9 .

# curation: an organization and a link added by hand
<curation/000000000001> a lj:CurationDecision ; lj:operation "add" ; rdfs:comment "人工补充的单位" .
<curation/000000000002> a lj:CurationDecision ; lj:operation "add_link" ; rdfs:comment "据合作协议补充" .
<curation/000000000003> a lj:CurationDecision ; lj:operation "different" .
<org/青石港务有限公司> lj:cooperatesWith <org/青石海关> .
<org/青石海关> lj:cooperatesWith <org/青石港务有限公司> .
<link/cooperation/000000000009> a lj:Link ; lj:relation lj:cooperatesWith ;
    lj:source <org/青石港务有限公司> ; lj:target <org/青石海关> ;
    lj:curated true ; prov:wasGeneratedBy <curation/000000000002> ;
    lj:confidence 1.0 ; lj:articleCount 0 .
"""

METRICS_TTL = PREFIXES + """
<org/青石出入境边防检查站> lj:degree 5 ; lj:pagerank 0.31e0 ; lj:betweenness 0.7e0 ; lj:community 0 .
<org/青石海关> lj:degree 4 ; lj:pagerank 0.22e0 ; lj:betweenness 0.2e0 ; lj:community 0 .
"""

SAVED = sorted(p.stem for p in QUERY_DIR.glob("*.rq"))


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.load(DATA_TTL.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    s.load(METRICS_TTL.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=METRICS_GRAPH)
    s.load(path=str(ONTOLOGY_DIR / "lianjian.ttl"), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
    return s


def read_query(saved: str) -> str:
    return (QUERY_DIR / f"{saved}.rq").read_text(encoding="utf-8")


def declared_params(text: str) -> set[str]:
    return set(re.findall(r"^# param: (\w+)", text, flags=re.M))


def query_forms(saved: str) -> list[str]:
    """The query as it stands (no parameters) and, when it switches lines, its form with every parameter bound."""
    text = read_query(saved)
    bound = switch(text, declared_params(text))
    return [text] if bound == text else [text, bound]


def run(store: ox.Store, saved: str, /, **params: str) -> list[dict[str, str]]:
    """Rows of a saved query, each value as its lexical form."""
    results = store.query(bind(read_query(saved), params), use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in results]


def column(rows: list[dict[str, str]], name: str) -> list[str]:
    return [row.get(name, "") for row in rows]


# --- every saved query -------------------------------------------------------


def test_at_least_ten_saved_queries() -> None:
    assert len(SAVED) >= 10
    assert {
        "partners-of", "links-by-type", "alliances", "organizations-by-type", "evidence", "most-linked",
        "cross-sector", "articles-mentioning", "organizations-by-province", "curated", "sub-organizations",
    } <= set(SAVED)


@pytest.mark.parametrize("name", SAVED)
def test_saved_query_is_documented(name: str) -> None:
    lines = read_query(name).splitlines()
    assert lines[0].startswith("# ") and len(lines[0]) > 20, "first line: a one-line summary"
    for line in lines:
        if line.startswith("# param:"):
            match = re.match(r"# param: (\w+) — \S", line)
            assert match, f"malformed parameter line: {line}"
            assert f"?{match.group(1)}" in read_query(name)


@pytest.mark.parametrize("name", SAVED)
def test_saved_query_puts_triple_patterns_before_optional_filter_and_bind(name: str) -> None:
    # Oxigraph plans a triple pattern written after an OPTIONAL, FILTER or BIND of
    # the same group badly: partners-of took over 300 s instead of 6 s on 50,000
    # links. Saved queries keep the outer group's triple patterns first (lines
    # indented by two spaces are the outer group in these files).
    for text in query_forms(name):
        body = text.split("WHERE {", 1)[1]
        seen_tail = False
        for line in body.splitlines():
            if not line.startswith("  ") or line.startswith("   "):
                continue
            word = re.match(r"[A-Z]+|\S", line.strip()).group()
            if word in {"OPTIONAL", "FILTER", "BIND"}:
                seen_tail = True
            elif seen_tail and word not in {"}", "#"}:
                pytest.fail(f"{name}: pattern after OPTIONAL/FILTER/BIND: {line.strip()}")


@pytest.mark.parametrize("name", SAVED)
def test_saved_query_parses_with_rdflib(name: str) -> None:
    for text in query_forms(name):
        prepareQuery(text)


def test_switch_turns_lines_on_and_off_for_bound_parameters() -> None:
    text = "SELECT * WHERE {\n#with name: ?s ?p ?name .\n  ?s ?p ?o .  #without name\n  ?s ?q ?r .\n}\n"
    assert switch(text, set()) == text
    assert switch(text, {"other"}) == text
    assert switch(text, {"name"}) == "SELECT * WHERE {\n ?s ?p ?name .\n  ?s ?q ?r .\n}\n"
    assert "?s ?p ?o" not in bind(text, {"name": "甲"}) and "?s ?p ?name" in bind(text, {"name": "甲"})


@pytest.mark.parametrize("name", SAVED)
def test_saved_query_runs_on_oxigraph(name: str, store: ox.Store) -> None:
    assert run(store, name), f"{name} returned no rows on the test graph"


def test_test_graph_conforms_to_shapes() -> None:
    from pyshacl import validate

    conforms, _, text = validate(
        Graph().parse(data=DATA_TTL, format="turtle"),
        shacl_graph=Graph().parse(ONTOLOGY_DIR / "shapes.ttl"),
        inference="none",
    )
    assert conforms, text


# --- expected rows -----------------------------------------------------------

STATION = "青石出入境边防检查站"


def test_partners_of_by_alias(store: ox.Store) -> None:
    rows = run(store, "partners-of", name="青石边检站")
    got = sorted((r["relation"], r["direction"], r["partnerLabel"], r["partnerType"]) for r in rows)
    assert got == [
        ("cooperation", "->", "青石海事局", "Maritime"),
        ("joint_building", "->", "红岩出入境边防检查站", "BorderInspection"),
        ("joint_building", "->", "青石海关", "Customs"),
        ("joint_defense", "<-", "白沙村", "Village"),
        ("member_of", "->", "青石口岸党建联盟", "Alliance"),
        ("sub_organization_of", "<-", "青石出入境边防检查站执勤一队", "BorderInspection"),
    ]
    assert set(column(rows, "label")) == {STATION}
    customs = next(r for r in rows if r["partnerLabel"] == "青石海关")
    assert customs["articles"] == "2"


def test_partners_of_without_parameter_lists_both_ends(store: ox.Store) -> None:
    rows = run(store, "partners-of")
    # 9 links, each seen from both ends, no duplicates from aliases.
    assert len(rows) == 18
    assert len({tuple(sorted(r.items())) for r in rows}) == 18


def test_partners_of_unknown_name_is_empty(store: ox.Store) -> None:
    assert run(store, "partners-of", name="不存在的单位") == []


def test_links_by_type(store: ox.Store) -> None:
    rows = run(store, "links-by-type")
    got = {r["relation"]: (int(r["links"]), int(r["articles"])) for r in rows}
    assert got == {
        "joint_building": (2, 2),
        "cooperation": (2, 1),
        "member_of": (2, 1),
        "sub_organization_of": (2, 1),
        "joint_defense": (1, 1),
    }


def test_alliances(store: ox.Store) -> None:
    rows = run(store, "alliances")
    assert [(r["allianceLabel"], r["memberLabel"], r["memberType"]) for r in rows] == [
        ("青石口岸党建联盟", "青石出入境边防检查站", "BorderInspection"),
        ("青石口岸党建联盟", "青石海关", "Customs"),
    ]
    assert len(run(store, "alliances", name="口岸联盟")) == 2
    assert run(store, "alliances", name="青石海关") == []


def test_organizations_by_type(store: ox.Store) -> None:
    rows = run(store, "organizations-by-type", type="出入境边防检查机构")
    assert column(rows, "label") == ["红岩出入境边防检查站", "青石出入境边防检查站", "青石出入境边防检查站执勤一队"]
    station = next(r for r in rows if r["label"] == STATION)
    assert station["articles"] == "2" and station["place"] == "青石市" and station["typeKey"] == "BorderInspection"
    everyone = run(store, "organizations-by-type")
    assert len(everyone) == 9
    curated = next(r for r in everyone if r["label"] == "青石港务有限公司")
    assert curated["articles"] == "0" and curated["typeLabel"] == "企业"
    by_class_name = run(store, "organizations-by-type", type="BorderInspection")
    assert column(by_class_name, "label") == column(rows, "label")


def test_evidence_for_an_organization(store: ox.Store) -> None:
    rows = run(store, "evidence", name="青石海关")
    got = sorted((r["relation"], r["sentence"], r["fileName"]) for r in rows)
    assert got == [
        ("joint_building", "两家单位的党支部每月同上一堂党课。", "a2.html"),
        ("joint_building", "青石边检站与青石海关结对开展党建联建。", "a1.txt"),
        ("member_of", "青石边检站、青石海关共同组成口岸联盟。", "a2.html"),
    ]
    first = next(r for r in rows if r["fileName"] == "a1.txt")
    assert first["title"] == "青石口岸党建工作简讯" and first["date"] == "2024-05-01"
    assert first["confidence"] == "0.9"
    # the curated link has no evidence sentence and is not reported here
    assert all(r["sourceLabel"] != "青石港务有限公司" for r in rows)
    assert len(run(store, "evidence")) == 9


def test_most_linked(store: ox.Store) -> None:
    rows = run(store, "most-linked")
    top = rows[0]
    assert (top["label"], top["partners"], top["links"], top["articles"], top["type"]) == (
        STATION, "6", "6", "2", "BorderInspection",
    )
    assert (rows[1]["label"], rows[1]["partners"]) == ("青石海关", "3")
    assert len(rows) == 9


def test_cross_sector(store: ox.Store) -> None:
    rows = run(store, "cross-sector")
    got = sorted((r["relation"], r["sourceType"], r["targetType"]) for r in rows)
    assert got == [
        ("cooperation", "BorderInspection", "Maritime"),
        ("cooperation", "Enterprise", "Customs"),
        ("joint_building", "BorderInspection", "Customs"),
        ("joint_defense", "Village", "BorderInspection"),
    ]


def test_articles_mentioning(store: ox.Store) -> None:
    rows = run(store, "articles-mentioning", name="青石边检站")
    assert [(r["fileName"], r["date"]) for r in rows] == [("a1.txt", "2024-05-01"), ("a2.html", "2024-06-02")]
    assert rows[0]["outlet"] == "青石日报" and "outlet" not in rows[1]
    assert len(run(store, "articles-mentioning")) == 9  # 8 organizations mentioned, the station twice


def test_organizations_by_province(store: ox.Store) -> None:
    rows = run(store, "organizations-by-province", province="青石省")
    assert sorted((r["label"], r["place"], r["level"]) for r in rows) == [
        ("白沙村", "白沙县", "county"),
        ("青石出入境边防检查站", "青石市", "city"),
        ("青石海关", "青石市", "city"),
    ]
    assert run(store, "organizations-by-province", province="红岩省") == []
    assert len(run(store, "organizations-by-province")) == 3


def test_curated(store: ox.Store) -> None:
    rows = run(store, "curated")
    got = sorted((r["operation"], r.get("kind", ""), r.get("what", "")) for r in rows)
    assert got == [
        ("add", "organization", "青石港务有限公司"),
        ("add_link", "link", "青石港务有限公司 -[cooperation]- 青石海关"),
        ("different", "", ""),
    ]
    assert next(r for r in rows if r["operation"] == "add_link")["note"] == "据合作协议补充"


def test_sub_organizations(store: ox.Store) -> None:
    rows = run(store, "sub-organizations", name="青石边检站")
    assert sorted((r["parentLabel"], r["childLabel"], r["childType"]) for r in rows) == [
        ("青石出入境边防检查站", "青石出入境边防检查站执勤一队", "BorderInspection"),
        ("青石出入境边防检查站执勤一队", "青石出入境边防检查站执勤一队党支部", "PartyOrganization"),
    ]
    below_team = run(store, "sub-organizations", name="青石出入境边防检查站执勤一队")
    assert [r["childLabel"] for r in below_team] == ["青石出入境边防检查站执勤一队党支部"]
    assert len(run(store, "sub-organizations")) == 2


def test_centrality_reads_the_metrics_graph(store: ox.Store) -> None:
    rows = run(store, "centrality")
    assert [(r["label"], r["degree"]) for r in rows] == [(STATION, "5"), ("青石海关", "4")]


def test_type_counts(store: ox.Store) -> None:
    rows = run(store, "type-counts")
    got = {r["type"]: (r["typeLabel"], int(r["organizations"])) for r in rows}
    assert got["BorderInspection"] == ("出入境边防检查机构", 3)
    assert got["Alliance"] == ("党建联盟", 1)
    assert sum(n for _, n in got.values()) == 9


def test_examples_in_the_ontology_guide_run(store: ox.Store) -> None:
    guide = (ONTOLOGY_DIR.parent / "docs" / "ontology.md").read_text(encoding="utf-8")
    examples = re.findall(r"```sparql\n(.*?)```", guide, flags=re.S)
    assert len(examples) >= 3
    for sparql in examples:
        prepareQuery(sparql)
        assert list(store.query(sparql, use_default_graph_as_union=True)), sparql


def test_kg_reads_summaries_and_parameters() -> None:
    from kg.query import saved_queries

    saved = saved_queries()
    assert set(SAVED) <= set(saved)
    assert set(saved["partners-of"].params) == {"name"}
    assert set(saved["organizations-by-type"].params) == {"type"}
    assert set(saved["organizations-by-province"].params) == {"province"}
    assert saved["links-by-type"].params == {}
    for name in SAVED:
        assert saved[name].summary and not saved[name].summary.startswith("#")


def test_kg_query_start_up_stays_light() -> None:
    # `kg query` must start fast: loading the command line may not pull in the
    # analysis, evaluation or drawing libraries (they load inside their commands).
    import subprocess
    import sys

    heavy = ["networkx", "kg.evaluate", "rdflib", "pandas", "matplotlib", "igraph", "starlette", "kg.clean"]
    code = ("import sys; from kg.cli import main; from kg.cli import query; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


# --- parameters and sort keys (see the notes in kg/query.py) -----------------


def test_bind_fills_a_placeholder_and_inserts_other_parameters() -> None:
    text = "SELECT * WHERE { { SELECT ?o WHERE { VALUES ?name { UNDEF } ?o ?p ?name } } ?o ?q ?type }"
    bound = bind(text, {"name": "甲", "type": "乙"})
    assert 'VALUES ?name { "甲"@zh-Hans "甲" } ?o ?p ?name' in bound
    assert bound.startswith('SELECT * WHERE { VALUES ?type { "乙"@zh-Hans "乙" }')
    assert "UNDEF" not in bound


@pytest.mark.parametrize("name", SAVED)
def test_placeholders_name_declared_parameters(name: str) -> None:
    text = read_query(name)
    declared = declared_params(text)
    assert set(re.findall(r"VALUES \?(\w+) \{ UNDEF \}", text)) <= declared
    assert set(re.findall(r"^#with (\w+):", text, flags=re.M)) <= declared
    assert set(re.findall(r"\s#without (\w+)\s*$", text, flags=re.M)) <= declared


def _key(row: dict[str, str]) -> tuple:
    return tuple(sorted(row.items()))


@pytest.mark.parametrize("saved, name, keep", [
    ("partners-of", "青石边检站", lambda r: r["label"] == STATION),
    ("articles-mentioning", "青石边检站", lambda r: r["label"] == STATION),
    ("evidence", "青石海关", lambda r: "青石海关" in (r["sourceLabel"], r["targetLabel"])),
    ("alliances", "口岸联盟", lambda r: r["allianceLabel"] == "青石口岸党建联盟"),
    ("sub-organizations", "青石出入境边防检查站执勤一队", lambda r: r["parentLabel"] == "青石出入境边防检查站执勤一队"),
    ("sub-organizations", "青石边检站", lambda r: True),
])
def test_a_bound_name_keeps_exactly_its_rows_of_the_unbound_query(store: ox.Store, saved, name, keep) -> None:
    everything = run(store, saved)
    assert sorted(map(_key, run(store, saved, name=name))) == sorted(_key(r) for r in everything if keep(r))


def test_computed_sort_keys_order_like_the_labels(store: ox.Store) -> None:
    # The saved queries sort on CONCAT("~", ?label) (kept in memory by Oxigraph) for ?label;
    # the graph has labels that are prefixes of others.
    plain = "SELECT ?l WHERE { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } ORDER BY ?l"
    keyed = ("SELECT ?l WHERE { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
             'BIND(CONCAT("~", ?l) AS ?k) } ORDER BY ?k')
    labels = [s["l"].value for s in store.query(plain, use_default_graph_as_union=True)]
    assert any(a != b and b.startswith(a) for a in labels for b in labels)
    assert [s["l"].value for s in store.query(keyed, use_default_graph_as_union=True)] == labels
