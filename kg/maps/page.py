"""Render map data into one self-contained, offline HTML page.

Safe by construction: the template is autoescaped; article text reaches the
page only as JSON inside ``<script type="application/json">`` with ``<``,
``>`` and ``&`` escaped, so it can never close the script element; the page's
scripts build every tooltip and panel with DOM nodes and ``textContent``; and
a Content-Security-Policy allows only the page's own inline scripts (by hash)
and no network access at all.

>>> page = render_html({"nodes": [], "edges": [], "articles": [], "styles": {}, "options": {"title": "</script>"}})
>>> "</script><" in page.split("map-data")[1].split("</script>")[0]
False
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path

import jinja2
import pyvis
from markupsafe import Markup

from kg.resources import viz_dir

# vis-network ships inside pyvis (setup.cfg pins pyvis <0.4); map.js is written for its 9.1.2 build.
VIS_NETWORK = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"


def _script_text(text: str) -> str:
    """Line ends as the HTML parser would leave them, so CSP hashes match what the browser sees."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    """vis-network (MIT/Apache-2.0, licence header kept) from the installed pyvis, and our own files."""
    folder = viz_dir()
    if not VIS_NETWORK.is_file():
        raise FileNotFoundError(f"vis-network 9.1.2 not found at {VIS_NETWORK}: install pyvis 0.3.x (pip install 'pyvis>=0.3.2,<0.4')")
    return {
        "vis_js": _script_text(VIS_NETWORK.read_text(encoding="utf-8")),
        "map_js": _script_text((folder / "map.js").read_text(encoding="utf-8")),
        "map_css": (folder / "map.css").read_text(encoding="utf-8"),
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(viz_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def json_for_script(data) -> str:
    """JSON that is inert inside a script element: no ``<``, ``>`` or ``&`` survives literally.

    >>> json_for_script({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(*scripts: str) -> str:
    """Nothing may load from anywhere; only the given inline scripts may run."""
    return "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(_sha256(s) for s in scripts),
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
    ])


def render_html(data: dict) -> str:
    """The whole page for ``data`` (the dict from ``kg.maps.payload.map_data``)."""
    assets = _assets()
    title = data.get("options", {}).get("title") or "党建联建网络图"
    return _environment().get_template("map.html").render(
        title=title,
        csp=content_security_policy(assets["vis_js"], assets["map_js"]),
        css=Markup(assets["map_css"]),
        vis_js=Markup(assets["vis_js"]),
        map_js=Markup(assets["map_js"]),
        data_json=Markup(json_for_script(data)),
    )
