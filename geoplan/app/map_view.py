"""The app's map of a siting session: districts by coverage, service areas, demand, stations.

The page mounts one :func:`base_map` (tiles, scale bar, roads) and keeps it: what an edit
changes is sent as :func:`overlay_groups`, which the map component swaps in place, so the
planner's zoom and pan survive every click. Legends are drawn beside the map by the page
(:func:`legend_html`), not on it. :func:`session_map` is the whole map in one piece, for
the published HTML file.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely.geometry
from folium import plugins

import layers
from geoplan.app.records import ServiceStandard, Suggestion
from geoplan.app.session import SitingSession

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


def _cached(session: SitingSession, key: tuple, build):
    """``build()`` once per session and key (what it draws never changes within a session)."""
    cache = session.__dict__.setdefault("_map_cache", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def roads_geojson(session: SitingSession, tiles: str = "osm") -> dict:
    """The scenario's roads as a light GeoJSON dict for the map, built once per session.

    One multi-line per road class, simplified to 2 m and rounded to about 1 m, so the
    base map the page sends on every rerun stays small.
    """
    from maps import to_map_crs

    def build() -> dict:
        roads = session.scenario.layers.get("roads")
        if roads is None or not len(roads):
            roads = session.network.edges_gdf()
        frame = gpd.GeoDataFrame({"c": roads["road_class"].astype(str).to_numpy() if "road_class" in roads
                                  else "local"}, geometry=roads.geometry.simplify(2.0).to_numpy(), crs=roads.crs)
        lines = to_map_crs(frame, tiles)
        lines = lines.set_geometry(lines.geometry.set_precision(1e-5))
        features = []
        for c, part in lines.groupby("c", sort=False):
            merged = shapely.multilinestrings(
                [g for geom in part.geometry if geom is not None and not geom.is_empty
                 for g in getattr(geom, "geoms", [geom])])
            features.append({"type": "Feature", "properties": {"c": c},
                             "geometry": shapely.geometry.mapping(merged)})
        return {"type": "FeatureCollection", "features": features}

    return _cached(session, ("roads", tiles), build)


def add_roads_guide(m: folium.Map, session: SitingSession, tiles: str = "osm") -> None:
    """Roads as thin grey lines under everything else, ignoring the mouse."""
    folium.GeoJson(
        roads_geojson(session, tiles), name="道路 / roads",
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


#: Overlays the page can show, in drawing order (later ones on top), with their labels.
OVERLAYS: dict[str, str] = {
    "districts": "分区覆盖率 / districts",
    "areas": "服务范围 / areas",
    "demand": "需求点 / demand",
    "stations": "站点 / stations",
    "candidates": "备选站址 / candidates",
}
#: Overlays shown when the page opens (candidate sites only on request: they crowd the map).
DEFAULT_OVERLAYS = ("districts", "areas", "demand", "stations")


def base_map(session: SitingSession, tiles: str = "osm") -> folium.Map:
    """The part of the app's map that no edit changes: tiles, scale bar, roads, full-screen button.

    It depends on the scenario's districts and roads only (not on the facility kind, the
    standard or the plan), so the page builds the same script on every rerun and the map
    component is never mounted again.
    """
    from maps import new_map

    bounds = [session.districts] if session.districts is not None else [session.existing]
    m = new_map(bounds, tiles=tiles)
    add_roads_guide(m, session, tiles)
    plugins.Fullscreen(position="topleft", title="全屏 / full screen", title_cancel="退出全屏 / exit").add_to(m)
    return offline_links(m)


def overlay_groups(session: SitingSession, tiles: str = "osm", show=DEFAULT_OVERLAYS,
                   suggestion: Suggestion | None = None) -> list[folium.FeatureGroup]:
    """What the current plan draws on the base map, one feature group per shown overlay.

    Parameters
    ----------
    session : SitingSession
    tiles : str
        Tiles of the base map (overlays are shifted to GCJ-02 for AMap).
    show : iterable of str
        Keys of :data:`OVERLAYS` to draw.
    suggestion : Suggestion, optional
        Sites the optimiser suggests, drawn as dashed candidates until accepted.

    Returns
    -------
    list of folium.FeatureGroup
        In :data:`OVERLAYS` order; pass them to ``st_folium(feature_group_to_add=...)``.
    """
    from maps import add_coverage_choropleth, add_facilities, add_facility_layer

    show = set(show)
    # the maps renderers add to a map; draw on a scratch one and move the layers into groups,
    # leaving its legend boxes behind (the page shows the legends beside the map)
    scratch = folium.Map(tiles=None)
    drawn: dict[str, list] = {key: [] for key in OVERLAYS}
    if "districts" in show:
        districts = districts_coverage(session)
        if districts is not None:
            drawn["districts"].append(add_coverage_choropleth(scratch, districts, tiles, label="覆盖率 / coverage rate",
                                                              labels_on_map=False))
    if "areas" in show:
        area = area_layer(session, tiles)
        if area is not None:
            drawn["areas"].append(area.add_to(scratch))
    if "demand" in show:
        drawn["demand"] += [layer.add_to(scratch) for layer in demand_layers(session, tiles)]
    if "stations" in show:
        stations = station_layers(session)
        if stations:
            drawn["stations"] += list(add_facilities(scratch, stations, tiles, legend=False).values())
    if "candidates" in show:
        placed = {p.id for p in session.placed}
        cands = session.candidates[~session.candidates["id"].astype(str).isin(placed)]
        if len(cands):
            drawn["candidates"].append(add_facility_layer(scratch, "candidate_sites", cands, tiles, show=True))
    if suggestion is not None and suggestion.stations:
        drawn["suggested"] = [add_facility_layer(scratch, session.kind, suggestion_layer(session, suggestion), tiles)]
    groups = []
    for key, elements in drawn.items():
        if not elements:
            continue
        group = folium.FeatureGroup(name=OVERLAYS.get(key, "建议站点 / suggested sites"))
        for element in elements:
            scratch._children.pop(element.get_name(), None)
            group.add_child(element)
        groups.append(clicks_reach_the_map(group))
    return groups


def suggestion_layer(session: SitingSession, suggestion: Suggestion) -> gpd.GeoDataFrame:
    """A suggestion's sites as a layer of the kind with status ``candidate`` (drawn dashed)."""
    st = suggestion.stations
    return gpd.GeoDataFrame({
        "id": [s.id for s in st], "name": [f"建议 suggested: {s.name}" for s in st], "status": "candidate",
    }, geometry=gpd.points_from_xy([s.x for s in st], [s.y for s in st]), crs=session.scenario.metric_epsg)


