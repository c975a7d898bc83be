"""Routing workflows on a scenario: household-waste collection, farm-film collection, night muck haulage.

>>> outcome = run_routing(scenario, "collection")
>>> print(outcome.summary())

Each workflow builds a :class:`optimizers.routing.RoutingProblem` from the scenario's
layers and road network, solves it with a time limit, checks the result independently
and writes ``output/routes_<workflow>.gpkg`` / ``.csv`` / ``.json``. Every workflow
unloads at the existing sites or the plan's (:func:`choose_sites`).
"""

from geoplan.routing.sites import SITE_CHOICES, SiteChoice, choose_sites
from geoplan.routing.muck import MuckAssignment, assign_muck, pack_trips, pack_trips_optimal
from geoplan.routing.outputs import ROUTE_COLUMNS, STOP_COLUMNS
from geoplan.routing.run import WORKFLOWS, RoutingOutcome, demo_routing, run_routing

__all__ = [
    "ROUTE_COLUMNS",
    "SITE_CHOICES",
    "STOP_COLUMNS",
    "WORKFLOWS",
    "MuckAssignment",
    "RoutingOutcome",
    "SiteChoice",
    "assign_muck",
    "choose_sites",
    "demo_routing",
    "pack_trips",
    "pack_trips_optimal",
    "run_routing",
]
