"""Indicator tables as CSV and JSON, and the HTML summary page of a scenario."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geoplan.indicators import IndicatorReport, before_after
from geoplan.indicators.report import STATE_LABELS
from geoplan.outputs import jsonable, write_text
from geoplan.scenario import Scenario


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    # utf-8-sig: Excel on Chinese Windows opens it with the right characters.
    return write_text(path, "\ufeff" + frame.to_csv(index=False))


def _records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None:
        return []
    return [{k: jsonable(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@dataclass
class IndicatorTables:
    """The indicator tables of a scenario, as every published format shows them.

    Attributes
    ----------
    comparison : DataFrame
        One row per indicator: target, existing and plan values and statuses (shares 0–1).
    by_district : DataFrame
        Coverage per district and indicator, ``state`` existing or plan.
    station_loads : DataFrame or None
        The plan's transfer-station loads (t/d).
    uncovered : DataFrame
        The plan's demand points outside the standard, with their ``indicator``.
    document : dict
        ``indicators.json``: the same values as JSON records (non-finite numbers as null).
    """

    comparison: pd.DataFrame
    by_district: pd.DataFrame
    station_loads: pd.DataFrame | None
    uncovered: pd.DataFrame
    document: dict


def indicator_tables(scenario: Scenario, existing: IndicatorReport, plan: IndicatorReport) -> IndicatorTables:
    """The before/after comparison, per-district coverage, loads and uncovered demand of the plan."""
    comparison = before_after(existing, plan)
    uncovered = pd.concat(
        [c.uncovered.drop(columns=c.uncovered.geometry.name).assign(indicator=k) for k, c in plan.coverage.items()],
        ignore_index=True,
    ) if plan.coverage else pd.DataFrame()
    doc = {
        "scenario": scenario.name,
        "indicators": _records(comparison),
        "existing": {"table": _records(existing.table()), "station_loads": _records(existing.station_loads),
                     "recycling_chain": _records(existing.chain),
                     "hauls": {k: _records(v) for k, v in existing.hauls.items()}},
        "plan": {"table": _records(plan.table()), "station_loads": _records(plan.station_loads),
                 "recycling_chain": _records(plan.chain),
                 "hauls": {k: _records(v) for k, v in plan.hauls.items()}},
    }
    by_district = pd.concat([existing.district_table().assign(state="existing"),
                             plan.district_table().assign(state="plan")])
    return IndicatorTables(comparison, by_district, plan.station_loads, uncovered, doc)


def write_indicator_tables(scenario: Scenario, tables: IndicatorTables) -> list[Path]:
    """``indicators.csv`` / ``.json`` (before and after), per-district coverage, loads, uncovered demand."""
    out = scenario.output_dir
    paths = [_csv(tables.comparison, out / "indicators.csv"), _csv(tables.by_district, out / "indicators_by_district.csv")]
    if tables.station_loads is not None:
        paths.append(_csv(tables.station_loads, out / "transfer_station_loads.csv"))
    paths.append(_csv(tables.uncovered, out / "uncovered_demand.csv"))
    paths.append(write_text(out / "indicators.json", json.dumps(tables.document, ensure_ascii=False, indent=2)))
    return paths


def table_html(frame: pd.DataFrame, percent: tuple[str, ...] = ()) -> str:
    cells = []
    for _, row in frame.iterrows():
        tds = []
        for col in frame.columns:
            v = row[col]
            if col in percent and isinstance(v, (int, float, np.floating)) and np.isfinite(v):
                text = f"{v:.1%}"
            elif isinstance(v, (float, np.floating)):
                text = "" if not np.isfinite(v) else f"{v:,.2f}"
            else:
                text = str(v)
            cls = ' class="ok"' if text == "达标" else ' class="bad"' if text == "未达标" else ""
            tds.append(f"<td{cls}>{html.escape(text)}</td>")
        cells.append("<tr>" + "".join(tds) + "</tr>")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(cells)}</tbody></table>"


def has_rows(frame: pd.DataFrame | None) -> bool:
    """Whether a table has anything to show."""
    return frame is not None and len(frame) > 0


def summary_page(scenario: Scenario, existing: IndicatorReport, plan: IndicatorReport,
                 maps: dict[str, str], extra_sections: list[tuple[str, str]] = (),
                 edition_lines: list[str] = ()) -> str:
    """The HTML summary: the title block (``edition_lines``: date, coordinate system, sources),
    indicators before and after, loads, the 四级两网 chain, links to the maps."""
    comparison = before_after(existing, plan)
    shown = comparison.rename(columns={
        "label": "指标 / indicator", "target": "目标 / target", "actual_existing": "现状 / existing",
        "status_existing": "现状状态", "actual_plan": "规划 / plan", "status_plan": "规划状态",
        "change": "变化 / change"}).drop(columns=["key"])
    pct = ("目标 / target", "现状 / existing", "规划 / plan", "变化 / change")
    # a section without data (no transfer stations, no 四级两网 sites, no hauls) is left out, not shown empty
    sections = [("规划指标 / plan indicators", table_html(shown, pct))] if len(shown) else []
    if has_rows(plan.station_loads):
        sections.append(("中转站负荷 / transfer-station loads (t/d)", table_html(plan.station_loads)))
    if has_rows(plan.chain) and plan.chain["sites"].sum() > 0:
        sections.append(("四级两网 / recycling chain", table_html(plan.chain, ("share",))))
    for key, table in plan.hauls.items():
        if has_rows(table):
            sections.append((f"运距 / haul distances: {key}", table_html(table)))
    sections += list(extra_sections)
    links = "".join(f'<li><a href="{html.escape(f)}">{html.escape(t)}</a></li>' for t, f in maps.items())
    body = "".join(f"<h2>{html.escape(t)}</h2>{content}" for t, content in sections)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(scenario.name)} — 规划评估 / plan assessment</title>
<style>body{{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:0.5em 0 1.5em}}td,th{{border:1px solid #bbb;padding:3px 8px;font-size:13px}}
th{{background:#eee}}td.ok{{color:#1b5e20;font-weight:bold}}td.bad{{color:#b71c1c;font-weight:bold}}</style></head>
<body><h1>{html.escape(scenario.name)} — 规划评估 / plan assessment</h1>
<p style="color:#555;font-size:13px">{"<br>".join(html.escape(line) for line in edition_lines)}</p>
<p>{html.escape(STATE_LABELS['existing'])} vs {html.escape(STATE_LABELS['plan'])}; network distances on the road network.</p>
<h2>专题地图 / maps</h2><ul>{links}</ul>{body}</body></html>"""


