"""Print maps of a scenario for the plan's 图集: one sheet per theme, per routed workflow and
for the plan by year, on A4 and A3 landscape, as vector PDF and 300 dpi PNG (``output/print/``).

The sheets draw the same content as the HTML maps (:mod:`geoplan.themes`); no basemap is
drawn (tiles are neither vector nor free to print everywhere), the roads give the context.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import layers
from layers.basemap import GeoreferencedImage, check_overlaps, read_georeferenced_image
from geoplan.indicators.report import STATE_LABELS
from geoplan.outputs import atomic_path
from layers.writers import note_replacing
from geoplan.scenario import Scenario
from geoplan.siting.candidates import water_areas
from geoplan.themes import Edition, RouteContent, ThemeContent, roads_to_draw
from maps.coverage import COVERED_COLOUR, NO_RATE_COLOUR, UNCOVERED_COLOUR, coverage_colormap
from maps.html import fmt_share
from maps.legend import class_labels
from maps.print_map import PAPER_MM, PrintMap, PrintSheet
from maps.routes import ROUTE_PALETTE, vehicle_type_label
from maps.styles import AREA_STYLES, ROAD_STYLES, colour

#: Formats a print map is written in.
PRINT_FORMATS = ("pdf", "png")
PAPERS = tuple(PAPER_MM)
PRINT_FOLDER = "print"
#: Marker per facility kind on a printed sheet (matplotlib marker codes).
KIND_MARKERS = {"transfer_stations": "s", "treatment_plants": "P", "depots": "h", "film_recycling_stations": "D",
                "muck_disposal_sites": "p", "muck_transfer_yards": "v", "dropoff_points": ".",
                "collection_hubs": "^", "sorting_centers": "*", "recycling_markets": "X"}
#: Colours of the years of service on the plan sheet (ColorBrewer Set1).
YEAR_PALETTE = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628")


@dataclass
class SheetContext:
    """What every sheet draws under its theme, read off the scenario once (plain frames, so a
    sheet can be drawn in another process).

    Attributes
    ----------
    name : str
        The scenario's name, the head of every title.
    districts : GeoDataFrame
    water : GeoDataFrame or None
    roads : GeoDataFrame
    edition : Edition
    basemap : Path or None
        The planner's georeferenced image drawn under every sheet (none by default).
    """

    name: str
    districts: gpd.GeoDataFrame
    water: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame
    edition: Edition
    basemap: Path | None = None


def sheet_context(scenario: Scenario, ed: Edition, basemap: Path | None = None) -> SheetContext:
    """The districts, water, roads and edition of ``scenario``'s sheets; ``basemap`` is checked here
    (readable, georeferenced, over the districts), before any sheet is drawn."""
    if basemap is not None:
        image = basemap_image(basemap)
        check_overlaps(image, tuple(scenario.layers["districts"].total_bounds), basemap,
                       f"EPSG:{scenario.metric_epsg}")
        ed = dataclasses.replace(ed, sources=(*ed.sources, f"底图 basemap: {basemap.name}"))
    return SheetContext(scenario.name, scenario.layers["districts"], water_areas(scenario), roads_to_draw(scenario),
                        ed, basemap)


@functools.lru_cache(maxsize=1)
def basemap_image(path: Path) -> GeoreferencedImage:
    """The basemap, read once per process (every sheet a worker draws shares it)."""
    return read_georeferenced_image(path)


def _sheet(ctx: SheetContext, title: str, subtitle: str, paper: str, figures: tuple[str, ...] = ()) -> PrintMap:
    ed = ctx.edition
    sheet = PrintSheet(title=f"{ctx.name}\n{title}", subtitle=subtitle, crs_note=ed.crs_note, sources=ed.sources,
                       date=ed.date, figures=figures, paper=paper)
    return PrintMap(sheet, ctx.districts)


def _context(pm: PrintMap, ctx: SheetContext) -> None:
    """The basemap if any, districts, water and roads: what every sheet shows under its theme."""
    if ctx.basemap is not None:
        image = basemap_image(ctx.basemap)
        pm.add_basemap(image.pixels, image.extent)
    style = AREA_STYLES["districts"]
    pm.add_areas(ctx.districts, None, edgecolor=style["color"], linewidth=0.9, zorder=1)
    if ctx.water is not None and len(ctx.water):
        w = AREA_STYLES["water"]
        pm.add_areas(ctx.water, "水系 / water", facecolor=w["fillColor"], edgecolor=w["color"], linewidth=0.3, zorder=1)
    roads = ctx.roads
    classes = roads["road_class"].astype(str) if "road_class" in roads else pd.Series("local", index=roads.index)
    for cls in ("local", "collector", "arterial", "expressway"):
        part = roads[classes.to_numpy() == cls]
        label = "道路 / roads" if cls == "arterial" or (cls == "local" and not (classes == "arterial").any()) else None
        pm.add_lines(part, label, color="#9e9e9e" if cls in ("local", "collector") else "#757575",
                     linewidth=0.25 * ROAD_STYLES[cls]["weight"], zorder=2)


def _facilities(pm: PrintMap, facilities: dict[str, gpd.GeoDataFrame]) -> None:
    """Each kind in its colour and marker: existing solid, planned hollow."""
    for kind, gdf in facilities.items():
        if not len(gdf):
            continue
        name = layers.get_kind(kind).label_zh
        marker = KIND_MARKERS.get(kind, "o")
        size = 14 if kind == "dropoff_points" else 30
        status = gdf["status"].astype(str) if "status" in gdf else pd.Series("existing", index=gdf.index)
        for state, face, text in (("existing", None, "现状"), ("planned", "white", "规划")):
            part = gdf[(status == state).to_numpy()]
            pm.add_points(part, f"{name}（{text}）" if len(part) else None, color=colour(kind), marker=marker,
                          size=size, facecolor=face, linewidth=0.6 if face else 0.3, zorder=6)


def _figures(content: ThemeContent) -> tuple[str, ...]:
    """The theme's indicators as lines of the side panel: label, value, target, status."""
    lines = []
    for row in content.indicators.itertuples():
        label = str(row.label).split(" / ")[0]
        lines.append(f"{label}：{fmt_share(row.actual)}（目标 {fmt_share(row.target)}）{row.status}")
    return tuple(lines)


