"""Household-waste collection: community pick-ups per fraction, trucks unloading as often as the shift allows.

Each residential community is one pick-up point per fraction (其他垃圾 / 厨余垃圾 / 可回收物)
with its daily tonnes: population × ``household_waste_kg_per_person_d`` split by
``kitchen_waste_share`` and ``recyclables_share`` (the rest is 其他垃圾).

**Stations.** Transfer stations and treatment plants of the existing network, or of the
plan (existing + planned rows + the stations ``geoplan site`` wrote to
``output/planned_sites.gpkg``); by default the plan when it adds any station
(:func:`geoplan.routing.sites.choose_sites`, shared with film and muck).

**Assignment.** Every pick-up goes to one station accepting its fraction, within the
stations' ``capacity_t_per_d`` (shared by the fractions a station takes), at least
tonnes × round-trip truck time: a generalized assignment problem solved as a small MIP
with CP-SAT under a time limit (:func:`optimizers.routing.assign_to_sites`; single
sourcing is exact, no rounding step). Pick-ups no station has room for stay with their
nearest station and are left out by the solve with the reason.

**Routes.** Fractions stay apart: only a truck of the pick-up's (fraction, station) group
may serve it, so a kitchen-waste truck only ever tips at a kitchen-waste facility. Trucks
leave one depot (at most its ``vehicle_count`` of them over all groups), may unload at
their station and go on, and end the shift at their station after the last load (the
empty run back to the depot is reported apart). Each station's daily capacity is part of
the routing problem, so the solve and the independent check both hold it.
"""

from __future__ import annotations

import math

import numpy as np

from layers.errors import GeoplanError
from geoplan.quantities import KITCHEN, OTHER, RECYCLABLES, accepted_fractions, fraction_t_per_d
from geoplan.routing.matrices import Locations, build_matrices, snap_places, stops_network
from geoplan.routing.prepared import PreparedProblem
from geoplan.routing.fleet import check_vehicles, vehicle_counts
from geoplan.routing.sites import choose_sites
from optimizers.routing import Depot, Job, RoutingProblem, UnloadSite, VehicleType, assign_to_sites

#: Which fleet vehicle carries each fraction. Assumption: recyclables go in a
#: compression truck run of their own (no separate recyclables lorry in the defaults).
FRACTION_VEHICLE = {OTHER: "compression_truck", KITCHEN: "kitchen_waste_truck",
                    RECYCLABLES: "compression_truck"}


def pick_depot(depots, wanted: str):
    """The depot row named ``wanted``, or the one with most vehicles.

    Raises
    ------
    GeoplanError
        No depot, an unknown ``wanted``, or a depot whose ``vehicle_count`` is 0 (no truck
        could leave it: the run would serve nothing).
    """
    if len(depots) == 0:
        raise GeoplanError("the scenario has no depots layer rows: add the vehicles' base (车场) to layers.gpkg")
    if wanted:
        hit = depots[depots["id"].astype(str) == wanted]
        if len(hit) == 0:
            raise GeoplanError(f"scenario.toml [routing] collection_depot = {wanted!r} is not a depot id; "
                               f"use one of {', '.join(depots['id'].astype(str))}")
        return check_vehicles(hit.iloc[:1])
    counts = depots["vehicle_count"].fillna(0) if "vehicle_count" in depots.columns else np.zeros(len(depots))
    return check_vehicles(depots.iloc[[int(np.argmax(np.asarray(counts)))]])


#: Facility kinds collection trucks unload at.
COLLECTION_SITE_KINDS = ("transfer_stations", "treatment_plants")


