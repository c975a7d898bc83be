"""The p-median neighbourhood search (POPMUSIC) against brute force on every neighbourhood."""

import itertools
import time

import numpy as np
import pytest

from optimizers.siting import SitingProblem, solve_p_median
from optimizers.siting.lagrangian import LagrangianBound, fix_sites
from optimizers.siting.local_search import greedy
from optimizers.siting.neighbourhood_search import _neighbourhood, reoptimise_neighbourhoods


def uniform(seed, n, m, side_m=20_000):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, side_m, (n, 2)), rng.uniform(0, side_m, (m, 2))
    return np.hypot(*(a[:, None] - b[None]).transpose(2, 0, 1)), rng.integers(1, 100, n).astype(float)


def brute_force(costs, w, n_candidate, k, time_limit_s):
    """Exact sub-problem solver by enumeration: k of the first n_candidate columns, the rest open."""
    stay = costs[:, n_candidate:].min(axis=1) if costs.shape[1] > n_candidate else np.full(costs.shape[0], np.inf)
    best, best_val = None, np.inf
    for combo in itertools.combinations(range(n_candidate), k):
        val = float(w @ np.minimum(costs[:, list(combo)].min(axis=1), stay))
        if val < best_val - 1e-9:
            best, best_val = np.array(combo), val
    return best


def total(D, w, cols):
    return float(w @ D[:, cols].min(axis=1))


def best_neighbourhood_move(D, w, fixed, free, chosen, size):
    """Largest saving any neighbourhood of ``size`` open sites offers, by enumeration (0 if none)."""
    is_free = np.zeros(D.shape[1], bool)
    is_free[free] = True
    open_cols = np.concatenate([fixed, chosen])
    nearest = open_cols[D[:, open_cols].argmin(axis=1)]
    site_point = D.argmin(axis=0)
    now = total(D, w, open_cols)
    best = 0.0
    for centre in chosen:
        group = _neighbourhood(D, open_cols, centre, size)
        movable = group[is_free[group]]
        cand = np.union1d(np.flatnonzero(is_free & np.isin(nearest[site_point], group)), movable)
        keep = open_cols[~np.isin(open_cols, movable)]
        for combo in itertools.combinations(cand, movable.size):
            best = max(best, now - total(D, w, np.concatenate([keep, combo])))
    return best


@pytest.mark.parametrize("seed,fixed", [(0, []), (1, [3, 17]), (2, [5])])
def test_search_ends_where_no_neighbourhood_improves(seed, fixed):
    """From a poor start the search improves the plan and stops at a local optimum of its neighbourhoods."""
    D, w = uniform(seed, 300, 40)
    fixed = np.array(fixed, dtype=np.int64)
    free = np.setdiff1d(np.arange(40), fixed)
    # a poor start: greedy on a tenth of the points, no swaps
    start = greedy(D[::10], w[::10], fixed, free, 8, 1e12)
    size = 3
    out = reoptimise_neighbourhoods(D, w, fixed, free, start, time.perf_counter() + 60, brute_force, sizes=(size,))
    assert out.size == start.size and np.unique(out).size == out.size
    assert np.isin(out, free).all()
    assert total(D, w, np.r_[fixed, out]) < total(D, w, np.r_[fixed, start])
    # the end plan is a local optimum: enumerating every neighbourhood finds no saving
    assert best_neighbourhood_move(D, w, fixed, free, out, size) <= 1e-9 * total(D, w, np.r_[fixed, out])


def test_search_never_worsens_and_leaves_small_plans_alone():
    D, w = uniform(4, 200, 30)
    free = np.arange(30)
    fixed = np.array([], dtype=np.int64)
    start = greedy(D, w, fixed, free, 4, 1e12)
    # as few movable medians as a neighbourhood holds: that would be the whole problem again
    assert np.array_equal(
        reoptimise_neighbourhoods(D, w, fixed, free, start, time.perf_counter() + 10, brute_force, sizes=(4,)),
        np.sort(start),
    )
    # a sub-solver that proposes a worse plan is never accepted
    worst = lambda c, v, nc, k, t: np.argsort(c[:, :nc].mean(axis=0))[-k:]  # noqa: E731
    start = greedy(D, w, fixed, free, 9, 1e12)
    out = reoptimise_neighbourhoods(D, w, fixed, free, start, time.perf_counter() + 10, worst, sizes=(3,))
    assert total(D, w, out) <= total(D, w, start)


def test_p_median_with_many_medians_stays_consistent_and_beats_its_start():
    D, w = uniform(7, 1500, 150, 40_000)
    pr = SitingProblem(D, w, [str(j) for j in range(150)], site_status=["existing"] * 2 + ["candidate"] * 148)
    r = solve_p_median(pr, 20, time_limit_s=6.0)
    assert r.is_feasible and len(r.new_site_ids) == 20 and {"0", "1"} <= set(r.open_site_ids)
    assert r.objective == pytest.approx(total(D, w, r.open_sites))
    assert r.bound <= r.objective * (1 + 1e-12)
    fixed = np.array([0, 1])
    chosen = np.setdiff1d(r.open_sites, fixed)
    # no neighbourhood of two medians offers a saving the solve missed
    assert best_neighbourhood_move(D, w, fixed, np.arange(2, 150), chosen, 2) <= 1e-6 * r.objective


def test_fixing_without_a_solved_relaxation_fixes_nothing():
    pr = SitingProblem(np.array([[1.0, 2.0, 3.0]]), np.array([1.0]), ["a", "b", "c"])
    none_solved = LagrangianBound(
        bound=-np.inf, reduced_cost=np.zeros(3), relaxed_open=np.zeros(3, bool), iterations=0, plan=None,
        plan_cost=np.inf, multipliers=np.zeros(1),
    )
    fix_open, fix_closed, floor = fix_sites(pr, 1, none_solved, 2.0)
    assert not fix_open.any() and not fix_closed.any() and floor == np.inf
