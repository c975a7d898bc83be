"""Roads layers: shared vertices connect lines, crossings without one (bridges) do not."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoplan.network import RoadNetwork
from geoplan.network.synthetic import grid_roads
from layers.errors import GeoplanError

CRS = "EPSG:4549"


def _roads(lines, classes=None, oneway=None, crs=CRS):
    n = len(lines)
    return gpd.GeoDataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "road_class": classes or ["local"] * n,
            "oneway": oneway or [False] * n,
        },
        geometry=lines,
        crs=crs,
    )


def _node(net, x, y):
    snap = net.snap(np.array([[x, y]], dtype=float))
    assert snap.distance_m[0] < 1e-6
    return int(snap.node[0])


def test_lines_sharing_a_vertex_connect_and_a_bridge_does_not():
    # A river road west–east with a vertex at (500, 0); a street crossing it there.
    river_road = shapely.LineString([(0, 0), (500, 0), (1000, 0)])
    street = shapely.LineString([(500, -500), (500, 0), (500, 500)])
    # A bridge crossing the river road at (800, 0) with no vertex there, joined to
    # both banks by ramps at its ends.
    bridge = shapely.LineString([(800, -400), (800, 400)])
    ramps = [shapely.LineString([(800, -400), (1000, -400), (1000, 0)]), shapely.LineString([(500, 500), (800, 400)])]
    net = RoadNetwork.from_roads(_roads([river_road, street, bridge, *ramps]))
    assert net.dropped.nodes == 0
    # Crossing at the shared vertex (500, 0): a node of degree 4 (in and out).
    centre = _node(net, 500, 0)
    assert np.sum(net.edge_u == centre) == 4 and np.sum(net.edge_v == centre) == 4
    # No node where the bridge crosses the river road.
    assert net.snap(np.array([[800.0, 0.0]])).distance_m[0] > 100
    assert net.n_nodes == 7  # 0,0 · 500,0 · 1000,0 · 500,±500 · 800,±400 ; 1000,-400 is a ramp vertex
    # From the bridge's south end to (500, 0): must go round via the ramps, not straight up.
    south = _node(net, 800, -400)
    metres = net.travel_costs([south], [centre], weight="metres").metres[0, 0]
    assert metres == pytest.approx(200 + 400 + 500)  # ramp east, ramp north, river road west


def test_oneway_lines_have_one_direction():
    a = shapely.LineString([(0, 0), (1000, 0)])
    b = shapely.LineString([(1000, 0), (1000, 1000), (0, 1000), (0, 0)])
    net = RoadNetwork.from_roads(_roads([a, b], oneway=[True, False]))
    assert net.n_edges == 3  # a one way, b both ways
    start, end = _node(net, 0, 0), _node(net, 1000, 0)
    costs = net.travel_costs([start, end], [end, start], weight="metres").metres
    assert costs[0, 0] == pytest.approx(1000.0)  # with the one-way
    assert costs[1, 1] == pytest.approx(3000.0)  # back round the loop


def test_multilines_and_mid_line_junctions():
    long = shapely.MultiLineString([[(0, 0), (300, 0), (600, 0)], [(600, 0), (600, 300)]])
    side = shapely.LineString([(300, 0), (300, -200)])
    net = RoadNetwork.from_roads(_roads([long, side], classes=["arterial", "collector"]))
    assert net.n_nodes == 5 and net.n_edges == 8
    assert net.info()["total_km"] == pytest.approx((600 + 300 + 200) / 1000)
    assert net.info()["km_by_class"]["collector"] == pytest.approx(0.2)


def test_pruning_opens_edge_stubs_and_reports_what_was_dropped():
    loop = shapely.LineString([(0, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 0)])
    spur_in = shapely.LineString([(1000, 0), (1500, 0)])  # one-way out to a dead end: an edge stub, opened
    island = shapely.LineString([(5000, 5000), (5300, 5000)])  # unconnected two-way street
    net = RoadNetwork.from_roads(_roads([loop, spur_in, island], oneway=[False, True, False]))
    assert net.dropped.components_before == 3
    assert net.dropped.stub_edges == 1 and net.dropped.stub_length_m == pytest.approx(500)
    assert net.dropped.nodes == 2 and net.dropped.edges == 2
    assert net.dropped.length_m == pytest.approx(2 * 300)
    assert net.dropped.length_by_reason_m == {"island": pytest.approx(600), "one-way": 0.0}
    info = net.info()
    assert info["dropped_nodes"] == 2 and info["components_after"] == 1 and info["nodes"] == net.n_nodes
    assert info["dropped_km"] == pytest.approx(0.3) and info["stub_km_opened"] == pytest.approx(0.5)


def test_a_one_way_into_a_cul_de_sac_is_dropped_with_its_reason():
    loop = shapely.LineString([(0, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 0)])
    one_way_in = shapely.LineString([(1000, 0), (1500, 0)])
    cul_de_sac = shapely.LineString([(1500, 0), (1500, 500)])  # two-way: the one-way reaches no dead end
    net = RoadNetwork.from_roads(_roads([loop, one_way_in, cul_de_sac], oneway=[False, True, False]))
    assert net.dropped.stub_edges == 0
    assert net.dropped.length_by_reason_m["one-way"] == pytest.approx(500 + 2 * 500)
    assert set(net.dropped.reason) == {"one-way"}


def test_synthetic_grid_info_is_consistent():
    roads = grid_roads(10, 8, seed=2)
    net = RoadNetwork.from_roads(roads)
    info = net.info()
    assert info["nodes"] + info["dropped_nodes"] <= 80
    kept_and_dropped = info["total_km"] + info["dropped_km"]
    assert kept_and_dropped >= roads.length.sum() / 1000 - 1e-6
    assert info["reachable_share"]["compression_truck"] == 1.0
    assert all(0.0 < share <= 1.0 for share in info["reachable_share"].values())


@pytest.mark.parametrize(
    ("crs", "message"),
    [(None, "no CRS"), ("EPSG:4490", "geographic CRS")],
)
def test_roads_without_metric_crs_are_refused(crs, message):
    roads = _roads([shapely.LineString([(0, 0), (1, 1)])], crs=crs)
    with pytest.raises(GeoplanError, match=message):
        RoadNetwork.from_roads(roads)


def test_unknown_road_class_names_the_rows():
    roads = _roads([shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(100, 0), (100, 100)])], classes=["local", "highway"])
    with pytest.raises(GeoplanError, match=r"r1: 'highway'"):
        RoadNetwork.from_roads(roads)


def test_roads_layer_file_round_trip(tmp_path):
    roads = grid_roads(5, 4, seed=0)
    path = tmp_path / "roads.gpkg"
    roads.to_file(path, layer="roads")
    from_file = RoadNetwork.from_file(path)
    direct = RoadNetwork.from_roads(roads)
    assert (from_file.n_nodes, from_file.n_edges) == (direct.n_nodes, direct.n_edges)
    np.testing.assert_allclose(np.sort(from_file.edge_length_m), np.sort(direct.edge_length_m))


def test_roads_layer_in_lonlat_is_projected(tmp_path):
    roads = grid_roads(4, 4, seed=0)
    path = tmp_path / "roads.geojson"
    roads.to_crs("EPSG:4326").to_file(path)
    net = RoadNetwork.from_file(path)
    assert net.crs.to_epsg() == 4549
    explicit = RoadNetwork.from_file(path, to_crs="EPSG:4549")
    np.testing.assert_allclose(np.sort(net.edge_length_m), np.sort(explicit.edge_length_m))
