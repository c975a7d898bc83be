"""OR-Tools routing engine.

All arc data goes in as registered matrices and unary vectors (``RegisterTransitMatrix``,
``RegisterUnaryTransitVector``): no Python callback runs per arc during the search.

Reloads use the usual OR-Tools construction, which is fragile (it needs a guessed number
of copies of every unload site, and the search cannot add more): every unload
site gets a fixed number of optional copy nodes (a disjunction with zero penalty each).
A copy's load transit is minus the largest capacity, and the load dimension's slack,
allowed only on copies, lets the load fall to zero there. The number of copies bounds
the number of unloads; it is set from the total demand (see ``_copies_per_site``), and
too few copies show up as unserved jobs, not as an error. Release times use a second
time-like dimension that carries the departure time of the current trip along the trip
(zero transit, slack only at the start and at unload copies) and must be at least each
job's release time; see ``_add_release_times`` for how it is tied to the time dimension.

OR-Tools routing takes no random seed; with the same limits it is deterministic except
for where the time limit cuts the search.
"""

from __future__ import annotations

import math
import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from optimizers.routing import scaling as sc
from optimizers.routing.construction import greedy_routes
from optimizers.routing.model import RoutingProblem
from optimizers.routing.schedule import Visit
from optimizers.routing.screening import Screening

#: Guided local search penalty weight (OR-Tools' default is 0.1).
GLS_LAMBDA = 1.0

#: Local-search operators switched on beyond OR-Tools' defaults.
_EXTRA_OPERATORS = (
    "use_relocate_neighbors",
    "use_cross_exchange",
    "use_global_cheapest_insertion_close_nodes_lns",
    "use_local_cheapest_insertion_close_nodes_lns",
    "use_global_cheapest_insertion_expensive_chain_lns",
    "use_local_cheapest_insertion_expensive_chain_lns",
)


def _copies_per_site(problem: RoutingProblem, screening: Screening, site: int,
                     vehicles: list[int]) -> int:
    """Optional copies of one unload site: enough trips for the demand that may go there."""
    vts = [k for k in range(len(problem.vehicle_types))
           if site in problem.allowed_unload_sites(problem.vehicle_types[k])]
    if not vts:
        return 0
    jobs = [j for j, ks in screening.candidates.items() if set(ks) & set(vts)]
    if not jobs:
        return 0
    min_cap = min(problem.vehicle_types[k].capacity_t for k in vts)
    demand = sum(problem.jobs[j].total_t for j in jobs)
    n_veh = sum(problem.vehicle_types[k].count for k in vts)
    return int(min(len(jobs), math.ceil(demand / min_cap) + n_veh))


def _horizon(problem: RoutingProblem) -> int:
    finite = [0.0]
    for vt in problem.vehicle_types:
        finite += [vt.shift_end_s, vt.shift_start_s]
    for job in problem.jobs:
        finite += [job.tw_end_s, job.tw_start_s, job.release_s]
    for p in (*problem.depots, *problem.unload_sites):
        finite += [p.close_s, p.open_s]
    base = max(x for x in finite if math.isfinite(x))
    longest = max(float(m.duration_s.max()) for m in problem.matrices.values())
    services = sum(j.service_s for j in problem.jobs) + sum(
        s.service_s for s in problem.unload_sites) * (len(problem.jobs) + 1)
    return int(math.ceil(base + services + longest * (len(problem.jobs) + 2) + 1))


