"""Film-recycling station siting (废旧农膜代贮回收站): villages' film and agri-input shops, t/yr.

The plans ask for at least one station in every township / 街道 (``[standards.
film_recycling_stations] min_per_township``); every siting model takes it as a constraint:
each district holding film demand keeps that many of its sites open.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from optimizers.siting import SiteGroups
from geoplan.scenario import Scenario
from geoplan.siting import costs, demand
from geoplan.siting.problem_builder import BuiltProblem, build_problem, site_table

KIND = "film_recycling_stations"


def district_groups(districts: gpd.GeoDataFrame | None, sites: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                    min_open: int = 1) -> tuple[SiteGroups | None, list[str]]:
    """The sites of each district that holds film demand, as groups keeping ``min_open`` open,
    and the districts with demand but no site.

    Returns
    -------
    groups : SiteGroups or None
        One group per district with demand and a site; None when there is none.
    missing : list of str
        Districts with film demand and no existing or candidate site inside.
    """
    if districts is None or len(districts) == 0 or min_open <= 0:
        return None, []
    poly = districts[["name", districts.geometry.name]]
    site_in = gpd.sjoin(sites[[sites.geometry.name]], poly, predicate="within", how="left")
    site_in = site_in[~site_in.index.duplicated(keep="first")]["name"].reindex(sites.index)
    demand_in = gpd.sjoin(points[points["weight"] > 0][[points.geometry.name]], poly, predicate="within")
    needed = [n for n in districts["name"] if n in set(demand_in["name"])]
    label = np.full(len(sites), -1, dtype=np.int64)
    names, missing = [], []
    for name in needed:
        member = (site_in == name).to_numpy()
        if member.any():
            label[member] = len(names)
            names.append(str(name))
        else:
            missing.append(str(name))
    if not names:
        return None, missing
    return SiteGroups(label, np.full(len(names), int(min_open)), names), missing


def build(scenario: Scenario, *, model: str, radius_m: float | None, cutoff_m: float | None) -> BuiltProblem:
    """The film-station problem with at least one station per township / 街道 holding film demand."""
    radius = scenario.standards.value(KIND, "service_radius_m") if radius_m is None else radius_m
    table = demand.film(scenario)
    sites = site_table(scenario, KIND)
    per_township = int(scenario.standards.value(KIND, "min_per_township"))
    groups, missing = district_groups(scenario.layers.get("districts"), sites, table.points, per_township)
    built = build_problem(scenario, KIND, table, radius_m=radius, cutoff_m=cutoff_m, sites=sites, groups=groups)
    built.cost_per_unit = costs.per_unit(table.unit, built.profile)
    built.single_sourcing = True
    n_groups = 0 if groups is None else groups.n_groups
    built.notes.append(f"每镇/街道至少{per_township}站 ≥ {per_township} station(s) per township: "
                       f"{n_groups} townships constrained")
    if missing:
        built.notes.append(
            "无备选站址的镇/街道 townships with film demand but no site: " + ", ".join(missing)
            + " — add a film_recycling_stations candidate there"
        )
    return built
