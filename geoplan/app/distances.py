"""Road cost from every network node to one station node, cached per station.

A click adds one station; its coverage needs the cost from every demand point to it.
One reverse Dijkstra from the station's node gives that cost from *all* nodes at once
(a few milliseconds on a county network), so a placement never recomputes a matrix.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import dijkstra


class NodeDistances:
    """Costs ``node → station node`` for a :class:`~geoplan.network.RoadNetwork`, cached.

    Parameters
    ----------
    network : RoadNetwork
    max_cached : int
        Columns kept per (profile, weight) before the oldest are dropped (each holds one
        float per network node).
    """

    def __init__(self, network, max_cached: int = 2000):
        self.network = network
        self.max_cached = int(max_cached)
        self._reverse: dict[tuple[str, str], object] = {}
        self._columns: dict[tuple[str, str], dict[int, np.ndarray]] = {}

    def _reverse_graph(self, profile: str, weight: str):
        key = (profile, weight)
        if key not in self._reverse:
            # transposed edges: a Dijkstra from the station walks the roads backwards,
            # giving the cost of driving *to* the station from every node
            self._reverse[key] = self.network.cost_graph(profile, weight).matrix.T.tocsr()
        return self._reverse[key]

    def to_node(self, node: int, profile: str, weight: str = "metres") -> np.ndarray:
        """Cost of driving from every node to ``node`` with ``profile``.

        Parameters
        ----------
        node : int
            Network node of the station.
        profile : str
            Vehicle profile.
        weight : {"metres", "seconds"}
            What the path minimises and the cost returned.

        Returns
        -------
        ndarray of float64, shape (n_nodes,)
            Metres or seconds; ``inf`` where the profile cannot reach the station.
        """
        cache = self._columns.setdefault((profile, weight), {})
        column = cache.get(int(node))
        if column is None:
            column = dijkstra(self._reverse_graph(profile, weight), directed=True, indices=int(node))
            column.setflags(write=False)
            if len(cache) >= self.max_cached:
                cache.pop(next(iter(cache)))
            cache[int(node)] = column
        return column

    def to_nodes(self, nodes, profile: str, weight: str = "metres") -> np.ndarray:
        """Stacked :meth:`to_node` columns, shape (len(nodes), n_nodes)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        if len(nodes) == 0:
            return np.empty((0, self.network.n_nodes))
        return np.stack([self.to_node(int(n), profile, weight) for n in nodes])


def access_cost(network, profile: str, metres: np.ndarray, unit: str) -> np.ndarray:
    """Cost of the straight stretch between a point and its road node, in a standard's unit.

    Parameters
    ----------
    network : RoadNetwork
    profile : str
        Vehicle profile.
    metres : ndarray
        Straight-line snap distances, metres.
    unit : {"m", "s"}
        ``"m"`` returns the metres; ``"s"`` the seconds at the profile's local-street speed
        (as :func:`geoplan.indicators.coverage_indicator` counts them).
    """
    if unit == "m":
        return metres
    return metres / (network.profiles[profile].speed_kmh["local"] / 3.6)


def cost_matrix(distances: NodeDistances, demand_nodes: np.ndarray, demand_snap_m: np.ndarray,
                site_nodes: np.ndarray, site_snap_m: np.ndarray, profile: str, unit: str) -> np.ndarray:
    """Cost from every demand point to every site: road cost plus the snap stretch at both ends.

    Parameters
    ----------
    distances : NodeDistances
    demand_nodes, site_nodes : ndarray of int
        Road nodes the points were snapped to.
    demand_snap_m, site_snap_m : ndarray of float
        How far each point is from its node, metres.
    profile : str
        Vehicle profile.
    unit : {"m", "s"}
        Road metres or driving seconds.

    Returns
    -------
    ndarray of float64, shape (n_demand, n_site)
        ``inf`` where the site cannot be reached.
    """
    weight = "metres" if unit == "m" else "seconds"
    road = distances.to_nodes(site_nodes, profile, weight)[:, np.asarray(demand_nodes, dtype=np.int64)].T
    ends = np.asarray(demand_snap_m, dtype=float)[:, None] + np.asarray(site_snap_m, dtype=float)[None, :]
    return road + access_cost(distances.network, profile, ends, unit)
