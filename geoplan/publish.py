"""Publishing a scenario: HTML theme maps and summary page, indicator tables, print maps (PDF, PNG),
the Excel workbook and the Word chapter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium

from layers.errors import GeoplanError
from geoplan.indicators import IndicatorReport, compute_indicators, facilities_for
from geoplan.outputs import write_text
from geoplan.scenario import Scenario
from geoplan.themes import (RouteContent, ThemeContent, edition, published_themes, roads_to_draw, route_content,
                            routed_workflows, theme_content)
from geoplan.print_maps import SheetJob, SheetPrinter
from maps.print_map import cjk_font


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write ``m`` as one self-contained HTML file (scripts and styles inlined), atomically."""
    from maps import page_html

    return write_text(path, page_html(m))


def write_layers_map(scenario: Scenario, tiles: str = "osm") -> Path:
    """The map of all the scenario's layers, ``output/map_layers.html``."""
    from maps import layers_map

    m = layers_map(scenario.layers, title=f"{scenario.name} — 图层总览 / all layers", tiles=tiles)
    return save_map(m, scenario.output_dir / "map_layers.html")


def edition_lines(scenario: Scenario) -> list[str]:
    """The title block's lines under the title: date, coordinate system, data sources."""
    ed = edition(scenario)
    return [f"编制日期 / date: {ed.date}", f"坐标系 / coordinate system: {ed.crs_note}",
            *[f"数据来源 / source — {s}" for s in ed.sources]]


def add_roads_context(m: folium.Map, scenario: Scenario, tiles: str) -> None:
    """The road network in light grey under everything, for street context."""
    from maps import road_guide_geojson, road_guide_layer

    road_guide_layer(road_guide_geojson(roads_to_draw(scenario), tiles)).add_to(m)


def theme_map(scenario: Scenario, content: ThemeContent, tiles: str = "osm") -> folium.Map:
    """One theme map of the plan: roads, district coverage, service areas, covered/uncovered demand,
    facilities; the title block, legends and indicators in the side panel."""
    from maps import (add_coverage_choropleth, add_demand_coverage, add_facilities, add_indicator_panel,
                      add_service_areas, finish_map, new_map)

    m = new_map([scenario.layers["districts"]], tiles=tiles, title=f"{scenario.name} — {content.theme.title}",
                edition=edition_lines(scenario))
    if content.districts is not None:
        add_coverage_choropleth(m, content.districts, tiles, label=f"{content.coverage_label} / coverage rate")
    add_roads_context(m, scenario, tiles)
    if content.service_areas is not None:
        add_service_areas(m, content.service_areas, tiles, show=True)
    add_demand_coverage(m, content.demand, tiles)
    add_facilities(m, content.facilities, tiles)
    if not content.indicators.empty:
        add_indicator_panel(m, content.indicators,
                            title=f"指标 / indicators — {'规划 / plan' if content.state == 'plan' else '现状 / existing'}")
    return finish_map(m)


def write_theme_maps(scenario: Scenario, contents: list[ThemeContent], tiles: str = "osm") -> dict[str, Path]:
    """One self-contained HTML map per theme in ``output/``; returns title → path."""
    return {c.theme.title: save_map(theme_map(scenario, c, tiles), scenario.output_dir / f"map_{c.theme.key}.html")
            for c in contents}


def write_route_maps(scenario: Scenario, tiles: str = "osm") -> dict[str, Path]:
    """The map of every routed workflow (``output/routes_<workflow>.gpkg``); returns title → path."""
    return {f"车辆路线 / routes: {w}": write_routes_map(scenario, w, tiles) for w in routed_workflows(scenario)}


def routes_map(scenario: Scenario, content: RouteContent, tiles: str = "osm") -> folium.Map:
    """The routes of one workflow over the roads, with the facilities they start and end at."""
    from maps import add_facilities, add_routes, finish_map, new_map
    from maps.layers_map import add_areas

    m = new_map([scenario.layers["districts"]], tiles=tiles,
                title=f"{scenario.name} — 车辆路线 / routes: {content.workflow}", edition=edition_lines(scenario))
    add_areas(m, "districts", scenario.layers["districts"], tiles)
    add_roads_context(m, scenario, tiles)
    add_facilities(m, content.facilities, tiles)
    add_routes(m, content.routes, content.stops, tiles)
    return finish_map(m)


def write_routes_map(scenario: Scenario, workflow: str, tiles: str = "osm") -> Path:
    """Routes of one workflow from ``output/routes_<workflow>.gpkg`` as ``output/map_routes_<workflow>.html``."""
    return save_map(routes_map(scenario, route_content(scenario, workflow), tiles),
                    scenario.output_dir / f"map_routes_{workflow}.html")


