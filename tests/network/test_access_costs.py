"""Door-to-door costs (RoadNetwork.access_costs) against networkx and a hand-computed stretch."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import shapely

from geoplan.network import SnapResult
from layers.errors import GeoplanError


def _points(net, n: int, seed: int) -> np.ndarray:
    """Points scattered off the road nodes, up to 60 m away (metric coordinates)."""
    rng = np.random.default_rng(seed)
    nodes = rng.choice(net.n_nodes, n, replace=False)
    return net.node_xy[nodes] + rng.uniform(-60.0, 60.0, (n, 2))


def _oracle(net, origins: np.ndarray, destinations: np.ndarray, profile: str, weight: str) -> np.ndarray:
    """networkx on the road graph with every point's road split where the point meets it.

    Each point is attached to its nearest usable edge (found here by brute force); that road
    is cut at every point on it, the point becomes a node of the graph, and the cost is the
    shortest path between the point nodes plus the straight stretch at both ends (seconds
    at the profile's local-street speed).
    """
    usable = np.flatnonzero(net.usable_edges(profile))
    cost = net.edge_weight(profile, weight)
    speed_mps = net.profiles[profile].speed_kmh["local"] / 3.6
    per_m = 1.0 if weight == "metres" else 1.0 / speed_mps
    points = np.vstack([origins, destinations])
    attach, stretch = [], []
    for x, y in points:
        d = shapely.distance(shapely.Point(x, y), net.edge_geometry[usable])
        e = int(usable[np.flatnonzero(d == d.min())].min())
        attach.append((e, float(shapely.line_locate_point(net.edge_geometry[e], shapely.Point(x, y), normalized=True))))
        stretch.append(float(d.min()))
    graph = nx.DiGraph()
    pair = {}
    for e in usable:
        pair[(int(net.edge_u[e]), int(net.edge_v[e]))] = e
    on_edge: dict[int, list[tuple[float, str]]] = {}
    for k, (e, t) in enumerate(attach):
        on_edge.setdefault(e, []).append((t, f"p{k}"))
        r = pair.get((int(net.edge_v[e]), int(net.edge_u[e])))
        if r is not None and abs(net.edge_length_m[r] - net.edge_length_m[e]) < 0.01:
            on_edge.setdefault(int(r), []).append((1.0 - t, f"p{k}"))
    for e in usable:
        a, b = int(net.edge_u[e]), int(net.edge_v[e])
        stops = [(0.0, a), *sorted(on_edge.get(int(e), [])), (1.0, b)]
        for (t0, n0), (t1, n1) in zip(stops, stops[1:]):
            w = (t1 - t0) * cost[e]
            if not graph.has_edge(n0, n1) or graph[n0][n1]["w"] > w:
                graph.add_edge(n0, n1, w=w)
    n_o = len(origins)
    out = np.full((n_o, len(destinations)), np.inf)
    for i in range(n_o):
        lengths = nx.single_source_dijkstra_path_length(graph, f"p{i}", weight="w")
        for j in range(len(destinations)):
            node = f"p{n_o + j}"
            if node in lengths:
                out[i, j] = lengths[node] + (stretch[i] + stretch[n_o + j]) * per_m
    return out


@pytest.mark.parametrize("weight", ["metres", "seconds"])
@pytest.mark.parametrize("shape", [(30, 5), (5, 30)], ids=["few-destinations", "few-origins"])
def test_access_costs_match_networkx_on_split_roads(random_grid, weight, shape):
    """Both search directions (reverse columns for few destinations, forward for few origins)."""
    net = random_grid
    profile = "small_collection_vehicle"
    origins, destinations = _points(net, shape[0], 1), _points(net, shape[1], 2)
    got = net.access_costs(origins, destinations, profile, weight)
    want = _oracle(net, origins, destinations, profile, weight)
    assert got.shape == shape
    assert np.array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-9)


def test_cutoff_keeps_exactly_the_pairs_within_it(random_grid):
    net = random_grid
    origins, destinations = _points(net, 25, 3), _points(net, 8, 4)
    dense = net.access_costs(origins, destinations, "compression_truck", "metres")
    cutoff = float(np.nanmedian(dense[np.isfinite(dense)]))
    sparse = net.access_costs(origins, destinations, "compression_truck", "metres", cutoff=cutoff)
    assert sp.issparse(sparse)
    coo = sparse.tocoo()
    assert set(zip(coo.row, coo.col)) == set(zip(*np.nonzero(dense <= cutoff)))
    np.testing.assert_allclose(coo.data, dense[coo.row, coo.col], rtol=1e-12)


def test_two_points_on_one_road_drive_straight_along_it():
    """Two points 100 m apart on a 1 km street: 100 m apart by road, not via a junction."""
    from shapely.geometry import LineString

    from geoplan.network import RoadNetwork

    roads = gpd.GeoDataFrame({"road_class": ["local"], "oneway": [False]},
                             geometry=[LineString([(0, 0), (1000, 0)])], crs=4549)
    net = RoadNetwork.from_roads(roads)
    a, b = np.array([[400.0, 10.0]]), np.array([[500.0, -20.0]])
    assert net.access_costs(a, b, "film_van", "metres")[0, 0] == pytest.approx(10 + 100 + 20)
    assert net.access_costs(b, a, "film_van", "metres")[0, 0] == pytest.approx(20 + 100 + 10)


def test_snapped_points_give_the_same_costs(random_grid):
    net = random_grid
    origins, destinations = _points(net, 20, 5), _points(net, 4, 6)
    first = net.access_costs(origins, destinations, "film_van", "seconds")
    snapped = net.access_costs(net.snap(origins, "film_van"), net.snap(destinations, "film_van"), "film_van",
                               "seconds")
    np.testing.assert_array_equal(first, snapped)
    with pytest.raises(GeoplanError, match="snapped for vehicle profile film_van cannot be costed for muck_truck"):
        net.access_costs(net.snap(origins, "film_van"), destinations, "muck_truck")
    # a point standing on a node, snapped to it: the cost is the road cost alone
    node = SnapResult(np.array([int(net.snap(destinations).node[0])]), np.zeros(1))
    column = net.costs_to_node(int(node.node[0]), "film_van", "seconds")
    at_nodes = SnapResult(net.snap(origins).node, np.zeros(20))
    np.testing.assert_allclose(net.access_costs(at_nodes, node, "film_van", "seconds")[:, 0],
                               column[at_nodes.node], rtol=1e-12)


def test_unknown_weight_and_profile_are_refused(random_grid):
    xy = _points(random_grid, 3, 0)
    with pytest.raises(GeoplanError, match="unknown weight"):
        random_grid.access_costs(xy, xy, "film_van", "minutes")
    with pytest.raises(GeoplanError, match="unknown vehicle profile"):
        random_grid.access_costs(xy, xy, "bicycle", "metres")


def test_cutting_the_roads_at_points_keeps_every_cost(random_grid):
    """The network cut where points meet their roads: each point's node lies on its road, and the
    door-to-door costs between the points are what they were."""
    net = random_grid
    points = _points(net, 25, 7)
    cut, nodes = net.split_at(points, "film_van")
    snap = net.snap(points, "film_van")
    on_road = np.hypot(*(cut.node_xy[nodes] - points).T)
    np.testing.assert_allclose(on_road, snap.road_distance_m, atol=0.51)
    before = net.access_costs(points, points, "film_van", "metres")
    after = cut.access_costs(points, points, "film_van", "metres")
    np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-6)
    # node to node on the cut network is the road part of the same cost
    road = cut.travel_costs(nodes, nodes, profile="film_van", weight="metres").metres
    np.testing.assert_allclose(road + on_road[:, None] + on_road[None, :], before, rtol=1e-9, atol=1.1)
    assert cut.n_nodes > net.n_nodes and net.split_at(points, "film_van")[0].n_nodes == cut.n_nodes
