"""HTML boxes of a map page (title block, legends, indicator panel, layer control).

Boxes go in the side panel right of the map (``position="side"``, the default for the
published maps), so no legend covers the county; a box may still sit in a map corner as a
Leaflet control, stacked with the other controls of that corner. The map itself keeps
only the zoom and full-screen buttons, the scale bar and the north arrow.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template

from maps.html import CJK_FONTS

CORNERS = ("topleft", "topright", "bottomleft", "bottomright")
#: Where a box may go: a map corner, or the side panel beside the map.
SIDE = "side"
POSITIONS = (*CORNERS, SIDE)
#: Width of the side panel, CSS pixels.
SIDE_PANEL_PX = 340

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
body.gp-with-side .folium-map {{ width: calc(100% - {SIDE_PANEL_PX}px) !important; }}
#gp-side {{ position: fixed; top: 0; right: 0; bottom: 0; width: {SIDE_PANEL_PX}px; box-sizing: border-box;
           overflow-y: auto; padding: 8px; background: #fafafa; border-left: 1px solid #bdbdbd;
           font-family: {CJK_FONTS}; z-index: 1000; }}
#gp-side .gp-box, #gp-side .leaflet-control-layers {{ margin: 0 0 8px 0; max-width: none; box-shadow: none;
           float: none; clear: both; }}
#gp-side .leaflet-control-layers-expanded {{ max-height: none; }}
#gp-side .gp-legend-row {{ white-space: normal; align-items: flex-start; }}
.gp-title {{ white-space: normal; }}
.gp-edition {{ font-size: 11px; font-weight: normal; color: #424242; margin-top: 4px; }}
.gp-north {{ background: rgba(255,255,255,0.85); border-radius: 4px; padding: 2px 4px; line-height: 0; }}
</style>
<script>
/* The side panel right of the map: made on first use, before the map is drawn. */
function gpSidePanel() {{
    var side = document.getElementById("gp-side");
    if (!side) {{
        side = document.createElement("div");
        side.id = "gp-side";
        document.body.appendChild(side);
        document.body.classList.add("gp-with-side");
    }}
    return side;
}}
</script>
"""


def add_page_css(m: folium.Map) -> None:
    """Add geoplan's box and popup styles to the page (once; a second call replaces the first)."""
    m.get_root().header.add_child(folium.Element(PAGE_CSS), name="geoplan_css")


class HtmlControl(MacroElement):
    """A box of HTML in the side panel or a corner of the map (``position`` one of :data:`POSITIONS`).

    ``html`` is inserted as is: escape user strings before (see :func:`maps.html.esc`).
    ``first`` puts the box first in its place, before the boxes already there (the title
    block above the legends).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            {% if this.position == "side" %}
            var box = L.DomUtil.create("div", {{ this.css_class|tojson }});
            box.innerHTML = {{ this.html|tojson }};
            var side = gpSidePanel();
            {% if this.first %}side.insertBefore(box, side.firstChild);{% else %}side.appendChild(box);{% endif %}
            {{ this._parent.get_name() }}.invalidateSize();
            return;
            {% endif %}
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
        if position not in POSITIONS:
            raise ValueError(f"position must be one of {POSITIONS}, not {position!r}")
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


#: A north arrow (SVG, no icon font): the maps are drawn north up.
NORTH_ARROW_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="22" height="34" viewBox="0 0 22 34">'
                   '<text x="11" y="10" text-anchor="middle" font-size="10" font-weight="bold" '
                   'font-family="sans-serif" fill="#212121">N</text>'
                   '<polygon points="11,12 18,32 11,27 4,32" fill="#212121"/>'
                   '<polygon points="11,12 11,27 4,32" fill="#ffffff" stroke="#212121" stroke-width="0.8"/></svg>')


class NorthArrow(MacroElement):
    """A north arrow in the top-left corner, under the zoom buttons."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: "topleft"});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "gp-north");
                div.title = "北 / north";
                div.innerHTML = {{ this.svg|tojson }};
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "NorthArrow"
        self.svg = NORTH_ARROW_SVG


class LayerControlToSide(MacroElement):
    """Moves the map's layer control (added before this) into the side panel, so it covers no map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var box = {{ this._parent.get_name() }}.getContainer().querySelector(".leaflet-control-layers");
            if (box) { gpSidePanel().appendChild(box); {{ this._parent.get_name() }}.invalidateSize(); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "LayerControlToSide"
