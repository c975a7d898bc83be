"""Shared builders for road-network tests: small real networks and a networkx oracle."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from geoplan.network import RoadNetwork
from geoplan.network.synthetic import grid_roads


def oracle_graph(net: RoadNetwork, profile: str, weight: str, usable: np.ndarray | None = None) -> nx.DiGraph:
    """networkx DiGraph of the edges ``profile`` may use, keeping the cheapest parallel edge.

    ``usable`` overrides the network's own mask (to check restrictions independently).
    """
    usable = net.usable_edges(profile) if usable is None else usable
    w_primary = net.edge_weight(profile, weight)
    other = "seconds" if weight == "metres" else "metres"
    w_other = net.edge_weight(profile, other)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(net.n_nodes))
    for e in np.flatnonzero(usable):
        a, b = int(net.edge_u[e]), int(net.edge_v[e])
        if a == b:
            continue
        if not graph.has_edge(a, b) or graph[a][b][weight] > w_primary[e]:
            graph.add_edge(a, b, **{weight: float(w_primary[e]), other: float(w_other[e])})
    return graph


@pytest.fixture(params=[0, 1, 2])
def random_grid(request) -> RoadNetwork:
    """A 12 × 9 jittered grid with one-way and missing local streets (three seeds)."""
    roads = grid_roads(12, 9, drop_share=0.1, oneway_share=0.3, seed=request.param)
    return RoadNetwork.from_roads(roads)


@pytest.fixture
def oracle():
    """The :func:`oracle_graph` builder (a fixture, as test modules cannot import conftest)."""
    return oracle_graph
