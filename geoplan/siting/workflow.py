"""``run_siting``: build a kind's problem from a scenario, solve it, write the plan."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np

import layers
from layers.errors import GeoplanError
from optimizers.siting import SitingResult
from geoplan.scenario import Scenario
from geoplan.siting import film, models, muck, outputs, recycling, transfer_stations
from geoplan.siting.problem_builder import BuiltProblem

#: Facility kinds that can be sited, plus ``recycling`` (the four 四级 levels in turn).
KINDS: tuple[str, ...] = (
    "transfer_stations", "film_recycling_stations", "muck_disposal_sites", "muck_transfer_yards",
    *recycling.LEVEL_KINDS, "recycling",
)
#: Model used for each level when the whole recycling chain is sited.
CHAIN_MODELS = {"dropoff_points": "lscp", "collection_hubs": "cflp", "sorting_centers": "cflp",
                "recycling_markets": "lscp"}


@dataclass
class SitingOutcome:
    """What one siting run chose and wrote.

    Attributes
    ----------
    kind, model : str
    result : SitingResult
        The optimiser's result.
    sites : GeoDataFrame
        New sites, the facility kind's schema, status planned (+ ``fixed_cost_yuan``,
        ``load``, ``fused_with``).
    assignment : GeoDataFrame
        Lines from demand points to their sites with ``travel_m``.
    coverage_before, coverage_after : float
        Share of demand (coverage weight) within ``radius_m`` of a site before and after.
    radius_m : float
    left_out_demand_ids : list of str
        Demand points no site could reach within the cutoff, left out of a set-cover or
        capacitated plan (they still count as not covered).
    fused_hub_ids : list of str
        New hubs that share a transfer station's land (两网融合); empty for other kinds.
    notes : list of str
    paths : dict of str to Path
        ``sites`` (GeoPackage), ``summary`` (JSON) and ``plan`` (planned_sites.gpkg).
    levels : list of SitingOutcome
        For kind ``recycling``: one outcome per level, lowest first.
    """

    kind: str
    model: str
    result: SitingResult
    sites: gpd.GeoDataFrame
    assignment: gpd.GeoDataFrame
    coverage_before: float
    coverage_after: float
    radius_m: float
    unit: str
    fused_hub_ids: list[str] = field(default_factory=list)
    left_out_demand_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    levels: list["SitingOutcome"] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON summary written beside the sites."""
        r = self.result
        return {
            "kind": self.kind, "model": r.model, "formulation": r.formulation, "engine": r.engine,
            "status": r.status.value, "objective": r.objective, "objective_name": r.objective_name,
            "bound": r.bound, "gap": r.gap, "solve_time_s": round(r.solve_time_s, 3),
            "lp_relaxation_range": list(r.lp_relaxation_range) if r.lp_relaxation_range else None,
            "radius_m": self.radius_m, "demand_unit": self.unit,
            "coverage_before": round(self.coverage_before, 4), "coverage_after": round(self.coverage_after, 4),
            "new_site_ids": r.new_site_ids, "kept_existing_ids": r.kept_existing_ids,
            "open_site_ids": r.open_site_ids, "capacity_class": r.capacity_class,
            "fused_hub_ids": self.fused_hub_ids, "left_out_demand_ids": self.left_out_demand_ids,
            "infeasibility_reason": r.infeasibility_reason,
            "unreachable_demand_ids": r.unreachable_demand_ids, "notes": self.notes,
            "sites": [
                {k: (v if not isinstance(v, float) else round(v, 4)) for k, v in row.items() if k != "geometry"}
                for row in self.sites.drop(columns="geometry").to_dict("records")
            ],
        }

    def summary(self) -> str:
        """Lines a planner reads (Chinese first, English beside)."""
        if self.levels:
            return "\n\n".join(level.summary() for level in self.levels)
        label = layers.get_kind(self.kind).label
        lines = [f"{label} — {models.MODELS[self.model]}", self.result.summary(),
                 f"服务半径内覆盖 coverage within {self.radius_m:g} m: "
                 f"{self.coverage_before:.1%} → {self.coverage_after:.1%}"]
        if self.fused_hub_ids:
            lines.append("两网融合归集点 fused hubs (on transfer-station land): " + ", ".join(self.fused_hub_ids))
        lines += self.notes
        if self.paths:
            lines.append("输出 written: " + ", ".join(str(p) for p in self.paths.values()))
        return "\n".join(lines)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise GeoplanError(f"unknown facility kind {kind!r} for siting — use one of: {', '.join(KINDS)}")
    return kind