def theme_sheet(ctx: SheetContext, content: ThemeContent, paper: str) -> PrintMap:
    """The print map of one theme: district coverage, roads, service areas, demand, facilities."""
    pm = _sheet(ctx, content.theme.title, f"{STATE_LABELS[content.state]} · 服务范围与覆盖 / service areas and coverage",
                paper, _figures(content))
    cmap = coverage_colormap()
    districts = content.districts
    faces = "none"
    if districts is not None and "coverage_rate" in districts:
        faces = [cmap.rgb_hex_str(v) if np.isfinite(v) else NO_RATE_COLOUR
                 for v in districts["coverage_rate"].astype(float).fillna(np.nan)]
    _context(pm, ctx)
    if districts is not None and faces != "none":
        pm.add_areas(districts, None, facecolor=faces, edgecolor="#37474f", linewidth=0.9, alpha=0.45, zorder=1)
        bounds = list(cmap.index)
        classes = [(label, cmap.rgb_hex_str(lo)) for lo, label in zip(bounds[:-1], class_labels(bounds))][::-1]
        if NO_RATE_COLOUR in faces:
            classes.append(("无数据 / no demand here", NO_RATE_COLOUR))
        pm.add_classes(f"{content.coverage_label} / coverage rate", classes)
    if content.service_areas is not None and len(content.service_areas):
        kind = content.service_areas["facility_kind"].iloc[0]
        pm.add_areas(content.service_areas, f"服务范围 / service areas · {layers.get_kind(kind).label_zh}",
                     facecolor=colour(kind), edgecolor="none", alpha=0.12, zorder=3)
    for kind, demand in content.demand.items():
        covered = demand["covered"].astype(bool).to_numpy()
        name = layers.get_kind(kind).label_zh
        pm.add_points(demand[covered], f"{name} · 已覆盖 / covered", color=COVERED_COLOUR, size=5, zorder=5)
        pm.add_points(demand[~covered], f"{name} · 未覆盖 / not covered", color=UNCOVERED_COLOUR, size=7, zorder=5)
    _facilities(pm, content.facilities)
    if districts is not None:
        rates = [fmt_share(v) for v in districts["coverage_rate"]] if "coverage_rate" in districts else None
        pm.label_areas(districts, "name", rates)
    return pm


