"""Transfer-station siting (垃圾中转站): communities' and villages' household waste, t/d.

Existing stations stay open; candidates come from ``candidate_sites``. The service
radius follows the collection mode (CJJ 47-2006 §2.2.7); the capacitated model lets
each new station pick a capacity class (CJJ/T 47-2016 classes IV and V, plus the
candidate's own design capacity).
"""

from __future__ import annotations

import numpy as np

from layers.errors import GeoplanError
from optimizers.siting import CapacityClasses
from geoplan.scenario import Scenario
from geoplan.siting import costs, demand
from geoplan.siting.problem_builder import BuiltProblem, build_problem, site_table

KIND = "transfer_stations"

#: Service radius by collection mode: (preferred, max) in metres, CJJ 47-2006 §2.2.7.
#: Small vehicles read the scenario's [standards.transfer_stations]; manual collection
#: (handcarts, tricycles) has no scenario key, so its figures are the standard's own.
MANUAL_RADIUS_M = (400.0, 1000.0)
COLLECTION_MODES = ("small_vehicle", "manual")

#: Capacity classes offered to a new station (t/d): class V up to 50, class IV 50–150.
CLASS_CAPACITY_T_PER_D = {"V-50": 50.0, "IV-100": 100.0, "IV-150": 150.0}
#: Building cost grows less than capacity (assumption: the usual 0.6 scale exponent).
SCALE_EXPONENT = 0.6


def service_radius_m(scenario: Scenario, collection_mode: str = "small_vehicle") -> tuple[float, float]:
    """(preferred, max) service radius in metres for a collection mode."""
    if collection_mode == "manual":
        return MANUAL_RADIUS_M
    if collection_mode != "small_vehicle":
        raise GeoplanError(
            f"unknown collection mode {collection_mode!r} — use one of: {', '.join(COLLECTION_MODES)}"
        )
    return (scenario.standards.value(KIND, "service_radius_m"), scenario.standards.value(KIND, "max_service_radius_m"))


def capacity_classes(sites) -> CapacityClasses:
    """Capacity classes for new stations; a candidate's class cost scales its own fixed cost.

    A candidate of fixed cost C and design capacity K costs ``C × (k / K)^0.6`` as a
    class of capacity k; a candidate without a capacity is priced as a 50 t/d station.
    """
    names = list(CLASS_CAPACITY_T_PER_D)
    cap = np.array([CLASS_CAPACITY_T_PER_D[n] for n in names])
    own = sites["capacity"].to_numpy(dtype=float)
    own = np.where(np.isfinite(own) & (own > 0), own, 50.0)
    cost = sites["fixed_cost_yuan"].to_numpy(dtype=float)[:, None] * (cap[None, :] / own[:, None]) ** SCALE_EXPONENT
    return CapacityClasses(names, cap, cost)


def build(scenario: Scenario, *, model: str, radius_m: float | None, cutoff_m: float | None,
          collection_mode: str = "small_vehicle") -> BuiltProblem:
    """The transfer-station problem; ``radius_m`` None = the collection mode's preferred radius.

    With the capacitated model the cutoff defaults to the mode's maximum radius and new
    stations choose a capacity class.
    """
    preferred, longest = service_radius_m(scenario, collection_mode)
    radius = preferred if radius_m is None else radius_m
    sites = site_table(scenario, KIND)
    classes = None
    if model == "cflp":
        # stations serve up to the mode's maximum radius unless the planner sets one
        cutoff_m = cutoff_m if radius_m is not None else longest
        classes = capacity_classes(sites)
        sites = sites.copy()
        # the class carries the building cost of a new station
        sites.loc[sites["status"] == "candidate", "fixed_cost_yuan"] = 0.0
    table = demand.household_waste(scenario)
    built = build_problem(scenario, KIND, table, radius_m=radius, cutoff_m=cutoff_m, sites=sites,
                          capacity_classes=classes)
    built.cost_per_unit = costs.per_unit(table.unit, built.profile)
    built.notes.append(f"收运方式 collection mode: {collection_mode}; 服务半径 radius {radius:g} m")
    return built
