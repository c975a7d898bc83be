"""A new map of a county and the controls that finish it.

Every overlay goes through :func:`to_map_crs`: Leaflet draws WGS84 lon/lat, and on AMap
tiles (GCJ-02) the overlays are shifted by the same formula as the tiles so they sit on
the right streets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import folium
import geopandas as gpd
import numpy as np
import shapely
from folium import plugins

import layers
from layers.errors import GeoplanError
from maps.controls import SIDE, HtmlControl, LayerControlToSide, NorthArrow, ScaleBar, add_page_css
from maps.html import esc
from maps.tiles import TILE_PROVIDERS, add_tiles, needs_gcj02

#: Attribute of a folium.Map that records the tiles it was made with.
_TILES_ATTR = "geoplan_tiles"


def to_map_crs(gdf: gpd.GeoDataFrame, tiles: str) -> gpd.GeoDataFrame:
    """Reproject to WGS84 lon/lat for Leaflet, shifted into GCJ-02 when the tiles are AMap's.

    Parameters
    ----------
    gdf : GeoDataFrame
        Any CRS PROJ knows (a GeoDataFrame without a CRS is refused).
    tiles : {"osm", "amap", "tianditu", "none"}
        The base map the overlay is drawn on.
    """
    if gdf.crs is None:
        raise GeoplanError("a layer to draw has no CRS — read it with geoplan's readers or set its CRS")
    out = gdf.to_crs(4326)
    if needs_gcj02(tiles):

        def shift(coords: np.ndarray) -> np.ndarray:
            lon, lat = layers.wgs84_to_gcj02(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        out = out.set_geometry(shapely.transform(out.geometry.values, shift))
    return out


def map_tiles(m: folium.Map, tiles: str | None = None) -> str:
    """The tiles overlays on ``m`` are drawn for: ``tiles`` if given, else those of :func:`new_map`."""
    if tiles is None:
        tiles = getattr(m, _TILES_ATTR, "osm")
    if tiles not in TILE_PROVIDERS:
        raise GeoplanError(f"unknown tiles {tiles!r} — choose one of {', '.join(TILE_PROVIDERS)}")
    return tiles


def new_map(
    bounds_gdfs: Iterable[gpd.GeoDataFrame] | Mapping[str, gpd.GeoDataFrame],
    tiles: str = "osm",
    title: str = "",
    *,
    edition: Sequence[str] = (),
    tianditu_key: str | None = None,
) -> folium.Map:
    """An empty map fitted to the layers' extent, with base tiles, scale bar, north arrow and
    the title block in the side panel.

    Parameters
    ----------
    bounds_gdfs : iterable or dict of GeoDataFrame
        Layers (any CRS) whose joint extent the map opens on.
    tiles : {"osm", "amap", "tianditu", "none"}
        Base map. ``amap`` shifts every overlay to GCJ-02; ``tianditu`` needs a key
        (``tianditu_key`` or the ``GEOPLAN_TIANDITU_KEY`` environment variable);
        ``none`` draws no tiles, for offline use.
    title : str
        Page title, also the head of the title block.
    edition : sequence of str
        Lines of the title block under the title: date, coordinate system, data sources,
        assumptions (plain text, escaped here).
    tianditu_key : str, optional
        Tianditu ``tk``.

    Returns
    -------
    folium.Map
        Add overlays with the ``add_*`` functions, then call :func:`finish_map`.
    """
    frames = list(bounds_gdfs.values()) if isinstance(bounds_gdfs, Mapping) else list(bounds_gdfs)
    frames = [g for g in frames if g is not None and len(g)]
    if not frames:
        raise GeoplanError("nothing to map — every layer given for the map extent is empty")
    # Quarter zoom steps let a county fill the window instead of snapping to half of it.
    m = folium.Map(tiles=None, control_scale=False, zoom_control=True, zoom_snap=0.25, zoom_delta=0.5)
    add_tiles(m, tiles, tianditu_key=tianditu_key)
    setattr(m, _TILES_ATTR, tiles)
    add_page_css(m)
    boxes = np.array([to_map_crs(g, tiles).total_bounds for g in frames])
    minx, miny = boxes[:, 0].min(), boxes[:, 1].min()
    maxx, maxy = boxes[:, 2].max(), boxes[:, 3].max()
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]], padding=(30, 30))
    # Added first so that it stays the lowest box in its corner.
    ScaleBar().add_to(m)
    NorthArrow().add_to(m)
    if title:
        m.get_root().header.add_child(folium.Element(f"<title>{esc(title)}</title>"), name="geoplan_title")
        lines = "".join(f'<div class="gp-edition">{esc(line)}</div>' for line in edition)
        HtmlControl(esc(title) + lines, position=SIDE, css_class="gp-box gp-title", first=True).add_to(m)
    return m


def finish_map(m: folium.Map) -> folium.Map:
    """Add the layer control (expanded, in the side panel) and the fullscreen button; returns ``m``."""
    plugins.Fullscreen(position="topleft", title="全屏 / full screen", title_cancel="退出全屏 / exit").add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    LayerControlToSide().add_to(m)
    return m
