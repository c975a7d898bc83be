"""Lagrangian lower bound for the p-median and reduced-cost site fixing, in NumPy.

Relaxing the assignment constraints ``Σ_j x_ij = 1`` with multipliers ``λ_i`` splits
the p-median into one easy choice of sites (Beasley 1993)::

    L(λ) = Σ_i λ_i + Σ_{j open} ρ_j,        ρ_j = Σ_i min(0, w_i d_ij − λ_i)

where every forced-open site is open and the ``k`` free sites with the smallest
reduced cost ``ρ_j`` open. ``L(λ)`` is a proven lower bound for every ``λ``; a
projected subgradient method raises it.

Only the nearest sites of each demand point are kept. The multiplier of a point is
capped at its weighted cost to the last kept site (or to its nearest forced-open
site), so every site left out has ``w_i d_ij − λ_i ≥ 0`` and the bound computed on
the short lists is exact for the capped multipliers.

Fixing: with ``L`` at its best, forcing a free site ``j`` open that the relaxation
leaves closed gives the bound ``L + ρ_j − ρ_(k)``; if that exceeds the incumbent, no
plan with ``j`` open beats it and ``j`` may be closed. Likewise a site the
relaxation opens may be fixed open when ``L − ρ_j + ρ_(k+1)`` exceeds the incumbent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from optimizers.siting.problem import CANDIDATE, REQUIRED, SitingProblem


@dataclass
class NearestSites:
    """The nearest openable sites of each demand point, as flat arrays.

    Attributes
    ----------
    row : ndarray of int
        Position of the demand point (in ``active``) of each entry.
    site : ndarray of int
        Site index of each entry.
    wcost : ndarray of float
        Weighted cost ``w_i d_ij`` of each entry (weight × cost unit).
    cap : ndarray of float, shape (n_active,)
        Largest useful multiplier of each point (``inf`` when the list is complete).
    floor : ndarray of float, shape (n_active,)
        Weighted cost to the nearest site (smallest useful multiplier).
    """

    row: np.ndarray
    site: np.ndarray
    wcost: np.ndarray
    cap: np.ndarray
    floor: np.ndarray


def nearest_sites(problem: SitingProblem, active: np.ndarray, k: int) -> NearestSites:
    """Keep the ``k`` nearest openable sites of every active demand point.

    Lists also stop at the nearest forced-open site: sites beyond it never serve.
    """
    forced = problem.forced_open
    w = problem.demand_weight[active]
    dense = None if problem.is_sparse else problem.costs
    if dense is not None:
        cols = np.flatnonzero(problem.openable)
        D = dense[np.ix_(active, cols)]
        kk = min(k, cols.size)
        part = np.argpartition(D, kk - 1, axis=1)[:, :kk] if kk < cols.size else np.tile(np.arange(cols.size), (active.size, 1))
        d = np.take_along_axis(D, part, axis=1)
        order = np.argsort(d, axis=1, kind="stable")
        d = np.take_along_axis(d, order, axis=1)
        site = cols[np.take_along_axis(part, order, axis=1)]
        valid = np.isfinite(d)
        truncated = np.full(active.size, kk < cols.size)
        # a row is only cut short if some site beyond the kept ones is reachable
        if kk < cols.size:
            truncated &= np.isfinite(d[:, -1])
    else:
        indptr, idx, cost = problem.pair_lists(None)
        counts = np.diff(indptr)[active]
        kk = max(1, min(k, int(counts.max()) if counts.size else 1))
        site = np.zeros((active.size, kk), dtype=np.int64)
        d = np.full((active.size, kk), np.inf)
        for a, i in enumerate(active):
            s, c = idx[indptr[i] : indptr[i + 1]], cost[indptr[i] : indptr[i + 1]]
            o = np.argsort(c, kind="stable")[:kk]
            site[a, : o.size], d[a, : o.size] = s[o], c[o]
        valid = np.isfinite(d)
        truncated = counts > kk
    cap = np.where(truncated, w * np.where(valid, d, -np.inf).max(axis=1), np.inf)
    # stop at the first forced-open site of each row (kept, multiplier capped there)
    is_forced = forced[site] & valid
    has = is_forced.any(axis=1)
    first = np.argmax(is_forced, axis=1)
    pos = np.arange(d.shape[1])[None, :]
    valid &= ~has[:, None] | (pos <= first[:, None])
    cap = np.where(has, np.minimum(cap, w * d[np.arange(active.size), first]), cap)
    rows = np.broadcast_to(np.arange(active.size)[:, None], d.shape)
    return NearestSites(
        row=rows[valid], site=site[valid], wcost=(w[:, None] * d)[valid], cap=cap, floor=w * d[:, 0]
    )


@dataclass
class LagrangianBound:
    """The best Lagrangian bound found and the reduced costs behind it.

    Attributes
    ----------
    bound : float
        Proven lower bound on Σ weight × cost.
    reduced_cost : ndarray, shape (n_site,)
        ``ρ_j`` at the best multipliers (0 for sites no kept list contains).
    relaxed_open : ndarray of bool, shape (n_site,)
        Sites open in the relaxation at the best multipliers.
    iterations : int
    plan : ndarray of bool, shape (n_site,) or None
        The cheapest of the relaxation's site sets seen on the way, if it beat ``upper``.
    plan_cost : float
        Its Σ weight × cost (``inf`` without a plan).
    multipliers : ndarray, shape (n_active,)
        The best multipliers ``λ`` (weight × cost unit), to continue from.
    averaged_open : ndarray, shape (n_site,) or None
        The volume algorithm's running average of the relaxation's open sites: a
        fractional plan (each site open to an extent in [0, 1], summing to the number
        of open sites), near an optimum of the LP relaxation once the steps settle.
    """

    bound: float
    reduced_cost: np.ndarray
    relaxed_open: np.ndarray
    iterations: int
    plan: np.ndarray | None = None
    plan_cost: float = np.inf
    multipliers: np.ndarray | None = None
    averaged_open: np.ndarray | None = None


def _choose(rho: np.ndarray, free: np.ndarray, k: int) -> np.ndarray:
    if k <= 0:
        return free[:0]
    if k >= free.size:
        return free
    r = rho[free]
    # stable order so that ties pick the same sites every run
    return free[np.argsort(r, kind="stable")[:k]]


def _site_choice(problem: SitingProblem, p_new: int):
    """Sites (count), forced-open sites, free sites and how many free ones the relaxation opens."""
    free = np.flatnonzero(problem.status_code == CANDIDATE)
    k = p_new - int(np.sum(problem.status_code == REQUIRED))
    return problem.n_site, np.flatnonzero(problem.forced_open), free, k


def _relax(lists: NearestSites, lam: np.ndarray, forced: np.ndarray, free: np.ndarray, k: int, m: int):
    """The relaxation at ``lam``: its value, subgradient, open sites and reduced costs."""
    c = lists.wcost - lam[lists.row]
    rho = np.bincount(lists.site, weights=np.minimum(c, 0.0), minlength=m)
    chosen = _choose(rho, free, k)
    is_open = np.zeros(m, dtype=bool)
    is_open[forced] = True
    is_open[chosen] = True
    value = float(lam.sum() + rho[forced].sum() + rho[chosen].sum())
    served = np.bincount(lists.row, weights=(is_open[lists.site] & (c < 0)).astype(float), minlength=lam.size)
    return value, 1.0 - served, is_open, rho


def _plan_cost(problem: SitingProblem, is_open: np.ndarray) -> float:
    """Σ weight × cost of the plan ``is_open`` (points of weight 0 do not count)."""
    w = problem.demand_weight
    return float(w @ np.where(w > 0, problem.cost_to(is_open)[1], 0.0))


def p_median_bound(
    problem: SitingProblem,
    p_new: int,
    lists: NearestSites,
    upper: float,
    deadline: float,
    *,
    start: np.ndarray | None = None,
    max_iter: int = 5000,
    plan_every: int = 10,
    min_step_scale: float = 5e-3,
    patience: int = 20,
) -> LagrangianBound:
    """Raise the Lagrangian bound by projected subgradient steps (Held–Karp–Crowder step size).

    Parameters
    ----------
    problem : SitingProblem
        No closable sites, no budget (forced-open sites are open, excluded ones closed).
    p_new : int
        Number of new sites (required ones count).
    lists : NearestSites
        From :func:`nearest_sites`.
    upper : float
        Cost of a known plan (Σ weight × cost, finite), the target of the step size.
    deadline : float
        ``time.perf_counter()`` value to stop at.
    start : ndarray, optional
        Initial multipliers (e.g. each point's weighted cost in the known plan).
    max_iter : int
        Iteration cap.
    plan_every : int
        Evaluate the relaxation's site set as a plan every this many steps.
    min_step_scale : float
        Stop once the step-size factor (halved after 20 steps without progress) falls below.
    """
    m, forced, free, k = _site_choice(problem, p_new)
    lam = np.clip(lists.floor if start is None else start, lists.floor, lists.cap).astype(float)
    best = -np.inf
    best_rho = np.zeros(m)
    best_open = np.zeros(m, dtype=bool)
    best_lam = lam
    step_scale = 2.0
    stall = 0
    it = 0
    tol = 1e-10 * max(abs(upper), 1.0)
    plan, plan_cost = None, np.inf
    while it < max_iter and time.perf_counter() < deadline:
        it += 1
        value, g, is_open, rho = _relax(lists, lam, forced, free, k, m)
        if it % plan_every == 0 and (cost := _plan_cost(problem, is_open)) < min(upper, plan_cost) - tol:
            # the relaxation's sites are a plan too; a cheaper one sharpens the steps and fixing
            plan, plan_cost, upper = is_open.copy(), cost, cost
        # projection: a multiplier at its cap (or floor) cannot move further out
        g[(lam >= lists.cap) & (g > 0)] = 0.0
        g[(lam <= lists.floor) & (g < 0)] = 0.0
        if value > best + tol:
            best, best_rho, best_open, best_lam = value, rho, is_open, lam
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                step_scale /= 2.0
                stall = 0
        norm = float(g @ g)
        if norm == 0.0 or best >= upper - tol or step_scale < min_step_scale:
            break
        step = step_scale * max(upper - value, tol) / norm
        lam = np.clip(lam + step * g, lists.floor, lists.cap)
    return LagrangianBound(
        bound=float(best), reduced_cost=best_rho, relaxed_open=best_open, iterations=it, plan=plan,
        plan_cost=plan_cost, multipliers=best_lam,
    )


def p_median_bound_volume(
    problem: SitingProblem,
    p_new: int,
    lists: NearestSites,
    upper: float,
    deadline: float,
    *,
    start: np.ndarray | None = None,
    max_iter: int = 5000,
    plan_every: int = 10,
    min_step_scale: float = 1e-5,
    patience: int = 20,
    max_alpha: float = 0.02,
) -> LagrangianBound:
    """Raise the Lagrangian bound further with the volume algorithm (Barahona & Anbil 2000).

    Near the top plain subgradient steps zig-zag; the volume algorithm steps along a
    running average of the subgradients (the subgradient of the averaged relaxed
    solution) from the best multipliers so far. Started from the multipliers of
    :func:`p_median_bound`, it gains what those steps no longer can (on the 10 000 × 1000,
    p = 50 benchmark instance: +0.08 % of the bound in 20 s after the plain steps stalled).
    The other parameters are those of :func:`p_median_bound`.

    Parameters
    ----------
    max_alpha : float
        Largest weight of a new subgradient in the running average.
    """
    m, forced, free, k = _site_choice(problem, p_new)
    lam = np.clip(lists.floor if start is None else start, lists.floor, lists.cap).astype(float)
    best, direction, best_open, best_rho = _relax(lists, lam, forced, free, k, m)
    best_lam = lam
    # the averaged relaxed solution: the subgradient of the averaged x is `direction`,
    # and the averaged y is its partner, a fractional plan near an LP optimum
    averaged_open = best_open.astype(float)
    tol = 1e-10 * max(abs(upper), 1.0)
    plan, plan_cost = None, np.inf
    scale = 0.1
    red = 0
    it = 0
    while it < max_iter and time.perf_counter() < deadline and best < upper - tol and scale >= min_step_scale:
        it += 1
        step_dir = direction.copy()
        # projection: a multiplier at its cap (or floor) cannot move further out
        step_dir[(best_lam >= lists.cap) & (step_dir > 0)] = 0.0
        step_dir[(best_lam <= lists.floor) & (step_dir < 0)] = 0.0
        norm = float(step_dir @ step_dir)
        if norm == 0.0:
            break
        lam = np.clip(best_lam + scale * max(upper - best, tol) / norm * step_dir, lists.floor, lists.cap)
        value, g, is_open, rho = _relax(lists, lam, forced, free, k, m)
        if it % plan_every == 0 and (cost := _plan_cost(problem, is_open)) < min(upper, plan_cost) - tol:
            # the relaxation's sites are a plan too; a cheaper one sharpens the steps and fixing
            plan, plan_cost, upper = is_open.copy(), cost, cost
        # weight of the new subgradient: the one that shortens the averaged direction most
        diff = g - direction
        dd = float(diff @ diff)
        alpha = max_alpha if dd == 0.0 else min(max_alpha, max(max_alpha / 10, -float(direction @ diff) / dd))
        direction = alpha * g + (1.0 - alpha) * direction
        averaged_open = alpha * is_open + (1.0 - alpha) * averaged_open
        if value > best + tol:
            if float(step_dir @ g) >= 0.0:
                scale = min(2.0, 1.1 * scale)
            best, best_lam, best_open, best_rho = value, lam, is_open, rho
            red = 0
        else:
            red += 1
            if red >= patience:
                scale *= 0.66
                red = 0
    return LagrangianBound(
        bound=float(best), reduced_cost=best_rho, relaxed_open=best_open, iterations=it, plan=plan,
        plan_cost=plan_cost, multipliers=best_lam, averaged_open=averaged_open,
    )


def fractional_plan_cost(problem: SitingProblem, extent: np.ndarray) -> float:
    """Least Σ weight × cost when each site is open only to an extent: an upper bound on the LP.

    With site ``j`` open to ``extent[j]`` ∈ [0, 1], the cheapest assignment fills each
    demand point from its nearest sites, taking at most ``extent[j]`` from site ``j``,
    until it is whole. Together this is a feasible solution of the p-median's LP
    relaxation (when the extents sum to the number of open sites), so the LP optimum —
    and with it every bound an LP or a Lagrangian relaxation can prove — is at most this
    value. When the result is well below the best plan's cost, the rest of the gap is the
    integrality gap: only branching (or cuts) can close it.

    Parameters
    ----------
    problem : SitingProblem
    extent : ndarray, shape (n_site,)
        How far each site is open, in [0, 1].

    Returns
    -------
    float
        Σ weight × cost of the cheapest fractional assignment (weight × cost unit);
        ``inf`` if some weighted demand point cannot be made whole.
    """
    extent = np.where(problem.openable, np.clip(np.asarray(extent, dtype=float), 0.0, 1.0), 0.0)
    w = problem.demand_weight
    cols = np.flatnonzero(extent > 0)
    # only sites open to some extent take part: far fewer than all on a large problem
    if problem.is_sparse:
        indptr, site, cost = problem.pair_lists(None)
        rows = np.repeat(np.arange(problem.n_demand), np.diff(indptr))
        keep = extent[site] > 0
        rows, site, cost = rows[keep], site[keep], cost[keep]
        order = np.lexsort((site, cost, rows))
        rows, site, cost = rows[order], site[order], cost[order]
    else:
        block = problem.costs[:, cols]
        order = np.argsort(block, axis=1, kind="stable")
        cost = np.take_along_axis(block, order, axis=1)
        site = cols[order]
        ok = np.isfinite(cost)
        rows = np.broadcast_to(np.arange(problem.n_demand)[:, None], cost.shape)[ok]
        site, cost = site[ok], cost[ok]
    first = np.searchsorted(rows, np.arange(problem.n_demand))
    share = extent[site]
    filled = np.cumsum(share)
    # what each row had taken before its own first pair
    start = np.r_[0.0, filled][first]
    before = filled - share - start[rows]
    take = np.clip(np.minimum(share, 1.0 - before), 0.0, None)
    whole = np.bincount(rows, weights=take, minlength=problem.n_demand)
    if np.any((w > 0) & (whole < 1.0 - 1e-9)):
        return float("inf")
    return float(np.bincount(rows, weights=take * cost, minlength=problem.n_demand) @ w)


def fix_sites(
    problem: SitingProblem, p_new: int, lb: LagrangianBound, upper: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Free sites that reduced costs fix open or closed against the plan of cost ``upper``.

    Returns
    -------
    fix_open, fix_closed : ndarray of bool, shape (n_site,)
    floor : float
        Smallest bound of the plans cut off by fixing (``inf`` if none): every plan that
        fixing removes costs at least this much, and it exceeds ``upper``.
    """
    m, _, free, k = _site_choice(problem, p_new)
    fix_open = np.zeros(m, dtype=bool)
    fix_closed = np.zeros(m, dtype=bool)
    rho = lb.reduced_cost
    chosen = free[lb.relaxed_open[free]]
    others = free[~lb.relaxed_open[free]]
    margin = 1e-9 * max(abs(upper), 1.0)
    floor = np.inf
    if k <= 0 or others.size == 0 or chosen.size == 0 or not np.isfinite(lb.bound):
        # nothing to choose (every free site closed, k = 0, or all chosen), or no
        # relaxation solved yet (the time ran out before the first step): nothing to fix
        return fix_open, fix_closed, floor
    worst_in = float(rho[chosen].max())
    best_out = float(rho[others].min())
    open_bound = lb.bound + rho[others] - worst_in
    close_bound = lb.bound - rho[chosen] + best_out
    shut = open_bound > upper + margin
    keep = close_bound > upper + margin
    fix_closed[others[shut]] = True
    fix_open[chosen[keep]] = True
    cut = np.r_[open_bound[shut], close_bound[keep]]
    if cut.size:
        floor = float(cut.min())
    return fix_open, fix_closed, floor
