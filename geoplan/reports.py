"""Indicator tables as CSV and JSON, and the HTML summary page of a scenario."""

from __future__ import annotations

import html
import json
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


def write_indicator_tables(scenario: Scenario, existing: IndicatorReport, plan: IndicatorReport) -> list[Path]:
    """``indicators.csv`` / ``.json`` (before and after), per-district coverage, loads, uncovered demand."""
    out = scenario.output_dir
    comparison = before_after(existing, plan)
    paths = [
        _csv(comparison, out / "indicators.csv"),
        _csv(pd.concat([existing.district_table().assign(state="existing"),
                        plan.district_table().assign(state="plan")]), out / "indicators_by_district.csv"),
    ]
    if plan.station_loads is not None:
        paths.append(_csv(plan.station_loads, out / "transfer_station_loads.csv"))
    uncovered = pd.concat(
        [c.uncovered.drop(columns=c.uncovered.geometry.name).assign(indicator=k) for k, c in plan.coverage.items()],
        ignore_index=True,
    ) if plan.coverage else pd.DataFrame()
    paths.append(_csv(uncovered, out / "uncovered_demand.csv"))
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
    paths.append(write_text(out / "indicators.json", json.dumps(doc, ensure_ascii=False, indent=2)))
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


def summary_page(scenario: Scenario, existing: IndicatorReport, plan: IndicatorReport,
                 maps: dict[str, str], extra_sections: list[tuple[str, str]] = ()) -> str:
    """The HTML summary: indicators before and after, loads, the 四级两网 chain, links to the maps."""
    comparison = before_after(existing, plan)
    shown = comparison.rename(columns={
        "label": "指标 / indicator", "target": "目标 / target", "actual_existing": "现状 / existing",
        "status_existing": "现状状态", "actual_plan": "规划 / plan", "status_plan": "规划状态",
        "change": "变化 / change"}).drop(columns=["key"])
    pct = ("目标 / target", "现状 / existing", "规划 / plan", "变化 / change")
    sections = [("规划指标 / plan indicators", table_html(shown, pct))]
    if plan.station_loads is not None:
        sections.append(("中转站负荷 / transfer-station loads (t/d)", table_html(plan.station_loads)))
    if plan.chain is not None and len(plan.chain) and plan.chain["sites"].sum() > 0:
        sections.append(("四级两网 / recycling chain", table_html(plan.chain, ("share",))))
    for key, table in plan.hauls.items():
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
<p>{html.escape(STATE_LABELS['existing'])} vs {html.escape(STATE_LABELS['plan'])}; network distances on the road network.</p>
<h2>专题地图 / maps</h2><ul>{links}</ul>{body}</body></html>"""
