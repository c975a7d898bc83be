"""Greedy construction and swap local search for the p-median (vertex substitution).

Every swap move (open one site, close another) is evaluated at once with the
gain / loss / correction decomposition of Whitaker's fast interchange, in NumPy:
``delta(in, out) = −gain[in] + loss[out] − extra[in, out]``, where ``extra`` only
has entries for the demand points whose nearest open site is ``out`` and which the
site ``in`` serves better than their second-nearest. One pass costs a few dense
operations on the cost matrix.
"""

from __future__ import annotations

import time

import numpy as np

from optimizers.siting.swap_moves import kick_and_descend, make_best_moves


def _two_nearest(D: np.ndarray, open_cols: np.ndarray, big: float):
    sub = D[:, open_cols]
    n = D.shape[0]
    if open_cols.size == 1:
        return sub[:, 0].copy(), np.full(n, open_cols[0]), np.full(n, big)
    part = np.argpartition(sub, 1, axis=1)[:, :2]
    a = sub[np.arange(n), part[:, 0]]
    b = sub[np.arange(n), part[:, 1]]
    first = np.where(a <= b, part[:, 0], part[:, 1])
    d1 = np.minimum(a, b)
    d2 = np.maximum(a, b)
    return d1, open_cols[first], d2


def greedy(D: np.ndarray, w: np.ndarray, fixed: np.ndarray, free: np.ndarray, k: int, big: float) -> np.ndarray:
    """Add ``k`` of the ``free`` columns one at a time, each time the one that saves most.

    Parameters
    ----------
    D : ndarray, shape (n, m)
        Costs, finite (unreachable pairs replaced by ``big``).
    w : ndarray, shape (n,)
        Demand weights.
    fixed : ndarray of int
        Columns open in every solution.
    free : ndarray of int
        Columns that may be chosen.
    k : int
        Number of free columns to choose.
    big : float
        Cost of an unserved demand point.

    Returns
    -------
    ndarray of int
        The chosen free columns.
    """
    cur = D[:, fixed].min(axis=1) if fixed.size else np.full(D.shape[0], big)
    allowed = np.zeros(D.shape[1], dtype=bool)
    allowed[free] = True
    chosen = []
    for _ in range(k):
        saving = w @ np.maximum(cur[:, None] - D, 0.0)
        saving[~allowed] = -1.0
        j = int(np.argmax(saving))
        chosen.append(j)
        allowed[j] = False
        cur = np.minimum(cur, D[:, j])
    return np.array(chosen, dtype=np.int64)


def _median_value(D: np.ndarray, w: np.ndarray, fixed: np.ndarray):
    """Σ weight × cost to the nearest open column, as a function of the chosen columns."""
    return lambda chosen: float(w @ D[:, np.concatenate([fixed, chosen])].min(axis=1))


def swap_search(
    D: np.ndarray,
    w: np.ndarray,
    fixed: np.ndarray,
    free: np.ndarray,
    chosen: np.ndarray,
    big: float,
    deadline: float,
) -> np.ndarray:
    """Improving swaps (one chosen column out, one free column in) to a local optimum.

    Every pass evaluates all swaps at once, makes the best one and then tries the best
    swap of every other closing column in turn, keeping those that still lower the
    true cost. Stops at a local optimum or at ``deadline`` (``time.perf_counter()`` value).
    """
    n, m = D.shape
    chosen = chosen.copy()
    value = _median_value(D, w, fixed)
    is_free = np.zeros(m, dtype=bool)
    is_free[free] = True
    while time.perf_counter() < deadline and chosen.size:
        open_cols = np.concatenate([fixed, chosen])
        d1, phi1, d2 = _two_nearest(D, open_cols, big)
        total = float(w @ d1)
        gain = w @ np.maximum(d1[:, None] - D, 0.0)
        loss = np.bincount(phi1, weights=w * (d2 - d1), minlength=m)
        ii, jj = np.nonzero(D < d2[:, None])
        val = w[ii] * (d2[ii] - np.maximum(D[ii, jj], d1[ii]))
        extra = np.bincount(jj * m + phi1[ii], weights=val, minlength=m * m).reshape(m, m)
        closed = is_free.copy()
        closed[chosen] = False
        cand_in = np.flatnonzero(closed)
        if cand_in.size == 0:
            break
        delta = -gain[cand_in][:, None] + loss[chosen][None, :] - extra[np.ix_(cand_in, chosen)]
        moved, total = make_best_moves(chosen, cand_in, delta, value, total, deadline)
        if not moved:
            break
    return np.sort(chosen)


def iterated_swap_search(
    D: np.ndarray,
    w: np.ndarray,
    fixed: np.ndarray,
    free: np.ndarray,
    chosen: np.ndarray,
    big: float,
    deadline: float,
    *,
    seed: int = 0,
    kick: int = 2,
    max_stall: int = 30,
) -> np.ndarray:
    """Iterated local search: replace ``kick`` random chosen columns, swap to a local optimum, keep if not worse.

    Stops after ``max_stall`` kicks without improvement or at ``deadline``.
    """
    return kick_and_descend(
        lambda c: swap_search(D, w, fixed, free, c, big, deadline), _median_value(D, w, fixed), free, chosen,
        deadline, seed=seed, kick=kick, max_stall=max_stall,
    )
