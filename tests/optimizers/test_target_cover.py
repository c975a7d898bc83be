"""Target cover against brute force (small, with capacities, years and budgets) and a textbook MIP."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import maximum_flow

from optimizers.siting import SiteGroups, SolveStatus
from optimizers.siting.allocation import allocate
from optimizers.siting.target_cover import CoverRequirement, TargetCoverProblem, solve_target_cover


def _instance(seed: int, n_demand=14, n_site=5, radius=3.5):
    rng = np.random.default_rng(seed)
    xy, sxy = rng.random((n_demand, 2)) * 10, rng.random((n_site, 2)) * 10
    d = np.hypot(xy[:, None, 0] - sxy[None, :, 0], xy[:, None, 1] - sxy[None, :, 1])
    elig = sp.csr_matrix(np.where(d <= radius, d + 1e-3, 0.0))
    return rng, elig


def _max_cover(elig, load, cap, weight) -> float:
    """Independent LP: the most weight the open sites (columns of ``elig``) can cover within capacity."""
    coo = elig.tocoo()
    m = coo.nnz
    if m == 0:
        return 0.0
    a_row = sp.csr_matrix((np.ones(m), (coo.row, np.arange(m))), shape=(elig.shape[0], m))
    a_cap = sp.csr_matrix((load[coo.row], (coo.col, np.arange(m))), shape=(elig.shape[1], m))
    fin = np.isfinite(cap)
    a = sp.vstack([a_row, a_cap[fin]])
    b = np.r_[np.ones(elig.shape[0]), cap[fin]]
    res = linprog(-weight[coo.row], A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    return -res.fun


def _brute_force(prob: TargetCoverProblem) -> float:
    """Least cost over every (option, year) choice of every candidate; inf if none is feasible."""
    cand = np.flatnonzero(~prob.existing)
    T, O = len(prob.years), len(prob.option_names)
    choices = [None] + [(o, t) for o in range(O) for t in range(T)]
    best = np.inf
    for combo in itertools.product(choices, repeat=cand.size):
        if any(ch is not None and not np.isfinite(prob.option_cost[c, ch[0]]) for c, ch in zip(cand, combo)):
            continue
        spend = np.zeros(T)
        for c, ch in zip(cand, combo):
            if ch is not None:
                spend[ch[1]] += prob.option_cost[c, ch[0]]
        if np.any(spend > prob.budget_yuan + 1e-9) or spend.sum() >= best:
            continue
        if prob.groups is not None:
            final = prob.existing.copy()
            for c, ch in zip(cand, combo):
                final[c] |= ch is not None
            if not prob.groups.satisfied(final):
                continue
        ok = True
        for t in range(T):
            open_ = prob.existing.copy()
            cap = prob.option_capacity[:, 0].copy()
            for c, ch in zip(cand, combo):
                if ch is not None and ch[1] <= t:
                    open_[c] = True
                    cap[c] = prob.option_capacity[c, ch[0]]
            for req in prob.requirements:
                share = req.share_by_year[t]
                if share <= 0:
                    continue
                got = _max_cover(req.eligible[:, np.flatnonzero(open_)], req.load, cap[open_], req.weight)
                if got + 1e-7 < share * req.total_weight:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            best = spend.sum()
    return best


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_years_and_budgets_match_brute_force(seed):
    rng, elig = _instance(seed)
    n_site = elig.shape[1]
    existing = np.zeros(n_site, bool)
    existing[0] = True
    cap = np.column_stack([np.full(n_site, 12.0), np.full(n_site, 30.0)])
    cost = np.column_stack([np.full(n_site, 10.0), np.full(n_site, 17.0)]) + rng.integers(0, 5, (n_site, 1))
    cost[2, 1] = np.nan  # site 2 offers the small size only
    load = rng.random(elig.shape[0]) * 6
    weight = rng.integers(1, 8, elig.shape[0]).astype(float)
    reach = _max_cover(elig, load, np.where(existing, cap[:, 0], cap[:, 1]), weight) / weight.sum()
    shares = np.array([0.5, 0.9]) * reach
    budget = np.array([25.0, 40.0]) if seed % 2 else np.array([np.inf, np.inf])
    prob = TargetCoverProblem([f"s{i}" for i in range(n_site)], existing, cap, cost, ["small", "large"],
                              [2024, 2025], [CoverRequirement("t", elig, weight, load, shares)], budget_yuan=budget)
    res = solve_target_cover(prob, time_limit_s=20)
    want = _brute_force(prob)
    if not np.isfinite(want):
        assert res.status is SolveStatus.INFEASIBLE
        return
    assert res.status is SolveStatus.OPTIMAL
    assert res.cost_yuan == pytest.approx(want, abs=1e-6)
    assert np.all(res.spend_by_year <= budget + 1e-6)
    # the plan it returns meets every share in every year, checked independently
    for t, year in enumerate(prob.years):
        built = existing | res.built_by(year)
        capt = np.where(existing, cap[:, 0], cap[np.arange(n_site), np.maximum(res.option, 0)])
        got = _max_cover(elig[:, np.flatnonzero(built)], load, capt[built], weight)
        assert got + 1e-6 >= shares[t] * weight.sum()


@pytest.mark.parametrize("seed", range(6))
def test_two_requirements_uncapacitated_with_groups_match_brute_force(seed):
    rng, elig_a = _instance(seed, n_demand=16, n_site=6)
    _, elig_b = _instance(seed + 100, n_demand=9, n_site=6)
    n_site = 6
    existing = np.zeros(n_site, bool)
    existing[rng.integers(n_site)] = True
    cost = rng.integers(5, 20, (n_site, 1)).astype(float)
    cap = np.full((n_site, 1), np.inf)
    wa = rng.integers(1, 5, 16).astype(float)
    wb = np.ones(9)
    ra = _max_cover(elig_a, np.zeros(16), cap[:, 0], wa) / wa.sum()
    rb = _max_cover(elig_b, np.zeros(9), cap[:, 0], wb) / wb.sum()
    reqs = [CoverRequirement("a", elig_a, wa, np.zeros(16), np.array([0.6 * ra, ra])),
            CoverRequirement("b", elig_b, wb, np.zeros(9), np.array([0.0, 0.8 * rb]))]
    groups = SiteGroups(np.array([0, 0, 1, 1, -1, -1]), np.array([1, 1]))
    prob = TargetCoverProblem([f"s{i}" for i in range(n_site)], existing, cap, cost, ["one"], [2024, 2025], reqs,
                              groups=groups)
    res = solve_target_cover(prob, time_limit_s=20)
    want = _brute_force(prob)
    assert res.status is SolveStatus.OPTIMAL
    assert res.cost_yuan == pytest.approx(want)
    assert groups.satisfied(existing | res.built_by(2025))


def test_budget_too_small_is_infeasible():
    _, elig = _instance(3)
    n_site = elig.shape[1]
    prob = TargetCoverProblem([f"s{i}" for i in range(n_site)], np.zeros(n_site, bool),
                              np.full((n_site, 1), np.inf), np.full((n_site, 1), 10.0), ["one"], [2024],
                              [CoverRequirement("t", elig, np.ones(elig.shape[0]), np.zeros(elig.shape[0]),
                                                np.array([0.8]))], budget_yuan=np.array([5.0]))
    res = solve_target_cover(prob, time_limit_s=10)
    assert res.status is SolveStatus.INFEASIBLE
    assert "budget" in res.infeasibility_reason


def test_later_years_build_late_and_built_stays_built():
    _, elig = _instance(4, n_demand=20, n_site=6)
    n_site = 6
    w = np.ones(20)
    reach = _max_cover(elig, np.zeros(20), np.full(n_site, np.inf), w) / 20
    prob = TargetCoverProblem([f"s{i}" for i in range(n_site)], np.zeros(n_site, bool),
                              np.full((n_site, 1), np.inf), np.full((n_site, 1), 10.0), ["one"],
                              [2023, 2024, 2025], [CoverRequirement("t", elig, w, np.zeros(20),
                                                                    np.array([0.0, 0.0, reach]))])
    res = solve_target_cover(prob, time_limit_s=10)
    built = res.build_year[res.build_year >= 0]
    assert built.size and np.all(built == 2025)  # nothing is due before 2025: nothing is spent before it


def test_allocation_covers_what_a_max_flow_covers():
    """Stage 2 of the allocation covers as much weight as an independent max flow (integer data)."""
    for seed in range(5):
        rng, elig = _instance(seed, n_demand=25, n_site=6)
        load = rng.integers(1, 6, 25).astype(float)
        cap = rng.integers(5, 15, 6).astype(float)
        alloc = allocate(elig, load, cap, load, np.zeros(25, int), np.array([0.0]))
        # flow network: source → demand (load) → site (pairs) → sink (capacity)
        coo = elig.tocoo()
        n = 25 + 6 + 2
        src, snk = 31, 32
        rows = np.r_[np.full(25, src), coo.row, 25 + np.arange(6)]
        cols = np.r_[np.arange(25), 25 + coo.col, np.full(6, snk)]
        caps = np.r_[load, np.full(coo.nnz, 1000.0), cap].astype(np.int32)
        graph = sp.csr_matrix((caps, (rows, cols)), shape=(n, n))
        flow = maximum_flow(graph, src, snk).flow_value
        assert float(alloc.covered_share @ load) == pytest.approx(flow, abs=1e-5)
        assert np.all(alloc.site_load <= cap + 1e-6)


def test_allocation_reaches_every_requirement_before_covering_more():
    """Capacity goes first to the shares that are due: one site, two groups competing for it."""
    elig = sp.csr_matrix(np.ones((4, 1)))
    load = np.array([1.0, 1.0, 1.0, 1.0])
    weight = np.ones(4)
    # requirement 0 (rows 0–1) is due at 100 %, requirement 1 (rows 2–3) at 0 %; capacity 2
    alloc = allocate(elig, load, np.array([2.0]), weight, np.array([0, 0, 1, 1]), np.array([1.0, 0.0]))
    assert alloc.covered_share[:2] == pytest.approx([1.0, 1.0])
    assert alloc.covered_share[2:] == pytest.approx([0.0, 0.0])


def _textbook(elig, weight, load, cap, cost, share, time_limit_s=60.0):
    """The textbook capacitated partial cover, built variable by variable in OR-Tools MathOpt and
    solved by HiGHS: binary x[j, o] per size option, continuous z[i, j]."""
    from datetime import timedelta

    from ortools.math_opt.python import mathopt

    model = mathopt.Model()
    n_site, n_opt = cost.shape
    x = {(j, o): model.add_binary_variable() for j in range(n_site) for o in range(n_opt) if np.isfinite(cost[j, o])}
    coo = elig.tocoo()
    z = {(i, j): model.add_variable(lb=0.0, ub=1.0) for i, j in zip(coo.row, coo.col)}
    for j in range(n_site):
        model.add_linear_constraint(sum(x[j, o] for o in range(n_opt) if (j, o) in x) <= 1)
        opened = sum(x[j, o] for o in range(n_opt) if (j, o) in x)
        served = [(i, jj) for (i, jj) in z if jj == j]
        if not served:
            continue
        model.add_linear_constraint(sum(float(load[i]) * z[i, j] for i, _ in served)
                                    <= sum(float(cap[j, o]) * x[j, o] for o in range(n_opt) if (j, o) in x))
        for i, _ in served:
            model.add_linear_constraint(z[i, j] <= opened)
    for i in range(elig.shape[0]):
        mine = [z[i, j] for (ii, j) in z if ii == i]
        if mine:
            model.add_linear_constraint(sum(mine) <= 1)
    model.add_linear_constraint(sum(float(weight[i]) * v for (i, _), v in z.items()) >= share * float(weight.sum()))
    model.minimize(sum(float(cost[j, o]) * v for (j, o), v in x.items()))
    res = mathopt.solve(model, mathopt.SolverType.HIGHS, params=mathopt.SolveParameters(
        time_limit=timedelta(seconds=time_limit_s), relative_gap_tolerance=1e-9, absolute_gap_tolerance=1e-9))
    assert res.termination.reason == mathopt.TerminationReason.OPTIMAL
    return res.objective_value()


@pytest.mark.parametrize("seed", range(3))
def test_agrees_with_the_textbook_mip_on_medium_instances(seed):
    """120 demand points × 30 sites with two size options: same least cost as the textbook model."""
    rng = np.random.default_rng(seed)
    xy, sxy = rng.random((120, 2)) * 20, rng.random((30, 2)) * 20
    d = np.hypot(xy[:, None, 0] - sxy[None, :, 0], xy[:, None, 1] - sxy[None, :, 1])
    elig = sp.csr_matrix(np.where(d <= 4.0, d + 1e-3, 0.0))
    weight = rng.integers(1, 50, 120).astype(float)
    load = rng.random(120) * 3
    cap = np.column_stack([np.full(30, 15.0), np.full(30, 40.0)])
    cost = np.column_stack([rng.integers(8, 12, 30), rng.integers(14, 20, 30)]).astype(float)
    share = 0.85 * _max_cover(elig, load, cap[:, 1], weight) / weight.sum()
    prob = TargetCoverProblem([f"s{j}" for j in range(30)], np.zeros(30, bool), cap, cost, ["small", "large"],
                              [2025], [CoverRequirement("t", elig, weight, load, np.array([share]))])
    res = solve_target_cover(prob, time_limit_s=60)
    assert res.status is SolveStatus.OPTIMAL
    assert res.cost_yuan == pytest.approx(_textbook(elig, weight, load, cap, cost, share), rel=1e-9)
    # uncapacitated: the covering model (rows merged, dominated sites left out) agrees too
    free = TargetCoverProblem([f"s{j}" for j in range(30)], np.zeros(30, bool), np.full((30, 1), np.inf),
                              cost[:, :1], ["one"], [2025],
                              [CoverRequirement("t", elig, weight, np.zeros(120), np.array([0.9]))])
    res_free = solve_target_cover(free, time_limit_s=60)
    assert res_free.status is SolveStatus.OPTIMAL
    big = np.full((30, 1), 1e9)
    assert res_free.cost_yuan == pytest.approx(_textbook(elig, weight, np.zeros(120), big, cost[:, :1], 0.9), rel=1e-9)