def routes_sheet(ctx: SheetContext, content: RouteContent, paper: str) -> PrintMap:
    """The print map of one workflow's routes: one colour per vehicle type, the facilities they use."""
    routes = content.routes
    figures = (f"路线 routes: {len(routes)}", f"里程 distance: {routes['km'].sum():,.0f} km" if "km" in routes else "",
               f"运量 load: {routes['load_t'].sum():,.1f} t" if "load_t" in routes else "")
    pm = _sheet(ctx, f"车辆路线 / routes: {content.workflow}", "每日路线 / routes of one day", paper,
                tuple(f for f in figures if f))
    _context(pm, ctx)
    types = [vehicle_type_label(row) for _, row in routes.iterrows()]
    for i, vtype in enumerate(dict.fromkeys(types)):
        part = routes[[t == vtype for t in types]]
        pm.add_lines(part, f"{vtype}（{len(part)} 条）", color=ROUTE_PALETTE[i % len(ROUTE_PALETTE)], linewidth=1.1,
                     alpha=0.85, zorder=4)
    if content.stops is not None and len(content.stops):
        jobs = content.stops[content.stops["kind"] == "job"] if "kind" in content.stops else content.stops
        pm.add_points(jobs, "收集点 / stops", color="#424242", size=3, zorder=5)
    _facilities(pm, content.facilities)
    pm.label_areas(ctx.districts, "name")
    return pm


