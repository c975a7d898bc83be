"""What the app's page draws: the layers sent once, the served roads, and the published map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

import layers
import maps
from geoplan.app import ServiceStandard, SitingSession
from geoplan.app.map_view import MapView
from geoplan.app.page_view import PageView, served_roads
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(write_demo_scenario(tmp_path_factory.mktemp("pageview") / "demo"))


def _centre(scenario, i: int = 0) -> tuple[float, float]:
    d = scenario.layers["districts"]
    p = gpd.GeoSeries(d.geometry.representative_point(), crs=d.crs).to_crs(4326).iloc[i]
    return p.x, p.y


def test_demand_layers_are_in_the_order_of_the_covered_flags(scenario):
    session = SitingSession(scenario, "transfer_stations")
    session.place(*_centre(scenario))
    state = session.state()
    page = PageView(scenario)
    sent = page.layers(session.kind, list(state.demand))
    view = page.view(state, None)
    for kind, frame in state.demand.items():
        ids = [f["properties"]["id"] for f in sent["demand"][kind]["features"]]
        assert ids == frame["id"].astype(str).tolist()
        assert view["covered"][kind] == "".join("1" if c else "0" for c in frame["covered"])
    names = {f["properties"]["name"] for f in sent["districts"]["features"]}
    assert names == set(scenario.layers["districts"]["name"])
    assert sent["water"]["features"] and sent["roads"]["features"]


def test_gcj02_layers_are_shifted_by_the_gcj02_offset(scenario):
    page = PageView(scenario)
    wgs = page.layers("transfer_stations", ["villages"], gcj02=False)["demand"]["villages"]["features"][0]
    gcj = page.layers("transfer_stations", ["villages"], gcj02=True)["demand"]["villages"]["features"][0]
    lon, lat = wgs["geometry"]["coordinates"]
    glon, glat = layers.wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    assert gcj["geometry"]["coordinates"] == pytest.approx([glon[0], glat[0]], abs=2e-5)
    assert abs(gcj["geometry"]["coordinates"][0] - lon) > 1e-3  # a few hundred metres, not nothing


def test_served_roads_agree_with_coverage(scenario):
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
    assert served_roads(net, node, ServiceStandard(0.5, "m"), target.profile).is_empty


def test_published_map_draws_the_plan(scenario):
    session = SitingSession(scenario, "transfer_stations")
    placed = session.place(*_centre(scenario, 1))
    html = maps.page_html(MapView(scenario).full_map(session.state()))
    assert placed.id in html and scenario.name in html
    assert "cdn.jsdelivr" not in html  # self-contained: opens offline


def test_the_area_cache_keeps_the_most_recent_only(scenario):
    page = PageView(scenario, max_areas=3)
    std = ServiceStandard(1500.0, "m")
    nodes = [int(n) for n in np.linspace(0, len(scenario.road_network.node_xy) - 1, 6)]
    first = page.area(nodes[0], std, "small_collection_vehicle", False)
    for n in nodes[1:]:
        page.area(n, std, "small_collection_vehicle", False)
    assert page.cached_areas == 3
    again = page.area(nodes[0], std, "small_collection_vehicle", False)  # made anew, the same drawing
    assert again == first and page.cached_areas == 3
