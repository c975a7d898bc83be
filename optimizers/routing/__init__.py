"""Vehicle routing on travel matrices: one problem model, two engines.

>>> result = solve(problem, engine="auto", time_limit_s=30, seed=0)
>>> check_feasibility(problem, result)
[]

``engine="pyvrp"`` uses PyVRP's native reload depots; ``engine="ortools"`` uses OR-Tools
routing with registered matrices and duplicated unload nodes; ``"auto"`` picks and says
why in :attr:`RoutingResult.engine_reason`. :func:`solve` also meets what neither engine
models: unload sites' daily capacity (jobs assigned to sites within capacity first, each
site routed on its own; :mod:`optimizers.routing.unload_capacity`) and garages' vehicle
counts (:attr:`Depot.vehicle_count`). Not modelled: unload time at the route's end.

Full-load trips (muck haulage) are packed into the fewest trucks by
:func:`~optimizers.routing.trip_packing.pack_trips_exact` (CP-SAT).
"""

from optimizers.routing.feasibility import check_feasibility
from optimizers.routing.model import (
    CO2_KG_PER_L_DIESEL,
    DEFAULT_FRACTION,
    DEFAULT_FUEL_L_PER_100KM,
    Depot,
    Job,
    RoutingProblem,
    TravelMatrix,
    UnloadSite,
    VehicleType,
)
from optimizers.routing.result import Route, RoutingResult, Stop, UnservedJob
from optimizers.routing.schedule import build_route
from optimizers.routing.site_assignment import SiteAssignment, assign_to_sites
from optimizers.routing.solve import choose_engine, solve
from optimizers.routing.trip_packing import TripPacking, pack_trips_exact

__all__ = [
    "CO2_KG_PER_L_DIESEL",
    "DEFAULT_FRACTION",
    "DEFAULT_FUEL_L_PER_100KM",
    "Depot",
    "Job",
    "Route",
    "RoutingProblem",
    "RoutingResult",
    "SiteAssignment",
    "Stop",
    "TravelMatrix",
    "TripPacking",
    "UnloadSite",
    "UnservedJob",
    "VehicleType",
    "assign_to_sites",
    "build_route",
    "check_feasibility",
    "choose_engine",
    "pack_trips_exact",
    "solve",
]
