"""p-median: least total weighted travel cost with a given number of new sites.

Formulation: the radius (cumulative) formulation (Elloumi 2010; García, Labbé &
Marín 2011). For demand point i with distinct site costs D_1 < D_2 < … < D_K,
z_k ∈ [0, 1] means "i's cost is at least D_k"::

    cost_i = D_1 + Σ_{k≥2} (D_k − D_{k−1}) z_k
    z_2 ≥ 1 − Σ_{j: d_ij = D_1} y_j,    z_k ≥ z_{k−1} − Σ_{j: d_ij = D_{k−1}} y_j

(the chain form: one site group per row instead of all nearer sites). Its LP bound
equals the textbook model's, with far fewer variables, and it is **truncated**: each
demand point keeps only its levels up to just beyond its cost in a heuristic plan.
Truncation underestimates costs beyond the kept levels, so the truncated optimum is a
proven lower bound; when no demand point of the truncated optimum lies beyond its
kept levels, that plan is optimal. Otherwise the levels of those points are
extended and the model solved again.

A greedy + swap local search (see :mod:`optimizers.siting.local_search`) gives the
first plan and the truncation levels. Without a budget or closable sites a
Lagrangian relaxation (:mod:`optimizers.siting.lagrangian`; subgradient steps, then
volume-algorithm steps) then gives a proven bound, better plans (its site sets,
iterated swaps among the sites its reduced costs favour, then groups of neighbouring
sites re-optimised exactly — :mod:`optimizers.siting.neighbourhood_search`) and fixes
sites open or closed by reduced cost, so the MIP only decides the rest. When the MIP
cannot be built in the time left (tens of thousands of demand points × hundreds of
sites), that time goes to the plan instead. The reported bound is the larger of the
Lagrangian and the MIP bound.
"""

from __future__ import annotations

import dataclasses
import math
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
from optimizers.siting.lagrangian import (
    LagrangianBound,
    fix_sites,
    fractional_plan_cost,
    nearest_sites,
    p_median_bound,
    p_median_bound_volume,
)
from optimizers.siting.local_search import greedy, iterated_swap_search, swap_search
from optimizers.siting.neighbourhood_search import reoptimise_neighbourhoods
from optimizers.siting.problem import CANDIDATE, REQUIRED, SITE_STATUSES, SitingProblem
from optimizers.siting.result import SitingResult, SolveStatus

DEFAULT_TIME_LIMIT_S = 60.0
_GREEDY_CELLS = 2_000_000
# the neighbourhood search pays off from this many new sites; below it the MIP settles
# the plan sooner
_NEIGHBOURHOOD_MIN_NEW = 20
# up to this many cost levels (demand points × their distinct site costs) the MIP is built
# whole, untruncated: HiGHS solves it in one go faster than truncated rounds
_FULL_MODEL_LEVELS = 60_000
# rough cost of adding one cost level to the MathOpt model in Python (s), on a loaded machine
_BUILD_S_PER_LEVEL = 4e-5
# rough cost of sorting the demand–site pairs for the MIP (s per pair), on a loaded machine:
# row-wise for a dense matrix, one long sort for a sparse one
_SORT_S_PER_PAIR = {False: 2e-7, True: 1.5e-6}


def _sorted_rows(problem: SitingProblem, active: np.ndarray):
    """Per active demand point: openable sites sorted by cost (CSR arrays).

    Ties keep the lower site index first, so the levels are the same every run.
    """
    if not problem.is_sparse:
        # one stable row-wise sort of the dense block: far cheaper than sorting all pairs as one list
        cols = np.flatnonzero(problem.openable)
        block = problem.costs[np.ix_(active, cols)]
        order = np.argsort(block, axis=1, kind="stable")
        costs = np.take_along_axis(block, order, axis=1)
        reach = np.isfinite(costs)
        ptr = np.zeros(active.size + 1, dtype=np.int64)
        np.cumsum(reach.sum(axis=1), out=ptr[1:])
        # finite costs sort first in each row, so the kept entries stay in row order
        return ptr, cols[order][reach], costs[reach]
    indptr, idx, cost = problem.pair_lists(None)
    counts = np.diff(indptr)[active]
    starts = indptr[:-1][active]
    sel = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(counts.sum())
    rows = np.repeat(np.arange(active.size), counts)
    idx, cost = idx[sel], cost[sel]
    order = np.lexsort((idx, cost, rows))
    new_ptr = np.zeros(active.size + 1, dtype=np.int64)
    np.cumsum(counts, out=new_ptr[1:])
    return new_ptr, idx[order], cost[order]


