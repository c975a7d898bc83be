"""Capacitated facility location: fixed cost of sites plus assignment cost, within capacities.

Every site that may open gets an open variable; with capacity classes every new
site picks at most one class (I–V …) whose capacity and cost apply. Assignment
variables exist only for reachable pairs (within ``max_cost`` if given), as shares
in [0, 1] or, with single sourcing, binary. The linking rows ``x_ij ≤ y_j`` are
kept because they make the LP bound much stronger than capacity rows alone.
"""

from __future__ import annotations

import time

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
    make_result,
    site_cost_terms,
    unreachable,
    unreachable_reason,
)
from optimizers.siting.problem import EXISTING, SitingProblem
from optimizers.siting.result import SitingResult, SolveStatus

DEFAULT_TIME_LIMIT_S = 60.0


def solve_cflp(
    problem: SitingProblem,
    *,
    single_sourcing: bool = False,
    p_new: int | None = None,
    max_cost: float | None = None,
    cost_per_unit: float = 1.0,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    seed: int = 0,
) -> SitingResult:
    """Capacitated facility location: least fixed + closing + assignment cost.

    Parameters
    ----------
    problem : SitingProblem
        Uses ``fixed_cost`` (new sites), ``capacity`` (all sites, or existing sites
        when ``capacity_classes`` is given), ``capacity_classes``, ``closing_cost``
        and ``budget``. Without capacities the model is uncapacitated.
    single_sourcing : bool
        Every demand point is served by one site (binary assignment); otherwise its
        demand may be split among sites.
    p_new : int, optional
        Exact number of new sites (required sites count); default: free.
    max_cost : float, optional
        Pairs costlier than this may not be assigned (e.g. the service standard).
    cost_per_unit : float
        Assignment cost per unit of demand weight per unit of travel cost
        (e.g. yuan per t·m), so that it is comparable with ``fixed_cost``.
    time_limit_s : float
        Wall-clock limit, seconds.
    seed : int
        Solver random seed.

    Returns
    -------
    SitingResult
        ``objective`` = total cost; ``capacity_class`` per new site with classes;
        ``allocation`` lists (demand, site, share) triples when shares are split.
    """
    t0 = time.perf_counter()
    n, m = problem.costs.shape
    w = problem.demand_weight
    classes = problem.capacity_classes
    existing = problem.status_code == EXISTING
    if p_new is not None:
        p_new = problem.check_p_new(p_new)
    if classes is not None and problem.capacity is None and np.any(existing & problem.openable):
        raise GeoplanError("capacity_classes apply to new sites; give capacity for the existing sites too")
    kind = "single-sourcing" if single_sourcing else "split-demand"
    common = dict(
        model="cflp", objective_name="fixed + closing + assignment cost", maximize=False, t_start=t0,
        engine=_mip.ENGINE,
        formulation=f"capacitated facility location, {kind}"
        + (f", {len(classes.names)} capacity classes" if classes is not None else ""),
    )
    short = problem.group_shortfall(p_new)
    if short:
        return infeasible_result(problem, short, **common)
    bad = unreachable(problem, max_cost)
    if bad.size:
        return make_result(
            problem, status=SolveStatus.INFEASIBLE, open_mask=None, assignment=None, objective=np.nan,
            bound=np.nan, infeasibility_reason=unreachable_reason(problem, bad, max_cost),
            unreachable_idx=bad, **common,
        )
    # capacity each site could have at most
    if classes is not None:
        cap_max = np.where(existing, problem.capacity if problem.capacity is not None else 0.0, classes.capacity.max())
    else:
        cap_max = problem.capacity if problem.capacity is not None else np.full(m, np.inf)
    total_cap = float(cap_max[problem.openable].sum())
    if total_cap < float(w.sum()) - 1e-9:
        return make_result(
            problem, status=SolveStatus.INFEASIBLE, open_mask=None, assignment=None, objective=np.nan,
            bound=np.nan, infeasibility_reason=(
                f"total demand {w.sum():g} exceeds the largest possible capacity {total_cap:g} — "
                "add candidate sites or raise capacities"
            ), **common,
        )

    model = mathopt.Model(name="cflp")
    y = add_site_vars(model, problem)
    if p_new is not None:
        add_new_count(model, problem, y, p_new)
    terms, const = site_cost_terms(problem, y)
    u: dict[tuple[int, int], object] = {}
    if classes is not None:
        cc = classes.cost_matrix(m)
        for j in range(m):
            if y[j] is None or existing[j]:
                continue
            row = [(y[j], -1.0)]
            for c in range(len(classes.names)):
                u[j, c] = model.add_variable(lb=0.0, ub=1.0, is_integer=True, name=f"u{j}_{c}")
                row.append((u[j, c], 1.0))
                if cc[j, c]:
                    terms.append((u[j, c], float(cc[j, c])))
            add_row(model, row, 0.0, 0.0)  # one class exactly when open
    add_budget(model, problem, terms, const)
    obj = model.objective
    obj.is_maximize = False
    obj.offset = const
    for v, c in terms:
        obj.set_linear_coefficient(v, obj.get_linear_coefficient(v) + c)

    indptr, idx, cost = problem.pair_lists(max_cost)
    active = np.flatnonzero(w > 0)
    col_terms: list[list] = [[] for _ in range(m)]
    xs: list[tuple[int, int, object]] = []
    for i in active:
        row = []
        for k in range(indptr[i], indptr[i + 1]):
            j = int(idx[k])
            x = model.add_variable(lb=0.0, ub=1.0, is_integer=single_sourcing)
            c = cost_per_unit * w[i] * cost[k]
            if c:
                obj.set_linear_coefficient(x, c)
            row.append((x, 1.0))
            add_row(model, [(x, 1.0), (y[j], -1.0)], -np.inf, 0.0)
            col_terms[j].append((x, float(w[i])))
            xs.append((int(i), j, x))
        add_row(model, row, 1.0, 1.0)
    for j in range(m):
        if y[j] is None or not col_terms[j]:
            continue
        if classes is not None and not existing[j]:
            cap_terms = [(u[j, c], -float(classes.capacity[c])) for c in range(len(classes.names))]
            add_row(model, col_terms[j] + cap_terms, -np.inf, 0.0)
        elif problem.capacity is not None and np.isfinite(problem.capacity[j]):
            add_row(model, col_terms[j] + [(y[j], -float(problem.capacity[j]))], -np.inf, 0.0)

    out = _mip.solve(model, time_limit_s - (time.perf_counter() - t0), seed=seed)
    if out.status == SolveStatus.INFEASIBLE:
        return make_result(
            problem, status=out.status, open_mask=None, assignment=None, objective=np.nan, bound=np.nan,
            infeasibility_reason=(
                "the capacities, budget, site groups and number of sites cannot serve all demand"
                + (" with single sourcing" if single_sourcing else "")
                + " — add candidate sites, raise capacities or the budget"
            ), **common,
        )
    if out.status == SolveStatus.NO_SOLUTION:
        return make_result(
            problem, status=out.status, open_mask=None, assignment=None, objective=np.nan, bound=out.bound,
            **common,
        )
    live = [v for v in y if v is not None]
    yv = dict(zip(live, out.values(live)))
    mask = np.array([y[j] is not None and yv[y[j]] > 0.5 for j in range(m)])
    xval = out.values([x for _, _, x in xs])
    assignment = np.full(n, -1, dtype=np.int64)
    best_share = np.zeros(n)
    allocation = []
    for (i, j, _), v in zip(xs, xval):
        if v > 1e-6:
            allocation.append((i, j, float(v)))
            if v > best_share[i]:
                best_share[i], assignment[i] = v, j
    # weight-0 points: nearest open site
    site0, _ = problem.cost_to(mask)
    zero = w <= 0
    assignment[zero] = site0[zero]
    chosen_class = {}
    if classes is not None:
        uv = dict(zip(u.values(), out.values(list(u.values()))))
        for (j, c), var in u.items():
            if uv[var] > 0.5:
                chosen_class[problem.site_ids[j]] = classes.names[c]
    return make_result(
        problem, status=out.status, open_mask=mask, assignment=assignment, objective=out.objective,
        bound=min(out.bound, out.objective), capacity_class=chosen_class,
        allocation=[] if single_sourcing else allocation, **common,
    )
