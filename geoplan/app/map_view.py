"""The app's map of a siting session's plan: districts by coverage, service areas, demand, stations.

A :class:`MapView` draws :class:`~geoplan.app.records.PlanState` snapshots; it holds only
what never changes within a session (the roads, and each station's served roads at a
standard). The page mounts one :meth:`MapView.base_map` (tiles, scale bar, roads) and
keeps it: what an edit changes is sent as :meth:`MapView.overlay_groups`, which the map
component swaps in place, so the planner's zoom and pan survive every click. Legends are
drawn beside the map by the page (:func:`legend_html`). :meth:`MapView.full_map` is the
whole map in one piece, for the published HTML file. Every layer comes from :mod:`maps`.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from folium import plugins

import maps
from geoplan.app.files import output_path
from geoplan.app.records import PlanState, Suggestion
from geoplan.settings import ServiceStandard
from maps.styles import colour
from maps.symbols import facility_svg

#: Assets larger than this stay linked (an offline machine simply lacks that styling), bytes.
MAX_EMBEDDED_ASSET = 300_000

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
SUGGESTED = "建议站点 / suggested sites"


@lru_cache(maxsize=None)
def _data_url(url: str, mime: str) -> str | None:
    """The asset at a CDN ``url`` as a ``data:`` URL from the packaged copy, or None when unknown or large."""
    tag = f'<script src="{url}"></script>' if mime == "text/javascript" else f'<link rel="stylesheet" href="{url}"/>'
    html, missing = maps.inline_assets(tag)
    if missing:
        return None
    body = re.sub(r"^<(script|style)>|</(script|style)>$", "", html)
    data = body.encode("utf-8")
    if len(data) > MAX_EMBEDDED_ASSET:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


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


def served_roads(network, node: int, standard: ServiceStandard, profile: str):
    """Roads from which a station at ``node`` is reached within ``standard``, as one multi-line (metric CRS).

    An edge counts when driving along it and on to the station stays within the standard
    — the same reverse costs the coverage figures use, so the drawing agrees with them.
    It takes milliseconds (the cost column is cached), where a buffered polygon takes
    a noticeable fraction of a second per new station.
    """
    to_station = network.costs_to_node(int(node), profile, standard.weight)
    reach = network.usable_edges(profile) & (to_station[network.edge_v] + network.edge_weight(profile, standard.weight)
                                             <= standard.value)
    return shapely.multilinestrings(list(network.edge_geometry[reach]))


class MapView:
    """Draws the plan states of one scenario's sessions.

    Parameters
    ----------
    scenario : Scenario
    network : RoadNetwork
        The scenario's road network.
    districts : GeoDataFrame or None
        The districts (metric CRS): the map opens on their extent.
    """

    def __init__(self, scenario, network, districts: gpd.GeoDataFrame | None):
        self.scenario = scenario
        self.network = network
        self.districts = districts
        self._roads: dict[str, dict] = {}
        self._served: dict[tuple, dict] = {}

    # ------------------------------------------------------------ what never changes
    def _bounds(self, state: PlanState | None = None) -> list[gpd.GeoDataFrame]:
        if self.districts is not None and len(self.districts):
            return [self.districts]
        return [state.stations] if state is not None else [self.network.edges_gdf()]

    def roads_geojson(self, tiles: str = "osm") -> dict:
        """The scenario's roads as a light GeoJSON dict (:func:`maps.road_guide_geojson`), built once per tiles."""
        if tiles not in self._roads:
            roads = self.scenario.layers.get("roads")
            if roads is None or not len(roads):
                roads = self.network.edges_gdf()
            self._roads[tiles] = maps.road_guide_geojson(roads, tiles)
        return self._roads[tiles]

    def base_map(self, tiles: str = "osm") -> folium.Map:
        """The part of the app's map that no edit changes: tiles, scale bar, roads, full-screen button.

        It depends on the scenario's districts and roads only (not on the facility kind, the
        standard or the plan), so the page builds the same script on every rerun and the map
        component is never mounted again.
        """
        m = maps.new_map(self._bounds(), tiles=tiles)
        maps.road_guide_layer(self.roads_geojson(tiles)).add_to(m)
        plugins.Fullscreen(position="topleft", title="全屏 / full screen", title_cancel="退出全屏 / exit").add_to(m)
        return offline_links(m)

    def _served_geometry(self, node: int, standard: ServiceStandard, profile: str, tiles: str) -> dict:
        key = (int(node), standard, profile, tiles)
        if key not in self._served:
            lines = served_roads(self.network, node, standard, profile).simplify(5.0)
            shape = maps.to_map_crs(gpd.GeoDataFrame(geometry=[lines], crs=self.network.crs), tiles).geometry.iloc[0]
            self._served[key] = shapely.geometry.mapping(shapely.set_precision(shape, 1e-5))
        return self._served[key]

    # ------------------------------------------------------------ what follows the plan
    def area_layer(self, state: PlanState, tiles: str = "osm") -> folium.GeoJson | None:
        """Service areas of every station at the state's standard, drawn as the roads they serve.

        One layer ignoring the mouse; each station's roads are computed once per standard.
        """
        if not state.station_nodes:
            return None
        features = [{"type": "Feature", "properties": {"id": sid},
                     "geometry": self._served_geometry(node, state.standard, state.profile, tiles)}
                    for node, sid in zip(state.station_nodes, state.station_ids)]
        c = colour(state.kind)
        return folium.GeoJson({"type": "FeatureCollection", "features": features},
                              name=f"服务范围 / service areas ({state.standard})", interactive=False,
                              style_function=lambda f, c=c: {"color": c, "weight": 5, "opacity": 0.35,
                                                             "lineCap": "round", "lineJoin": "round"})

    def overlays(self, state: PlanState, tiles: str = "osm", show=DEFAULT_OVERLAYS,
                 suggestion: Suggestion | None = None, on_file: bool = False) -> dict[str, list]:
        """The layers of the shown overlays, keyed by :data:`OVERLAYS` (and :data:`SUGGESTED`)."""
        show = set(show)
        drawn: dict[str, list] = {key: [] for key in OVERLAYS}
        if "districts" in show and state.districts is not None:
            drawn["districts"].append(maps.coverage_choropleth(
                state.districts, tiles, label="覆盖率 / coverage rate", labels_on_map=on_file, interactive=on_file))
        if "areas" in show:
            area = self.area_layer(state, tiles)
            drawn["areas"] += [area] if area is not None else []
        if "demand" in show:
            drawn["demand"] += maps.demand_coverage_layers(state.demand, tiles, popups=on_file)
        if "stations" in show and len(state.stations):
            drawn["stations"] += list(maps.facility_layers({state.kind: state.stations}, tiles).values())
        if "candidates" in show and len(state.candidates):
            drawn["candidates"].append(maps.facility_layer("candidate_sites", state.candidates, tiles, show=True))
        if suggestion is not None and suggestion.stations:
            drawn[SUGGESTED] = [maps.facility_layer(state.kind, suggestion_layer(state, suggestion), tiles)]
        return drawn

    def overlay_groups(self, state: PlanState, tiles: str = "osm", show=DEFAULT_OVERLAYS,
                       suggestion: Suggestion | None = None) -> list[folium.FeatureGroup]:
        """What the plan draws on the base map, one feature group per shown overlay.

        Returns
        -------
        list of folium.FeatureGroup
            In :data:`OVERLAYS` order; pass them to ``st_folium(feature_group_to_add=...)``.
        """
        groups = []
        for key, elements in self.overlays(state, tiles, show, suggestion).items():
            if not elements:
                continue
            group = folium.FeatureGroup(name=OVERLAYS.get(key, key))
            for element in elements:
                group.add_child(element)
            groups.append(group)
        return groups

    def full_map(self, state: PlanState, tiles: str = "osm") -> folium.Map:
        """The whole map of the plan with its indicator panel, for a file that has no page around it."""
        m = maps.new_map(self._bounds(state), tiles=tiles,
                         title=f"{self.scenario.name} — 交互选址 / interactive siting")
        for elements in self.overlays(state, tiles, on_file=True).values():
            for element in elements:
                element.add_to(m)
        if state.districts is not None:
            maps.add_colour_legend(m, "覆盖率 / coverage rate", maps.coverage_colormap())
        maps.add_legend(m, "需求点 / demand", maps.demand_legend_items())
        if len(state.stations):
            maps.add_legend(m, "设施 / facilities", maps.facility_legend_items([state.kind]))
        maps.add_indicator_panel(m, indicator_table(state), title="指标 / indicators — 交互规划 / interactive plan")
        return maps.finish_map(m)

    def publish(self, state: PlanState, name: str | None = None, tiles: str = "osm") -> Path:
        """Write :meth:`full_map` as one self-contained HTML file under the scenario's ``output/``."""
        from geoplan.publish import save_map

        path = output_path(self.scenario.output_dir, name or f"app_map_{state.kind}", ".html")
        return save_map(self.full_map(state, tiles), path)


