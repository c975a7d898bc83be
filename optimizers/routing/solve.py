"""One entry point for both engines."""

from __future__ import annotations

import math
import time
from typing import Literal

from layers.errors import GeoplanError
from optimizers.routing.model import RoutingProblem
from optimizers.routing.ortools_engine import solve_ortools
from optimizers.routing.pyvrp_engine import solve_pyvrp
from optimizers.routing.result import RoutingResult, UnservedJob
from optimizers.routing.schedule import build_route
from optimizers.routing.screening import Screening, screen
from optimizers.routing.unload_capacity import SitePart, limited_sites, part_problem, split_by_site

Engine = Literal["auto", "pyvrp", "ortools"]


#: Memory PyVRP may use for its matrices before ``engine="auto"`` prefers OR-Tools, bytes.
PYVRP_MATRIX_BUDGET_BYTES = 1 << 30


def pyvrp_limitations(problem: RoutingProblem) -> list[str]:
    """What in ``problem`` does not fit PyVRP (empty when it fits).

    PyVRP 0.14 models reload depots, time windows, release times and mixed fleets with
    their own road profiles natively. Vehicle-job restrictions cost one pair of full
    matrices per distinct (road profile, allowed jobs) combination; when those exceed
    :data:`PYVRP_MATRIX_BUDGET_BYTES`, OR-Tools (which restricts vehicles per node) fits
    better.
    """
    out = []
    combos = set()
    for k, vt in enumerate(problem.vehicle_types):
        allowed = frozenset(j for j, job in enumerate(problem.jobs)
                            if k in problem.allowed_vehicle_types(job))
        combos.add((vt.profile, allowed))
    n = len(problem.depots) + len(problem.unload_sites) + len(problem.jobs)
    need = len(combos) * 2 * n * n * 8
    if need > PYVRP_MATRIX_BUDGET_BYTES:
        out.append(f"{len(combos)} vehicle/job restriction profiles would need "
                   f"{need / 2**30:.1f} GiB of matrices")
    return out


def choose_engine(problem: RoutingProblem, engine: Engine) -> tuple[str, str]:
    """Engine to run and the reason, as reported in :class:`RoutingResult`."""
    if engine in ("pyvrp", "ortools"):
        return engine, "requested"
    if engine != "auto":
        raise GeoplanError(f"unknown routing engine {engine!r}; use auto, pyvrp or ortools")
    limits = pyvrp_limitations(problem)
    if limits:
        return "ortools", "auto: PyVRP cannot model " + "; ".join(limits)
    return "pyvrp", ("auto: PyVRP models reloads, time windows, release times and mixed "
                     "fleets natively and reaches lower costs in the benchmarks")


