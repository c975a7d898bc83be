"""Keep one network every vehicle can drive around in, without losing an extract's edges.

A network is kept where every node can reach every other by some road (one strongly
connected component). An OSM extract cut at its bounding box leaves one-way stubs at its
edge: a one-way street whose continuation lies outside the box can be entered but never
left. Dropping them as "not strongly connected" loses half the roads of a city-centre
extract. So one-way stubs that run out to a dead end of the extract are made two-way first
(outside the box the street goes on, and a vehicle comes back by another road); only what
is still cut off afterwards is dropped, and reported with its length and reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from .edge_table import EdgeTable

ISLAND = "island"
ONE_WAY = "one-way"
#: Why a road was dropped, for reports.
REASONS = {ISLAND: "不与主路网相连 / not connected to the main network",
           ONE_WAY: "单行无回程 / one-way with no way back to the main network"}


@dataclass(frozen=True)
class DroppedParts:
    """What the build changed and removed to keep one strongly connected network.

    Attributes
    ----------
    nodes, edges : int
        Nodes and directed edges dropped.
    length_m : float
        Total length of the dropped directed edges, metres.
    components_before : int
        Strongly connected components before any change (1 remains).
    stub_edges : int
        One-way edges at the extract's edge made two-way (each got its opposite edge).
    stub_length_m : float
        Their length, metres.
    length_by_reason_m : dict of str to float
        Dropped length by reason (:data:`REASONS` keys), metres.
    geometry : ndarray of shapely LineString
        The dropped edges, in the network's CRS (to tell a point its nearest road went).
    reason : ndarray of str
        Reason of each dropped edge.
    name : ndarray of str
        Street name of each dropped edge.
    """

    nodes: int
    edges: int
    length_m: float
    components_before: int
    stub_edges: int = 0
    stub_length_m: float = 0.0
    length_by_reason_m: dict | None = None
    geometry: np.ndarray | None = field(default=None, compare=False, repr=False)
    reason: np.ndarray | None = field(default=None, compare=False, repr=False)
    name: np.ndarray | None = field(default=None, compare=False, repr=False)


def _strong(n: int, u: np.ndarray, v: np.ndarray) -> tuple[int, np.ndarray]:
    adjacency = csr_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    return connected_components(adjacency, directed=True, connection="strong")


def _largest(label: np.ndarray, u: np.ndarray, v: np.ndarray, length_m: np.ndarray) -> np.ndarray:
    """Nodes of the component holding the most road length (then the most nodes)."""
    inside = label[u] == label[v]
    km = np.bincount(label[u][inside], weights=length_m[inside], minlength=label.max() + 1)
    nodes = np.bincount(label, minlength=label.max() + 1)
    return label == np.lexsort((nodes, km))[-1]


def reverse_edges(u: np.ndarray, v: np.ndarray, length_m: np.ndarray) -> np.ndarray:
    """For each edge, an edge running the other way between the same nodes with the same length
    (to the centimetre), or -1: whether a road is two-way."""
    cm = np.round(np.asarray(length_m) * 100).astype(np.int64)
    here = pd.DataFrame({"a": u, "b": v, "cm": cm, "edge": np.arange(len(u))})
    there = pd.DataFrame({"a": v, "b": u, "cm": cm, "other": np.arange(len(u))})
    pairs = here.merge(there, on=["a", "b", "cm"]).drop_duplicates("edge")
    out = np.full(len(u), -1, dtype=np.int64)
    out[pairs["edge"].to_numpy()] = pairs["other"].to_numpy()
    return out


def open_boundary_stubs(table: EdgeTable) -> tuple[EdgeTable, np.ndarray]:
    """Make two-way the one-way stubs that leave the main network and run out to a dead end.

    Returns the table with the opposite edges added, and a mask of the original edges
    that were made two-way.
    """
    n = len(table.node_xy)
    _, strong = _strong(n, table.u, table.v)
    main = _largest(strong, table.u, table.v, table.length_m)
    adjacency = coo_matrix((np.ones(len(table.u)), (table.u, table.v)), shape=(n, n)).tocsr()
    _, weak = connected_components(adjacency, directed=True, connection="weak")
    attached = weak == weak[np.flatnonzero(main)[0]]
    inside = main[table.u] & main[table.v]
    one_way = reverse_edges(table.u, table.v, table.length_m) < 0
    stub = ~inside & one_way & attached[table.u] & attached[table.v]
    if not stub.any():
        return table, stub
    # a dead end: a node joined to one other node only, as a way cut by the extract ends
    pairs = np.unique(np.sort(np.column_stack([table.u, table.v]), axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    degree = np.bincount(pairs.ravel(), minlength=n)
    dead_end = degree == 1
    # group the stub edges into chains; a chain that reaches a dead end is an extract's stub
    idx = np.flatnonzero(stub)
    chains = coo_matrix((np.ones(len(idx)), (table.u[idx], table.v[idx])), shape=(n, n)).tocsr()
    _, chain = connected_components(chains, directed=False)
    touching = np.unique(chain[dead_end & np.isin(np.arange(n), np.r_[table.u[idx], table.v[idx]])])
    opened = np.zeros(len(table.u), bool)
    opened[idx[np.isin(chain[table.u[idx]], touching)]] = True
    return table.with_reverse(opened), opened


def prune(table: EdgeTable) -> tuple[EdgeTable, DroppedParts]:
    """Open the extract's one-way stubs, then keep the largest strongly connected component.

    Returns
    -------
    EdgeTable
        The kept network (nodes renumbered).
    DroppedParts
        What was opened and dropped, with the dropped roads' geometry and reasons.
    """
    n = len(table.node_xy)
    count_before, _ = _strong(n, table.u, table.v)
    opened_table, opened = open_boundary_stubs(table)
    _, strong = _strong(n, opened_table.u, opened_table.v)
    keep = _largest(strong, opened_table.u, opened_table.v, opened_table.length_m)
    adjacency = coo_matrix((np.ones(len(opened_table.u)), (opened_table.u, opened_table.v)), shape=(n, n)).tocsr()
    _, weak = connected_components(adjacency, directed=True, connection="weak")
    main_weak = weak[np.flatnonzero(keep)[0]]
    edge_keep = keep[opened_table.u] & keep[opened_table.v]
    gone = np.flatnonzero(~edge_keep)
    reason = np.where(weak[opened_table.u[gone]] == main_weak, ONE_WAY, ISLAND)
    lengths = opened_table.length_m[gone]
    dropped = DroppedParts(
        nodes=int((~keep).sum()),
        edges=int(len(gone)),
        length_m=float(lengths.sum()),
        components_before=int(count_before),
        stub_edges=int(opened.sum()),
        stub_length_m=float(table.length_m[opened].sum()),
        length_by_reason_m={r: float(lengths[reason == r].sum()) for r in REASONS},
        geometry=opened_table.geometry[gone],
        reason=reason,
        name=opened_table.name[gone],
    )
    return opened_table.subset(keep), dropped
