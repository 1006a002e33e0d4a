"""The ontology (ontology/lianjian.ttl) and its SHACL shapes (ontology/shapes.ttl).

The instance graph below is written by hand in the vocabulary of the RDF
writer (docs/architecture.md, "RDF"); its organizations, places and sentences
are invented for the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from kg.model import DIRECTED_RELATIONS, ORG_TYPES, RELATION_TYPES, SYMMETRIC_RELATIONS
from _turtle import PREFIXES

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
LJ = Namespace("https://w3id.org/lianjian/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
ID = Namespace("https://w3id.org/lianjian/id/")
SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain Namespace: pytest probes module globals


# Two articles, three places, four organizations (one added by curation),
# an extracted link with evidence, a membership and a curated link.
INSTANCE_TTL = PREFIXES + """
<article/00000000000000a1> a lj:Article ;
    dcterms:title "青石口岸党建工作简讯"@zh-Hans ;
    dcterms:date "2024-05-01"^^xsd:date ;
    dcterms:source "青石日报" ;
    lj:fileName "a1.txt" ;
    lj:contentHash "00000000000000a1000000000000000000000000000000000000000000000000" .

<place/990000> a lj:AdministrativeDivision ; skos:prefLabel "青石省"@zh-Hans ; lj:adminLevel "province" .
<place/990100> a lj:AdministrativeDivision ; skos:prefLabel "青石市"@zh-Hans ; lj:adminLevel "city" ;
    skos:broader <place/990000> .

<org/青石出入境边防检查站> a lj:BorderInspection , org:Organization ;
    skos:prefLabel "青石出入境边防检查站"@zh-Hans ;
    skos:altLabel "青石边检站"@zh-Hans ;
    lj:mentionedIn <article/00000000000000a1> ;
    lj:locatedIn <place/990100> .

<org/青石海关> a lj:Customs , org:Organization ;
    skos:prefLabel "青石海关"@zh-Hans ;
    lj:mentionedIn <article/00000000000000a1> ;
    lj:implicit true .

<org/青石口岸党建联盟> a lj:Alliance , org:Organization ;
    skos:prefLabel "青石口岸党建联盟"@zh-Hans ;
    lj:mentionedIn <article/00000000000000a1> .

<org/青石港务有限公司> a lj:Enterprise , org:Organization ;
    skos:prefLabel "青石港务有限公司"@zh-Hans ;
    lj:curated true ;
    lj:curatedBy <curation/000000000001> .

<org/青石出入境边防检查站> lj:jointBuildingWith <org/青石海关> .
<org/青石海关> lj:jointBuildingWith <org/青石出入境边防检查站> .
<link/joint_building/000000000001> a lj:Link ;
    lj:relation lj:jointBuildingWith ;
    lj:source <org/青石出入境边防检查站> ;
    lj:target <org/青石海关> ;
    lj:evidence <evidence/0000000000000001> ;
    prov:wasDerivedFrom <article/00000000000000a1> ;
    lj:confidence 0.9 ;
    lj:articleCount 1 .
<evidence/0000000000000001> a lj:Evidence ;
    lj:sentence "青石边检站与青石海关结对开展党建联建。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a1> ;
    lj:confidence 0.9 .

<org/青石海关> org:memberOf <org/青石口岸党建联盟> .
<link/member_of/000000000002> a lj:Link ;
    lj:relation org:memberOf ;
    lj:source <org/青石海关> ;
    lj:target <org/青石口岸党建联盟> ;
    lj:evidence <evidence/0000000000000002> ;
    prov:wasDerivedFrom <article/00000000000000a1> ;
    lj:confidence 0.8 ;
    lj:articleCount 1 .
<evidence/0000000000000002> a lj:Evidence ;
    lj:sentence "青石海关加入青石口岸党建联盟。"@zh-Hans ;
    prov:wasDerivedFrom <article/00000000000000a1> ;
    lj:confidence 0.8 .

<curation/000000000001> a lj:CurationDecision ; lj:operation "add" ; rdfs:comment "人工补充" .
<curation/000000000002> a lj:CurationDecision ; lj:operation "add_link" ; rdfs:comment "据合作协议补充" .
<org/青石港务有限公司> lj:cooperatesWith <org/青石海关> .
<org/青石海关> lj:cooperatesWith <org/青石港务有限公司> .
<link/cooperation/000000000003> a lj:Link ;
    lj:relation lj:cooperatesWith ;
    lj:source <org/青石港务有限公司> ;
    lj:target <org/青石海关> ;
    lj:curated true ;
    prov:wasGeneratedBy <curation/000000000002> ;
    lj:confidence 1.0 ;
    lj:articleCount 0 .