@dataclass
class Publication:
    """What :func:`publish_themes` computed and wrote, for the route maps and the report to follow."""

    existing: IndicatorReport
    plan: IndicatorReport
    contents: list[ThemeContent]
    maps: dict[str, Path]


def publish_themes(scenario: Scenario, tiles: str = "osm", html: bool = True) -> Publication:
    """Indicators of the existing network and of the plan, what each theme shows and, with ``html``,
    the theme maps (no routes needed)."""
    existing = compute_indicators(scenario, "existing")
    plan = compute_indicators(scenario, "plan")
    contents = [theme_content(scenario, t, plan) for t in published_themes(plan)]
    return Publication(existing, plan, contents, write_theme_maps(scenario, contents, tiles) if html else {})


#: The formats ``geoplan publish`` writes: HTML maps and summary, print maps (PDF, PNG), the
#: Excel workbook and the Word chapter.
PUBLISH_FORMATS = ("html", "pdf", "png", "xlsx", "docx")


def parse_choices(text: str, choices: tuple[str, ...], option: str) -> tuple[str, ...]:
    """``"pdf,png"`` → ``("pdf", "png")``, each checked against ``choices`` (case as in ``choices``)."""
    by_lower = {c.lower(): c for c in choices}
    picked = []
    for word in (w.strip() for w in text.split(",")):
        if word.lower() not in by_lower:
            raise GeoplanError(f"{option} {word!r}: choose from {', '.join(choices)} (comma-separated)")
        picked.append(by_lower[word.lower()])
    if not picked:
        raise GeoplanError(f"{option}: name at least one of {', '.join(choices)}")
    return tuple(dict.fromkeys(picked))


def publish(scenario: Scenario, tiles: str = "osm", with_report: bool = True, themes: Publication | None = None,
            formats: tuple[str, ...] = ("html",), papers: tuple[str, ...] = ("A4", "A3"),
            printer: SheetPrinter | None = None, basemap: Path | None = None) -> list[Path]:
    """Compute indicators (existing and plan) and write the publication in ``formats``.

    ``html``: the theme and route maps and, with ``with_report``, the indicator CSV/JSON files
    and ``output/summary.html``. ``pdf``/``png``: the print maps on ``papers`` in
    ``output/print/``. ``xlsx``: the workbook; ``docx``: the Word chapter (both in ``output/``).

    ``themes`` (from :func:`publish_themes`, e.g. written while the routes were planned) is
    used instead of computing the indicators and theme maps again. ``basemap`` (a georeferenced
    image) is drawn under the print maps; none by default.
    """
    from geoplan.reports import indicator_tables, route_totals, summary_page, table_html, write_indicator_tables

    if {"pdf", "png", "docx"} & set(formats):
        cjk_font()  # no Chinese font: said before anything is computed or written
        printer = printer or sheet_printer(scenario, formats, papers, basemap)
    if themes is None:
        themes = publish_themes(scenario, tiles, html="html" in formats)
    existing, plan = themes.existing, themes.plan
    written = list(themes.maps.values())
    tables = indicator_tables(scenario, existing, plan)
    if "html" in formats:
        maps = {**themes.maps, **write_route_maps(scenario, tiles)}
        written = list(maps.values())
        if with_report:
            written += write_indicator_tables(scenario, tables)
            links = {title: path.name for title, path in maps.items()}
            if (scenario.output_dir / "map_layers.html").exists():
                links["图层总览 / all layers"] = "map_layers.html"
            extra = adopted_plan_sections(scenario, links)
            if (totals := route_totals(scenario)) is not None:
                extra.append(("车辆路线合计 / route totals (per day; film per period)", table_html(totals)))
            if (documents := documents_section(formats)) is not None:
                extra.insert(0, documents)
            written.append(write_text(scenario.output_dir / "summary.html",
                                      summary_page(scenario, existing, plan, links, extra, edition_lines(scenario))))
    if "xlsx" in formats:
        from geoplan.workbook import write_publication_workbook

        written.append(write_publication_workbook(scenario, tables, scenario.output_dir))
    written += publish_documents(scenario, themes, tables, formats, papers, printer)
    return written


def sheet_jobs(scenario: Scenario, themes: Publication, routes: bool = True) -> list[SheetJob]:
    """Every print sheet of the publication: the themes, the plan by year (if one is adopted) and,
    with ``routes``, the routes of every routed workflow."""
    from geoplan.print_maps import SheetJob, plan_sheet, planned_sites_by_kind, routes_sheet, theme_sheet

    jobs = [SheetJob(c.theme.key, c.theme.title.split(" / ")[0] + "规划图", "theme", theme_sheet, c)
            for c in themes.contents]
    plan = facilities_for(scenario, "plan")
    if planned_sites_by_kind(plan):
        jobs.append(SheetJob("plan", "规划设施分年度布局图", "plan", plan_sheet, plan))
    if routes:
        jobs += [SheetJob(f"routes_{w}", f"收运路线图（{w}）", "routes", routes_sheet, route_content(scenario, w))
                 for w in routed_workflows(scenario)]
    return jobs


