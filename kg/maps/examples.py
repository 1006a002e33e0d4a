"""Hand-made graphs in the shape of ``kg.project.project``, for tests, benchmarks and demos.

All names and sentences are invented. ``hostile_graph`` carries script
payloads in every text field; each payload, if it ever ran, would set
``window.__pwned``.

>>> g = sample_graph()
>>> g.nodes[org_iri("东港海关")]["type"]
'Customs'
>>> len(synthetic_graph(200))
200
"""

from __future__ import annotations

import random
import networkx as nx

from kg.model import ORG_TYPES, RELATION_TYPES

ORG = "https://w3id.org/lianjian/id/org/"
ARTICLE = "https://w3id.org/lianjian/id/article/"


def org_iri(label: str) -> str:
    """IRIs (unlike URIs) may hold Chinese characters as they are."""
    return ORG + label


def _article(n: int) -> str:
    return f"{ARTICLE}{n:016x}"


def _add_org(g: nx.Graph, label: str, org_type: str, aliases=(), place=None, articles=1) -> str:
    iri = org_iri(label)
    g.add_node(iri, label=label, type=org_type, aliases=list(aliases), place=place, articles=articles)
    return iri


def _add_link(g: nx.Graph, a: str, b: str, evidence: list[dict]) -> None:
    g.add_edge(
        a,
        b,
        weight=len({e["article"] for e in evidence}),
        relations=sorted({e["relation"] for e in evidence}),
        evidence=evidence,
    )


def sample_graph() -> nx.Graph:
    """A small invented port network with every organization type and relation type."""
    g = nx.Graph()
    titles = {
        1: ("东港口岸单位党建联建推进会召开", "2023-03-15"),
        2: ("边检海关海事携手共建平安口岸", "2023-06-02"),
        3: ("党建联盟成立 警地村企结对共建", "2024-01-20"),
    }

    def ev(relation: str, sentence: str, n: int) -> dict:
        title, date = titles[n]
        return {"relation": relation, "sentence": sentence, "article": _article(n), "title": title, "date": date}

    place = "东港市"
    station = _add_org(g, "东港出入境边防检查站", "BorderInspection", ["东港边检站"], place, 3)
    team = _add_org(g, "东港出入境边防检查站执勤一队", "BorderInspection", ["执勤一队"], place)
    customs = _add_org(g, "东港海关", "Customs", [], place, 2)
    maritime = _add_org(g, "东港海事局", "Maritime", ["东港海事"], place, 2)
    police = _add_org(g, "东港市公安局港区分局", "PublicSecurity", ["港区分局"], place)
    border_police = _add_org(g, "东港边境派出所", "BorderPolice", [], place)
    army = _add_org(g, "东港军分区", "Military", [], place)
    port_office = _add_org(g, "东港市口岸办", "Government", [], place)
    village = _add_org(g, "临江村", "Village", [], "东港市临江镇")
    branch = _add_org(g, "临江村党支部", "PartyOrganization", [], "东港市临江镇")
    company = _add_org(g, "东港港务集团有限公司", "Enterprise", ["港务集团"], place)
    chamber = _add_org(g, "东港湖南商会", "MerchantAssociation", [], place)
    volunteers = _add_org(g, "东港志愿者协会", "SocialOrganization", [], place)
    alliance = _add_org(g, "东港口岸党建联盟", "Alliance", ["口岸党建联盟"], place, 2)

    s1 = "东港边检站与东港海关、东港海事局签订党建联建协议，共同开展主题党日活动。"
    s2 = "东港边检站联合东港边境派出所、东港军分区开展边境联防联控演练。"
    s3 = "港务集团与东港海关在通关服务方面开展合作。"
    s4 = "口岸党建联盟由边检、海关、海事等单位共同发起成立。"
    s5 = "临江村党支部与东港边境派出所结对共建，港区分局参与治安联防。"
    _add_link(g, station, customs, [ev("joint_building", s1, 1), ev("joint_building", s4, 3)])
    _add_link(g, station, maritime, [ev("joint_building", s1, 1)])
    _add_link(g, station, border_police, [ev("joint_defense", s2, 2)])
    _add_link(g, station, army, [ev("joint_defense", s2, 2)])
    _add_link(g, team, station, [ev("sub_organization_of", "执勤一队是东港边检站下属的执勤单位。", 2)])
    _add_link(g, company, customs, [ev("cooperation", s3, 2)])
    for member in (station, customs, maritime):
        _add_link(g, member, alliance, [ev("member_of", s4, 3)])
    _add_link(g, branch, border_police, [ev("joint_building", s5, 3)])
    _add_link(g, police, border_police, [ev("joint_defense", s5, 3)])
    _add_link(g, branch, village, [ev("sub_organization_of", "临江村党支部带领村民参与口岸共建。", 3)])
    _add_link(g, chamber, company, [ev("cooperation", "东港湖南商会与港务集团签订合作协议。", 1)])
    _add_link(g, volunteers, village, [ev("cooperation", "东港志愿者协会走进临江村开展服务。", 1)])
    _add_link(g, port_office, alliance, [ev("member_of", "东港市口岸办加入口岸党建联盟。", 3)])
    return g