def prepare_collection(scenario, time_limit_s: float = 10.0, seed: int = 0,
                       stations: str | None = None) -> PreparedProblem:
    """Build the day's collection problem of the scenario.

    Parameters
    ----------
    stations : {"existing", "plan"} or None
        Stations to unload at; None takes ``[routing] collection_stations`` (default: the
        plan when it adds a station).
    time_limit_s : float
        Limit of the assignment of pick-ups to stations, seconds.

    Raises
    ------
    GeoplanError
        No depot, no residential communities, or no unload site accepting a fraction.
    """
    lay = scenario.layers
    net = scenario.road_network
    limit = scenario.network_settings.max_snap_m
    fleet, settings = scenario.fleet, scenario.routing
    truck = fleet["compression_truck"]
    communities = lay.get("residential_communities")
    if communities is None or len(communities) == 0:
        raise GeoplanError("the scenario has no residential_communities: add the communities layer to layers.gpkg")
    depot_row = pick_depot(lay.get("depots", []), settings.collection_depot)
    choice = choose_sites(scenario, COLLECTION_SITE_KINDS,
                          stations if stations is not None else settings.collection_stations)

    net = stops_network(net, [("depots", depot_row), *choice.layers.items(),
                              ("residential_communities", communities)], truck.profile, limit)
    loc = Locations()
    depot_places, depot_nodes = snap_places(net, depot_row, "depots", truck.profile, limit)
    depot_id = depot_places[0].layer_id
    garage = vehicle_counts(depot_row)[0]
    depot = Depot(depot_id, loc.add(depot_id, depot_places[0], depot_nodes[0]), vehicle_count=garage)

    site_rows = []
    for kind, gdf in choice.layers.items():
        if len(gdf) == 0:
            continue
        places, nodes = snap_places(net, gdf, kind, truck.profile, limit)
        fractions = gdf["fractions"] if "fractions" in gdf.columns else [None] * len(gdf)
        caps = gdf["capacity_t_per_d"] if "capacity_t_per_d" in gdf.columns else [math.inf] * len(gdf)
        for place, node, fr, cap in zip(places, nodes, fractions, caps):
            cap = float(cap) if cap is not None and np.isfinite(float(cap)) else math.inf
            site_rows.append((place, node, accepted_fractions(fr), cap))
    sites = []
    for place, node, fr, cap in site_rows:
        sites.append(UnloadSite(place.layer_id, loc.add(place.layer_id, place, node), fr,
                                service_s=truck.unload_service_min * 60.0, daily_capacity_t=cap))

    tonnes = fraction_t_per_d(communities, scenario.quantities)
    c_places, c_nodes = snap_places(net, communities, "residential_communities", truck.profile, limit)
    c_locs = [loc.add(p.layer_id, p, n) for p, n in zip(c_places, c_nodes)]
    matrices = build_matrices(net, loc, sorted({fleet[v].profile for v in FRACTION_VEHICLE.values()}))

    # Pick-ups and their round-trip time to every station accepting their fraction.
    pickups = []  # (community index, fraction, tonnes)
    cost_rows = []
    for fraction, vkey in FRACTION_VEHICLE.items():
        accepting = [k for k, s in enumerate(sites) if fraction in s.fractions]
        if not accepting:
            raise GeoplanError(f"no transfer station or treatment plant accepts {fraction}: list {fraction} in the "
                               "fractions field of a transfer_stations or treatment_plants row")
        dur = matrices[fleet[vkey].profile].duration_s
        site_locs = np.array([sites[k].location for k in accepting])
        for k, cl in enumerate(c_locs):
            t = float(tonnes[fraction][k])
            if t <= 0:
                continue
            row = np.full(len(sites), np.inf)
            # There and back, so one-way streets do not skew the choice.
            row[accepting] = dur[cl, site_locs] + dur[site_locs, cl]
            pickups.append((k, fraction, t))
            cost_rows.append(row)
    cost = np.array(cost_rows)
    demand = np.array([t for _, _, t in pickups])
    capacity = np.array([s.daily_capacity_t for s in sites])
    assignment = assign_to_sites(demand, capacity, cost, time_limit_s=time_limit_s, seed=seed)
    nearest = np.argmin(cost, axis=1)
    chosen = np.where(assignment.site >= 0, assignment.site, nearest)

    jobs: list[Job] = []
    groups: dict[tuple[str, str, str], list[int]] = {}
    for (k, fraction, t), s in zip(pickups, chosen):
        vkey = FRACTION_VEHICLE[fraction]
        vehicle = fleet[vkey]
        site = sites[int(s)]
        vt_id = f"{vkey}:{fraction}:{site.id}"
        job_id = f"{c_places[k].layer_id}/{fraction}"
        jobs.append(Job(job_id, c_locs[k], {fraction: t}, service_s=vehicle.stop_service_min * 60.0,
                        vehicle_types=(vt_id,)))
        loc.places[job_id] = c_places[k]
        loc.place_location[job_id] = c_locs[k]
        groups.setdefault((vkey, fraction, site.id), []).append(len(jobs) - 1)

    vts, vehicles = [], {}
    for (vkey, fraction, site_id), members in groups.items():
        vehicle = fleet[vkey]
        start, end = vehicle.shift_s()
        vt_id = f"{vkey}:{fraction}:{site_id}"
        count = vehicle.count if garage is None else max(1, min(vehicle.count, garage))
        vts.append(VehicleType(
            vt_id, count, vehicle.capacity_t, depot_id, end=site_id, fractions=(fraction,),
            capacity_m3=vehicle.capacity_m3, fixed_cost=vehicle.fixed_cost_yuan,
            cost_per_km=vehicle.cost_per_km_yuan, shift_start_s=start, shift_end_s=end,
            profile=vehicle.profile, fuel_l_per_100km=vehicle.fuel_l_per_100km, unload_sites=(site_id,),
        ))
        vehicles[vt_id] = vehicle

    notes = _station_notes(choice, sites, demand, nearest, assignment, pickups)
    if garage is not None:
        notes.append(f"车队 fleet: at most {garage} trucks leave depot {depot_id} (its vehicle_count)")
    notes.append("每个小区每类垃圾一个收集点 one pick-up per community and fraction; trucks end at their unload "
                 "site, the empty run back to the depot is in return_km")
    problem = RoutingProblem([depot], vts, jobs, matrices, sites)
    details = {
        "depot": depot_id,
        "depot_vehicle_count": garage,
        **choice.details(),
        "assignment_method": assignment.method,
        "assignment_optimal": assignment.optimal,
        "unload_site_tonnes_per_d": {s.id: round(float(assignment.load_t[k]), 3) for k, s in enumerate(sites)},
        "unload_site_capacity_t_per_d": {s.id: (s.daily_capacity_t if math.isfinite(s.daily_capacity_t) else None)
                                         for s in sites},
        "nearest_site_tonnes_per_d": {s.id: round(float(demand[nearest == k].sum()), 3) for k, s in enumerate(sites)},
        "unassigned_t_per_d": round(float(demand[assignment.site < 0].sum()), 3),
        "tonnes_per_d": {f: round(float(tonnes[f].sum()), 3) for f in FRACTION_VEHICLE},
    }
    return PreparedProblem("collection", problem, loc, vehicles, notes, details, net)


def _station_notes(choice, sites, demand, nearest, assignment, pickups) -> list[str]:
    """What the planner should know about the stations: which, overloads, shortfall."""
    notes = [choice.note("转运站 stations")]
    for k, site in enumerate(sites):
        near = float(demand[nearest == k].sum())
        if near > site.daily_capacity_t + 1e-9:
            moved = near - float(demand[(nearest == k) & (assignment.site == k)].sum())
            notes.append(f"{site.id} 超负荷 overloaded if every pick-up went to its nearest station: {near:.1f} t/d "
                         f"on a design capacity of {site.daily_capacity_t:g} t/d; the assignment sends "
                         f"{moved:.1f} t/d of it to other stations")
    short = assignment.unassigned
    if len(short):
        full = sorted({sites[int(nearest[i])].id for i in short})
        notes.append(f"能力不足 capacity short: {len(short)} pick-ups ({float(demand[short].sum()):.1f} t/d) find no "
                     f"station with room; full: {', '.join(full)}; they are listed as unserved")
    return notes
