"""Site variables, facility-status rules and result assembly shared by every model."""

from __future__ import annotations

import math

import numpy as np
from ortools.math_opt.python import mathopt

from optimizers.siting.problem import EXISTING, SitingProblem
from optimizers.siting.result import SitingResult, SolveStatus


def add_row(model: mathopt.Model, terms, lb: float, ub: float):
    """Add ``lb ≤ Σ coef·var ≤ ub`` (coefficient by coefficient: fast for long rows)."""
    row = model.add_linear_constraint(lb=lb, ub=ub)
    for v, coef in terms:
        row.set_coefficient(v, coef)
    return row


def add_site_vars(model: mathopt.Model, problem: SitingProblem) -> list:
    """One binary ``open`` variable per site that may open (None for excluded sites), with
    the rows every plan obeys.

    Forced-open sites (required; existing that may not close) get bounds [1, 1]; each
    group of ``problem.groups`` gets ``Σ open ≥ min_open`` over its sites.
    """
    forced = problem.forced_open
    y = []
    for j in range(problem.n_site):
        if not problem.openable[j]:
            y.append(None)
        else:
            y.append(model.add_variable(lb=1.0 if forced[j] else 0.0, ub=1.0, is_integer=True, name=f"y{j}"))
    if problem.groups is not None:
        g = problem.groups
        for k in range(g.n_groups):
            members = [y[j] for j in np.flatnonzero(g.label == k) if y[j] is not None]
            add_row(model, [(v, 1.0) for v in members], float(g.min_open[k]), np.inf)
    return y


def add_new_count(model: mathopt.Model, problem: SitingProblem, y: list, p_new: int) -> None:
    """Exactly ``p_new`` new (non-existing) sites open."""
    new = [y[j] for j in range(problem.n_site) if y[j] is not None and problem.status_code[j] != EXISTING]
    add_row(model, [(v, 1.0) for v in new], p_new, p_new)


def site_cost_terms(
    problem: SitingProblem, y: list, new_cost: np.ndarray | None = None
) -> tuple[list[tuple[object, float]], float]:
    """Linear terms and constant of "fixed cost of new sites + closing cost".

    ``new_cost`` overrides the per-site fixed cost (e.g. 1 per site for LSCP).
    """
    cost = problem.new_site_cost() if new_cost is None else new_cost
    terms: list[tuple[object, float]] = []
    const = 0.0
    closable = problem.closable
    for j in range(problem.n_site):
        if y[j] is None:
            continue
        if problem.status_code[j] != EXISTING:
            if cost[j] != 0:
                terms.append((y[j], float(cost[j])))
        elif closable[j]:
            # closing cost is paid when the site is not kept: c (1 − y)
            c = float(problem.closing_cost[j])
            const += c
            terms.append((y[j], -c))
    return terms, const


def add_budget(model: mathopt.Model, problem: SitingProblem, terms: list, const: float) -> None:
    """Fixed cost of new sites plus closing costs within ``problem.budget``."""
    if problem.budget is None:
        return
    add_row(model, terms, -np.inf, problem.budget - const)


def open_mask_from(problem: SitingProblem, y: list, values: list[float]) -> np.ndarray:
    """Open sites from solved variable values (``values`` aligned with non-None ``y``)."""
    mask = np.zeros(problem.n_site, dtype=bool)
    it = iter(values)
    for j in range(problem.n_site):
        if y[j] is not None:
            mask[j] = next(it) > 0.5
    return mask


def live_vars(y: list) -> list:
    return [v for v in y if v is not None]


def unreachable(problem: SitingProblem, cutoff: float | None) -> np.ndarray:
    """Indices of demand points with positive weight that no site that may open reaches."""
    indptr, _, _ = problem.pair_lists(cutoff)
    none = np.diff(indptr) == 0
    return np.flatnonzero(none & (problem.demand_weight > 0))


def infeasible_result(problem: SitingProblem, reason: str, **common) -> SitingResult:
    """A result with status infeasible and the reason, nothing opened."""
    return make_result(problem, status=SolveStatus.INFEASIBLE, open_mask=None, assignment=None,
                       objective=np.nan, bound=np.nan, infeasibility_reason=reason, **common)


def unreachable_reason(problem: SitingProblem, idx: np.ndarray, cutoff: float | None) -> str:
    ids = [problem.demand_ids[i] for i in idx[:20]]
    more = f" and {len(idx) - 20} more" if len(idx) > 20 else ""
    within = f" within {cutoff:g}" if cutoff is not None else ""
    return (
        f"{len(idx)} demand points cannot be reached{within} by any site that may open: "
        f"{', '.join(ids)}{more} — add candidate sites near them, raise the standard, "
        "or set their weight to 0"
    )


def gap_of(objective: float, bound: float, maximize: bool = False) -> float:
    if math.isnan(objective):
        return math.inf
    if math.isnan(bound):
        return math.inf
    diff = (bound - objective) if maximize else (objective - bound)
    diff = max(diff, 0.0)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return diff / abs(objective) if objective != 0 else math.inf


def make_result(
    problem: SitingProblem,
    *,
    model: str,
    status: SolveStatus,
    open_mask: np.ndarray | None,
    assignment: np.ndarray | None,
    objective: float,
    bound: float,
    objective_name: str,
    maximize: bool,
    t_start: float,
    formulation: str,
    engine: str,
    infeasibility_reason: str | None = None,
    unreachable_idx: np.ndarray | None = None,
    **extra,
) -> SitingResult:
    """Assemble a :class:`SitingResult` from an open-site mask and an assignment."""
    import time

    n = problem.n_demand
    if open_mask is None:
        open_mask = np.zeros(problem.n_site, dtype=bool)
    if assignment is None:
        assignment = np.full(n, -1, dtype=np.int64)
    open_idx = np.flatnonzero(open_mask)
    ids = problem.site_ids
    existing = problem.status_code == EXISTING
    w = problem.demand_weight
    covered = float(w[assignment >= 0].sum())
    total = float(w.sum())
    if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        gap = gap_of(objective, bound, maximize)
        if status == SolveStatus.FEASIBLE and gap == 0.0:
            status = SolveStatus.OPTIMAL
    else:
        gap = math.inf
    return SitingResult(
        model=model,
        status=status,
        open_sites=open_idx,
        open_site_ids=[ids[j] for j in open_idx],
        new_site_ids=[ids[j] for j in open_idx if not existing[j]],
        kept_existing_ids=[ids[j] for j in open_idx if existing[j]],
        closed_existing_ids=[ids[j] for j in np.flatnonzero(existing & ~open_mask)]
        if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
        else [],
        assignment=np.asarray(assignment, dtype=np.int64),
        objective=float(objective),
        bound=float(bound),
        gap=gap,
        objective_name=objective_name,
        covered_weight=covered,
        coverage_rate=covered / total if total > 0 else 1.0,
        solve_time_s=time.perf_counter() - t_start,
        engine=engine,
        formulation=formulation,
        infeasibility_reason=infeasibility_reason,
        unreachable_demand_ids=[problem.demand_ids[i] for i in (unreachable_idx if unreachable_idx is not None else [])],
        **extra,
    )
