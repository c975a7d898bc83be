"""Run a routing workflow on a scenario and write its outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from layers.errors import GeoplanError, NoResult
from geoplan.routing.collection import prepare_collection
from geoplan.routing.film import prepare_film
from geoplan.routing.muck import prepare_muck, solve_muck
from geoplan.routing.outputs import route_tables, summary_dict, write_outputs
from geoplan.routing.prepared import PreparedProblem
from geoplan.routing.sites import check_choice
from optimizers.routing import RoutingResult, check_feasibility, solve
from optimizers.routing.result import TIME_STOP_NOTE

#: Workflows and their planner-facing names.
WORKFLOWS = {
    "collection": "生活垃圾分类收运 household-waste collection",
    "film": "废旧农膜回收 farm-film collection",
    "muck": "工程渣土夜间运输 night muck haulage",
}


@dataclass
class RoutingOutcome:
    """What one workflow run produced.

    Attributes
    ----------
    workflow : str
    prepared : PreparedProblem
        The routing problem and the places behind it.
    result : RoutingResult
    routes, stops : GeoDataFrame
        See :mod:`geoplan.routing.outputs` for the columns.
    feasibility : list of str
        Violations found by the independent check (empty when feasible).
    summary_data : dict
        The result summary (what ``routes_<workflow>.json`` holds).
    road_paths : list of geoplan.network.Path
        Road path of each route (same order as ``routes``).
    files : dict of str to Path
        Written files by kind (``gpkg``, ``csv``, ``json``); empty when not written.
    """

    workflow: str
    prepared: PreparedProblem
    result: RoutingResult
    routes: gpd.GeoDataFrame
    stops: gpd.GeoDataFrame
    feasibility: list[str]
    summary_data: dict
    road_paths: list = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    def summary(self) -> str:
        """A few lines for a planner."""
        t = self.summary_data["totals"]
        lines = [
            f"{WORKFLOWS[self.workflow]}",
            f"  引擎 engine: {self.result.engine} ({self.result.engine_reason}), {self.result.solve_time_s:.1f} s",
            f"  线路 routes: {t['routes']}   运量 load: {t['load_t']:.1f} t   里程 distance: {t['km']:.1f} km "
            f"(+{t['return_km']:.1f} km 回场 back to depot)",
            f"  时长 hours: {t['hours']:.1f} h   吨公里 tonne-km: {t['tonne_km']:.1f}   油耗 fuel: {t['fuel_l']:.1f} L"
            f"   碳排放 CO₂: {t['co2_kg']:.1f} kg",
        ]
        lb = self.prepared.details.get("trucks_lower_bound")
        if lb is not None:
            proof = "最优 optimal" if self.prepared.details.get("trucks_optimal") else f"下界 lower bound {lb}"
            lines.append(f"  渣土车 trucks: {t['routes']} ({proof})")
        if self.result.stopped_by == "time":
            lines.append(f"  注 note: {TIME_STOP_NOTE}")
        elif self.result.stopped_by == "iterations":
            lines.append("  搜索在迭代上限处停止 the search stopped at its iteration limit: a rerun gives the same routes")
        if self.result.unserved:
            lines.append(f"  未服务 unserved: {len(self.result.unserved)}")
            lines += [f"    {u.job_id}: {u.reason}" for u in self.result.unserved[:10]]
        lines += [f"  注 note: {n}" for n in self.prepared.notes]
        if self.feasibility:
            lines.append(f"  校核 check: {len(self.feasibility)} violations, first: {self.feasibility[0]}")
        return "\n".join(lines)


def run_routing(
    scenario,
    workflow: str,
    *,
    engine: str = "auto",
    time_limit_s: float | None = None,
    seed: int = 0,
    iteration_limit: int | None = None,
    write: bool = True,
    stations: str | None = None,
) -> RoutingOutcome:
    """Plan the routes of one workflow on a scenario and write them to its output folder.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or a scenario folder.
    workflow : {"collection", "film", "muck"}
    engine : {"auto", "pyvrp", "ortools"}
        Routing engine. For ``muck``, ``"auto"`` packs full-load trips
        into the fewest trucks (CP-SAT from first-fit decreasing, with a proved lower bound); the others
        solve the same trips as a VRP.
    time_limit_s : float or None
        Safety-net limit, seconds; None uses the scenario's ``[routing] time_limit_s``.
    seed : int
        Random seed; with ``iteration_limit`` set the output repeats exactly.
    iteration_limit : int or None
        Stop the search after this many iterations (reproducible on any machine; a run
        stopped by time may differ between machines); None uses ``[routing] iterations``.
    write : bool
        Write ``output/routes_<workflow>.{gpkg,csv,json}``.
    stations : {"existing", "plan"} or None
        Sites the vehicles unload at — transfer stations and plants (collection), film
        stations (film), disposal sites and yards (muck) — of the existing network or of
        the plan; None takes ``[routing] collection_stations`` / ``film_stations`` /
        ``muck_sites`` (default: the plan when it adds a site of the workflow's kinds).

    Raises
    ------
    GeoplanError
        Unknown workflow or engine, missing layers, a fraction no site accepts, a place
        the vehicle cannot reach.
    """
    if workflow not in WORKFLOWS:
        raise GeoplanError(f"unknown routing workflow {workflow!r}; use {', '.join(WORKFLOWS)}")
    if engine not in ("auto", "pyvrp", "ortools"):
        raise GeoplanError(f"unknown routing engine {engine!r}; use auto, pyvrp or ortools")
    check_choice(stations or "")
    if not hasattr(scenario, "layers"):
        from geoplan.scenario import load_scenario

        scenario = load_scenario(scenario)
    limit = float(time_limit_s if time_limit_s is not None else scenario.routing.time_limit_s)
    if iteration_limit is None:
        iteration_limit = scenario.routing.iterations
    if not limit > 0:
        raise GeoplanError(f"time_limit_s must be positive, got {limit}")
    if workflow == "collection":
        prepared = prepare_collection(scenario, time_limit_s=limit / 4, seed=seed, stations=stations)
    elif workflow == "film":
        prepared = prepare_film(scenario, stations=stations)
    else:
        prepared = prepare_muck(scenario, time_limit_s=limit, stations=stations)

    if workflow == "muck" and engine == "auto":
        result = solve_muck(prepared, time_limit_s=limit, seed=seed)
    else:
        result = solve(prepared.problem, engine=engine, time_limit_s=limit, seed=seed,
                       iteration_limit=iteration_limit)
    if not result.routes and result.unserved:
        first = result.unserved[0]
        raise NoResult(f"{workflow}: no route could be planned — all {len(result.unserved)} pick-ups are unserved "
                       f"({first.job_id}: {first.reason}); nothing was written")
    feasibility = check_feasibility(prepared.problem, result)
    co2 = scenario.quantities.diesel_co2_kg_per_l
    network = prepared.network if prepared.network is not None else scenario.road_network
    routes, stops, road_paths = route_tables(prepared, result, network, network.crs, co2)
    summary = summary_dict(prepared, result, routes, feasibility)
    summary["time_limit_s"] = limit
    summary["iteration_limit"] = iteration_limit
    summary["stopped_by"] = result.stopped_by
    paths = write_outputs(scenario.output_dir, workflow, routes, stops, summary) if write else {}
    return RoutingOutcome(workflow, prepared, result, routes, stops, feasibility, summary, road_paths, paths)


#: The scenario the forked workflow processes inherit (set just before they start).
_FORKED: dict = {}


def _run_forked(workflow: str) -> RoutingOutcome:
    scenario, kwargs = _FORKED["scenario"], _FORKED["kwargs"]
    outcome = run_routing(scenario, workflow, **kwargs)
    outcome.prepared.network = None  # the cut network stays behind: the outcome travels back by pickle
    return outcome


def demo_routing(scenario, *, time_limit_s: float | None = None, seed: int = 0,
                 iteration_limit: int | None = None, workers: int | None = None,
                 meanwhile=None) -> list[RoutingOutcome]:
    """Run all three workflows (collection, film, muck) and write their outputs.

    With ``iteration_limit`` the search stops after that many iterations (``time_limit_s``
    then only guards against a very slow machine), so the same seed gives the same routes.
    The workflows are independent, so they run side by side in ``workers`` processes
    (default: one per core, at most three), forked from this one with the scenario already
    loaded; each writes its own files, and the results are those of one after another.
    ``meanwhile`` (a function of no argument) runs here while they work.
    """
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    kwargs = dict(time_limit_s=time_limit_s, seed=seed, iteration_limit=iteration_limit)
    workers = min(len(WORKFLOWS), os.cpu_count() or 1) if workers is None else workers
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        outcomes = [run_routing(scenario, w, **kwargs) for w in WORKFLOWS]
        if meanwhile is not None:
            meanwhile()
        return outcomes
    _ = scenario.layers, scenario.road_network  # loaded once, inherited by every process
    _FORKED.update(scenario=scenario, kwargs=kwargs)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_run_forked, w) for w in WORKFLOWS]
            if meanwhile is not None:
                meanwhile()
            return [f.result() for f in futures]
    finally:
        _FORKED.clear()
