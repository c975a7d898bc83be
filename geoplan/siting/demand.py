"""Demand tables of the siting workflows: what each facility kind serves, in its capacity unit.

Each function turns scenario layers into a :class:`DemandTable`: one row per demand
point (community, village, shop, construction site, lower-level facility) with its
quantity in the unit the facility kind's capacity is measured in, taken from
:mod:`geoplan.quantities` (the definitions routing and the indicators use too).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import GeoplanError
from geoplan import quantities as q
from geoplan.scenario import Scenario


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
    rate = scenario.quantities.household_waste_kg_per_person_d
    parts = []
    for kind in ("residential_communities", "villages"):
        gdf = scenario.layers.get(kind)
        if gdf is not None and len(gdf):
            parts.append((kind, gdf, q.household_waste_t_per_d(gdf, scenario.quantities),
                          q.numeric_field(gdf, "households")))
    return DemandTable(
        _table(parts, None), "t/d", f"生活垃圾 household waste = 人口 population × {rate:g} kg/(人·日) (person·d)"
    )


def film(scenario: Scenario) -> DemandTable:
    """Villages' waste film (mulched area × kg/mu) and agri-input shops' film sales, t/yr.

    Coverage is weighted by the same tonnage (the film-recovery target is weighted by
    mulched area, which is proportional to it).
    """
    _require(scenario, ("villages", "agri_input_shops"), "film-station siting")
    kg_per_mu = scenario.quantities.film_kg_per_mu_yr
    parts = []
    villages = scenario.layers.get("villages")
    if villages is not None and len(villages):
        t = q.village_film_t_per_yr(villages, scenario.quantities)
        parts.append(("villages", villages, t, t))
    shops = scenario.layers.get("agri_input_shops")
    if shops is not None and len(shops):
        t = q.shop_film_t_per_yr(shops)
        parts.append(("agri_input_shops", shops, t, t))
    return DemandTable(
        _table(parts, None), "t/yr",
        f"废旧农膜 waste film = 覆膜面积 mulched mu × {kg_per_mu:g} kg/亩 + 农资店农膜销量 shop film sales",
    )


def muck_volume(scenario: Scenario) -> DemandTable:
    """Construction sites' muck volume, m³ (for disposal sites, whose capacity is m³)."""
    _require(scenario, ("construction_sites",), "muck disposal siting")
    sites = scenario.layers["construction_sites"]
    v = q.numeric_field(sites, "muck_volume_m3")
    return DemandTable(_table([("construction_sites", sites, v, v)], None), "m³",
                       "工程渣土 muck volume = 工地渣土量 site muck_volume_m3")


def muck_daily(scenario: Scenario) -> DemandTable:
    """Construction sites' muck per working day, t/d (for transfer yards, whose capacity is t/d).

    :func:`geoplan.quantities.muck_t_per_working_day`: the volume over the site's working
    days, at the muck density — the same nightly flow the muck trucks haul.
    """
    _require(scenario, ("construction_sites",), "muck transfer-yard siting")
    sites = scenario.layers["construction_sites"]
    qs = scenario.quantities
    t = q.muck_t_per_working_day(sites, qs)
    return DemandTable(_table([("construction_sites", sites, t, q.numeric_field(sites, "muck_volume_m3"))], None),
                       "t/d", f"渣土日产量 muck per working day = 渣土量 m³ × {qs.muck_density_t_per_m3:g} t/m³ ÷ "
                              f"工作日 working days ({qs.muck_working_days_per_week:g} a week)")


def recyclables_households(scenario: Scenario) -> DemandTable:
    """Level 1 of 四级两网: communities and villages with their recyclables, t/d; coverage by households."""
    _require(scenario, ("residential_communities", "villages"), "drop-off point siting")
    rate = scenario.quantities.household_waste_kg_per_person_d
    share = scenario.quantities.recyclables_share
    parts = []
    for kind in ("residential_communities", "villages"):
        gdf = scenario.layers.get(kind)
        if gdf is not None and len(gdf):
            parts.append((kind, gdf, q.recyclables_t_per_d(gdf, scenario.quantities),
                          q.numeric_field(gdf, "households")))
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
