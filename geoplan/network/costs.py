"""Travel-cost matrices: one Dijkstra per distinct source on a CSR graph.

For each (profile, weight) the network keeps a :class:`CostGraph`: a CSR matrix of the
edges the profile may use, weighted in metres or seconds, with the cheapest of any
parallel edges. :func:`travel_costs` runs ``scipy.sparse.csgraph.dijkstra`` on the
*primary* weight from the distinct source nodes (in chunks to bound memory), then adds
up the *secondary* weight along the same shortest-path tree, so ``metres`` and
``seconds`` always describe one and the same path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

Weight = Literal["metres", "seconds"]
WEIGHTS: tuple[str, ...] = ("metres", "seconds")

# Dijkstra output is (sources × nodes); cap its size per chunk (elements).
_CHUNK_ELEMENTS = 2_000_000
# Above this share of reached nodes, sum along the trees on full arrays; below it
# (typically with a cutoff), on the reached nodes only.
_DENSE_SHARE = 0.25


@dataclass(frozen=True)
class CostGraph:
    """The directed graph one profile drives on, weighted by one quantity.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix, shape (n, n)
        Primary edge weights (metres or seconds). Explicit zeros are edges.
    edge_id : ndarray of int64, shape (nnz,)
        The network edge behind each stored entry of ``matrix``.
    in_tail : ndarray of int32, shape (n, max in-degree)
    in_edge : ndarray of int64, shape (n, max in-degree)
        For each head node, the tail node and network edge of its usable in-edges
        (padded with -1); used to find the tree edge into a node from its predecessor.
    """

    matrix: sp.csr_matrix
    edge_id: np.ndarray
    in_tail: np.ndarray
    in_edge: np.ndarray


def build_cost_graph(n_nodes: int, u: np.ndarray, v: np.ndarray, weight: np.ndarray, usable: np.ndarray) -> CostGraph:
    """CSR graph of the usable edges, keeping the lowest-weight edge of parallel ones.

    Parameters
    ----------
    n_nodes : int
    u, v : ndarray of int64
        Edge tails and heads.
    weight : ndarray of float64
        Primary weight per edge (finite, >= 0).
    usable : ndarray of bool
        Edges the profile may drive on.
    """
    ids = np.flatnonzero(usable & (u != v))
    order = np.lexsort((weight[ids], v[ids], u[ids]))
    ids = ids[order]
    first = np.ones(len(ids), bool)
    first[1:] = (u[ids][1:] != u[ids][:-1]) | (v[ids][1:] != v[ids][:-1])
    ids = ids[first]
    tails, heads = u[ids], v[ids]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n_nodes), out=indptr[1:])
    matrix = sp.csr_matrix((weight[ids].astype(np.float64), heads, indptr), shape=(n_nodes, n_nodes))

    by_head = np.argsort(heads, kind="stable")
    in_degree = np.bincount(heads, minlength=n_nodes)
    width = max(int(in_degree.max(initial=0)), 1)
    start = np.zeros(n_nodes, dtype=np.int64)
    np.cumsum(in_degree[:-1], out=start[1:])
    rank = np.arange(len(ids)) - start[heads[by_head]]
    in_tail = np.full((n_nodes, width), -1, dtype=np.int32)
    in_edge = np.full((n_nodes, width), -1, dtype=np.int64)
    in_tail[heads[by_head], rank] = tails[by_head]
    in_edge[heads[by_head], rank] = ids[by_head]
    return CostGraph(matrix=matrix, edge_id=ids, in_tail=in_tail, in_edge=in_edge)


def tree_edges(graph: CostGraph, pred: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Network edge ids from ``pred`` to ``nodes`` (pairwise); -1 where pred < 0."""
    tails = graph.in_tail[nodes]
    col = np.argmax(tails == pred[:, None], axis=1)
    edges = graph.in_edge[nodes, col]
    edges[pred < 0] = -1
    return edges


