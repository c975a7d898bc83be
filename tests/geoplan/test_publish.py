"""What ``geoplan demo`` and ``geoplan publish`` write for the plan document: the workbook against
indicators.json, the Word chapter's figures, tables and captions, the print maps (fonts embedded,
rendered with pdftoppm), the HTML maps' title block, roads and side panel."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from PIL import Image

from geoplan.chapter import CHAPTER_NAME, CHAPTER_TITLE
from geoplan.workbook import COLUMNS, MIN_WIDTH, WORKBOOK_NAME, column
from maps.print_map import PAPER_MM, PNG_DPI, MM_PER_INCH

POINTS_PER_MM = 72 / MM_PER_INCH


def geoplan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geoplan", *args], capture_output=True, text=True, timeout=900)


def sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


# ------------------------------------------------------------------ the workbook


def test_workbook_indicators_equal_indicators_json_to_the_digit(demo_dir):
    out = demo_dir / "output"
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    wb = load_workbook(out / WORKBOOK_NAME)
    ws = wb["指标 indicators"]
    headers = [c.value for c in ws[1]]
    names = list(doc["indicators"][0])
    assert headers == [column(n).header for n in names]
    assert ws.max_row - 1 == len(doc["indicators"])
    for r, record in enumerate(doc["indicators"], start=2):
        for c, name in enumerate(names, start=1):
            assert ws.cell(row=r, column=c).value == record[name], (record["key"], name)
    # shares are numbers shown as percentages, not text
    share_col = names.index("actual_plan") + 1
    assert ws.cell(row=2, column=share_col).number_format == "0.0%"
    assert isinstance(ws.cell(row=2, column=share_col).value, (int, float))


def test_workbook_sheets_match_the_published_tables(demo_dir):
    out = demo_dir / "output"
    wb = load_workbook(out / WORKBOOK_NAME)
    assert wb.sheetnames == ["指标 indicators", "分街道 by district", "分年度 by year", "项目清单 projects",
                             "中转站负荷 station loads", "车辆路线 routes", "未覆盖 uncovered demand"]
    plans = out / "plans" / json.loads((out / "plans" / "adopted.json").read_text(encoding="utf-8"))["name"]
    expected = {
        "分街道 by district": pd.read_csv(out / "indicators_by_district.csv"),
        "分年度 by year": pd.read_csv(plans / "indicators_by_year.csv"),
        "项目清单 projects": pd.read_csv(plans / "projects.csv", dtype={"建设期限": str}),
        "中转站负荷 station loads": pd.read_csv(out / "transfer_station_loads.csv"),
        "车辆路线 routes": pd.concat([pd.read_csv(p) for p in sorted(out.glob("routes_*.csv"))], ignore_index=True),
        "未覆盖 uncovered demand": pd.read_csv(out / "uncovered_demand.csv"),
    }
    for title, frame in expected.items():
        ws = wb[title]
        got = sheet_frame(ws)
        assert list(got.columns) == [column(c).header for c in frame.columns], title
        assert len(got) == len(frame), title
        for name in frame.columns:
            want, have = frame[name], got[column(name).header]
            if pd.api.types.is_numeric_dtype(want) and not pd.api.types.is_bool_dtype(want):
                np.testing.assert_allclose(have.astype(float), want.astype(float), rtol=0, atol=1e-9,
                                           err_msg=f"{title}: {name}")
        assert ws.freeze_panes == "A2", title
        for letter, dim in ws.column_dimensions.items():
            assert dim.width >= MIN_WIDTH, (title, letter)
        for i, name in enumerate(frame.columns, start=1):
            if name in COLUMNS and COLUMNS[name].unit and len(frame):
                assert ws.cell(row=2, column=i).number_format == COLUMNS[name].number_format, (title, name)


# ------------------------------------------------------------------ the Word chapter


def _captions(doc: Document, label: str) -> list[tuple[int, str]]:
    """(number, text) of every caption of ``label`` (图 or 表), read from its SEQ field."""
    found = []
    for p in doc.paragraphs:
        for fld in p._p.iter(qn("w:fldSimple")):
            if f"SEQ {label}" in fld.get(qn("w:instr")):
                number = "".join(t.text for t in fld.iter(qn("w:t")))
                found.append((int(number), "".join(r.text for r in p.runs).strip()))
    return found


def test_chapter_has_numbered_figures_and_tables_with_the_method_and_projects(demo_dir):
    out = demo_dir / "output"
    doc = Document(out / CHAPTER_NAME)
    assert doc.paragraphs[0].text == CHAPTER_TITLE
    figures, tables = _captions(doc, "图"), _captions(doc, "表")
    sheets = sorted((out / "print").glob("*_A4.pdf"))
    assert len(figures) == len(sheets) == len(doc.inline_shapes)
    assert [n for n, _ in figures] == list(range(1, len(figures) + 1))
    assert [n for n, _ in tables] == list(range(1, len(doc.tables) + 1))
    assert tables[0][1].endswith("服务标准及其依据") and any("项目清单" in t for _, t in tables)
    # the method section is the scenario's: network size, solver status and gap of the adopted plan
    text = "\n".join(p.text for p in doc.paragraphs)
    from geoplan.scenario import load_scenario

    info = load_scenario(demo_dir).road_network.info()
    assert f"{info['nodes']:,} 个节点" in text
    adopted = json.loads((out / "plans" / "adopted.json").read_text(encoding="utf-8"))["name"]
    alt = json.loads((out / "plans" / adopted / "alternative.json").read_text(encoding="utf-8"))
    assert f"相对间隙 {100 * alt['gap']:.2f}%" in text and f"方案 {adopted}" in text
    projects = pd.read_csv(out / "plans" / adopted / "projects.csv")
    project_table = doc.tables[[t for _, t in tables].index(next(t for _, t in tables if "项目清单" in t))]
    assert len(project_table.rows) == len(projects) + 1
    assert project_table.rows[1].cells[1].text == projects.loc[0, "项目名称"]


# ------------------------------------------------------------------ the print maps


def _pdf_fonts(path: Path) -> list[list[str]]:
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split() for line in lines[2:]]


def test_every_print_map_is_a_landscape_page_with_its_cjk_font_embedded(demo_dir, tmp_path):
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils is not installed (the README's test command installs it)")
    pdfs = sorted((demo_dir / "output" / "print").glob("*.pdf"))
    keys = {p.stem.rsplit("_", 1)[0] for p in pdfs}
    assert {"household_waste", "recycling", "film", "muck", "plan", "routes_collection", "routes_film",
            "routes_muck"} == keys
    for pdf in pdfs:
        fonts = _pdf_fonts(pdf)
        assert fonts, pdf.name
        for row in fonts:
            emb = row[-5]  # columns: name type… encoding emb sub uni object ID
            assert emb == "yes", (pdf.name, row)
        assert any("WenQuanYi" in row[0] or "YaHei" in row[0] or "CJK" in row[0] for row in fonts), pdf.name
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        paper = pdf.stem.rsplit("_", 1)[1]
        assert (w, h) == pytest.approx(tuple(v * POINTS_PER_MM for v in PAPER_MM[paper]), abs=1.0), pdf.name
        # rendered by poppler (not matplotlib): a page with a drawn map, not an empty sheet
        png = tmp_path / pdf.stem
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(pdf), str(png)], check=True)
        pixels = np.asarray(Image.open(f"{png}.png").convert("L"), dtype=float)
        assert pixels.std() > 20 and (pixels < 128).mean() > 0.01, pdf.name


def test_print_pngs_are_300_dpi_at_paper_size(demo_dir):
    for png in sorted((demo_dir / "output" / "print").glob("*.png")):
        paper = png.stem.rsplit("_", 1)[1]
        with Image.open(png) as im:
            want = tuple(round(mm / MM_PER_INCH * PNG_DPI) for mm in PAPER_MM[paper])
            assert im.size == pytest.approx(want, abs=2), png.name
            assert im.info.get("dpi", (0, 0))[0] == pytest.approx(PNG_DPI, abs=1), png.name


def test_print_legend_and_title_sit_beside_the_map_not_on_it():
    import geopandas as gpd
    from shapely.geometry import Point, box

    from maps.print_map import PrintMap, PrintSheet

    area = gpd.GeoDataFrame({"name": ["甲镇", "乙镇"]}, geometry=[box(0, 0, 5000, 4000), box(5000, 0, 9000, 4000)],
                            crs=4549)
    points = gpd.GeoDataFrame(geometry=[Point(1000, 1000), Point(6000, 2000)], crs=4549)
    for paper in PAPER_MM:
        pm = PrintMap(PrintSheet("标题 title", "现状", "CGCS2000", ("来源 source",), "2026-01-01", ("指标 1",), paper),
                      area)
        pm.add_areas(area, "街道/镇 / districts")
        pm.add_points(points, "站点 / stations", color="#c62828")
        pm.label_areas(area)
        fig = pm.finish()
        fig.canvas.draw()
        frame = pm.ax.get_window_extent()
        legends = [a.get_legend() for a in fig.axes if a.get_legend() is not None]
        assert len(legends) == 1
        box_ = legends[0].get_window_extent()
        assert box_.x0 >= frame.x1, paper  # right of the map frame
        texts = [t for a in fig.axes if a is not pm.ax for t in a.texts]
        assert texts and all(t.get_window_extent().x0 >= frame.x1 for t in texts), paper
        pm.close()


# ------------------------------------------------------------------ HTML maps and the summary


def test_html_maps_draw_roads_and_keep_legends_off_the_map(demo_dir, render_html, tmp_path):
    for name in ("map_household_waste.html", "map_routes_collection.html"):
        errors, page = render_html(demo_dir / "output" / name, tmp_path / f"{name}.png")
        assert errors == [], errors
        frame = page.locator(".folium-map").bounding_box()
        boxes = page.locator("#gp-side .gp-box, #gp-side .leaflet-control-layers")
        assert boxes.count() >= 3
        for i in range(boxes.count()):
            b = boxes.nth(i).bounding_box()
            assert b["x"] >= frame["x"] + frame["width"] - 1, (name, i)
        assert page.locator(".leaflet-container .gp-legend, .leaflet-container .gp-panel").count() == 0
        title = page.locator("#gp-side .gp-title").inner_text()
        assert "编制日期 / date" in title and "EPSG:4549" in title and "数据来源" in title
        assert page.locator(".gp-north svg").count() == 1
        assert "道路 / roads" in page.locator("#gp-side .leaflet-control-layers").inner_text()
        page.close()


def test_summary_leaves_out_what_the_scenario_does_not_have(demo_copy, tmp_path):
    import geopandas as gpd
    import pyogrio

    gpkg = demo_copy / "layers.gpkg"
    slim = tmp_path / "slim"  # the demo county without its 四级两网 recycling network, nor its target
    shutil.copytree(demo_copy, slim, ignore=shutil.ignore_patterns("layers.gpkg", "output"))
    toml = slim / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(re.sub(r"\[targets\.recyclables_dropoff_coverage\][^\[]*", "", text), encoding="utf-8")
    for kind in pyogrio.list_layers(gpkg)[:, 0]:
        if kind not in ("dropoff_points", "collection_hubs", "sorting_centers", "recycling_markets"):
            gpd.read_file(gpkg, layer=kind).to_file(slim / "layers.gpkg", layer=kind, driver="GPKG")
    run = geoplan("report", str(slim), "--tiles", "none", "--quiet")
    assert run.returncode == 0, run.stderr
    summary = (slim / "output" / "summary.html").read_text(encoding="utf-8")
    assert "四级两网" not in summary and "map_recycling.html" not in summary
    assert not (slim / "output" / "map_recycling.html").exists()
    assert "规划指标 / plan indicators" in summary
    assert "出图与成果" not in summary  # report writes no workbook, chapter or print maps


def test_summary_links_the_documents_it_was_published_with(demo_dir):
    from urllib.parse import unquote

    summary = (demo_dir / "output" / "summary.html").read_text(encoding="utf-8")
    links = [unquote(h) for h in re.findall(r'href="([^"]+)"', summary)]
    assert WORKBOOK_NAME in links and CHAPTER_NAME in links and "print/" in links
    for link in links:
        assert (demo_dir / "output" / link).exists(), link


# ------------------------------------------------------------------ the command


def test_publish_writes_only_the_formats_asked_for(demo_copy):
    out = demo_copy / "output"
    shutil.rmtree(out / "print")
    (out / WORKBOOK_NAME).unlink()
    chapter = (out / CHAPTER_NAME).read_bytes()
    run = geoplan("publish", str(demo_copy), "--format", "xlsx,pdf", "--paper", "a3", "--tiles", "none", "--quiet")
    assert run.returncode == 0, run.stderr
    assert (out / WORKBOOK_NAME).is_file()
    assert sorted(p.suffix for p in (out / "print").iterdir()) == [".pdf"] * 8
    assert all(p.stem.endswith("_A3") for p in (out / "print").iterdir())
    assert (out / CHAPTER_NAME).read_bytes() == chapter  # not asked for: not touched


@pytest.mark.parametrize("args, needle", [
    (("--format", "pdf,jpeg"), "--format 'jpeg'"),
    (("--paper", "A5"), "--paper 'A5'"),
    (("--format", ""), "--format"),
])
def test_publish_bad_options_are_one_line_and_write_nothing(demo_copy, args, needle):
    before = sorted(p.name for p in (demo_copy / "output").rglob("*"))
    run = geoplan("publish", str(demo_copy), *args, "--quiet")
    assert run.returncode == 2, (run.returncode, run.stderr)
    said = run.stdout + run.stderr
    assert "Traceback" not in said and needle in said, said
    assert len(said.strip().splitlines()) == 1, said
    assert sorted(p.name for p in (demo_copy / "output").rglob("*")) == before


def test_the_edition_date_is_the_source_date_when_one_is_set(monkeypatch):
    from geoplan.themes import SOURCE_DATE_VARIABLE, edition_date

    monkeypatch.setenv(SOURCE_DATE_VARIABLE, "1767225600")
    assert edition_date() == "2026-01-01"
    monkeypatch.delenv(SOURCE_DATE_VARIABLE)
    import datetime

    assert edition_date() == datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def _pdf_images(pdf: Path) -> int:
    lines = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return len(lines.splitlines()) - 2


def _write_basemap(folder: Path, bounds, shift_m: float = 0.0) -> Path:
    """A gradient image over ``bounds`` (minx, miny, maxx, maxy) with its world file."""
    minx, miny, maxx, maxy = bounds
    w, h = 200, 150
    yy, xx = np.mgrid[0:h, 0:w]
    Image.fromarray(np.stack([xx * 255 // w, yy * 255 // h, np.full_like(xx, 170)], axis=-1).astype(np.uint8)).save(
        folder / "影像.png")
    px, py = (maxx - minx) / w, (maxy - miny) / h
    (folder / "影像.pgw").write_text(f"{px}\n0\n0\n{-py}\n{minx + shift_m + px / 2}\n{maxy - py / 2}\n")
    return folder / "影像.png"


def test_a_basemap_is_printed_only_when_the_planner_gives_one(demo_dir, demo_copy):
    if shutil.which("pdfimages") is None:
        pytest.skip("poppler-utils is not installed (the README's test command installs it)")
    from geoplan.scenario import load_scenario

    # none by default: the demo's sheets hold no raster
    assert all(_pdf_images(p) == 0 for p in (demo_dir / "output" / "print").glob("*.pdf"))
    image = _write_basemap(demo_copy, load_scenario(demo_copy).layers["districts"].total_bounds)
    run = geoplan("publish", str(demo_copy), "--format", "pdf", "--paper", "A4", "--basemap", str(image),
                  "--tiles", "none", "--quiet")
    assert run.returncode == 0, run.stderr
    sheets = sorted((demo_copy / "output" / "print").glob("*_A4.pdf"))
    assert sheets and all(_pdf_images(p) == 1 for p in sheets)
    text = subprocess.run(["pdftotext", str(sheets[0]), "-"], capture_output=True, text=True, check=True).stdout
    assert "影像.png" in text  # named among the sources


@pytest.mark.parametrize("case", ["no-world-file", "elsewhere"])
def test_a_basemap_that_cannot_be_placed_is_one_line(demo_copy, case):
    from geoplan.scenario import load_scenario

    bounds = load_scenario(demo_copy).layers["districts"].total_bounds
    image = _write_basemap(demo_copy, bounds, shift_m=5e6 if case == "elsewhere" else 0.0)
    if case == "no-world-file":
        image.with_suffix(".pgw").unlink()
    before = {p: p.stat().st_mtime_ns for p in (demo_copy / "output").rglob("*")}
    run = geoplan("publish", str(demo_copy), "--format", "pdf", "--basemap", str(image), "--quiet")
    assert run.returncode == 2, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.startswith("错误")]
    assert len(lines) == 1 and "影像.png" in lines[0], run.stderr
    assert ("world file" if case == "no-world-file" else "does not overlap") in lines[0]
    assert {p: p.stat().st_mtime_ns for p in (demo_copy / "output").rglob("*")} == before
