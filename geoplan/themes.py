"""What each published map shows, worked out once for every format (HTML, PDF, PNG, Word).

A :class:`Theme` names the facilities, indicators and service areas of one map;
:func:`theme_content` reads them off the scenario and an indicator report, and
:func:`route_content` reads a routed workflow's output. The HTML maps
(:mod:`geoplan.publish`) and the print maps (:mod:`geoplan.print_maps`) draw the same
content. :func:`edition` is what every sheet says about itself: date, coordinate system,
data sources.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pyproj

import layers
from geoplan.indicators import IndicatorReport, facilities_for
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

#: Facilities drawn under each workflow's routes.
ROUTE_FACILITIES = {
    "collection": ("depots", "transfer_stations", "treatment_plants"),
    "film": ("depots", "film_recycling_stations"),
    "muck": ("depots", "muck_disposal_sites", "muck_transfer_yards"),
}

#: Weight columns a demand point's popup and table show, where the layer has them.
DEMAND_WEIGHT_COLUMNS = ("population", "households", "mulched_area_mu", "muck_volume_m3")


def published_themes(report: IndicatorReport) -> tuple[Theme, ...]:
    """The themes with at least one indicator in ``report`` (a scenario without film has no film map)."""
    return tuple(t for t in THEMES if any(k in report.coverage for k in t.indicators))


@dataclass
class ThemeContent:
    """Everything one theme map draws, in the scenario's metric CRS.

    Attributes
    ----------
    theme : Theme
    districts : GeoDataFrame or None
        Districts with ``coverage_rate`` (0–1) of the theme's first indicator, ``covered_weight``,
        ``total_weight``.
    coverage_label : str
        Name of that indicator (Chinese).
    service_areas : GeoDataFrame or None
        The service areas of ``theme.service_area_kind`` within its service standard.
    demand : dict of str to GeoDataFrame
        Demand points per kind with ``covered``.
    facilities : dict of str to GeoDataFrame
        The facilities drawn, per kind (transfer stations with their loads).
    indicators : DataFrame
        The theme's rows of the indicator table (label, actual, target, gap, unit, status).
    state : {"existing", "plan"}
    """

    theme: Theme
    districts: gpd.GeoDataFrame | None
    coverage_label: str
    service_areas: gpd.GeoDataFrame | None
    demand: dict[str, gpd.GeoDataFrame]
    facilities: dict[str, gpd.GeoDataFrame]
    indicators: pd.DataFrame
    state: str


def facilities_with_loads(facilities: dict[str, gpd.GeoDataFrame], report: IndicatorReport) -> dict:
    """``facilities`` with each transfer station's load, load ratio and overload flag from ``report``."""
    out = dict(facilities)
    if report.station_loads is not None and "transfer_stations" in out:
        loads = report.station_loads.set_index("id")
        ts = out["transfer_stations"].copy()
        ts["load_t_per_d"] = ts["id"].map(loads["load"])
        ts["load_ratio"] = ts["id"].map(loads["load_ratio"])
        ts["overloaded"] = ts["id"].map(loads["overloaded"]).fillna(False).astype(bool)
        out["transfer_stations"] = ts
    return out


def demand_layers(scenario: Scenario, report: IndicatorReport, keys: tuple[str, ...]) -> dict:
    """The demand points of the indicators ``keys``, per demand kind, with ``covered`` and their weights."""
    demand = {}
    for key in keys:
        ind = report.coverage.get(key)
        if ind is None or ind.demand_kind in demand:
            continue
        layer = scenario.layers[ind.demand_kind]
        extra = [c for c in DEMAND_WEIGHT_COLUMNS if c in layer.columns]
        demand[ind.demand_kind] = ind.demand.merge(layer[["id", *extra]], on="id", how="left")
    return demand


def districts_coverage(scenario: Scenario, report: IndicatorReport, key: str) -> gpd.GeoDataFrame | None:
    """The districts with the coverage rate of indicator ``key`` in each (None without districts)."""
    districts, ind = scenario.layers.get("districts"), report.coverage.get(key)
    if districts is None or ind is None:
        return None
    table = ind.by_district.rename(columns={"weight": "total_weight"})
    return districts[["id", "name", districts.geometry.name]].merge(table, left_on="name", right_on="district", how="left")


