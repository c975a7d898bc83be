"""Base-map tiles: OpenStreetMap, AMap/Gaode (GCJ-02), Tianditu (CGCS2000) or none.

AMap tiles are drawn in GCJ-02, so every overlay must be shifted into GCJ-02 before it is
drawn on them (:func:`needs_gcj02`); OSM and Tianditu tiles are WGS84/CGCS2000.
"""

from __future__ import annotations

import os

import folium

from layers.errors import GeoplanError

TILE_PROVIDERS = ("osm", "amap", "tianditu", "none")
TIANDITU_KEY_ENV = "GEOPLAN_TIANDITU_KEY"


def needs_gcj02(tiles: str) -> bool:
    """Whether overlays must be shifted to GCJ-02 to sit on the right streets."""
    return tiles == "amap"


def add_tiles(m: folium.Map, tiles: str = "osm", tianditu_key: str | None = None) -> None:
    """Add the base map ``tiles`` to ``m``.

    Parameters
    ----------
    tiles : {"osm", "amap", "tianditu", "none"}
        ``none`` draws no tiles, for offline use.
    tianditu_key : str, optional
        Tianditu ``tk``; defaults to the ``GEOPLAN_TIANDITU_KEY`` environment variable.
    """
    if tiles not in TILE_PROVIDERS:
        raise GeoplanError(f"unknown tiles {tiles!r} — choose one of {', '.join(TILE_PROVIDERS)}")
    if tiles == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    elif tiles == "amap":
        folium.TileLayer(
            tiles="https://webrd0{s}.is.autonavi.com/appmaphandler?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            attr="© 高德地图 AutoNavi (GCJ-02)",
            name="高德地图 / AMap",
            subdomains="1234",
            max_zoom=18,
            control=False,
        ).add_to(m)
    elif tiles == "tianditu":
        key = tianditu_key or os.environ.get(TIANDITU_KEY_ENV)
        if not key:
            raise GeoplanError(
                f"Tianditu tiles need a key — set {TIANDITU_KEY_ENV} or pass a key (apply at the Tianditu console)"
            )
        for layer, name in (("vec", "天地图 / Tianditu"), ("cva", "天地图注记 / labels")):
            folium.TileLayer(
                tiles=(
                    f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                    f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                    f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
                ),
                attr="© 天地图 Tianditu",
                name=name,
                subdomains="01234567",
                max_zoom=18,
                overlay=layer == "cva",
                control=False,
            ).add_to(m)
