"""Visible article text of an HTML page, one block element per line, plus what its head says.

Scripts, styles, navigation, headers, footers, forms and elements whose
class or id names site furniture (``ontology/boilerplate.yaml``) are dropped
with everything inside them; their text never reaches the article.

>>> page = html_to_text('<title>标题_某网</title><p>甲与<b>乙</b>共建</p><script>丙</script><div>丁</div>')
>>> page.text, page.title
('甲与乙共建\\n丁', '标题')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kg.boilerplate import Rules, load_rules

_BLOCKS = (
    "address, article, blockquote, caption, center, dd, details, dialog, div, dl, dt, fieldset, "
    "figcaption, figure, h1, h2, h3, h4, h5, h6, hr, li, main, ol, p, pre, section, summary, "
    "table, tbody, thead, tfoot, tr, td, th, ul"
)
_BREAK = "\u2029"  # marks block edges while HTML white space is collapsed
_HTML_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_CLASS_WORDS = re.compile(r"[\s_\-]+")
_TITLE_PARTS = re.compile(r"\s*[_|｜]\s*|\s+[-–—]\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_KEEP_ALWAYS = frozenset({"html", "body", "main", "article"})

_TITLE_KEYS = ("og:title", "twitter:title", "articletitle", "dc.title", "title")
_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "pubdate", "publishdate", "publish_date",
    "publish-date", "datepublished", "article:published", "dc.date.issued", "dc.date", "date",
    "og:release_date", "weibo:article:create_at", "parsely-pub-date", "sailthru.date",
)  # fmt: skip
_SOURCE_KEYS = ("contentsource", "source", "article:source", "og:article:source")
_SITE_KEYS = ("og:site_name", "sitename", "application-name")


@dataclass
class HtmlPage:
    text: str  # visible text, one block per line, not yet cleaned
    title: str | None = None
    date: str | None = None  # as written in the page (parsed later)
    source: str | None = None  # the outlet the page credits (meta ContentSource, source)
    site: str | None = None  # the site that published it (og:site_name)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset=...>``).

    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    'gb2312'
    """
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def html_to_text(html: str, rules: Rules | None = None) -> HtmlPage:
    """Parse a page and return its visible text and metadata."""
    rules = rules or load_rules()
    tree = LexborHTMLParser(html)
    meta = _meta(tree)
    page = HtmlPage(
        text="",
        title=_first_text(tree, "h1") or _without_site(_pick(meta, _TITLE_KEYS) or _first_text(tree, "title")),
        date=_pick(meta, _DATE_KEYS) or _time_element(tree),
        source=_pick(meta, _SOURCE_KEYS),
        site=_pick(meta, _SITE_KEYS),
    )
    body = tree.body or tree.root
    if body is None:
        return page
    _decompose_outermost(tree.css(", ".join(rules.html_drop_tags)))
    _decompose_outermost(list(_furniture(body, rules)))
    for node in body.css("br"):
        node.insert_after(_BREAK)
    for node in body.css(_BLOCKS):
        node.insert_before(_BREAK)
        node.insert_after(_BREAK)
    raw = body.text(deep=True, separator="")
    page.text = "\n".join(
        line for line in (_HTML_SPACE.sub(" ", part).strip() for part in raw.split(_BREAK)) if line
    )
    return page


def _furniture(body: LexborNode, rules: Rules):
    """Elements whose class or id names furniture, unless they hold the headline or most of the page."""
    total = len(body.text(deep=True, separator=""))
    for node in body.css("[class], [id]"):
        if node.tag in _KEEP_ALWAYS:
            continue
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}".lower()
        if not rules.html_drop_class_words.intersection(_CLASS_WORDS.split(names)):
            continue
        if node.css_first("h1") is not None or len(node.text(deep=True, separator="")) > total / 2:
            continue
        yield node


def _decompose_outermost(nodes: list[LexborNode]) -> None:
    """Remove nodes with their content; a node inside another removed one is left to its ancestor
    (touching it after the ancestor is gone would read freed memory)."""
    doomed = {node.mem_id for node in nodes}
    outermost = []
    for node in nodes:  # decide everything before anything is freed
        parent = node.parent
        while parent is not None and parent.mem_id not in doomed:
            parent = parent.parent
        if parent is None:
            outermost.append(node)
    for node in outermost:
        node.decompose()


def _meta(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or ""
        content = (attrs.get("content") or "").strip()
        if key and content:
            found.setdefault(key.strip().lower(), content)
    return found


def _pick(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((meta[key] for key in keys if meta.get(key)), None)


def _first_text(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    text = _HTML_SPACE.sub(" ", node.text(deep=True, separator="")).strip() if node else ""
    return text if len(text) >= 2 else None


def _without_site(title: str | None) -> str | None:
    """A page title without the site name after ``_``, ``|`` or `` - ``.

    >>> _without_site("青山边检站党建联创 - 某某网")
    '青山边检站党建联创'
    """
    if not title:
        return None
    parts = [part for part in _TITLE_PARTS.split(title) if part]
    return next((part for part in parts if len(part) >= 4), parts[0] if parts else None)


def _time_element(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("time[datetime]")
    return (node.attributes.get("datetime") or None) if node else None
