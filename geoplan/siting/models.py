"""The siting models a workflow can run, and the checks on their parameters."""

from __future__ import annotations

from layers.errors import GeoplanError
from optimizers.siting import SitingResult, solve_cflp, solve_lscp, solve_mclp, solve_p_center, solve_p_median
from geoplan.siting.problem_builder import BuiltProblem

#: Model name → what it does (Chinese first, English beside).
MODELS: dict[str, str] = {
    "lscp": "集合覆盖 set covering: every demand point within the standard at least cost",
    "mclp": "最大覆盖 maximal covering: most demand within the standard with p new sites",
    "p-median": "p-中位 p-median: least weighted travel with p new sites",
    "p-center": "p-中心 p-center: shortest worst-case travel with p new sites",
    "cflp": "带容量选址 capacitated: least building + haulage cost within capacities",
}
#: Models that need the number of new sites.
NEEDS_P = ("mclp", "p-median", "p-center")


def check_model(model: str, p: int | None) -> str:
    """Normalised model name; raises GeoplanError for an unknown model or a missing / bad ``p``."""
    name = str(model).strip().lower().replace("_", "-")
    if name not in MODELS:
        raise GeoplanError(f"unknown siting model {model!r} — use one of: {', '.join(MODELS)}")
    if name in NEEDS_P and p is None:
        raise GeoplanError(f"model {name} needs the number of new sites — pass --p N (N ≥ 1)")
    if p is not None and (int(p) != p or p < 0):
        raise GeoplanError(f"--p must be a whole number ≥ 0, got {p!r}")
    return name


def solve(built: BuiltProblem, model: str, *, p: int | None, time_limit_s: float, seed: int) -> SitingResult:
    """Run ``model`` on a built problem with the time limit ``time_limit_s`` (s)."""
    prob = built.problem
    if model == "lscp":
        return solve_lscp(prob, built.radius_m, time_limit_s=time_limit_s, seed=seed)
    if model == "mclp":
        return solve_mclp(prob, p, built.radius_m, time_limit_s=time_limit_s, seed=seed)
    if model == "p-median":
        return solve_p_median(prob, p, time_limit_s=time_limit_s, seed=seed)
    if model == "p-center":
        return solve_p_center(prob, p, time_limit_s=time_limit_s, seed=seed)
    return solve_cflp(
        prob, single_sourcing=built.single_sourcing, p_new=p, max_cost=built.cutoff_m,
        cost_per_unit=built.cost_per_unit, time_limit_s=time_limit_s, seed=seed,
    )


def why_no_plan(status: str, reason: str, time_limit_s: float) -> str:
    """Why a solve gave no plan, for the planner: the time limit ran out first, or the model is infeasible.

    Parameters
    ----------
    status : str
        The solve's ``SolveStatus`` value (``"no_solution"``: the limit passed before any plan).
    reason : str
        The solver's own reason, when it gave one.
    time_limit_s : float
        The limit the solve had, seconds.
    """
    if status == "no_solution":
        return (f"no plan was found within the {time_limit_s:g} s time limit — raise --time-limit (or [solver] "
                "time_limit_s in scenario.toml)")
    return reason or status
