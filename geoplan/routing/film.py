"""Farm-film collection: villages and agri-input shops → township film stations, per period.

Quantities per collection run (default weekly, ``[routing] film_period_days``):
a village gives ``mulched_area_mu × film_kg_per_mu_yr × days / 365``; a shop gives its
``film_sales_kg_per_yr × days / 365`` (film sold comes back as waste film; assumption).
Vans start at a township film station (or, with none in the scenario, at a depot), may
come back to tip and go out again, and end at their station. The stations are the existing
ones or the plan's, as for collection (:func:`geoplan.routing.sites.choose_sites`).
"""

from __future__ import annotations

from layers.errors import GeoplanError
from geoplan.quantities import shop_film_t_per_yr, village_film_t_per_yr
from geoplan.routing.fleet import FILM, check_vehicles, vehicle_counts
from geoplan.routing.matrices import Locations, build_matrices, snap_places, stops_network
from geoplan.routing.prepared import PreparedProblem
from geoplan.routing.sites import choose_sites
from optimizers.routing import Depot, Job, RoutingProblem, UnloadSite, VehicleType

#: Suffix of the unload-site id at a station (the station is also the vans' depot).
UNLOAD_SUFFIX = "#卸"


def prepare_film(scenario, stations: str | None = None) -> PreparedProblem:
    """Build one film collection run of the scenario.

    Parameters
    ----------
    stations : {"existing", "plan"} or None
        Film stations the vans work from; None takes ``[routing] film_stations``
        (default: the plan when it adds a station, e.g. after ``geoplan site --kind
        film_recycling_stations``).

    Raises
    ------
    GeoplanError
        Neither film stations nor depots, or no village or shop with film.
    """
    lay = scenario.layers
    net = scenario.road_network
    limit = scenario.network_settings.max_snap_m
    settings = scenario.routing
    van = scenario.fleet["film_van"]
    choice = choose_sites(scenario, ("film_recycling_stations",),
                          stations if stations is not None else settings.film_stations)
    bases = choice.layers.get("film_recycling_stations")
    base_kind = "film_recycling_stations"
    notes = [choice.note("农膜回收站 film stations")]
    if bases is None or len(bases) == 0:
        bases, base_kind = lay.get("depots"), "depots"
        if bases is None or len(bases) == 0:
            raise GeoplanError("no film_recycling_stations and no depots in the scenario: add a township "
                               "废旧农膜回收站 to layers.gpkg")
        notes.append("没有农膜回收站 no film stations: vans start and tip at the depots")
    villages, shops = lay.get("villages"), lay.get("agri_input_shops")
    if villages is None and shops is None:
        raise GeoplanError("the scenario has no villages and no agri_input_shops layer: nothing to collect — add "
                           "[layers.villages] or [layers.agri_input_shops] to scenario.toml")
    none = bases.iloc[:0]  # an empty layer stands for the one the scenario lacks
    villages = none if villages is None else villages
    shops = none if shops is None else shops

    net = stops_network(net, [(base_kind, bases), ("villages", villages), ("agri_input_shops", shops)],
                        van.profile, limit)
    loc = Locations()
    b_places, b_nodes = snap_places(net, bases, base_kind, van.profile, limit)
    depots, sites = [], []
    # Vans based at a depot count against its vehicle_count; film stations keep their own vans.
    garages = vehicle_counts(check_vehicles(bases)) if base_kind == "depots" else [None] * len(bases)
    for place, node, garage in zip(b_places, b_nodes, garages):
        where = loc.add(place.layer_id, place, node)
        depots.append(Depot(place.layer_id, where, fractions=(FILM,), vehicle_count=garage))
        loc.places[place.layer_id + UNLOAD_SUFFIX] = place
        loc.place_location[place.layer_id + UNLOAD_SUFFIX] = where
        sites.append(UnloadSite(place.layer_id + UNLOAD_SUFFIX, where, (FILM,), service_s=van.unload_service_min * 60.0))

    # a run gathers the film of its period: the yearly quantity × days / 365
    share = settings.film_period_days / 365.0
    v_t = village_film_t_per_yr(villages, scenario.quantities) * share
    s_t = shop_film_t_per_yr(shops) * share
    points = []
    for gdf, kind, tonnes in ((villages, "villages", v_t), (shops, "agri_input_shops", s_t)):
        places, nodes = snap_places(net, gdf, kind, van.profile, limit)
        points += [(p, n, t) for p, n, t in zip(places, nodes, tonnes) if t > 0]
    if not points:
        raise GeoplanError("no village with mulched_area_mu > 0 and no shop with film_sales_kg_per_yr > 0: "
                           "nothing to collect")
    jobs = []
    for place, node, t in points:
        where = loc.add(place.layer_id, place, node)
        jobs.append(Job(place.layer_id, where, {FILM: float(t)}, service_s=van.stop_service_min * 60.0))
    matrices = build_matrices(net, loc, [van.profile])

    start, end = van.shift_s()
    vts, vehicles = [], {}
    for depot in depots:
        vt_id = f"film_van:{depot.id}"
        vts.append(VehicleType(
            vt_id, van.count, van.capacity_t, depot.id, fractions=(FILM,), capacity_m3=van.capacity_m3,
            fixed_cost=van.fixed_cost_yuan, cost_per_km=van.cost_per_km_yuan, shift_start_s=start,
            shift_end_s=end, profile=van.profile, fuel_l_per_100km=van.fuel_l_per_100km,
            unload_sites=(depot.id + UNLOAD_SUFFIX,),
        ))
        vehicles[vt_id] = van
    notes.append(f"每{settings.film_period_days:g}天一次 one run per {settings.film_period_days:g} days: "
                 "village film = mulched mu × kg/mu/yr × days/365; shop film = film sales × days/365")
    problem = RoutingProblem(depots, vts, jobs, matrices, sites)
    details = {**choice.details(), "period_days": settings.film_period_days,
               "tonnes_per_run": {"villages": round(float(v_t.sum()), 3), "shops": round(float(s_t.sum()), 3)}}
    return PreparedProblem("film", problem, loc, vehicles, notes, details, net)
