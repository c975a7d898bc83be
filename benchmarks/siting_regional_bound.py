"""Can a bound that is exact inside regions prove the large p-median closer than the LP?

On the 10 000 × 1000, p = 50 instance of ``benchmarks/siting.py`` the plan lies further above
the LP relaxation than 0.1 %, so proving 0.1 % needs a bound above the LP. This script
measures how much one such bound could gain: the **regional decomposition** of the
Lagrangian relaxation.

With multipliers λ (weight × cost unit) and c'_ij = w_i d_ij − λ_i, every plan S costs
Σ_i λ_i + Σ_i min_{j∈S} c'_ij. Split the sites into regions and give each demand point the
region of its nearest site as home h. For every plan S,

    min_{j∈S} c'_ij ≥ min( min_{j∈S∩R_h} c'_ij , max(0, m_i) ) + Σ_{j∈S∖R_h} min(0, c'_ij),

with m_i = min_{j∉R_h} c'_ij. The right side is exact for the home region and Lagrangian
(each site's reduced cost) for the others, so

    cost(S) ≥ Σ_i λ_i + Σ_k G_k(|S ∩ R_k|),

where G_k(q) is a small p-median of region k's own demand points with q sites of the region
(the sites carry their reduced cost from the other regions' points). The minimum over
q_1 + … + q_K = p is a lower bound at least as strong inside each region as the exact
problem. It is computed here at the multipliers the Lagrangian bound of geoplan reaches
(those of the LP), with G_k(q) solved exactly by HiGHS for q = 0 … ``--q-max`` only;
leaving out larger q can only raise the minimum, so the figure printed is an **upper
estimate** of what this bound proves.

    python benchmarks/siting_regional_bound.py [--seed 0] [--grid 4] [--q-max 6]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from ortools.math_opt.python import mathopt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from optimizers.siting import SitingProblem, solve_p_median  # noqa: E402
from optimizers.siting.lagrangian import nearest_sites, p_median_bound, p_median_bound_volume  # noqa: E402
from optimizers.siting.median import _list_length  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from siting import SIDE_M, instance_points  # noqa: E402

N_DEMAND, N_SITE, P = 10_000, 1000, 50


def lp_multipliers(problem: SitingProblem, plan_cost: float, plan_cost_each: np.ndarray) -> tuple[np.ndarray, float]:
    """Multipliers of geoplan's Lagrangian bound (subgradient, then volume steps) and that bound."""
    active = np.arange(problem.n_demand)
    lists = nearest_sites(problem, active, _list_length(problem, P))
    t = time.perf_counter()
    lag = p_median_bound(problem, P, lists, plan_cost, t + 20, start=plan_cost_each)
    vol = p_median_bound_volume(problem, P, lists, plan_cost, t + 50, start=lag.multipliers, max_iter=100_000)
    best = vol if vol.bound > lag.bound else lag
    return best.multipliers, best.bound


def region_value(reduced: np.ndarray, cap: np.ndarray, bonus: np.ndarray, q: int, limit_s: float) -> float:
    """G_k(q): least Σ_i min(min_{j∈S} c'_ij, cap_i) + Σ_{j∈S} bonus_j over q sites S of the region.

    Returns the best plan's value (an upper bound on G_k(q); optimal when HiGHS proves it).
    """
    if reduced.shape[1] == 0:
        return float(cap.sum())  # a region without sites: its points sit at their caps
    model = mathopt.Model()
    y = [model.add_binary_variable() for _ in range(reduced.shape[1])]
    model.add_linear_constraint(sum(y) == q)
    objective = [float(bonus[j]) * y[j] for j in range(len(y))]
    for i in range(reduced.shape[0]):
        served = []
        if np.isfinite(cap[i]):  # no cap when every site is in the point's home region
            at_cap = model.add_variable(lb=0.0, ub=1.0)
            objective.append(float(cap[i]) * at_cap)
            served.append(at_cap)
        for j in np.flatnonzero(reduced[i] < cap[i]):
            x = model.add_variable(lb=0.0, ub=1.0)
            model.add_linear_constraint(x <= y[j])
            objective.append(float(reduced[i, j]) * x)
            served.append(x)
        model.add_linear_constraint(sum(served) == 1.0)
    model.minimize(sum(objective))
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=limit_s), relative_gap_tolerance=1e-9)
    res = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)
    return res.termination.objective_bounds.primal_bound


