"""Map symbols drawn as inline SVG, so they render offline without icon fonts.

A facility is a rounded square in its kind's colour with one Chinese character naming the
kind (转 transfer station, 膜 film station …). Its status shows in the symbol: existing
solid, planned white with a dashed outline, candidate a hollow dotted circle.
"""

from __future__ import annotations

import folium

from maps.html import CJK_FONTS, esc

#: One character per facility kind, drawn inside its symbol.
KIND_GLYPHS: dict[str, str] = {
    "transfer_stations": "转",
    "film_recycling_stations": "膜",
    "muck_disposal_sites": "消",
    "muck_transfer_yards": "渣",
    "dropoff_points": "投",
    "collection_hubs": "归",
    "sorting_centers": "分",
    "recycling_markets": "市",
    "treatment_plants": "处",
    "depots": "场",
    "candidate_sites": "备",
}

#: Symbol size in pixels: the many drop-off points and candidate sites are drawn smaller.
KIND_SIZES_PX: dict[str, int] = {"dropoff_points": 12, "candidate_sites": 14}
DEFAULT_SIZE_PX = 22
#: Below this size the character is unreadable and left out (the colour and legend tell the kind).
MIN_GLYPH_SIZE_PX = 14
OVERLOAD_COLOUR = "#d50000"


def facility_svg(kind: str, colour: str, status: str = "existing", size_px: int | None = None,
                 overloaded: bool = False, glyph: str | None = None) -> str:
    """SVG markup of a facility symbol.

    Parameters
    ----------
    kind : str
        Facility layer kind (sets the character).
    colour : str
        CSS colour of the kind.
    status : {"existing", "planned", "candidate"}
    size_px : int, optional
        Width and height in pixels.
    overloaded : bool
        Adds a red ring: load above capacity.
    glyph : str, optional
        Character to draw instead of the kind's (``""`` for none, as in status legends).
    """
    s = size_px or KIND_SIZES_PX.get(kind, DEFAULT_SIZE_PX)
    if glyph is None:
        glyph = KIND_GLYPHS.get(kind, "设") if s >= MIN_GLYPH_SIZE_PX else ""
    glyph = esc(glyph)
    if status == "planned":
        fill, stroke, text, dash, width = "#ffffff", colour, colour, "3 2", 2.0
    elif status == "candidate":
        fill, stroke, text, dash, width = "none", colour, colour, "2 1.5", 1.5
    else:
        fill, stroke, text, dash, width = colour, "#ffffff", "#ffffff", None, 1.5
    pad = 3 if overloaded else 1
    box = s - 2 * pad
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    ring = (f'<rect x="0.75" y="0.75" width="{s - 1.5}" height="{s - 1.5}" rx="{s / 4:.1f}" fill="none" '
            f'stroke="{OVERLOAD_COLOUR}" stroke-width="1.5"/>') if overloaded else ""
    font_px = round(box * 0.68)
    if status == "candidate":
        # A hollow circle: unmistakable next to the squares of built and planned sites.
        shape = (f'<circle cx="{s / 2}" cy="{s / 2}" r="{(box - width) / 2}" fill="{fill}" stroke="{stroke}" '
                 f'stroke-width="{width}"{dash_attr}/>')
    else:
        shape = (f'<rect x="{pad + width / 2}" y="{pad + width / 2}" width="{box - width}" height="{box - width}" '
                 f'rx="{box / 5:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash_attr}/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" viewBox="0 0 {s} {s}">{ring}{shape}'
        f'<text x="{s / 2}" y="{s / 2}" dy="0.36em" text-anchor="middle" font-size="{font_px}" '
        f"font-weight=\"bold\" font-family='{CJK_FONTS}' fill=\"{text}\">{glyph}</text></svg>"
    )


def facility_icon(kind: str, colour: str, status: str = "existing", overloaded: bool = False) -> folium.DivIcon:
    """A Leaflet icon of :func:`facility_svg`, anchored at its centre."""
    s = KIND_SIZES_PX.get(kind, DEFAULT_SIZE_PX)
    return folium.DivIcon(html=facility_svg(kind, colour, status, s, overloaded), icon_size=(s, s),
                          icon_anchor=(s // 2, s // 2), class_name="gp-icon")


def dot_svg(colour: str, size_px: int = 10, stroke: str = "#ffffff") -> str:
    """A filled circle, as used for demand points in legends."""
    r = size_px / 2
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}">'
            f'<circle cx="{r}" cy="{r}" r="{r - 1}" fill="{colour}" stroke="{stroke}" stroke-width="1"/></svg>')


def line_svg(colour: str, width_px: float = 3, dash: str | None = None) -> str:
    """A short line, as used for routes and outlines in legends."""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="22" height="10">'
            f'<line x1="1" y1="5" x2="21" y2="5" stroke="{colour}" stroke-width="{width_px}"{dash_attr}/></svg>')


def stop_icon(kind: str, colour: str, label: str) -> folium.DivIcon:
    """A route stop: a numbered circle for a job, a dark square for the depot, a triangle for an unload."""
    if kind == "depot":
        shape = '<rect x="2" y="2" width="14" height="14" rx="2" fill="#263238" stroke="#fff" stroke-width="1.5"/>'
        text_colour, text = "#ffffff", "场"
    elif kind == "unload":
        shape = f'<path d="M9 1 L17 16 L1 16 Z" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        text_colour, text = colour, "卸"
    else:
        shape = f'<circle cx="9" cy="9" r="8" fill="{colour}" stroke="#fff" stroke-width="1.5"/>'
        text_colour, text = "#ffffff", label
    font_px = 9 if len(text) <= 2 else 7
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="18" height="18" viewBox="0 0 18 18">{shape}'
           f'<text x="9" y="{11 if kind == "unload" else 9}" dy="0.35em" text-anchor="middle" font-size="{font_px}" '
           f"font-weight=\"bold\" font-family='{CJK_FONTS}' fill=\"{text_colour}\">{esc(text)}</text></svg>")
    return folium.DivIcon(html=svg, icon_size=(18, 18), icon_anchor=(9, 9), class_name="gp-icon")