def _leave_out_unreachable(built: BuiltProblem) -> list[str]:
    """Give weight 0 to demand points no site can reach within the cutoff; return their ids.

    A set cover or capacitated plan must serve every point with weight; a point beyond
    the standard of every candidate would make the plan infeasible, so it is left out
    and named (coverage after the plan still counts it as not covered).
    """
    prob = built.problem
    if built.cutoff_m is None:
        return []
    indptr, _, _ = prob.pair_lists(built.cutoff_m)
    none = np.flatnonzero((np.diff(indptr) == 0) & (prob.demand_weight > 0))
    if none.size == 0:
        return []
    prob.demand_weight = prob.demand_weight.copy()
    prob.demand_weight[none] = 0.0
    ids = [prob.demand_ids[i] for i in none]
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    built.notes.append(
        f"{len(ids)} 个需求点在 {built.cutoff_m:g} m 内无可选站址，未计入 demand points beyond every site's "
        f"reach left out: {', '.join(ids[:10])}{more} — add candidate sites near them"
    )
    return ids


def _default_radius(scenario: Scenario, kind: str, collection_mode: str) -> float:
    if kind == "transfer_stations":
        return transfer_stations.service_radius_m(scenario, collection_mode)[0]
    if kind in muck.KINDS:
        return muck.haul_radius_m(scenario)
    return scenario.standards.value(kind, "service_radius_m")


def _build(scenario: Scenario, kind: str, model: str, radius_m: float | None, cutoff_m: float | None,
           collection_mode: str) -> BuiltProblem:
    if kind == "transfer_stations":
        return transfer_stations.build(scenario, model=model, radius_m=radius_m, cutoff_m=cutoff_m,
                                       collection_mode=collection_mode)
    if kind == "film_recycling_stations":
        return film.build(scenario, model=model, radius_m=radius_m, cutoff_m=cutoff_m)
    if kind in muck.KINDS:
        return muck.build(scenario, kind, model=model, radius_m=radius_m, cutoff_m=cutoff_m)
    return recycling.build(scenario, kind, model=model, radius_m=radius_m, cutoff_m=cutoff_m)


