"""Base-map tiles: OpenStreetMap, AMap/Gaode (GCJ-02), Tianditu (CGCS2000) or none.

AMap tiles are drawn in GCJ-02, so every overlay must be shifted into GCJ-02 before it is
drawn on them (:func:`needs_gcj02`); OSM and Tianditu tiles are WGS84/CGCS2000. The tile
addresses live in :func:`tile_sources`, read by the folium maps and the app's page alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import folium

from layers.errors import GeoplanError

TILE_PROVIDERS = ("osm", "amap", "tianditu", "none")
TIANDITU_KEY_ENV = "GEOPLAN_TIANDITU_KEY"
#: What each provider is called on a page.
TILE_LABELS = {"none": "无底图 / none (offline)", "osm": "OpenStreetMap", "amap": "高德地图 / AMap (GCJ-02)",
               "tianditu": "天地图 / Tianditu"}


@dataclass(frozen=True)
class TileSource:
    """One tile layer as Leaflet takes it (``L.tileLayer(url, {attribution, subdomains, maxZoom})``).

    ``overlay`` marks a layer drawn over the base tiles (Tianditu's labels).
    """

    url: str
    attribution: str
    name: str
    subdomains: str = "abc"
    max_zoom: int = 19
    overlay: bool = False


def needs_gcj02(tiles: str) -> bool:
    """Whether overlays must be shifted to GCJ-02 to sit on the right streets."""
    return tiles == "amap"


def tianditu_key(key: str | None = None) -> str | None:
    """The Tianditu ``tk`` given, else the ``GEOPLAN_TIANDITU_KEY`` environment variable, else None."""
    return key or os.environ.get(TIANDITU_KEY_ENV) or None


def tile_sources(tiles: str = "osm", key: str | None = None) -> list[TileSource]:
    """The tile layers of provider ``tiles`` (none for ``"none"``).

    Parameters
    ----------
    tiles : {"osm", "amap", "tianditu", "none"}
    key : str, optional
        Tianditu ``tk``; defaults to the ``GEOPLAN_TIANDITU_KEY`` environment variable.

    Raises
    ------
    GeoplanError
        An unknown provider, or Tianditu without a key.
    """
    if tiles not in TILE_PROVIDERS:
        raise GeoplanError(f"unknown tiles {tiles!r} — choose one of {', '.join(TILE_PROVIDERS)}")
    if tiles == "osm":
        return [TileSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                           '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
                           "OpenStreetMap", subdomains="abc", max_zoom=19)]
    if tiles == "amap":
        return [TileSource(
            "https://webrd0{s}.is.autonavi.com/appmaphandler?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            "© 高德地图 AutoNavi (GCJ-02)", "高德地图 / AMap", subdomains="1234", max_zoom=18)]
    if tiles == "tianditu":
        tk = tianditu_key(key)
        if not tk:
            raise GeoplanError(
                f"Tianditu tiles need a key — set {TIANDITU_KEY_ENV} or pass a key (apply at the Tianditu console)"
            )
        return [TileSource(
            f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
            f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={tk}",
            "© 天地图 Tianditu", name, subdomains="01234567", max_zoom=18, overlay=layer == "cva")
            for layer, name in (("vec", "天地图 / Tianditu"), ("cva", "天地图注记 / labels"))]
    return []


def add_tiles(m: folium.Map, tiles: str = "osm", tianditu_key: str | None = None) -> None:
    """Add the base map ``tiles`` to ``m``.

    Parameters
    ----------
    tiles : {"osm", "amap", "tianditu", "none"}
        ``none`` draws no tiles, for offline use.
    tianditu_key : str, optional
        Tianditu ``tk``; defaults to the ``GEOPLAN_TIANDITU_KEY`` environment variable.
    """
    for source in tile_sources(tiles, tianditu_key):
        if tiles == "osm":  # folium's own OSM layer: its attribution and subdomains as folium writes them
            folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
            continue
        folium.TileLayer(tiles=source.url, attr=source.attribution, name=source.name, subdomains=source.subdomains,
                         max_zoom=source.max_zoom, overlay=source.overlay, control=False).add_to(m)
