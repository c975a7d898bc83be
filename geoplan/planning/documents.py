"""The plan's documents: indicators per year against the targets, the project list, the map.

The indicators of each year are those of :func:`geoplan.indicators.compute_indicators` on the
county as the plan leaves it that year — the same reading the report makes once the plan is
adopted, so the figures of the plan and of the report are one and the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd

import layers
from geoplan.indicators import IndicatorReport, compute_indicators
from geoplan.indicators.coverage import TARGET_TOLERANCE, district_names
from geoplan.planning.target_plan import Plan
from geoplan.scenario import Scenario
from geoplan.standards import BUILD_YEARS, PROJECT_NAMES, REFIT_COST
from geoplan.workbook import save_workbook

#: Project list columns, in the order of the plans' 项目清单 (Lianyungang ETDZ plan), then
#: what a planner needs to find the site again.
PROJECT_COLUMNS = ("序号", "项目名称", "实施主体", "工程建设内容", "总投资（万元）", "建设期限",
                   "所在街道/镇", "规模", "投入使用年份", "站址编号", "造价依据")


@dataclass
class PlanReading:
    """The indicators of the county in each year of a plan.

    Attributes
    ----------
    by_year : dict of int to IndicatorReport
        Read with the shares due that year (capacity goes to them first).
    """

    by_year: dict[int, IndicatorReport]

    @property
    def final(self) -> IndicatorReport:
        return self.by_year[max(self.by_year)]

    def table(self, scenario: Scenario) -> pd.DataFrame:
        """One row per target and year: the share due, the share reached, 达标 / 未达标."""
        rows = []
        for year, report in self.by_year.items():
            for key, ind in report.coverage.items():
                target = scenario.targets[key]
                due = target.share_in(year)
                rows.append({"key": key, "label": ind.label, "year": year, "due": due, "target": target.target,
                             "target_year": target.year, "actual": round(ind.actual, 4),
                             "status": ("—" if due <= 0 else "达标" if ind.actual + TARGET_TOLERANCE >= due else "未达标")})
        return pd.DataFrame(rows)

    def all_met(self, scenario: Scenario) -> bool:
        """Whether every share due in every year is reached (``—``: none due that year)."""
        t = self.table(scenario)
        return bool(len(t)) and bool((t["status"] != "未达标").all())


def read_plan(scenario: Scenario, plan: Plan) -> PlanReading:
    """The indicators of every year from ``[plan] start_year`` to the plan's last, on the county as
    the plan leaves it that year."""
    years = range(min(scenario.plan.start_year, min(plan.years)), max(plan.years) + 1)
    return PlanReading({year: compute_indicators(scenario, "plan", facilities=plan.facilities(scenario, year),
                                                 year=year) for year in years})


def _scale(kind: str, capacity: float, size: str) -> str:
    field = layers.get_kind(kind).capacity_field or ""
    unit = {"capacity_t_per_d": "t/d", "capacity_t_per_yr": "t/a", "capacity_m3": "m³"}.get(field, "")
    if not np.isfinite(capacity):
        return "—"
    text = f"{capacity:,.{0 if capacity >= 10 else 1}f} {unit}".strip()
    if kind == "transfer_stations":
        text += f"（{layers.station_class(capacity)} 类）"
    return text


def _cost_source(scenario: Scenario, kind: str, origin: str, size: str) -> str:
    if origin == "refit":
        return f"[plan] refit_cost_yuan = {scenario.plan.refit_cost_yuan / 1e4:g} 万元 (default: {REFIT_COST.source})"
    if origin == "generated":
        cost = next((p for p in scenario.new_sites[kind].source.split("; ") if p.startswith("fixed_cost_yuan")), "")
        return f"[new_sites.{kind}] {cost}" + (f"; 规模 {size} 按 0.6 次方 scaled by the 0.6 rule" if size != "design"
                                              else "")
    if size != "design":
        return "备选站址造价按 0.6 次方折算 candidate's cost scaled to the class by the 0.6 rule (assumption)"
    return "备选站址图层 fixed_cost_yuan (candidate layer)"


def project_list(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """The project list in the plans' shape, one row per new site (see :data:`PROJECT_COLUMNS`).

    建设期限 runs from the start of works to the year the site is in service
    (:data:`geoplan.standards.BUILD_YEARS`, never before ``[plan] start_year``).
    """
    sites = plan.new_sites
    if len(sites) == 0:
        return pd.DataFrame(columns=list(PROJECT_COLUMNS))
    district = district_names(sites, scenario.layers.get("districts")).fillna("").astype(str).tolist()
    rows = []
    for n, (row, place) in enumerate(zip(sites.itertuples(), district), start=1):
        name, content = PROJECT_NAMES["refit" if row.origin == "refit" else row.kind]
        start = max(scenario.plan.start_year, int(row.year) - BUILD_YEARS.get(row.kind, 1) + 1)
        period = str(row.year) if start == row.year else f"{start}–{row.year}"
        scale = _scale(row.kind, float(row.capacity), str(row.size))
        rows.append({
            "序号": n,
            "项目名称": f"{place}{name}（{row.id}）",
            "实施主体": scenario.plan.implementers.get(row.kind, ""),
            "工程建设内容": (f"{content}：{row.name}" if row.origin == "refit"
                       else f"{content} 1 处，规模 {scale}，站址：{row.name}"),
            "总投资（万元）": round(float(row.fixed_cost_yuan) / 1e4, 1),
            "建设期限": period,
            "所在街道/镇": place,
            "规模": scale,
            "投入使用年份": int(row.year),
            "站址编号": row.id,
            "造价依据": _cost_source(scenario, row.kind, str(row.origin), str(row.size)),
        })
    return pd.DataFrame(rows, columns=list(PROJECT_COLUMNS))


def spending_by_year(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """Building cost per year of service and kind, 万元, with each year's budget."""
    sites = plan.new_sites
    rows = []
    for year in range(min(scenario.plan.start_year, min(plan.years)), max(plan.years) + 1):
        part = sites[sites["year"] == year]
        budget = scenario.plan.budget_in(year)
        rows.append({"year": year, "sites": len(part), "cost_wan_yuan": round(part["fixed_cost_yuan"].sum() / 1e4, 1),
                     "budget_wan_yuan": round(budget / 1e4, 1) if np.isfinite(budget) else None})
    return pd.DataFrame(rows)