def solve(
    problem: RoutingProblem,
    engine: Engine = "auto",
    time_limit_s: float = 10.0,
    seed: int = 0,
    iteration_limit: int | None = None,
) -> RoutingResult:
    """Plan the routes.

    Unload sites' daily capacity and depots' vehicle counts are met: when the jobs could
    overfill a site, jobs are first assigned to sites within capacity and each site's jobs
    routed on their own (:mod:`optimizers.routing.unload_capacity`), later sites with the
    vehicles the earlier ones left; a garage's fleet bounds the vehicles leaving it (OR-Tools:
    a constraint; PyVRP: checked after the search, which is rerun with each vehicle type's
    share of the garage when it sent out too many). Jobs left out say why.

    Parameters
    ----------
    problem : RoutingProblem
    engine : {"auto", "pyvrp", "ortools"}
        ``"auto"`` runs PyVRP unless the problem needs something only OR-Tools models.
    time_limit_s : float
        Wall-clock limit of the whole solve, seconds. Always applied.
    seed : int
        Random seed (PyVRP and CP-SAT; OR-Tools routing has none).
    iteration_limit : int or None
        Also stop each search after this many iterations (PyVRP) or solutions (OR-Tools).
        Runs that stop on this limit rather than on time are repeatable bit for bit;
        :attr:`RoutingResult.stopped_by` says which limit ended the search.

    Returns
    -------
    RoutingResult
    """
    if not time_limit_s > 0:
        raise GeoplanError(f"time_limit_s must be positive, got {time_limit_s}")
    name, reason = choose_engine(problem, engine)
    t0 = time.perf_counter()
    screening = screen(problem)
    limited = limited_sites(problem, screening)
    garages = any(d.vehicle_count is not None for d in problem.depots)
    if not limited and not garages:
        return _solve_part(problem, screening, name, reason, time_limit_s, seed, iteration_limit)

    unserved = list(screening.unserved)
    if limited:
        split = split_by_site(problem, screening, limited, time_limit_s=time_limit_s / 4, seed=seed)
        parts = split.parts
        unserved += split.unserved
        reason += (f"; 卸载点日处理能力 unload capacity: jobs assigned to sites within capacity "
                   f"({split.assignment.method}), each site routed on its own")
    else:
        parts = [SitePart(None, sorted(screening.candidates), list(problem.vehicle_types))]

    counts = {vt.id: vt.count for vt in problem.vehicle_types}
    depot_counts = {d.id: d.vehicle_count for d in problem.depots}
    vt_depot = {vt.id: vt.depot for vt in problem.vehicle_types}
    deadline = t0 + time_limit_s
    routes, stats, stopped, any_feasible = [], {}, [], False
    left_jobs = sum(len(p.jobs) for p in parts)
    for part in parts:
        sub, lost = part_problem(problem, part, counts, depot_counts)
        unserved += lost
        if sub is None:
            left_jobs -= len(part.jobs)
            continue
        left = deadline - time.perf_counter()
        # With an iteration limit each part may use what is left (the limit ends it);
        # otherwise the parts share the time by their number of jobs.
        share = left if iteration_limit is not None else left * len(part.jobs) / max(left_jobs, 1)
        left_jobs -= len(part.jobs)
        res = _solve_part(sub, screen(sub), name, reason, max(share, 0.05), seed, iteration_limit)
        any_feasible |= res.feasible
        routes += res.routes
        unserved += res.unserved
        stopped.append(res.stopped_by)
        for key, value in res.stats.items():
            stats[key] = stats.get(key, 0.0) + value
        for r in res.routes:
            counts[r.vehicle_type] -= 1
            if depot_counts.get(vt_depot[r.vehicle_type]) is not None:
                depot_counts[vt_depot[r.vehicle_type]] -= 1
    stats["parts"] = float(len(parts))
    order = {job.id: k for k, job in enumerate(problem.jobs)}
    unserved.sort(key=lambda u: order.get(u.job_id, len(order)))
    feasible = any_feasible or not parts
    stop = "time" if "time" in stopped else ("iterations" if "iterations" in stopped else "")
    return RoutingResult(routes if feasible else [], unserved, name, reason, time.perf_counter() - t0,
                         sum(r.cost for r in routes) if feasible else 0.0, feasible, stats, stop)


def _solve_part(problem: RoutingProblem, screening: Screening, name: str, reason: str, time_limit_s: float,
                seed: int, iteration_limit: int | None) -> RoutingResult:
    """One engine run; with PyVRP and a garage's fleet, rerun once if it sent out too many or found no plan.

    PyVRP needs every job served, so the rerun makes jobs optional (its search is slower
    then) and gives each vehicle type of an over-full garage its share of the garage.
    """
    t0 = time.perf_counter()
    garages = any(d.vehicle_count is not None for d in problem.depots)
    result = _run(problem, screening, name, reason, time_limit_s, seed, iteration_limit)
    over = _garage_excess(problem, result) if result.feasible else {}
    if name != "pyvrp" or not garages or (result.feasible and not over):
        return result
    # Each vehicle type of a garage gets its share of the garage's vehicles: in proportion
    # to its use in the first run, or (when that found no plan) to the tonnes it may serve.
    counts = {vt.id: vt.count for vt in problem.vehicle_types}
    if over:
        weight = {vt.id: float(sum(1 for r in result.routes if r.vehicle_type == vt.id))
                  for vt in problem.vehicle_types}
    else:
        weight = {vt.id: 0.0 for vt in problem.vehicle_types}
        for j, ks in screening.candidates.items():
            for k in ks:
                weight[problem.vehicle_types[k].id] += problem.jobs[j].total_t / len(ks)
    for depot in problem.depots:
        mine = [vt.id for vt in problem.vehicle_types if vt.depot == depot.id]
        total = sum(weight[v] for v in mine)
        if depot.vehicle_count is None or total <= 0 or sum(counts[v] for v in mine) <= depot.vehicle_count:
            continue
        share = {v: min(counts[v], depot.vehicle_count * weight[v] / total) for v in mine}
        alloc = {v: int(math.floor(share[v])) for v in mine}
        spare = depot.vehicle_count - sum(alloc.values())
        for v in sorted(mine, key=lambda v: (-(share[v] - alloc[v]), v)):
            if spare > 0 and alloc[v] < counts[v]:
                alloc[v] += 1
                spare -= 1
        counts.update(alloc)
    part = SitePart(None, sorted(screening.candidates), list(problem.vehicle_types))
    sub, lost = part_problem(problem, part, counts, {d.id: d.vehicle_count for d in problem.depots})
    if sub is None:
        return RoutingResult([], list(screening.unserved) + lost, name, reason, result.solve_time_s, 0.0,
                             False, result.stats, result.stopped_by)
    left = max(0.05, time_limit_s - (time.perf_counter() - t0))
    why = "a garage sent out too many vehicles" if over else "no plan served every job"
    again = _run(sub, screen(sub), name, reason + f"; rerun with jobs optional ({why})", left, seed,
                 iteration_limit, optional=True)
    again.unserved = list(screening.unserved) + lost + again.unserved
    again.solve_time_s += result.solve_time_s
    return again


