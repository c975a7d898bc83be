"""PyVRP engine: reload depots, time windows, release times and mixed fleets natively.

Mapping of the model:

- PyVRP depots are geoplan's depots followed by the unload sites; a vehicle type's
  ``reload_depots`` are the unload sites that accept its fractions.
- Jobs are PyVRP clients with a *pickup* (collected waste travels to the unload site).
- Load dimensions: tonnes (as kg), plus m³ (as litres) when a vehicle type sets a volume.
- Which vehicle types may serve a job is expressed through routing profiles: every
  (road profile, set of allowed jobs) pair gets its own matrices in which the arcs into
  and out of disallowed jobs are prohibitively long, and the vehicle type a maximum
  distance below that length, so using such an arc makes a plan infeasible.

See :mod:`optimizers.routing.scaling` for the integer units.
"""

from __future__ import annotations

import time

import numpy as np
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from optimizers.routing import scaling as sc
from optimizers.routing.model import RoutingProblem
from optimizers.routing.schedule import Visit
from optimizers.routing.screening import Screening

#: Length of a forbidden arc (metres and seconds); far above any real route.
_FORBIDDEN = 10**10


def _horizon(problem: RoutingProblem) -> int:
    # PyVRP's "unconstrained" default; sums of many of these must not overflow int64.
    return 10**12


def _prize(problem: RoutingProblem) -> int:
    """Cost units of a vehicle's fixed cost and a return trip to the farthest place.

    Enough to serve any job a vehicle can take on; a larger prize makes PyVRP's penalties
    for overloaded routes too weak to ever reach a feasible plan.
    """
    worst = 0
    for vt in problem.vehicle_types:
        mat = problem.matrices[vt.profile]
        trip = (2 * float(mat.distance_m.max()) * sc.cost_per_metre(vt.cost_per_km)
                + 2 * float(mat.duration_s.max()) * sc.cost_per_second(vt.cost_per_hour))
        worst = max(worst, int(trip) + sc.cost_units(vt.fixed_cost))
    return worst + 1


