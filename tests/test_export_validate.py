"""kg.export, kg.validate and kg.vocabulary on a small graph written by kg.rdf."""

import csv
import json

import networkx as nx
import pytest
import rdflib

from kg.export import export_store
from kg.rdf import triples
from kg.resources import ontology_file
from kg.store import ONTOLOGY_GRAPH, EmbeddedStore
from kg.validate import validate_graph, validate_store
from kg.vocabulary import organization_classes, relation_properties, symmetric_properties
from test_rdf import sample


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("export") / "s")
    with store.new_version() as transaction:
        transaction.add_lines(triples(sample()))
        transaction.load_file(ontology_file(), graph=ONTOLOGY_GRAPH)
    return store


@pytest.mark.parametrize("fmt,parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_rdf_exports_parse_and_hold_the_data_graph_only(store, tmp_path, fmt, parser):
    [path] = export_store(store, fmt, tmp_path / f"g.{fmt}")
    graph = rdflib.Graph().parse(path, format=parser)
    expected = len(list(triples(sample())))
    assert len(graph) == expected
    assert not list(graph.triples((None, rdflib.RDF.type, rdflib.OWL.Ontology)))


def test_with_ontology_appends_it(store, tmp_path):
    [path] = export_store(store, "ttl", tmp_path / "g.ttl", with_ontology=True)
    graph = rdflib.Graph().parse(path, format="turtle")
    assert list(graph.triples((None, rdflib.RDF.type, rdflib.OWL.Ontology)))
    with pytest.raises(ValueError, match="ttl and nt"):
        export_store(store, "jsonld", tmp_path / "g.jsonld", with_ontology=True)


def test_network_exports_read_back_in_networkx(store, tmp_path):
    [graphml] = export_store(store, "graphml", tmp_path / "g.graphml")
    [gexf] = export_store(store, "gexf", tmp_path / "g.gexf")
    for network in (nx.read_graphml(graphml), nx.read_gexf(gexf)):
        assert network.number_of_nodes() == 2
        assert network.number_of_edges() == 1
        labels = {data["label"] for _, data in network.nodes(data=True)}
        assert labels == {"铜陵出入境边防检查站", "铜陵海关"}
    node = next(iter(nx.read_graphml(graphml).nodes(data=True)))[1]
    assert isinstance(json.loads(node["aliases"]), list)


def test_csv_export_writes_links_and_nodes(store, tmp_path):
    links, nodes = export_store(store, "csv", tmp_path / "g.csv")
    assert nodes.name == "g.nodes.csv"
    with open(links, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[:3] == ["source", "source_label", "target"]
    assert len(rows) == 1 and rows[0][4] == "cooperation;joint_building"
    assert rows[0][6] == '与铜陵海关"联建"\n第二行\x07'  # a sentence with a line break survives quoting whole
    with open(nodes, newline="", encoding="utf-8") as handle:
        assert len(list(csv.reader(handle))) == 3


def test_built_graph_conforms_and_a_broken_one_does_not(store):
    assert validate_store(store).conforms
    broken = rdflib.Graph()
    broken.parse(data="".join(triples(sample())), format="nt")
    station = rdflib.URIRef("https://w3id.org/lianjian/id/org/铜陵海关")
    broken.remove((station, rdflib.SKOS.prefLabel, None))
    report = validate_graph(broken)
    assert not report.conforms
    assert any(v["focus"] == str(station) for v in report.violations)
    assert "violation" in report.text()


def test_vocabulary_is_read_from_the_ontology():
    properties = relation_properties()
    assert set(properties) == {"joint_building", "joint_defense", "cooperation", "member_of", "sub_organization_of"}
    assert properties["member_of"] == "http://www.w3.org/ns/org#memberOf"
    assert properties["joint_defense"] in symmetric_properties()
    assert properties["member_of"] not in symmetric_properties()
    assert len(organization_classes()) == 13
