"""The plan's Excel workbook (``output/publish/规划指标与项目.xlsx``): indicators against targets (total,
per district, per year), the project list, station loads, routes per vehicle and uncovered demand.

Every sheet has one header row in Chinese with English beside and the unit, frozen; the
numbers stay numbers, shown with their unit by the cell's number format (a share as a
percentage, a load as ``t/d``), and the values are those of ``indicators.json`` to the digit.
A sheet with no rows is left out.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from geoplan.outputs import write_office_document
from geoplan.reports import IndicatorTables, adopted_plan_tables, route_tables
from geoplan.scenario import Scenario

WORKBOOK_NAME = "规划指标与项目 indicators and projects.xlsx"


@dataclass(frozen=True)
class Column:
    """How a column is headed and its numbers shown: Chinese, English, unit, Excel number format."""

    zh: str
    en: str
    unit: str = ""
    number_format: str = "General"

    @property
    def header(self) -> str:
        return f"{self.zh} / {self.en}" + (f" ({self.unit})" if self.unit else "")


SHARE = "0.0%"


def _unit(unit: str, decimals: int = 1) -> str:
    digits = "0" if decimals == 0 else "0." + "0" * decimals
    return f'#,##{digits} "{unit}"'


#: Every column the published tables have, by name: one home for its heading and format.
COLUMNS: dict[str, Column] = {
    "key": Column("指标代码", "key"),
    "label": Column("指标", "indicator"),
    "target": Column("目标", "target", "%", SHARE),
    "actual_existing": Column("现状", "existing", "%", SHARE),
    "status_existing": Column("现状状态", "status, existing"),
    "actual_plan": Column("规划", "plan", "%", SHARE),
    "status_plan": Column("规划状态", "status, plan"),
    "change": Column("变化", "change", "%", SHARE),
    "district": Column("街道/镇", "district"),
    "units": Column("单元数", "units", "个", "#,##0"),
    "covered_units": Column("覆盖单元数", "units covered", "个", "#,##0"),
    "weight": Column("权重", "weight"),
    "covered_weight": Column("覆盖权重", "weight covered"),
    "coverage_rate": Column("覆盖率", "coverage rate", "%", SHARE),
    "state": Column("状态", "state"),
    "year": Column("年份", "year", "", "0"),
    "due": Column("应达", "due", "%", SHARE),
    "target_year": Column("目标年", "target year", "", "0"),
    "actual": Column("实际", "actual", "%", SHARE),
    "status": Column("状态", "status"),
    "id": Column("编号", "id"),
    "name": Column("名称", "name"),
    "capacity": Column("处理能力", "capacity", "t/d", _unit("t/d")),
    "load": Column("负荷", "load", "t/d", _unit("t/d", 2)),
    "turned_away": Column("未接纳量", "turned away", "t/d", _unit("t/d", 2)),
    "stated_load": Column("申报负荷", "stated load", "t/d", _unit("t/d")),
    "load_ratio": Column("负荷率", "load ratio", "%", SHARE),
    "overloaded": Column("超负荷", "overloaded"),
    "route_id": Column("路线", "route"),
    "workflow": Column("业务", "workflow"),
    "vehicle_type": Column("车型代码", "vehicle type id"),
    "vehicle_type_label": Column("车型", "vehicle type"),
    "vehicle": Column("车辆", "vehicle"),
    "fraction": Column("垃圾类别", "fraction"),
    "unload_site": Column("卸料点", "unload site"),
    "stops": Column("收集点数", "stops", "个", "#,##0"),
    "trips": Column("趟次", "trips", "趟", "#,##0"),
    "load_t": Column("运量", "load", "t", _unit("t", 2)),
    "km": Column("里程", "distance", "km", _unit("km")),
    "hours": Column("时长", "duration", "h", _unit("h", 2)),
    "tonne_km": Column("周转量", "tonne-km", "t·km", _unit("t·km")),
    "fuel_l": Column("油耗", "fuel", "L", _unit("L")),
    "co2_kg": Column("碳排放", "CO₂", "kg", _unit("kg")),
    "return_km": Column("回程里程", "return distance", "km", _unit("km")),
    "start": Column("出车", "start"),
    "end": Column("收车", "end"),
    "nearest_facility_id": Column("最近设施", "nearest facility"),
    "travel_m": Column("路网距离", "road distance", "m", _unit("m", 0)),
    "within_standard": Column("标准内", "within standard"),
    "covered_share": Column("覆盖比例", "share covered", "%", SHARE),
    "serving_facility_id": Column("服务设施", "serving facility"),
    "covered": Column("已覆盖", "covered"),
    "indicator": Column("指标代码", "indicator"),
    "序号": Column("序号", "No.", "", "0"),
    "项目名称": Column("项目名称", "project"),
    "实施主体": Column("实施主体", "implementer"),
    "工程建设内容": Column("工程建设内容", "works"),
    "总投资（万元）": Column("总投资", "investment", "万元", _unit("万元")),
    "建设期限": Column("建设期限", "period"),
    "所在街道/镇": Column("所在街道/镇", "district"),
    "规模": Column("规模", "scale"),
    "投入使用年份": Column("投入使用年份", "in service", "", "0"),
    "站址编号": Column("站址编号", "site id"),
    "造价依据": Column("造价依据", "cost basis"),
    "sites": Column("站点数", "sites", "处", "#,##0"),
    "cost_wan_yuan": Column("投资", "building cost", "万元", _unit("万元")),
    "budget_wan_yuan": Column("预算", "budget", "万元", _unit("万元")),
}

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
#: Column width limits, characters (a CJK character counts two).
MIN_WIDTH, MAX_WIDTH = 8, 60


def column(name: str) -> Column:
    """The heading and format of column ``name`` (a column geoplan does not know is headed by its name)."""
    return COLUMNS.get(name, Column(name, name))


def _cell_value(value):
    """A value as a cell holds it: numbers as numbers, missing as empty, NumPy scalars as Python."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _text_width(value) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_sheet(ws: Worksheet, frame: pd.DataFrame) -> None:
    """Fill ``ws`` with ``frame``: the header row headed by :data:`COLUMNS` (bold, filled, frozen),
    each column's number format, widths set to the text."""
    names = list(frame.columns)
    ws.append([column(n).header for n in names])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for record in frame.itertuples(index=False):
        ws.append([_cell_value(v) for v in record])
    for i, name in enumerate(names, start=1):
        fmt = column(name).number_format
        letter = ws.cell(row=1, column=i).column_letter
        widths = [min(_text_width(column(name).header), 24)]
        for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
            cell.number_format = fmt
            if cell.row <= 200 and cell.value is not None:
                widths.append(_text_width(cell.value) + (4 if isinstance(cell.value, float) else 0))
        ws.column_dimensions[letter].width = max(MIN_WIDTH, min(MAX_WIDTH, max(widths) + 2))
    ws.freeze_panes = "A2"


