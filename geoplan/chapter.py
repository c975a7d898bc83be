"""The Word chapter 「设施布局与收运体系规划」 for the plan document (``.docx``, python-docx).

The chapter holds a method section generated from the scenario (standards used and their
sources, the road network, the coordinate system, the solver's status and gap), the
indicators against the targets, the maps (the A4 print sheets) and the project list.
Figures and tables carry numbered captions (图 1, 表 1) as Word SEQ fields, so they number
on in the plan document they are pasted into.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

import layers
from geoplan.outputs import write_office_document
from geoplan.print_maps import ChapterSheet
from geoplan.reports import AdoptedPlanTables, IndicatorTables, route_totals
from geoplan.scenario import Scenario
from geoplan.themes import Edition, network_source_note

CHAPTER_TITLE = "设施布局与收运体系规划"
CHAPTER_NAME = "设施布局与收运体系规划 facility layout and collection.docx"
#: Body text font: 宋体 for Chinese as plan documents are set, a Latin serif beside it.
BODY_FONT_ZH, BODY_FONT_LATIN = "宋体", "Times New Roman"
BODY_PT, CAPTION_PT, TABLE_PT = 10.5, 9, 8
#: Width of a figure on A4 portrait with 25 mm margins, millimetres.
FIGURE_WIDTH_MM = 160
SHARE_COLUMNS = ("target", "actual_existing", "actual_plan", "change")
STATUS_WORDS = {"optimal": "已证明最优 proven optimal", "feasible": "可行解 feasible (stopped by the time limit)"}


@dataclass
class Captions:
    """The running numbers of figures and tables."""

    figures: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def _set_font(run, size_pt: float, bold: bool = False) -> None:
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = BODY_FONT_LATIN
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), BODY_FONT_ZH)


def _caption(doc: Document, label: str, number: int, text: str) -> None:
    """A caption paragraph ``图 1 text``: the number is a Word SEQ field (its shown value ``number``)."""
    p = doc.add_paragraph(style="Caption")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(p.add_run(f"{label} "), CAPTION_PT, bold=True)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" SEQ {label} \\* ARABIC ")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = str(number)
    r.append(t)
    fld.append(r)
    p._p.append(fld)
    _set_font(p.add_run(f" {text}"), CAPTION_PT, bold=True)


def add_paragraph(doc: Document, text: str) -> None:
    """A body paragraph, first line indented two characters as Chinese documents are set."""
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    _set_font(p.add_run(text), BODY_PT)


def add_table(doc: Document, caps: Captions, caption: str, frame: pd.DataFrame, headers: dict[str, str],
              shares: tuple[str, ...] = ()) -> None:
    """A captioned table (caption above, as tables are captioned) of ``frame``'s ``headers`` columns."""
    caps.tables.append(caption)
    _caption(doc, "表", len(caps.tables), caption)
    cols = [c for c in headers if c in frame.columns]
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, col in zip(table.rows[0].cells, cols):
        cell.text = ""
        _set_font(cell.paragraphs[0].add_run(headers[col]), TABLE_PT, bold=True)
    for record in frame[cols].itertuples(index=False):
        cells = table.add_row().cells
        for cell, col, value in zip(cells, cols, record):
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run(_cell_text(value, col in shares)), TABLE_PT)
    doc.add_paragraph()


def _cell_text(value, share: bool) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if share and isinstance(value, (int, float)):
        return f"{100 * float(value):.1f}%"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def add_figure(doc: Document, caps: Captions, figure: ChapterSheet) -> None:
    """A figure at the text width, its caption below."""
    caps.figures.append(figure.caption)
    doc.add_picture(io.BytesIO(figure.png), width=Mm(FIGURE_WIDTH_MM))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _caption(doc, "图", len(caps.figures), figure.caption)


def method_paragraphs(scenario: Scenario, ed: Edition, adopted: AdoptedPlanTables | None,
                      totals: pd.DataFrame | None) -> list[str]:
    """The method section's text, generated from the scenario: network, coordinates, solver."""
    info = scenario.road_network.info()
    lines = [
        f"本章以{scenario.name}为规划范围，设施服务范围与覆盖率均按路网实际行驶距离计算，而非直线距离。"
        f"{network_source_note(scenario)}；建模路网 {info['nodes']:,} 个节点、{info['edges']:,} 条有向路段、"
        f"合计 {info['total_km']:,.0f} km。",
        f"空间数据统一采用 {ed.crs_note}；各图层来源：{'；'.join(ed.sources[1:])}。",
        "服务标准、指标目标及其依据见表 1；与标准默认值不同的取值为本规划在 scenario.toml 中设定。",
    ]
    if adopted is not None and adopted.alternative:
        alt = adopted.alternative
        status = STATUS_WORDS.get(str(alt.get("status")), str(alt.get("status")))
        gap = alt.get("gap")
        gap_text = f"{100 * float(gap):.2f}%" if isinstance(gap, (int, float)) else "—"
        lines.append(
            f"新增设施布局采用混合整数规划（OR-Tools MathOpt / HiGHS）按逐年目标求解最小建设投资方案（方案 {adopted.name}）："
            f"求解状态 {status}，目标值 {alt.get('cost_wan_yuan', '—')} 万元，下界 {alt.get('bound_wan_yuan', '—')} 万元，"
            f"相对间隙 {gap_text}；满足目标 {alt.get('targets_met', '—')}。")
    if totals is not None:
        engines = "、".join(f"{r.workflow}（{r.engine}）" for r in totals.itertuples())
        lines.append(f"收运路线按车型、载重、作业时间窗和卸料点在路网上求解车辆路径问题：{engines}；"
                     "同一情景与随机种子得到相同路线。")
    return lines