def write_project_workbook(projects: pd.DataFrame, indicators: pd.DataFrame, spending: pd.DataFrame, path) -> None:
    """``projects.xlsx``: the project list, the indicators per year and the spending per year, each a sheet
    with a frozen header and set column widths."""
    save_workbook([("项目清单 projects", projects), ("指标 indicators by year", indicators),
                   ("投资 spending by year", spending)], path)


def plan_map(scenario: Scenario, plan: Plan, reading: PlanReading, tiles: str = "osm") -> folium.Map:
    """The map of the plan: new sites by kind (popups with year, size and cost), the demand of each
    target covered or not in the last year, districts, and the indicators per year."""
    from maps import add_areas, add_demand_coverage, add_facilities, add_indicator_panel, finish_map, new_map

    final = reading.final
    demand = {}
    for ind in final.coverage.values():
        if ind.demand_kind not in demand:
            demand[ind.demand_kind] = ind.demand
    extent = [scenario.layers["districts"]] if "districts" in scenario.layers else list(demand.values())
    m = new_map(extent, tiles=tiles, title=f"{scenario.name} — 规划方案 / the plan ({min(plan.years)}–{max(plan.years)})")
    if "districts" in scenario.layers:
        add_areas(m, "districts", scenario.layers["districts"], tiles)
    add_demand_coverage(m, demand, tiles)
    county = plan.facilities(scenario, max(plan.years))
    add_facilities(m, {kind: county[kind] for kind in dict.fromkeys(plan.new_sites["kind"])}, tiles)
    table = reading.table(scenario)
    last = table[table["year"] == table["year"].max()]
    panel = final.table()
    if not panel.empty:
        add_indicator_panel(m, panel[panel["key"].isin(last["key"])], title=f"指标 / indicators — {max(plan.years)}")
    return finish_map(m)