def _as_img(symbol: str) -> str:
    """An inline ``<svg>`` as an ``<img>`` with a data URL: the page's HTML sanitiser drops bare SVG."""
    if not symbol.lstrip().startswith("<svg"):
        return symbol
    data = base64.b64encode(symbol.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="" style="vertical-align:middle">'


def _point_collection(lon: np.ndarray, lat: np.ndarray, names) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": str(n)},
         "geometry": {"type": "Point", "coordinates": [round(float(x), 6), round(float(y), 6)]}}
        for x, y, n in zip(lon, lat, names)]}


def demand_layers(session: SitingSession, tiles: str = "osm") -> list[folium.GeoJson]:
    """Demand points, covered (green) and not covered (red, on top), with their names as tooltips.

    The same symbols as :func:`maps.add_demand_coverage`, but with no popup table: built
    from cached coordinates, so an edit only re-sorts the points.
    """
    from maps import to_map_crs
    from maps.coverage import COVERED_COLOUR, UNCOVERED_COLOUR

    out = []
    for kind, frame in session.demand_status().items():
        if not len(frame):
            continue
        lonlat = _cached(session, ("demand", kind, tiles),
                         lambda f=frame: shapely.get_coordinates(to_map_crs(f[[f.geometry.name]], tiles).geometry))
        names = frame["name"].astype(str).to_numpy() if "name" in frame else frame["id"].astype(str).to_numpy()
        covered = frame["covered"].to_numpy(dtype=bool)
        label = layers.get_kind(kind).label_zh if kind in layers.LAYER_KINDS else kind
        for is_covered, text, fill, radius in ((True, "已覆盖 / covered", COVERED_COLOUR, 3.5),
                                               (False, "未覆盖 / not covered", UNCOVERED_COLOUR, 5)):
            part = covered == is_covered
            if not part.any():
                continue
            out.append(folium.GeoJson(
                _point_collection(lonlat[part, 0], lonlat[part, 1], names[part]),
                name=f"{label} · {text} ({int(part.sum())})",
                marker=folium.CircleMarker(radius=radius, weight=1, color="#ffffff", fill=True, fill_color=fill,
                                           fill_opacity=0.9),
                tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
            ))
    return out


