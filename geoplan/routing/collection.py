"""Household-waste collection: community pick-ups per fraction, trucks unloading as often as the shift allows.

Each residential community is one pick-up point per fraction (其他垃圾 / 厨余垃圾 / 可回收物)
with its daily tonnes: population × ``household_waste_kg_per_person_d`` split by
``kitchen_waste_share`` and ``recyclables_share`` (the rest is 其他垃圾). Fractions stay
apart: every pick-up is assigned to the unload site accepting its fraction that is
nearest by truck, and only a truck of that (fraction, unload site) group may serve it,
so a kitchen-waste truck only ever tips at a kitchen-waste facility. Trucks leave one
depot, may unload at their site and go on, and end the shift at their site after the
last load (the empty run back to the depot is reported apart).
"""

from __future__ import annotations

import math

import numpy as np

from layers.errors import GeoplanError
from geoplan.routing.fleet import KITCHEN, OTHER, RECYCLABLES, FleetVehicle, RoutingSettings
from geoplan.routing.matrices import Locations, build_matrices, snap_places
from geoplan.routing.prepared import PreparedProblem
from optimizers.routing import Depot, Job, RoutingProblem, UnloadSite, VehicleType

#: Which fleet vehicle carries each fraction. Assumption: recyclables go in a
#: compression truck run of their own (no separate recyclables lorry in the defaults).
FRACTION_VEHICLE = {OTHER: "compression_truck", KITCHEN: "kitchen_waste_truck",
                    RECYCLABLES: "compression_truck"}


def _fractions(value) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    return tuple(p.strip() for p in str(value).replace("，", ",").split(",") if p.strip())


def pick_depot(depots, wanted: str):
    """The depot row named ``wanted``, or the one with most vehicles."""
    if len(depots) == 0:
        raise GeoplanError("the scenario has no depots layer rows: add the vehicles' base (车场) to layers.gpkg")
    if wanted:
        hit = depots[depots["id"].astype(str) == wanted]
        if len(hit) == 0:
            raise GeoplanError(f"scenario.toml [routing] collection_depot = {wanted!r} is not a depot id; "
                               f"use one of {', '.join(depots['id'].astype(str))}")
        return hit.iloc[:1]
    counts = depots["vehicle_count"].fillna(0) if "vehicle_count" in depots.columns else np.zeros(len(depots))
    return depots.iloc[[int(np.argmax(np.asarray(counts)))]]


def daily_tonnes(communities, quantities: dict[str, float]) -> dict[str, np.ndarray]:
    """Daily tonnes per fraction of each community."""
    total = np.asarray(communities["population"], float) * quantities["household_waste_kg_per_person_d"] / 1000.0
    kitchen = quantities["kitchen_waste_share"]
    recyclables = quantities["recyclables_share"]
    if kitchen < 0 or recyclables < 0 or kitchen + recyclables > 1:
        raise GeoplanError("scenario.toml [quantities]: kitchen_waste_share + recyclables_share must lie within 0–1")
    return {OTHER: total * (1 - kitchen - recyclables), KITCHEN: total * kitchen, RECYCLABLES: total * recyclables}


