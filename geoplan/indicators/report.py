"""All indicators of a scenario, for the existing network and for the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import pandas as pd

import layers
from geoplan.indicators.coverage import CoverageIndicator, kind_coverage
from geoplan.indicators.loads import haul_distances, recycling_chain
from geoplan.scenario import Scenario

State = Literal["existing", "plan"]
STATE_LABELS = {"existing": "现状 / existing network", "plan": "规划 / plan (existing + planned + sited)"}
#: Sites chosen by `geoplan site` are written here, one layer per facility kind, status planned.
PLANNED_SITES_FILE = "planned_sites.gpkg"


def county_facilities(scenario: Scenario, statuses: tuple[str, ...] = ("existing", "planned")
                      ) -> dict[str, gpd.GeoDataFrame]:
    """The facility layers of the scenario's own layers with these statuses (non-empty kinds only)."""
    out = {}
    for kind in layers.FACILITY_KINDS:
        gdf = scenario.layers.get(kind)
        if gdf is not None and len(gdf):
            keep = gdf[gdf["status"].isin(statuses)]
            if len(keep):
                out[kind] = keep
    return out


def with_sites(facilities: dict[str, gpd.GeoDataFrame], kind: str, sites: gpd.GeoDataFrame
               ) -> dict[str, gpd.GeoDataFrame]:
    """``facilities`` with ``sites`` added to ``kind``'s layer (a new dict; the others shared)."""
    out = dict(facilities)
    frames = [f for f in (facilities.get(kind), sites) if f is not None and len(f)]
    if frames:
        out[kind] = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    return out


def facilities_for(scenario: Scenario, state: State) -> dict[str, gpd.GeoDataFrame]:
    """Facility layers of the existing network, or of the plan (existing + planned + the adopted
    plan's ``output/planned_sites.gpkg``)."""
    if state == "existing":
        return county_facilities(scenario, ("existing",))
    out = county_facilities(scenario)
    sited = scenario.output_dir / PLANNED_SITES_FILE
    if sited.exists():
        for kind in layers.gpkg_layer_names(sited):
            if kind in layers.FACILITY_KINDS:
                out = with_sites(out, str(kind), layers.read_layer(sited, kind, to_crs=scenario.metric_epsg))
    return out


@dataclass
class IndicatorReport:
    """Indicators of one network state, with tables ready for CSV/JSON and maps."""

    state: State
    coverage: dict[str, CoverageIndicator] = field(default_factory=dict)
    loads: dict[str, pd.DataFrame] = field(default_factory=dict)
    hauls: dict[str, pd.DataFrame] = field(default_factory=dict)
    chain: pd.DataFrame | None = None

    @property
    def station_loads(self) -> pd.DataFrame | None:
        """Loads of the transfer stations (see :class:`~geoplan.indicators.coverage.KindCoverage`)."""
        return self.loads.get("transfer_stations")

    def table(self) -> pd.DataFrame:
        """Target indicators: actual, target, gap and 达标 / 未达标."""
        return pd.DataFrame([c.row() for c in self.coverage.values()])

    def district_table(self) -> pd.DataFrame:
        """Coverage per 街道/镇 for every indicator."""
        frames = [c.by_district.assign(key=k, label=c.label) for k, c in self.coverage.items()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def summary(self) -> str:
        lines = [f"{STATE_LABELS[self.state]}"]
        for c in self.coverage.values():
            lines.append(f"  {c.label}: {c.actual:.1%} (target {c.target:.0%}) {c.status}")
        if self.station_loads is not None:
            over = self.station_loads[self.station_loads["overloaded"]]
            lines.append(f"  overloaded transfer stations: {', '.join(over['name']) or 'none'}")
        return "\n".join(lines)


def compute_indicators(scenario: Scenario, state: State = "existing",
                       facilities: dict[str, gpd.GeoDataFrame] | None = None,
                       year: int | None = None) -> IndicatorReport:
    """Coverage against the targets in ``scenario.toml``, facility loads, hauls and the 四级 chain.

    Parameters
    ----------
    state : {"existing", "plan"}
    facilities : dict of str to GeoDataFrame, optional
        The facility layers to read (e.g. a plan alternative's); default those of ``state``.
    year : int, optional
        Read the targets' shares due in that year; default their final shares.
    """
    net = scenario.road_network
    facilities = facilities_for(scenario, state) if facilities is None else facilities
    districts = scenario.layers.get("districts")
    report = IndicatorReport(state)
    by_kind: dict[str, list] = {}
    for target in scenario.targets.values():
        by_kind.setdefault(target.facility_kind, []).append(target)
    for kind, targets in by_kind.items():
        demand = {t.demand_kind: scenario.layers[t.demand_kind] for t in targets if t.demand_kind in scenario.layers}
        have = facilities.get(kind)
        if have is None:
            have = next(iter(demand.values())).iloc[:0] if demand else None
        if have is None:
            continue
        read = kind_coverage(net, targets, scenario.standards, demand, have, scenario.quantities, districts, year)
        report.coverage.update(read.indicators)
        report.loads[kind] = read.loads
    report.coverage = {k: report.coverage[k] for k in scenario.targets if k in report.coverage}
    stations = facilities.get("transfer_stations")
    plants = facilities.get("treatment_plants")
    if stations is not None and plants is not None:
        burn = plants[plants["plant_type"] == "incineration"]
        report.hauls["transfer_to_treatment"] = haul_distances(net, stations, burn if len(burn) else plants,
                                                               "compression_truck")
    sites, disposal = scenario.layers.get("construction_sites"), facilities.get("muck_disposal_sites")
    if sites is not None and disposal is not None:
        report.hauls["muck_to_disposal"] = haul_distances(net, sites, disposal, "muck_truck")
    radius = {lvl.kind: scenario.standards.value(lvl.kind, "service_radius_m") for lvl in layers.RECYCLING_LEVELS}
    report.chain = recycling_chain(net, facilities, radius, "small_collection_vehicle")
    return report


def before_after(before: IndicatorReport, after: IndicatorReport) -> pd.DataFrame:
    """Indicator table of the existing network beside the plan's."""
    a, b = before.table(), after.table()
    if a.empty:
        return a
    merged = a[["key", "label", "target", "actual", "status"]].merge(
        b[["key", "actual", "status"]], on="key", suffixes=("_existing", "_plan"))
    merged["change"] = (merged["actual_plan"] - merged["actual_existing"]).round(4)
    return merged
