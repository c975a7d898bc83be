"""Routing results as tables a planner reads: routes and stops with road geometry, and files.

``routes`` has one row per vehicle route (its line follows the roads the vehicle's profile
drives, so the line's length equals the route's km; ``vehicle_type`` is the solver's id,
``vehicle_type_label`` the planner's name of it); ``stops`` one row per stop. They are
written to ``output/routes_<workflow>.gpkg`` (layers ``routes`` and ``stops``),
``output/routes_<workflow>.csv`` (routes without geometry) and the result summary to
``output/routes_<workflow>.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString

import layers
from geoplan.outputs import atomic_path, write_text
from geoplan.clock import hhmm
from geoplan.routing.fleet import vehicle_type_label
from geoplan.routing.prepared import PreparedProblem
from optimizers.routing import RoutingResult

ROUTE_COLUMNS = ["route_id", "workflow", "vehicle_type", "vehicle_type_label", "vehicle", "fraction", "unload_site",
                 "stops", "trips", "load_t", "km", "hours", "tonne_km", "fuel_l", "co2_kg", "return_km", "start", "end"]
STOP_COLUMNS = ["route_id", "sequence", "kind", "place_id", "name", "job_id", "arrival", "departure",
                "load_after_t"]


def route_tables(prepared: PreparedProblem, result: RoutingResult, network, crs,
                 co2_kg_per_l: float) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list]:
    """``routes`` and ``stops`` GeoDataFrames and the road :class:`~geoplan.network.Path` of each route.

    Parameters
    ----------
    prepared : PreparedProblem
    result : RoutingResult
    network : RoadNetwork
        The network the matrices came from (for the road geometry).
    crs
        CRS of the outputs (the scenario's metric CRS).
    co2_kg_per_l : float
        Diesel emission factor, kg CO₂ per litre (scenario quantity ``diesel_co2_kg_per_l``).
    """
    problem, loc = prepared.problem, prepared.locations
    vts = {vt.id: vt for vt in problem.vehicle_types}
    route_rows, stop_rows, paths = [], [], []
    for k, route in enumerate(result.routes, start=1):
        vt = vts[route.vehicle_type]
        vehicle = prepared.vehicles[vt.id]
        route_id = f"{prepared.workflow}-{k:03d}"
        seq = [loc.nodes[s.location] for s in route.stops]
        path = network.route_geometry(seq, vt.profile)
        paths.append(path)
        mat = problem.matrices[vt.profile]
        depot_loc = problem.depot(vt.depot).location
        back_m = float(mat.distance_m[route.stops[-1].location, depot_loc])
        route_rows.append({
            "route_id": route_id, "workflow": prepared.workflow, "vehicle_type": vt.id,
            "vehicle_type_label": vehicle_type_label(vehicle, vt.fractions), "vehicle": vehicle.label,
            "fraction": ",".join(vt.fractions),
            "unload_site": route.stops[-1].place_id.split("#")[0],
            "stops": len(route.job_ids), "trips": route.num_unloads + 1,
            "load_t": round(route.collected_t, 4), "km": round(route.distance_km, 4),
            "hours": round(route.duration_h, 4), "tonne_km": round(route.tonne_km, 4),
            "fuel_l": round(route.fuel_l, 4), "co2_kg": round(route.fuel_l * co2_kg_per_l, 4),
            "return_km": round(back_m / 1000.0, 4),
            "start": hhmm(route.stops[0].departure_s), "end": hhmm(route.stops[-1].arrival_s),
            "geometry": path.geometry if not path.geometry.is_empty else LineString(),
        })
        for n, stop in enumerate(route.stops):
            pid = stop.job_id if stop.kind == "job" else stop.place_id
            place = loc.places[pid]
            stop_rows.append({
                "route_id": route_id, "sequence": n, "kind": stop.kind, "place_id": place.layer_id,
                "name": place.name, "job_id": stop.job_id or "", "arrival": hhmm(stop.arrival_s),
                "departure": hhmm(stop.departure_s),
                "load_after_t": round(sum(stop.load_after_t.values()), 4), "geometry": place.geometry,
            })
    routes = gpd.GeoDataFrame(route_rows or None, columns=ROUTE_COLUMNS + ["geometry"], geometry="geometry", crs=crs)
    stops = gpd.GeoDataFrame(stop_rows or None, columns=STOP_COLUMNS + ["geometry"], geometry="geometry", crs=crs)
    return routes, stops, paths


def summary_dict(prepared: PreparedProblem, result: RoutingResult, routes: gpd.GeoDataFrame,
                 feasibility: list[str]) -> dict:
    """The result summary written to ``routes_<workflow>.json``."""
    return {
        "workflow": prepared.workflow,
        "engine": result.engine,
        "engine_reason": result.engine_reason,
        "feasible": result.feasible,
        "totals": {
            "routes": int(len(routes)),
            "jobs": len(prepared.problem.jobs),
            "load_t": round(float(routes["load_t"].sum()), 3) if len(routes) else 0.0,
            "km": round(float(routes["km"].sum()), 3) if len(routes) else 0.0,
            "hours": round(float(routes["hours"].sum()), 3) if len(routes) else 0.0,
            "tonne_km": round(float(routes["tonne_km"].sum()), 3) if len(routes) else 0.0,
            "fuel_l": round(float(routes["fuel_l"].sum()), 3) if len(routes) else 0.0,
            "co2_kg": round(float(routes["co2_kg"].sum()), 3) if len(routes) else 0.0,
            "return_km": round(float(routes["return_km"].sum()), 3) if len(routes) else 0.0,
            "cost_yuan": round(result.objective, 2),
        },
        "unserved": [{"job_id": u.job_id, "reason": u.reason} for u in result.unserved],
        "feasibility_check": feasibility,
        "notes": prepared.notes,
        "details": prepared.details,
    }


def write_outputs(output_dir: Path, workflow: str, routes: gpd.GeoDataFrame, stops: gpd.GeoDataFrame,
                  summary: dict) -> dict[str, Path]:
    """Write the GeoPackage, CSV and JSON of one workflow; return the paths by kind."""
    output_dir = Path(output_dir)
    gpkg = output_dir / f"routes_{workflow}.gpkg"
    with atomic_path(gpkg) as tmp:
        layers.write_layer(routes, tmp, "routes")
        layers.write_layer(stops, tmp, "stops")
    csv = output_dir / f"routes_{workflow}.csv"
    table = pd.DataFrame(routes.drop(columns="geometry"))
    write_text(csv, "\ufeff" + table.to_csv(index=False))
    js = write_text(output_dir / f"routes_{workflow}.json", json.dumps(summary, ensure_ascii=False, indent=2))
    return {"gpkg": gpkg, "csv": csv, "json": js}