def sheet_printer(scenario: Scenario, formats: tuple[str, ...], papers: tuple[str, ...],
                  basemap: Path | None = None) -> SheetPrinter | None:
    """The printer of the publication's sheets (None when no format needs one); ``basemap``: the
    planner's georeferenced image under every sheet."""
    from geoplan.print_maps import PRINT_FORMATS, SheetPrinter, sheet_context

    if not ({"docx", *PRINT_FORMATS} & set(formats)):
        return None
    return SheetPrinter(sheet_context(scenario, edition(scenario), basemap), papers, formats, scenario.output_dir,
                        chapter="docx" in formats)


def publish_documents(scenario: Scenario, themes: Publication, tables, formats: tuple[str, ...],
                      papers: tuple[str, ...], printer: SheetPrinter | None = None) -> list[Path]:
    """The print maps (``pdf``/``png`` on ``papers``) and the Word chapter (``docx``, with the A4 sheets).

    ``printer`` may already draw some sheets (the demo starts the themes while it routes); the
    rest are handed to it here.
    """
    from geoplan.chapter import build_chapter, write_chapter
    from geoplan.reports import adopted_plan_tables

    printer = printer or sheet_printer(scenario, formats, papers)
    if printer is None:
        return []
    with printer:
        for job in sheet_jobs(scenario, themes):
            printer.submit(job)
        written, sheets = printer.finish()
    if "docx" in formats:
        doc, _ = build_chapter(scenario, edition(scenario), tables, adopted_plan_tables(scenario), sheets["theme"],
                               sheets["routes"], sheets["plan"][0] if sheets["plan"] else None)
        written.append(write_chapter(doc, scenario.output_dir))
    return written


def documents_section(formats: tuple[str, ...]) -> tuple[str, str] | None:
    """The summary's links to what this publication writes beside it: the workbook, the Word chapter
    and the print maps' folder (None when it writes none of them)."""
    import html

    from geoplan.chapter import CHAPTER_NAME
    from geoplan.print_maps import PRINT_FOLDER
    from geoplan.workbook import WORKBOOK_NAME

    items = [(name, href) for fmt, name, href in (
        ("xlsx", "指标与项目表 / workbook (.xlsx)", WORKBOOK_NAME),
        ("docx", "规划文本章节 / Word chapter (.docx)", CHAPTER_NAME),
        ("pdf", "图集 / print maps (PDF)", f"{PRINT_FOLDER}/"),
        ("png", "图集 / print maps (PNG, 300 dpi)", f"{PRINT_FOLDER}/")) if fmt in formats]
    if not items:
        return None
    rows = "".join(f'<li><a href="{html.escape(href)}">{html.escape(name)}</a></li>' for name, href in items)
    return "出图与成果 / documents", f"<ul>{rows}</ul>"


def adopted_plan_sections(scenario: Scenario, links: dict[str, str]) -> list[tuple[str, str]]:
    """The adopted plan alternative's indicators per year and project list, for the summary page
    (and its map added to ``links``); none when the plan is no alternative's."""
    from geoplan.planning import alternatives
    from geoplan.reports import adopted_plan_tables, table_html

    adopted = adopted_plan_tables(scenario)
    if adopted is None:
        return []
    out = []
    if (adopted.folder / "map_plan.html").exists():
        links[f"规划方案 / the plan ({adopted.name})"] = f"{alternatives.PLANS_FOLDER}/{adopted.name}/map_plan.html"
    if adopted.by_year is not None:
        shown = adopted.by_year.drop(columns=["key", "target_year"], errors="ignore").rename(columns={
            "label": "指标 / indicator", "year": "年份 / year", "due": "应达 / due", "target": "目标 / target",
            "actual": "规划 / plan", "status": "状态 / status"})
        out.append((f"分年度指标 / indicators by year — 方案 {adopted.name}",
                    table_html(shown, ("应达 / due", "目标 / target", "规划 / plan"))))
    if adopted.projects is not None:
        projects = adopted.projects
        out.append((f"项目清单 / project list — {len(projects)} 项, {adopted.total_cost_wan_yuan:,.1f} 万元",
                    table_html(projects.drop(columns=["造价依据"], errors="ignore"))))
    return out
