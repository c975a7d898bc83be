"""The 四级两网融合 recycling network, sited level by level.

Level 1 drop-off points (可回收物投放点) serve households within the walking standard;
level 2 collection hubs (片区归集点) serve the plan's drop-off points; level 3 sorting
centres (市级分拣中心) serve the hubs; level 4 markets (再生资源市场) serve the sorting
centres. Each level's demand is the level below as it stands in the plan (existing,
planned and sited facilities), loaded with the recyclables that reach it by road.

Fusion (两网融合): every transfer station of the plan is offered as a hub site on land
the county already holds — a candidate whose cost is the refit only
(``[plan] refit_cost_yuan``, by default the Lianyungang ETDZ plan's 50 万元). The model
chooses between fused and new hubs, and the result names the fused ones.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

import layers
from layers.errors import GeoplanError
from geoplan.indicators import facilities_for, nearest_facility
from geoplan.scenario import Scenario
from geoplan.siting import costs, demand
from geoplan.siting.problem_builder import BuiltProblem, build_problem, site_table
from geoplan.standards import SERVICE_PROFILES

LEVEL_KINDS = tuple(level.kind for level in layers.RECYCLING_LEVELS)


def _loads(scenario: Scenario, points: gpd.GeoDataFrame, weight: np.ndarray,
           facilities: gpd.GeoDataFrame, profile: str) -> np.ndarray:
    """Quantity arriving at each facility when every point goes to its nearest one by road."""
    access = nearest_facility(scenario.road_network, points, facilities, profile)
    to = access["nearest_facility_id"].to_numpy()
    ok = pd.notna(to)
    sums = pd.Series(weight[ok]).groupby(to[ok].astype(str)).sum()
    return sums.reindex(facilities["id"].astype(str).to_numpy()).fillna(0.0).to_numpy(dtype=float)


def level_demand(scenario: Scenario, kind: str, plan: dict[str, gpd.GeoDataFrame] | None = None) -> demand.DemandTable:
    """The demand a recycling level serves: households (level 1) or the plan's level below (2–4).

    Loads flow up by nearest facility: households → drop-off points → hubs → sorting
    centres. Levels 1–2 are in t/d, levels 3–4 (capacity in t/yr) in t/yr. ``plan`` is the
    facility layers to read the lower levels from (default the adopted plan's).
    """
    households = demand.recyclables_households(scenario)
    if kind == LEVEL_KINDS[0]:
        return households
    plan = facilities_for(scenario, "plan") if plan is None else plan
    points, weight = households.points, households.weight
    order = LEVEL_KINDS.index(kind)
    for lower in LEVEL_KINDS[:order]:
        have = plan.get(lower)
        if have is None or len(have) == 0:
            raise GeoplanError(
                f"no {lower} in the plan — site level {LEVEL_KINDS.index(lower) + 1} first "
                f"(geoplan site SCENARIO --kind {lower} …) or add them to layers.gpkg"
            )
        weight = _loads(scenario, points, weight, have, SERVICE_PROFILES[lower])
        points = have
    unit = "t/d"
    if layers.get_kind(kind).capacity_field == "capacity_t_per_yr":
        weight, unit = weight * 365.0, "t/yr"
    return demand.lower_level(points, LEVEL_KINDS[order - 1], weight, unit)


def fused_hub_sites(scenario: Scenario, hubs: gpd.GeoDataFrame,
                    plan: dict[str, gpd.GeoDataFrame] | None = None) -> gpd.GeoDataFrame:
    """Transfer stations of the plan offered as hub sites at the refit cost, with the candidates' usual capacity."""
    stations = (facilities_for(scenario, "plan") if plan is None else plan).get("transfer_stations")
    cands = hubs[hubs["status"] == "candidate"]
    if stations is None or len(stations) == 0 or len(cands) == 0:
        return hubs.iloc[:0]
    cost = scenario.plan.refit_cost_yuan
    cap = cands["capacity"].to_numpy(dtype=float)
    cap = float(np.median(cap[np.isfinite(cap)])) if np.isfinite(cap).any() else np.inf
    return gpd.GeoDataFrame({
        "id": [f"{i}-hub" for i in stations["id"].astype(str)],
        "name": [f"{n}（两网融合归集点 fused hub）" for n in stations["name"].astype(str)],
        "status": "candidate", "capacity": cap, "fixed_cost_yuan": cost,
        "origin": "transfer_stations", "fused_with": stations["id"].astype(str).to_numpy(),
    }, geometry=stations.geometry.to_numpy(), crs=stations.crs)


def build(scenario: Scenario, kind: str, *, model: str, radius_m: float | None, cutoff_m: float | None,
          fusion: bool = True, plan: dict[str, gpd.GeoDataFrame] | None = None) -> BuiltProblem:
    """The problem of one recycling level; hubs include fused transfer-station sites when ``fusion``."""
    radius = scenario.standards.value(kind, "service_radius_m") if radius_m is None else radius_m
    table = level_demand(scenario, kind, plan)
    sites = site_table(scenario, kind)
    n_fused = 0
    if kind == "collection_hubs" and fusion:
        fused = fused_hub_sites(scenario, sites, plan)
        n_fused = len(fused)
        if n_fused:
            sites = gpd.GeoDataFrame(pd.concat([sites, fused], ignore_index=True), crs=sites.crs)
    built = build_problem(scenario, kind, table, radius_m=radius, cutoff_m=cutoff_m, sites=sites)
    built.cost_per_unit = costs.per_unit(table.unit, built.profile)
    built.notes.append(f"需求 demand: {table.description} ({table.unit})")
    if n_fused:
        built.notes.append(f"两网融合 fusion: {n_fused} transfer stations offered as hub sites without land cost")
    return built
