"""The routing problem of one workflow, with what is needed to report it to a planner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from geoplan.settings import FleetVehicle
from geoplan.routing.matrices import Locations
from optimizers.routing import RoutingProblem


@dataclass
class PreparedProblem:
    """A workflow's routing problem built from a scenario.

    Attributes
    ----------
    workflow : str
        ``"collection"``, ``"film"`` or ``"muck"``.
    problem : RoutingProblem
    locations : Locations
        Matrix locations and the layer place behind every depot, unload site and job.
    vehicles : dict of str to FleetVehicle
        Vehicle type id → the fleet vehicle it is made of.
    notes : list of str
        Assumptions and warnings for the planner (capacity overruns, plan date…).
    details : dict
        Workflow-specific figures for the summary JSON (e.g. the muck assignment).
    network : RoadNetwork or None
        The road network the matrices' nodes belong to: the scenario's, cut at every stop.
    """

    workflow: str
    problem: RoutingProblem
    locations: Locations
    vehicles: dict[str, FleetVehicle]
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    network: Any = None
