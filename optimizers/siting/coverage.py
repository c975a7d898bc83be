"""Coverage models: LSCP (cover all demand with the fewest / cheapest sites) and MCLP.

Both work on sparse coverage sets — for every demand point the sites within the
service radius — and merge demand points whose coverage sets are identical, so the
model size follows the number of distinct sets, not the number of points.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ortools.math_opt.python import mathopt

from layers.errors import GeoplanError
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
from optimizers.siting.coverage_search import greedy_cover, incidence, iterated_swap_cover
from optimizers.siting.problem import CANDIDATE, EXISTING, REQUIRED, SitingProblem
from optimizers.siting.result import SitingResult, SolveStatus

DEFAULT_TIME_LIMIT_S = 60.0


@dataclass
class CoverageGroups:
    """Demand points grouped by identical coverage sets.

    Attributes
    ----------
    sets : list of ndarray
        Site indices covering each group (no forced-open site among them).
    weight : ndarray
        Total demand weight of each group.
    always_covered : ndarray of bool, shape (n_demand,)
        Points within the radius of a site that is open in every solution.
    never_covered : ndarray of bool, shape (n_demand,)
        Points no site that may open covers.
    """

    sets: list[np.ndarray]
    weight: np.ndarray
    always_covered: np.ndarray
    never_covered: np.ndarray


def coverage_groups(problem: SitingProblem, radius: float) -> CoverageGroups:
    """Group demand points with positive weight by their coverage set within ``radius``."""
    indptr, idx, _ = problem.pair_lists(radius)
    forced = problem.forced_open
    w = problem.demand_weight
    n = problem.n_demand
    counts = np.diff(indptr)
    row_of = np.repeat(np.arange(n), counts)
    always = np.zeros(n, dtype=bool)
    always[row_of[forced[idx]]] = True
    never = counts == 0
    groups: dict[bytes, int] = {}
    sets: list[np.ndarray] = []
    weight: list[float] = []
    for i in np.flatnonzero(~always & ~never & (w > 0)):
        s = idx[indptr[i] : indptr[i + 1]]
        key = s.tobytes()
        g = groups.get(key)
        if g is None:
            groups[key] = len(sets)
            sets.append(s)
            weight.append(float(w[i]))
        else:
            weight[g] += float(w[i])
    return CoverageGroups(sets, np.asarray(weight, dtype=float), always, never)


def _covered_assignment(problem: SitingProblem, open_mask: np.ndarray, radius: float) -> np.ndarray:
    site, cost = problem.cost_to(open_mask)
    return np.where(cost <= radius, site, -1)


def solve_mclp(
    problem: SitingProblem,
    p_new: int | None,
    radius: float,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    seed: int = 0,
) -> SitingResult:
    """Maximal covering: most demand weight within ``radius`` of an open site.

    Parameters
    ----------
    problem : SitingProblem
    p_new : int or None
        Number of new sites to open (required sites count; existing sites do not).
        None: no count, only ``problem.budget`` limits the new sites.
    radius : float
        Service standard in the unit of ``problem.costs`` (m or s).
    time_limit_s : float
        Wall-clock limit for the solver, seconds.
    seed : int
        Solver random seed.

    Returns
    -------
    SitingResult
        ``objective`` = covered demand weight; ``bound`` = proven upper bound.
    """
    t0 = time.perf_counter()
    if p_new is None and problem.budget is None:
        raise GeoplanError("MCLP needs p_new (number of new sites) or a budget on fixed cost")
    if p_new is not None:
        p_new = problem.check_p_new(p_new)
    radius = float(radius)
    short = problem.group_shortfall(p_new)
    if short:
        return infeasible_result(problem, short, model="mclp", objective_name="covered demand weight",
                                 maximize=True, t_start=t0, formulation="MCLP", engine=_mip.ENGINE)
    groups = coverage_groups(problem, radius)
    w = problem.demand_weight
    const = float(w[groups.always_covered].sum())

    model = mathopt.Model(name="mclp")
    y = add_site_vars(model, problem)
    if p_new is not None:
        add_new_count(model, problem, y, p_new)
    terms, cconst = site_cost_terms(problem, y)
    add_budget(model, problem, terms, cconst)
    obj = model.objective
    obj.is_maximize = True
    obj.offset = const
    for g, s in enumerate(groups.sets):
        x = model.add_variable(lb=0.0, ub=1.0, name=f"x{g}")
        obj.set_linear_coefficient(x, groups.weight[g])
        add_row(model, [(x, 1.0)] + [(y[j], -1.0) for j in s], -np.inf, 0.0)

    formulation = f"MCLP, sparse coverage sets ({len(groups.sets)} distinct demand groups)"
    engine = _mip.ENGINE
    start = _mclp_start(problem, p_new, groups)
    lp_bound = np.inf
    if start is not None:
        A, open_mask = start
        formulation += ", greedy + iterated swap plan"
        engine += " + NumPy local search"
        # the LP relaxation's bound is often the optimum: a plan that reaches it is proven
        lp_bound = _lp_bound(model, y, t0 + 0.2 * time_limit_s)
        free = np.flatnonzero(problem.status_code == CANDIDATE)
        chosen = np.flatnonzero(open_mask & (problem.status_code == CANDIDATE))
        chosen = iterated_swap_cover(
            A, groups.weight, free, chosen, t0 + 0.5 * time_limit_s, target=lp_bound - const, seed=seed
        )
        open_mask = problem.forced_open.copy()
        open_mask[chosen] = True
        assignment = _covered_assignment(problem, open_mask, radius)
        covered = float(w[assignment >= 0].sum())
        if covered >= lp_bound - 1e-9 * max(1.0, abs(lp_bound)):
            return make_result(
                problem, status=SolveStatus.OPTIMAL, open_mask=open_mask, assignment=assignment,
                objective=covered, bound=covered, model="mclp", objective_name="covered demand weight",
                maximize=True, t_start=t0, formulation=formulation + ", proven by the LP bound", engine=engine,
            )
    out = _mip.solve(model, time_limit_s - (time.perf_counter() - t0), seed=seed)
    if start is not None and out.status in (SolveStatus.FEASIBLE, SolveStatus.NO_SOLUTION):
        mip_covered = -np.inf
        if out.status == SolveStatus.FEASIBLE:
            mip_mask = open_mask_from(problem, y, out.values(live_vars(y)))
            mip_covered = float(w[_covered_assignment(problem, mip_mask, radius) >= 0].sum())
        if covered > mip_covered:
            bound = min(out.bound, lp_bound) if np.isfinite(out.bound) else lp_bound
            return make_result(
                problem, status=SolveStatus.FEASIBLE, open_mask=open_mask, assignment=assignment,
                objective=covered, bound=max(bound, covered), model="mclp", objective_name="covered demand weight",
                maximize=True, t_start=t0, formulation=formulation, engine=engine,
            )
    common = dict(
        model="mclp", objective_name="covered demand weight", maximize=True, t_start=t0,
        formulation=formulation, engine=engine,
    )
    if out.status == SolveStatus.INFEASIBLE:
        return make_result(
            problem, status=out.status, open_mask=None, assignment=None, objective=np.nan,
            bound=np.nan, infeasibility_reason=_budget_reason(problem), **common,
        )
    if out.status == SolveStatus.NO_SOLUTION:
        return make_result(
            problem, status=out.status, open_mask=None, assignment=None, objective=np.nan,
            bound=out.bound, **common,
        )
    mask = open_mask_from(problem, y, out.values(live_vars(y)))
    assignment = _covered_assignment(problem, mask, radius)
    covered = float(w[assignment >= 0].sum())
    bound = min(out.bound, lp_bound) if out.status == SolveStatus.FEASIBLE else covered
    return make_result(
        problem, status=out.status, open_mask=mask, assignment=assignment, objective=covered,
        bound=max(bound, covered), **common,
    )


def _lp_bound(model: mathopt.Model, y: list, deadline: float) -> float:
    """Optimum of the LP relaxation (an upper bound on covered weight), inf if not solved."""
    live = live_vars(y)
    for v in live:
        v.integer = False
    try:
        out = _mip.solve(model, deadline - time.perf_counter())
    finally:
        for v in live:
            v.integer = True
    return out.objective if out.status == SolveStatus.OPTIMAL else np.inf


def _mclp_start(problem: SitingProblem, p_new: int | None, groups: CoverageGroups):
    """Greedy plan (incidence matrix, open-site mask), or None with a budget, closable sites or site groups."""
    if p_new is None or problem.budget is not None or problem.closable.any() or problem.groups is not None:
        return None
    A = incidence(groups.sets, problem.n_site)
    free = np.flatnonzero(problem.status_code == CANDIDATE)
    k = p_new - int(np.sum(problem.status_code == REQUIRED))
    open_mask = problem.forced_open.copy()
    if k > 0 and free.size:
        open_mask[greedy_cover(A, groups.weight, free, k)] = True
    return A, open_mask


def _budget_reason(problem: SitingProblem) -> str:
    return (
        f"no plan fits the budget {problem.budget:g} together with the required sites and p_new "
        "— raise the budget, lower p_new, or make fewer sites required"
    )


def solve_lscp(
    problem: SitingProblem,
    radius: float,
    *,
    objective: Literal["auto", "count", "cost"] = "auto",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    seed: int = 0,
) -> SitingResult:
    """Location set covering: every demand point within ``radius`` at least cost.

    Demand points with weight 0 need not be covered.

    Parameters
    ----------
    problem : SitingProblem
    radius : float
        Service standard in the unit of ``problem.costs`` (m or s).
    objective : {"auto", "count", "cost"}
        Minimise the number of new sites, or their fixed cost (plus closing costs).
        "auto": cost if ``problem.fixed_cost`` is given, else count.
    time_limit_s : float
        Wall-clock limit for the solver, seconds.
    seed : int
        Solver random seed.

    Returns
    -------
    SitingResult
        Status ``infeasible`` names the demand points no site that may open reaches.
    """
    t0 = time.perf_counter()
    radius = float(radius)
    use_cost = objective == "cost" or (objective == "auto" and problem.fixed_cost is not None)
    if objective not in ("auto", "count", "cost"):
        raise GeoplanError(f"objective must be 'auto', 'count' or 'cost', not {objective!r}")
    if use_cost and problem.fixed_cost is None:
        raise GeoplanError("objective='cost' needs fixed_cost on the problem")
    formulation = "LSCP set cover, sparse coverage sets"
    common = dict(
        model="lscp",
        objective_name="fixed + closing cost" if use_cost else "new sites (+ closing cost)",
        maximize=False, t_start=t0, formulation=formulation, engine=_mip.ENGINE,
    )
    bad = unreachable(problem, radius)
    if bad.size:
        return make_result(
            problem, status=SolveStatus.INFEASIBLE, open_mask=None, assignment=None,
            objective=np.nan, bound=np.nan, infeasibility_reason=unreachable_reason(problem, bad, radius),
            unreachable_idx=bad, **common,
        )
    short = problem.group_shortfall()
    if short:
        return infeasible_result(problem, short, **common)
    groups = coverage_groups(problem, radius)
    new_cost = problem.new_site_cost() if use_cost else np.ones(problem.n_site)

    model = mathopt.Model(name="lscp")
    y = add_site_vars(model, problem)
    terms, const = site_cost_terms(problem, y, new_cost)
    add_budget(model, problem, site_cost_terms(problem, y)[0], site_cost_terms(problem, y)[1])
    obj = model.objective
    obj.is_maximize = False
    obj.offset = const
    for v, c in terms:
        obj.set_linear_coefficient(v, c)
    for s in groups.sets:
        add_row(model, [(y[j], 1.0) for j in s], 1.0, np.inf)
    common["formulation"] = f"{formulation} ({len(groups.sets)} distinct demand groups)"

    out = _mip.solve(model, time_limit_s - (time.perf_counter() - t0), seed=seed)
    if out.status == SolveStatus.INFEASIBLE:
        return make_result(
            problem, status=out.status, open_mask=None, assignment=None, objective=np.nan,
            bound=np.nan, infeasibility_reason=(
                f"covering every demand point within {radius:g} costs more than the budget "
                f"{problem.budget:g} — raise the budget or the standard"
                if problem.budget is not None else
                f"no plan covers every demand point within {radius:g} and meets the site groups — "
                "add candidate sites or raise the standard"
            ), **common,
        )
    if out.status == SolveStatus.NO_SOLUTION:
        return make_result(
            problem, status=out.status, open_mask=None, assignment=None, objective=np.nan,
            bound=out.bound, **common,
        )
    mask = open_mask_from(problem, y, out.values(live_vars(y)))
    value = plan_cost(problem, mask, new_cost)
    return make_result(
        problem, status=out.status, open_mask=mask, assignment=_covered_assignment(problem, mask, radius),
        objective=value, bound=min(out.bound, value), **common,
    )


def plan_cost(problem: SitingProblem, open_mask: np.ndarray, new_cost: np.ndarray | None = None) -> float:
    """Cost of new sites in ``open_mask`` plus closing cost of existing sites not in it."""
    cost = problem.new_site_cost() if new_cost is None else new_cost
    existing = problem.status_code == EXISTING
    total = float(cost[open_mask & ~existing].sum())
    if problem.closing_cost is not None:
        closed = existing & ~open_mask & problem.closable
        total += float(problem.closing_cost[closed].sum())
    return total