def best_split(values: np.ndarray, p: int) -> float:
    """min Σ_k values[k, q_k] over q_1 + … + q_K = p (values[k, q] = inf where not computed)."""
    total = np.full(p + 1, np.inf)
    total[0] = 0.0
    for row in values:
        nxt = np.full(p + 1, np.inf)
        for q in np.flatnonzero(np.isfinite(row[: p + 1])):
            nxt[q:] = np.minimum(nxt[q:], total[: p + 1 - q] + row[q])
        total = nxt
    return float(total[p])


def regional_bound(weighted_costs: np.ndarray, lam: np.ndarray, region: np.ndarray, p: int, q_max: int,
                   limit_s: float = 30.0) -> float:
    """Σλ + min over q_1 + … + q_K = p of Σ_k G_k(q_k), G_k(q) solved for q ≤ ``q_max``.

    ``weighted_costs`` is w_i d_ij (n × m), ``region`` the region of each site (0 … K−1).
    With ``q_max`` ≥ every region's size it is a lower bound on every plan of p sites;
    with a smaller ``q_max`` an upper estimate of that bound.
    """
    reduced = weighted_costs - lam[:, None]
    home = region[np.argmin(reduced, axis=1)]
    in_home = region[None, :] == home[:, None]
    cap = np.maximum(0.0, np.where(in_home, np.inf, reduced).min(axis=1))
    bonus = np.where(in_home, 0.0, np.minimum(reduced, 0.0)).sum(axis=0)
    values = np.full((int(region.max()) + 1, p + 1), np.inf)
    for k in range(values.shape[0]):
        sites, points = np.flatnonzero(region == k), np.flatnonzero(home == k)
        block = reduced[np.ix_(points, sites)]
        for q in range(min(q_max, sites.size, p) + 1):
            values[k, q] = region_value(block, cap[points], bonus[sites], q, limit_s)
    return float(lam.sum()) + best_split(values, p)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--grid", type=int, default=4, help="regions: a grid × grid split of the square")
    ap.add_argument("--q-max", type=int, default=6, help="largest number of sites per region solved")
    ap.add_argument("--time-limit", type=float, default=60.0, help="the p-median solve giving the plan (s)")
    args = ap.parse_args()

    demand_xy, site_xy, weight = instance_points(N_DEMAND, N_SITE, args.seed)
    costs = np.sqrt(((demand_xy[:, None, :] - site_xy[None, :, :]) ** 2).sum(-1))
    problem = SitingProblem(costs, weight, [str(j) for j in range(N_SITE)])
    plan = solve_p_median(problem, P, time_limit_s=args.time_limit, seed=args.seed)
    each = weight * costs[:, plan.open_sites].min(axis=1)
    lam, lag_bound = lp_multipliers(problem, plan.objective, each)

    cell = np.minimum((site_xy // (SIDE_M / args.grid)).astype(int), args.grid - 1)
    region = cell[:, 0] * args.grid + cell[:, 1]
    t = time.perf_counter()
    regional = regional_bound(weight[:, None] * costs, lam, region, P, args.q_max)
    n_region = args.grid**2
    print(f"seed {args.seed}: plan {plan.objective:,.0f} (gap {plan.gap:.3%} in {plan.solve_time_s:.1f} s)")
    print(f"Lagrangian bound at these multipliers  {lag_bound:,.0f}  ({(plan.objective - lag_bound) / plan.objective:.3%} below the plan)")
    print(f"regional bound, {n_region} regions, ≤ {args.q_max} sites each (upper estimate; {time.perf_counter() - t:.0f} s)"
          f"  {regional:,.0f}  ({(plan.objective - regional) / plan.objective:.3%} below the plan)")
    print(f"gain over the Lagrangian bound: {(regional - lag_bound) / plan.objective:.4%} of the plan's cost; "
          f"0.1 % needs {(0.999 * plan.objective - lag_bound) / plan.objective:.4%}")


if __name__ == "__main__":
    main()
