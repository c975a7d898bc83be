"""Vehicle routing on travel matrices: one problem model, two engines.

>>> result = solve(problem, engine="auto", time_limit_s=30, seed=0)
>>> check_feasibility(problem, result)
[]

``engine="pyvrp"`` uses PyVRP's native reload depots; ``engine="ortools"`` uses OR-Tools
routing with registered matrices and duplicated unload nodes; ``"auto"`` picks and says
why in :attr:`RoutingResult.engine_reason`. Not modelled by either engine: an unload
site's daily capacity (reported by :func:`check_feasibility` when exceeded) and unload
time at the route's end.
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
from optimizers.routing.solve import choose_engine, solve

__all__ = [
    "CO2_KG_PER_L_DIESEL",
    "DEFAULT_FRACTION",
    "DEFAULT_FUEL_L_PER_100KM",
    "Depot",
    "Job",
    "Route",
    "RoutingProblem",
    "RoutingResult",
    "Stop",
    "TravelMatrix",
    "UnloadSite",
    "UnservedJob",
    "VehicleType",
    "build_route",
    "check_feasibility",
    "choose_engine",
    "solve",
]
