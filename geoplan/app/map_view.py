"""The app's map of a siting session: districts by coverage, service areas, demand, stations."""

from __future__ import annotations

import base64
import re
from functools import lru_cache

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely.geometry

from geoplan.app.session import ServiceStandard, SitingSession

#: Service areas computed so far, per (network, profile, standard, node): a station's area
#: does not change when others are placed, so each is computed once.
_AREAS: dict[tuple, gpd.GeoDataFrame] = {}


#: Assets larger than this stay linked (an offline machine simply lacks that styling), bytes.
MAX_EMBEDDED_ASSET = 300_000


@lru_cache(maxsize=None)
def _data_url(url: str, mime: str) -> str | None:
    """The asset at a CDN ``url`` as a ``data:`` URL from the packaged copy, or None when unknown or large."""
    from maps import inline_assets

    tag = f'<script src="{url}"></script>' if mime == "text/javascript" else f'<link rel="stylesheet" href="{url}"/>'
    html, missing = inline_assets(tag)
    if missing:
        return None
    body = re.sub(r"^<(script|style)>|</(script|style)>$", "", html)
    data = body.encode("utf-8")
    if len(data) > MAX_EMBEDDED_ASSET:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def offline_links(m: folium.Map) -> folium.Map:
    """Point the map's script and style links at embedded copies, so the app's map draws offline.

    The app's map component loads each linked script before drawing and stops at the first
    that fails; a planner's machine without internet cannot reach the CDNs folium links.
    """
    for element in _walk(m):
        for attr, mime in (("default_js", "text/javascript"), ("default_css", "text/css")):
            links = getattr(element, attr, None)
            if links:
                setattr(element, attr, [(name, _data_url(url, mime) or url) for name, url in links])
    return m


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def clicks_reach_the_map(m: folium.Map) -> folium.Map:
    """Let clicks on districts, service areas and demand points reach the map, which places a station.

    A layer with a popup stops the click that opens it, so a click inside the county would
    never place anything. On the app's map polygons ignore the mouse and demand points keep
    only their tooltip; the tables beside the map tell what their popups would. Station
    markers keep their popups.
    """
    for element in _walk(m):
        if not (isinstance(element, folium.GeoJson) and isinstance(getattr(element, "data", None), dict)):
            continue
        kinds = {(f.get("geometry") or {}).get("type") for f in element.data.get("features", [])}
        if kinds and kinds <= {"Polygon", "MultiPolygon"}:
            element.options["interactive"] = False
        for name, child in list(element._children.items()):
            if isinstance(child, folium.GeoJsonPopup):
                del element._children[name]
    return m


#: Road line widths on the app's map by class (px); roads only guide where a click lands.
ROAD_WEIGHT = {"expressway": 3.0, "arterial": 2.0, "collector": 1.5, "local": 1.0}


def roads_geojson(session: SitingSession) -> dict:
    """The scenario's roads as a light GeoJSON dict in WGS84, built once per session.

    Only the road class is kept, and coordinates are rounded to about 1 m, so the
    map the page sends on every change stays small.
    """
    cached = getattr(session, "_roads_geojson", None)
    if cached is not None:
        return cached
    roads = session.scenario.layers.get("roads")
    if roads is None or not len(roads):
        roads = session.network.edges_gdf()
    classes = roads["road_class"].astype(str).to_numpy() if "road_class" in roads else ["local"] * len(roads)
    lines = gpd.GeoSeries(roads.geometry.to_numpy(), crs=roads.crs).to_crs(4326).set_precision(1e-5)
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"c": c}, "geometry": shapely.geometry.mapping(g)}
        for c, g in zip(classes, lines) if g is not None and not g.is_empty
    ]}
    session._roads_geojson = data
    return data


def add_roads_guide(m: folium.Map, session: SitingSession) -> None:
    """Roads as thin grey lines under everything else, ignoring the mouse."""
    folium.GeoJson(
        roads_geojson(session), name="道路 / roads",
        style_function=lambda f: {"color": "#6b6b6b", "weight": ROAD_WEIGHT.get(f["properties"]["c"], 1.0),
                                  "opacity": 0.55},
        interactive=False,
    ).add_to(m)


