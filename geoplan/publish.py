"""Publishing maps of a scenario as self-contained HTML files."""

from __future__ import annotations

from pathlib import Path

import folium

from geoplan.outputs import write_text
from geoplan.scenario import Scenario


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write ``m`` as one self-contained HTML file (scripts and styles inlined), atomically."""
    from maps import inline_assets

    html, _missing = inline_assets(m.get_root().render())
    return write_text(path, html)


def write_layers_map(scenario: Scenario, tiles: str = "osm") -> Path:
    """The map of all the scenario's layers, ``output/map_layers.html``."""
    from maps import layers_map

    m = layers_map(scenario.layers, title=f"{scenario.name} — 图层总览 / all layers", tiles=tiles)
    return save_map(m, scenario.output_dir / "map_layers.html")