@dataclass
class AdoptedPlanTables:
    """The adopted plan alternative's tables, read back from ``output/plans/<name>/``."""

    name: str
    folder: Path
    by_year: pd.DataFrame | None
    projects: pd.DataFrame | None
    alternative: dict

    @property
    def total_cost_wan_yuan(self) -> float:
        """Building cost of every project, 万元."""
        return float(self.projects["总投资（万元）"].sum()) if self.projects is not None and len(self.projects) else 0.0


def adopted_plan_tables(scenario: Scenario) -> AdoptedPlanTables | None:
    """The adopted alternative's indicators per year, project list and record (None when none is adopted)."""
    from geoplan.outputs import read_output_json, read_output_table
    from geoplan.planning import alternatives

    name = alternatives.adopted_name(scenario)
    if name is None:
        return None
    folder = alternatives.plans_dir(scenario) / name
    remade = "a new run of geoplan plan"
    by_year = (read_output_table(folder / "indicators_by_year.csv", remade)
               if (folder / "indicators_by_year.csv").exists() else None)
    projects = (read_output_table(folder / "projects.csv", remade, dtype={"建设期限": str})
                if (folder / "projects.csv").exists() else None)
    record = read_output_json(folder / "alternative.json", remade) if (folder / "alternative.json").exists() else {}
    return AdoptedPlanTables(name, folder, by_year, projects, record)


def route_tables(scenario: Scenario) -> pd.DataFrame | None:
    """Every routed workflow's routes, one row per vehicle route (``output/routes_<workflow>.csv``)."""
    from geoplan.outputs import read_output_table

    frames = [read_output_table(p, f"geoplan route DIR --workflow {p.stem.removeprefix('routes_')}")
              for p in sorted(scenario.output_dir.glob("routes_*.csv"))]
    return pd.concat(frames, ignore_index=True) if frames else None


def route_totals(scenario: Scenario) -> pd.DataFrame | None:
    """Totals of every routed workflow (``output/routes_<workflow>.json``): vehicles, km, t·km, fuel, CO₂."""
    from geoplan.outputs import read_output_json

    rows = []
    for path in sorted(scenario.output_dir.glob("routes_*.json")):
        doc = read_output_json(path, f"geoplan route DIR --workflow {path.stem.removeprefix('routes_')}")
        t = doc.get("totals", {})
        rows.append({"workflow": doc.get("workflow", path.stem), "engine": doc.get("engine"),
                     "routes": t.get("routes"), "load_t": t.get("load_t"), "km": t.get("km"),
                     "tonne_km": t.get("tonne_km"), "fuel_l": t.get("fuel_l"), "co2_kg": t.get("co2_kg"),
                     "unserved": len(doc.get("unserved", []))})
    return pd.DataFrame(rows) if rows else None