def theme_content(scenario: Scenario, theme: Theme, report: IndicatorReport) -> ThemeContent:
    """What the map of ``theme`` shows for the state of ``report`` (service areas computed here, once)."""
    facilities = facilities_with_loads(facilities_for(scenario, report.state), report)
    first = theme.indicators[0] if theme.indicators else None
    areas = None
    if theme.service_area_kind and theme.service_area_kind in facilities:
        sites = facilities[theme.service_area_kind]
        radius = scenario.standards.value(theme.service_area_kind, "service_radius_m")
        areas = scenario.road_network.service_areas(sites, cutoff_m=radius, profile=theme.profile,
                                                    ids=sites["id"].tolist())
        areas = areas.assign(facility_kind=theme.service_area_kind)
    table = report.table()
    return ThemeContent(
        theme=theme,
        districts=districts_coverage(scenario, report, first) if first else None,
        coverage_label=report.coverage[first].label.split(" / ")[0] if first in report.coverage else "",
        service_areas=areas,
        demand=demand_layers(scenario, report, theme.indicators),
        facilities={k: facilities[k] for k in theme.facility_kinds if k in facilities},
        indicators=table[table["key"].isin(theme.indicators)] if not table.empty else table,
        state=report.state,
    )


@dataclass
class RouteContent:
    """One routed workflow as drawn: routes and stops from ``output/routes_<workflow>.gpkg`` and the
    plan's facilities the routes start and end at."""

    workflow: str
    routes: gpd.GeoDataFrame
    stops: gpd.GeoDataFrame | None
    facilities: dict[str, gpd.GeoDataFrame]


def routed_workflows(scenario: Scenario) -> list[str]:
    """Workflows with routes in ``output/`` (``routes_<workflow>.gpkg``), sorted."""
    return [p.stem.removeprefix("routes_") for p in sorted(scenario.output_dir.glob("routes_*.gpkg"))]


def route_content(scenario: Scenario, workflow: str) -> RouteContent:
    """Read ``output/routes_<workflow>.gpkg`` (layers ``routes``, ``stops``) and the facilities to draw."""
    path = scenario.output_dir / f"routes_{workflow}.gpkg"
    names = set(layers.gpkg_layer_names(path))
    with layers.reading(path, "GPKG"):
        routes = gpd.read_file(path, layer="routes")
        stops = gpd.read_file(path, layer="stops") if "stops" in names else None
    # Routes may end at sites the plan adds, so draw the plan's facilities, not only the existing ones.
    plan = facilities_for(scenario, "plan")
    kinds = ROUTE_FACILITIES.get(workflow, ("depots",))
    return RouteContent(workflow, routes, stops, {k: plan[k] for k in kinds if k in plan})


def roads_to_draw(scenario: Scenario) -> gpd.GeoDataFrame:
    """The roads a map draws for street context: the ``roads`` layer, or else the network's edges."""
    roads = scenario.layers.get("roads")
    if roads is None or not len(roads):
        roads = scenario.road_network.edges_gdf()
    return roads


# ---------------------------------------------------------------- the edition


#: Reproducible builds' convention: a fixed edition date for byte-identical outputs on any day.
SOURCE_DATE_VARIABLE = "SOURCE_DATE_EPOCH"
OSM_SUFFIXES = (".osm", ".xml", ".pbf")
OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class Edition:
    """What a published sheet says about itself.

    Attributes
    ----------
    date : str
        ``YYYY-MM-DD``: the day of the run, or the day of ``SOURCE_DATE_EPOCH`` when set.
    crs_note : str
        The scenario's coordinate system, e.g. ``"CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549)"``.
    sources : tuple of str
        Road network, layers and standards, one item each.
    """

    date: str
    crs_note: str
    sources: tuple[str, ...]


def edition_date() -> str:
    """Today (UTC), or the day of ``SOURCE_DATE_EPOCH`` (seconds since 1970) when it is set."""
    epoch = os.environ.get(SOURCE_DATE_VARIABLE, "").strip()
    when = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch.isdigit()
            else datetime.datetime.now(datetime.timezone.utc))
    return when.date().isoformat()


def network_source_note(scenario: Scenario) -> str:
    """Where the road network comes from, with the OSM attribution the ODbL asks for."""
    if "roads" in scenario.layer_sources:
        return f"路网 road network: {scenario.layer_sources['roads'].file}"
    source = scenario.network_settings.source
    if source.lower().endswith(OSM_SUFFIXES):
        return f"路网 road network: {source} ({OSM_ATTRIBUTION})"
    return f"路网 road network: {source}, layer {scenario.network_settings.roads_layer}"


def layer_source_note(scenario: Scenario) -> str:
    """The files the layers were read from."""
    files = dict.fromkeys([s.file for s in scenario.layer_sources.values()])
    if scenario.layers_path.exists():
        files[scenario.layers_path.name] = None
    return "图层 layers: " + ", ".join(files)


def edition(scenario: Scenario) -> Edition:
    """The date, coordinate system and data sources every published sheet of ``scenario`` carries."""
    crs = pyproj.CRS.from_epsg(scenario.metric_epsg)
    return Edition(
        date=edition_date(),
        crs_note=f"{crs.name} (EPSG:{scenario.metric_epsg})",
        sources=(network_source_note(scenario), layer_source_note(scenario),
                 "服务标准与指标 standards and targets: scenario.toml (CJJ 47-2006, GB 55013-2021, 实施方案)"),
    )
