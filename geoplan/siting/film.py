"""Film-recycling station siting (废旧农膜代贮回收站): villages' film and agri-input shops, t/yr.

The plans ask for at least one station in every township / 街道; the model sees this
as one constraint row per district holding film demand, reachable at cost 0 from the
district's own sites only, so every model (covering, median, capacitated) must open a
site there.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from geoplan.scenario import Scenario
from geoplan.siting import costs, demand
from geoplan.siting.problem_builder import BuiltProblem, build_problem, site_table

KIND = "film_recycling_stations"


def district_groups(districts: gpd.GeoDataFrame | None, sites: gpd.GeoDataFrame,
                    points: gpd.GeoDataFrame) -> tuple[dict[str, np.ndarray], list[str]]:
    """Sites per district that holds film demand, and the districts with demand but no site.

    Returns
    -------
    groups : dict of district name to bool ndarray (n_site,)
    missing : list of str
        Districts with film demand and no existing or candidate site inside.
    """
    if districts is None or len(districts) == 0:
        return {}, []
    poly = districts[["name", districts.geometry.name]]
    site_in = gpd.sjoin(sites[[sites.geometry.name]], poly, predicate="within", how="left")
    site_in = site_in[~site_in.index.duplicated(keep="first")]["name"].reindex(sites.index)
    demand_in = gpd.sjoin(points[points["weight"] > 0][[points.geometry.name]], poly, predicate="within")
    needed = [n for n in districts["name"] if n in set(demand_in["name"])]
    groups, missing = {}, []
    for name in needed:
        member = (site_in == name).to_numpy()
        if member.any():
            groups[str(name)] = member
        else:
            missing.append(str(name))
    return groups, missing


def build(scenario: Scenario, *, model: str, radius_m: float | None, cutoff_m: float | None) -> BuiltProblem:
    """The film-station problem with at least one station per township / 街道 holding film demand."""
    radius = scenario.standard(KIND, "service_radius_m") if radius_m is None else radius_m
    table = demand.film(scenario)
    sites = site_table(scenario, KIND)
    groups, missing = district_groups(scenario.layers.get("districts"), sites, table.points)
    # A covering model counts weight: a group row must outweigh all real demand to be kept.
    weight = float(table.weight.sum()) + 1.0 if model == "mclp" else 1e-6
    built = build_problem(scenario, KIND, table, radius_m=radius, cutoff_m=cutoff_m, sites=sites,
                          groups=groups, group_weight=weight)
    built.cost_per_unit = costs.per_unit(table.unit, built.profile)
    built.single_sourcing = True
    built.notes.append(f"每镇/街道至少一站 ≥ 1 station per township: {len(groups)} townships constrained")
    if missing:
        built.notes.append(
            "无备选站址的镇/街道 townships with film demand but no site: " + ", ".join(missing)
            + " — add a film_recycling_stations candidate there"
        )
    return built
