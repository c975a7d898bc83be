"""Lagrangian bound, reduced-cost fixing and the coverage local search against brute force."""

import itertools
import time

import numpy as np
import pytest
import scipy.sparse as sp

from optimizers.siting import SitingProblem, SolveStatus, solve_mclp, solve_p_median
from optimizers.siting.coverage import coverage_groups
from optimizers.siting.coverage_search import covered_weight, greedy_cover, incidence, swap_cover
from optimizers.siting.lagrangian import (
    fix_sites,
    fractional_plan_cost,
    nearest_sites,
    p_median_bound,
    p_median_bound_volume,
)

STATUS = ["existing", "required", "candidate", "candidate", "excluded", "candidate", "candidate",
          "candidate", "candidate", "candidate"]


def instance(seed, n=30, m=10, cutoff=None, status=None):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 10_000, (n, 2)), rng.uniform(0, 10_000, (m, 2))
    d = np.round(np.hypot(*(a[:, None] - b[None]).transpose(2, 0, 1)))
    w = rng.integers(0, 20, n).astype(float)  # some weights 0
    if cutoff is not None:
        openable = np.array([s != "excluded" for s in (status or ["candidate"] * m)])
        keep = d <= cutoff
        # every point keeps at least its nearest site that may open
        near = np.argmin(np.where(openable[None, :], d, np.inf), axis=1)
        keep[np.arange(n), near] = True
        dense = np.where(keep, d, np.inf)
        costs = sp.csr_array((d[keep], np.nonzero(keep)), shape=d.shape)
        return costs, dense, w
    return d, d, w


def uniform_problem(seed, n, m, side_m):
    """Points and sites uniform in a square of side ``side_m``, Euclidean costs, weights 1–99."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, side_m, (n, 2)), rng.uniform(0, side_m, (m, 2))
    costs = np.hypot(*(a[:, None] - b[None]).transpose(2, 0, 1))
    w = rng.integers(1, 100, n).astype(float)
    return costs, w, SitingProblem(costs, w, [str(j) for j in range(m)])


def all_plans(status, p_new):
    m = len(status)
    free = [j for j in range(m) if status[j] == "candidate"]
    base = [j for j in range(m) if status[j] in ("required", "existing")]
    n_req = sum(s == "required" for s in status)
    for combo in itertools.combinations(free, p_new - n_req):
        mask = np.zeros(m, bool)
        mask[base + list(combo)] = True
        yield mask


def plan_value(dense, w, mask):
    c = dense[:, mask].min(axis=1)
    return float(np.sum(w * np.where(w > 0, c, 0.0)))


CASES = [
    (0, None, None, 3, 10),
    (1, None, STATUS, 4, 10),
    (2, 4000.0, None, 3, 3),
    (3, 5000.0, STATUS, 4, 4),
    (4, 5500.0, STATUS, 4, 2),
    (5, None, STATUS, 2, 2),
]


def bound_case(seed, cutoff, status, p_new, k):
    """A small problem, every plan's value by brute force, the optimum, short lists and a step target."""
    st = status or ["candidate"] * 10
    costs, dense, w = instance(seed, cutoff=cutoff, status=st)
    pr = SitingProblem(costs, w, [f"s{j}" for j in range(10)], site_status=st)
    values = {tuple(np.flatnonzero(mk)): plan_value(dense, w, mk) for mk in all_plans(st, p_new)}
    lists = nearest_sites(pr, np.flatnonzero(w > 0), k)
    # a plan worse than the optimum as the step target, as in a real solve
    finite = sorted(v for v in values.values() if np.isfinite(v))
    return pr, values, min(values.values()), lists, finite[min(3, len(finite) - 1)]


@pytest.mark.parametrize("seed,cutoff,status,p_new,k", CASES)
def test_lagrangian_bound_and_fixing_against_brute_force(seed, cutoff, status, p_new, k):
    pr, values, best, lists, upper = bound_case(seed, cutoff, status, p_new, k)
    lag = p_median_bound(pr, p_new, lists, upper, time.perf_counter() + 10, max_iter=400)
    assert np.isfinite(lag.bound)
    assert lag.bound <= best * (1 + 1e-9) + 1e-9
    if lag.plan is not None:
        assert lag.plan_cost == pytest.approx(values[tuple(np.flatnonzero(lag.plan))])
    for target in (best, upper):
        fix_open, fix_closed, floor = fix_sites(pr, p_new, lag, target)
        assert not (fix_open & fix_closed).any()
        for plan, value in values.items():
            mask = np.zeros(10, bool)
            mask[list(plan)] = True
            kept = not (mask & fix_closed).any() and not (fix_open & ~mask).any()
            if value <= target:
                assert kept, "fixing removed a plan at least as good as the target"
            if not kept:
                assert value >= floor * (1 - 1e-9)


