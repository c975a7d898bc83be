"""Door-to-door travel cost: the road between two points plus the straight stretch at both ends.

This is the one rule every indicator, siting problem and the app use to say how far a
demand point is from a facility: the straight-line stretch from each point to the nearest
road its vehicle may use, along that road to a junction, the road network between, and
the same at the other end (or straight along the road when both points lie on it). In
metres the stretches count as they are; in seconds they are driven at the profile's
local-street speed (:meth:`VehicleProfile.stretch_cost`).

Road costs run from the side with fewer distinct nodes: one Dijkstra per origin node on
the graph, or one per destination node on the reversed graph. Full columns of the
reversed graph ("cost from every node to this node") are kept in a cache bounded in bytes,
so the app's click or a second indicator on the same facilities costs no new search.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd
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


def road_costs(network, origins: np.ndarray, dests: np.ndarray, profile: str, weight: str,
               limit: float = np.inf) -> np.ndarray:
    """Road cost (len(origins), len(dests)) between distinct nodes in ``weight``; ``inf`` beyond
    ``limit`` or unreachable.

    Searches run from the side with fewer nodes; full searches towards destinations use the
    network's cached cost columns.
    """
    if len(origins) == 0 or len(dests) == 0:
        return np.full((len(origins), len(dests)), np.inf)
    graph = network.cost_graph(profile, weight).matrix
    if len(dests) < len(origins):
        if np.isinf(limit):
            return np.stack([network.cost_columns.column(graph, d, profile, weight)[origins] for d in dests]).T
        reverse = network.cost_columns.reverse_graph(graph, profile, weight)
        return _searches(reverse, dests, origins, limit).T
    return _searches(graph, origins, dests, limit)


def _ways_on(network, snap, profile: str, weight: str, leaving: bool) -> tuple[np.ndarray, np.ndarray]:
    """The two ways between each snapped point and the road graph: (nodes (n, 2), costs (n, 2)).

    A point on edge e (u → v) at position t leaves by driving on to v, (1 − t) of e, or back
    to u along e's opposite edge, t of it; it is reached from u, t of e, or from v along the
    opposite edge. A way the road does not allow (one-way, barred) costs inf. A point
    snapped to a node (no edge) has that node as its only way, at no cost.
    """
    n = len(snap.node)
    if snap.edge is None:
        nodes = np.column_stack([snap.node, snap.node])
        return nodes, np.column_stack([np.zeros(n), np.full(n, np.inf)])
    e, t = snap.edge, snap.along
    cost = network.edge_weight(profile, weight)
    usable = network.usable_edges(profile)
    rev = network.edge_reverse[e]
    back_ok = (rev >= 0) & usable[np.maximum(rev, 0)]
    w_e, w_r = cost[e], cost[np.maximum(rev, 0)]
    u, v = network.edge_u[e], network.edge_v[e]
    ahead, behind = (1.0 - t, t) if leaving else (t, 1.0 - t)
    back = np.where(back_ok, behind * w_r, np.inf)
    nodes = np.column_stack([v, u]) if leaving else np.column_stack([u, v])
    return nodes, np.column_stack([ahead * w_e, back])


def _same_road(network, o, d, profile: str, weight: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of points on the same road, and the cost of driving straight along it between them."""
    if o.edge is None or d.edge is None:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)

    def canonical(snap):
        rev = network.edge_reverse[snap.edge]
        flip = (rev >= 0) & (rev < snap.edge)
        return np.where(flip, rev, snap.edge), np.where(flip, 1.0 - snap.along, snap.along)

    oc, ot = canonical(o)
    dc, dt = canonical(d)
    pairs = pd.DataFrame({"c": oc, "i": np.arange(len(oc))}).merge(pd.DataFrame({"c": dc, "j": np.arange(len(dc))}),
                                                                  on="c")
    if pairs.empty:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    i, j, c = pairs["i"].to_numpy(), pairs["j"].to_numpy(), pairs["c"].to_numpy()
    cost = network.edge_weight(profile, weight)
    usable = network.usable_edges(profile)
    rev = network.edge_reverse[c]
    forward = np.where(usable[c] & (dt[j] >= ot[i]), (dt[j] - ot[i]) * cost[c], np.inf)
    back_ok = (rev >= 0) & usable[np.maximum(rev, 0)] & (ot[i] >= dt[j])
    backward = np.where(back_ok, (ot[i] - dt[j]) * cost[np.maximum(rev, 0)], np.inf)
    return i, j, np.minimum(forward, backward)


def door_to_door_costs(network, o, d, profile: str, weight: str, limit: float = np.inf) -> np.ndarray:
    """Door-to-door cost (n_o, n_d): the stretch to the road at both ends, along the snapped
    edges to their ends, and the road between (or straight along a shared road)."""
    prof = network.profile(profile)
    o_nodes, o_cost = _ways_on(network, o, profile, weight, leaving=True)
    d_nodes, d_cost = _ways_on(network, d, profile, weight, leaving=False)
    o_unique, o_idx = np.unique(o_nodes.ravel(), return_inverse=True)
    d_unique, d_idx = np.unique(d_nodes.ravel(), return_inverse=True)
    o_idx, d_idx = o_idx.reshape(-1, 2), d_idx.reshape(-1, 2)
    block = road_costs(network, o_unique, d_unique, profile, weight, limit)
    total = np.full((len(o.node), len(d.node)), np.inf)
    for a in (0, 1):
        rows = block[o_idx[:, a]]
        for b in (0, 1):
            np.minimum(total, o_cost[:, a, None] + rows[:, d_idx[:, b]] + d_cost[None, :, b], out=total)
    i, j, direct = _same_road(network, o, d, profile, weight)
    if len(i):
        total[i, j] = np.minimum(total[i, j], direct)
    return door_to_door(total, prof.stretch_cost(o.stretch_m, weight), prof.stretch_cost(d.stretch_m, weight))


def door_to_door(road: np.ndarray, origin_stretch: np.ndarray, destination_stretch: np.ndarray) -> np.ndarray:
    """Road cost plus the stretch cost at both ends (all in one unit), shape of ``road``."""
    return road + np.asarray(origin_stretch, dtype=float)[:, None] + np.asarray(destination_stretch, dtype=float)[None, :]


def within(costs: np.ndarray, cutoff: float) -> sp.csr_array:
    """CSR of the pairs with cost ≤ ``cutoff``; a zero cost is kept as an explicit entry."""
    rows, cols = np.nonzero(costs <= cutoff)
    return sp.csr_array((costs[rows, cols], (rows, cols)), shape=costs.shape)
