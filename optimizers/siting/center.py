"""p-center: smallest largest cost from a demand point to its nearest open site.

Solved as a search over the distinct costs: for a radius r, "can ``p_new`` new sites
(with the existing and required ones) cover every demand point within r?" is a set
cover feasibility MIP. Bisection over the sorted distinct costs between a lower
bound (the largest nearest-site cost) and a heuristic plan's radius finds the least
feasible radius; radii proven infeasible give the bound if time runs out.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.math_opt.python import mathopt

from optimizers.siting import _mip
from optimizers.siting._sites import (
    add_budget,
    add_new_count,
    infeasible_result,
    add_row,
    add_site_vars,
    live_vars,
    make_result,
    open_mask_from,
    site_cost_terms,
    unreachable,
    unreachable_reason,
)
from optimizers.siting.coverage import coverage_groups
from optimizers.siting.problem import CANDIDATE, REQUIRED, SitingProblem
from optimizers.siting.result import SitingResult, SolveStatus

DEFAULT_TIME_LIMIT_S = 60.0


def _max_cost(problem: SitingProblem, mask: np.ndarray, active: np.ndarray) -> float:
    return float(problem.cost_to(mask)[1][active].max()) if active.size else 0.0


def _greedy_plan(problem: SitingProblem, p_new: int, active: np.ndarray) -> np.ndarray | None:
    """Add the candidate that lowers the largest cost most, ``p_new`` times."""
    if problem.budget is not None or problem.closable.any() or problem.groups is not None:
        return None
    full = problem.dense_costs()
    if full is None:
        return None
    D = full[active]
    mask = problem.forced_open.copy()
    cur = D[:, mask].min(axis=1) if mask.any() else np.full(active.size, np.inf)
    free = problem.status_code == CANDIDATE
    for _ in range(p_new - int(np.sum(problem.status_code == REQUIRED))):
        cand = np.flatnonzero(free & ~mask)
        worst = np.minimum(cur[:, None], D[:, cand]).max(axis=0)
        j = cand[int(np.argmin(worst))]
        mask[j] = True
        cur = np.minimum(cur, D[:, j])
    return mask


def _cover_check(problem: SitingProblem, p_new: int, radius: float, time_limit_s: float, seed: int):
    """Plan covering every active demand point within ``radius``: (status, mask or None)."""
    groups = coverage_groups(problem, radius)
    if np.any(groups.never_covered & (problem.demand_weight > 0)):
        return SolveStatus.INFEASIBLE, None
    model = mathopt.Model(name="p_center_cover")
    y = add_site_vars(model, problem)
    add_new_count(model, problem, y, p_new)
    terms, const = site_cost_terms(problem, y)
    add_budget(model, problem, terms, const)
    for s in groups.sets:
        add_row(model, [(y[j], 1.0) for j in s], 1.0, np.inf)
    out = _mip.solve(model, time_limit_s, seed=seed)
    if out.result is None:
        return out.status, None
    return SolveStatus.OPTIMAL, open_mask_from(problem, y, out.values(live_vars(y)))


def solve_p_center(
    problem: SitingProblem,
    p_new: int,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    seed: int = 0,
) -> SitingResult:
    """p-center: open ``p_new`` new sites to minimise the largest cost to the nearest open site.

    Parameters
    ----------
    problem : SitingProblem
        Demand points of weight 0 are ignored.
    p_new : int
        Number of new sites to open (required sites count; existing sites do not).
    time_limit_s : float
        Wall-clock limit for the whole search, seconds.
    seed : int
        Solver random seed.

    Returns
    -------
    SitingResult
        ``objective`` = largest cost (m or s); ``bound`` = proven lower bound.
    """
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit_s)
    p_new = problem.check_p_new(p_new)
    common = dict(
        model="p-center", objective_name="largest cost to nearest open site", maximize=False,
        t_start=t0, engine=_mip.ENGINE, formulation="p-center by bisection on set-cover feasibility",
    )
    bad = unreachable(problem, None)
    if bad.size:
        return make_result(
            problem, status=SolveStatus.INFEASIBLE, open_mask=None, assignment=None, objective=np.nan,
            bound=np.nan, infeasibility_reason=unreachable_reason(problem, bad, None), unreachable_idx=bad,
            **common,
        )
    short = problem.group_shortfall(p_new)
    if short:
        return infeasible_result(problem, short, **common)
    active = np.flatnonzero(problem.demand_weight > 0)
    indptr, _, cost = problem.pair_lists(None)
    counts = np.diff(indptr)
    rows = np.repeat(np.arange(problem.n_demand), counts)
    is_active = problem.demand_weight > 0
    radii = np.unique(cost[is_active[rows]])
    # every active point is at least as far as its nearest site that may open
    nearest = np.full(problem.n_demand, np.inf)
    np.minimum.at(nearest, rows, cost)
    lower = float(nearest[active].max()) if active.size else 0.0

    best_mask = _greedy_plan(problem, p_new, active)
    if best_mask is None:
        status, best_mask = _cover_check(problem, p_new, float(radii[-1]), deadline - time.perf_counter(), seed)
        if best_mask is None:
            if status == SolveStatus.INFEASIBLE:
                return make_result(
                    problem, status=status, open_mask=None, assignment=None, objective=np.nan, bound=np.nan,
                    infeasibility_reason=(
                        f"no plan with p_new = {p_new} fits the budget {problem.budget:g} — "
                        "raise the budget or lower p_new"
                        if problem.budget is not None else
                        f"no plan with p_new = {p_new} meets the site groups — raise p_new"
                    ), **common,
                )
            return make_result(
                problem, status=SolveStatus.NO_SOLUTION, open_mask=None, assignment=None,
                objective=np.nan, bound=lower, **common,
            )
    best = _max_cost(problem, best_mask, active)
    lo = int(np.searchsorted(radii, lower, side="left"))
    hi = int(np.searchsorted(radii, best, side="left"))
    decided = True
    checks = 0
    while lo < hi:
        remaining = deadline - time.perf_counter()
        if remaining <= 0.01:
            decided = False
            break
        mid = (lo + hi) // 2
        checks += 1
        status, mask = _cover_check(problem, p_new, float(radii[mid]), remaining, seed)
        if mask is not None:
            best_mask = mask
            best = _max_cost(problem, mask, active)
            hi = int(np.searchsorted(radii, best, side="left"))
        elif status == SolveStatus.INFEASIBLE:
            lo = mid + 1
        else:
            decided = False
            break
    bound = float(radii[lo]) if lo < radii.size else best
    common["formulation"] += f" ({checks} feasibility checks)"
    site, _ = problem.cost_to(best_mask)
    status = SolveStatus.OPTIMAL if decided and lo >= hi else SolveStatus.FEASIBLE
    return make_result(
        problem, status=status, open_mask=best_mask, assignment=site, objective=best,
        bound=min(bound, best), **common,
    )
