"""Demand tables of the siting workflows: what each facility kind serves, in its capacity unit.

Each function turns scenario layers into a :class:`DemandTable`: one row per demand
point (community, village, shop, construction site, lower-level facility) with its
quantity in the unit the facility kind's capacity is measured in.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import GeoplanError
from geoplan.scenario import Scenario

#: Days a construction site's muck is spread over when it has no start/end date (assumption: one year).
DEFAULT_MUCK_DAYS = 365.0


@dataclass
class DemandTable:
    """Demand points of one siting workflow.

    Attributes
    ----------
    points : GeoDataFrame
        Columns ``id`` (unique across the table), ``name``, ``source_kind`` (the layer
        the row came from), ``weight`` and ``coverage_weight``; points in the metric CRS.
    unit : str
        Unit of ``weight`` (the facility kind's capacity unit, e.g. ``"t/d"``).
    description : str
        How the weight was computed, for the summary (Chinese first, English beside).

    Notes
    -----
    ``weight`` is what uses capacity and drives median/capacitated costs;
    ``coverage_weight`` is what a coverage indicator counts (households, count …).
    """

    points: gpd.GeoDataFrame
    unit: str
    description: str

    @property
    def weight(self) -> np.ndarray:
        return self.points["weight"].to_numpy(dtype=float)

    @property
    def ids(self) -> list[str]:
        return [str(i) for i in self.points["id"]]

    def __len__(self) -> int:
        return len(self.points)


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    return pd.to_numeric(frame[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)


def _table(parts: list[tuple[str, gpd.GeoDataFrame, np.ndarray, np.ndarray]], crs) -> gpd.GeoDataFrame:
    frames = []
    for kind, gdf, weight, cover in parts:
        frames.append(gpd.GeoDataFrame({
            "id": gdf["id"].astype(str).to_numpy(),
            "name": gdf["name"].astype(str).to_numpy() if "name" in gdf else gdf["id"].astype(str).to_numpy(),
            "source_kind": kind,
            "weight": weight,
            "coverage_weight": cover,
        }, geometry=gdf.geometry.to_numpy(), crs=gdf.crs))
    if not frames:
        return gpd.GeoDataFrame({"id": [], "name": [], "source_kind": [], "weight": [], "coverage_weight": []},
                                geometry=[], crs=crs)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    dup = out["id"].duplicated()
    if dup.any():
        raise GeoplanError(
            f"demand id {out.loc[dup, 'id'].iloc[0]!r} appears in two demand layers — give every "
            "community, village and site its own id"
        )
    return out


def _require(scenario: Scenario, kinds: tuple[str, ...], what: str) -> None:
    if not any(k in scenario.layers and len(scenario.layers[k]) for k in kinds):
        raise GeoplanError(
            f"{scenario.layers_path}: {what} needs a layer {' or '.join(kinds)} with rows — add it to layers.gpkg"
        )


def household_waste(scenario: Scenario) -> DemandTable:
    """Communities and villages with their daily household waste (population × per-capita rate), t/d.

    Coverage counts households of communities and villages.
    """
    _require(scenario, ("residential_communities", "villages"), "transfer-station siting")
    rate = float(scenario.quantities.get("household_waste_kg_per_person_d", 0.49))
    parts = []
    for kind in ("residential_communities", "villages"):
        gdf = scenario.layers.get(kind)
        if gdf is not None and len(gdf):
            parts.append((kind, gdf, _numeric(gdf, "population") * rate / 1000.0, _numeric(gdf, "households")))
    return DemandTable(
        _table(parts, None), "t/d", f"生活垃圾 household waste = 人口 population × {rate:g} kg/(人·日) (person·d)"
    )


def film(scenario: Scenario) -> DemandTable:
    """Villages' waste film (mulched area × kg/mu) and agri-input shops' film sales, t/yr.

    Coverage is weighted by the same tonnage (the film-recovery target is weighted by
    mulched area, which is proportional to it).
    """
    _require(scenario, ("villages", "agri_input_shops"), "film-station siting")
    kg_per_mu = float(scenario.quantities.get("film_kg_per_mu_yr", 5.1))
    parts = []
    villages = scenario.layers.get("villages")
    if villages is not None and len(villages):
        t = _numeric(villages, "mulched_area_mu") * kg_per_mu / 1000.0
        parts.append(("villages", villages, t, t))
    shops = scenario.layers.get("agri_input_shops")
    if shops is not None and len(shops):
        # Film sold by a shop comes back as waste film through its collection box.
        t = _numeric(shops, "film_sales_kg_per_yr") / 1000.0
        parts.append(("agri_input_shops", shops, t, t))
    return DemandTable(
        _table(parts, None), "t/yr",
        f"废旧农膜 waste film = 覆膜面积 mulched mu × {kg_per_mu:g} kg/亩 + 农资店农膜销量 shop film sales",
    )


def muck_volume(scenario: Scenario) -> DemandTable:
    """Construction sites' muck volume, m³ (for disposal sites, whose capacity is m³)."""
    _require(scenario, ("construction_sites",), "muck disposal siting")
    sites = scenario.layers["construction_sites"]
    v = _numeric(sites, "muck_volume_m3")
    return DemandTable(_table([("construction_sites", sites, v, v)], None), "m³",
                       "工程渣土 muck volume = 工地渣土量 site muck_volume_m3")


def muck_daily(scenario: Scenario) -> DemandTable:
    """Construction sites' muck per working day, t/d (for transfer yards, whose capacity is t/d).

    Volume × density spread over the days between start and end date
    (:data:`DEFAULT_MUCK_DAYS` when a date is missing).
    """
    _require(scenario, ("construction_sites",), "muck transfer-yard siting")
    sites = scenario.layers["construction_sites"]
    density = float(scenario.quantities.get("muck_density_t_per_m3", 1.7))
    days = np.full(len(sites), DEFAULT_MUCK_DAYS)
    if "start_date" in sites and "end_date" in sites:
        span = (pd.to_datetime(sites["end_date"], errors="coerce")
                - pd.to_datetime(sites["start_date"], errors="coerce")).dt.days.to_numpy(dtype=float)
        ok = np.isfinite(span) & (span > 0)
        days[ok] = span[ok]
    t = _numeric(sites, "muck_volume_m3") * density / days
    return DemandTable(_table([("construction_sites", sites, t, _numeric(sites, "muck_volume_m3"))], None), "t/d",
                       f"渣土日产量 muck per day = 渣土量 m³ × {density:g} t/m³ ÷ 工期 project days")


def recyclables_households(scenario: Scenario) -> DemandTable:
    """Level 1 of 四级两网: communities and villages with their recyclables, t/d; coverage by households."""
    _require(scenario, ("residential_communities", "villages"), "drop-off point siting")
    rate = float(scenario.quantities.get("household_waste_kg_per_person_d", 0.49))
    share = float(scenario.quantities.get("recyclables_share", 0.12))
    parts = []
    for kind in ("residential_communities", "villages"):
        gdf = scenario.layers.get(kind)
        if gdf is not None and len(gdf):
            parts.append((kind, gdf, _numeric(gdf, "population") * rate * share / 1000.0, _numeric(gdf, "households")))
    return DemandTable(_table(parts, None), "t/d",
                       f"可回收物 recyclables = 人口 × {rate:g} kg/(人·日) × {share:g}")


def lower_level(facilities: gpd.GeoDataFrame, kind: str, load: np.ndarray, unit: str) -> DemandTable:
    """The facilities of one 四级 level as demand of the next level, each with its throughput ``load``."""
    if facilities is None or len(facilities) == 0:
        raise GeoplanError(
            f"no {kind} in the plan to serve — site the level below first (geoplan site --kind {kind})"
        )
    load = np.asarray(load, dtype=float)
    return DemandTable(_table([(kind, facilities, load, np.ones(len(facilities)))], facilities.crs), unit,
                       f"下级设施 lower-level {kind} throughput")
