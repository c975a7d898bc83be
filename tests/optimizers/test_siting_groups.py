"""Minimum open sites per group (e.g. ≥ 1 station per township), in every siting model, against enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from optimizers.siting import (
    SiteGroups, SitingProblem, SolveStatus, solve_cflp, solve_lscp, solve_mclp, solve_p_center, solve_p_median,
)

M = 9
#: Sites 0–2 in group A (≥ 1 open), 3–5 in group B (≥ 2 open), 6–8 in no group; site 3 exists.
LABEL = np.array([0, 0, 0, 1, 1, 1, -1, -1, -1])
MIN_OPEN = np.array([1, 2])
STATUS = ["candidate"] * 3 + ["existing"] + ["candidate"] * 5


def instance(seed: int, n: int = 16):
    """Demand crowded near the ungrouped sites, so the groups' minimum binds."""
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0, 10_000, (M, 2))
    demand = sites[6:][rng.integers(0, 3, n)] + rng.normal(0, 800, (n, 2))
    costs = np.round(np.hypot(*(demand[:, None] - sites[None]).transpose(2, 0, 1)))
    return costs, rng.integers(1, 20, n).astype(float)


def problem(costs, w, **kw) -> SitingProblem:
    return SitingProblem(costs, w, [f"s{j}" for j in range(M)], site_status=STATUS,
                         groups=SiteGroups(LABEL, MIN_OPEN, ["A", "B"]), **kw)


def open_sets(p_new: int | None):
    """Every open mask with ``p_new`` new sites (any number when None) that keeps the groups."""
    free = [j for j in range(M) if STATUS[j] == "candidate"]
    sizes = range(len(free) + 1) if p_new is None else [p_new]
    for k in sizes:
        for combo in itertools.combinations(free, k):
            mask = np.zeros(M, bool)
            mask[list(combo)] = True
            mask[3] = True
            if all(mask[LABEL == g].sum() >= MIN_OPEN[g] for g in range(len(MIN_OPEN))):
                yield mask


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_p_median_and_p_center_keep_the_groups(seed):
    costs, w = instance(seed)
    pr = problem(costs, w)
    best = min(float(w @ costs[:, m].min(1)) for m in open_sets(3))
    free_best = min(float(w @ costs[:, list(c) + [3]].min(1))
                    for c in itertools.combinations([j for j in range(M) if j != 3], 3))
    assert best > free_best  # the groups cost something here, so the test can tell
    r = solve_p_median(pr, 3, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best)
    assert pr.groups.satisfied(np.isin(np.arange(M), r.open_sites))
    best_c = min(float(costs[:, m].min(1).max()) for m in open_sets(3))
    rc = solve_p_center(pr, 3, time_limit_s=20)
    assert rc.status == SolveStatus.OPTIMAL and rc.objective == pytest.approx(best_c)


@pytest.mark.parametrize("seed", [0, 3])
def test_mclp_counts_only_real_demand(seed):
    costs, w = instance(seed)
    radius = 2500.0
    r = solve_mclp(problem(costs, w), 3, radius, time_limit_s=20)
    best = max(float(w[(costs[:, m] <= radius).any(1)].sum()) for m in open_sets(3))
    assert r.status == SolveStatus.OPTIMAL
    # objective and bound are covered demand weight, nothing invented for the groups
    assert r.objective == pytest.approx(best) and r.bound == pytest.approx(best) and r.objective <= w.sum()
    assert r.covered_weight == pytest.approx(best)


@pytest.mark.parametrize("seed", [0, 4])
def test_lscp_keeps_the_groups(seed):
    costs, w = instance(seed)
    radius = float(np.sort(costs.min(1))[-1]) + 1.0  # every point can be covered
    r = solve_lscp(problem(costs, w), radius, time_limit_s=20)
    fewest = min(int(m.sum()) - 1 for m in open_sets(None) if (costs[:, m] <= radius).any(1).all())
    assert r.status == SolveStatus.OPTIMAL and r.objective == fewest


def test_cflp_split_demand_keeps_the_groups():
    costs, w = instance(5)
    fixed = np.array([3e4, 1e4, 2e4, 0, 2.5e4, 1.5e4, 5e3, 8e3, 6e3])
    cap = np.full(M, 90.0)
    pr = problem(costs, w, fixed_cost=fixed, capacity=cap)

    def total(mask):
        idx = np.flatnonzero(mask)
        n, k = len(w), len(idx)
        res = linprog((w[:, None] * costs[:, idx]).ravel(), A_ub=np.kron(np.ones((1, n)), np.eye(k)) *
                      np.repeat(w, k)[None, :], b_ub=cap[idx], A_eq=np.kron(np.eye(n), np.ones(k)),
                      b_eq=np.ones(n), bounds=(0, 1), method="highs")
        return fixed[mask & (np.arange(M) != 3)].sum() + res.fun if res.status == 0 else np.inf

    best = min(total(m) for m in open_sets(None))
    r = solve_cflp(pr, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best, rel=1e-6)
    assert pr.groups.satisfied(np.isin(np.arange(M), r.open_sites))


def test_groups_that_cannot_be_met_are_named():
    costs, w = instance(0)
    short = SitingProblem(costs, w, [f"s{j}" for j in range(M)], site_status=STATUS,
                          groups=SiteGroups(LABEL, np.array([4, 1]), ["东城街道", "西湖镇"]))
    r = solve_p_median(short, 5, time_limit_s=5)
    assert r.status == SolveStatus.INFEASIBLE and "group 东城街道 needs 4 open sites but only 3 may open" in \
        r.infeasibility_reason
    # groups need 1 (A) + 1 (B beyond the existing site) new sites: one new site is too few
    r = solve_mclp(problem(costs, w), 1, 2500.0, time_limit_s=5)
    assert r.status == SolveStatus.INFEASIBLE and "need 2 new sites but p_new = 1" in r.infeasibility_reason


def test_group_labels_are_checked():
    from layers.errors import GeoplanError

    with pytest.raises(GeoplanError, match="label values must lie in"):
        SiteGroups(np.array([0, 2]), np.array([1]))
    costs, w = instance(0)
    with pytest.raises(GeoplanError, match="one per site"):
        SitingProblem(costs, w, [f"s{j}" for j in range(M)], groups=SiteGroups(np.array([0]), np.array([1])))