def planned_sites_by_kind(plan: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """The new sites of the plan's facilities ``plan`` that have a year of service, per kind."""
    new = {k: g[g["status"].astype(str) == "planned"] for k, g in plan.items() if "status" in g and "year" in g}
    return {k: g for k, g in new.items() if len(g)}


def plan_sheet(ctx: SheetContext, plan: dict[str, gpd.GeoDataFrame], paper: str) -> PrintMap:
    """The print map of the plan by year: every new site coloured by its year of service (``plan``: the
    facilities of the adopted plan, per kind)."""
    new = planned_sites_by_kind(plan)
    years = sorted({int(y) for g in new.values() for y in g["year"].dropna()})
    counts = {y: sum(int((g["year"] == y).sum()) for g in new.values()) for y in years}
    pm = _sheet(ctx, "规划方案分年度布局 / the plan by year", f"{years[0]}–{years[-1]}", paper,
                tuple(f"{y} 年投入使用 in service: {counts[y]} 处 sites" for y in years))
    _context(pm, ctx)
    existing = [g[g["status"].astype(str) == "existing"] for g in plan.values() if "status" in g]
    pm.add_points(pd.concat(existing) if existing else None, "现状设施 / existing facilities",
                  color="#9e9e9e", size=12, zorder=5)
    for i, year in enumerate(years):
        for kind, gdf in new.items():
            part = gdf[gdf["year"] == year]
            pm.add_points(part, f"{year} · {layers.get_kind(kind).label_zh}" if len(part) else None,
                          color=YEAR_PALETTE[i % len(YEAR_PALETTE)], marker=KIND_MARKERS.get(kind, "o"),
                          size=28 if kind != "dropoff_points" else 12, zorder=6)
    pm.label_areas(ctx.districts, "name")
    return pm


@dataclass
class SheetJob:
    """One print sheet to draw: its file key, caption, kind and how to draw it.

    ``draw`` is a module-level function of (ctx, content, paper) and ``content`` plain frames,
    so the job can be drawn in another process.
    """

    key: str
    caption: str
    kind: str  # "theme", "plan" or "routes"
    draw: Callable[[SheetContext, object, str], PrintMap]
    content: object


def draw_sheet(ctx: SheetContext, job: SheetJob, paper: str, paths: dict[str, Path],
               chapter_png: bool) -> bytes | None:
    """Draw ``job`` on ``paper``, save it in the formats of ``paths`` (each file atomically) and, with
    ``chapter_png``, return it as PNG bytes for the Word chapter (the A4 sheet)."""
    pm = job.draw(ctx, job.content, paper)
    try:
        for fmt, path in paths.items():
            with atomic_path(path) as tmp:
                pm.save(tmp, fmt)
        if not chapter_png:
            return None
        if "png" in paths:
            return paths["png"].read_bytes()
        raw = io.BytesIO()
        pm.save(raw, "png")
        return raw.getvalue()
    finally:
        pm.close()


#: Sheets are drawn in worker processes, at most one per core: drawing and font embedding are
#: CPU-bound, and a worker leaves the caller free (the demo routes meanwhile).
MAX_PRINT_WORKERS = 2


class SheetPrinter:
    """Draws sheets in worker processes as they are handed in; :meth:`finish` waits for all of them.

    Every file is written whole by its worker (written next to its place and renamed); the
    caller runs inside :func:`geoplan.outputs.written_together`, so a failed publication
    takes its files back. The bytes do not depend on which worker drew a sheet.

    The workers are spawned: a script that publishes through the Python API keeps its own
    work under ``if __name__ == "__main__":``, as every multiprocessing program does.
    """

    def __init__(self, ctx: SheetContext, papers: tuple[str, ...], formats: tuple[str, ...], folder: Path,
                 chapter: bool):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.ctx, self.papers, self.folder, self.chapter = ctx, papers, folder, chapter
        self.formats = tuple(f for f in formats if f in PRINT_FORMATS)
        workers = max(1, min(MAX_PRINT_WORKERS, os.cpu_count() or 1))
        # spawn: a fork would copy the caller's threads' locks (the demo routes in another thread)
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        self.pending: list[tuple[SheetJob, str, dict[str, Path], object]] = []
        self.submitted: set[str] = set()

    def __enter__(self) -> SheetPrinter:
        return self

    def __exit__(self, *exc) -> None:
        # a failure elsewhere: no worker may go on writing once the caller puts the old files back
        self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, job: SheetJob) -> None:
        """Queue ``job`` on every paper (and the A4 PNG for the chapter); a key already queued is skipped."""
        if job.key in self.submitted:
            return
        self.submitted.add(job.key)
        papers = self.papers if self.formats else ()
        if self.chapter and "A4" not in papers:
            papers = (*papers, "A4")
        for paper in papers:
            paths = sheet_paths(self.folder, job.key, paper, self.formats if paper in self.papers else ())
            for path in paths.values():
                note_replacing(path)  # the worker writes it; a failed publication puts back what was there
            for_chapter = self.chapter and paper == "A4"
            future = self.pool.submit(draw_sheet, self.ctx, job, paper, paths, for_chapter)
            self.pending.append((job, paper, paths, future))

    def finish(self) -> tuple[list[Path], dict[str, list[ChapterSheet]]]:
        """Wait for every sheet: the files written and, per kind, the chapter's A4 PNGs in order."""
        written: list[Path] = []
        chapter: dict[str, list[ChapterSheet]] = {"theme": [], "plan": [], "routes": []}
        try:
            for job, paper, paths, future in self.pending:
                png = future.result()
                written += list(paths.values())
                if png is not None:
                    chapter[job.kind].append(ChapterSheet(job.caption, png))
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
        return written, chapter


@dataclass
class ChapterSheet:
    """A sheet as the Word chapter places it: caption and A4 PNG bytes."""

    caption: str
    png: bytes


def sheet_paths(folder: Path, key: str, paper: str, formats: tuple[str, ...]) -> dict[str, Path]:
    """Where the sheet ``key`` on ``paper`` is written in each of ``formats``: ``<folder>/print/<key>_<paper>.<fmt>``."""
    return {fmt: folder / PRINT_FOLDER / f"{key}_{paper}.{fmt}" for fmt in formats if fmt in PRINT_FORMATS}
