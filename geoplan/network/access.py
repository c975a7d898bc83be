"""Door-to-door travel cost: the road between two points plus the straight stretch at both ends.

This is the one rule every indicator, siting problem and the app use to say how far a
demand point is from a facility: the straight-line stretch from each point to the road
node it was snapped to, plus the road cost between the two nodes. In metres the
stretches count as they are; in seconds they are driven at the profile's local-street
speed (:meth:`VehicleProfile.stretch_cost`).

Road costs run from the side with fewer distinct nodes: one Dijkstra per origin node on
the graph, or one per destination node on the reversed graph. Full columns of the
reversed graph ("cost from every node to this node") are kept in a cache bounded in bytes,
so the app's click or a second indicator on the same facilities costs no new search.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

# Dijkstra output is (sources × nodes); cap its size per call (elements).
_CHUNK_ELEMENTS = 2_000_000
#: Memory the cached cost columns may hold, bytes (one column holds 8 bytes per node).
COLUMN_CACHE_BYTES = 256 * 2**20


class CostColumns:
    """Cost of driving from every node to one node, per (profile, weight), cached.

    Parameters
    ----------
    max_bytes : int
        Memory the cached columns may hold; the least recently used go first.
    """

    def __init__(self, max_bytes: int = COLUMN_CACHE_BYTES):
        self.max_bytes = int(max_bytes)
        self._reverse: dict[tuple[str, str], sp.csr_matrix] = {}
        self._columns: OrderedDict[tuple[str, str, int], np.ndarray] = OrderedDict()
        self._bytes = 0

    def reverse_graph(self, graph: sp.csr_matrix, profile: str, weight: str) -> sp.csr_matrix:
        """The transposed graph: a Dijkstra from a node on it walks the roads backwards."""
        key = (profile, weight)
        if key not in self._reverse:
            self._reverse[key] = graph.T.tocsr()
        return self._reverse[key]

    def column(self, graph: sp.csr_matrix, node: int, profile: str, weight: str) -> np.ndarray:
        """Read-only costs (n_nodes,) from every node to ``node``; ``inf`` where it cannot be reached."""
        key = (profile, weight, int(node))
        hit = self._columns.get(key)
        if hit is not None:
            self._columns.move_to_end(key)
            return hit
        column = dijkstra(self.reverse_graph(graph, profile, weight), directed=True, indices=int(node))
        column.setflags(write=False)
        self._columns[key] = column
        self._bytes += column.nbytes
        while self._bytes > self.max_bytes and len(self._columns) > 1:
            _, old = self._columns.popitem(last=False)
            self._bytes -= old.nbytes
        return column


def _searches(graph: sp.csr_matrix, sources: np.ndarray, targets: np.ndarray, limit: float) -> np.ndarray:
    """Costs (len(sources), len(targets)) by one Dijkstra per source, in chunks that bound memory."""
    n = graph.shape[0]
    out = np.empty((len(sources), len(targets)))
    chunk = max(1, _CHUNK_ELEMENTS // max(n, 1))
    for lo in range(0, len(sources), chunk):
        block = dijkstra(graph, directed=True, indices=sources[lo : lo + chunk], limit=limit)
        out[lo : lo + chunk] = block[:, targets]
    return out


def road_costs(network, origin_nodes: np.ndarray, destination_nodes: np.ndarray, profile: str, weight: str,
               limit: float = np.inf) -> np.ndarray:
    """Road cost (n_origins, n_destinations) between nodes in ``weight``; ``inf`` beyond ``limit`` or unreachable.

    Searches run from the side with fewer distinct nodes; full searches towards
    destinations use the network's cached cost columns.
    """
    origins, o_row = np.unique(np.asarray(origin_nodes, dtype=np.int64), return_inverse=True)
    dests, d_col = np.unique(np.asarray(destination_nodes, dtype=np.int64), return_inverse=True)
    if len(origins) == 0 or len(dests) == 0:
        return np.full((len(origin_nodes), len(destination_nodes)), np.inf)
    graph = network.cost_graph(profile, weight).matrix
    if len(dests) < len(origins):
        if np.isinf(limit):
            block = np.stack([network.cost_columns.column(graph, d, profile, weight)[origins] for d in dests]).T
        else:
            reverse = network.cost_columns.reverse_graph(graph, profile, weight)
            block = _searches(reverse, dests, origins, limit).T
    else:
        block = _searches(graph, origins, dests, limit)
    return block[o_row][:, d_col]


def door_to_door(road: np.ndarray, origin_stretch: np.ndarray, destination_stretch: np.ndarray) -> np.ndarray:
    """Road cost plus the stretch cost at both ends (all in one unit), shape of ``road``."""
    return road + np.asarray(origin_stretch, dtype=float)[:, None] + np.asarray(destination_stretch, dtype=float)[None, :]


def within(costs: np.ndarray, cutoff: float) -> sp.csr_array:
    """CSR of the pairs with cost ≤ ``cutoff``; a zero cost is kept as an explicit entry."""
    rows, cols = np.nonzero(costs <= cutoff)
    return sp.csr_array((costs[rows, cols], (rows, cols)), shape=costs.shape)
