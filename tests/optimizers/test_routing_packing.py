"""Packing full-load trips into the fewest trucks (CP-SAT), checked against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers.routing.trip_packing import busy_seconds, head_bound, pack_trips_exact

UNLOAD_S = 600.0


def _partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        for k in range(len(part)):
            yield part[:k] + [[first] + part[k]] + part[k + 1:]
        yield [[first]] + part


def _instance(seed: int, n: int = 8, trips_per_truck: tuple[float, float] = (2.5, 4.0)):
    rng = np.random.default_rng(seed)
    approach = rng.uniform(600, 2400, n)
    core = approach * rng.uniform(0.9, 1.1, n) + 600.0
    first = approach + rng.uniform(-900, 900, n)
    window = float(rng.uniform(*trips_per_truck) * np.median(approach + core + UNLOAD_S))
    window = max(window, float(np.max(first + core)) + 1.0)  # every trip fits alone
    return first, approach, core, window


def _brute_force(first, approach, core, window):
    best = None
    for part in _partitions(list(range(len(first)))):
        if best is not None and len(part) >= best:
            continue
        if all(busy_seconds(g, first, approach, core, UNLOAD_S) <= window + 1e-6 for g in part):
            best = len(part)
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("trips_per_truck", [(2.5, 4.0), (1.2, 2.2)])
def test_fewest_trucks_matches_brute_force(seed, trips_per_truck):
    """Long windows: the time bound is reached; short ones: the full model has to prove it."""
    first, approach, core, window = _instance(seed, trips_per_truck=trips_per_truck)
    optimum = _brute_force(first, approach, core, window)
    # Start from the worst packing (one truck per trip), so the optimum must be found.
    start = [[j] for j in range(len(first))]
    packing = pack_trips_exact(first, approach, core, UNLOAD_S, window, start, time_limit_s=10.0)
    assert sorted(j for t in packing.trucks for j in t) == list(range(len(first)))
    assert all(busy_seconds(t, first, approach, core, UNLOAD_S) <= window + 1e-6 for t in packing.trucks)
    assert len(packing.trucks) == optimum
    assert packing.lower_bound <= optimum
    assert packing.optimal and packing.lower_bound == optimum


@pytest.mark.parametrize("seed", range(6))
def test_head_bound_is_a_lower_bound(seed):
    first, approach, core, window = _instance(seed + 50, n=7, trips_per_truck=(1.2, 3.0))
    assert head_bound(first, approach, core, UNLOAD_S, window) <= _brute_force(first, approach, core, window)


def test_same_input_same_packing():
    first, approach, core, window = _instance(11, n=9)
    start = [[j] for j in range(len(first))]
    a = pack_trips_exact(first, approach, core, UNLOAD_S, window, start, time_limit_s=10.0, seed=3)
    b = pack_trips_exact(first, approach, core, UNLOAD_S, window, start, time_limit_s=10.0, seed=3)
    assert a.trucks == b.trucks and a.lower_bound == b.lower_bound
