"""Muck siting (工程渣土): disposal sites by volume (m³) and transfer yards by daily tonnage (t/d).

Construction sites' muck goes to disposal sites within the haul distance the county's
muck fleet accepts (``[standards.muck_disposal_sites] service_radius_m``); a site's
volume may be split between disposal sites (a transportation problem), while a
transfer yard takes a construction site's whole daily flow.
"""

from __future__ import annotations

from geoplan.scenario import Scenario
from geoplan.siting import costs, demand
from geoplan.siting.problem_builder import BuiltProblem, build_problem

KINDS = ("muck_disposal_sites", "muck_transfer_yards")


def haul_radius_m(scenario: Scenario) -> float:
    """Longest accepted haul from a construction site, metres."""
    return scenario.standards.value("muck_disposal_sites", "service_radius_m")


def build(scenario: Scenario, kind: str, *, model: str, radius_m: float | None,
          cutoff_m: float | None) -> BuiltProblem:
    """The disposal-site (m³) or transfer-yard (t/d) problem."""
    radius = haul_radius_m(scenario) if radius_m is None else radius_m
    density = scenario.quantities.muck_density_t_per_m3
    table = demand.muck_volume(scenario) if kind == "muck_disposal_sites" else demand.muck_daily(scenario)
    built = build_problem(scenario, kind, table, radius_m=radius, cutoff_m=cutoff_m)
    built.cost_per_unit = costs.per_unit(table.unit, built.profile, density)
    built.single_sourcing = kind == "muck_transfer_yards"
    built.notes.append(f"最远运距 haul limit {radius / 1000:g} km ({built.profile})")
    return built
