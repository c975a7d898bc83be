"""Turn a visit sequence from an engine into a timed, loaded :class:`Route`.

Both engines only decide *which* vehicle visits *what* in which order; the times and
loads reported to the planner are recomputed here from the float travel matrices, so the
two engines' results read alike. Times follow the earliest schedule, with the route's
start pushed as late as the time windows allow so that waiting at the first stops does
not count as route duration.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from optimizers.routing.model import CO2_KG_PER_L_DIESEL, RoutingProblem
from optimizers.routing.result import Route, Stop

#: A visit: ("job", index into problem.jobs) or ("unload", index into problem.unload_sites).
Visit = tuple[Literal["job", "unload"], int]


def _trip_releases(problem: RoutingProblem, visits: list[Visit]) -> list[float]:
    """Latest release time of the jobs in each trip (trips are split by unload visits)."""
    out = [0.0]
    for kind, idx in visits:
        if kind == "unload":
            out.append(0.0)
        else:
            out[-1] = max(out[-1], problem.jobs[idx].release_s)
    return out


def _forward(problem: RoutingProblem, vt_idx: int, visits: list[Visit], start: float):
    """Earliest times leaving the start depot no earlier than ``start``.

    Returns rows ``(arrival, service start, departure, latest start, wait)`` per stop.
    """
    vt = problem.vehicle_types[vt_idx]
    dur = problem.matrices[vt.profile].duration_s
    depot = problem.depot(vt.depot)
    end = problem.place(vt.end_id)
    releases = _trip_releases(problem, visits)
    trip = 0

    rows = []
    dep = max(start, releases[0])
    rows.append((start, start, dep, min(depot.close_s, vt.shift_end_s), dep - start))
    prev = depot.location
    for kind, idx in visits:
        if kind == "job":
            job = problem.jobs[idx]
            arr = dep + dur[prev, job.location]
            st = max(arr, job.tw_start_s)
            dep = st + job.service_s
            rows.append((arr, st, dep, job.tw_end_s, st - arr))
            prev = job.location
        else:
            site = problem.unload_sites[idx]
            trip += 1
            arr = dep + dur[prev, site.location]
            st = max(arr, site.open_s)
            ready = st + site.service_s
            dep = max(ready, releases[trip])
            rows.append((arr, st, dep, site.close_s, (st - arr) + (dep - ready)))
            prev = site.location
    arr = dep + dur[prev, end.location]
    st = max(arr, end.open_s)
    rows.append((arr, st, st, min(end.close_s, vt.shift_end_s), st - arr))
    return rows


def route_times(problem: RoutingProblem, vt_idx: int, visits: list[Visit]) -> list[tuple]:
    """Times per stop ``(arrival, start, departure)``, start depot first, end last."""
    vt = problem.vehicle_types[vt_idx]
    depot = problem.depot(vt.depot)
    s0 = max(vt.shift_start_s, depot.open_s)
    rows = _forward(problem, vt_idx, visits, s0)
    # Push the start later by as much as the waiting before each stop allows without
    # starting any service after its latest start.
    waited = 0.0
    delay = np.inf
    for k, (arr, st, dep, late, wait) in enumerate(rows):
        if k == 0:
            delay = min(delay, late - st)
            waited += wait
            continue
        if k < len(rows) - 1:
            delay = min(delay, late - st + waited + (st - arr))
        waited += wait
    # Delays beyond the total wait only move the whole route later.
    arr_end, st_end, _, late_end, _ = rows[-1]
    delay = min(delay, waited, late_end - st_end + waited)
    if np.isfinite(delay) and delay > 0:
        rows = _forward(problem, vt_idx, visits, s0 + delay)
    return [(r[0], r[1], r[2]) for r in rows]


def build_route(problem: RoutingProblem, vt_idx: int, visits: list[Visit]) -> Route:
    """Stops with times and loads, and the route's totals.

    Parameters
    ----------
    problem : RoutingProblem
    vt_idx : int
        Index into ``problem.vehicle_types``.
    visits : list of (kind, index)
        Jobs and unload visits between the start depot and the end, in order.
    """
    vt = problem.vehicle_types[vt_idx]
    mat = problem.matrices[vt.profile]
    depot = problem.depot(vt.depot)
    end = problem.place(vt.end_id)
    times = route_times(problem, vt_idx, visits)
    empty = {f: 0.0 for f in vt.fractions}

    stops = [Stop("depot", depot.id, depot.location, None, *times[0], dict(empty), 0.0)]
    load = dict(empty)
    vol = 0.0
    dist_m = 0.0
    tonne_m = 0.0
    prev = depot.location
    for (kind, idx), t in zip(visits, times[1:-1]):
        if kind == "job":
            job = problem.jobs[idx]
            loc = job.location
        else:
            site = problem.unload_sites[idx]
            loc = site.location
        leg = float(mat.distance_m[prev, loc])
        dist_m += leg
        tonne_m += sum(load.values()) * leg
        if kind == "job":
            for f, q in job.demand_t.items():
                load[f] = load.get(f, 0.0) + q
            vol += job.volume_m3
            stops.append(Stop("job", job.id, loc, job.id, *t, dict(load), vol))
        else:
            load, vol = dict(empty), 0.0
            stops.append(Stop("unload", site.id, loc, None, *t, dict(load), vol))
        prev = loc
    leg = float(mat.distance_m[prev, end.location])
    dist_m += leg
    tonne_m += sum(load.values()) * leg
    end_kind = "depot" if end.id in {d.id for d in problem.depots} else "unload"
    stops.append(Stop(end_kind, end.id, end.location, None, *times[-1], dict(empty), 0.0))

    km = dist_m / 1000.0
    hours = (stops[-1].arrival_s - stops[0].departure_s) / 3600.0
    fuel = km * vt.fuel_l_per_100km / 100.0
    return Route(
        vehicle_type=vt.id,
        stops=stops,
        distance_km=km,
        duration_h=hours,
        tonne_km=tonne_m / 1000.0,
        fuel_l=fuel,
        co2_kg=fuel * CO2_KG_PER_L_DIESEL,
        cost=vt.fixed_cost + vt.cost_per_km * km + vt.cost_per_hour * hours,
    )