def run_siting(
    scenario: Scenario,
    kind: str,
    model: str,
    *,
    p: int | None = None,
    radius_m: float | None = None,
    time_limit_s: float | None = None,
    seed: int = 0,
    collection_mode: str = "small_vehicle",
    write: bool = True,
) -> SitingOutcome:
    """Site facilities of ``kind`` with ``model`` and write the plan into the scenario's output.

    Parameters
    ----------
    scenario : Scenario
    kind : str
        One of :data:`KINDS`; ``"recycling"`` sites the four 四级 levels in turn with
        :data:`CHAIN_MODELS` (``model`` then applies to level 1 only).
    model : {"lscp", "mclp", "p-median", "p-center", "cflp"}
    p : int, optional
        Number of new sites; needed by mclp, p-median and p-center, optional for cflp.
    radius_m : float, optional
        Service standard in metres of road distance; default the kind's standard in
        ``scenario.toml``. lscp, mclp and cflp keep only pairs within it; p-median and
        p-center use all pairs unless it is given.
    time_limit_s : float, optional
        Solver time limit, seconds; default ``scenario.time_limit_s``.
    seed : int
        Solver seed.
    collection_mode : {"small_vehicle", "manual"}
        Transfer stations only: picks the CJJ 47 service radius.
    write : bool
        Write the outputs (set False to only solve).

    Returns
    -------
    SitingOutcome

    Raises
    ------
    GeoplanError
        Unknown kind or model, no candidates of the kind, ``radius_m`` ≤ 0, ``p``
        missing for mclp / p-median / p-center.
    """
    _check_kind(kind)
    name = models.check_model(model, p)
    if radius_m is not None and not radius_m > 0:
        raise GeoplanError(f"--radius-m must be a positive number of metres, got {radius_m!r}")
    limit = float(scenario.time_limit_s if time_limit_s is None else time_limit_s)
    if not limit > 0:
        raise GeoplanError(f"time limit must be positive seconds, got {time_limit_s!r}")
    if kind == "recycling":
        return _run_chain(scenario, name, p=p, radius_m=radius_m, time_limit_s=limit, seed=seed, write=write)

    # covering and capacitated models only look at pairs within the standard; median and
    # centre models see every pair unless a radius is given
    cutoff = radius_m if radius_m is not None else (
        _default_radius(scenario, kind, collection_mode) if name in ("lscp", "mclp", "cflp") else None)
    built = _build(scenario, kind, name, radius_m, cutoff, collection_mode)
    left_out = _leave_out_unreachable(built) if name in ("lscp", "cflp") else []
    t0 = time.perf_counter()
    result = models.solve(built, name, p=p, time_limit_s=limit, seed=seed)
    result.solve_time_s = max(result.solve_time_s, time.perf_counter() - t0)
    existing = ~built.problem.is_new
    open_mask = np.zeros(built.problem.n_site, dtype=bool)
    open_mask[result.open_sites] = True
    sites = outputs.sites_layer(built, result)
    lines = outputs.assignment_lines(built, result, scenario.road_network)
    new_fused = sites.loc[sites["fused_with"].notna(), "id"].astype(str).tolist()
    notes = list(built.notes)
    if not result.is_feasible:
        notes.append(f"无可行方案 no feasible plan: {result.infeasibility_reason or result.status.value}")
    outcome = SitingOutcome(
        kind=kind, model=name, result=result, sites=sites, assignment=lines,
        coverage_before=built.coverage(existing),
        coverage_after=built.coverage(open_mask) if result.is_feasible else built.coverage(existing),
        radius_m=built.radius_m, unit=built.demand.unit, fused_hub_ids=new_fused, notes=notes,
        left_out_demand_ids=left_out,
    )
    if write:
        outcome.paths = outputs.write_outputs(scenario.output_dir, kind, sites, lines, outcome.to_dict())
    return outcome


def _run_chain(scenario: Scenario, model: str, *, p, radius_m, time_limit_s, seed, write) -> SitingOutcome:
    levels = []
    for i, kind in enumerate(recycling.LEVEL_KINDS):
        level_model = model if i == 0 else CHAIN_MODELS[kind]
        levels.append(run_siting(
            scenario, kind, level_model, p=p if i == 0 else None, radius_m=radius_m if i == 0 else None,
            time_limit_s=time_limit_s, seed=seed, write=True,
        ))
    hubs = levels[1]
    return SitingOutcome(
        kind="recycling", model=hubs.model, result=hubs.result, sites=hubs.sites, assignment=hubs.assignment,
        coverage_before=levels[0].coverage_before, coverage_after=levels[0].coverage_after,
        radius_m=levels[0].radius_m, unit=levels[0].unit, fused_hub_ids=hubs.fused_hub_ids,
        paths={f"{lv.kind}_{k}": v for lv in levels for k, v in lv.paths.items()}, levels=levels,
    )


def demo_siting(scenario: Scenario, time_limit_s: float | None = None) -> list[SitingOutcome]:
    """One sensible siting per kind on the demo county.

    Transfer stations: MCLP adding 3 stations within the 3 km standard; film stations:
    LSCP with at least one station per township; muck disposal: capacitated within the
    haul limit; recycling: the 四级 chain (drop-off LSCP, fused hubs CFLP, sorting
    centre CFLP, market LSCP).
    """
    kw = dict(time_limit_s=time_limit_s, seed=scenario.seed)
    return [
        run_siting(scenario, "transfer_stations", "mclp", p=3, **kw),
        run_siting(scenario, "film_recycling_stations", "lscp", **kw),
        run_siting(scenario, "muck_disposal_sites", "cflp", **kw),
        run_siting(scenario, "recycling", "lscp", **kw),
    ]
