"""``run_plan``: plan to the targets and write the result as a plan alternative (never over the plan)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import layers
from layers.errors import GeoplanError
from geoplan.indicators.report import PLANNED_SITES_FILE
from geoplan.planning import alternatives
from geoplan.planning.documents import (PlanReading, plan_map, project_list, read_plan, spending_by_year,
                                        write_project_workbook)
from geoplan.planning.target_plan import Plan, complete_chain, make_plan, planned_layer
from geoplan.scenario import Scenario
from geoplan.siting.candidates import assumptions


@dataclass
class PlanOutcome:
    """A plan, its reading year by year, and the alternative it was written as."""

    name: str
    plan: Plan
    reading: PlanReading
    projects: pd.DataFrame
    indicators: pd.DataFrame
    folder: Path | None = None

    def summary(self) -> str:
        r = self.plan.result
        lines = [f"规划方案 plan alternative {self.name!r}: {r.summary()}"]
        for row in self.indicators[self.indicators["due"] > 0].itertuples():
            lines.append(f"  {row.year} {row.label}: {row.actual:.1%} (due {row.due:.0%}) {row.status}")
        lines += [f"  {n}" for n in self.plan.notes]
        if self.folder is not None:
            lines.append(f"写入 written: {self.folder} — adopt it with `geoplan plan adopt {self.folder.parents[2]} "
                         f"{self.name}`")
        return "\n".join(lines)


def _assumptions(scenario: Scenario, plan: Plan) -> list[str]:
    """The unit costs and sizes the plan's generated sites and refits carry, with their sources."""
    kinds = sorted(set(plan.new_sites["kind"])) if len(plan.new_sites) else []
    out = [f"{kind}: {'; '.join(assumptions(scenario, kind))}" for kind in kinds]
    return out + [f"两网融合 refit: {scenario.plan.refit_cost_yuan:g} yuan ([plan] refit_cost_yuan)"]


def run_plan(scenario: Scenario, *, name: str | None = None, time_limit_s: float | None = None, seed: int = 0,
             tiles: str = "osm", write: bool = True, command: str = "geoplan plan") -> PlanOutcome:
    """Plan to every target and write the plan as alternative ``name`` (default ``plan``, ``plan-2`` …).

    Writes ``output/plans/<name>/``: ``planned_sites.gpkg`` (the plan if adopted),
    ``projects.csv`` / ``projects.xlsx`` (the project list), ``indicators_by_year.csv``,
    ``spending_by_year.csv``, ``facility_loads.csv``, ``uncovered_demand.csv``,
    ``map_plan.html`` and ``alternative.json``. ``output/planned_sites.gpkg`` is not touched.

    Raises
    ------
    NoFeasiblePlan
        No plan meets the targets (nothing is written).
    GeoplanError
        Bad input, or ``name`` taken by another alternative.
    """
    if name is not None:
        alternatives.check_name(name)
        if (alternatives.plans_dir(scenario) / name).exists():
            raise GeoplanError(f"{alternatives.plans_dir(scenario) / name}: a plan alternative of that name "
                                      "exists and is kept — choose another --name")
    plan = make_plan(scenario, time_limit_s=time_limit_s, seed=seed)
    complete_chain(scenario, plan, time_limit_s=float(scenario.time_limit_s if time_limit_s is None else time_limit_s),
                   seed=seed)
    reading = read_plan(scenario, plan)
    indicators = reading.table(scenario)
    projects = project_list(scenario, plan)
    outcome = PlanOutcome(name or "plan", plan, reading, projects, indicators)
    if write:
        outcome.name = name or alternatives.free_name(scenario, "plan")
        outcome.folder = _write(scenario, outcome, tiles, command)
    return outcome


def _write(scenario: Scenario, outcome: PlanOutcome, tiles: str, command: str) -> Path:
    plan, reading = outcome.plan, outcome.reading
    new = {kind: planned_layer(kind, part) for kind, part in plan.new_sites.groupby("kind")}
    layers_out = alternatives.plan_layers(scenario, new, set(plan.kinds) | set(new))
    sites = alternatives.site_records(layers_out)
    final = reading.final
    loads = pd.concat([t.assign(kind=k) for k, t in final.loads.items()], ignore_index=True) if final.loads else \
        pd.DataFrame()
    uncovered = pd.concat([c.uncovered.drop(columns=c.uncovered.geometry.name).assign(indicator=k)
                           for k, c in final.coverage.items()], ignore_index=True)
    spending = spending_by_year(plan, scenario)
    met = int((outcome.indicators.groupby("key")["status"].apply(lambda s: (s != "未达标").all())).sum())
    r = plan.result
    meta = {
        "command": command, "kinds": sorted(plan.kinds), "years": plan.years, "status": r.status.value,
        "cost_wan_yuan": round(sum(x["fixed_cost_yuan"] or 0.0 for x in sites) / 1e4, 1),
        "bound_wan_yuan": round(r.bound_yuan / 1e4, 1), "gap": round(r.gap, 6), "new_sites": len(sites),
        "targets_met": f"{met}/{outcome.indicators['key'].nunique()}",
        "indicators": outcome.indicators[["key", "year", "due", "actual", "status"]].to_dict("records"),
        "sites": sites,
        "new_site_details": plan.new_sites.drop(columns="geometry")[["kind", "id", "name", "year", "size", "capacity",
                                                                     "fixed_cost_yuan", "origin"]].to_dict("records"),
        "assumptions": _assumptions(scenario, plan), "notes": plan.notes,
    }

    def fill(folder: Path) -> None:
        if layers_out:
            layers.write_layers(layers_out, folder / PLANNED_SITES_FILE)
        outcome.projects.to_csv(folder / "projects.csv", index=False, encoding="utf-8-sig")
        write_project_workbook(outcome.projects, outcome.indicators, spending, folder / "projects.xlsx")
        outcome.indicators.to_csv(folder / "indicators_by_year.csv", index=False, encoding="utf-8-sig")
        spending.to_csv(folder / "spending_by_year.csv", index=False, encoding="utf-8-sig")
        loads.to_csv(folder / "facility_loads.csv", index=False, encoding="utf-8-sig")
        uncovered.to_csv(folder / "uncovered_demand.csv", index=False, encoding="utf-8-sig")
        from geoplan.publish import save_map

        save_map(plan_map(scenario, plan, reading, tiles), folder / "map_plan.html")

    return alternatives.write_alternative(scenario, outcome.name, meta, fill)
