"""Plain data records passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field

ORG_TYPES = (
    "PartyOrganization",
    "BorderInspection",
    "BorderPolice",
    "PublicSecurity",
    "Customs",
    "Maritime",
    "Military",
    "Government",
    "Village",
    "Enterprise",
    "MerchantAssociation",
    "SocialOrganization",
    "Alliance",
)

SYMMETRIC_RELATIONS = ("joint_building", "joint_defense", "cooperation")
DIRECTED_RELATIONS = ("member_of", "sub_organization_of")
RELATION_TYPES = SYMMETRIC_RELATIONS + DIRECTED_RELATIONS


@dataclass
class Article:
    """One ingested file: cleaned simplified text plus what the page says about itself."""

    path: str
    file_name: str
    sha256: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    source: str | None = None  # the outlet
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. invalid bytes replaced while decoding

    @property
    def id(self) -> str:
        return self.sha256[:16]


@dataclass(frozen=True)
class Skipped:
    """A path that was not read as an article, and why (reported in build summaries)."""

    path: str
    reason: str


@dataclass
class Place:
    code: str  # administrative division code (adcode)
    name: str
    level: str  # province | city | county
    parent: str | None = None  # code of the enclosing place


@dataclass
class Organization:
    key: str  # canonical name; the IRI is derived from it
    name: str  # skos:prefLabel
    type: str
    aliases: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)  # Article.id values
    place: str | None = None  # Place.code
    implicit: bool = False
    curated_by: list[str] = field(default_factory=list)  # curation decision ids


@dataclass
class Evidence:
    article: str  # Article.id
    sentence: str
    confidence: float


@dataclass
class Link:
    type: str  # one of RELATION_TYPES
    head: str  # Organization.key
    tail: str
    evidence: list[Evidence] = field(default_factory=list)
    curated_by: str | None = None  # curation decision id, for links a person added
    note: str | None = None  # the source note of a curated link

    @property
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=1.0)

    @property
    def article_ids(self) -> set[str]:
        return {e.article for e in self.evidence}


@dataclass
class CurationRecord:
    """A curation decision as it appears in the graph (provenance of what it changed)."""

    id: str
    operation: str
    description: str
    note: str | None = None


@dataclass
class Resolved:
    articles: dict[str, Article] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    links: dict[tuple[str, str, str], Link] = field(default_factory=dict)  # (type, head, tail)
    places: dict[str, Place] = field(default_factory=dict)
    decisions: dict[str, CurationRecord] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
