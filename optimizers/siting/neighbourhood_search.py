"""Re-optimising a few neighbouring medians at a time (POPMUSIC, Taillard & Voß 2002).

On large p-median instances a swap local search stops at plans no single swap (and no
random kick) improves, yet several neighbouring medians moved together would. This
search takes one median and the ``size`` open sites nearest to it, and solves that
sub-problem exactly: which sites around them should those medians move to. An improved
neighbourhood is accepted and its medians are queued again; the search ends when no
queued median's neighbourhood improves (or at the deadline).

The sub-problem is an ordinary p-median: the candidate sites around the group's
medians; the demand points the group serves and every other point one of those sites
would serve better; plus always-open columns — the group's fixed sites, and each
point's cost to its nearest open site outside the group. Sites outside the group stay
open, so the sub-problem's saving is exactly the plan's.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

import numpy as np

#: ``solve(costs, weight, n_candidate, k, time_limit_s)`` → chosen candidate columns
#: (the first ``n_candidate`` columns of ``costs`` are candidates, the rest always open),
#: or None when it found no plan.
SubSolver = Callable[[np.ndarray, np.ndarray, int, int, float], "np.ndarray | None"]


def _neighbourhood(D: np.ndarray, open_cols: np.ndarray, centre: int, size: int) -> np.ndarray:
    """The ``size`` open columns nearest to ``centre``, measured through the demand points.

    Columns are sites without coordinates here, so the distance between two sites is
    taken as the cheapest path through one demand point: min_i (d_i,centre + d_i,s).
    """
    prox = (D[:, centre][:, None] + D[:, open_cols]).min(axis=0)
    return open_cols[np.argsort(prox, kind="stable")[:size]]


def reoptimise_neighbourhoods(
    D: np.ndarray,
    w: np.ndarray,
    fixed: np.ndarray,
    free: np.ndarray,
    chosen: np.ndarray,
    deadline: float,
    solve: SubSolver,
    *,
    sizes: tuple[int, ...] = (6, 10, 15),
    sub_time_s: float = 1.0,
) -> np.ndarray:
    """POPMUSIC on a p-median plan: re-optimise neighbouring medians, a few at a time.

    Neighbourhoods of the first size are tried until none improves, then the next
    (larger, slower to solve) size, and so on.

    Parameters
    ----------
    D : ndarray, shape (n, m)
        Costs, finite (unreachable pairs replaced by a large cost).
    w : ndarray, shape (n,)
        Demand weights.
    fixed : ndarray of int
        Columns open in every plan (existing and required sites).
    free : ndarray of int
        Columns that may be chosen.
    chosen : ndarray of int
        The plan's chosen free columns.
    deadline : float
        ``time.perf_counter()`` value to stop at.
    solve : callable
        Exact (or best-effort) p-median solver for the sub-problems, see :data:`SubSolver`.
    sizes : tuple of int
        Open sites per neighbourhood, ascending, in the order tried.
    sub_time_s : float
        Time limit of one sub-problem, seconds.

    Returns
    -------
    ndarray of int
        The chosen free columns, sorted; never worse than ``chosen``.
    """
    chosen = np.sort(np.asarray(chosen, dtype=np.int64))
    is_free = np.zeros(D.shape[1], dtype=bool)
    is_free[free] = True
    # a site belongs to the neighbourhood of the median serving its nearest demand point
    site_point = D.argmin(axis=0)
    total = float(w @ D[:, np.concatenate([fixed, chosen])].min(axis=1))
    eps = 1e-9 * max(abs(total), 1.0)
    for size in sizes:
        if chosen.size <= size:
            # every movable median fits in one neighbourhood: that is the whole problem again
            break
        queue = deque(int(c) for c in chosen)
        while queue and time.perf_counter() < deadline:
            centre = queue.popleft()
            if centre not in chosen:
                continue
            open_cols = np.concatenate([fixed, chosen])
            group = _neighbourhood(D, open_cols, centre, size)
            movable = group[is_free[group]]
            if movable.size == 0:
                continue
            Do = D[:, open_cols]
            at = Do.argmin(axis=1)
            nearest, current = open_cols[at], Do[np.arange(D.shape[0]), at]
            cand = np.union1d(np.flatnonzero(is_free & np.isin(nearest[site_point], group)), movable)
            # the group's points, and every other point one of the sites could serve better:
            # then the sub-problem's saving is exactly the plan's
            points = np.flatnonzero(np.isin(nearest, group) | (D[:, cand].min(axis=1) < current))
            stay = [D[np.ix_(points, group[~is_free[group]])]]
            outside = open_cols[~np.isin(open_cols, group)]
            if outside.size:
                stay.append(D[np.ix_(points, outside)].min(axis=1, keepdims=True))
            sub = np.hstack([D[np.ix_(points, cand)], *stay])
            before = float(w[points] @ current[points])
            picked = solve(sub, w[points], cand.size, movable.size, min(sub_time_s, deadline - time.perf_counter()))
            if picked is None:
                continue
            picked = np.asarray(picked, dtype=np.int64)
            after = float(w[points] @ np.hstack([sub[:, picked], sub[:, cand.size :]]).min(axis=1))
            if after >= before - eps:
                continue
            new_sites = cand[picked]
            trial = np.sort(np.concatenate([chosen[~np.isin(chosen, movable)], new_sites]))
            trial_total = float(w @ D[:, np.concatenate([fixed, trial])].min(axis=1))
            if trial_total < total - eps:
                chosen, total = trial, trial_total
                # the group's medians (moved or not) have new neighbours: look at their neighbourhoods again
                queue.extend(int(s) for s in new_sites if int(s) not in queue)
    return chosen
