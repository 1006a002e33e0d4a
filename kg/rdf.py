"""Resolved organizations and links as N-Triples lines, with deterministic, readable IRIs.

The vocabulary is the table in docs/architecture.md. Lines come out in a
fixed order, so the same input always gives byte-identical output.

>>> from kg.model import Resolved, Organization
>>> r = Resolved(organizations={"铜陵海关": Organization("铜陵海关", "铜陵海关", "Customs")})
>>> any("skos/core#prefLabel" in line for line in triples(r))
True
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from kg.model import Article, CurationRecord, Link, Organization, Place, Resolved
from kg.vocabulary import LJ, ORG, relation_properties, symmetric_properties

ID = "https://w3id.org/lianjian/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Characters %-encoded in an IRI path segment: all but A-Z a-z 0-9 - . _ ~ ( ) and U+00A0-D7FF, U+F900-FDCF,
# U+FDF0-FFEF. Spelled as the unsafe ranges: the negated safe class took 4.5 ms to compile, in every build.
_IRI_UNSAFE = re.compile(r"[\x00-\x27\x2a-\x2c\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7d\x7f-\x9f"
                         r"\ud800-\uf8ff\ufdd0-\ufdef\ufff0-\U0010ffff]")
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]")
_LITERAL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_LITERAL_SPECIAL = re.compile(r'[\\"\n\r\x00-\x1f\x7f]')


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _LITERAL_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def segment(text: str) -> str:
    """A readable IRI path segment: Chinese kept, anything unsafe %-encoded.

    >>> segment("铜陵 海关/一队")
    '铜陵%20海关%2F一队'
    """
    text = _SPACES.sub(" ", text)
    return _IRI_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), text)


def _digest(*parts: str, size: int = 12) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:size]


def org_iri(key: str) -> str:
    return f"{ID}org/{segment(key)}"


def article_iri(article_id: str) -> str:
    return f"{ID}article/{article_id}"


def place_iri(code: str) -> str:
    return f"{ID}place/{segment(code)}"


def decision_iri(decision_id: str) -> str:
    return f"{ID}curation/{segment(decision_id)}"


def link_iri(link: Link) -> str:
    return f"{ID}link/{link.type}/{_digest(link.type, link.head, link.tail)}"


def evidence_iri(link: Link, article: str, sentence: str) -> str:
    return f"{ID}evidence/{_digest(link.type, link.head, link.tail, article, sentence, size=16)}"


def iri(value: str) -> str:
    return f"<{value}>"


def text(value: str, lang: str | None = "zh-Hans") -> str:
    escaped = _LITERAL_SPECIAL.sub(_escape_char, value)
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _line(subject: str, predicate: str, obj: str) -> str:
    return f"<{subject}> <{predicate}> {obj} .\n"


def _article(article: Article) -> Iterator[str]:
    subject = article_iri(article.id)
    yield _line(subject, RDF_TYPE, iri(LJ + "Article"))
    yield _line(subject, LJ + "fileName", text(article.file_name, None))
    yield _line(subject, LJ + "contentHash", text(article.sha256, None))
    if article.title:
        yield _line(subject, DCTERMS + "title", text(article.title))
    if article.date:
        yield _line(subject, DCTERMS + "date", typed(article.date, "date"))
    if article.source:
        yield _line(subject, DCTERMS + "source", text(article.source))


_ALT_LABEL = f" <{SKOS}altLabel> "
_MENTIONED_IN = f" <{LJ}mentionedIn> <{ID}article/"


def _organization(org: Organization) -> Iterator[str]:
    subject = org_iri(org.key)
    yield _line(subject, RDF_TYPE, iri(LJ + org.type))
    yield _line(subject, RDF_TYPE, iri(ORG + "Organization"))
    yield _line(subject, SKOS + "prefLabel", text(org.name))
    start = f"<{subject}>"
    for alias in sorted(org.aliases - {org.name}):
        yield f"{start}{_ALT_LABEL}{text(alias)} .\n"
    for article_id in sorted(org.articles):
        yield f"{start}{_MENTIONED_IN}{article_id}> .\n"
    if org.place:
        yield _line(subject, LJ + "locatedIn", iri(place_iri(org.place)))
    if org.implicit:
        yield _line(subject, LJ + "implicit", typed("true", "boolean"))
    if org.curated_by:
        yield _line(subject, LJ + "curated", typed("true", "boolean"))
    for decision in sorted(set(org.curated_by)):
        yield _line(subject, LJ + "curatedBy", iri(decision_iri(decision)))


# The fixed parts of a link's lines, made once (a large graph writes hundreds of thousands of them).
_A_LINK = f" <{RDF_TYPE}> <{LJ}Link> .\n"
_RELATION = f" <{LJ}relation> <"
_SOURCE = f" <{LJ}source> "
_TARGET = f" <{LJ}target> "
_CONFIDENCE = f" <{LJ}confidence> \""
_DECIMAL = f"\"^^<{XSD}decimal> .\n"
_ARTICLE_COUNT = f" <{LJ}articleCount> \""
_INTEGER = f"\"^^<{XSD}integer> .\n"
_DERIVED = f" <{PROV}wasDerivedFrom> <{ID}article/"
_EVIDENCE = f" <{LJ}evidence> "
_A_EVIDENCE = f" <{RDF_TYPE}> <{LJ}Evidence> .\n"
_SENTENCE = f" <{LJ}sentence> "


def _link(link: Link, properties: dict[str, str], symmetric: frozenset[str]) -> Iterator[str]:
    # The lines of link_iri, evidence_iri and _line, written out: this is the bulk of a graph.
    ends = f"{link.type}\x1f{link.head}\x1f{link.tail}"
    subject = f"<{ID}link/{link.type}/{hashlib.sha1(ends.encode('utf-8')).hexdigest()[:12]}>"
    head, tail = f"<{org_iri(link.head)}>", f"<{org_iri(link.tail)}>"
    prop = properties[link.type]
    yield f"{head} <{prop}> {tail} .\n"
    if prop in symmetric:
        yield f"{tail} <{prop}> {head} .\n"
    yield subject + _A_LINK
    yield f"{subject}{_RELATION}{prop}> .\n"
    yield f"{subject}{_SOURCE}{head} .\n"
    yield f"{subject}{_TARGET}{tail} .\n"
    yield f"{subject}{_CONFIDENCE}{link.confidence:.3f}{_DECIMAL}"
    articles = link.article_ids
    yield f"{subject}{_ARTICLE_COUNT}{len(articles)}{_INTEGER}"
    for article_id in sorted(articles):
        yield f"{subject}{_DERIVED}{article_id}> .\n"
    ends += "\x1f"
    for evidence in sorted(link.evidence, key=lambda e: (e.article, e.sentence)):
        digest = hashlib.sha1(f"{ends}{evidence.article}\x1f{evidence.sentence}".encode("utf-8")).hexdigest()[:16]
        node = f"<{ID}evidence/{digest}>"
        yield f"{subject}{_EVIDENCE}{node} .\n"
        yield node + _A_EVIDENCE
        yield f"{node}{_SENTENCE}{text(evidence.sentence)} .\n"
        yield f"{node}{_DERIVED}{evidence.article}> .\n"
        yield f"{node}{_CONFIDENCE}{evidence.confidence:.3f}{_DECIMAL}"
    if link.curated_by:
        subject = subject[1:-1]
        yield _line(subject, LJ + "curated", typed("true", "boolean"))
        yield _line(subject, PROV + "wasGeneratedBy", iri(decision_iri(link.curated_by)))
        if link.note:
            yield _line(subject, RDFS_COMMENT, text(link.note))


def _place(place: Place) -> Iterator[str]:
    subject = place_iri(place.code)
    yield _line(subject, RDF_TYPE, iri(LJ + "AdministrativeDivision"))
    yield _line(subject, SKOS + "prefLabel", text(place.name))
    yield _line(subject, LJ + "adminLevel", text(place.level, None))
    if place.parent:
        yield _line(subject, SKOS + "broader", iri(place_iri(place.parent)))


def _decision(decision: CurationRecord) -> Iterator[str]:
    subject = decision_iri(decision.id)
    yield _line(subject, RDF_TYPE, iri(LJ + "CurationDecision"))
    yield _line(subject, LJ + "operation", text(decision.operation, None))
    yield _line(subject, RDFS_COMMENT, text(decision.description))
    if decision.note:
        yield _line(subject, RDFS_COMMENT, text(decision.note))


def triples(resolved: Resolved) -> Iterator[str]:
    """N-Triples lines (each ending in a newline) for everything in ``resolved``."""
    properties, symmetric = relation_properties(), symmetric_properties()
    for key in sorted(resolved.articles):
        yield from _article(resolved.articles[key])
    for key in sorted(resolved.places):
        yield from _place(resolved.places[key])
    for key in sorted(resolved.decisions):
        yield from _decision(resolved.decisions[key])
    for key in sorted(resolved.organizations):
        yield from _organization(resolved.organizations[key])
    for key in sorted(resolved.links):
        yield from _link(resolved.links[key], properties, symmetric)
