"""Make folium HTML self-contained: inline the Leaflet/Bootstrap/plugin files it links.

folium links its JavaScript and CSS from public CDNs, which a planner's offline machine
(or a published report opened years later) cannot reach. The ``folium-offline`` package
carries the same files keyed by their CDN address; we swap each link for the file's text.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SCRIPT = re.compile(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>')
_STYLESHEET = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?://[^"]+)"\s*/?>')


@lru_cache(maxsize=1)
def _resources() -> dict[str, str]:
    from offlinefolium import elements, features

    out: dict[str, str] = {}
    for module in (elements, features):
        out.update(getattr(module, "_res", {}))
    return out


#: Leaflet as folium links it; the app's page serves the packaged copy of these.
LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"


def asset_text(url: str) -> str:
    """The packaged copy of the CDN file at ``url`` (e.g. :data:`LEAFLET_JS`); KeyError when none is packaged."""
    return _resources()[url]


def inline_assets(html: str) -> tuple[str, list[str]]:
    """Replace CDN ``<script>``/``<link>`` tags by the files' contents.

    Returns
    -------
    html : str
        The page with every known asset inlined.
    missing : list of str
        Addresses that could not be inlined (the page still links them).
    """
    res = _resources()
    missing: list[str] = []

    def script(m: re.Match) -> str:
        url = m.group(1)
        if url not in res:
            missing.append(url)
            return m.group(0)
        return "<script>" + res[url].replace("</script", "<\\/script") + "</script>"

    def style(m: re.Match) -> str:
        url = m.group(1)
        if url not in res:
            missing.append(url)
            return m.group(0)
        return "<style>" + res[url] + "</style>"

    html = _SCRIPT.sub(script, html)
    html = _STYLESHEET.sub(style, html)
    return html, missing


#: folium names every element ``<type>_<32 random hex digits>`` (``map_3f2a…``), so two
#: renders of the same map differ in every name.
_ELEMENT_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")


def stable_ids(html: str) -> str:
    """``html`` with folium's random element ids numbered in order of appearance.

    The same map then renders to the same bytes on every run.
    """
    numbers: dict[str, str] = {}

    def number(m: re.Match) -> str:
        return numbers.setdefault(m.group(0), f"{len(numbers) + 1:032x}")

    return _ELEMENT_ID.sub(number, html)


def page_html(m) -> str:
    """A folium map as one self-contained HTML page: assets inlined, element ids stable."""
    html, _missing = inline_assets(stable_ids(m.get_root().render()))
    return html

