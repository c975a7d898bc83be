"""Legends: a box of symbols with their meaning, and the colour classes of a choropleth."""

from __future__ import annotations

from collections.abc import Sequence

import folium
from branca.colormap import StepColormap

from maps.controls import HtmlControl
from maps.html import esc


def legend_html(title: str, items: Sequence[tuple[str, str]]) -> str:
    """A legend box: ``items`` are (symbol markup, plain-text label); labels are escaped here."""
    rows = "".join(f'<div class="gp-legend-row">{symbol}<span>{esc(label)}</span></div>' for symbol, label in items)
    return f"<h4>{esc(title)}</h4>{rows}"


def legend_line_html(title: str, items: Sequence[tuple[str, str]]) -> str:
    """The same legend as one line of HTML (title, then the items side by side), for a page
    beside the map rather than a box on it; its style is inline, needing no map CSS."""
    rows = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:4px;margin:0 10px 2px 0;white-space:nowrap">'
        f'{symbol}<span>{esc(label)}</span></span>' for symbol, label in items)
    return (f'<div style="margin:0 0 4px 0"><b style="margin-right:8px">{esc(title)}</b>'
            f'<span style="display:inline-flex;flex-wrap:wrap;vertical-align:middle">{rows}</span></div>')


def add_legend(m: folium.Map, title: str, items: Sequence[tuple[str, str]], position: str = "side") -> HtmlControl:
    """Add a legend box to ``m`` (see :func:`legend_html`)."""
    control = HtmlControl(legend_html(title, items), position=position, css_class="gp-box gp-legend")
    control.add_to(m)
    return control


def class_labels(bounds: Sequence[float], percent: bool = True) -> list[str]:
    """Labels of the classes between consecutive ``bounds`` (e.g. ``60–80%``), the last one closed."""
    def f(x: float) -> str:
        return f"{100 * x:g}%" if percent else f"{x:g}"

    labels = []
    for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
        last = i == len(bounds) - 2
        labels.append(f"{f(lo)}–{f(hi)}" if last else f"{f(lo)} – <{f(hi)}")
    return labels


def colour_legend_items(colormap: StepColormap, percent: bool = True) -> list[tuple[str, str]]:
    """Legend rows of a step colour map: one swatch per class, highest class first (inline style)."""
    bounds = list(colormap.index)
    items = []
    for lo, label in zip(bounds[:-1], class_labels(bounds, percent)):
        swatch = (f'<span class="gp-swatch" style="display:inline-block;width:16px;height:11px;'
                  f'border:1px solid #757575;background:{colormap.rgb_hex_str(lo)}"></span>')
        items.append((swatch, label))
    return items[::-1]


def add_colour_legend(m: folium.Map, title: str, colormap: StepColormap, percent: bool = True,
                      position: str = "side") -> HtmlControl:
    """A legend of a step colour map: one swatch per class, highest class first."""
    return add_legend(m, title, colour_legend_items(colormap, percent), position)
