"""Paths with road geometry, route geometries and service areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoplan.network import RoadNetwork
from geoplan.network.synthetic import grid_roads
from layers.errors import GeoplanError


@pytest.fixture(scope="module")
def net() -> RoadNetwork:
    return RoadNetwork.from_roads(grid_roads(12, 10, seed=21))


@pytest.mark.parametrize("weight", ["seconds", "metres"])
def test_path_geometry_and_costs_agree_with_matrix(net, weight):
    rng = np.random.default_rng(1)
    for origin, dest in rng.choice(net.n_nodes, size=(6, 2)):
        nodes, line, metres, seconds = net.path(origin, dest, "compression_truck", weight=weight)
        costs = net.travel_costs([origin], [dest], weight=weight)
        assert metres == pytest.approx(costs.metres[0, 0], rel=1e-9)
        assert seconds == pytest.approx(costs.seconds[0, 0], rel=1e-9)
        assert nodes[0] == origin and nodes[-1] == dest
        if origin != dest:
            assert line.length == pytest.approx(metres, rel=1e-9)
            assert shapely.Point(line.coords[0]).distance(shapely.Point(net.node_xy[origin])) < 1e-6
            assert shapely.Point(line.coords[-1]).distance(shapely.Point(net.node_xy[dest])) < 1e-6


def test_unreachable_path_is_inf_not_error():
    roads = grid_roads(8, 6, seed=0)
    zones = gpd.GeoDataFrame({"barred_profiles": ["muck_truck"]}, geometry=[shapely.box(*roads.total_bounds).buffer(10)], crs=roads.crs)
    net = RoadNetwork.from_roads(roads, restricted_zones=zones)
    path = net.path(0, 5, "muck_truck")
    assert path.nodes == [] and path.metres == np.inf and path.geometry.is_empty
    with pytest.raises(GeoplanError, match="cannot drive"):
        net.route_geometry([0, 5], "muck_truck")


def test_route_geometry_joins_legs(net):
    stops = [0, 40, 77, 0]
    route = net.route_geometry(stops, "compression_truck")
    legs = [net.path(a, b, "compression_truck") for a, b in zip(stops[:-1], stops[1:])]
    assert route.metres == pytest.approx(sum(leg.metres for leg in legs))
    assert route.geometry.length == pytest.approx(route.metres, rel=1e-9)
    assert route.nodes[0] == 0 and route.nodes[-1] == 0 and 40 in route.nodes and 77 in route.nodes


def test_service_areas_contain_reached_nodes_and_grow(net):
    facility = 0  # a corner of the grid, so nodes well beyond the cutoff exist
    small = net.service_areas([facility], cutoff_m=800.0, ids=["T1"])
    large = net.service_areas([facility], cutoff_m=1600.0, ids=["T1"])
    assert list(small.columns[:5]) == ["id", "cutoff", "weight", "profile", "area_m2"]
    assert small.crs == net.crs and small["id"].tolist() == ["T1"]
    dist = net.travel_costs([facility], np.arange(net.n_nodes), weight="metres").metres[0]
    poly_small, poly_large = small.geometry.iloc[0], large.geometry.iloc[0]
    points = shapely.points(net.node_xy)
    within = dist <= 800.0
    assert shapely.contains(poly_small.buffer(1e-6), points[within]).all()
    # Nodes well beyond the cutoff lie outside.
    far = dist > 2000.0
    assert far.sum() > 10 and not shapely.intersects(poly_small, points[far]).any()
    # Arc approximation of the band (quad_segs=4) may differ by up to ~1.5 m.
    assert poly_large.buffer(2.0).contains(poly_small)
    assert poly_small.difference(poly_large).area < 1e-3 * poly_small.area
    assert large["area_m2"].iloc[0] > small["area_m2"].iloc[0] > 0


def test_service_area_cuts_partial_edges():
    line = shapely.LineString([(0, 0), (2000, 0)])
    roads = gpd.GeoDataFrame({"road_class": ["local"]}, geometry=[line], crs="EPSG:4549")
    net = RoadNetwork.from_roads(roads)
    start = int(net.snap(np.array([[0.0, 0.0]])).node[0])
    area = net.service_areas([start], cutoff_m=500.0, buffer_m=50.0).geometry.iloc[0]
    minx, _, maxx, _ = area.bounds
    assert minx == pytest.approx(-50.0, abs=1.0) and maxx == pytest.approx(550.0, abs=1.0)
