"""Each pick-up to one unload site within the sites' daily capacity (single sourcing).

A generalized assignment problem, solved as a small MIP with OR-Tools CP-SAT under a time
limit: ``x[i, s] = 1`` when pick-up ``i`` goes to site ``s``; every pick-up goes to at most
one site it may use (finite cost); the tonnes sent to a site stay within its capacity. The
objective is Σ tonnes × cost over assigned pick-ups plus a penalty per unassigned tonne
that is larger than any cost, so capacity is used before distance is saved.

When no site can be overfilled (the pick-ups that may use it weigh no more than its
capacity) every pick-up simply goes to its cheapest site, which is then optimal, and
CP-SAT does not run. Tonnes are whole kilograms, rounded up for demand and down for
capacity, so an assignment within the integer capacities is within the float ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from layers.errors import GeoplanError

#: CP-SAT deterministic-time budget (its own work units): stopping on it, not on the
#: clock, makes the assignment repeatable.
DETERMINISTIC_LIMIT = 10.0


@dataclass(frozen=True)
class SiteAssignment:
    """Pick-ups assigned to unload sites.

    Attributes
    ----------
    site : ndarray of int, shape (n,)
        Site index of each pick-up, -1 when it fits nowhere.
    load_t : ndarray, shape (m,)
        Tonnes sent to each site.
    cost : float
        Σ tonnes × cost over the assigned pick-ups.
    optimal : bool
        True when the assignment is proved optimal.
    method : str
        ``"nearest"`` (no capacity binds) or ``"cp-sat (<status>)"``.
    """

    site: np.ndarray
    load_t: np.ndarray
    cost: float
    optimal: bool
    method: str

    @property
    def unassigned(self) -> np.ndarray:
        """Indices of the pick-ups that fit no site."""
        return np.flatnonzero(self.site < 0)


def _kg_up(t: float) -> int:
    return int(math.ceil(t * 1000.0 - 1e-6))


def assign_to_sites(
    demand_t: np.ndarray,
    capacity_t: np.ndarray,
    cost: np.ndarray,
    time_limit_s: float = 10.0,
    seed: int = 0,
) -> SiteAssignment:
    """Assign pick-ups to sites within capacity at least tonne-weighted cost.

    Parameters
    ----------
    demand_t : ndarray, shape (n,)
        Tonnes of each pick-up.
    capacity_t : ndarray, shape (m,)
        Tonnes each site takes (``inf`` for no limit).
    cost : ndarray, shape (n, m)
        Cost per tonne of sending pick-up ``i`` to site ``s`` (e.g. round-trip seconds);
        ``inf`` where it may not go.
    time_limit_s : float
        CP-SAT wall-clock limit, seconds.
    seed : int
        CP-SAT random seed.

    Returns
    -------
    SiteAssignment
    """
    demand = np.asarray(demand_t, float)
    cap = np.asarray(capacity_t, float)
    cost = np.asarray(cost, float)
    n, m = cost.shape
    if demand.shape != (n,) or cap.shape != (m,):
        raise GeoplanError(f"assignment shapes disagree: demand {demand.shape}, capacity {cap.shape}, "
                           f"cost {cost.shape}")
    if np.any(demand < 0) or np.any(cap < 0):
        raise GeoplanError("pick-up tonnes and site capacities must not be negative")
    if not time_limit_s > 0:
        raise GeoplanError(f"time_limit_s must be positive, got {time_limit_s}")
    allowed = np.isfinite(cost)
    kg = np.array([_kg_up(t) for t in demand], dtype=np.int64)
    cap_kg = np.array([int(kg.sum()) + 1 if not math.isfinite(c) else int(math.floor(c * 1000.0 + 1e-6))
                       for c in cap], dtype=np.int64)

    greedy = _greedy(kg, cap_kg, cost, allowed)
    potential = (allowed * kg[:, None]).sum(axis=0)
    if np.all(potential <= cap_kg):
        return _result(greedy, demand, cost, m, True, "nearest")

    from ortools.sat.python import cp_model

    finite = cost[allowed]
    scale = float(finite.max()) if finite.size else 1.0
    # Cost per kg as integers up to 10 000, so coefficients stay far below CP-SAT's limits.
    unit = np.where(allowed, np.rint(np.where(allowed, cost, 0.0) / max(scale, 1e-9) * 10_000), 0).astype(np.int64)
    penalty = 10 * 10_000 + 1
    model = cp_model.CpModel()
    x: dict[tuple[int, int], object] = {}
    for i in range(n):
        for s in np.flatnonzero(allowed[i]):
            x[i, int(s)] = model.new_bool_var(f"x_{i}_{s}")
    for i in range(n):
        row = [x[i, s] for s in range(m) if (i, s) in x]
        if row:
            model.add_at_most_one(row)
    for s in range(m):
        col = [(i, x[i, s]) for i in range(n) if (i, s) in x]
        if col and sum(kg[i] for i, _ in col) > cap_kg[s]:
            model.add(sum(int(kg[i]) * var for i, var in col) <= int(cap_kg[s]))
    # Σ kg (unit - penalty) over assignments; the constant Σ kg × penalty is left out.
    model.minimize(sum(int(kg[i]) * (int(unit[i, s]) - penalty) * var for (i, s), var in x.items()))
    for (i, s), var in x.items():
        model.add_hint(var, greedy[i] == s)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.max_deterministic_time = DETERMINISTIC_LIMIT
    solver.parameters.num_workers = 2
    solver.parameters.interleave_search = True
    solver.parameters.random_seed = int(seed)
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _result(greedy, demand, cost, m, False, f"greedy (cp-sat {name})")
    site = np.full(n, -1, dtype=np.int64)
    for (i, s), var in x.items():
        if solver.value(var):
            site[i] = s
    return _result(site, demand, cost, m, status == cp_model.OPTIMAL, f"cp-sat ({name})")


def _greedy(kg, cap_kg, cost, allowed) -> np.ndarray:
    """Heaviest pick-ups first, each to its cheapest site with room left."""
    n, m = cost.shape
    left = cap_kg.copy()
    site = np.full(n, -1, dtype=np.int64)
    for i in sorted(range(n), key=lambda i: (-kg[i], i)):
        for s in sorted(np.flatnonzero(allowed[i]), key=lambda s: (cost[i, s], s)):
            if kg[i] <= left[s]:
                site[i] = s
                left[s] -= kg[i]
                break
    return site


def _result(site, demand, cost, m, optimal, method) -> SiteAssignment:
    load = np.zeros(m)
    total = 0.0
    for i, s in enumerate(site):
        if s >= 0:
            load[s] += demand[i]
            total += demand[i] * cost[i, s]
    return SiteAssignment(np.asarray(site, dtype=np.int64), load, float(total), bool(optimal), method)
