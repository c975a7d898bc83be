"""HTML boxes on the map (title, legends, indicator panel) as Leaflet controls.

A Leaflet control sits in a map corner and is stacked with the other controls of that
corner, so boxes never overlap the zoom buttons, the scale bar or the layer control.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template

from maps.html import CJK_FONTS

CORNERS = ("topleft", "topright", "bottomleft", "bottomright")

#: Styles of every box geoplan puts on a map, added once per page.
PAGE_CSS = f"""
<style>
/* div.… outranks leaflet.css, which the page loads after this block. */
div.leaflet-container {{ background: #f2efe9; }}
.leaflet-container, .leaflet-control, .leaflet-popup-content, .leaflet-tooltip {{ font-family: {CJK_FONTS}; }}
.leaflet-control-layers-expanded {{ max-height: 48vh; overflow-y: auto; font-size: 12px; line-height: 1.5; }}
.gp-box {{ background: rgba(255,255,255,0.94); border: 1px solid #9e9e9e; border-radius: 4px;
          padding: 6px 9px; font-size: 12px; line-height: 1.45; color: #212121;
          box-shadow: 0 1px 4px rgba(0,0,0,0.25); max-width: 420px; }}
.gp-box h4 {{ margin: 0 0 4px 0; font-size: 13px; font-weight: bold; }}
.gp-title {{ font-size: 16px; font-weight: bold; padding: 5px 12px; max-width: 36vw; }}
.gp-legend-row {{ display: flex; align-items: center; gap: 6px; white-space: nowrap; }}
.gp-legend-row svg {{ flex: none; }}
.gp-swatch {{ display: inline-block; width: 18px; height: 12px; border: 1px solid #757575; flex: none; }}
.gp-popup {{ border-collapse: collapse; font-size: 12px; }}
.gp-popup th {{ text-align: left; font-weight: normal; color: #616161; padding: 1px 8px 1px 0; white-space: nowrap; }}
.gp-popup td {{ padding: 1px 0; }}
.gp-popup-title {{ font-weight: bold; font-size: 13px; margin-bottom: 3px; }}
.gp-panel table {{ border-collapse: collapse; }}
.gp-panel th, .gp-panel td {{ padding: 2px 6px; border-bottom: 1px solid #e0e0e0; text-align: right; }}
.gp-panel th:first-child, .gp-panel td:first-child {{ text-align: left; max-width: 210px; white-space: normal; }}
.gp-panel thead th {{ color: #616161; font-weight: normal; }}
.gp-status {{ color: white; border-radius: 3px; padding: 0 5px; white-space: nowrap; }}
.gp-met {{ background: #2e7d32; }}
.gp-not-met {{ background: #c62828; }}
.gp-label {{ background: none; border: none; box-shadow: none; font-size: 12px; font-weight: bold;
            color: #212121; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; white-space: nowrap; }}
.gp-icon {{ background: none; border: none; }}
</style>
"""


def add_page_css(m: folium.Map) -> None:
    """Add geoplan's box and popup styles to the page (once; a second call replaces the first)."""
    m.get_root().header.add_child(folium.Element(PAGE_CSS), name="geoplan_css")


class HtmlControl(MacroElement):
    """A box of HTML in a corner of the map (``position`` one of :data:`CORNERS`).

    ``html`` is inserted as is: escape user strings before (see :func:`maps.html.esc`).
    ``first`` puts the box at the edge of its corner, before the controls already there
    (the title above the zoom buttons).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
            {% if this.first %}
            var box = control.getContainer();
            box.parentNode.insertBefore(box, box.parentNode.firstChild);
            {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str = "bottomright", css_class: str = "gp-box", first: bool = False):
        super().__init__()
        if position not in CORNERS:
            raise ValueError(f"position must be one of {CORNERS}, not {position!r}")
        self._name = "HtmlControl"
        self.html = html
        self.position = position
        self.css_class = css_class
        self.first = first


class ScaleBar(MacroElement):
    """A metric-only scale bar (Leaflet's default also shows miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({position: "bottomleft", metric: true, imperial: false, maxWidth: 160})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "ScaleBar"