@pytest.mark.parametrize("seed,cutoff,status,p_new,k", CASES)
def test_volume_steps_stay_below_the_optimum_and_only_raise_the_bound(seed, cutoff, status, p_new, k):
    pr, values, best, lists, upper = bound_case(seed, cutoff, status, p_new, k)
    first = p_median_bound(pr, p_new, lists, upper, time.perf_counter() + 10, max_iter=30)
    lag = p_median_bound_volume(pr, p_new, lists, upper, time.perf_counter() + 10, start=first.multipliers,
                                max_iter=400)
    assert first.bound - 1e-9 * abs(first.bound) <= lag.bound <= best * (1 + 1e-9) + 1e-9
    if lag.plan is not None:
        assert lag.plan_cost == pytest.approx(values[tuple(np.flatnonzero(lag.plan))])
    # the reduced costs belong to the reported bound: fixing against the optimum keeps it
    fix_open, fix_closed, _ = fix_sites(pr, p_new, lag, best)
    opt = [np.array(plan) for plan, v in values.items() if v <= best]
    assert any(not fix_closed[plan].any() and set(np.flatnonzero(fix_open)) <= set(plan) for plan in opt)


def exact_lp(dense, w, status, p_new):
    """The p-median's LP relaxation solved exactly (textbook model, scipy's HiGHS): (value, y)."""
    from scipy.optimize import linprog

    n, m = dense.shape
    live = np.flatnonzero(w > 0)
    ii, jj = np.nonzero(np.isfinite(dense[live]))
    nx = ii.size
    c = np.r_[w[live][ii] * dense[live][ii, jj], np.zeros(m)]
    # Σ_j x_ij = 1 per weighted point; Σ y over sites that are not existing = p_new
    a_eq = sp.vstack([
        sp.hstack([sp.csr_array((np.ones(nx), (ii, np.arange(nx))), shape=(live.size, nx)),
                   sp.csr_array((live.size, m))]),
        sp.hstack([sp.csr_array((1, nx)), sp.csr_array(np.array([[s != "existing" for s in status]], float))]),
    ])
    a_ub = sp.hstack([sp.eye_array(nx), sp.csr_array((-np.ones(nx), (np.arange(nx), jj)), shape=(nx, m))])
    fixed = {"existing": (1, 1), "required": (1, 1), "excluded": (0, 0), "candidate": (0, 1)}
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(nx), A_eq=a_eq, b_eq=np.r_[np.ones(live.size), p_new],
                  bounds=[(0, 1)] * nx + [fixed[s] for s in status], method="highs")
    assert res.status == 0
    return res.fun, res.x[nx:]


@pytest.mark.parametrize("seed,cutoff,status,p_new,k", CASES)
def test_fractional_plan_cost_matches_the_exact_lp_and_whole_plans(seed, cutoff, status, p_new, k):
    st = status or ["candidate"] * 10
    costs, dense, w = instance(seed, cutoff=cutoff, status=st)
    pr = SitingProblem(costs, w, [f"s{j}" for j in range(10)], site_status=st)
    # a whole plan: its own cost
    for mask in itertools.islice(all_plans(st, p_new), 5):
        assert fractional_plan_cost(pr, mask.astype(float)) == pytest.approx(plan_value(dense, w, mask))
    # the LP's own optimal extents: for fixed extents the nearest-first fill is the best assignment
    value, y = exact_lp(dense, w, st, p_new)
    assert fractional_plan_cost(pr, y) == pytest.approx(value, rel=1e-7)


