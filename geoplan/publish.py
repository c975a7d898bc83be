"""Publishing a scenario: self-contained HTML theme maps, the summary page and indicator tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from geoplan.indicators import IndicatorReport, compute_indicators, facilities_for
from geoplan.outputs import read_output_json, read_output_table, write_text
from geoplan.scenario import Scenario


@dataclass(frozen=True)
class Theme:
    """One published map: which facilities, which coverage indicators, which service areas."""

    key: str
    title: str
    facility_kinds: tuple[str, ...]
    indicators: tuple[str, ...]
    service_area_kind: str | None = None
    profile: str = "small_collection_vehicle"


THEMES: tuple[Theme, ...] = (
    Theme("household_waste", "生活垃圾收运 / household waste",
          ("transfer_stations", "treatment_plants", "depots"),
          ("urban_sorting_coverage", "rural_sorting_coverage"), "transfer_stations"),
    Theme("recycling", "四级两网 / recycling network",
          ("dropoff_points", "collection_hubs", "sorting_centers", "recycling_markets", "transfer_stations"),
          ("recyclables_dropoff_coverage",), "collection_hubs"),
    Theme("film", "农膜与农药包装回收 / film and pesticide packaging",
          ("film_recycling_stations",), ("film_recovery_coverage", "pesticide_packaging_coverage"),
          "film_recycling_stations", "film_van"),
    Theme("muck", "渣土 / construction muck", ("muck_disposal_sites", "muck_transfer_yards"),
          ("muck_disposal_compliance",), None, "muck_truck"),
)


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write ``m`` as one self-contained HTML file (scripts and styles inlined), atomically."""
    from maps import page_html

    return write_text(path, page_html(m))


def write_layers_map(scenario: Scenario, tiles: str = "osm") -> Path:
    """The map of all the scenario's layers, ``output/map_layers.html``."""
    from maps import layers_map

    m = layers_map(scenario.layers, title=f"{scenario.name} — 图层总览 / all layers", tiles=tiles)
    return save_map(m, scenario.output_dir / "map_layers.html")


def _facilities_with_loads(facilities: dict[str, gpd.GeoDataFrame], report: IndicatorReport) -> dict:
    out = dict(facilities)
    if report.station_loads is not None and "transfer_stations" in out:
        loads = report.station_loads.set_index("id")
        ts = out["transfer_stations"].copy()
        ts["load_t_per_d"] = ts["id"].map(loads["load"])
        ts["load_ratio"] = ts["id"].map(loads["load_ratio"])
        ts["overloaded"] = ts["id"].map(loads["overloaded"]).fillna(False).astype(bool)
        out["transfer_stations"] = ts
    return out


def _demand_layers(scenario: Scenario, report: IndicatorReport, keys: tuple[str, ...]) -> dict:
    demand = {}
    for key in keys:
        ind = report.coverage.get(key)
        if ind is None or ind.demand_kind in demand:
            continue
        layer = scenario.layers[ind.demand_kind]
        extra = [c for c in ("population", "households", "mulched_area_mu", "muck_volume_m3") if c in layer.columns]
        demand[ind.demand_kind] = ind.demand.merge(layer[["id", *extra]], on="id", how="left")
    return demand


def _districts_coverage(scenario: Scenario, report: IndicatorReport, key: str) -> gpd.GeoDataFrame | None:
    districts, ind = scenario.layers.get("districts"), report.coverage.get(key)
    if districts is None or ind is None:
        return None
    table = ind.by_district.rename(columns={"weight": "total_weight"})
    return districts[["id", "name", districts.geometry.name]].merge(table, left_on="name", right_on="district", how="left")