def prepare_collection(scenario, fleet: dict[str, FleetVehicle], settings: RoutingSettings) -> PreparedProblem:
    """Build the day's collection problem of the scenario.

    Raises
    ------
    GeoplanError
        No depot, no residential communities, or no unload site accepting a fraction.
    """
    lay = scenario.layers
    net = scenario.road_network
    communities = lay.get("residential_communities")
    if communities is None or len(communities) == 0:
        raise GeoplanError("the scenario has no residential_communities: add the communities layer to layers.gpkg")
    depot_row = pick_depot(lay.get("depots", []), settings.collection_depot)

    loc = Locations()
    depot_places, depot_nodes = snap_places(net, depot_row, "depots")
    depot_id = depot_places[0].layer_id
    depot = Depot(depot_id, loc.add(depot_id, depot_places[0], depot_nodes[0]))

    site_rows = []
    for kind in ("transfer_stations", "treatment_plants"):
        gdf = lay.get(kind)
        if gdf is None or len(gdf) == 0:
            continue
        places, nodes = snap_places(net, gdf, kind)
        for place, node, fr in zip(places, nodes, gdf["fractions"] if "fractions" in gdf.columns else [None] * len(gdf)):
            site_rows.append((place, node, _fractions(fr) or (OTHER,)))
    truck = fleet["compression_truck"]
    sites = []
    for place, node, fr in site_rows:
        sites.append(UnloadSite(place.layer_id, loc.add(place.layer_id, place, node), fr,
                                service_s=truck.unload_service_min * 60.0))

    tonnes = daily_tonnes(communities, scenario.quantities)
    c_places, c_nodes = snap_places(net, communities, "residential_communities")
    c_locs = [loc.add(p.layer_id, p, n) for p, n in zip(c_places, c_nodes)]
    matrices = build_matrices(net, loc, sorted({fleet[v].profile for v in FRACTION_VEHICLE.values()}))

    jobs: list[Job] = []
    groups: dict[tuple[str, str], list[int]] = {}
    notes = []
    for fraction, vkey in FRACTION_VEHICLE.items():
        vehicle = fleet[vkey]
        accepting = [s for s in sites if fraction in s.fractions]
        if not accepting:
            raise GeoplanError(f"no transfer station or treatment plant accepts {fraction}: list {fraction} in the "
                               "fractions field of a transfer_stations or treatment_plants row")
        dur = matrices[vehicle.profile].duration_s
        site_locs = np.array([s.location for s in accepting])
        for k, (place, cl) in enumerate(zip(c_places, c_locs)):
            t = float(tonnes[fraction][k])
            if t <= 0:
                continue
            # Nearest by there-and-back time, so one-way streets do not skew the choice.
            back = dur[cl, site_locs] + dur[site_locs, cl]
            site = accepting[int(np.argmin(back))]
            vt_id = f"{vkey}:{fraction}:{site.id}"
            job_id = f"{place.layer_id}/{fraction}"
            jobs.append(Job(job_id, cl, {fraction: t}, service_s=vehicle.stop_service_min * 60.0,
                            vehicle_types=(vt_id,)))
            loc.places[job_id] = place
            loc.place_location[job_id] = cl
            groups.setdefault((vkey, fraction, site.id), []).append(len(jobs) - 1)

    vts, vehicles = [], {}
    site_load: dict[str, float] = {}
    for (vkey, fraction, site_id), members in groups.items():
        vehicle = fleet[vkey]
        start, end = vehicle.shift_s()
        vt_id = f"{vkey}:{fraction}:{site_id}"
        vts.append(VehicleType(
            vt_id, vehicle.count, vehicle.capacity_t, depot_id, end=site_id, fractions=(fraction,),
            capacity_m3=vehicle.capacity_m3, fixed_cost=vehicle.fixed_cost_yuan,
            cost_per_km=vehicle.cost_per_km_yuan, shift_start_s=start, shift_end_s=end,
            profile=vehicle.profile, fuel_l_per_100km=vehicle.fuel_l_per_100km, unload_sites=(site_id,),
        ))
        vehicles[vt_id] = vehicle
        site_load[site_id] = site_load.get(site_id, 0.0) + sum(jobs[j].total_t for j in members)

    capacity = {}
    for kind in ("transfer_stations", "treatment_plants"):
        gdf = lay.get(kind)
        if gdf is not None and "capacity_t_per_d" in gdf.columns:
            capacity.update(zip(gdf["id"].astype(str), gdf["capacity_t_per_d"].astype(float)))
    for site_id, t in sorted(site_load.items()):
        cap = capacity.get(site_id, math.inf)
        if t > cap:
            notes.append(f"{site_id} 超负荷 overloaded: receives {t:.1f} t/d from the communities nearest to it, "
                         f"design capacity {cap:g} t/d")
    notes.append("每个小区每类垃圾一个收集点 one pick-up per community and fraction; trucks end at their unload "
                 "site, the empty run back to the depot is in return_km")
    problem = RoutingProblem([depot], vts, jobs, matrices, sites)
    details = {"depot": depot_id, "unload_site_tonnes_per_d": {k: round(v, 3) for k, v in sorted(site_load.items())},
               "tonnes_per_d": {f: round(float(tonnes[f].sum()), 3) for f in FRACTION_VEHICLE}}
    return PreparedProblem("collection", problem, loc, vehicles, notes, details)