@pytest.mark.parametrize("seed,cutoff,status,p_new,k", CASES)
def test_volume_steps_bracket_the_exact_lp(seed, cutoff, status, p_new, k):
    pr, values, best, lists, upper = bound_case(seed, cutoff, status, p_new, k)
    st = status or ["candidate"] * 10
    _, dense, w = instance(seed, cutoff=cutoff, status=st)
    lp, _ = exact_lp(dense, w, st, p_new)
    first = p_median_bound(pr, p_new, lists, upper, time.perf_counter() + 10, max_iter=30)
    lag = p_median_bound_volume(pr, p_new, lists, upper, time.perf_counter() + 10, start=first.multipliers,
                                max_iter=400)
    y = lag.averaged_open
    assert y.sum() == pytest.approx(p_new + st.count("existing"))
    assert lag.bound <= lp * (1 + 1e-9) + 1e-9 <= fractional_plan_cost(pr, y) * (1 + 2e-9) + 2e-9


def test_solve_reports_where_the_lp_lies_on_a_gap_it_cannot_close():
    costs, w, pr = uniform_problem(3, 400, 60, 20_000)
    lp, _ = exact_lp(costs, w, ["candidate"] * 60, 6)
    # too short a time for the MIP: the result says where the LP lies
    r = solve_p_median(pr, 6, time_limit_s=0.5)
    assert r.lp_relaxation_range is not None
    low, high = r.lp_relaxation_range
    assert r.bound >= low * (1 - 1e-12)
    assert low <= lp * (1 + 1e-9) <= high * (1 + 1e-9)
    assert r.integrality_gap == pytest.approx(max(0.0, (r.objective - high) / r.objective))
    # the summary names the LP range exactly when a gap is left to explain
    assert ("LP relaxation" in r.summary()) == (r.gap > 0)


@pytest.mark.parametrize("seed,cutoff,status,p_new,k", CASES)
def test_p_median_sparse_and_status_brute_force(seed, cutoff, status, p_new, k):
    st = status or ["candidate"] * 10
    costs, dense, w = instance(seed, cutoff=cutoff, status=st)
    pr = SitingProblem(costs, w, [f"s{j}" for j in range(10)], site_status=st)
    best = min(plan_value(dense, w, mk) for mk in all_plans(st, p_new))
    r = solve_p_median(pr, p_new, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL
    assert r.objective == pytest.approx(best)
    assert r.bound <= r.objective + 1e-9 and r.gap == 0.0
    assert r.bound == pytest.approx(best)


def test_reported_gap_is_consistent_at_time_limit():
    costs, w, pr = uniform_problem(11, 3000, 300, 50_000)
    r = solve_p_median(pr, 15, time_limit_s=2.0)
    assert r.is_feasible
    assert r.objective == pytest.approx(float(w @ costs[:, r.open_sites].min(axis=1)))
    assert r.bound <= r.objective * (1 + 1e-12)
    assert r.gap == pytest.approx(max(r.objective - r.bound, 0.0) / r.objective, abs=1e-9)
    # the bound is a real one: not far below a plan found by an independent local search
    assert r.bound > 0.9 * r.objective


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_coverage_local_search_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 10_000, (60, 2)), rng.uniform(0, 10_000, (12, 2))
    costs = np.hypot(*(a[:, None] - b[None]).transpose(2, 0, 1))
    w = rng.integers(1, 20, 60).astype(float)
    radius = 2500.0
    pr = SitingProblem(costs, w, [str(j) for j in range(12)])
    groups = coverage_groups(pr, radius)
    A = incidence(groups.sets, 12)
    free = np.arange(12)
    chosen = greedy_cover(A, groups.weight, free, 3)
    mask = np.zeros(12, bool)
    mask[chosen] = True
    direct = float(w[(costs[:, mask] <= radius).any(axis=1)].sum())
    assert covered_weight(A, groups.weight, mask) == pytest.approx(direct)
    swapped = swap_cover(A, groups.weight, free, chosen, time.perf_counter() + 10)
    assert swapped.size == 3 and np.unique(swapped).size == 3
    mask2 = np.zeros(12, bool)
    mask2[swapped] = True
    after = float(w[(costs[:, mask2] <= radius).any(axis=1)].sum())
    best = max(float(w[(costs[:, list(c)] <= radius).any(axis=1)].sum()) for c in itertools.combinations(range(12), 3))
    assert direct <= after <= best
    r = solve_mclp(pr, 3, radius, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best)