def save_workbook(sheets: list[tuple[str, pd.DataFrame]], path: Path) -> Path:
    """Write ``(title, frame)`` sheets as one workbook (same tables, same bytes); returns ``path``."""
    wb = Workbook()
    for i, (title, frame) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title[:31]  # Excel's limit
        write_sheet(ws, frame)
    raw = io.BytesIO()
    wb.save(raw)
    return write_office_document(path, raw.getvalue())


def workbook_sheets(scenario: Scenario, tables: IndicatorTables) -> list[tuple[str, pd.DataFrame]]:
    """The sheets of the published workbook, those without rows left out."""
    adopted = adopted_plan_tables(scenario)
    routes = route_tables(scenario)
    candidates = [
        ("指标 indicators", pd.DataFrame(tables.document["indicators"])),
        ("分街道 by district", tables.by_district),
        ("分年度 by year", adopted.by_year if adopted is not None else None),
        ("项目清单 projects", adopted.projects if adopted is not None else None),
        ("中转站负荷 station loads", tables.station_loads),
        ("车辆路线 routes", routes),
        ("未覆盖 uncovered demand", tables.uncovered),
    ]
    return [(title, frame) for title, frame in candidates if frame is not None and len(frame)]


def write_publication_workbook(scenario: Scenario, tables: IndicatorTables, folder: Path) -> Path:
    """``<folder>/规划指标与项目 indicators and projects.xlsx``."""
    return save_workbook(workbook_sheets(scenario, tables), folder / WORKBOOK_NAME)