def solve_ortools(
    problem: RoutingProblem,
    screening: Screening,
    time_limit_s: float,
    seed: int = 0,
    iteration_limit: int | None = None,
) -> tuple[list[tuple[int, list[Visit]]], bool, float, dict[str, float]]:
    """Solve with OR-Tools routing (first solution, then guided local search).

    Returns
    -------
    routes : list of (vehicle type index, visits)
    feasible : bool
        False when OR-Tools found no solution at all.
    solve_time_s : float
    stats : dict
        ``cost_units`` (OR-Tools' objective, including penalties for dropped jobs).
    """
    del seed  # OR-Tools routing has no seed; see the module docstring.
    if not screening.candidates:
        return [], True, 0.0, {}
    horizon = _horizon(problem)
    vts = problem.vehicle_types
    vehicle_vt = [k for k, vt in enumerate(vts) for _ in range(vt.count)]
    n_veh = len(vehicle_vt)

    # Nodes: terminals (starts/ends), jobs, unload copies.
    terminal_ids = sorted({vt.depot for vt in vts} | {vt.end_id for vt in vts})
    node_loc: list[int] = [problem.place(t).location for t in terminal_ids]
    node_service: list[int] = [0] * len(terminal_ids)
    node_kind: list[tuple[str, int]] = [("terminal", k) for k in range(len(terminal_ids))]
    job_idx = sorted(screening.candidates)
    for j in job_idx:
        node_loc.append(problem.jobs[j].location)
        node_service.append(sc.seconds_up(problem.jobs[j].service_s))
        node_kind.append(("job", j))
    for s, site in enumerate(problem.unload_sites):
        for _ in range(_copies_per_site(problem, screening, s, vehicle_vt)):
            node_loc.append(site.location)
            node_service.append(sc.seconds_up(site.service_s))
            node_kind.append(("unload", s))
    n_nodes = len(node_loc)
    loc = np.asarray(node_loc, dtype=np.int64)
    service = np.asarray(node_service, dtype=np.int64)

    starts = [terminal_ids.index(vts[k].depot) for k in vehicle_vt]
    ends = [terminal_ids.index(vts[k].end_id) for k in vehicle_vt]
    manager = pywrapcp.RoutingIndexManager(n_nodes, n_veh, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    # Arc costs and travel times per road profile, registered as node matrices.
    dist_int = {p: sc.distance_matrix_int(m.distance_m)[np.ix_(loc, loc)]
                for p, m in problem.matrices.items()}
    time_eval: dict[str, int] = {}
    cost_eval: dict[tuple[str, int], int] = {}
    max_arc_cost = 1
    for k, vt in enumerate(vts):
        if vt.profile not in time_eval:
            dur = sc.duration_matrix_int(problem.matrices[vt.profile].duration_s)[np.ix_(loc, loc)]
            transit = dur + service[:, None]
            time_eval[vt.profile] = routing.RegisterTransitMatrix(transit.tolist())
        key = (vt.profile, sc.cost_per_metre(vt.cost_per_km))
        if key not in cost_eval:
            cost = dist_int[vt.profile] * key[1]
            max_arc_cost = max(max_arc_cost, int(cost.max()))
            cost_eval[key] = routing.RegisterTransitMatrix(cost.tolist())
    for v, k in enumerate(vehicle_vt):
        vt = vts[k]
        routing.SetArcCostEvaluatorOfVehicle(
            cost_eval[(vt.profile, sc.cost_per_metre(vt.cost_per_km))], v)
        routing.SetFixedCostOfVehicle(sc.cost_units(vt.fixed_cost), v)

    job_nodes = [n for n, (kind, _) in enumerate(node_kind) if kind == "job"]
    copy_nodes = [n for n, (kind, _) in enumerate(node_kind) if kind == "unload"]

    # Load dimensions: tonnes (kg) and, if any vehicle has a volume, m³ (litres).
    def add_load(name: str, demand_of, capacity_of) -> None:
        caps = [capacity_of(vts[k]) for k in vehicle_vt]
        big = max(caps)
        vec = [0] * n_nodes
        for n in job_nodes:
            vec[n] = demand_of(problem.jobs[node_kind[n][1]])
        for n in copy_nodes:
            vec[n] = -big
        ev = routing.RegisterUnaryTransitVector(vec)
        routing.AddDimensionWithVehicleCapacity(ev, big, caps, True, name)
        dim = routing.GetDimensionOrDie(name)
        for n in job_nodes:
            dim.SlackVar(manager.NodeToIndex(n)).SetValue(0)
        for v in range(n_veh):
            dim.SlackVar(routing.Start(v)).SetValue(0)

    add_load("load_t", lambda job: sc.load_up(job.total_t),
             lambda vt: sc.load_down(vt.capacity_t))
    if any(vt.capacity_m3 is not None for vt in vts):
        total_vol = sum(problem.jobs[j].volume_m3 for j in job_idx) + 1.0
        add_load("load_m3", lambda job: sc.load_up(job.volume_m3),
                 lambda vt: sc.load_down(vt.capacity_m3 if vt.capacity_m3 is not None
                                         else total_vol))
    if copy_nodes and any(vt.max_unloads is not None for vt in vts):
        ones = [1 if kind == "unload" else 0 for kind, _ in node_kind]
        ev = routing.RegisterUnaryTransitVector(ones)
        caps = [vts[k].max_unloads if vts[k].max_unloads is not None else n_nodes
                for k in vehicle_vt]
        routing.AddDimensionWithVehicleCapacity(ev, 0, caps, True, "unloads")

    # Time: service + travel on each arc; waiting is slack. Left out when nothing bounds
    # or prices time: its cumuls and finalizer variables slow every local-search move.
    if _time_binds(problem):
        routing.AddDimensionWithVehicleTransits(
            [time_eval[vts[k].profile] for k in vehicle_vt], horizon, horizon, False, "time")
        tdim = routing.GetDimensionOrDie("time")
        for n in job_nodes:
            job = problem.jobs[node_kind[n][1]]
            tdim.CumulVar(manager.NodeToIndex(n)).SetRange(
                sc.seconds_up(job.tw_start_s), sc.seconds_down(job.tw_end_s, horizon))
        for n in copy_nodes:
            site = problem.unload_sites[node_kind[n][1]]
            tdim.CumulVar(manager.NodeToIndex(n)).SetRange(
                sc.seconds_up(site.open_s), sc.seconds_down(site.close_s, horizon))
        for v, k in enumerate(vehicle_vt):
            vt = vts[k]
            depot, end = problem.depot(vt.depot), problem.place(vt.end_id)
            start_var, end_var = tdim.CumulVar(routing.Start(v)), tdim.CumulVar(routing.End(v))
            start_var.SetRange(sc.seconds_up(max(vt.shift_start_s, depot.open_s)),
                               sc.seconds_down(min(vt.shift_end_s, depot.close_s), horizon))
            end_var.SetRange(sc.seconds_up(end.open_s),
                             sc.seconds_down(min(vt.shift_end_s, end.close_s), horizon))
            if math.isfinite(vt.max_duration_s):
                solver.Add(end_var - start_var <= sc.seconds_down(vt.max_duration_s, horizon))
            if vt.cost_per_hour > 0:
                tdim.SetSpanCostCoefficientForVehicle(sc.cost_per_second(vt.cost_per_hour), v)
            routing.AddVariableMaximizedByFinalizer(start_var)
            routing.AddVariableMinimizedByFinalizer(end_var)

        if any(problem.jobs[j].release_s > 0 for j in job_idx):
            _add_release_times(problem, routing, manager, tdim, node_kind, service, horizon,
                               job_nodes, copy_nodes, n_veh)

    # A garage's fleet bounds the vehicles leaving it over all its vehicle types.
    for depot in problem.depots:
        based = [v for v, k in enumerate(vehicle_vt) if vts[k].depot == depot.id]
        if depot.vehicle_count is not None and len(based) > depot.vehicle_count:
            solver.Add(solver.Sum([routing.ActiveVehicleVar(v) for v in based]) <= depot.vehicle_count)

    # Which vehicles may visit what; jobs may be dropped at a high penalty, copies freely.
    max_span = max(sc.cost_per_second(vt.cost_per_hour) for vt in vts) * horizon
    max_fixed = max(sc.cost_units(vt.fixed_cost) for vt in vts)
    penalty = 10 * (2 * max_arc_cost + max_span + max_fixed) + 1
    optional = (copy_nodes or _time_binds(problem) or not _one_each(problem, screening)
                or any(d.vehicle_count is not None for d in problem.depots))
    for n in job_nodes:
        j = node_kind[n][1]
        allowed = [v for v, k in enumerate(vehicle_vt) if k in screening.candidates[j]]
        index = manager.NodeToIndex(n)
        if len(allowed) < n_veh:
            routing.VehicleVar(index).SetValues([-1, *allowed] if optional else allowed)
        if optional:
            routing.AddDisjunction([index], penalty)
    for n in copy_nodes:
        s = node_kind[n][1]
        allowed = [v for v, k in enumerate(vehicle_vt)
                   if s in problem.allowed_unload_sites(vts[k])]
        index = manager.NodeToIndex(n)
        if len(allowed) < n_veh:
            routing.VehicleVar(index).SetValues([-1, *allowed])
        routing.AddDisjunction([index], 0)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = _first_solution_strategy(problem, copy_nodes)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    # Tuned on the CVRPLIB X instances (benchmarks/routing.py): with the default lambda
    # of 0.1 guided local search settles in a few seconds at gaps of 5-12 %; a stronger
    # penalty and the insertion-based LNS operators keep it moving.
    params.guided_local_search_lambda_coefficient = GLS_LAMBDA
    ops = params.local_search_operators
    for name in _EXTRA_OPERATORS:
        setattr(ops, name, optional_boolean_pb2.BOOL_TRUE)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if iteration_limit is not None:
        params.solution_limit = iteration_limit
    params.log_search = False

    t0 = time.perf_counter()
    solution = None
    if copy_nodes or _is_timed(problem) or any(d.vehicle_count is not None for d in problem.depots):
        initial = _initial_assignment(problem, screening, routing, manager, node_kind,
                                      vehicle_vt)
        if initial is not None:
            solution = routing.SolveFromAssignmentWithParameters(initial, params)
    if solution is None:
        solution = routing.SolveWithParameters(params)
    elapsed = time.perf_counter() - t0
    # OR-Tools does not say which limit ended the search; one that ends well before the
    # clock runs out ended on the solution limit.
    on_time = iteration_limit is None or elapsed >= 0.95 * time_limit_s
    stop = {"stopped_on_time": float(on_time)}
    if solution is None:
        return [], False, elapsed, stop

    routes = []
    for v in range(n_veh):
        if not routing.IsVehicleUsed(solution, v):
            continue
        visits: list[Visit] = []
        index = solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            kind, ref = node_kind[manager.IndexToNode(index)]
            visits.append((kind, ref))  # type: ignore[arg-type]
            index = solution.Value(routing.NextVar(index))
        # A trailing unload right before an end that accepts the load adds nothing.
        while visits and visits[-1][0] == "unload":
            visits.pop()
        if any(kind == "job" for kind, _ in visits):
            routes.append((vehicle_vt[v], _drop_idle_unloads(visits)))
    return routes, True, elapsed, {"cost_units": float(solution.ObjectiveValue()), **stop}


def _drop_idle_unloads(visits: list[Visit]) -> list[Visit]:
    """Remove unload visits with nothing on board (at the start or repeated)."""
    out: list[Visit] = []
    loaded = False
    for kind, ref in visits:
        if kind == "unload":
            if not loaded:
                continue
            loaded = False
        else:
            loaded = True
        out.append((kind, ref))
    return out


def _one_each(problem: RoutingProblem, screening: Screening) -> bool:
    """Whether every job could have a vehicle of its own.

    True when each job's allowed vehicles number at least the jobs (Hall's condition then
    holds for every set of jobs). Without deadlines or unload trips every job is then
    surely served, and OR-Tools is spared the moves that drop and re-insert jobs.
    """
    n_jobs = len(screening.candidates)
    return all(sum(problem.vehicle_types[k].count for k in ks) >= n_jobs
               for ks in screening.candidates.values())


def _time_binds(problem: RoutingProblem) -> bool:
    """Whether any deadline, duration limit or hourly cost makes times matter.

    Start times and releases alone never make a plan infeasible: the vehicle waits.
    """
    if any(math.isfinite(j.tw_end_s) for j in problem.jobs):
        return True
    if any(math.isfinite(p.close_s) for p in (*problem.depots, *problem.unload_sites)):
        return True
    return any(math.isfinite(vt.shift_end_s) or math.isfinite(vt.max_duration_s)
               or vt.cost_per_hour > 0 for vt in problem.vehicle_types)


def _is_timed(problem: RoutingProblem) -> bool:
    return any(j.tw_start_s > 0 or math.isfinite(j.tw_end_s) or j.release_s > 0
               for j in problem.jobs)


def _initial_assignment(problem, screening, routing, manager, node_kind, vehicle_vt):
    """Greedy multi-trip routes (see :mod:`construction`) as an OR-Tools assignment."""
    job_node = {ref: n for n, (kind, ref) in enumerate(node_kind) if kind == "job"}
    copies: dict[int, list[int]] = {}
    for n, (kind, ref) in enumerate(node_kind):
        if kind == "unload":
            copies.setdefault(ref, []).append(n)
    plans = greedy_routes(problem, screening.candidates, vehicle_vt,
                          {s: len(c) for s, c in copies.items()})
    # Start with no more vehicles out of a garage than it has.
    left = {d.id: d.vehicle_count for d in problem.depots}
    routes = []
    for v, visits in enumerate(plans):
        depot = problem.vehicle_types[vehicle_vt[v]].depot
        if visits and left[depot] is not None:
            if left[depot] == 0:
                visits = []
            else:
                left[depot] -= 1
        nodes = []
        for kind, ref in visits:
            nodes.append(job_node[ref] if kind == "job" else copies[ref].pop())
        routes.append(nodes)
    indices = [[manager.NodeToIndex(n) for n in r] for r in routes]
    return routing.ReadAssignmentFromRoutes(indices, True)


def _first_solution_strategy(problem: RoutingProblem, copy_nodes: list[int]) -> int:
    fss = routing_enums_pb2.FirstSolutionStrategy
    timed = _is_timed(problem)
    # Savings builds good capacity-bound routes; with time windows or optional unload
    # copies it gets stuck, and parallel cheapest insertion copes better.
    if not timed and not copy_nodes:
        return fss.SAVINGS
    return fss.PARALLEL_CHEAPEST_INSERTION


def _add_release_times(problem, routing, manager, tdim, node_kind, service, horizon,
                       job_nodes, copy_nodes, n_veh) -> None:
    """A trip may leave its depot or unload site only once all its jobs are released.

    Dimension ``trip`` has zero transit; its cumul is constant along a trip, and changes
    only through slack taken at the trip's start (the start depot or an unload copy).
    Every job on the trip requires that value to be at least the job's release time,
    and at the trip's start it must not exceed the departure time.

    The departure is written as ``time(next) - transit(start, next) + service(start)``
    and the trip value as ``trip(next)``, both through the successor of the trip's
    start, rather than as ``time(start) + slack`` and ``trip(start) + slack``. The sums
    with free slack variables only propagate their separate bounds, so OR-Tools accepted
    plans whose cumuls had no consistent values (a trip leaving before a release; rebuilt
    with the release respected, a later job then missed its window). Written on single
    cumuls, every constraint is a difference of two variables once the route is fixed,
    and bound propagation then proves that the earliest times satisfy them all.
    """
    solver = routing.solver()
    zero = routing.RegisterUnaryTransitVector([0] * len(node_kind))
    routing.AddDimension(zero, horizon, horizon, False, "trip")
    rdim = routing.GetDimensionOrDie("trip")
    for n in job_nodes:
        index = manager.NodeToIndex(n)
        rdim.SlackVar(index).SetValue(0)
        rdim.CumulVar(index).SetMin(sc.seconds_up(problem.jobs[node_kind[n][1]].release_s))
    n_indices = routing.Size() + routing.vehicles()
    trip_cumuls = [rdim.CumulVar(i) for i in range(n_indices)]
    time_cumuls = [tdim.CumulVar(i) for i in range(n_indices)]
    trip_starts = [(routing.Start(v), 0) for v in range(n_veh)]
    trip_starts += [(manager.NodeToIndex(n), int(service[n])) for n in copy_nodes]
    for index, service_s in trip_starts:
        nxt = routing.NextVar(index)
        trip_next = solver.Element(trip_cumuls, nxt)
        arrive_next = solver.Element(time_cumuls, nxt)
        # An unperformed copy points to itself; the constraint must then be void.
        void = horizon * (1 - routing.ActiveVar(index))
        solver.Add(trip_next + tdim.TransitVar(index) <= arrive_next + service_s + void)
