"""A map of a scenario's layers: each kind on its own toggleable layer."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from folium import plugins

import layers
from maps.styles import POPUP_FIELDS, ROAD_STYLES, ROLE_RADIUS, colour
from maps.tiles import add_tiles, needs_gcj02

# Order in the layer control and drawing order: areas below roads below points.
_AREA_KINDS = ("districts", "restricted_zones")


def to_map_crs(gdf: gpd.GeoDataFrame, tiles: str) -> gpd.GeoDataFrame:
    """Reproject to WGS84 lon/lat for Leaflet, shifted into GCJ-02 when the tiles are AMap's."""
    out = gdf.to_crs(4326)
    if needs_gcj02(tiles):
        import shapely

        def shift(coords):
            lon, lat = layers.wgs84_to_gcj02(coords[:, 0], coords[:, 1])
            coords[:, 0], coords[:, 1] = lon, lat
            return coords

        out = out.set_geometry(shapely.transform(out.geometry.values, shift))
    return out


def _json_ready(gdf: gpd.GeoDataFrame, fields: list[str]) -> gpd.GeoDataFrame:
    frame = gdf[fields + [gdf.geometry.name]].copy()
    for f in fields:
        col = frame[f]
        if pd.api.types.is_datetime64_any_dtype(col):
            frame[f] = col.dt.strftime("%Y-%m-%d")
        elif not pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            frame[f] = col.astype(object).where(col.notna(), "").astype(str)
    return frame


def _popup(kind: str, gdf: gpd.GeoDataFrame) -> tuple[list[str], list[str]]:
    spec = layers.get_kind(kind)
    wanted = ["id", "name", *POPUP_FIELDS.get(kind, ())]
    fields = [f for f in wanted if f in gdf.columns]
    aliases = []
    for f in fields:
        try:
            fs = spec.field(f)
            aliases.append(f"{fs.label_zh} / {fs.label_en}" + (f" ({fs.unit})" if fs.unit else ""))
        except KeyError:
            aliases.append(f)
    return fields, aliases


def add_point_layer(m: folium.Map, kind: str, gdf: gpd.GeoDataFrame, tiles: str, show: bool = True) -> None:
    """One kind of point layer: circle markers, hollow for candidates, dashed for planned sites."""
    spec = layers.get_kind(kind)
    fields, aliases = _popup(kind, gdf)
    frame = _json_ready(to_map_crs(gdf, tiles), fields)
    base = colour(kind)
    radius = ROLE_RADIUS.get(spec.role, 5)

    def style(feature):
        status = feature["properties"].get("status", "existing")
        return {
            "color": base,
            "fill": True,
            "fillColor": base,
            "fillOpacity": 0.0 if status == "candidate" else 0.85,
            "weight": 2,
            "dashArray": "4 3" if status == "planned" else None,
        }

    folium.GeoJson(
        frame,
        name=f"{spec.label_zh} / {spec.label_en} ({len(gdf)})",
        marker=folium.CircleMarker(radius=radius),
        style_function=style,
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=True),
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        show=show,
    ).add_to(m)


def add_roads(m: folium.Map, roads: gpd.GeoDataFrame, tiles: str) -> None:
    """Roads by class (expressway, arterial, collector, local), one-way streets marked in the popup."""
    cols = [c for c in ("id", "name", "road_class", "oneway", "speed_kmh") if c in roads.columns]
    frame = _json_ready(to_map_crs(roads, tiles), cols)
    folium.GeoJson(
        frame,
        name=f"道路 / roads ({len(roads)})",
        style_function=lambda f: ROAD_STYLES.get(f["properties"].get("road_class"), ROAD_STYLES["local"]),
        tooltip=folium.GeoJsonTooltip(fields=[c for c in ("name", "road_class", "oneway") if c in cols],
                                      aliases=["名称 / name", "等级 / class", "单行 / one-way"][: len(cols) - 1]),
    ).add_to(m)


def add_areas(m: folium.Map, kind: str, gdf: gpd.GeoDataFrame, tiles: str) -> None:
    """District outlines or restricted zones as polygons."""
    spec = layers.get_kind(kind)
    fields, aliases = _popup(kind, gdf)
    if kind == "restricted_zones" and "barred_profiles" in gdf.columns:
        fields, aliases = fields + ["barred_profiles"], aliases + ["禁行车型 / barred vehicles"]
    frame = _json_ready(to_map_crs(gdf, tiles), fields)
    restricted = kind == "restricted_zones"
    folium.GeoJson(
        frame,
        name=f"{spec.label_zh} / {spec.label_en}",
        style_function=lambda f: {
            "color": "#6a1b9a" if restricted else "#37474f",
            "weight": 2,
            "fillOpacity": 0.12 if restricted else 0.0,
            "dashArray": "6 4" if restricted else None,
        },
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
    ).add_to(m)


def layers_map(
    scenario_layers: dict[str, gpd.GeoDataFrame], *, title: str = "", tiles: str = "osm"
) -> folium.Map:
    """All layers of a scenario on one map.

    Parameters
    ----------
    scenario_layers : dict of str to GeoDataFrame
        Layers keyed by layer kind, any CRS (each reprojected for the map).
    title : str
        Shown in the page's title bar and top-left box.
    tiles : {"osm", "amap", "tianditu", "none"}
        Base map; ``none`` for offline use.
    """
    extent = pd.concat([g.to_crs(4326).geometry for g in scenario_layers.values() if len(g)])
    minx, miny, maxx, maxy = extent.total_bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    add_tiles(m, tiles)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    for kind in _AREA_KINDS:
        if kind in scenario_layers:
            add_areas(m, kind, scenario_layers[kind], tiles)
    if "roads" in scenario_layers:
        add_roads(m, scenario_layers["roads"], tiles)
    for kind, gdf in scenario_layers.items():
        if kind in _AREA_KINDS or kind == "roads" or not len(gdf):
            continue
        add_point_layer(m, kind, gdf, tiles, show=kind != "candidate_sites")
    plugins.Fullscreen(position="topleft").add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    if title:
        m.get_root().header.add_child(folium.Element(f"<title>{title}</title>"))
        m.get_root().html.add_child(folium.Element(
            '<div style="position:fixed;top:10px;left:60px;z-index:1000;background:white;padding:6px 10px;'
            f'border:1px solid #999;font:bold 15px sans-serif">{title}</div>'
        ))
    return m