def standards_table(scenario: Scenario) -> pd.DataFrame:
    """The standards in force, named in the planner's words, with units and sources."""
    rows = scenario.standards.sources()
    for row in rows:
        if row["kind"] in layers.LAYER_KINDS:
            row["kind"] = layers.get_kind(str(row["kind"])).label_zh
    return pd.DataFrame(rows)


def build_chapter(scenario: Scenario, ed: Edition, tables: IndicatorTables, adopted: AdoptedPlanTables | None,
                  theme_figures: list[ChapterSheet], route_figures: list[ChapterSheet],
                  plan_figure: ChapterSheet | None) -> tuple[Document, Captions]:
    """The chapter as a python-docx Document, with the captions it numbered."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(25))
    caps = Captions()
    doc.add_heading(CHAPTER_TITLE, level=1)
    doc.add_heading("一、规划方法与依据", level=2)
    totals = route_totals(scenario)
    for text in method_paragraphs(scenario, ed, adopted, totals):
        add_paragraph(doc, text)
    add_table(doc, caps, "服务标准及其依据", standards_table(scenario),
              {"kind": "设施 / facility", "key": "标准 / standard", "value": "取值 / value", "unit": "单位 / unit",
               "source": "依据 / source"})
    doc.add_heading("二、规划指标", level=2)
    comparison = pd.DataFrame(tables.document["indicators"])
    met = int((comparison["status_plan"] == "达标").sum()) if len(comparison) else 0
    add_paragraph(doc, f"规划实施后，{len(comparison)} 项覆盖率指标中 {met} 项达到目标（表 {len(caps.tables) + 1}）。")
    add_table(doc, caps, "规划指标现状与规划对比", comparison,
              {"label": "指标 / indicator", "target": "目标 / target", "actual_existing": "现状 / existing",
               "actual_plan": "规划 / plan", "status_plan": "状态 / status"}, SHARE_COLUMNS)
    doc.add_heading("三、设施布局", level=2)
    add_paragraph(doc, "各专题设施布局、服务范围与需求点覆盖情况见下图；街道/镇按首项指标的覆盖率着色。")
    for figure in theme_figures:
        add_figure(doc, caps, figure)
    if plan_figure is not None:
        add_figure(doc, caps, plan_figure)
    if route_figures:
        doc.add_heading("四、收运体系", level=2)
        add_paragraph(doc, "各类收运车辆每日路线见下图，合计里程、运量和碳排放见表。")
        for figure in route_figures:
            add_figure(doc, caps, figure)
        if totals is not None:
            add_table(doc, caps, "收运路线合计（每日；农膜为每收集期）", totals,
                      {"workflow": "业务 / workflow", "routes": "路线数 / routes", "load_t": "运量 t / load",
                       "km": "里程 km / distance", "tonne_km": "周转量 t·km", "co2_kg": "碳排放 kg CO₂",
                       "unserved": "未服务 / unserved"})
    if adopted is not None and adopted.projects is not None and len(adopted.projects):
        doc.add_heading("五、项目清单", level=2)
        add_paragraph(doc, f"规划新建、改造项目 {len(adopted.projects)} 项，总投资 {adopted.total_cost_wan_yuan:,.1f} 万元。")
        add_table(doc, caps, "项目清单", adopted.projects,
                  {"序号": "序号", "项目名称": "项目名称", "实施主体": "实施主体", "规模": "规模",
                   "总投资（万元）": "总投资（万元）", "建设期限": "建设期限"})
    note = doc.add_paragraph()
    _set_font(note.add_run(f"编制日期 {ed.date}；数据来源：{'；'.join(ed.sources)}。"), CAPTION_PT)
    doc.core_properties.title = f"{scenario.name} — {CHAPTER_TITLE}"
    doc.core_properties.author = "geoplan"
    return doc, caps


def write_chapter(doc: Document, folder: Path) -> Path:
    """Save the chapter as ``<folder>/设施布局与收运体系规划 ….docx`` (fixed times inside: same plan, same bytes)."""
    raw = io.BytesIO()
    doc.save(raw)
    return write_office_document(folder / CHAPTER_NAME, raw.getvalue())
