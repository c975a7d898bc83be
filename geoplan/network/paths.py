"""Shortest paths with their real road geometry, for drawing routes on maps."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from layers.errors import GeoplanError

from .costs import tree_edges

if TYPE_CHECKING:
    from .graph import RoadNetwork


class Path(NamedTuple):
    """A path on the network (unpacks as ``nodes, geometry, metres, seconds``).

    Attributes
    ----------
    nodes : list of int
        Node indices from origin to destination; empty if unreachable.
    geometry : LineString
        Road geometry along the edges; empty when the path has no edge.
    metres : float
        Length, metres (inf if unreachable).
    seconds : float
        Driving time for the profile, seconds (inf if unreachable).
    """

    nodes: list[int]
    geometry: LineString
    metres: float
    seconds: float


def _join(geoms: Sequence[LineString]) -> LineString:
    if len(geoms) == 0:
        return LineString()
    parts = [shapely.get_coordinates(g) for g in geoms]
    coords = np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])
    return LineString(coords)


def _edges_on_path(network: "RoadNetwork", pred_row: np.ndarray, origin: int, dest: int, profile: str, weight: str):
    graph = network.cost_graph(profile, weight)
    nodes = [dest]
    while nodes[-1] != origin:
        p = pred_row[nodes[-1]]
        if p < 0:
            return None, None
        nodes.append(int(p))
    nodes.reverse()
    node_arr = np.asarray(nodes, dtype=np.int64)
    edges = tree_edges(graph, node_arr[:-1], node_arr[1:]) if len(nodes) > 1 else np.empty(0, dtype=np.int64)
    return nodes, edges


def _check_node(network: "RoadNetwork", node: int) -> int:
    node = int(node)
    if not 0 <= node < network.n_nodes:
        raise GeoplanError(f"node index {node} out of range 0..{network.n_nodes - 1}")
    return node


def shortest_path(
    network: "RoadNetwork", origin_node: int, dest_node: int, profile: str = "compression_truck", weight: str = "seconds"
) -> Path:
    """Shortest path from ``origin_node`` to ``dest_node`` minimising ``weight``.

    Returns a :class:`Path`; an unreachable destination gives an empty node list and
    inf costs rather than an error.
    """
    origin, dest = _check_node(network, origin_node), _check_node(network, dest_node)
    graph = network.cost_graph(profile, weight)
    _, pred = dijkstra(graph.matrix, directed=True, indices=origin, return_predecessors=True)
    nodes, edges = _edges_on_path(network, pred, origin, dest, profile, weight)
    if nodes is None:
        return Path([], LineString(), float("inf"), float("inf"))
    return Path(
        nodes=nodes,
        geometry=_join(list(network.edge_geometry[edges])),
        metres=float(network.edge_length_m[edges].sum()),
        seconds=float(network.edge_seconds(profile)[edges].sum()),
    )


def route_geometry(
    network: "RoadNetwork", node_sequence: Sequence[int], profile: str = "compression_truck", weight: str = "seconds"
) -> Path:
    """Path of a route visiting ``node_sequence`` in order, legs joined end to end.

    Raises :class:`GeoplanError` if the profile cannot drive one of the legs.
    """
    seq = [_check_node(network, n) for n in node_sequence]
    graph = network.cost_graph(profile, weight)
    origins = np.unique(seq[:-1]) if len(seq) > 1 else np.empty(0, dtype=np.int64)
    pred = None
    if len(origins):
        _, pred = dijkstra(graph.matrix, directed=True, indices=origins, return_predecessors=True)
    row = {int(o): i for i, o in enumerate(origins)}
    nodes: list[int] = seq[:1]
    all_edges = []
    for a, b in zip(seq[:-1], seq[1:]):
        leg_nodes, edges = _edges_on_path(network, pred[row[a]], a, b, profile, weight)
        if leg_nodes is None:
            raise GeoplanError(
                f"profile {profile} cannot drive from node {a} to node {b} (barred roads or restricted zone): "
                "change the stop order, the vehicle or the restrictions"
            )
        nodes.extend(leg_nodes[1:])
        all_edges.append(edges)
    edges = np.concatenate(all_edges) if all_edges else np.empty(0, dtype=np.int64)
    return Path(
        nodes=nodes,
        geometry=_join(list(network.edge_geometry[edges])),
        metres=float(network.edge_length_m[edges].sum()),
        seconds=float(network.edge_seconds(profile)[edges].sum()),
    )