class _Levels:
    """Distinct cost levels and the site groups at each level, for one demand point."""

    __slots__ = ("values", "bounds", "sites")

    def __init__(self, sites: np.ndarray, costs: np.ndarray, forced: np.ndarray, surely_open_rank: int):
        change = np.r_[True, costs[1:] != costs[:-1]]
        starts = np.flatnonzero(change)
        values = costs[starts]
        bounds = np.r_[starts, costs.size]
        hit = np.flatnonzero(forced[sites])
        cut = min(int(hit[0]) if hit.size else costs.size, surely_open_rank - 1)
        if cut < costs.size:
            # levels beyond an always-open site, or beyond the r-th nearest site when
            # at least one of any r sites is open, can never be the cost
            last = int(np.searchsorted(starts, cut, side="right"))
            values = values[:last]
            bounds = bounds[: last + 1]
        self.values = values
        self.bounds = bounds
        self.sites = sites

    def __len__(self) -> int:
        return self.values.size

    def group(self, k: int) -> np.ndarray:
        return self.sites[self.bounds[k] : self.bounds[k + 1]]

    def level_of(self, cost: float) -> int:
        """Number of levels with value ≤ cost."""
        return int(np.searchsorted(self.values, cost, side="right"))


def _search_matrix(problem: SitingProblem, full: np.ndarray, active: np.ndarray, columns: np.ndarray):
    """The dense block the local searches work on: active points × ``columns`` (bool per site).

    Returns the site index of each column, the block (unreachable pairs at a large
    finite cost), that cost, the weights, and the forced-open and candidate columns.
    """
    cols = np.flatnonzero(columns)
    D = full[np.ix_(active, cols)] if active.size < problem.n_demand else full[:, cols]
    finite = D[np.isfinite(D)]
    big = 10.0 * (float(finite.max()) if finite.size else 1.0) + 1.0
    if not np.all(np.isfinite(D)):
        D = np.where(np.isfinite(D), D, big)
    forced_cols = np.flatnonzero(problem.forced_open[cols])
    free_cols = np.flatnonzero(problem.status_code[cols] == CANDIDATE)
    return cols, D, big, problem.demand_weight[active], forced_cols, free_cols


