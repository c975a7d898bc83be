"""A map of a scenario's layers: each kind on its own toggleable layer."""

from __future__ import annotations

import folium
import geopandas as gpd
import shapely
import shapely.geometry

import layers
from maps.base import finish_map, map_tiles, new_map, to_map_crs
from maps.facilities import add_facilities
from maps.html import fmt_value, popup_frame
from maps.legend import add_legend
from maps.styles import AREA_STYLES, POPUP_FIELDS, ROAD_STYLES, ROLE_RADIUS, colour
from maps.symbols import dot_svg

__all__ = ["add_areas", "add_point_layer", "add_roads", "layers_map", "road_guide_geojson", "road_guide_layer", "to_map_crs"]

# Drawing order: areas below roads below points.
_AREA_KINDS = ("districts", "water", "restricted_zones")
_ROAD_CLASS_LABELS = {"expressway": "高速/快速路 / expressway", "arterial": "主干路 / arterial",
                      "collector": "次干路 / collector", "local": "支路 / local"}


def _popup_columns(kind: str, gdf: gpd.GeoDataFrame, extra: tuple[str, ...] = ()) -> dict[str, list[str]]:
    spec = layers.get_kind(kind)
    columns: dict[str, list[str]] = {}
    for f in ("name", "id", *POPUP_FIELDS.get(kind, ()), *extra):
        if f not in gdf.columns:
            continue
        try:
            fs = spec.field(f)
            alias, unit = f"{fs.label_zh} / {fs.label_en}", fs.unit
        except KeyError:
            alias, unit = f, None
        values = gdf[f]
        if hasattr(values, "dt"):
            values = values.dt.strftime("%Y-%m-%d")
        columns[alias] = [fmt_value(v, unit) for v in values]
    return columns


def add_point_layer(m: folium.Map, kind: str, gdf: gpd.GeoDataFrame, tiles: str | None = None,
                    show: bool = True) -> folium.GeoJson:
    """Points of one demand kind (communities, villages, shops, sites) as small circles."""
    spec = layers.get_kind(kind)
    data, fields, aliases = popup_frame(to_map_crs(gdf, map_tiles(m, tiles)), _popup_columns(kind, gdf))
    base = colour(kind)
    layer = folium.GeoJson(
        data,
        name=f"{spec.label_zh} / {spec.label_en} ({len(gdf)})",
        marker=folium.CircleMarker(radius=ROLE_RADIUS.get(spec.role, 5), weight=1, color="#ffffff",
                                   fill=True, fill_color=base, fill_opacity=0.85),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False),
        tooltip=folium.GeoJsonTooltip(fields=fields[:1], labels=False),
        show=show,
    )
    layer.add_to(m)
    return layer


def add_roads(m: folium.Map, roads: gpd.GeoDataFrame, tiles: str | None = None) -> folium.GeoJson:
    """Roads by class (expressway, arterial, collector, local); name, class and one-way in the tooltip."""
    frame = to_map_crs(roads, map_tiles(m, tiles))
    classes = frame["road_class"] if "road_class" in frame else ["local"] * len(frame)
    columns = {"名称 / name": [fmt_value(v) for v in frame.get("name", [""] * len(frame))],
               "等级 / class": [_ROAD_CLASS_LABELS.get(c, fmt_value(c)) for c in classes]}
    if "oneway" in frame:
        columns["单行 / one-way"] = [fmt_value(bool(v)) if v == v and v is not None else "—" for v in frame["oneway"]]
    data, fields, aliases = popup_frame(frame, columns)
    data["road_class"] = list(classes)
    layer = folium.GeoJson(
        data,
        name=f"道路 / roads ({len(roads)})",
        style_function=lambda f: ROAD_STYLES.get(f["properties"].get("road_class"), ROAD_STYLES["local"]),
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, localize=False),
    )
    layer.add_to(m)
    return layer


#: Colour and opacity of roads drawn only to guide the eye (under everything else).
ROAD_GUIDE = {"color": "#6b6b6b", "opacity": 0.55}


