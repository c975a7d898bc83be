"""Fewest trucks for a set of full-load trips: an exact packing with OR-Tools CP-SAT.

A truck leaves its depot, drives trips (to a pick-up, load, haul to the sink) and tips at
the sink between trips; its last trip ends at the sink. A truck with trips ``J`` is busy

    min_{f in J} (first_f - approach_f) + Σ_{j in J} (approach_j + core_j + unload) - unload

seconds, where ``first`` is the drive from the depot to the pick-up, ``approach`` the drive
from the sink to it, ``core`` loading plus the haul to the sink and ``unload`` the time to
tip. The order of the other trips does not change that time. A packing puts every trip on a
truck whose busy time fits the window.

:func:`pack_trips_exact` works in three steps:

1. A lower bound from the trucks' total busy time (:func:`head_bound`).
2. For ``T`` from that bound up, the ``T`` trips with the smallest head lead one truck each
   and the other trips are bin-packed into the time left (CP-SAT, one boolean per trip and
   truck). The first ``T`` that packs gives the trucks; ``T`` equal to the bound is optimal.
3. If trucks remain above the bound, the full model: trips counted per *trip kind* (equal
   times), ``n[i, t]`` trips of kind ``i`` on truck ``t``, ``first[i, t]`` whether truck
   ``t`` starts with kind ``i``, trucks ordered against symmetric copies, the best packing
   so far as the hint. It may find fewer trucks or prove a higher bound.

Times are whole milliseconds, rounded up for durations and down for the window, so a
packing of the models fits the float times. CP-SAT runs two interleaved subsolvers in one
deterministic schedule and stops on a deterministic-time budget, so the answer repeats;
the wall-clock limit is the safety net.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from layers.errors import GeoplanError

#: Deterministic-time budget of CP-SAT per call (its own work units, about seconds on a
#: desktop core). Stopping on it rather than on the clock makes the answer repeatable.
DETERMINISTIC_LIMIT = 20.0


@dataclass(frozen=True)
class TripPacking:
    """Trips packed into trucks.

    Attributes
    ----------
    trucks : list of list of int
        Trip indices per truck (the order within a truck is not fixed here).
    lower_bound : int
        No packing of these trips uses fewer trucks (proved by CP-SAT or by the time bound).
    optimal : bool
        True when ``len(trucks) == lower_bound``.
    status : str
        CP-SAT's status name (``"OPTIMAL"``, ``"FEASIBLE"``…), or ``"HINT"`` when CP-SAT
        found nothing better than the starting packing in its limits.
    solve_time_s : float
        Wall time of CP-SAT, seconds.
    """

    trucks: list[list[int]]
    lower_bound: int
    optimal: bool
    status: str
    solve_time_s: float


def busy_seconds(trips: list[int], first_s, approach_s, core_s, unload_s: float) -> float:
    """Busy time of one truck driving ``trips``, seconds (see the module docstring)."""
    if not trips:
        return 0.0
    head = min(first_s[j] - approach_s[j] for j in trips)
    return float(head + sum(approach_s[j] + core_s[j] + unload_s for j in trips) - unload_s)


def head_bound(first_s, approach_s, core_s, unload_s: float, window_s: float) -> int:
    """Fewest trucks any packing can use, from the trucks' total busy time.

    Summing the busy time over ``T`` trucks gives Σ_j (approach_j + core_j + unload)
    + Σ_t head_t ≤ T (window + unload), where the ``T`` heads ``first - approach`` belong to
    ``T`` different trips, so their sum is at least that of the ``T`` smallest heads. The
    left side minus the right falls as ``T`` grows (every head is shorter than the window),
    so the first ``T`` that passes is the bound.
    """
    first = np.asarray(first_s, float)
    approach = np.asarray(approach_s, float)
    total = float(np.sum(approach + np.asarray(core_s, float) + unload_s))
    heads = np.sort(first - approach)
    for t in range(1, len(first) + 1):
        if total + heads[:t].sum() <= t * (window_s + unload_s) + 1e-6:
            return t
    return len(first)


def pack_trips_exact(
    first_s: np.ndarray,
    approach_s: np.ndarray,
    core_s: np.ndarray,
    unload_s: float,
    window_s: float,
    start: list[list[int]],
    lower_bound: int = 0,
    time_limit_s: float = 10.0,
    seed: int = 0,
) -> TripPacking:
    """Pack the trips into the fewest trucks, proving a lower bound.

    Parameters
    ----------
    first_s, approach_s, core_s : ndarray, shape (n,)
        Seconds per trip: depot → pick-up, sink → pick-up, loading + pick-up → sink.
    unload_s : float
        Seconds to tip at the sink.
    window_s : float
        Longest busy time of a truck, seconds.
    start : list of list of int
        A packing of all trips that fits (e.g. first-fit decreasing); it bounds the number
        of trucks from above and starts the search.
    lower_bound : int
        A bound known beforehand (e.g. total time ÷ window); CP-SAT may raise it.
    time_limit_s : float
        Wall-clock limit, seconds.
    seed : int
        CP-SAT's random seed.

    Returns
    -------
    TripPacking

    Raises
    ------
    GeoplanError
        When ``start`` misses a trip or a truck of it does not fit the window.
    """
    first = np.asarray(first_s, float)
    approach = np.asarray(approach_s, float)
    core = np.asarray(core_s, float)
    n = len(first)
    if sorted(j for t in start for j in t) != list(range(n)):
        raise GeoplanError("the starting packing must hold every trip exactly once")
    if any(busy_seconds(t, first, approach, core, unload_s) > window_s + 1e-6 for t in start):
        raise GeoplanError("a truck of the starting packing does not fit the window")
    if n == 0:
        return TripPacking([], 0, True, "OPTIMAL", 0.0)
    bound = max(int(lower_bound), head_bound(first, approach, core, unload_s, window_s))
    best = [list(t) for t in start if t]
    if len(best) <= bound:
        return TripPacking(best, len(best), True, "BOUND", 0.0)

    # Stage 1: with T trucks headed by the T trips of smallest head, packing the others is
    # a plain bin packing; it often reaches the bound, which then proves it optimal.
    t0 = time.perf_counter()
    budget = DETERMINISTIC_LIMIT / 2
    status = "HINT"
    for n_trucks in range(bound, len(best)):
        left = time_limit_s - (time.perf_counter() - t0)
        if left <= 0 or budget <= 0:
            break
        found, spent = _pack_with_fixed_heads(first, approach, core, unload_s, window_s, n_trucks,
                                              left, budget, seed)
        budget -= spent
        if found is not None:
            best, status = found, "FIXED_HEADS"
            break
    # Stage 2: the full model, to find fewer trucks or raise the bound.
    left = time_limit_s - (time.perf_counter() - t0)
    if len(best) > bound and left > 0:
        trucks, proved, name = _pack_full(first, approach, core, unload_s, window_s, best, bound, left,
                                          DETERMINISTIC_LIMIT / 2, seed)
        bound = max(bound, proved)
        if len(trucks) < len(best):
            best, status = trucks, name
        elif name == "OPTIMAL":
            status = name
    bound = min(bound, len(best))
    return TripPacking(best, bound, bound >= len(best), status, time.perf_counter() - t0)


def _solver(time_limit_s: float, deterministic_limit: float, seed: int):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, float(time_limit_s))
    solver.parameters.max_deterministic_time = max(0.01, float(deterministic_limit))
    # Two interleaved subsolvers in one deterministic schedule: repeatable, and far better
    # on bin packing than a single search.
    solver.parameters.num_workers = 2
    solver.parameters.interleave_search = True
    solver.parameters.random_seed = int(seed)
    return solver


def _ms_up(x: float) -> int:
    return int(math.ceil(x * 1000.0 - 1e-6))


def _pack_with_fixed_heads(first, approach, core, unload_s, window_s, n_trucks, time_limit_s,
                           deterministic_limit, seed):
    """Trucks headed by the ``n_trucks`` smallest-head trips, others bin-packed; None if not found."""
    from ortools.sat.python import cp_model

    n = len(first)
    heads = first - approach
    order = np.argsort(heads, kind="stable")
    # Whole seconds (rounded up) keep the coefficients small, which CP-SAT packs far faster.
    unload = math.ceil(unload_s - 1e-9)
    room = int(math.floor(window_s + 1e-9)) + unload
    size = [math.ceil(approach[j] - 1e-9) + math.ceil(core[j] - 1e-9) + unload for j in range(n)]
    head_trips = order[:n_trucks].tolist()
    rest = sorted(order[n_trucks:].tolist(), key=lambda j: (-size[j], j))
    caps = [room - size[h] - (math.ceil(first[h] - 1e-9) - math.ceil(approach[h] - 1e-9)) for h in head_trips]
    if min(caps) < 0:
        return None, 0.0
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x_{j}_{t}") for t in range(n_trucks)] for j in rest]
    for row in x:
        model.add_exactly_one(row)
    for t in range(n_trucks):
        model.add(sum(x[k][t] * size[j] for k, j in enumerate(rest)) <= caps[t])
    solver = _solver(time_limit_s, deterministic_limit, seed)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    trucks = [[h] for h in head_trips]
    for k, j in enumerate(rest):
        trucks[next(t for t in range(n_trucks) if solver.value(x[k][t]))].append(j)
    return trucks, solver.deterministic_time


def _pack_full(first, approach, core, unload_s, window_s, start, lower_bound, time_limit_s,
               deterministic_limit, seed):
    """The full model over trip kinds; returns (trucks, proved bound, status name)."""
    from ortools.sat.python import cp_model

    n = len(first)
    ms_up = _ms_up

    # Trip kinds: trips with the same (rounded) times.
    keys = [(ms_up(first[j]), ms_up(approach[j]), ms_up(core[j])) for j in range(n)]
    kinds = sorted(set(keys))
    members: dict[tuple[int, int, int], list[int]] = {k: [] for k in kinds}
    for j, key in enumerate(keys):
        members[key].append(j)
    count = [len(members[k]) for k in kinds]
    unload = ms_up(unload_s)
    window = int(math.floor(window_s * 1000.0 + 1e-6))
    m, n_trucks = len(kinds), len(start)

    model = cp_model.CpModel()
    used = [model.new_bool_var(f"used_{t}") for t in range(n_trucks)]
    trips = [[model.new_int_var(0, count[i], f"n_{i}_{t}") for t in range(n_trucks)] for i in range(m)]
    heads = [[model.new_bool_var(f"first_{i}_{t}") for t in range(n_trucks)] for i in range(m)]
    for i in range(m):
        model.add(sum(trips[i]) == count[i])
    for t in range(n_trucks):
        model.add(sum(heads[i][t] for i in range(m)) == used[t])
        for i in range(m):
            model.add(heads[i][t] <= trips[i][t])
            model.add(trips[i][t] <= count[i] * used[t])
        busy = sum(trips[i][t] * (kinds[i][1] + kinds[i][2] + unload) for i in range(m))
        busy += sum(heads[i][t] * (kinds[i][0] - kinds[i][1]) for i in range(m))
        model.add(busy - unload * used[t] <= window * used[t])
        if t + 1 < n_trucks:
            model.add(used[t] >= used[t + 1])
    model.add(sum(used) >= lower_bound)
    model.minimize(sum(used))

    # Hint: the starting packing, each truck starting with its cheapest first trip.
    kind_of = {j: kinds.index(keys[j]) for j in range(n)}
    for t, truck in enumerate(start):
        model.add_hint(used[t], bool(truck))
        per_kind = [0] * m
        for j in truck:
            per_kind[kind_of[j]] += 1
        head = kind_of[min(truck, key=lambda j: (first[j] - approach[j], j))] if truck else -1
        for i in range(m):
            model.add_hint(trips[i][t], per_kind[i])
            model.add_hint(heads[i][t], i == head)

    solver = _solver(time_limit_s, deterministic_limit, seed)
    status = solver.solve(model)
    name = solver.status_name(status)
    bound = int(lower_bound)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = max(bound, int(math.ceil(solver.best_objective_bound - 1e-6)))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value >= len(start):
        return [list(t) for t in start], bound, name

    # Hand out the trips of each kind to the trucks that carry that kind.
    pool = {i: list(members[kinds[i]]) for i in range(m)}
    trucks = []
    for t in range(n_trucks):
        if not solver.value(used[t]):
            continue
        truck = []
        for i in range(m):
            for _ in range(solver.value(trips[i][t])):
                truck.append(pool[i].pop(0))
        trucks.append(truck)
    return trucks, bound, name
