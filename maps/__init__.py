"""folium renderers for geoplan: facility layers, service areas, coverage, routes, indicators.

Build a map with :func:`new_map`, add overlays with the ``add_*`` functions (each adds
toggleable layers to the map), then :func:`finish_map` adds the layer control and the
fullscreen button. Every overlay is reprojected for the map's tiles (GCJ-02 on AMap).
"""

from maps.assets import inline_assets, page_html, stable_ids
from maps.base import finish_map, map_tiles, new_map, to_map_crs
from maps.coverage import (
    add_coverage_choropleth,
    add_demand_coverage,
    add_service_areas,
    coverage_choropleth,
    coverage_colormap,
    demand_coverage_layers,
    demand_legend_items,
)
from maps.facilities import add_facilities, add_facility_layer, facility_layer, facility_layers, facility_legend_items
from maps.layers_map import add_areas, layers_map, road_guide_geojson, road_guide_layer
from maps.legend import add_colour_legend, add_legend, colour_legend_items, legend_line_html
from maps.panel import add_indicator_panel
from maps.routes import add_routes
from maps.tiles import TILE_LABELS, TILE_PROVIDERS, TileSource, add_tiles, needs_gcj02, tianditu_key, tile_sources

__all__ = [
    "TILE_LABELS",
    "TILE_PROVIDERS",
    "TileSource",
    "needs_gcj02",
    "tianditu_key",
    "tile_sources",
    "add_areas",
    "add_colour_legend",
    "add_coverage_choropleth",
    "add_demand_coverage",
    "add_facilities",
    "add_facility_layer",
    "add_indicator_panel",
    "add_legend",
    "add_routes",
    "add_service_areas",
    "add_tiles",
    "colour_legend_items",
    "coverage_choropleth",
    "coverage_colormap",
    "demand_coverage_layers",
    "demand_legend_items",
    "facility_layer",
    "facility_layers",
    "facility_legend_items",
    "finish_map",
    "inline_assets",
    "page_html",
    "stable_ids",
    "layers_map",
    "legend_line_html",
    "road_guide_geojson",
    "road_guide_layer",
    "map_tiles",
    "new_map",
    "to_map_crs",
]