def _garage_excess(problem: RoutingProblem, result: RoutingResult) -> dict[str, int]:
    """Depots that sent out more vehicles than they have, and by how many."""
    depot_of = {vt.id: vt.depot for vt in problem.vehicle_types}
    out = {}
    for depot in problem.depots:
        if depot.vehicle_count is None:
            continue
        n = sum(1 for r in result.routes if depot_of[r.vehicle_type] == depot.id)
        if n > depot.vehicle_count:
            out[depot.id] = n - depot.vehicle_count
    return out


def _run(problem: RoutingProblem, screening: Screening, name: str, reason: str, time_limit_s: float,
         seed: int, iteration_limit: int | None, optional: bool = False) -> RoutingResult:
    if name == "pyvrp":
        raw, feasible, elapsed, stats = solve_pyvrp(problem, screening, time_limit_s, seed, iteration_limit,
                                                    optional=optional)
    else:
        raw, feasible, elapsed, stats = solve_ortools(problem, screening, time_limit_s, seed, iteration_limit)
    stopped = "" if not screening.candidates else ("time" if stats.pop("stopped_on_time", 1.0) else "iterations")

    unserved = list(screening.unserved)
    if not feasible:
        unserved += [UnservedJob(problem.jobs[j].id,
                                 f"{name} found no feasible plan within {time_limit_s:g} s")
                     for j in sorted(screening.candidates)]
        return RoutingResult([], unserved, name, reason, elapsed, 0.0, False, stats, stopped)

    routes = [build_route(problem, k, visits) for k, visits in raw]
    served = {jid for r in routes for jid in r.job_ids}
    used = {vt.id: 0 for vt in problem.vehicle_types}
    for r in routes:
        used[r.vehicle_type] += 1
    garage_used = {d.id: sum(used[vt.id] for vt in problem.vehicle_types if vt.depot == d.id)
                   for d in problem.depots}

    def exhausted(k: int) -> bool:
        vt = problem.vehicle_types[k]
        cap = problem.depot(vt.depot).vehicle_count
        return used[vt.id] >= vt.count or (cap is not None and garage_used[vt.depot] >= cap)

    for j in sorted(screening.candidates):
        job = problem.jobs[j]
        if job.id in served:
            continue
        if all(exhausted(k) for k in screening.candidates[j]):
            why = ("车辆不足 / fleet too small: every vehicle allowed for it is in use; raise the depot's "
                   "vehicle count or the vehicle type's count")
        else:
            why = (f"{name} found no route for it within {time_limit_s:g} s "
                   "(capacity, time windows or too few unload visits)")
        unserved.append(UnservedJob(job.id, why))
    objective = sum(r.cost for r in routes)
    return RoutingResult(routes, unserved, name, reason, elapsed, objective, True, stats, stopped)
