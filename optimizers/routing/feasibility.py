"""An independent check of a routing result against its problem.

Written without the engines' or the result builder's code: every time, load and
distance is recomputed here from the problem's matrices and compared with what the
result reports and with the constraints.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from optimizers.routing.model import RoutingProblem, VehicleType
from optimizers.routing.result import Route, RoutingResult


def check_feasibility(
    problem: RoutingProblem,
    result: RoutingResult,
    tol_s: float = 1e-3,
    tol_t: float = 1e-6,
) -> list[str]:
    """List every constraint the result breaks (empty when it is feasible).

    Checks vehicle counts per type and per depot; that routes start at their depot and end at their end place;
    that each job is served exactly once by an allowed vehicle or reported unserved;
    travel times between stops, time windows, opening hours, shifts, route duration and
    release times; loads after each stop against capacity, with loads emptied only at
    unload sites that accept the vehicle's fractions; unload sites' daily capacity; and
    the reported distances and the objective.

    Parameters
    ----------
    problem : RoutingProblem
    result : RoutingResult
    tol_s : float
        Tolerance on times, seconds.
    tol_t : float
        Tolerance on loads, tonnes or m³.

    Returns
    -------
    list of str
        One line per violation.
    """
    errors: list[str] = []
    vts = {vt.id: vt for vt in problem.vehicle_types}
    jobs = {job.id: job for job in problem.jobs}
    sites = {s.id: s for s in problem.unload_sites}

    used = Counter(r.vehicle_type for r in result.routes)
    for vt_id, n in used.items():
        if vt_id not in vts:
            errors.append(f"route uses unknown vehicle type {vt_id!r}")
        elif n > vts[vt_id].count:
            errors.append(f"vehicle type {vt_id!r}: {n} routes but only {vts[vt_id].count} vehicles")

    by_depot = Counter(vts[r.vehicle_type].depot for r in result.routes if r.vehicle_type in vts)
    for depot in problem.depots:
        if depot.vehicle_count is not None and by_depot[depot.id] > depot.vehicle_count:
            errors.append(f"depot {depot.id!r}: {by_depot[depot.id]} vehicles leave it but it has only "
                          f"{depot.vehicle_count}")

    served: Counter[str] = Counter()
    delivered: dict[str, float] = defaultdict(float)
    cost = 0.0
    for r_no, route in enumerate(result.routes):
        vt = vts.get(route.vehicle_type)
        if vt is None:
            continue
        where = f"route {r_no} ({vt.id})"
        route_errors, route_cost = _check_route(problem, vt, route, where, tol_s, tol_t,
                                                delivered)
        errors += route_errors
        cost += route_cost
        served.update(route.job_ids)

    unserved = Counter(u.job_id for u in result.unserved)
    for job_id in set(served) | set(unserved):
        if job_id not in jobs:
            errors.append(f"result names unknown job {job_id!r}")
    for job_id in jobs:
        n, m = served[job_id], unserved[job_id]
        if n > 1:
            errors.append(f"job {job_id!r} served {n} times")
        if n and m:
            errors.append(f"job {job_id!r} served and also reported unserved")
        if not n and not m:
            errors.append(f"job {job_id!r} neither served nor reported unserved")
        if m > 1:
            errors.append(f"job {job_id!r} reported unserved {m} times")
    for u in result.unserved:
        if not u.reason:
            errors.append(f"unserved job {u.job_id!r} has no reason")

    for site_id, tonnes in delivered.items():
        site = sites.get(site_id)
        if site is not None and tonnes > site.daily_capacity_t + tol_t:
            errors.append(f"unload site {site_id!r} receives {tonnes:.3f} t, above its daily "
                          f"capacity {site.daily_capacity_t:g} t")
    if result.feasible and abs(cost - result.objective) > 1e-6 * max(1.0, abs(cost)):
        errors.append(f"objective {result.objective:.6f} differs from the recomputed "
                      f"cost {cost:.6f}")
    return errors


def _check_route(problem: RoutingProblem, vt: VehicleType, route: Route, where: str,
                 tol_s: float, tol_t: float, delivered: dict[str, float]):
    errors: list[str] = []
    stops = route.stops
    mat = problem.matrices[vt.profile]
    depots = {d.id: d for d in problem.depots}
    sites = {s.id: s for s in problem.unload_sites}
    jobs = {job.id: job for job in problem.jobs}
    places = {**depots, **sites}
    if len(stops) < 2:
        return [f"{where}: fewer than two stops"], 0.0

    first, last = stops[0], stops[-1]
    if first.kind != "depot" or first.place_id != vt.depot:
        errors.append(f"{where}: starts at {first.place_id!r}, not at depot {vt.depot!r}")
    if last.place_id != vt.end_id:
        errors.append(f"{where}: ends at {last.place_id!r}, not at {vt.end_id!r}")
    for s in (first, last):
        p = places.get(s.place_id)
        if p is not None and s.location != p.location:
            errors.append(f"{where}: {s.place_id!r} at location {s.location}, expected {p.location}")

    # Times.
    depot = depots.get(vt.depot)
    if first.departure_s < vt.shift_start_s - tol_s:
        errors.append(f"{where}: leaves at {first.departure_s:.0f} s, before the shift starts")
    if depot is not None and not (depot.open_s - tol_s <= first.departure_s <= depot.close_s + tol_s):
        errors.append(f"{where}: leaves the depot outside its opening hours")
    for a, b in zip(stops, stops[1:]):
        travel = float(mat.duration_s[a.location, b.location])
        if b.arrival_s < a.departure_s + travel - tol_s:
            errors.append(f"{where}: arrives at {b.place_id!r} at {b.arrival_s:.0f} s, but cannot "
                          f"be there before {a.departure_s + travel:.0f} s")
    for k, s in enumerate(stops[1:], start=1):
        if s.start_s < s.arrival_s - tol_s:
            errors.append(f"{where}: service at {s.place_id!r} starts before arrival")
        if s.kind == "job":
            job = jobs.get(s.job_id or "")
            if job is None:
                errors.append(f"{where}: unknown job {s.job_id!r}")
                continue
            if s.location != job.location:
                errors.append(f"{where}: job {job.id!r} at location {s.location}, expected {job.location}")
            if not (job.tw_start_s - tol_s <= s.start_s <= job.tw_end_s + tol_s):
                errors.append(f"{where}: job {job.id!r} served at {s.start_s:.0f} s, outside its "
                              f"window [{job.tw_start_s:g}, {job.tw_end_s:g}]")
            if k < len(stops) - 1 and s.departure_s < s.start_s + job.service_s - tol_s:
                errors.append(f"{where}: leaves job {job.id!r} before its service ends")
            if job.vehicle_types is not None and vt.id not in job.vehicle_types:
                errors.append(f"{where}: job {job.id!r} does not allow vehicle type {vt.id!r}")
            if not set(job.fractions) <= set(vt.fractions):
                errors.append(f"{where}: job {job.id!r} has fractions the vehicle does not carry")
        else:
            place = places.get(s.place_id)
            if place is None:
                errors.append(f"{where}: unknown place {s.place_id!r}")
                continue
            if s.location != place.location:
                errors.append(f"{where}: {place.id!r} at location {s.location}, expected {place.location}")
            if not (place.open_s - tol_s <= s.start_s <= place.close_s + tol_s):
                errors.append(f"{where}: at {place.id!r} at {s.start_s:.0f} s, outside its "
                              f"opening hours [{place.open_s:g}, {place.close_s:g}]")
            if not set(vt.fractions) <= set(place.fractions):
                errors.append(f"{where}: unloads at {place.id!r}, which does not accept "
                              f"{', '.join(vt.fractions)}")
            if k < len(stops) - 1:
                if s.kind != "unload" or place.id not in sites:
                    errors.append(f"{where}: stop {k} at {place.id!r} is not an unload site")
                elif vt.unload_sites is not None and place.id not in vt.unload_sites:
                    errors.append(f"{where}: unload site {place.id!r} not allowed for {vt.id!r}")
                elif s.departure_s < s.start_s + sites[place.id].service_s - tol_s:
                    errors.append(f"{where}: leaves {place.id!r} before unloading ends")
    if last.start_s > vt.shift_end_s + tol_s:
        errors.append(f"{where}: ends at {last.start_s:.0f} s, after the shift ends")
    duration = last.arrival_s - first.departure_s
    if duration > vt.max_duration_s + tol_s:
        errors.append(f"{where}: lasts {duration:.0f} s, above the maximum {vt.max_duration_s:g} s")

    # Release times: each trip leaves after all its jobs are ready.
    trip_start = first
    for s in stops[1:]:
        if s.kind == "job":
            job = jobs.get(s.job_id or "")
            if job is not None and trip_start.departure_s < job.release_s - tol_s:
                errors.append(f"{where}: trip with job {job.id!r} leaves {trip_start.place_id!r} "
                              f"at {trip_start.departure_s:.0f} s, before its release "
                              f"{job.release_s:g} s")
        else:
            trip_start = s

    # Loads and unloads.
    load: dict[str, float] = defaultdict(float)
    vol = 0.0
    unloads = 0
    dist_m = 0.0
    for k, (a, s) in enumerate(zip(stops, stops[1:]), start=1):
        dist_m += float(mat.distance_m[a.location, s.location])
        if s.kind == "job":
            job = jobs.get(s.job_id or "")
            if job is None:
                continue
            for f, q in job.demand_t.items():
                load[f] += q
            vol += job.volume_m3
            if sum(load.values()) > vt.capacity_t + tol_t:
                errors.append(f"{where}: {sum(load.values()):.3f} t on board after {job.id!r}, "
                              f"above the capacity {vt.capacity_t:g} t")
            if vt.capacity_m3 is not None and vol > vt.capacity_m3 + tol_t:
                errors.append(f"{where}: {vol:.3f} m³ on board after {job.id!r}, above "
                              f"{vt.capacity_m3:g} m³")
        else:
            delivered[s.place_id] += sum(load.values())
            load = defaultdict(float)
            vol = 0.0
            if k < len(stops) - 1:
                unloads += 1
        reported = sum(s.load_after_t.values())
        if abs(reported - sum(load.values())) > tol_t or abs(s.load_after_m3 - vol) > tol_t:
            errors.append(f"{where}: load after stop {k} reported {reported:.3f} t, "
                          f"recomputed {sum(load.values()):.3f} t")
    if vt.max_unloads is not None and unloads > vt.max_unloads:
        errors.append(f"{where}: {unloads} unloads, above the maximum {vt.max_unloads}")
    if abs(dist_m / 1000.0 - route.distance_km) > 1e-6 * max(1.0, route.distance_km):
        errors.append(f"{where}: reports {route.distance_km:.3f} km, recomputed {dist_m / 1000:.3f} km")
    cost = vt.fixed_cost + vt.cost_per_km * dist_m / 1000.0 + vt.cost_per_hour * duration / 3600.0
    return errors, cost