def _tree_step(graph: CostGraph, in_second: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Secondary weight of the tree edge into every node, for a (sources, n) predecessor array.

    Row r of ``pred`` covers all n nodes in order, so node j's candidate in-edges are
    row j of ``graph.in_tail``; one pass per in-edge slot finds the tree edge without
    any per-element search. Roots and unreached nodes (pred < 0) get 0.
    """
    step = np.zeros(pred.shape)
    for slot in range(graph.in_tail.shape[1]):
        np.copyto(step, in_second[:, slot], where=pred == graph.in_tail[:, slot])
    return step


def _sum_along_tree(ptr: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Sum ``step`` (weight of the tree edge into each node) from the root to each node.

    ``ptr`` holds flat indices of each node's predecessor, or the node itself for
    roots and unreached nodes (whose ``step`` is 0). Pointer doubling: after round k
    every node holds the sum over its 2**k nearest tree edges, so a tree of depth d
    takes about log2(d) vectorised rounds.
    """
    acc = step
    while True:
        acc += acc[ptr]
        nxt = ptr[ptr]
        if np.array_equal(nxt, ptr):
            return acc
        ptr = nxt


def shortest_costs(
    primary: CostGraph,
    secondary_weight: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    limit: float = np.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Primary and secondary cost from each source to each target along the primary-shortest path.

    Parameters
    ----------
    primary : CostGraph
    secondary_weight : ndarray, shape (m,)
        Secondary weight of every network edge.
    sources : ndarray of int64, shape (s,)
        Distinct source nodes.
    targets : ndarray of int64, shape (t,)
    limit : float
        Search radius in primary units; beyond it costs are inf.

    Returns
    -------
    primary_cost, secondary_cost : ndarray of float64, shape (s, t)
        inf where the target is beyond ``limit`` or unreachable.
    """
    n = primary.matrix.shape[0]
    in_second = np.where(primary.in_edge >= 0, secondary_weight[np.maximum(primary.in_edge, 0)], 0.0)
    out1 = np.empty((len(sources), len(targets)))
    out2 = np.empty((len(sources), len(targets)))
    chunk = max(1, _CHUNK_ELEMENTS // max(n, 1))
    for lo in range(0, len(sources), chunk):
        block = sources[lo : lo + chunk]
        dist, pred = dijkstra(primary.matrix, directed=True, indices=block, return_predecessors=True, limit=limit)
        k = len(block)
        index_type = np.int32 if k * n < 2**31 else np.int64
        reached = np.flatnonzero(pred.ravel() >= 0)
        if len(reached) > _DENSE_SHARE * k * n:
            # Most nodes reached: work on the full (k, n) arrays.
            base = (np.arange(k, dtype=index_type) * n)[:, None]
            ptr = np.where(pred >= 0, pred.astype(index_type) + base, np.arange(n, dtype=index_type) + base)
            second = _sum_along_tree(ptr.ravel(), _tree_step(primary, in_second, pred).ravel()).reshape(k, n)
            second[~np.isfinite(dist)] = np.inf
            out2[lo : lo + k] = second[:, targets]
        else:
            # Few nodes reached (a cutoff): work on the reached nodes only.
            row, node = np.divmod(reached, n)
            pred_r = pred.ravel()[reached].astype(np.int64)
            position = np.full(k * n, -1, dtype=np.int64)
            position[reached] = np.arange(len(reached))
            roots = np.flatnonzero(np.isfinite(dist.ravel()) & (pred.ravel() < 0))
            position[roots] = np.arange(len(reached), len(reached) + len(roots))
            ptr = np.concatenate([position[row * n + pred_r], position[roots]])
            step = np.concatenate([in_second[node, np.argmax(primary.in_tail[node] == pred_r[:, None], axis=1)], np.zeros(len(roots))])
            acc = _sum_along_tree(ptr, step)
            second = np.full(k * n, np.inf)
            second[np.concatenate([reached, roots])] = acc
            out2[lo : lo + k] = second.reshape(k, n)[:, targets]
        out1[lo : lo + k] = dist[:, targets]
    return out1, out2


@dataclass(frozen=True)
class TravelCosts:
    """Directed travel costs from origins (rows) to destinations (columns).

    Attributes
    ----------
    metres, seconds : ndarray or scipy.sparse.csr_matrix, shape (n_origins, n_destinations)
        Distance in metres and driving time in seconds along one path per pair: the
        path minimising ``weight``. Dense float64 arrays (``inf`` = unreachable for
        the profile) without a cutoff. With a cutoff, CSR matrices with the same
        sparsity pattern: a pair beyond the cutoff (or unreachable) has **no entry**;
        a pair whose origin and destination snap to the same node has an **explicit
        stored 0** (``.nnz`` counts it; never call ``eliminate_zeros``). Note that
        ``.toarray()`` shows absent pairs as 0 — use :meth:`to_dense`.
    origin_nodes, destination_nodes : ndarray of int64
        Network node of each origin / destination.
    profile : str
    weight : {"metres", "seconds"}
        The quantity the paths minimise (and the cutoff applies to).
    cutoff : float or None
        Cutoff in units of ``weight``; None for dense results.

    Notes
    -----
    Costs run node to node: the distance from a point to its snapped node is not
    included (see :class:`SnapResult` ``distance_m`` to add it).
    """

    metres: np.ndarray | sp.csr_matrix
    seconds: np.ndarray | sp.csr_matrix
    origin_nodes: np.ndarray
    destination_nodes: np.ndarray
    profile: str
    weight: str
    cutoff: float | None = None

    @property
    def is_sparse(self) -> bool:
        """True when a cutoff was given and the matrices are CSR."""
        return sp.issparse(self.metres)

    def to_dense(self) -> tuple[np.ndarray, np.ndarray]:
        """``(metres, seconds)`` as dense arrays with ``inf`` for absent pairs."""
        if not self.is_sparse:
            return self.metres, self.seconds
        dense = []
        for matrix in (self.metres, self.seconds):
            out = np.full(matrix.shape, np.inf)
            coo = matrix.tocoo()
            out[coo.row, coo.col] = coo.data
            dense.append(out)
        return dense[0], dense[1]


def to_sparse(primary: np.ndarray, secondary: np.ndarray, cutoff: float) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """CSR matrices holding the pairs with ``primary <= cutoff`` (zeros kept explicitly)."""
    rows, cols = np.nonzero(primary <= cutoff)
    shape = primary.shape
    return (
        sp.csr_matrix((primary[rows, cols], (rows, cols)), shape=shape),
        sp.csr_matrix((secondary[rows, cols], (rows, cols)), shape=shape),
    )