def theme_map(scenario: Scenario, theme: Theme, report: IndicatorReport, tiles: str = "osm") -> folium.Map:
    """One theme map of the plan: facilities, covered/uncovered demand, service areas, district coverage, panel."""
    from maps import (add_coverage_choropleth, add_demand_coverage, add_facilities, add_indicator_panel,
                      add_service_areas, finish_map, new_map)

    facilities = _facilities_with_loads(facilities_for(scenario, report.state), report)
    shown = {k: facilities[k] for k in theme.facility_kinds if k in facilities}
    m = new_map([scenario.layers["districts"]], tiles=tiles, title=f"{scenario.name} — {theme.title}")
    if theme.indicators and (districts := _districts_coverage(scenario, report, theme.indicators[0])) is not None:
        label = report.coverage[theme.indicators[0]].label.split(" / ")[0]
        add_coverage_choropleth(m, districts, tiles, label=f"{label} / coverage rate")
    if theme.service_area_kind and theme.service_area_kind in facilities:
        sites = facilities[theme.service_area_kind]
        radius = scenario.standards.value(theme.service_area_kind, "service_radius_m")
        areas = scenario.road_network.service_areas(sites, cutoff_m=radius, profile=theme.profile,
                                                    ids=sites["id"].tolist())
        add_service_areas(m, areas.assign(facility_kind=theme.service_area_kind), tiles, show=True)
    add_demand_coverage(m, _demand_layers(scenario, report, theme.indicators), tiles)
    add_facilities(m, shown, tiles)
    table = report.table()
    if not table.empty:
        add_indicator_panel(m, table[table["key"].isin(theme.indicators)],
                            title=f"指标 / indicators — {'规划 / plan' if report.state == 'plan' else '现状 / existing'}")
    return finish_map(m)


def write_theme_maps(scenario: Scenario, report: IndicatorReport, tiles: str = "osm") -> dict[str, Path]:
    """One self-contained HTML map per theme in ``output/``; returns title → path."""
    out = {}
    for theme in THEMES:
        if not any(k in report.coverage for k in theme.indicators):
            continue
        out[theme.title] = save_map(theme_map(scenario, theme, report, tiles), scenario.output_dir / f"map_{theme.key}.html")
    return out


def write_route_maps(scenario: Scenario, tiles: str = "osm") -> dict[str, Path]:
    """The map of every routed workflow (``output/routes_<workflow>.gpkg``); returns title → path."""
    out = {}
    for path in sorted(scenario.output_dir.glob("routes_*.gpkg")):
        workflow = path.stem.removeprefix("routes_")
        out[f"车辆路线 / routes: {workflow}"] = write_routes_map(scenario, workflow, tiles)
    return out


#: Facilities drawn under each workflow's routes.
_ROUTE_FACILITIES = {
    "collection": ("depots", "transfer_stations", "treatment_plants"),
    "film": ("depots", "film_recycling_stations"),
    "muck": ("depots", "muck_disposal_sites", "muck_transfer_yards"),
}


def write_routes_map(scenario: Scenario, workflow: str, tiles: str = "osm") -> Path:
    """Routes of one workflow from ``output/routes_<workflow>.gpkg`` (layers ``routes``, ``stops``)."""
    import layers
    from maps import add_facilities, add_routes, finish_map, new_map
    from maps.layers_map import add_areas

    path = scenario.output_dir / f"routes_{workflow}.gpkg"
    names = set(layers.gpkg_layer_names(path))
    with layers.reading(path, "GPKG"):
        routes = gpd.read_file(path, layer="routes")
        stops = gpd.read_file(path, layer="stops") if "stops" in names else None
    m = new_map([scenario.layers["districts"]], tiles=tiles, title=f"{scenario.name} — 车辆路线 / routes: {workflow}")
    add_areas(m, "districts", scenario.layers["districts"], tiles)
    # Routes may end at sites the plan adds, so draw the plan's facilities, not only the existing ones.
    plan = facilities_for(scenario, "plan")
    kinds = _ROUTE_FACILITIES.get(workflow, ("depots",))
    add_facilities(m, {k: plan[k] for k in kinds if k in plan}, tiles)
    add_routes(m, routes, stops, tiles)
    return save_map(finish_map(m), scenario.output_dir / f"map_routes_{workflow}.html")


@dataclass
class Publication:
    """What :func:`publish_themes` computed and wrote, for the route maps and the report to follow."""

    existing: IndicatorReport
    plan: IndicatorReport
    maps: dict[str, Path]


