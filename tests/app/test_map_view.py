"""The app's map: one base map whose script never changes, overlays that follow the plan."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pytest
from streamlit_folium import _get_map_string, generate_js_hash

from geoplan.app import ServiceStandard, SitingSession
from geoplan.app.map_view import DEFAULT_OVERLAYS, OVERLAYS, SUGGESTED, MapView, legend_html, served_roads
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(write_demo_scenario(tmp_path_factory.mktemp("mapview") / "demo"))


@pytest.fixture(scope="module")
def view(scenario):
    return MapView(scenario, scenario.road_network, scenario.layers["districts"])


def _centre(scenario, i: int = 0) -> tuple[float, float]:
    d = scenario.layers["districts"]
    p = gpd.GeoSeries(d.geometry.representative_point(), crs=d.crs).to_crs(4326).iloc[i]
    return p.x, p.y


def _base_hash(view: MapView) -> str:
    """The key the map component is mounted under: a new key means a new map in the page."""
    m = view.base_map()
    m.get_root().render()
    return generate_js_hash(_get_map_string(m), "map", False)


def _markers(group: folium.FeatureGroup) -> int:
    def walk(e):
        yield e
        for c in getattr(e, "_children", {}).values():
            yield from walk(c)
    return sum(isinstance(e, folium.Marker) for e in walk(group))


def test_base_map_is_the_same_after_edits_and_across_scenario_loads(scenario, view):
    session = SitingSession(scenario, "transfer_stations")
    first = _base_hash(view)
    session.place(*_centre(scenario))
    session.set_standard(ServiceStandard(600.0, "s"))
    view.overlay_groups(session.state())
    assert _base_hash(view) == first
    fresh = load_scenario(scenario.folder)
    assert _base_hash(MapView(fresh, fresh.road_network, fresh.layers["districts"])) == first


def test_overlays_follow_the_plan(scenario, view):
    session = SitingSession(scenario, "transfer_stations")
    n = len(session.existing)
    before = session.state()
    groups = {g.layer_name: g for g in view.overlay_groups(before)}
    assert list(groups) == [OVERLAYS[k] for k in DEFAULT_OVERLAYS]
    assert _markers(groups[OVERLAYS["stations"]]) == n
    session.place(*_centre(scenario))
    after = session.state()
    assert after.version > before.version and session.state() is after
    groups = {g.layer_name: g for g in view.overlay_groups(after)}
    assert _markers(groups[OVERLAYS["stations"]]) == n + 1
    # the earlier snapshot still describes the plan before the click
    assert len(before.stations) == n and len(after.stations) == n + 1
    only = view.overlay_groups(after, show=["candidates"])
    assert [g.layer_name for g in only] == [OVERLAYS["candidates"]]
    assert _markers(only[0]) == len(session.candidates)

    sug = session.suggest(1, time_limit_s=20)
    last = view.overlay_groups(session.state(), suggestion=sug)[-1]
    assert last.layer_name == SUGGESTED and _markers(last) == 1


def test_served_roads_agree_with_coverage(scenario, tmp_path):
    """Every demand point a lone station covers lies near a road drawn as served."""
    net = scenario.road_network
    std = ServiceStandard(2000.0, "m")
    target = scenario.targets["urban_sorting_coverage"]
    demand = scenario.layers[target.demand_kind]
    x, y = gpd.GeoSeries(gpd.points_from_xy(*[[c] for c in _centre(scenario)]), crs=4326).to_crs(net.crs).iloc[0].coords[0]
    node = int(net.snap(np.array([[x, y]])).node[0])
    station = gpd.GeoDataFrame({"id": ["S"]}, geometry=gpd.points_from_xy(*net.node_xy[[node]].T), crs=net.crs)
    cost = net.access_costs(demand, station, target.profile, "metres")[:, 0]
    covered = cost <= std.value
    assert covered.any() and not covered.all()
    roads = served_roads(net, node, std, target.profile)
    snap_m = net.snap(demand).distance_m
    # a covered point is its snap distance from its node, which a served edge ends at
    gap = roads.distance(demand.geometry.to_numpy()[covered])
    assert (gap <= snap_m[covered] + 1.0).all()


def test_legend_has_no_bare_svg(scenario):
    """The page's HTML sanitiser drops <svg>; the legend's symbols are images."""
    session = SitingSession(scenario, "transfer_stations")
    html = legend_html(session.state(), list(OVERLAYS))
    assert "<svg" not in html and html.count("<img") >= 6
    assert "3000 m" in html