def build_data(problem: RoutingProblem, screening: Screening,
               optional: bool = False) -> tuple[pyvrp.ProblemData, list[int]]:
    """PyVRP problem data for the screened jobs.

    With ``optional`` the jobs may be left out, at a prize above what serving any one of
    them can cost (for a fleet too small to serve them all). PyVRP's search is several
    times slower with optional jobs, so they are not the default.

    Returns
    -------
    data : pyvrp.ProblemData
    job_of_client : list of int
        Index into ``problem.jobs`` of each PyVRP client.
    """
    horizon = _horizon(problem)
    job_idx = sorted(screening.candidates)
    use_volume = any(vt.capacity_m3 is not None for vt in problem.vehicle_types)
    total_vol = sum(problem.jobs[j].volume_m3 for j in job_idx)

    places = [*problem.depots, *problem.unload_sites]
    place_index = {p.id: k for k, p in enumerate(places)}
    # PyVRP location per depot / site / client, so that arcs can be forbidden per client
    # even when two jobs share a matrix location.
    loc_of = [p.location for p in places] + [problem.jobs[j].location for j in job_idx]
    n_places = len(places)
    locations = [pyvrp.Location(x=0, y=0) for _ in loc_of]

    depots = []
    for k, p in enumerate(places):
        service = sc.seconds_up(p.service_s) if k >= len(problem.depots) else 0
        depots.append(pyvrp.Depot(
            location=k,
            tw_early=sc.seconds_up(p.open_s),
            tw_late=sc.seconds_down(p.close_s, horizon),
            service_duration=service,
            name=p.id,
        ))

    prize = _prize(problem) if optional else 0
    clients = []
    for c, j in enumerate(job_idx):
        job = problem.jobs[j]
        pickup = [sc.load_up(job.total_t)]
        if use_volume:
            pickup.append(sc.load_up(job.volume_m3))
        clients.append(pyvrp.Client(
            location=n_places + c,
            pickup=pickup,
            service_duration=sc.seconds_up(job.service_s),
            tw_early=sc.seconds_up(job.tw_start_s),
            tw_late=sc.seconds_down(job.tw_end_s, horizon),
            release_time=sc.seconds_up(job.release_s),
            prize=prize,
            required=not optional,
            name=job.id,
        ))

    # One PyVRP profile per (road profile, allowed clients).
    profile_keys: list[tuple[str, frozenset[int]]] = []
    dist_mats, dur_mats = [], []
    idx = np.asarray(loc_of, dtype=np.int64)
    vehicle_types = []
    for k, vt in enumerate(problem.vehicle_types):
        allowed = frozenset(c for c, j in enumerate(job_idx) if k in screening.candidates[j])
        key = (vt.profile, allowed)
        if key not in profile_keys:
            mat = problem.matrices[vt.profile]
            dist = sc.distance_matrix_int(mat.distance_m)[np.ix_(idx, idx)]
            dur = sc.duration_matrix_int(mat.duration_s)[np.ix_(idx, idx)]
            banned = [n_places + c for c in range(len(job_idx)) if c not in allowed]
            for arr in (dist, dur):
                arr[banned, :] = _FORBIDDEN
                arr[:, banned] = _FORBIDDEN
                arr[banned, banned] = 0
            profile_keys.append(key)
            dist_mats.append(dist)
            dur_mats.append(dur)
        profile = profile_keys.index(key)
        restricted = len(allowed) < len(job_idx)

        capacity = [sc.load_down(vt.capacity_t)]
        if use_volume:
            cap_m3 = vt.capacity_m3 if vt.capacity_m3 is not None else total_vol + 1.0
            capacity.append(sc.load_down(cap_m3))
        reload = [len(problem.depots) + s for s in problem.allowed_unload_sites(vt)]
        extra = {"max_reloads": vt.max_unloads} if vt.max_unloads is not None else {}
        garage = problem.depot(vt.depot).vehicle_count
        vehicle_types.append(pyvrp.VehicleType(
            # PyVRP bounds each type alone; solve() checks the garage's total afterwards.
            num_available=vt.count if garage is None else max(1, min(vt.count, garage)),
            capacity=capacity,
            start_depot=place_index[vt.depot],
            end_depot=place_index[vt.end_id],
            fixed_cost=sc.cost_units(vt.fixed_cost),
            tw_early=sc.seconds_up(vt.shift_start_s),
            tw_late=sc.seconds_down(vt.shift_end_s, horizon),
            shift_duration=sc.seconds_down(vt.max_duration_s, horizon),
            max_distance=_FORBIDDEN - 1 if restricted else np.iinfo(np.int64).max,
            unit_distance_cost=sc.cost_per_metre(vt.cost_per_km),
            unit_duration_cost=sc.cost_per_second(vt.cost_per_hour),
            profile=profile,
            reload_depots=reload,
            name=vt.id,
            **extra,
        ))

    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, dist_mats, dur_mats)
    return data, job_idx


def solve_pyvrp(
    problem: RoutingProblem,
    screening: Screening,
    time_limit_s: float,
    seed: int,
    iteration_limit: int | None = None,
    optional: bool = False,
) -> tuple[list[tuple[int, list[Visit]]], bool, float, dict[str, float]]:
    """Solve with PyVRP's iterated local search (``optional``: see :func:`build_data`).

    Returns
    -------
    routes : list of (vehicle type index, visits)
    feasible : bool
    solve_time_s : float
    stats : dict
        ``cost_units`` (PyVRP's objective) and ``iterations``.
    """
    if not screening.candidates:
        return [], True, 0.0, {}
    data, job_idx = build_data(problem, screening, optional)
    stop = MaxRuntime(time_limit_s)
    if iteration_limit is not None:
        stop = MultipleCriteria([stop, MaxIterations(iteration_limit)])
    t0 = time.perf_counter()
    res = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False, display=False)
    elapsed = time.perf_counter() - t0
    best = res.best
    stats = {"cost_units": float(res.cost()), "iterations": float(res.num_iterations),
             "stopped_on_time": float(iteration_limit is None or res.num_iterations < iteration_limit)}
    if not best.is_feasible():
        return [], False, elapsed, stats

    n_depots = len(problem.depots)
    routes = []
    for route in best.routes():
        acts = list(route.schedule())
        visits: list[Visit] = []
        for act in acts[1:-1]:
            if act.is_depot():
                visits.append(("unload", act.idx - n_depots))
            else:
                visits.append(("job", job_idx[act.idx]))
        routes.append((route.vehicle_type(), visits))
    return routes, True, elapsed, stats
