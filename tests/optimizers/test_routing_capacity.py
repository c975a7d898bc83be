"""Unload sites' daily capacity and garages' vehicle counts, on both engines."""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict

import numpy as np
import pytest

from optimizers.routing import (
    Depot, Job, RoutingProblem, TravelMatrix, UnloadSite, VehicleType, check_feasibility, solve,
)
from optimizers.routing.site_assignment import assign_to_sites

ENGINES = ["pyvrp", "ortools"]
FRACTION = "其他垃圾"


def _matrix(xy) -> TravelMatrix:
    xy = np.asarray(xy, float)
    d = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    return TravelMatrix(d, d / 10.0)


def _delivered(result) -> dict[str, float]:
    """Tonnes tipped per place: the load on board on arriving at each unload stop or end."""
    out: dict[str, float] = defaultdict(float)
    for route in result.routes:
        for a, b in zip(route.stops, route.stops[1:]):
            if b.kind in ("unload", "depot"):
                out[b.place_id] += sum(a.load_after_t.values())
    return out


def _two_sites(cap_near: float, cap_far: float, ends: tuple[str | None, ...] = (None,),
               n_jobs: int = 8) -> RoutingProblem:
    """Jobs around the origin; site ``near`` beside them, site ``far`` 4 km off."""
    rng = np.random.default_rng(7)
    jobs_xy = rng.integers(-800, 800, size=(n_jobs, 2))
    xy = [(0, -1000), (200, 0), (4000, 0), *jobs_xy]
    depot = Depot("garage", 0, fractions=(FRACTION,))
    sites = [UnloadSite("near", 1, (FRACTION,), service_s=300, daily_capacity_t=cap_near),
             UnloadSite("far", 2, (FRACTION,), service_s=300, daily_capacity_t=cap_far)]
    jobs = [Job(f"j{i}", 3 + i, 3.0, service_s=120) for i in range(n_jobs)]
    vts = [VehicleType(f"truck-{end or 'garage'}", 3, 8.0, "garage", end=end, fixed_cost=100.0, cost_per_km=2.0)
           for end in ends]
    return RoutingProblem([depot], vts, jobs, {"truck": _matrix(xy)}, sites)


@pytest.mark.parametrize("engine", ENGINES)
def test_overflow_goes_to_the_second_site(engine):
    free = solve(_two_sites(np.inf, np.inf), engine=engine, time_limit_s=5, iteration_limit=2000)
    assert check_feasibility(_two_sites(np.inf, np.inf), free) == []
    # Without a limit nearly everything goes to the near site...
    assert _delivered(free)["near"] > 10.0

    problem = _two_sites(10.0, np.inf)
    # ... which the checker reports once the near site takes only 10 t.
    assert any("near" in e and "daily capacity" in e for e in check_feasibility(problem, free))

    result = solve(problem, engine=engine, time_limit_s=5, iteration_limit=2000)
    assert check_feasibility(problem, result) == []
    assert result.unserved == []
    delivered = _delivered(result)
    assert delivered["near"] <= 10.0 + 1e-9
    assert delivered["far"] + delivered["garage"] >= 24.0 - 10.0 - 1e-9
    assert delivered["far"] > 0


@pytest.mark.parametrize("engine", ENGINES)
def test_what_no_site_can_take_is_unserved_with_the_reason(engine):
    # Trucks end their day at a site: the near one takes 6 t, the far one 9 t; 15 t of 24 t fit.
    problem = _two_sites(6.0, 9.0, ends=("near", "far"))
    result = solve(problem, engine=engine, time_limit_s=5, iteration_limit=2000)
    assert check_feasibility(problem, result) == []
    delivered = _delivered(result)
    assert delivered["near"] <= 6.0 + 1e-9 and delivered["far"] <= 9.0 + 1e-9
    served = sum(len(r.job_ids) for r in result.routes)
    assert served == 5  # 3 t jobs: 2 into 6 t, 3 into 9 t
    assert len(result.unserved) == 3
    assert all("卸载点日处理能力不足" in u.reason and "unload capacity exhausted" in u.reason
               for u in result.unserved)


def test_assign_to_sites_matches_brute_force():
    rng = np.random.default_rng(3)
    for trial in range(8):
        n, m = 6, 3
        demand = rng.integers(1, 9, n).astype(float)
        capacity = rng.integers(5, 16, m).astype(float)
        cost = rng.integers(1, 50, (n, m)).astype(float) * 200.0
        cost[rng.random((n, m)) < 0.2] = np.inf
        got = assign_to_sites(demand, capacity, cost, time_limit_s=10)
        for s in range(m):
            assert got.load_t[s] <= capacity[s] + 1e-9
        assert all(np.isfinite(cost[i, s]) for i, s in enumerate(got.site) if s >= 0)

        # Same objective as the model: a penalty per unassigned tonne above any cost.
        penalty = 10 * cost[np.isfinite(cost)].max() + 1

        def value(choice):
            return sum(demand[i] * (cost[i, s] if s >= 0 else penalty) for i, s in enumerate(choice))

        best = None
        for choice in itertools.product(range(-1, m), repeat=n):
            if any(s >= 0 and not np.isfinite(cost[i, s]) for i, s in enumerate(choice)):
                continue
            load = np.zeros(m)
            for i, s in enumerate(choice):
                if s >= 0:
                    load[s] += demand[i]
            if np.all(load <= capacity + 1e-9):
                v = value(choice)
                best = v if best is None else min(best, v)
        assert got.optimal
        assert value(got.site) == pytest.approx(best, rel=1e-9), trial


def _garage(vehicle_count: int | None) -> RoutingProblem:
    """Six jobs of 7 t for trucks of 8 t: each needs a truck of its own; two truck types."""
    rng = np.random.default_rng(11)
    xy = [(0, 0), *rng.integers(-3000, 3000, size=(6, 2))]
    depot = Depot("garage", 0, fractions=(FRACTION,), vehicle_count=vehicle_count)
    jobs = [Job(f"j{i}", 1 + i, 7.0) for i in range(6)]
    vts = [VehicleType("a", 4, 8.0, "garage", fixed_cost=100.0), VehicleType("b", 4, 8.0, "garage", fixed_cost=120.0)]
    return RoutingProblem([depot], vts, jobs, {"truck": _matrix(xy)})


@pytest.mark.parametrize("engine", ENGINES)
def test_garage_vehicle_count_caps_the_fleet(engine):
    free = solve(_garage(None), engine=engine, time_limit_s=5, iteration_limit=1000)
    assert len(free.routes) == 6 and free.unserved == []
    assert any("depot 'garage'" in e for e in check_feasibility(_garage(4), free))

    problem = _garage(4)
    result = solve(problem, engine=engine, time_limit_s=5, iteration_limit=1000)
    assert check_feasibility(problem, result) == []
    assert len(result.routes) == 4
    assert len(result.unserved) == 2
    assert all("fleet too small" in u.reason for u in result.unserved)


def test_depot_vehicle_count_must_not_be_negative():
    problem = _garage(None)
    with pytest.raises(Exception, match="vehicle_count"):
        dataclasses.replace(problem, depots=[dataclasses.replace(problem.depots[0], vehicle_count=-1)])