"""

STATION = ID["org/青石出入境边防检查站"]
CUSTOMS = ID["org/青石海关"]
JB_LINK = ID["link/joint_building/000000000001"]
CURATED_LINK = ID["link/cooperation/000000000003"]
EVIDENCE_1 = ID["evidence/0000000000000001"]
ARTICLE = ID["article/00000000000000a1"]
CITY = ID["place/990100"]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "lianjian.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl")


def instance() -> Graph:
    return Graph().parse(data=INSTANCE_TTL, format="turtle")


def validate(data: Graph, shapes: Graph) -> tuple[bool, set[str]]:
    """pyshacl without inference, as `kg validate` runs it; returns (conforms, messages)."""
    from pyshacl import validate as shacl_validate

    conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none")
    messages = {str(m) for m in report.objects(None, SH.resultMessage)}
    return conforms, messages


def defined_terms(ontology: Graph) -> set[URIRef]:
    """Every lj: IRI the ontology describes (subjects only)."""
    return {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(LJ))}


# --- the ontology ------------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef("https://w3id.org/lianjian/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert {lit.language for lit in ontology.objects(header, DCTERMS.title)} >= {"en", "zh-Hans"}
    assert ontology.value(header, DCTERMS.description) is not None
    assert ontology.value(header, OWL.versionInfo) is not None


def test_every_defined_term_has_english_and_chinese_labels_and_a_definition(ontology: Graph) -> None:
    terms = defined_terms(ontology)
    assert len(terms) > 40
    for term in terms:
        langs = {lit.language for lit in ontology.objects(term, RDFS.label)}
        assert "en" in langs, f"{term} has no English rdfs:label"
        assert any(lang and lang.startswith("zh") for lang in langs), f"{term} has no Chinese rdfs:label"
        notes = list(ontology.objects(term, RDFS.comment)) + list(ontology.objects(term, SKOS.definition))
        note_langs = {lit.language for lit in notes}
        assert "en" in note_langs and any(lang and lang.startswith("zh") for lang in note_langs), (
            f"{term} needs an English and a Chinese rdfs:comment or skos:definition"
        )


def test_organization_types_are_the_model_types(ontology: Graph) -> None:
    in_scheme = {str(c)[len(LJ):] for c in ontology.subjects(SKOS.inScheme, LJ.OrganizationTypes)}
    assert in_scheme == set(ORG_TYPES)
    top = {str(c)[len(LJ):] for c in ontology.objects(LJ.OrganizationTypes, SKOS.hasTopConcept)}
    assert top == set(ORG_TYPES)
    for name in ORG_TYPES:
        cls = LJ[name]
        assert (cls, RDF.type, OWL.Class) in ontology
        assert (cls, RDF.type, SKOS.Concept) in ontology
        parent = ORG.OrganizationalCollaboration if name == "Alliance" else ORG.FormalOrganization
        assert (cls, RDFS.subClassOf, parent) in ontology
        pref = {lit.language for lit in ontology.objects(cls, SKOS.prefLabel)}
        assert pref == {"en", "zh-Hans"}, name
        assert ontology.value(cls, SKOS.definition) is not None


def test_type_chinese_labels_are_unique(ontology: Graph) -> None:
    # organizations-by-type.rq selects a type by its Chinese label.
    labels = [
        str(lit)
        for name in ORG_TYPES
        for lit in ontology.objects(LJ[name], SKOS.prefLabel)
        if lit.language == "zh-Hans"
    ]
    assert len(labels) == len(set(labels)) == len(ORG_TYPES)


def test_relation_properties_and_schema_keys(ontology: Graph) -> None:
    keys = {str(k): p for p, k in ontology.subject_objects(LJ.schemaKey)}
    assert set(keys) == set(RELATION_TYPES)
    assert keys["member_of"] == ORG.memberOf
    assert keys["sub_organization_of"] == ORG.subOrganizationOf
    for key in SYMMETRIC_RELATIONS:
        prop = keys[key]
        assert prop.startswith(str(LJ))
        assert (prop, RDF.type, OWL.SymmetricProperty) in ontology
        assert (prop, RDFS.subPropertyOf, ORG.linkedTo) in ontology
    for key in DIRECTED_RELATIONS:
        assert (keys[key], RDF.type, OWL.SymmetricProperty) not in ontology


def test_architecture_vocabulary_is_defined(ontology: Graph) -> None:
    used = """Link Evidence Article AdministrativeDivision CurationDecision relation source target
        evidence sentence confidence articleCount mentionedIn locatedIn adminLevel fileName contentHash
        implicit curated curatedBy operation degree weightedDegree betweenness pagerank closeness
        eigenvector community constraint effectiveSize""".split()
    for name in used:
        assert ontology.value(LJ[name], RDF.type) is not None, name
    assert (LJ.Link, RDFS.subClassOf, PROV.Entity) in ontology
    assert (LJ.Article, RDFS.subClassOf, PROV.Entity) in ontology
    assert (LJ.AdministrativeDivision, RDFS.subClassOf, DCTERMS.Location) in ontology
    assert (LJ.CurationDecision, RDFS.subClassOf, PROV.Activity) in ontology
    assert (LJ.mentionedIn, RDFS.subPropertyOf, DCTERMS.isReferencedBy) in ontology


def test_every_lj_term_used_is_defined(ontology: Graph, shapes: Graph) -> None:
    defined = defined_terms(ontology)
    used_in_ontology = {t for triple in ontology for t in triple if isinstance(t, URIRef) and t.startswith(str(LJ))}
    used_in_shapes = {t for triple in shapes for t in triple if isinstance(t, URIRef) and t.startswith(str(LJ))}
    used_in_queries = {
        LJ[name]
        for path in (ONTOLOGY_DIR / "queries").glob("*.rq")
        for name in re.findall(r"\blj:(\w+)", path.read_text(encoding="utf-8"))
    }
    assert used_in_queries
    assert not (used_in_ontology - defined)
    assert not (used_in_shapes - defined)
    assert not (used_in_queries - defined)


def test_lexicon_names_only_ontology_terms(ontology: Graph) -> None:
    lexicon_file = ONTOLOGY_DIR / "lexicon.yaml"
    if not lexicon_file.exists():
        pytest.skip("ontology/lexicon.yaml not written yet")
    lexicon = yaml.safe_load(lexicon_file.read_text(encoding="utf-8"))
    local_names = {str(t)[len(LJ):] for t in defined_terms(ontology)}
    schema_keys = {str(k) for k in ontology.objects(None, LJ.schemaKey)}
    # Class and property names are the ASCII CamelCase words of the file.
    camel = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$|^[A-Z][a-z]+$")
    unknown: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and camel.match(key) and key not in local_names:
                    unknown.append(f"{path}/{key}")
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)
        elif isinstance(node, str) and camel.match(node) and node not in local_names:
            unknown.append(f"{path}: {node}")

    walk(lexicon, "")
    assert not unknown, f"lexicon names terms the ontology does not define: {unknown}"
    if isinstance(lexicon.get("types"), dict):
        assert set(lexicon["types"]) <= set(ORG_TYPES)
    if isinstance(lexicon.get("relations"), dict):
        assert set(lexicon["relations"]) <= schema_keys


# --- the shapes --------------------------------------------------------------


def test_shapes_parse_and_give_messages(shapes: Graph) -> None:
    assert len(set(shapes.subjects(SH.targetClass, None))) >= 6
    for shape in shapes.subjects(RDF.type, SH.PropertyShape):
        assert shapes.value(shape, SH.message) is not None, shape


def test_valid_instance_conforms(shapes: Graph) -> None:
    conforms, messages = validate(instance(), shapes)
    assert conforms, messages


def test_instance_with_ontology_merged_conforms(ontology: Graph, shapes: Graph) -> None:
    # The store holds the ontology beside the data; validation sees both.
    conforms, messages = validate(instance() + ontology, shapes)
    assert conforms, messages


def test_instance_read_back_from_oxigraph_conforms(shapes: Graph) -> None:
    # Oxigraph lower-cases language tags and types plain literals as xsd:string.
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(INSTANCE_TTL.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE)
    dumped = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    assert b"@zh-hans" in dumped
    conforms, messages = validate(Graph().parse(data=dumped, format="nt"), shapes)
    assert conforms, messages


PREFLABEL_COUNT = "An organization must have exactly one skos:prefLabel."
PREFLABEL_LANGUAGE = "An organization's skos:prefLabel must be a non-empty name tagged @zh-Hans."
LINK_EVIDENCE = "A link must have at least one lj:evidence unless it is lj:curated true."
LINK_ARTICLE = (
    "A link must be prov:wasDerivedFrom at least one lj:Article "
    "unless a curation decision generated it (prov:wasGeneratedBy)."
)
CURATED_DECISION = (
    "Anything lj:curated must name its lj:CurationDecision "
    "(prov:wasGeneratedBy for a link, lj:curatedBy for an organization)."
)
LINK_CONFIDENCE = "A link must have exactly one lj:confidence, an xsd:decimal between 0 and 1."


def _missing_pref_label(g: Graph) -> None:
    g.remove((STATION, SKOS.prefLabel, None))


def _two_pref_labels(g: Graph) -> None:
    g.add((STATION, SKOS.prefLabel, Literal("青石站", lang="zh-Hans")))


def _english_pref_label(g: Graph) -> None:
    g.set((STATION, SKOS.prefLabel, Literal("Qingshi Border Inspection Station", lang="en")))


def _link_without_evidence(g: Graph) -> None:
    g.remove((JB_LINK, LJ.evidence, None))


def _link_without_article(g: Graph) -> None:
    g.remove((JB_LINK, PROV.wasDerivedFrom, None))


def _curated_link_without_decision(g: Graph) -> None:
    g.remove((CURATED_LINK, PROV.wasGeneratedBy, None))


def _curated_link_generated_by_article(g: Graph) -> None:
    g.set((CURATED_LINK, PROV.wasGeneratedBy, ARTICLE))


def _curated_flag_false(g: Graph) -> None:
    g.set((CURATED_LINK, LJ.curated, Literal(False)))


def _curated_organization_without_decision(g: Graph) -> None:
    g.remove((ID["org/青石港务有限公司"], LJ.curatedBy, None))


def _confidence_too_high(g: Graph) -> None:
    g.set((JB_LINK, LJ.confidence, Literal("1.5", datatype=XSD.decimal)))


def _confidence_not_decimal(g: Graph) -> None:
    g.set((JB_LINK, LJ.confidence, Literal("high")))


def _no_known_type(g: Graph) -> None:
    g.remove((STATION, RDF.type, LJ.BorderInspection))


def _not_mentioned_nor_curated(g: Graph) -> None:
    g.remove((CUSTOMS, LJ.mentionedIn, None))


def _two_relations(g: Graph) -> None:
    g.add((JB_LINK, LJ.relation, LJ.cooperatesWith))


def _unknown_relation(g: Graph) -> None:
    g.set((JB_LINK, LJ.relation, ORG.linkedTo))


def _link_target_not_organization(g: Graph) -> None:
    g.set((JB_LINK, LJ.target, ARTICLE))


def _empty_sentence(g: Graph) -> None:
    g.set((EVIDENCE_1, LJ.sentence, Literal(" ", lang="zh-Hans")))


def _evidence_without_article(g: Graph) -> None:
    g.remove((EVIDENCE_1, PROV.wasDerivedFrom, None))


def _article_without_hash(g: Graph) -> None:
    g.remove((ARTICLE, LJ.contentHash, None))


def _article_without_file_name(g: Graph) -> None:
    g.remove((ARTICLE, LJ.fileName, None))


def _place_without_level(g: Graph) -> None:
    g.remove((CITY, LJ.adminLevel, None))


def _place_with_unknown_level(g: Graph) -> None:
    g.set((CITY, LJ.adminLevel, Literal("village")))


def _place_without_label(g: Graph) -> None:
    g.remove((CITY, SKOS.prefLabel, None))


def _place_label_untagged(g: Graph) -> None:
    g.set((CITY, SKOS.prefLabel, Literal("青石市")))


PLACE_LABEL = "A place must have exactly one non-empty skos:prefLabel tagged @zh-Hans."


def _blank_organization(g: Graph) -> None:
    node = BNode()
    g.add((node, RDF.type, ORG.Organization))
    g.add((node, RDF.type, LJ.Customs))
    g.add((node, SKOS.prefLabel, Literal("无名海关", lang="zh-Hans")))
    g.add((node, LJ.mentionedIn, ARTICLE))


BROKEN = {
    "missing prefLabel": (_missing_pref_label, PREFLABEL_COUNT),
    "two prefLabels": (_two_pref_labels, PREFLABEL_COUNT),
    "English prefLabel": (_english_pref_label, PREFLABEL_LANGUAGE),
    "link without evidence": (_link_without_evidence, LINK_EVIDENCE),
    "link without article": (_link_without_article, LINK_ARTICLE),
    "curated link without decision": (_curated_link_without_decision, CURATED_DECISION),
    "curated link generated by an article": (_curated_link_generated_by_article, CURATED_DECISION),
    "curated organization without decision": (_curated_organization_without_decision, CURATED_DECISION),
    "curated flag false": (_curated_flag_false, "lj:curated, where present, must be true."),
    "confidence 1.5": (_confidence_too_high, LINK_CONFIDENCE),
    "confidence not a decimal": (_confidence_not_decimal, LINK_CONFIDENCE),
    "no organization type": (
        _no_known_type,
        "An organization must have one of the 13 organization types (lj:PartyOrganization ... lj:Alliance) as rdf:type.",
    ),
    "neither mentioned nor curated": (
        _not_mentioned_nor_curated,
        "An organization must be mentioned in at least one article (lj:mentionedIn) unless a curation decision added it (lj:curatedBy).",
    ),
    "two relations": (
        _two_relations,
        "A link must have exactly one lj:relation, one of lj:jointBuildingWith, lj:jointDefenseWith, lj:cooperatesWith, org:memberOf, org:subOrganizationOf.",
    ),
    "unknown relation": (
        _unknown_relation,
        "A link must have exactly one lj:relation, one of lj:jointBuildingWith, lj:jointDefenseWith, lj:cooperatesWith, org:memberOf, org:subOrganizationOf.",
    ),
    "target not an organization": (
        _link_target_not_organization,
        "A link must have exactly one lj:target, an org:Organization.",
    ),
    "empty sentence": (_empty_sentence, "An evidence must have exactly one non-empty lj:sentence."),
    "evidence without article": (
        _evidence_without_article,
        "An evidence must have exactly one prov:wasDerivedFrom, an lj:Article.",
    ),
    "article without hash": (
        _article_without_hash,
        "An article must have exactly one lj:contentHash in lower-case hexadecimal.",
    ),
    "article without file name": (
        _article_without_file_name,
        "An article must have exactly one non-empty lj:fileName.",
    ),
    "place without level": (
        _place_without_level,
        'A place must have exactly one lj:adminLevel: "province", "city" or "county".',
    ),
    "place with unknown level": (
        _place_with_unknown_level,
        'A place must have exactly one lj:adminLevel: "province", "city" or "county".',
    ),
    "place without label": (_place_without_label, PLACE_LABEL),
    "place label without language": (_place_label_untagged, PLACE_LABEL),
    "blank-node organization": (_blank_organization, "An organization must be named by an IRI."),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_instance_is_reported(case: str, shapes: Graph) -> None:
    breaks, expected = BROKEN[case]
    data = instance()
    breaks(data)
    conforms, messages = validate(data, shapes)
    assert not conforms
    if expected is not None:
        assert expected in messages, messages


def test_rdf_writer_output_conforms(shapes: Graph) -> None:
    """What kg.rdf writes for every kind of record satisfies the shapes."""
    from kg.model import Article, CurationRecord, Evidence, Link, Organization, Place, Resolved
    from kg.rdf import triples

    article = Article(path="a1.txt", file_name="a1.txt", sha256="ab" * 32, text="", title="简讯",
                      date="2024-05-01", source="青石日报")
    station = Organization("青石出入境边防检查站", "青石出入境边防检查站", "BorderInspection",
                           aliases={"青石边检站"}, articles={article.id}, place="990100")
    customs = Organization("青石海关", "青石海关", "Customs", articles={article.id}, implicit=True)
    added = Organization("青石港务有限公司", "青石港务有限公司", "Enterprise", curated_by=["d1"])
    resolved = Resolved(
        articles={article.id: article},
        organizations={o.key: o for o in (station, customs, added)},
        links={
            ("joint_building", station.key, customs.key): Link(
                "joint_building", station.key, customs.key,
                [Evidence(article.id, "青石边检站与青石海关结对共建。", 0.9)]),
            ("cooperation", added.key, customs.key): Link(
                "cooperation", added.key, customs.key, curated_by="d2", note="人工补充"),
        },
        places={"990000": Place("990000", "青石省", "province"),
                "990100": Place("990100", "青石市", "city", parent="990000")},
        decisions={"d1": CurationRecord("d1", "add", "add: 青石港务有限公司"),
                   "d2": CurationRecord("d2", "add_link", "add_link: 青石港务有限公司 — 青石海关", note="人工补充")},
    )
    data = Graph().parse(data="".join(triples(resolved)), format="nt")
    conforms, messages = validate(data, shapes)
    assert conforms, messages
    assert (None, LJ.curated, None) in data  # the curated parts are really there