def _standard(session: SitingSession) -> ServiceStandard:
    return session.standard or ServiceStandard(session.default_radius_m(), "m")


def station_layers(session: SitingSession) -> dict[str, gpd.GeoDataFrame]:
    """Existing and placed stations of the session's kind with their loads, for drawing."""
    loads = session.loads().set_index("id")
    placed = session.plan_layer()
    frames = [f for f in (session.existing, placed) if len(f)]
    if not frames:
        return {}
    crs = session.scenario.metric_epsg
    both = gpd.GeoDataFrame(pd.concat([f.to_crs(crs) for f in frames], ignore_index=True), crs=crs)
    ids = both["id"].astype(str)
    both["load"] = ids.map(loads["load"]).to_numpy()
    both["load_ratio"] = ids.map(loads["load_ratio"]).to_numpy()
    both["overloaded"] = ids.map(loads["overloaded"]).fillna(False).astype(bool).to_numpy()
    return {session.kind: both}


def service_areas(session: SitingSession) -> gpd.GeoDataFrame | None:
    """Service-area polygons of every station (existing and placed) at the session's standard."""
    std = _standard(session)
    profile = session._indicators[0].profile
    nodes, _, ids = session._station_nodes()
    net = session.network
    parts = []
    for node, sid in zip(nodes, ids):
        key = (id(net), profile, std, int(node))
        if key not in _AREAS:
            kw = {"cutoff_m": std.value} if std.unit == "m" else {"cutoff_s": std.value}
            _AREAS[key] = net.service_areas(np.array([int(node)]), profile=profile, ids=["_"], **kw)
        parts.append(_AREAS[key].assign(id=sid))
    if not parts:
        return None
    areas = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    return areas.assign(facility_kind=session.kind)


def districts_coverage(session: SitingSession) -> gpd.GeoDataFrame | None:
    """Districts with the coverage rate of the session's first indicator."""
    if session.districts is None:
        return None
    table = session.district_table()
    first = table[table["indicator"] == table["indicator"].iloc[0]].rename(columns={"weight": "total_weight"})
    d = session.districts
    return d[["id", "name", d.geometry.name]].merge(first, left_on="name", right_on="district", how="left")


def indicator_table(session: SitingSession) -> pd.DataFrame:
    """The coverage figures as the indicator panel's table."""
    rows = []
    for f in session.coverage():
        rows.append({"key": f.key, "label": f.label, "actual": round(f.actual, 4), "target": f.target,
                     "gap": round(max(0.0, f.target - f.actual), 4), "unit": "share",
                     "status": "达标" if f.met else "未达标", "covered_units": f.covered_units, "units": f.units})
    return pd.DataFrame(rows)


def session_map(session: SitingSession, tiles: str = "osm", for_file: bool = False) -> folium.Map:
    """The map of the session's current plan.

    Parameters
    ----------
    session : SitingSession
    tiles : str
        Base map (``osm``, ``amap``, ``tianditu`` or ``none``).
    for_file : bool
        Add the indicator panel (a published file has no page around it to show the figures).
    """
    from maps import (add_coverage_choropleth, add_demand_coverage, add_facilities, add_indicator_panel,
                      add_service_areas, finish_map, new_map)

    sc = session.scenario
    bounds = [session.districts] if session.districts is not None else [session.existing]
    m = new_map(bounds, tiles=tiles, title=f"{sc.name} — 交互选址 / interactive siting")
    districts = districts_coverage(session)
    if districts is not None:
        add_coverage_choropleth(m, districts, tiles, label="覆盖率 / coverage rate", labels_on_map=for_file)
    if not for_file:
        add_roads_guide(m, session)
    areas = service_areas(session)
    if areas is not None and len(areas):
        add_service_areas(m, areas, tiles, show=True)
    add_demand_coverage(m, session.demand_status(), tiles)
    stations = station_layers(session)
    if stations:
        add_facilities(m, stations, tiles)
    if for_file:
        add_indicator_panel(m, indicator_table(session), title="指标 / indicators — 交互规划 / interactive plan")
    else:
        clicks_reach_the_map(m)
    return finish_map(m)