#: Strings that would run script if any of them reached the page as markup.
PAYLOADS = (
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "\"><svg onload=\"window.__pwned='svg'\">",
    "javascript:window.__pwned='js-url'",
    "</script><script>window.__pwned='breakout'</script>",
    "<a href=\"javascript:window.__pwned='href'\">href</a>",
    "'\"><iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\">",
    "<!--<script>window.__pwned='comment'</script>-->",
    "{{ 7*7 }}{% raw %}${window.__pwned='template'}",
    "&lt;script&gt;window.__pwned='entity'&lt;/script&gt;\u2028\u2029",
)


def hostile_graph() -> nx.Graph:
    """Organizations, places, aliases, article titles, dates, sentences and even types and
    relation keys made of script payloads (and of JavaScript's ``__proto__`` and
    ``constructor``), linked so that every payload is hovered somewhere."""
    g = nx.Graph()
    nodes = []
    for i, payload in enumerate(PAYLOADS):
        label = f"{payload}边检站{i}"
        iri = ORG + payload + str(i)  # a raw, unescaped IRI on purpose
        org_type = ORG_TYPES[i % len(ORG_TYPES)] if i % 3 else payload if i else "__proto__"
        g.add_node(iri, label=label, type=org_type, aliases=[payload, f"别名{i}{payload}"], place=payload, articles=i)
        nodes.append(iri)
    for i, payload in enumerate(PAYLOADS):
        a, b = nodes[i], nodes[(i + 1) % len(nodes)]
        relation = RELATION_TYPES[i % len(RELATION_TYPES)] if i % 4 else payload if i else "constructor"
        evidence = [
            {"relation": relation, "sentence": f"{payload}与{payload}签订共建协议", "article": ARTICLE + payload,
             "title": payload, "date": payload},
            {"relation": relation, "sentence": payload, "article": _article(i), "title": f"标题{payload}", "date": None},
        ]
        _add_link(g, a, b, evidence)
    return g


_PLACES = "东南西北中上下新安平永长兴宁"
_SUFFIX = {
    "PartyOrganization": "党支部", "BorderInspection": "边检站", "BorderPolice": "边境派出所",
    "PublicSecurity": "公安分局", "Customs": "海关", "Maritime": "海事处", "Military": "民兵连",
    "Government": "街道办事处", "Village": "村", "Enterprise": "有限公司", "MerchantAssociation": "商会",
    "SocialOrganization": "协会", "Alliance": "党建联盟",
}


def synthetic_graph(n: int, *, seed: int = 0, group: int = 40) -> nx.Graph:
    """``n`` invented organizations in groups of about ``group``, about two links each,
    mostly inside the group, each link with one or two evidence sentences."""
    rng = random.Random(seed)
    g = nx.Graph()
    nodes = []
    for i in range(n):
        org_type = rng.choice(ORG_TYPES)
        place = _PLACES[i % len(_PLACES)] + _PLACES[(i // len(_PLACES)) % len(_PLACES)] + "市"
        nodes.append(_add_org(g, f"{place}第{i}{_SUFFIX[org_type]}", org_type, [f"第{i}单位"], place, rng.randint(1, 4)))
    articles = max(1, n // 5)
    for i in range(1, n):
        start = (i // group) * group
        for _ in range(2):
            j = rng.randrange(start, i) if i > start and rng.random() < 0.9 else rng.randrange(0, i)
            if j == i or g.has_edge(nodes[i], nodes[j]):
                continue
            relation = rng.choice(RELATION_TYPES)
            evidence = []
            for _ in range(rng.randint(1, 2)):
                k = rng.randrange(articles)
                evidence.append({
                    "relation": relation,
                    "sentence": f"{g.nodes[nodes[i]]['label']}与{g.nodes[nodes[j]]['label']}签订党建联建协议，开展共建活动。",
                    "article": _article(k),
                    "title": f"第{k}篇报道：党建联建推进会",
                    "date": f"2023-{k % 12 + 1:02d}-{k % 28 + 1:02d}",
                })
            _add_link(g, nodes[i], nodes[j], evidence)
    return g
