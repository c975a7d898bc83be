"""Door-to-door costs (RoadNetwork.access_costs) against networkx and a hand-computed stretch."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from geoplan.network import SnapResult


def _points(net, n: int, seed: int) -> np.ndarray:
    """Points scattered off the road nodes, up to 60 m away (metric coordinates)."""
    rng = np.random.default_rng(seed)
    nodes = rng.choice(net.n_nodes, n, replace=False)
    return net.node_xy[nodes] + rng.uniform(-60.0, 60.0, (n, 2))


def _oracle(net, graph: nx.DiGraph, origins: np.ndarray, destinations: np.ndarray, profile: str,
            weight: str) -> np.ndarray:
    """networkx road cost between the nearest nodes, plus the straight stretch at both ends
    (metres, or seconds at the profile's local-street speed), computed here from scratch."""
    def nearest(xy):
        d = np.hypot(*(xy[:, None, :] - net.node_xy[None, :, :]).transpose(2, 0, 1))
        return d.argmin(axis=1), d.min(axis=1)

    o_node, o_m = nearest(origins)
    d_node, d_m = nearest(destinations)
    speed_mps = net.profiles[profile].speed_kmh["local"] / 3.6
    per_m = 1.0 if weight == "metres" else 1.0 / speed_mps
    out = np.full((len(origins), len(destinations)), np.inf)
    for i, s in enumerate(o_node):
        lengths = nx.single_source_dijkstra_path_length(graph, int(s), weight=weight)
        for j, t in enumerate(d_node):
            if int(t) in lengths:
                out[i, j] = lengths[int(t)] + (o_m[i] + d_m[j]) * per_m
    return out


@pytest.mark.parametrize("weight", ["metres", "seconds"])
@pytest.mark.parametrize("shape", [(30, 5), (5, 30)], ids=["few-destinations", "few-origins"])
def test_access_costs_match_networkx_plus_stretches(random_grid, oracle, weight, shape):
    """Both search directions (reverse columns for few destinations, forward for few origins)."""
    net = random_grid
    profile = "small_collection_vehicle"
    origins, destinations = _points(net, shape[0], 1), _points(net, shape[1], 2)
    got = net.access_costs(origins, destinations, profile, weight)
    want = _oracle(net, oracle(net, profile, weight), origins, destinations, profile, weight)
    assert got.shape == shape
    assert np.array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-9)


def test_cutoff_keeps_exactly_the_pairs_within_it(random_grid, oracle):
    net = random_grid
    origins, destinations = _points(net, 25, 3), _points(net, 8, 4)
    dense = net.access_costs(origins, destinations, "compression_truck", "metres")
    cutoff = float(np.nanmedian(dense[np.isfinite(dense)]))
    sparse = net.access_costs(origins, destinations, "compression_truck", "metres", cutoff=cutoff)
    assert sp.issparse(sparse)
    coo = sparse.tocoo()
    assert set(zip(coo.row, coo.col)) == set(zip(*np.nonzero(dense <= cutoff)))
    np.testing.assert_allclose(coo.data, dense[coo.row, coo.col], rtol=1e-12)


def test_snapped_points_give_the_same_costs_and_cached_columns_change_nothing(random_grid):
    net = random_grid
    origins, destinations = _points(net, 20, 5), _points(net, 4, 6)
    first = net.access_costs(origins, destinations, "film_van", "seconds")
    snapped = net.access_costs(net.snap(origins), net.snap(destinations), "film_van", "seconds")
    np.testing.assert_array_equal(first, snapped)
    # a point standing on its node has no stretch: the cost is the road cost alone
    node = SnapResult(np.array([int(net.snap(destinations).node[0])]), np.zeros(1))
    column = net.costs_to_node(int(node.node[0]), "film_van", "seconds")
    o = net.snap(origins)
    speed = net.profiles["film_van"].speed_kmh["local"] / 3.6
    np.testing.assert_allclose(net.access_costs(o, node, "film_van", "seconds")[:, 0],
                               column[o.node] + o.distance_m / speed, rtol=1e-12)


def test_unknown_weight_and_profile_are_refused(random_grid):
    from layers.errors import GeoplanError

    xy = _points(random_grid, 3, 0)
    with pytest.raises(GeoplanError, match="unknown weight"):
        random_grid.access_costs(xy, xy, "film_van", "minutes")
    with pytest.raises(GeoplanError, match="unknown vehicle profile"):
        random_grid.access_costs(xy, xy, "bicycle", "metres")
