"""``run_siting``: build a kind's problem from a scenario, solve it, write the plan."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np

import layers
from layers.errors import GeoplanError, NoResult
from optimizers.siting import SitingResult
from geoplan.indicators.coverage import COVERED_TOLERANCE, CoverageIndicator
from geoplan.indicators.report import (PLANNED_SITES_FILE, IndicatorReport, compute_indicators, county_facilities,
                                       facilities_for, with_sites)
from geoplan.planning import alternatives
from geoplan.scenario import Scenario
from geoplan.siting import film, models, muck, outputs, recycling, transfer_stations
from geoplan.siting.problem_builder import BuiltProblem, leave_out_unreachable

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
        ``sites`` (GeoPackage), ``summary`` (JSON) and ``plan`` (the alternative's planned_sites.gpkg).
    levels : list of SitingOutcome
        For kind ``recycling``: one outcome per level, lowest first.
    indicators : dict of str to CoverageIndicator
        The kind's targets read on the plan this run makes (the report's reading once adopted).
    report : IndicatorReport or None
        Every indicator of that plan (first part of a run only).
    alternative : str or None
        Name of the plan alternative written.
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
    indicators: dict[str, CoverageIndicator] = field(default_factory=dict)
    report: IndicatorReport | None = None
    alternative: str | None = None

    def to_dict(self) -> dict:
        """The JSON summary written beside the sites."""
        r = self.result
        return {
            "kind": self.kind, "model": r.model, "formulation": r.formulation, "engine": r.engine,
            "status": r.status.value, "objective": r.objective, "objective_name": r.objective_name,
            "bound": r.bound, "gap": r.gap,
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
        adopt = ([f"方案 alternative {self.alternative!r} — the plan changes only with "
                  f"`geoplan plan adopt DIR {self.alternative}`"] if self.alternative else [])
        if self.levels:
            return "\n".join(["\n\n".join(level.summary() for level in self.levels), *adopt])
        label = layers.get_kind(self.kind).label
        lines = [f"{label} — {models.MODELS[self.model]}", self.result.summary(),
                 f"模型 model: 服务半径内覆盖 coverage within {self.radius_m:g} m: "
                 f"{self.coverage_before:.1%} → {self.coverage_after:.1%}"]
        for ind in self.indicators.values():
            lines.append(f"指标（本方案）indicator of this alternative: {ind.label}: {ind.actual:.1%} "
                         f"(target {ind.target:.0%}) {ind.status}")
        if self.fused_hub_ids:
            lines.append("两网融合归集点 fused hubs (on transfer-station land): " + ", ".join(self.fused_hub_ids))
        lines += self.notes
        if self.paths:
            lines.append("输出 written: " + ", ".join(str(p) for p in self.paths.values()))
        return "\n".join(lines + adopt)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise GeoplanError(f"unknown facility kind {kind!r} for siting — use one of: {', '.join(KINDS)}")
    return kind


def _default_radius(scenario: Scenario, kind: str, collection_mode: str) -> float:
    if kind == "transfer_stations":
        return transfer_stations.service_radius_m(scenario, collection_mode)[0]
    if kind in muck.KINDS:
        return muck.haul_radius_m(scenario)
    return scenario.standards.value(kind, "service_radius_m")


def _build(scenario: Scenario, kind: str, model: str, radius_m: float | None, cutoff_m: float | None,
           collection_mode: str, plan: dict[str, gpd.GeoDataFrame]) -> BuiltProblem:
    if kind == "transfer_stations":
        return transfer_stations.build(scenario, model=model, radius_m=radius_m, cutoff_m=cutoff_m,
                                       collection_mode=collection_mode)
    if kind == "film_recycling_stations":
        return film.build(scenario, model=model, radius_m=radius_m, cutoff_m=cutoff_m)
    if kind in muck.KINDS:
        return muck.build(scenario, kind, model=model, radius_m=radius_m, cutoff_m=cutoff_m)
    return recycling.build(scenario, kind, model=model, radius_m=radius_m, cutoff_m=cutoff_m, plan=plan)


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
    name: str | None = None,
) -> SitingOutcome:
    """Site facilities of ``kind`` with ``model`` and write them as a plan alternative.

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
        Write the alternative (set False to only solve).
    name : str, optional
        Name of the alternative (``output/plans/<name>/``); default ``site-<kind>-<model>``
        (``-2``, ``-3`` … when taken). The plan itself changes only by ``geoplan plan adopt``.

    Returns
    -------
    SitingOutcome
        With ``indicators``: the targets of the kind read on the plan the alternative makes,
        and the sites' ``load`` as those indicators allocate it.

    Raises
    ------
    GeoplanError
        Unknown kind or model, no candidates of the kind, ``radius_m`` ≤ 0, ``p``
        missing for mclp / p-median / p-center, ``name`` taken.
    NoResult
        No feasible plan, or no demand point within reach of any site (nothing written).
    """
    _check_kind(kind)
    name_ = models.check_model(model, p)
    if radius_m is not None and not radius_m > 0:
        raise GeoplanError(f"--radius-m must be a positive number of metres, got {radius_m!r}")
    limit = float(scenario.time_limit_s if time_limit_s is None else time_limit_s)
    if not limit > 0:
        raise GeoplanError(f"time limit must be positive seconds, got {time_limit_s!r}")
    if name is not None:
        alternatives.check_free(scenario, name)  # before the solve, not after
    plan = facilities_for(scenario, "plan")
    if kind == "recycling":
        levels = []
        for i, level in enumerate(recycling.LEVEL_KINDS):
            part = site_kind(scenario, level, name_ if i == 0 else CHAIN_MODELS[level], p=p if i == 0 else None,
                              radius_m=radius_m if i == 0 else None, limit=limit, seed=seed,
                              collection_mode=collection_mode, plan=plan)
            plan = _replace_kind(plan, level, part.sites, scenario)
            levels.append(part)
        hubs = levels[1]
        outcome = SitingOutcome(
            kind="recycling", model=hubs.model, result=hubs.result, sites=hubs.sites, assignment=hubs.assignment,
            coverage_before=levels[0].coverage_before, coverage_after=levels[0].coverage_after,
            radius_m=levels[0].radius_m, unit=levels[0].unit, fused_hub_ids=hubs.fused_hub_ids, levels=levels)
        parts = levels
    else:
        outcome = site_kind(scenario, kind, name_, p=p, radius_m=radius_m, limit=limit, seed=seed,
                             collection_mode=collection_mode, plan=plan)
        plan = _replace_kind(plan, kind, outcome.sites, scenario)
        parts = [outcome]
    _read_indicators(scenario, parts, plan)
    if write:
        label = name or alternatives.free_name(scenario, f"site-{kind}-{name_}")
        folder = _write_alternative(scenario, label, parts, plan, f"geoplan site --kind {kind} --model {name_}"
                                    + (f" --p {p}" if p is not None else "")
                                    + (f" --radius-m {radius_m:g}" if radius_m is not None else ""))
        outcome.alternative = label
        for part in parts:
            part.paths = {k: folder / f"sites_{part.kind}.{ext}" for k, ext in (("sites", "gpkg"), ("summary", "json"))}
        outcome.paths = {f"{part.kind}_{k}": v for part in parts for k, v in part.paths.items()} if outcome.levels \
            else dict(outcome.paths)
        outcome.paths["plan"] = folder / PLANNED_SITES_FILE
    return outcome


def site_kind(scenario: Scenario, kind: str, model: str, *, p, radius_m, limit, seed, collection_mode,
               plan: dict[str, gpd.GeoDataFrame]) -> SitingOutcome:
    """Site one kind with ``model`` against the facilities of ``plan`` (layers by kind); nothing is written.

    Raises
    ------
    NoResult
        No feasible plan, or no demand point within reach of any site.
    """
    # covering and capacitated models only look at pairs within the standard; median and
    # centre models see every pair unless a radius is given
    cutoff = radius_m if radius_m is not None else (
        _default_radius(scenario, kind, collection_mode) if model in ("lscp", "mclp", "cflp") else None)
    built = _build(scenario, kind, model, radius_m, cutoff, collection_mode, plan)
    left_out = leave_out_unreachable(built) if model in ("lscp", "cflp") else []
    prob = built.problem
    if built.cutoff_m is not None and prob.demand_weight.sum() <= 0 and len(left_out):
        raise NoResult(f"{kind}: no demand point has a site within {built.cutoff_m:g} m — nothing to site; "
                       "use a larger --radius-m or add candidate sites near the demand")
    if not prob.demand_weight.sum() > 0:
        raise NoResult(f"{kind}: the demand to serve adds up to 0 {built.demand.unit} — nothing to site; check "
                       "the demand layers' values (a column of zeros, or the wrong column mapped)")
    t0 = time.perf_counter()
    result = models.solve(built, model, p=p, time_limit_s=limit, seed=seed)
    result.solve_time_s = max(result.solve_time_s, time.perf_counter() - t0)
    if not result.is_feasible:
        raise NoResult(f"{kind} ({model}): no feasible plan — "
                       f"{models.why_no_plan(result.status.value, result.infeasibility_reason or '', limit)}; "
                       "nothing was written")
    existing = ~prob.is_new
    open_mask = np.zeros(prob.n_site, dtype=bool)
    open_mask[result.open_sites] = True
    before, after = built.coverage(existing), built.coverage(open_mask)
    if model == "mclp" and not after > before + COVERED_TOLERANCE:
        raise NoResult(f"{kind} (mclp): the new sites cover no demand within {built.cutoff_m:g} m beyond what the "
                       f"sites there cover already ({before:.1%}) — nothing to gain; use a larger --radius-m, or "
                       "candidate sites nearer the uncovered demand; nothing was written")
    sites = outputs.sites_layer(built, result)
    lines = outputs.assignment_lines(built, result, scenario.road_network)
    return SitingOutcome(
        kind=kind, model=model, result=result, sites=sites, assignment=lines,
        coverage_before=before, coverage_after=after,
        radius_m=built.radius_m, unit=built.demand.unit,
        fused_hub_ids=sites.loc[sites["fused_with"].notna(), "id"].astype(str).tolist(), notes=list(built.notes),
        left_out_demand_ids=left_out,
    )


def _replace_kind(plan: dict[str, gpd.GeoDataFrame], kind: str, sites: gpd.GeoDataFrame,
                  scenario: Scenario) -> dict[str, gpd.GeoDataFrame]:
    """The plan's facilities with ``kind``'s sited layer replaced by ``sites`` (layers.gpkg's kept)."""
    out = {k: v for k, v in plan.items() if k != kind}
    out = with_sites(out, kind, county_facilities(scenario).get(kind))
    return with_sites(out, kind, sites)


def _read_indicators(scenario: Scenario, parts: list[SitingOutcome], plan: dict[str, gpd.GeoDataFrame]) -> None:
    """Each part's targets read on ``plan`` (:func:`compute_indicators`), and its sites' loads as they allocate them."""
    report = compute_indicators(scenario, "plan", facilities=plan)
    for part in parts:
        part.indicators = {k: c for k, c in report.coverage.items() if c.facility_kind == part.kind}
        loads = report.loads.get(part.kind)
        if loads is not None and len(part.sites):
            part.sites["load"] = part.sites["id"].astype(str).map(loads.set_index("id")["load"]).fillna(0.0).to_numpy()
    parts[0].report = report


def _write_alternative(scenario: Scenario, label: str, parts: list[SitingOutcome], plan, command: str) -> Path:
    new = {part.kind: part.sites for part in parts}
    layers_out = alternatives.plan_layers(scenario, new, set(new))
    report = parts[0].report
    table = report.table()
    sites = alternatives.site_records(layers_out)
    meta = {
        "command": command, "kinds": [part.kind for part in parts], "new_sites": len(sites),
        "cost_wan_yuan": round(sum(r["fixed_cost_yuan"] or 0.0 for r in sites) / 1e4, 1),
        "targets_met": f"{int((table['status'] == '达标').sum())}/{len(table)}" if len(table) else "0/0",
        "indicators": [{"key": r.key, "year": scenario.targets[r.key].year, "due": r.target, "actual": r.actual,
                        "status": r.status} for r in table.itertuples()],
        "sites": sites,
    }

    def fill(folder: Path) -> None:
        if layers_out:
            layers.write_layers(layers_out, folder / PLANNED_SITES_FILE)
        for part in parts:
            outputs.write_outputs(folder, part.kind, part.sites, part.assignment, part.to_dict())

    return alternatives.write_alternative(scenario, label, meta, fill)
