"""Integer scaling shared by both engines.

PyVRP and OR-Tools routing work on integers. geoplan's model is in metres, seconds,
tonnes, m³ and yuan (floats); the engines see:

- distance: metres, rounded to the nearest metre;
- time: seconds; travel and service times are rounded *up* and time-window ends and
  shift limits rounded *down*, so a plan feasible in whole seconds is feasible in the
  float matrices too;
- load: kilograms and litres (``LOAD_SCALE`` per tonne or m³); demands rounded up,
  capacities down;
- cost: ``COST_SCALE`` units per yuan, so 1 yuan/km is 10 units per metre and 60 yuan/h
  is about 167 units per second (rounding error below 0.5 %).

The planner-facing figures in :class:`~optimizers.routing.result.RoutingResult` are
recomputed from the float matrices, not from these integers.
"""

from __future__ import annotations

import math

import numpy as np

LOAD_SCALE = 1000
COST_SCALE = 10_000
_EPS = 1e-6


def seconds_up(x: float) -> int:
    """Seconds rounded up (durations)."""
    return int(math.ceil(x - _EPS))


def seconds_down(x: float, horizon: int) -> int:
    """Seconds rounded down, infinite values capped at ``horizon`` (deadlines)."""
    return horizon if not math.isfinite(x) else min(horizon, int(math.floor(x + _EPS)))


def load_up(x: float) -> int:
    """Tonnes or m³ to kilograms or litres, rounded up (demands)."""
    return int(math.ceil(x * LOAD_SCALE - _EPS))


def load_down(x: float) -> int:
    """Tonnes or m³ to kilograms or litres, rounded down (capacities)."""
    return int(math.floor(x * LOAD_SCALE + _EPS))


def distance_matrix_int(distance_m: np.ndarray) -> np.ndarray:
    """Metres rounded to whole metres."""
    return np.rint(distance_m).astype(np.int64)


def duration_matrix_int(duration_s: np.ndarray) -> np.ndarray:
    """Seconds rounded up."""
    return np.ceil(duration_s - _EPS).astype(np.int64)


def cost_per_metre(cost_per_km: float) -> int:
    """Cost units per metre."""
    return int(round(cost_per_km * COST_SCALE / 1000.0))


def cost_per_second(cost_per_hour: float) -> int:
    """Cost units per second."""
    return int(round(cost_per_hour * COST_SCALE / 3600.0))


def cost_units(yuan: float) -> int:
    """Yuan to cost units."""
    return int(round(yuan * COST_SCALE))