def road_guide_geojson(roads: gpd.GeoDataFrame, tiles: str = "osm", tolerance_m: float = 2.0) -> dict:
    """Roads as a light GeoJSON dict: one multi-line per road class, simplified to ``tolerance_m``
    metres and rounded to about 1 m, so a page that sends it often stays small."""
    classes = roads["road_class"].astype(str).to_numpy() if "road_class" in roads else "local"
    frame = gpd.GeoDataFrame({"c": classes}, geometry=roads.geometry.simplify(tolerance_m).to_numpy(), crs=roads.crs)
    lines = to_map_crs(frame, tiles)
    lines = lines.set_geometry(lines.geometry.set_precision(1e-5))
    features = []
    for c, part in lines.groupby("c", sort=False):
        merged = shapely.multilinestrings([g for geom in part.geometry if geom is not None and not geom.is_empty
                                           for g in getattr(geom, "geoms", [geom])])
        features.append({"type": "Feature", "properties": {"c": c}, "geometry": shapely.geometry.mapping(merged)})
    return {"type": "FeatureCollection", "features": features}


def road_guide_layer(data: dict) -> folium.GeoJson:
    """Roads of :func:`road_guide_geojson` as thin grey lines by class, ignoring the mouse."""
    return folium.GeoJson(
        data, name="道路 / roads", interactive=False,
        style_function=lambda f: {**ROAD_GUIDE, "weight": ROAD_STYLES.get(f["properties"]["c"], ROAD_STYLES["local"])["weight"]},
    )


def add_areas(m: folium.Map, kind: str, gdf: gpd.GeoDataFrame, tiles: str | None = None) -> folium.GeoJson:
    """District outlines, water, or restricted zones (dashed purple, barred vehicles in the popup);
    styles from :data:`maps.styles.AREA_STYLES`."""
    spec = layers.get_kind(kind)
    restricted = kind == "restricted_zones"
    columns = _popup_columns(kind, gdf)
    if restricted and "barred_profiles" in gdf.columns:
        columns["禁行车型 / barred vehicles"] = [fmt_value(v) for v in gdf["barred_profiles"]]
    data, fields, aliases = popup_frame(to_map_crs(gdf, map_tiles(m, tiles)), columns)
    layer = folium.GeoJson(
        data,
        name=f"{spec.label_zh} / {spec.label_en}",
        style_function=lambda f, style=AREA_STYLES[kind]: dict(style),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False),
    )
    layer.add_to(m)
    return layer


def layers_map(
    scenario_layers: dict[str, gpd.GeoDataFrame], *, title: str = "", tiles: str = "osm",
    tianditu_key: str | None = None,
) -> folium.Map:
    """All layers of a scenario on one map.

    Parameters
    ----------
    scenario_layers : dict of str to GeoDataFrame
        Layers keyed by layer kind, any CRS (each reprojected for the map).
    title : str
        Shown in the page's title bar and at the top of the map.
    tiles : {"osm", "amap", "tianditu", "none"}
        Base map; ``none`` for offline use.
    tianditu_key : str, optional
        Tianditu key (else ``GEOPLAN_TIANDITU_KEY``).
    """
    m = new_map(scenario_layers, tiles, title, tianditu_key=tianditu_key)
    for kind in _AREA_KINDS:
        if kind in scenario_layers and len(scenario_layers[kind]):
            add_areas(m, kind, scenario_layers[kind])
    if "roads" in scenario_layers and len(scenario_layers["roads"]):
        add_roads(m, scenario_layers["roads"])
    demand = [k for k, g in scenario_layers.items()
              if len(g) and k in layers.LAYER_KINDS and layers.get_kind(k).role == "demand"]
    for kind in demand:
        add_point_layer(m, kind, scenario_layers[kind])
    facilities = {k: g for k, g in scenario_layers.items()
                  if k in layers.LAYER_KINDS and layers.get_kind(k).role in ("facility", "candidate")}
    add_facilities(m, facilities)
    if demand:
        add_legend(m, "需求点 / demand", [(dot_svg(colour(k), 10), layers.get_kind(k).label_zh) for k in demand])
    return finish_map(m)