def publish_themes(scenario: Scenario, tiles: str = "osm") -> Publication:
    """Indicators of the existing network and of the plan, and the theme maps (no routes needed)."""
    existing = compute_indicators(scenario, "existing")
    plan = compute_indicators(scenario, "plan")
    return Publication(existing, plan, write_theme_maps(scenario, plan, tiles))


def publish(scenario: Scenario, tiles: str = "osm", with_report: bool = True,
            themes: Publication | None = None) -> list[Path]:
    """Compute indicators (existing and plan), write the theme and route maps and, with
    ``with_report``, the indicator CSV/JSON files and ``output/summary.html``.

    ``themes`` (from :func:`publish_themes`, e.g. written while the routes were planned) is
    used instead of computing the indicators and theme maps again.
    """
    from geoplan.reports import summary_page, write_indicator_tables

    themes = publish_themes(scenario, tiles) if themes is None else themes
    existing, plan = themes.existing, themes.plan
    maps = {**themes.maps, **write_route_maps(scenario, tiles)}
    written = list(maps.values())
    if with_report:
        written += write_indicator_tables(scenario, existing, plan)
        links = {title: path.name for title, path in maps.items()}
        if (scenario.output_dir / "map_layers.html").exists():
            links["图层总览 / all layers"] = "map_layers.html"
        extra = adopted_plan_sections(scenario, links)
        if (totals := route_totals(scenario)) is not None:
            from geoplan.reports import table_html

            extra.append(("车辆路线合计 / route totals (per day; film per period)", table_html(totals)))
        written.append(write_text(scenario.output_dir / "summary.html",
                                  summary_page(scenario, existing, plan, links, extra)))
    return written


def adopted_plan_sections(scenario: Scenario, links: dict[str, str]) -> list[tuple[str, str]]:
    """The adopted plan alternative's indicators per year and project list, for the summary page
    (and its map added to ``links``); none when the plan is no alternative's."""
    from geoplan.planning import alternatives
    from geoplan.reports import table_html

    name = alternatives.adopted_name(scenario)
    if name is None:
        return []
    folder = alternatives.plans_dir(scenario) / name
    out = []
    if (folder / "map_plan.html").exists():
        links[f"规划方案 / the plan ({name})"] = f"{alternatives.PLANS_FOLDER}/{name}/map_plan.html"
    if (folder / "indicators_by_year.csv").exists():
        years = read_output_table(folder / "indicators_by_year.csv", "a new run of geoplan plan")
        shown = years.drop(columns=["key", "target_year"], errors="ignore").rename(columns={
            "label": "指标 / indicator", "year": "年份 / year", "due": "应达 / due", "target": "目标 / target",
            "actual": "规划 / plan", "status": "状态 / status"})
        out.append((f"分年度指标 / indicators by year — 方案 {name}",
                    table_html(shown, ("应达 / due", "目标 / target", "规划 / plan"))))
    if (folder / "projects.csv").exists():
        projects = read_output_table(folder / "projects.csv", "a new run of geoplan plan", dtype={"建设期限": str})
        total = projects["总投资（万元）"].sum() if len(projects) else 0.0
        out.append((f"项目清单 / project list — {len(projects)} 项, {total:,.1f} 万元",
                    table_html(projects.drop(columns=["造价依据"], errors="ignore"))))
    return out


def route_totals(scenario: Scenario) -> pd.DataFrame | None:
    """Totals of every routed workflow (``output/routes_<workflow>.json``): vehicles, km, t·km, fuel, CO₂."""
    rows = []
    for path in sorted(scenario.output_dir.glob("routes_*.json")):
        doc = read_output_json(path, f"geoplan route DIR --workflow {path.stem.removeprefix('routes_')}")
        t = doc.get("totals", {})
        rows.append({"workflow": doc.get("workflow", path.stem), "engine": doc.get("engine"),
                     "routes": t.get("routes"), "load_t": t.get("load_t"), "km": t.get("km"),
                     "tonne_km": t.get("tonne_km"), "fuel_l": t.get("fuel_l"), "co2_kg": t.get("co2_kg"),
                     "unserved": len(doc.get("unserved", []))})
    return pd.DataFrame(rows) if rows else None
