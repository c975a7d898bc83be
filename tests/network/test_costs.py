"""Travel-cost matrices checked against networkx Dijkstra on the same graphs."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from geoplan.network import RoadNetwork, VehicleProfile
from geoplan.network.synthetic import grid_roads
from layers.errors import GeoplanError



def _nx_matrix(graph: nx.DiGraph, origins, destinations, weight: str) -> np.ndarray:
    out = np.full((len(origins), len(destinations)), np.inf)
    for i, s in enumerate(origins):
        lengths = nx.single_source_dijkstra_path_length(graph, int(s), weight=weight)
        for j, t in enumerate(destinations):
            out[i, j] = lengths.get(int(t), np.inf)
    return out


@pytest.mark.parametrize("weight", ["metres", "seconds"])
@pytest.mark.parametrize("profile", ["compression_truck", "small_collection_vehicle", "film_van"])
def test_dense_costs_match_networkx(random_grid: RoadNetwork, profile: str, weight: str, oracle):
    net = random_grid
    rng = np.random.default_rng(7)
    origins = rng.choice(net.n_nodes, 15, replace=False)
    destinations = rng.choice(net.n_nodes, 40, replace=False)
    costs = net.travel_costs(origins, destinations, profile=profile, weight=weight)
    expected = _nx_matrix(oracle(net, profile, weight), origins, destinations, weight)
    got = costs.metres if weight == "metres" else costs.seconds
    assert got.shape == (15, 40) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_secondary_is_along_the_primary_path(random_grid: RoadNetwork, oracle):
    """Metres are the length of the fastest path, not the shortest distance."""
    net = random_grid
    graph = oracle(net, "compression_truck", "seconds")
    origins = np.arange(0, net.n_nodes, 11)
    destinations = np.arange(3, net.n_nodes, 7)
    costs = net.travel_costs(origins, destinations, weight="seconds")
    shortest_m = net.travel_costs(origins, destinations, weight="metres").metres
    differs = 0
    for i, s in enumerate(origins):
        _, paths = nx.single_source_dijkstra(graph, int(s), weight="seconds")
        for j, t in enumerate(destinations):
            path = paths[int(t)]
            metres = sum(graph[a][b]["metres"] for a, b in zip(path[:-1], path[1:]))
            assert costs.metres[i, j] == pytest.approx(metres, rel=1e-9, abs=1e-9)
            assert costs.metres[i, j] >= shortest_m[i, j] - 1e-6
            differs += costs.metres[i, j] > shortest_m[i, j] + 1e-6
    assert differs > 0  # the fastest path is sometimes longer: the test can tell them apart


@pytest.mark.parametrize("cutoff_m", [0.0, 600.0, 1500.0])
def test_cutoff_gives_sparse_entries_within_reach(random_grid: RoadNetwork, cutoff_m: float, oracle):
    net = random_grid
    origins = np.array([0, 5, 5, 40, 77])
    destinations = np.arange(net.n_nodes)
    costs = net.travel_costs(origins, destinations, cutoff_m=cutoff_m)
    assert costs.is_sparse and costs.metres.format == "csr" and costs.seconds.format == "csr"
    expected = _nx_matrix(oracle(net, "compression_truck", "metres"), origins, destinations, "metres")
    coo = costs.metres.tocoo()
    present = np.zeros(expected.shape, bool)
    present[coo.row, coo.col] = True
    np.testing.assert_allclose(coo.data, expected[coo.row, coo.col], rtol=1e-9)
    assert np.all(expected[present] <= cutoff_m)
    assert np.all(expected[~present] > cutoff_m)
    # An origin on its destination node keeps an explicit 0.
    for i, o in enumerate(origins):
        assert present[i, o] and costs.metres[i, o] == 0.0
    assert costs.metres.nnz == present.sum() == costs.seconds.nnz
    dense_m, dense_s = costs.to_dense()
    assert np.isinf(dense_m[~present]).all() and np.isinf(dense_s[~present]).all()


def test_time_cutoff_matches_networkx(random_grid: RoadNetwork, oracle):
    net = random_grid
    origins = np.array([3, 50])
    destinations = np.arange(net.n_nodes)
    cutoff_s = 120.0
    costs = net.travel_costs(origins, destinations, profile="muck_truck", cutoff_s=cutoff_s)
    expected = _nx_matrix(oracle(net, "muck_truck", "seconds"), origins, destinations, "seconds")
    dense_m, dense_s = costs.to_dense()
    within = expected <= cutoff_s
    np.testing.assert_allclose(dense_s[within], expected[within], rtol=1e-9)
    assert np.isinf(dense_s[~within]).all()
    assert np.isfinite(dense_m[within]).all() and costs.weight == "seconds"


def test_points_are_snapped_and_duplicates_solved_once():
    net = RoadNetwork.from_roads(grid_roads(6, 5, seed=3))
    nodes = np.array([4, 9, 4])
    pts = gpd.GeoSeries(shapely.points(net.node_xy[nodes] + 3.0), crs=net.crs)
    by_point = net.travel_costs(pts, pts)
    by_node = net.travel_costs(nodes, nodes)
    np.testing.assert_array_equal(by_point.origin_nodes, nodes)
    np.testing.assert_allclose(by_point.seconds, by_node.seconds)
    np.testing.assert_allclose(by_point.seconds[0], by_point.seconds[2])
    assert np.all(np.diag(by_node.metres) == 0.0)


def test_bad_arguments_raise_user_errors():
    net = RoadNetwork.from_roads(grid_roads(4, 4, seed=0))
    with pytest.raises(GeoplanError, match="either cutoff_m or cutoff_s"):
        net.travel_costs([0], [1], cutoff_m=10, cutoff_s=10)
    with pytest.raises(GeoplanError, match="unknown vehicle profile"):
        net.travel_costs([0], [1], profile="tractor")
    with pytest.raises(GeoplanError, match="out of range"):
        net.travel_costs([0], [net.n_nodes])


# --------------------------------------------------------------------------- profiles


def _same_speed_profiles() -> list[VehicleProfile]:
    speeds = {"expressway": 60.0, "arterial": 40.0, "collector": 30.0, "local": 20.0}
    return [
        VehicleProfile("truck", "卡车", "truck", speeds),
        VehicleProfile("no_arterial", "禁行主干路", "no arterial", speeds, frozenset({"arterial"})),
    ]


def test_barred_class_matches_filtered_graph_and_costs_more(oracle):
    roads = grid_roads(12, 9, drop_share=0.0, oneway_share=0.0, seed=4)
    net = RoadNetwork.from_roads(roads, profiles=_same_speed_profiles())
    origins, destinations = np.arange(0, net.n_nodes, 9), np.arange(net.n_nodes)
    free = net.travel_costs(origins, destinations, profile="truck").seconds
    barred = net.travel_costs(origins, destinations, profile="no_arterial").seconds
    arterial = net.edge_road_class == 1
    oracle = oracle(net, "no_arterial", "seconds", usable=~arterial)
    np.testing.assert_allclose(barred, _nx_matrix(oracle, origins, destinations, "seconds"), rtol=1e-9)
    assert np.all(barred >= free - 1e-9) and np.any(barred > free + 1e-6)
    # Nodes only on arterials are unreachable: inf, not an error.
    only_arterial = np.setdiff1d(np.arange(net.n_nodes), np.concatenate([net.edge_u[~arterial], net.edge_v[~arterial]]))
    assert len(only_arterial) > 0
    start = np.setdiff1d(np.arange(net.n_nodes), only_arterial)[0]
    assert np.isinf(net.travel_costs([start], only_arterial, profile="no_arterial").seconds).all()
    assert net.info()["reachable_share"]["no_arterial"] <= 1.0


def test_restricted_zone_bars_only_its_profiles(oracle):
    roads = grid_roads(12, 9, drop_share=0.0, oneway_share=0.0, seed=5)
    minx, miny, maxx, maxy = roads.total_bounds
    old_town = shapely.box(minx + 600, miny + 400, minx + 1300, miny + 1100)
    zones = gpd.GeoDataFrame({"id": ["Z1"], "barred_profiles": ["muck_truck, film_van"]}, geometry=[old_town], crs=roads.crs)
    net = RoadNetwork.from_roads(roads, restricted_zones=zones)
    inside = np.flatnonzero(shapely.contains_xy(old_town, net.node_xy[:, 0], net.node_xy[:, 1]))
    assert len(inside) > 0
    origins = np.array([0, net.n_nodes - 1])
    muck = net.travel_costs(origins, np.arange(net.n_nodes), profile="muck_truck").metres
    truck = net.travel_costs(origins, np.arange(net.n_nodes), profile="compression_truck", weight="metres").metres
    assert np.isinf(muck[:, inside]).all()  # every edge at an inside node touches the zone
    assert np.isfinite(truck).all()
    hit = shapely.intersects(net.edge_geometry, old_town)
    oracle = oracle(net, "muck_truck", "seconds", usable=~hit)
    muck_s = net.travel_costs(origins, np.arange(net.n_nodes), profile="muck_truck").seconds
    np.testing.assert_allclose(muck_s, _nx_matrix(oracle, origins, np.arange(net.n_nodes), "seconds"), rtol=1e-9)


def test_restricted_zone_with_unknown_profile_is_refused():
    roads = grid_roads(4, 4, seed=0)
    zones = gpd.GeoDataFrame({"id": ["Z9"], "barred_profiles": ["muck truck"]}, geometry=[shapely.box(*roads.total_bounds)], crs=roads.crs)
    with pytest.raises(GeoplanError, match="Z9.*unknown profile muck truck"):
        RoadNetwork.from_roads(roads, restricted_zones=zones)


def test_edge_speed_limit_caps_profile_speed():
    line = shapely.LineString([(0, 0), (1000, 0)])
    line2 = shapely.LineString([(1000, 0), (2000, 0)])
    roads = gpd.GeoDataFrame(
        {"id": ["a", "b"], "road_class": ["arterial", "arterial"], "speed_kmh": [20.0, None], "oneway": [False, False]},
        geometry=[line, line2],
        crs="EPSG:4549",
    )
    net = RoadNetwork.from_roads(roads)
    first = net.snap(np.array([[0.0, 0.0]])).node[0]
    mid = net.snap(np.array([[1000.0, 0.0]])).node[0]
    last = net.snap(np.array([[2000.0, 0.0]])).node[0]
    seconds = net.travel_costs([first, mid], [mid, last], profile="muck_truck").seconds
    assert seconds[0, 0] == pytest.approx(1000 / (20 / 3.6))  # capped at 20 km/h
    assert seconds[1, 1] == pytest.approx(1000 / (40 / 3.6))  # profile's 40 km/h on arterials


@pytest.mark.parametrize("dense_share", [0.0, 1.01])
def test_both_tree_summing_strategies_agree_with_networkx(random_grid: RoadNetwork, oracle, monkeypatch, dense_share):
    """Secondary costs are right whether summed on full arrays or on the reached nodes only."""
    from geoplan.network import costs as costs_module

    monkeypatch.setattr(costs_module, "_DENSE_SHARE", dense_share)
    net = random_grid
    origins = np.array([2, 30, 61])
    graph = oracle(net, "film_van", "metres")
    for cutoff in (None, 900.0):
        costs = net.travel_costs(origins, np.arange(net.n_nodes), profile="film_van", weight="metres", cutoff_m=cutoff)
        metres, seconds = costs.to_dense()
        for i, s in enumerate(origins):
            dist, paths = nx.single_source_dijkstra(graph, int(s), weight="metres")
            for t, path in paths.items():
                if cutoff is not None and dist[t] > cutoff:
                    continue
                assert metres[i, t] == pytest.approx(dist[t], rel=1e-9, abs=1e-9)
                expected_s = sum(graph[a][b]["seconds"] for a, b in zip(path[:-1], path[1:]))
                assert seconds[i, t] == pytest.approx(expected_s, rel=1e-9, abs=1e-9)
