"""The waste fractions the vehicles carry and the names planners give the vehicles.

The vehicles themselves (:class:`geoplan.settings.FleetVehicle`, ``[fleet.<key>]``) and the
workflow settings (:class:`geoplan.settings.RoutingSettings`, ``[routing]``) are settings
of the scenario, read with the rest of ``scenario.toml``.
"""

from __future__ import annotations

import math

from layers.errors import GeoplanError, Issue
from geoplan.quantities import KITCHEN, OTHER, RECYCLABLES
from geoplan.settings import FleetVehicle

#: Fractions of the other workflows' loads.
FILM = "废旧农膜"
MUCK = "渣土"


#: What a planner calls a truck by the fraction it carries (the same compression truck
#: is a 其他垃圾 truck on one route and a 可回收物 truck on another).
FRACTION_TRUCK_LABELS: dict[str, tuple[str, str]] = {
    OTHER: ("其他垃圾收运车", "residual-waste truck"),
    KITCHEN: ("厨余垃圾收运车", "kitchen-waste truck"),
    RECYCLABLES: ("可回收物收运车", "recyclables truck"),
}


def vehicle_type_label(vehicle: FleetVehicle, fractions: tuple[str, ...]) -> str:
    """The planner's name of a vehicle type, Chinese first, e.g. ``"其他垃圾收运车 / residual-waste truck"``.

    A truck carrying one household-waste fraction is named by it; any other vehicle
    (film van, muck truck) by its fleet label.
    """
    if len(fractions) == 1 and fractions[0] in FRACTION_TRUCK_LABELS:
        zh, en = FRACTION_TRUCK_LABELS[fractions[0]]
        return f"{zh} / {en}"
    return vehicle.label


def vehicle_counts(depots) -> list[int | None]:
    """Each depot's ``vehicle_count`` (None: not given, no limit)."""
    if "vehicle_count" not in depots.columns:
        return [None] * len(depots)
    out = []
    for value in depots["vehicle_count"]:
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = math.nan
        out.append(int(value) if math.isfinite(value) else None)
    return out


def check_vehicles(depots):
    """``depots`` if none of them has a ``vehicle_count`` of 0, else a GeoplanError naming the row."""
    for (_, row), count in zip(depots.iterrows(), vehicle_counts(depots)):
        if count == 0:
            raise GeoplanError(str(Issue(
                depots.attrs.get("source", "layers.gpkg"), "depots", str(row["id"]), "vehicle_count",
                "0 辆车 / the depot has no vehicles: no route could leave it and nothing would be collected",
                "give the depot its number of vehicles, or leave the field empty for no limit")))
    return depots
