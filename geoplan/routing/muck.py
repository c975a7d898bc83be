"""Night muck haulage: construction-site volumes → disposal sites / transfer yards, packed into trucks.

1. **Nightly volumes.** A site's nightly volume is its ``muck_volume_m3`` over its working
   nights between start and end date (``[routing] muck_working_days_per_week``, default 6 —
   an assumption), rounded up to whole m³. The night planned is ``[routing] muck_plan_date``
   or, by default, the site start date on which the active sites' total is largest.
2. **Assignment** (:func:`assign_muck`): a transportation problem, solved as an LP with
   OR-Tools MathOpt (GLOP, with a time limit): each site's nightly m³ goes to disposal
   sites (``intake_m3_per_d``, the night's intake, where given, within what ``capacity_m3``
   has left) and transfer yards (``capacity_t_per_d`` ÷ density)
   at least round-trip muck-truck road distance per m³. Volume nobody can take is reported.
   The sites are the existing ones or the plan's, as for collection
   (:func:`geoplan.routing.sites.choose_sites`); a planned site takes the capacity
   ``geoplan site`` wrote (the chosen capacity class) and must have one.
3. **Trips and trucks** (:func:`pack_trips_optimal`): full loads of the truck body (18 m³,
   the last one part-full) run site → sink; a truck leaves the depot at the start of the
   permitted hours, shuttles between sites and its sink and ends at the sink. Trips are
   packed first-fit decreasing, then into the fewest trucks by CP-SAT (time limit, the
   first-fit packing as its start); the lower bound it proves (at least
   ⌈Σ (shortest trip + unload) ÷ (window + unload)⌉ per sink) is reported beside the trucks
   used, with whether the count is optimal.

All distances are on the ``muck_truck`` profile, so routes detour round the zones muck
trucks are barred from.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from layers.errors import GeoplanError
from geoplan.routing.collection import pick_depot
from geoplan.clock import parse_hours
from geoplan.quantities import muck_m3_per_working_day
from geoplan.routing.fleet import MUCK
from geoplan.routing.matrices import Locations, build_matrices, snap_places, stops_network
from geoplan.routing.prepared import PreparedProblem
from geoplan.routing.sites import choose_sites, site_capacity
from optimizers.routing import Depot, Job, RoutingProblem, RoutingResult, UnloadSite, UnservedJob, VehicleType, build_route
from optimizers.routing.trip_packing import pack_trips_exact


#: Facility kinds muck trucks tip at.
MUCK_SITE_KINDS = ("muck_disposal_sites", "muck_transfer_yards")


@dataclass(frozen=True)
class MuckAssignment:
    """Optimal split of site volumes over sinks.

    Attributes
    ----------
    flow_m3 : ndarray, shape (sites, sinks)
        m³ sent from each site to each sink.
    unassigned_m3 : ndarray, shape (sites,)
        m³ no sink can take (capacity or reach).
    cost : float
        Σ flow × unit cost over assigned volume.
    status : str
        Solver termination.
    """

    flow_m3: np.ndarray
    unassigned_m3: np.ndarray
    cost: float
    status: str


def assign_muck(volume_m3: np.ndarray, capacity_m3: np.ndarray, unit_cost: np.ndarray,
                time_limit_s: float = 10.0) -> MuckAssignment:
    """Send each site's volume to sinks within their capacities at least total cost.

    Parameters
    ----------
    volume_m3 : ndarray, shape (n,)
        Whole m³ per site.
    capacity_m3 : ndarray, shape (m,)
        m³ each sink takes.
    unit_cost : ndarray, shape (n, m)
        Cost per m³ (e.g. round-trip metres); ``inf`` where the sink cannot be reached.
    time_limit_s : float
        LP time limit, seconds.

    Notes
    -----
    Unassigned volume costs more than any route (a penalty above the largest finite unit
    cost), so the LP first assigns as much as the capacities allow, then at least cost.
    Transportation LPs with whole-number data have whole-number optimal vertices; the
    simplex answer is rounded to them.
    """
    from ortools.math_opt.python import mathopt

    volume = np.asarray(volume_m3, float)
    cap = np.asarray(capacity_m3, float)
    cost = np.asarray(unit_cost, float)
    n, m = cost.shape
    finite = np.isfinite(cost)
    penalty = 10.0 * (float(cost[finite].max()) + 1.0) if finite.any() else 1.0
    model = mathopt.Model(name="muck_assignment")
    x = {(i, j): model.add_variable(lb=0.0, name=f"x_{i}_{j}") for i in range(n) for j in range(m) if finite[i, j]}
    u = [model.add_variable(lb=0.0, name=f"u_{i}") for i in range(n)]
    for i in range(n):
        model.add_linear_constraint(sum(x[i, j] for j in range(m) if (i, j) in x) + u[i] == volume[i])
    for j in range(m):
        terms = [x[i, j] for i in range(n) if (i, j) in x]
        if terms:
            model.add_linear_constraint(sum(terms) <= cap[j])
    model.minimize(sum(cost[i, j] * var for (i, j), var in x.items()) + penalty * sum(u))
    params = mathopt.SolveParameters(time_limit=pd.Timedelta(seconds=time_limit_s).to_pytimedelta())
    res = mathopt.solve(model, mathopt.SolverType.GLOP, params=params)
    if res.termination.reason != mathopt.TerminationReason.OPTIMAL:
        raise GeoplanError(f"muck assignment LP ended with {res.termination.reason.name} within {time_limit_s:g} s; "
                           "raise [solver] time_limit_s")
    values = res.variable_values()
    flow = np.zeros((n, m))
    for (i, j), var in x.items():
        flow[i, j] = round(values[var])
    unassigned = np.array([round(values[v]) for v in u], float)
    return MuckAssignment(flow, unassigned, float((flow * np.where(finite, cost, 0.0)).sum()),
                          res.termination.reason.name)


def check_dates(sites: pd.DataFrame) -> None:
    """A night is planned among the sites working on it: every site needs its start and end date."""
    start = pd.to_datetime(sites.get("start_date"), errors="coerce")
    end = pd.to_datetime(sites.get("end_date"), errors="coerce")
    bad = start.isna() | end.isna() | (end < start)
    if bad.any():
        ids = ", ".join(sites["id"].astype(str)[bad.to_numpy()].tolist()[:5])
        raise GeoplanError(f"construction_sites {ids}: start_date and end_date are needed (end not before start) "
                           "to know which sites work on the planned night")


def pick_plan_date(sites: pd.DataFrame, nightly: np.ndarray, wanted: str) -> pd.Timestamp:
    """The planned night: ``wanted`` or the start date with the largest active nightly total."""
    start = pd.to_datetime(sites["start_date"])
    end = pd.to_datetime(sites["end_date"])
    if wanted:
        try:
            return pd.Timestamp(date.fromisoformat(wanted))
        except ValueError:
            raise GeoplanError(f"scenario.toml [routing] muck_plan_date {wanted!r} is not a date like 2026-05-01") from None
    best, best_total = None, -1.0
    for day in sorted(start.unique()):
        total = float(nightly[(start <= day) & (end >= day)].sum())
        if total > best_total + 1e-9:
            best, best_total = day, total
    return pd.Timestamp(best)


def prepare_muck(scenario, time_limit_s: float = 10.0, stations: str | None = None) -> PreparedProblem:
    """Build the planned night's muck problem: assignment, then one job per truck load.

    Parameters
    ----------
    stations : {"existing", "plan"} or None
        Disposal sites and transfer yards to tip at; None takes ``[routing] muck_sites``
        (default: the plan when it adds one, e.g. after ``geoplan site --kind
        muck_disposal_sites``).

    Raises
    ------
    GeoplanError
        No construction sites, no disposal site or yard, no depot, missing dates, a site
        the muck truck cannot reach, a disposal site or yard without a capacity.
    """
    lay = scenario.layers
    net = scenario.road_network
    limit = scenario.network_settings.max_snap_m
    settings = scenario.routing
    truck = scenario.fleet["muck_truck"]
    density = scenario.quantities.muck_density_t_per_m3
    sites = lay.get("construction_sites")
    if sites is None or len(sites) == 0:
        raise GeoplanError("the scenario has no construction_sites: add the 工地 layer to layers.gpkg")
    check_dates(sites)
    nightly_all = muck_m3_per_working_day(sites, scenario.quantities)
    day = pick_plan_date(sites, nightly_all, settings.muck_plan_date)
    active = ((pd.to_datetime(sites["start_date"]) <= day) & (pd.to_datetime(sites["end_date"]) >= day)).to_numpy().copy()
    active &= nightly_all > 0
    if not active.any():
        raise GeoplanError(f"no construction site works on {day.date()}: set [routing] muck_plan_date within a "
                           "site's start–end dates")
    sites = sites[active]
    nightly = np.ceil(nightly_all[active] - 1e-9)

    shift_start, shift_end = truck.shift_s()
    choice = choose_sites(scenario, MUCK_SITE_KINDS, stations if stations is not None else settings.muck_sites)
    depot_row = pick_depot(lay.get("depots", []), settings.collection_depot)
    net = stops_network(net, [*choice.layers.items(), ("depots", depot_row), ("construction_sites", sites)],
                        truck.profile, limit)
    sink_rows = []
    disposal = choice.layers.get("muck_disposal_sites")
    if disposal is not None and len(disposal):
        places, nodes = snap_places(net, disposal, "muck_disposal_sites", truck.profile, limit)
        hours = disposal["opening_hours"] if "opening_hours" in disposal.columns else [None] * len(disposal)
        capacity_m3 = site_capacity(choice, "muck_disposal_sites", "capacity_m3", "m³")
        # what the site can take in one night: its daily intake where given, never more than it has left
        intake = (pd.to_numeric(disposal["intake_m3_per_d"], errors="coerce").to_numpy(float)
                  if "intake_m3_per_d" in disposal.columns else np.full(len(disposal), np.nan))
        for place, node, cap, per_night, h in zip(places, nodes, capacity_m3, intake, hours):
            window = (parse_hours(h, where=f"muck_disposal_sites {place.layer_id} opening_hours")
                      if isinstance(h, str) and h.strip() else (shift_start, shift_end))
            night = min(float(cap), float(per_night)) if np.isfinite(per_night) else float(cap)
            sink_rows.append((place, node, math.floor(night), window))
    yards = choice.layers.get("muck_transfer_yards")
    if yards is not None and len(yards):
        places, nodes = snap_places(net, yards, "muck_transfer_yards", truck.profile, limit)
        capacity_t = site_capacity(choice, "muck_transfer_yards", "capacity_t_per_d", "t/d")
        for place, node, cap in zip(places, nodes, capacity_t):
            sink_rows.append((place, node, math.floor(cap / density), (shift_start, shift_end)))
    if not sink_rows:
        raise GeoplanError("no muck_disposal_sites and no muck_transfer_yards: add a 渣土消纳场 or 建筑垃圾转运调配场")

    loc = Locations()
    d_places, d_nodes = snap_places(net, depot_row, "depots", truck.profile, limit)
    depot = Depot(d_places[0].layer_id, loc.add(d_places[0].layer_id, d_places[0], d_nodes[0]))
    unload = []
    for place, node, cap, (open_s, close_s) in sink_rows:
        if open_s < shift_start and close_s <= shift_start:
            # Hours given for the next morning (e.g. "00:00-06:00"): shift them to the night.
            open_s, close_s = open_s + 86400.0, close_s + 86400.0
        unload.append(UnloadSite(place.layer_id, loc.add(place.layer_id, place, node), (MUCK,), open_s, close_s,
                                 truck.unload_service_min * 60.0,
                                 daily_capacity_t=cap * density))
    s_places, s_nodes = snap_places(net, sites, "construction_sites", truck.profile, limit)
    s_locs = [loc.add(p.layer_id, p, n) for p, n in zip(s_places, s_nodes)]
    matrices = build_matrices(net, loc, [truck.profile])
    dist = matrices[truck.profile].distance_m
    sink_locs = np.array([u.location for u in unload])
    round_trip = dist[np.ix_(s_locs, sink_locs)] + dist[np.ix_(sink_locs, s_locs)].T
    capacity = np.array([row[2] for row in sink_rows], float)
    assignment = assign_muck(nightly, capacity, np.round(round_trip), time_limit_s)

    body_m3 = truck.capacity_m3 or truck.capacity_t / density
    jobs, groups = [], {}
    for i, place in enumerate(s_places):
        for j, sink in enumerate(unload):
            left = assignment.flow_m3[i, j]
            k = 0
            while left > 1e-9:
                load = min(body_m3, left)
                left -= load
                k += 1
                vt_id = f"muck_truck:{sink.id}"
                job_id = f"{place.layer_id}→{sink.id}#{k}"
                jobs.append(Job(job_id, s_locs[i], {MUCK: load * density}, volume_m3=load,
                                service_s=truck.stop_service_min * 60.0, vehicle_types=(vt_id,)))
                loc.places[job_id] = place
                loc.place_location[job_id] = s_locs[i]
                groups.setdefault(sink.id, []).append(len(jobs) - 1)
    vts, vehicles = [], {}
    for sink in unload:
        if sink.id not in groups:
            continue
        vt_id = f"muck_truck:{sink.id}"
        vts.append(VehicleType(
            vt_id, truck.count, max(truck.capacity_t, body_m3 * density), depot.id, end=sink.id, fractions=(MUCK,),
            capacity_m3=body_m3, fixed_cost=truck.fixed_cost_yuan, cost_per_km=truck.cost_per_km_yuan,
            shift_start_s=shift_start, shift_end_s=shift_end, profile=truck.profile,
            fuel_l_per_100km=truck.fuel_l_per_100km, unload_sites=(sink.id,),
        ))
        vehicles[vt_id] = truck
    if not jobs:
        raise GeoplanError("no muck can be assigned: every disposal site and yard is full or out of reach")
    problem = RoutingProblem([depot], vts, jobs, matrices, unload)
    lower = sum(pack_trips(problem, k, [j for j, job in enumerate(jobs) if job.vehicle_types == (vt.id,)]).lower_bound
                for k, vt in enumerate(vts))

    notes = [choice.note("消纳场 disposal sites and yards"),
             f"计划夜间 night planned: {day.date()} ({int(active.sum())} sites working); nightly volume = "
             f"muck_volume_m3 ÷ working nights ({scenario.quantities.muck_working_days_per_week:g} a week)"]
    for i in np.flatnonzero(assignment.unassigned_m3 > 0):
        notes.append(f"{s_places[i].layer_id} {s_places[i].name}: {assignment.unassigned_m3[i]:g} m³/night 无处消纳 "
                     "finds no disposal capacity in reach")
    details = {
        **choice.details(),
        "plan_date": str(day.date()),
        "sites": [p.layer_id for p in s_places],
        "sinks": [u.id for u in unload],
        "nightly_m3": nightly.tolist(),
        "sink_capacity_m3": capacity.tolist(),
        "unit_cost_m": np.round(round_trip).tolist(),
        "assignment_m3": assignment.flow_m3.tolist(),
        "unassigned_m3": assignment.unassigned_m3.tolist(),
        "assignment_cost": assignment.cost,
        "assignment_status": assignment.status,
        "trucks_lower_bound": lower,
    }
    return PreparedProblem("muck", problem, loc, vehicles, notes, details, net)


@dataclass(frozen=True)
class Packing:
    """Trucks of one vehicle type and their trips.

    Attributes
    ----------
    trucks : list of list of int
        Job indices per truck, in driving order.
    lower_bound : int
        No packing uses fewer trucks: ⌈Σ (shortest trip time + unload) ÷ (window + unload)⌉,
        or the bound CP-SAT proved (:func:`pack_trips_optimal`).
    unfit : list of int
        Jobs that fit no truck even alone.
    optimal : bool
        True when the number of trucks is proved to be the fewest.
    method : str
        ``"ffd"`` (first-fit decreasing) or ``"cp-sat"`` with its status.
    """

    trucks: list[list[int]]
    lower_bound: int
    unfit: list[int]
    optimal: bool = False
    method: str = "ffd"


@dataclass(frozen=True)
class TripTimes:
    """Seconds per trip of one vehicle type (see :mod:`optimizers.routing.trip_packing`).

    Attributes
    ----------
    first, approach, core : dict of int to float
        Job index → depot → site, sink → site, and loading + site → sink, seconds.
    unload_s : float
        Tipping time at the sink.
    window_s : float
        Busy time a truck may have: from the later of shift start and the sink's opening
        to the earlier of shift end and the sink's closing.
    bound_window_s : float
        The same without waiting for the sink to open (for the time bound).
    """

    first: dict[int, float]
    approach: dict[int, float]
    core: dict[int, float]
    unload_s: float
    window_s: float
    bound_window_s: float


def trip_times(problem: RoutingProblem, vt_idx: int, job_idx: list[int]) -> TripTimes:
    """Times of the full-load trips ``job_idx`` for vehicle type ``vt_idx``."""
    vt = problem.vehicle_types[vt_idx]
    dur = problem.matrices[vt.profile].duration_s
    depot = problem.depot(vt.depot)
    sink = problem.place(vt.end_id)
    # Packing waits for the sink to open; the bound may not assume that wait.
    window = min(vt.shift_end_s, sink.close_s) - max(vt.shift_start_s, sink.open_s, depot.open_s)
    bound_window = min(vt.shift_end_s, sink.close_s) - max(vt.shift_start_s, depot.open_s)
    core, approach, first = {}, {}, {}
    for j in job_idx:
        job = problem.jobs[j]
        core[j] = job.service_s + dur[job.location, sink.location]
        approach[j] = dur[sink.location, job.location]
        first[j] = dur[depot.location, job.location]
    return TripTimes(first, approach, core, sink.service_s, window, bound_window)


def pack_trips(problem: RoutingProblem, vt_idx: int, job_idx: list[int]) -> Packing:
    """Pack the full-load trips of one vehicle type into as few trucks as first-fit decreasing finds.

    A truck's time is Σ over its trips of (approach + load + haul) + unloads between trips,
    where the approach is from the depot for the first trip and from the sink after; the
    last unload is the route's end. It must fit between the shift start (and the sink's
    opening) and the shift end (and the sink's closing).
    """
    tt = trip_times(problem, vt_idx, job_idx)
    core, approach, first, unload_s, window = tt.core, tt.approach, tt.first, tt.unload_s, tt.window_s
    # A truck with n trips needs Σ(shortest approach + core) + (n-1) unloads <= window, so
    # Σ over its trips of (shortest approach + core + unload) <= window + unload.
    need = sum(min(approach[j], first[j]) + core[j] + unload_s for j in job_idx)
    lower = math.ceil(need / (tt.bound_window_s + unload_s) - 1e-9) if job_idx else 0

    order = sorted(job_idx, key=lambda j: (-(approach[j] + core[j]), problem.jobs[j].id))
    trucks: list[list[int]] = []
    used: list[float] = []      # Σ (approach + core) + unloads between trips
    best_first: list[float] = []  # min over trips of (first - approach)
    unfit = []
    for j in order:
        alone = first[j] + core[j]
        if alone > window + 1e-6:
            unfit.append(j)
            continue
        for t in range(len(trucks)):
            total = used[t] + approach[j] + core[j] + unload_s + min(best_first[t], first[j] - approach[j])
            if total <= window + 1e-6:
                trucks[t].append(j)
                used[t] += approach[j] + core[j] + unload_s
                best_first[t] = min(best_first[t], first[j] - approach[j])
                break
        else:
            trucks.append([j])
            used.append(approach[j] + core[j])
            best_first.append(first[j] - approach[j])
    return Packing(_driving_order(problem, tt, trucks), lower, unfit, len(trucks) == lower, "ffd")


def _driving_order(problem: RoutingProblem, tt: TripTimes, trucks: list[list[int]]) -> list[list[int]]:
    # Drive the trip that is cheapest to reach from the depot first.
    return [sorted(t, key=lambda j: (tt.first[j] - tt.approach[j], problem.jobs[j].id)) for t in trucks]


def pack_trips_optimal(problem: RoutingProblem, vt_idx: int, job_idx: list[int], time_limit_s: float = 10.0,
                       seed: int = 0) -> Packing:
    """Pack the trips into the fewest trucks with CP-SAT, starting from first-fit decreasing.

    Returns the CP-SAT packing when it uses fewer trucks, else the first-fit-decreasing one;
    either way with the best lower bound proved (CP-SAT's or the time bound) and whether
    the number of trucks is optimal.
    """
    ffd = pack_trips(problem, vt_idx, job_idx)
    if ffd.optimal or not ffd.trucks:
        return Packing(ffd.trucks, ffd.lower_bound, ffd.unfit, True, "ffd (equals the lower bound)")
    tt = trip_times(problem, vt_idx, job_idx)
    fit = [j for j in job_idx if j not in set(ffd.unfit)]
    pos = {j: k for k, j in enumerate(fit)}
    arr = [np.array([getattr(tt, name)[j] for j in fit]) for name in ("first", "approach", "core")]
    exact = pack_trips_exact(*arr, tt.unload_s, tt.window_s, [[pos[j] for j in t] for t in ffd.trucks],
                             lower_bound=ffd.lower_bound, time_limit_s=time_limit_s, seed=seed)
    trucks = [[fit[k] for k in t] for t in exact.trucks]
    return Packing(_driving_order(problem, tt, trucks), exact.lower_bound, ffd.unfit, exact.optimal,
                   f"cp-sat ({exact.status})")


def solve_muck(prepared: PreparedProblem, time_limit_s: float = 10.0, seed: int = 0) -> RoutingResult:
    """Routes of the muck night: trips packed into the fewest trucks (CP-SAT from first-fit decreasing).

    The proved lower bound and whether the truck count is optimal go in ``prepared.details``
    (``trucks_lower_bound``, ``trucks_optimal``).
    """
    t0 = time.perf_counter()
    problem = prepared.problem
    routes, unserved, lower, optimal, methods = [], [], 0, True, []
    groups = [[j for j, job in enumerate(problem.jobs) if job.vehicle_types == (vt.id,)]
              for vt in problem.vehicle_types]
    total = max(1, sum(len(g) for g in groups))
    for k, vt in enumerate(problem.vehicle_types):
        members = groups[k]
        # Each sink's packing gets its share of the time limit.
        packing = pack_trips_optimal(problem, k, members, time_limit_s * max(len(members), 1) / total, seed)
        lower += packing.lower_bound
        optimal &= packing.optimal
        methods.append(packing.method)
        sink_idx = next(i for i, s in enumerate(problem.unload_sites) if s.id == vt.end_id)
        if len(packing.trucks) > vt.count:
            for t in packing.trucks[vt.count:]:
                unserved += [UnservedJob(problem.jobs[j].id, f"车辆不足 fleet too small: more trucks needed than the "
                                         f"{vt.count} available; raise [fleet.muck_truck] count") for j in t]
            packing = Packing(packing.trucks[:vt.count], packing.lower_bound, packing.unfit, False, packing.method)
        for truck in packing.trucks:
            visits = []
            for n, j in enumerate(truck):
                if n:
                    visits.append(("unload", sink_idx))
                visits.append(("job", j))
            routes.append(build_route(problem, k, visits))
        unserved += [UnservedJob(problem.jobs[j].id, "the trip alone does not fit in the permitted hours")
                     for j in packing.unfit]
    prepared.details["trucks_used"] = len(routes)
    prepared.details["trucks_lower_bound"] = lower
    prepared.details["trucks_optimal"] = bool(optimal and len(routes) == lower)
    elapsed = time.perf_counter() - t0
    proof = "optimal" if prepared.details["trucks_optimal"] else f"lower bound {lower}"
    return RoutingResult(routes, unserved, "cp-sat", f"auto: full-load trips packed into the fewest trucks "
                         f"({', '.join(dict.fromkeys(methods))}); {len(routes)} trucks, {proof}", elapsed,
                         sum(r.cost for r in routes), True, {"lower_bound": float(lower)})