def served_roads(session: SitingSession, node: int, standard: ServiceStandard, profile: str):
    """Roads from which a station at ``node`` is reached within ``standard``, as one multi-line (metric CRS).

    An edge counts when driving along it and on to the station stays within the standard
    — the same reverse costs the coverage figures use, so the drawing agrees with them.
    It takes milliseconds (the cost column is cached), where a buffered polygon takes
    a noticeable fraction of a second per new station.
    """
    net = session.network
    to_station = session.distances.to_node(int(node), profile, standard.weight)
    reach = net.usable_edges(profile) & (to_station[net.edge_v] + net.edge_weight(profile, standard.weight)
                                         <= standard.value)
    return shapely.multilinestrings(list(net.edge_geometry[reach]))


def area_layer(session: SitingSession, tiles: str = "osm") -> folium.GeoJson | None:
    """Service areas of every station at the current standard, drawn as the roads they serve.

    One layer ignoring the mouse; each station's roads are computed once per standard.
    """
    from maps import to_map_crs
    from maps.styles import colour

    std = _standard(session)
    profile = session._indicators[0].profile
    nodes, _, ids = session._station_nodes()
    if not len(nodes):
        return None
    features = []
    for node, sid in zip(nodes, ids):
        def build(node=int(node)):
            lines = served_roads(session, node, std, profile).simplify(5.0)
            shape = to_map_crs(gpd.GeoDataFrame(geometry=[lines], crs=session.network.crs), tiles).geometry.iloc[0]
            return shapely.geometry.mapping(shapely.set_precision(shape, 1e-5))
        features.append({"type": "Feature", "properties": {"id": sid},
                         "geometry": _cached(session, ("served", tiles, std, profile, int(node)), build)})
    c = colour(session.kind)
    return folium.GeoJson({"type": "FeatureCollection", "features": features},
                          name=f"服务范围 / service areas ({std})", interactive=False,
                          style_function=lambda f, c=c: {"color": c, "weight": 5, "opacity": 0.35,
                                                         "lineCap": "round", "lineJoin": "round"})


def _legend_block(title: str, items: list[tuple[str, str]]) -> str:
    from maps.html import esc

    items = [(_as_img(symbol), label) for symbol, label in items]
    rows = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:4px;margin:0 10px 2px 0;white-space:nowrap">'
        f'{symbol}<span>{esc(label)}</span></span>' for symbol, label in items)
    return (f'<div style="margin:0 0 4px 0"><b style="margin-right:8px">{esc(title)}</b>'
            f'<span style="display:inline-flex;flex-wrap:wrap;vertical-align:middle">{rows}</span></div>')


def legend_html(session: SitingSession, show=DEFAULT_OVERLAYS) -> str:
    """The legends of the shown overlays as one compact HTML block for the page beside the map."""
    from maps import coverage_colormap
    from maps.coverage import COVERED_COLOUR, UNCOVERED_COLOUR
    from maps.facilities import facility_legend_items
    from maps.legend import class_labels
    from maps.styles import colour
    from maps.symbols import dot_svg

    show = set(show)
    blocks = []
    if "stations" in show:
        items = facility_legend_items([session.kind])
        blocks.append(_legend_block("站点 / stations", [(svg.replace('width="18"', 'width="16"'), label)
                                                        for svg, label in items]))
    if "candidates" in show:
        from maps.symbols import facility_svg

        blocks.append(_legend_block("备选站址 / candidates", [
            (facility_svg("candidate_sites", colour("candidate_sites"), "candidate", 16),
             f"{len(session.candidates)} 个 sites" + ("（上传 uploaded）" if any(u.startswith("候选") for u in session.uploads)
                                                     else ""))]))
    if "demand" in show:
        blocks.append(_legend_block("需求点 / demand", [(dot_svg(COVERED_COLOUR, 10), "已覆盖 / covered"),
                                                        (dot_svg(UNCOVERED_COLOUR, 12), "未覆盖 / not covered")]))
    if "areas" in show:
        c = colour(session.kind)
        swatch = f'<span style="display:inline-block;width:18px;height:5px;background:{c};opacity:0.5"></span>'
        std = _standard(session)
        blocks.append(_legend_block("服务范围 / service area",
                                    [(swatch, f"{std} 内的道路 / roads within {std}")]))
    if "districts" in show and session.districts is not None:
        cmap = coverage_colormap()
        bounds = list(cmap.index)
        items = [(f'<span style="display:inline-block;width:16px;height:11px;border:1px solid #757575;'
                  f'background:{cmap.rgb_hex_str(lo)}"></span>', label)
                 for lo, label in zip(bounds[:-1], class_labels(bounds))]
        blocks.append(_legend_block("覆盖率 / coverage rate", items[::-1]))
    return f'<div style="font-size:12px;line-height:1.5">{"".join(blocks)}</div>'
