"""What a siting session hands the page: the standard in force, placed stations, coverage figures, suggestions.

Plain frozen values, so the page can show them and the tests compare them without
knowing how :class:`~geoplan.app.session.SitingSession` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from layers.errors import GeoplanError


@dataclass(frozen=True)
class ServiceStandard:
    """A service standard: a road distance (``unit="m"``) or a driving time (``unit="s"``)."""

    value: float
    unit: Literal["m", "s"] = "m"

    def __post_init__(self) -> None:
        if self.unit not in ("m", "s"):
            raise GeoplanError(f"a service standard is in metres (m) or seconds (s), got {self.unit!r}")
        if not (np.isfinite(self.value) and self.value > 0):
            raise GeoplanError(f"the service standard must be a positive number, got {self.value!r}")

    @property
    def weight(self) -> str:
        """The network quantity compared with the standard: ``"metres"`` or ``"seconds"``."""
        return "metres" if self.unit == "m" else "seconds"

    def __str__(self) -> str:
        if self.unit == "m":
            return f"{self.value:g} m"
        return f"{self.value / 60:g} min"


@dataclass(frozen=True)
class PlacedStation:
    """A station the planner placed (or accepted from a suggestion), at a road node.

    Attributes
    ----------
    id, name : str
    node : int
        Road-network node the station stands on.
    x, y : float
        Node coordinates in the scenario's metric CRS, metres.
    lon, lat : float
        The same point in WGS84 degrees.
    moved_m : float
        How far the click was moved to reach the node, metres.
    capacity : float
        Capacity in the kind's unit (NaN when unknown).
    origin : str
        ``"click"``, ``"suggested"`` or ``"saved"`` (read back from the plan).
    """

    id: str
    name: str
    node: int
    x: float
    y: float
    lon: float
    lat: float
    moved_m: float = 0.0
    capacity: float = float("nan")
    origin: str = "click"


@dataclass(frozen=True)
class CoverageFigure:
    """One coverage indicator of the current plan.

    Attributes
    ----------
    key, label : str
        Indicator key in ``scenario.toml`` and its Chinese / English label.
    actual, target : float
        Covered share (0–1) and the plan's target share.
    covered_units, units : int
        Demand units within the standard, and all of them.
    standard : ServiceStandard
    """

    key: str
    label: str
    actual: float
    target: float
    covered_units: int
    units: int
    standard: ServiceStandard

    @property
    def met(self) -> bool:
        return self.actual + 1e-9 >= self.target


@dataclass(frozen=True)
class Suggestion:
    """The optimiser's best k new sites with everything else fixed; not applied until accepted.

    Attributes
    ----------
    stations : list of PlacedStation
        The suggested candidate sites.
    coverage_before, coverage_after : float
        Share of the kind's siting demand within the standard without and with them.
    status : str
        Solver status (``optimal``, ``feasible`` …).
    gap : float or None
        Relative gap to the solver's bound.
    standard : ServiceStandard
        The road distance or driving time the suggestion covers within.
    n_candidates : int
        Candidate sites the optimiser chose from.
    """

    stations: list[PlacedStation]
    coverage_before: float
    coverage_after: float
    status: str
    gap: float | None
    standard: ServiceStandard
    n_candidates: int = 0
