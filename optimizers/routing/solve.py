"""One entry point for both engines."""

from __future__ import annotations

from typing import Literal

from layers.errors import GeoplanError
from optimizers.routing.model import RoutingProblem
from optimizers.routing.ortools_engine import solve_ortools
from optimizers.routing.pyvrp_engine import solve_pyvrp
from optimizers.routing.result import RoutingResult, UnservedJob
from optimizers.routing.schedule import build_route
from optimizers.routing.screening import screen

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

    Parameters
    ----------
    problem : RoutingProblem
    engine : {"auto", "pyvrp", "ortools"}
        ``"auto"`` runs PyVRP unless the problem needs something only OR-Tools models.
    time_limit_s : float
        Wall-clock limit of the search, seconds. Always applied.
    seed : int
        Random seed (PyVRP; OR-Tools routing has none).
    iteration_limit : int or None
        Also stop after this many iterations (PyVRP) or solutions (OR-Tools). Runs that
        stop on this limit rather than on time are repeatable bit for bit.

    Returns
    -------
    RoutingResult
    """
    if not time_limit_s > 0:
        raise GeoplanError(f"time_limit_s must be positive, got {time_limit_s}")
    name, reason = choose_engine(problem, engine)
    screening = screen(problem)
    run = solve_pyvrp if name == "pyvrp" else solve_ortools
    raw, feasible, elapsed, stats = run(problem, screening, time_limit_s, seed, iteration_limit)

    unserved = list(screening.unserved)
    if not feasible:
        unserved += [UnservedJob(problem.jobs[j].id,
                                 f"{name} found no feasible plan within {time_limit_s:g} s")
                     for j in sorted(screening.candidates)]
        return RoutingResult([], unserved, name, reason, elapsed, 0.0, False, stats)

    routes = [build_route(problem, k, visits) for k, visits in raw]
    served = {jid for r in routes for jid in r.job_ids}
    unserved += [UnservedJob(problem.jobs[j].id,
                             f"{name} found no route for it within {time_limit_s:g} s "
                             "(capacity, time windows or too few unload visits)")
                 for j in sorted(screening.candidates) if problem.jobs[j].id not in served]
    objective = sum(r.cost for r in routes)
    return RoutingResult(routes, unserved, name, reason, elapsed, objective, True, stats)
