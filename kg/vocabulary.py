"""Facts the code reads from the ontology file, so that the schema stays data."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from kg.resources import ontology_file

LJ = "https://w3id.org/lianjian/ontology#"
ORG = "http://www.w3.org/ns/org#"


@lru_cache(maxsize=1)
def _ontology() -> ox.Store:
    store = ox.Store()
    store.load(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
    return store


@lru_cache(maxsize=1)
def relation_properties() -> dict[str, str]:
    """Relation keys of the gold schema mapped to property IRIs.

    >>> relation_properties()["joint_building"]
    'https://w3id.org/lianjian/ontology#jointBuildingWith'
    """
    rows = _ontology().query(f"SELECT ?p ?key WHERE {{ ?p <{LJ}schemaKey> ?key }}")
    return {row["key"].value: row["p"].value for row in rows}


@lru_cache(maxsize=1)
def symmetric_properties() -> frozenset[str]:
    rows = _ontology().query(
        "SELECT ?p WHERE { ?p a <http://www.w3.org/2002/07/owl#SymmetricProperty> }"
    )
    return frozenset(row["p"].value for row in rows)


@lru_cache(maxsize=1)
def organization_classes() -> dict[str, str]:
    """Local name → IRI of every organization type class (the 13 of the schema)."""
    rows = _ontology().query(
        f"SELECT ?c WHERE {{ ?c <http://www.w3.org/2004/02/skos/core#inScheme> <{LJ}OrganizationTypes> }}"
    )
    return {row["c"].value.removeprefix(LJ): row["c"].value for row in rows}