def suggestion_layer(state: PlanState, suggestion: Suggestion) -> gpd.GeoDataFrame:
    """A suggestion's sites as a layer of the kind with status ``candidate`` (drawn dashed)."""
    st = suggestion.stations
    return gpd.GeoDataFrame({
        "id": [s.id for s in st], "name": [f"建议 suggested: {s.name}" for s in st], "status": "candidate",
    }, geometry=gpd.points_from_xy([s.x for s in st], [s.y for s in st]), crs=state.stations.crs)


def indicator_table(state: PlanState) -> pd.DataFrame:
    """The coverage figures as the indicator panel's table."""
    rows = [{"key": f.key, "label": f.label, "actual": round(f.actual, 4), "target": f.target,
             "gap": round(max(0.0, f.target - f.actual), 4), "unit": "share",
             "status": "达标" if f.met else "未达标", "covered_units": f.covered_units, "units": f.units}
            for f in state.coverage]
    return pd.DataFrame(rows)


def _as_img(symbol: str) -> str:
    """An inline ``<svg>`` as an ``<img>`` with a data URL: the page's HTML sanitiser drops bare SVG."""
    if not symbol.lstrip().startswith("<svg"):
        return symbol
    data = base64.b64encode(symbol.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="" style="vertical-align:middle">'


def legend_html(state: PlanState, show=DEFAULT_OVERLAYS) -> str:
    """The legends of the shown overlays as one compact HTML block for the page beside the map."""
    def line(title: str, items) -> str:
        return maps.legend_line_html(title, [(_as_img(symbol), label) for symbol, label in items])

    show = set(show)
    blocks = []
    if "stations" in show:
        items = maps.facility_legend_items([state.kind])
        blocks.append(line("站点 / stations", [(svg.replace('width="18"', 'width="16"'), label) for svg, label in items]))
    if "candidates" in show:
        blocks.append(line("备选站址 / candidates", [(
            facility_svg("candidate_sites", colour("candidate_sites"), "candidate", 16),
            f"{len(state.candidates)} 个 sites" + ("（上传 uploaded）" if state.uploaded_candidates else ""))]))
    if "demand" in show:
        blocks.append(line("需求点 / demand", maps.demand_legend_items()))
    if "areas" in show:
        c = colour(state.kind)
        swatch = f'<span style="display:inline-block;width:18px;height:5px;background:{c};opacity:0.5"></span>'
        blocks.append(line("服务范围 / service area", [(swatch, f"{state.standard} 内的道路 / roads within {state.standard}")]))
    if "districts" in show and state.districts is not None:
        blocks.append(line("覆盖率 / coverage rate", maps.colour_legend_items(maps.coverage_colormap())))
    return f'<div style="font-size:12px;line-height:1.5">{"".join(blocks)}</div>'

