"""Greedy construction and swap local search for the maximal covering problem (MCLP).

Works on the coverage groups of :func:`optimizers.siting.coverage.coverage_groups`
as a sparse group × site incidence matrix ``A``. A swap (open ``in``, close ``out``)
changes the covered weight by::

    gain[in] − loss[out] + both[in, out]

where ``gain`` is the uncovered weight ``in`` would cover, ``loss`` the weight only
``out`` covers, and ``both`` the weight only ``out`` covers that ``in`` covers too —
one sparse product for all pairs at once.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from optimizers.siting.swap_moves import kick_and_descend, make_best_moves


def incidence(sets: list[np.ndarray], n_site: int) -> sp.csr_array:
    """Group × site 0/1 matrix from the coverage sets."""
    counts = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    indptr = np.r_[0, np.cumsum(counts)]
    idx = np.concatenate(sets) if sets else np.zeros(0, dtype=np.int64)
    return sp.csr_array((np.ones(idx.size), idx, indptr), shape=(len(sets), n_site))


def covered_weight(A: sp.csr_array, weight: np.ndarray, open_mask: np.ndarray) -> float:
    """Weight of the groups that an open site covers."""
    return float(weight @ ((A @ open_mask.astype(float)) > 0))


def _uncovered_value(A: sp.csr_array, weight: np.ndarray):
    """Minus the covered weight, as a function of the chosen sites."""
    m = A.shape[1]

    def value(chosen: np.ndarray) -> float:
        mask = np.zeros(m, dtype=bool)
        mask[chosen] = True
        return -covered_weight(A, weight, mask)

    return value


def greedy_cover(A: sp.csr_array, weight: np.ndarray, free: np.ndarray, k: int) -> np.ndarray:
    """Open ``k`` of the ``free`` sites one at a time, each time the one covering most new weight."""
    At = A.T.tocsr()
    allowed = np.zeros(A.shape[1], dtype=bool)
    allowed[free] = True
    count = np.zeros(A.shape[0])
    chosen = []
    for _ in range(min(k, free.size)):
        gain = At @ (weight * (count == 0))
        gain[~allowed] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        allowed[j] = False
        count += A[:, [j]].toarray().ravel()
    return np.array(chosen, dtype=np.int64)


def swap_cover(
    A: sp.csr_array, weight: np.ndarray, free: np.ndarray, chosen: np.ndarray, deadline: float
) -> np.ndarray:
    """Improving swaps of chosen sites against free ones, to a local optimum or ``deadline``."""
    m = A.shape[1]
    At = A.T.tocsr()
    chosen = chosen.copy()
    value = _uncovered_value(A, weight)
    is_free = np.zeros(m, dtype=bool)
    is_free[free] = True
    while time.perf_counter() < deadline and chosen.size:
        open_mask = np.zeros(m, dtype=bool)
        open_mask[chosen] = True
        sub = A[:, chosen].tocsr()
        count = np.diff(sub.indptr)
        total = float(weight @ (count > 0))
        gain = At @ (weight * (count == 0))
        solo = np.flatnonzero(count == 1)
        # the one chosen site (position in `chosen`) of every group it alone covers
        owner = sub.indices[sub.indptr[solo]]
        S = sp.csr_array((weight[solo], (solo, owner)), shape=(A.shape[0], chosen.size))
        loss = np.asarray(S.sum(axis=0)).ravel()
        both = (At @ S).toarray()
        cand_in = np.flatnonzero(is_free & ~open_mask)
        if cand_in.size == 0:
            break
        # swaps are priced as the fall of the uncovered weight (the shared move-maker minimises)
        delta = -(gain[cand_in][:, None] - loss[None, :] + both[cand_in])
        moved, _ = make_best_moves(chosen, cand_in, delta, value, -total, deadline)
        if not moved:
            break
    return np.sort(chosen)


def iterated_swap_cover(
    A: sp.csr_array,
    weight: np.ndarray,
    free: np.ndarray,
    chosen: np.ndarray,
    deadline: float,
    *,
    target: float = np.inf,
    seed: int = 0,
    kick: int = 3,
    max_stall: int = 500,
) -> np.ndarray:
    """Iterated local search: replace ``kick`` random chosen sites, swap to a local optimum, keep if not worse.

    Stops at ``target`` covered weight (e.g. a proven upper bound: the plan is then
    optimal), after ``max_stall`` kicks without improvement, or at ``deadline``.
    """
    return kick_and_descend(
        lambda c: swap_cover(A, weight, free, c, deadline), _uncovered_value(A, weight), free, chosen, deadline,
        seed=seed, kick=kick, max_stall=max_stall, target=-target,
    )
