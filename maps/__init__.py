"""folium renderers for geoplan: facility layers, service areas, coverage, routes."""

from maps.assets import inline_assets
from maps.layers_map import layers_map
from maps.tiles import TILE_PROVIDERS, add_tiles

__all__ = ["TILE_PROVIDERS", "add_tiles", "inline_assets", "layers_map"]