def _heuristic(
    problem: SitingProblem,
    p_new: int,
    active: np.ndarray,
    deadline: float,
    *,
    start: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
    seed: int = 0,
    neighbourhoods: bool = False,
) -> np.ndarray | None:
    """Greedy + swap plan as an open-site mask, or None if not applicable.

    ``start`` (open-site mask) replaces the greedy start and the swaps are iterated
    with random kicks (``seed``); ``allowed`` (bool per site) limits the sites the
    swaps may open. With ``neighbourhoods``, neighbouring medians are then re-optimised
    together, among all openable sites, until ``deadline``.
    """
    if problem.budget is not None or problem.closable.any() or problem.groups is not None:
        return None
    full = problem.dense_costs()
    if full is None:
        return None
    ok = problem.openable if allowed is None else problem.openable & (allowed | problem.forced_open)
    if start is not None:
        ok = ok | start
    cols, D, big, w, forced_cols, free_cols = _search_matrix(problem, full, active, ok)
    if start is None:
        k = p_new - int(np.sum(problem.status_code[cols] == REQUIRED))
        # on large matrices the greedy start is built on every r-th demand point only:
        # the swaps that follow use all of them
        r = max(1, D.size // _GREEDY_CELLS)
        chosen = greedy(D[::r], w[::r], forced_cols, free_cols, k, big)
        chosen = swap_search(D, w, forced_cols, free_cols, chosen, big, deadline)
    else:
        chosen = np.flatnonzero(start[cols])
        chosen = iterated_swap_search(
            D, w, forced_cols, free_cols, np.intersect1d(chosen, free_cols), big, deadline, seed=seed
        )
    mask = _open_mask(problem, cols, forced_cols, chosen)
    enough = chosen.size >= _NEIGHBOURHOOD_MIN_NEW
    if start is not None and neighbourhoods and enough and time.perf_counter() < deadline:
        # when swaps and kicks stall, move neighbouring medians together; the groups may
        # take any openable site (limiting them to the reduced costs' favourites loses
        # most of their gains)
        cols, D, big, w, forced_cols, free_cols = _search_matrix(problem, full, active, problem.openable)
        solve = lambda c, v, nc, k, t: _solve_neighbourhood(c, v, nc, k, t, seed)  # noqa: E731
        chosen = np.intersect1d(np.flatnonzero(mask[cols]), free_cols)
        chosen = reoptimise_neighbourhoods(D, w, forced_cols, free_cols, chosen, deadline, solve)
        mask = _open_mask(problem, cols, forced_cols, chosen)
    return mask


def _open_mask(problem: SitingProblem, cols: np.ndarray, *column_sets: np.ndarray) -> np.ndarray:
    """Open-site mask (bool per site) of the given columns of a search matrix."""
    mask = np.zeros(problem.n_site, dtype=bool)
    for c in column_sets:
        mask[cols[c]] = True
    return mask


def _solve_neighbourhood(
    costs: np.ndarray, weight: np.ndarray, n_candidate: int, k: int, time_limit_s: float, seed: int
) -> np.ndarray | None:
    """Sub-problem of the neighbourhood search: ``k`` of the first ``n_candidate`` columns, the rest open."""
    status = ["candidate"] * n_candidate + ["existing"] * (costs.shape[1] - n_candidate)
    sub = SitingProblem(costs, weight, [str(j) for j in range(costs.shape[1])], site_status=status)
    res = solve_p_median(sub, k, time_limit_s=time_limit_s, seed=seed, neighbourhood_search=False)
    if res.open_sites is None:
        return None
    return res.open_sites[res.open_sites < n_candidate]


def _weighted_cost(problem: SitingProblem, mask: np.ndarray, active: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    site, cost = problem.cost_to(mask)
    val = float(problem.demand_weight[active] @ cost[active])
    return val, site, cost


def solve_p_median(
    problem: SitingProblem,
    p_new: int,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    seed: int = 0,
    heuristic: bool = True,
    neighbourhood_search: bool = True,
) -> SitingResult:
    """p-median: open ``p_new`` new sites to minimise Σ weight × cost to the nearest open site.

    Parameters
    ----------
    problem : SitingProblem
        Existing sites stay open (unless ``closing_cost`` lets them close; the closing
        cost then counts against ``budget``), required sites open, excluded never.
    p_new : int
        Number of new sites to open (required sites count; existing sites do not).
    time_limit_s : float
        Wall-clock limit for the whole solve, seconds.
    seed : int
        Solver random seed.
    heuristic : bool
        Start from a greedy + swap local-search plan (skipped with a budget or
        closable sites).
    neighbourhood_search : bool
        When swaps stall, re-optimise a few neighbouring new sites at a time, each group
        solved exactly (:mod:`optimizers.siting.neighbourhood_search`); pays off from a
        few dozen new sites up (used from 20).

    Returns
    -------
    SitingResult
        ``objective`` = Σ weight × cost; ``bound`` = proven lower bound. Demand points
        of weight 0 are assigned but do not count.
    """
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit_s)
    p_new = problem.check_p_new(p_new)
    w = problem.demand_weight
    common = dict(
        model="p-median", objective_name="Σ weight × cost", maximize=False, t_start=t0,
        engine=_mip.ENGINE,
        formulation="truncated radius (cumulative) p-median",
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
    active = np.flatnonzero(w > 0)
    forced = problem.forced_open

    T = float(time_limit_s)
    lagrangian = problem.budget is None and not problem.closable.any()
    best_mask = None
    best_val = math.inf
    if heuristic:
        best_mask = _heuristic(problem, p_new, active, t0 + (0.1 if lagrangian else 0.3) * T)
        if best_mask is not None:
            best_val = _weighted_cost(problem, best_mask, active)[0]
            common["formulation"] += " + greedy/swap local search"
            common["engine"] = _mip.ENGINE + " + NumPy local search"

    # Lagrangian bound and reduced-cost fixing (plain p-median: no budget, no closing)
    lag_bound = -math.inf
    lag = None
    floor = math.inf
    lp_high = math.inf
    sub = problem
    if best_mask is not None and math.isfinite(best_val) and lagrangian:
        lists = nearest_sites(problem, active, _list_length(problem, p_new))
        start = w[active] * problem.cost_to(best_mask)[1][active]
        lag = p_median_bound(problem, p_new, lists, best_val, t0 + 0.3 * T, start=start)
        steps = lag.iterations
        if lag.plan is not None and lag.plan_cost < best_val:
            best_mask, best_val = lag.plan, lag.plan_cost
        if lag.bound < best_val - 1e-9 * max(1.0, abs(best_val)):
            # swaps among the sites the reduced costs favour, neighbourhoods among all sites
            best_mask, best_val = _polish(
                problem, p_new, active, lag, best_mask, best_val, t0 + 0.45 * T, seed, neighbourhood_search
            )
            # volume steps from the best multipliers, aimed at the better plan: they gain
            # what the plain steps no longer can
            lag2 = p_median_bound_volume(
                problem, p_new, lists, best_val, t0 + 0.8 * T, start=lag.multipliers, max_iter=100_000,
            )
            steps += lag2.iterations
            # the volume steps' averaged plan is a fractional plan: the LP lies below its cost
            lp_high = fractional_plan_cost(problem, lag2.averaged_open)
            if lag2.plan is not None and lag2.plan_cost < best_val:
                best_mask, best_val = lag2.plan, lag2.plan_cost
            if lag2.bound > lag.bound:
                lag = lag2
        lag_bound = lag.bound
        if math.isfinite(lp_high):
            common["lp_relaxation_range"] = (lag_bound, max(lp_high, lag_bound))
        fix_open, fix_closed, floor = fix_sites(problem, p_new, lag, best_val)
        common["formulation"] += (
            f" + Lagrangian bound ({steps} steps; fixed {int(fix_open.sum())} open, "
            f"{int(fix_closed.sum())} closed)"
        )
        if lag_bound >= best_val - 1e-9 * max(1.0, abs(best_val)):
            site, _ = problem.cost_to(best_mask)
            return make_result(
                problem, status=SolveStatus.OPTIMAL, open_mask=best_mask, assignment=site, objective=best_val,
                bound=best_val, **common,
            )
        if fix_open.any() or fix_closed.any():
            sub = _with_fixed(problem, fix_open, fix_closed)
    forced = sub.forced_open

    pairs = active.size * int(sub.openable.sum())
    if best_mask is not None and pairs * _SORT_S_PER_PAIR[sub.is_sparse] > 0.5 * (deadline - time.perf_counter()):
        # sorting every row for the MIP would use up the time left: the time goes to the plan
        best_mask, best_val = _polish(
            problem, p_new, active, lag, best_mask, best_val, deadline - 0.1, seed + 1, neighbourhood_search
        )
        site, _ = problem.cost_to(best_mask)
        return make_result(
            problem, status=SolveStatus.FEASIBLE, open_mask=best_mask, assignment=site, objective=best_val,
            bound=min(lag_bound, best_val), **common,
        )
    ptr, sites, costs = _sorted_rows(sub, active)
    n_open_able = int(sub.openable.sum())
    p_total = max(1, p_new + int(np.sum(sub.status_code == 0)))
    # at least p_min sites are open, so any n_open_able − p_min + 1 sites hold an open one
    p_min = p_new + int(np.sum((sub.status_code == 0) & forced))
    rank = n_open_able - p_min + 1
    levels = [
        _Levels(sites[ptr[a] : ptr[a + 1]], costs[ptr[a] : ptr[a + 1]], forced, rank) for a in range(active.size)
    ]
    n_levels = np.array([len(L) for L in levels])
    if n_levels.sum() <= _FULL_MODEL_LEVELS:
        # small enough for the whole model: one solve with all the time left, where
        # truncated rounds would each start a fresh search (and starve on hard instances)
        keep = n_levels
    elif best_mask is not None and math.isfinite(best_val):
        inc_cost = problem.cost_to(best_mask)[1][active]
        # keep levels up to the plan's cost plus a typical service cost: tighter
        # truncation lets the truncated optimum push points outward and needs rounds
        reach = inc_cost + float(np.median(inc_cost))
        keep = np.array([min(len(L), max(2, L.level_of(c) + 1)) for L, c in zip(levels, reach)])
    else:
        r0 = max(3, math.ceil(2 * n_open_able / p_total))
        keep = np.array([min(len(L), r0) for L in levels])

    bound = -math.inf
    proven = False
    rounds = 0
    status_mip = None
    while time.perf_counter() < deadline - 0.05:
        if keep.sum() * _BUILD_S_PER_LEVEL > 0.5 * (deadline - time.perf_counter()):
            # building this model alone would use up the time left: the time goes to the plan
            if best_mask is not None:
                best_mask, best_val = _polish(
                    problem, p_new, active, lag, best_mask, best_val, deadline - 0.1, seed + 1, neighbourhood_search
                )
            break
        rounds += 1
        model, y = _build(sub, p_new, levels, keep, w[active])
        out = _mip.solve(model, deadline - time.perf_counter(), seed=seed)
        status_mip = out.status
        if out.status == SolveStatus.INFEASIBLE:
            break
        if math.isfinite(out.bound):
            # plans removed by fixing cost at least `floor`
            bound = max(bound, min(out.bound, floor))
        if out.result is None:
            break
        mask = open_mask_from(sub, y, out.values(live_vars(y)))
        val, _, cost = _weighted_cost(problem, mask, active)
        if val < best_val - 1e-9 * max(1.0, abs(val)):
            best_val, best_mask = val, mask
        if out.status != SolveStatus.OPTIMAL:
            break
        under = np.array(
            [keep[a] < len(L) and cost[active[a]] > L.values[keep[a] - 1] for a, L in enumerate(levels)]
        )
        if not under.any():
            proven = True
            bound = max(bound, val)
            break
        if max(bound, lag_bound) >= best_val * (1 - 1e-12):
            proven = True
            break
        for a in np.flatnonzero(under):
            keep[a] = min(len(levels[a]), max(2 * keep[a], keep[a] + 4))
    common["formulation"] += f" ({int(keep.sum())} levels, {rounds} rounds)"

    if best_mask is None:
        if status_mip == SolveStatus.INFEASIBLE:
            return make_result(
                problem, status=SolveStatus.INFEASIBLE, open_mask=None, assignment=None, objective=np.nan,
                bound=np.nan, infeasibility_reason=(
                    f"no plan fits the budget {problem.budget:g} with p_new = {p_new} — raise the budget or lower p_new"
                ), **common,
            )
        return make_result(
            problem, status=SolveStatus.NO_SOLUTION, open_mask=None, assignment=None, objective=np.nan,
            bound=bound, **common,
        )
    site, _ = problem.cost_to(best_mask)
    bound = max(bound, lag_bound)
    if proven:
        bound = best_val
    status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
    return make_result(
        problem, status=status, open_mask=best_mask, assignment=site, objective=best_val,
        bound=min(bound, best_val) if math.isfinite(bound) else -math.inf, **common,
    )


def _list_length(problem: SitingProblem, p_new: int) -> int:
    """Sites kept per demand point in the Lagrangian: a few times the sites per open site."""
    n_open = int(problem.openable.sum())
    p_total = max(1, p_new + int(np.sum(problem.status_code == 0)))
    return min(n_open, max(20, 3 * math.ceil(n_open / p_total)))


def _promising(problem: SitingProblem, p_new: int, lag, upper: float) -> np.ndarray:
    """Sites worth trying in swaps: not fixed closed, and among the best by reduced cost."""
    _, closed, _ = fix_sites(problem, p_new, lag, upper)
    free = np.flatnonzero((problem.status_code == CANDIDATE) & ~closed)
    k = max(1, p_new - int(np.sum(problem.status_code == REQUIRED)))
    keep = free[np.argsort(lag.reduced_cost[free], kind="stable")[: 4 * k]]
    allowed = np.zeros(problem.n_site, dtype=bool)
    allowed[keep] = True
    return allowed


def _polish(
    problem: SitingProblem,
    p_new: int,
    active: np.ndarray,
    lag: LagrangianBound | None,
    best_mask: np.ndarray,
    best_val: float,
    deadline: float,
    seed: int,
    neighbourhoods: bool,
) -> tuple[np.ndarray, float]:
    """Iterated swaps from the best plan among the sites the reduced costs favour, until ``deadline``.

    With ``neighbourhoods``, neighbouring sites are then re-optimised together.

    Returns the better of the plan found and ``best_mask``, with its Σ weight × cost.
    """
    if lag is None or time.perf_counter() >= deadline:
        return best_mask, best_val
    allowed = _promising(problem, p_new, lag, best_val)
    mask = _heuristic(
        problem, p_new, active, deadline, start=best_mask, allowed=allowed, seed=seed, neighbourhoods=neighbourhoods
    )
    if mask is None:
        return best_mask, best_val
    val = _weighted_cost(problem, mask, active)[0]
    if val < best_val - 1e-9 * abs(best_val):
        return mask, val
    return best_mask, best_val


def _with_fixed(problem: SitingProblem, fix_open: np.ndarray, fix_closed: np.ndarray) -> SitingProblem:
    """The same problem with fixed-open candidates required and fixed-closed ones excluded."""
    status = [SITE_STATUSES[c] for c in problem.status_code]
    for j in np.flatnonzero(fix_open):
        status[j] = "required"
    for j in np.flatnonzero(fix_closed):
        status[j] = "excluded"
    return dataclasses.replace(problem, site_status=status)


def _build(problem: SitingProblem, p_new: int, levels: list[_Levels], keep: np.ndarray, w: np.ndarray):
    model = mathopt.Model(name="p_median")
    y = add_site_vars(model, problem)
    add_new_count(model, problem, y, p_new)
    terms, const = site_cost_terms(problem, y)
    add_budget(model, problem, terms, const)
    obj = model.objective
    obj.is_maximize = False
    offset = 0.0
    for a, L in enumerate(levels):
        K = keep[a]
        v = L.values
        offset += w[a] * v[0]
        prev = None
        for k in range(1, K):
            z = model.add_variable(lb=0.0, ub=1.0)
            obj.set_linear_coefficient(z, w[a] * (v[k] - v[k - 1]))
            row = [(z, 1.0)] + [(y[j], 1.0) for j in L.group(k - 1)]
            if prev is None:
                add_row(model, row, 1.0, np.inf)
            else:
                add_row(model, row + [(prev, -1.0)], 0.0, np.inf)
            prev = z
        if K == len(L):
            # all levels kept: some site within the last level must open
            row = [(y[j], 1.0) for j in L.group(K - 1)]
            if prev is None:
                add_row(model, row, 1.0, np.inf)
            else:
                add_row(model, row + [(prev, -1.0)], 0.0, np.inf)
    obj.offset = offset
    return model, y
