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


def add_legend(m: folium.Map, title: str, items: Sequence[tuple[str, str]], position: str = "bottomright") -> HtmlControl:
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


def add_colour_legend(m: folium.Map, title: str, colormap: StepColormap, percent: bool = True,
                      position: str = "bottomright") -> HtmlControl:
    """A legend of a step colour map: one swatch per class, highest class first."""
    bounds = list(colormap.index)
    labels = class_labels(bounds, percent)
    items = []
    for lo, label in zip(bounds[:-1], labels):
        colour = colormap.rgb_hex_str(lo)
        items.append((f'<span class="gp-swatch" style="background:{colour}"></span>', label))
    return add_legend(m, title, items[::-1], position)
