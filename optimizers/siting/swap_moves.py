"""The move-making shared by the swap local searches of the siting models.

Both the p-median search (:mod:`optimizers.siting.local_search`) and the coverage
search (:mod:`optimizers.siting.coverage_search`) price every swap (open one site,
close another) at once; what they then do with the prices is the same and lives here:
make the best move of every closing site in turn, and kick a local optimum to escape it.
Objectives are minimised (the coverage search passes the uncovered weight's negative).
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

Objective = Callable[[np.ndarray], float]


def make_best_moves(
    chosen: np.ndarray,
    cand_in: np.ndarray,
    delta: np.ndarray,
    value: Objective,
    total: float,
    deadline: float,
) -> tuple[bool, float]:
    """Make the best swap of every chosen site, best first, in place on ``chosen``.

    Parameters
    ----------
    chosen : ndarray of int
        Chosen sites; changed in place.
    cand_in : ndarray of int
        Sites that may come in.
    delta : ndarray, shape (cand_in.size, chosen.size)
        Change of the objective for each swap (``cand_in[a]`` in, ``chosen[c]`` out),
        exact for the current plan.
    value : callable
        Objective of a plan (array of chosen sites), to be minimised.
    total : float
        Objective of the current plan.
    deadline : float
        ``time.perf_counter()`` value to stop at.

    Returns
    -------
    moved : bool
        Whether any swap was made (False: ``chosen`` is a local optimum).
    total : float
        Objective after the swaps.

    Notes
    -----
    The first move is exact; the later ones were priced before it and are kept only
    if the true objective still falls.
    """
    eps = 1e-9 * max(abs(total), 1.0)
    best_in = np.argmin(delta, axis=0)
    best_delta = delta[best_in, np.arange(chosen.size)]
    order = [c for c in np.argsort(best_delta, kind="stable") if best_delta[c] < -eps]
    used = set()
    for step, c in enumerate(order):
        j = int(cand_in[best_in[c]])
        if j in used:
            continue
        old = chosen[c]
        chosen[c] = j
        trial = value(chosen)
        if step == 0 or trial < total - eps:
            total = trial
            used.add(j)
        else:
            chosen[c] = old
        if time.perf_counter() >= deadline:
            break
    return bool(order), total


def kick_and_descend(
    descend: Callable[[np.ndarray], np.ndarray],
    value: Objective,
    free: np.ndarray,
    chosen: np.ndarray,
    deadline: float,
    *,
    seed: int,
    kick: int,
    max_stall: int,
    target: float = -np.inf,
) -> np.ndarray:
    """Iterated local search: replace ``kick`` random chosen sites, descend, keep if not worse.

    Parameters
    ----------
    descend : callable
        Local search from a plan to a local optimum (array of chosen sites in and out).
    value : callable
        Objective of a plan, to be minimised.
    free : ndarray of int
        Sites that may be chosen.
    chosen : ndarray of int
        Start plan.
    deadline : float
        ``time.perf_counter()`` value to stop at.
    seed, kick, max_stall : int
        Random seed, sites replaced per kick, kicks without improvement before stopping.
    target : float
        Stop once the objective reaches it (e.g. a proven bound: the plan is optimal).

    Returns
    -------
    ndarray of int
        The best plan found, sorted.
    """
    rng = np.random.default_rng(seed)
    best = descend(chosen)
    best_val = value(best)
    kick = min(kick, best.size, free.size - best.size)
    eps = 1e-9 * max(abs(best_val), 1.0)
    stall = 0
    while kick > 0 and stall < max_stall and best_val > target + eps and time.perf_counter() < deadline:
        cur = best.copy()
        out = rng.choice(cur.size, kick, replace=False)
        cur[out] = rng.choice(np.setdiff1d(free, cur), kick, replace=False)
        cur = descend(cur)
        val = value(cur)
        stall = 0 if val < best_val - eps else stall + 1
        if val <= best_val + eps:
            best, best_val = cur, val
    return np.sort(best)
