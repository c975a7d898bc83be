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
