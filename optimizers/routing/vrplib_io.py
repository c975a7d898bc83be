"""VRPLIB instances (as read by the ``vrplib`` package) as routing problems.

Used by the benchmark and the tests; geoplan's own problems come from the road network.
Distances keep the instance's unit and rounding convention and are passed as "metres"
with a cost of 1000 per km, so a plan's objective equals the instance's cost and
compares directly with the best-known solution.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from layers.errors import GeoplanError
from optimizers.routing.model import (
    DEFAULT_FRACTION,
    Depot,
    Job,
    RoutingProblem,
    TravelMatrix,
    UnloadSite,
    VehicleType,
)
from optimizers.routing.schedule import Visit

#: Rounding conventions: CVRPLIB X instances round distances; the DIMACS convention
#: (multi-trip Solomon-based instances) scales by 10 and truncates.
ROUNDING: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "round": lambda a: np.round(a),
    "dimacs": lambda a: np.trunc(10 * np.asarray(a, dtype=float)),
    "none": lambda a: np.asarray(a, dtype=float),
}

#: Unit cost that makes a plan's objective equal to its instance distance.
_COST_PER_KM = 1000.0


def problem_from_vrplib(instance: dict, rounding: str = "round") -> RoutingProblem:
    """Convert an instance dict from ``vrplib.read_instance``.

    Supports CVRP, VRPTW and multi-trip VRPTW with release times and reload depots
    (one depot). Location 0 is the depot; job ``str(i)`` is VRPLIB node ``i`` (the
    numbering of ``.sol`` files).

    Parameters
    ----------
    instance : dict
        As returned by ``vrplib.read_instance``.
    rounding : {"round", "dimacs", "none"}
        Applied to distances, time windows, service and release times.
    """
    if rounding not in ROUNDING:
        raise GeoplanError(f"unknown rounding {rounding!r}; use one of {sorted(ROUNDING)}")
    rnd = ROUNDING[rounding]
    depots = np.atleast_1d(instance.get("depot", np.array([0])))
    if depots.size != 1 or int(depots[0]) != 0:
        raise GeoplanError("only single-depot VRPLIB instances with the depot first are supported")
    dist = rnd(instance["edge_weight"])
    n = dist.shape[0]
    matrices = {"truck": TravelMatrix(dist, dist)}

    def per_node(key: str, default: float) -> np.ndarray:
        val = instance.get(key, default)
        if np.isscalar(val):
            arr = np.full(n, float(val))
            if key == "service_time":
                arr[0] = 0.0
            return arr
        return np.asarray(val, dtype=float)

    service = rnd(per_node("service_time", 0.0))
    release = rnd(per_node("release_time", 0.0))
    if "time_window" in instance:
        tw = rnd(np.asarray(instance["time_window"], dtype=float))
    else:
        tw = np.column_stack([np.zeros(n), np.full(n, math.inf)])
    demand = np.asarray(instance.get("demand", np.zeros(n)), dtype=float)
    capacity = float(np.atleast_1d(instance["capacity"])[0])
    n_vehicles = int(instance.get("vehicles", n - 1))

    reloads = "vehicles_reload_depot" in instance
    depot = Depot("depot", 0, float(tw[0, 0]), float(tw[0, 1]), fractions=(DEFAULT_FRACTION,))
    sites = [UnloadSite("reload", 0, (DEFAULT_FRACTION,), float(tw[0, 0]), float(tw[0, 1]))] \
        if reloads else []
    vt = VehicleType(
        id="vehicle", count=n_vehicles, capacity_t=capacity, depot="depot",
        cost_per_km=_COST_PER_KM, shift_start_s=float(tw[0, 0]), shift_end_s=float(tw[0, 1]),
    )
    jobs = [
        Job(str(i), i, {DEFAULT_FRACTION: float(demand[i])}, service_s=float(service[i]),
            tw_start_s=float(tw[i, 0]), tw_end_s=float(tw[i, 1]), release_s=float(release[i]))
        for i in range(1, n)
    ]
    return RoutingProblem([depot], [vt], jobs, matrices, sites)


def visits_from_vrplib_solution(routes: list[list[int]]) -> list[tuple[int, list[Visit]]]:
    """Routes of a ``.sol`` file as (vehicle type, visits); node 0 inside a route is a reload."""
    out = []
    for route in routes:
        visits: list[Visit] = [("unload", 0) if v == 0 else ("job", v - 1) for v in route]
        out.append((0, visits))
    return out
