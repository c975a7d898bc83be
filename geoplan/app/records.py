"""What a siting session hands the page: placed stations, coverage figures, suggestions and the plan's state.

Plain frozen values, so the page can show them and the tests compare them without
knowing how :class:`~geoplan.app.session.SitingSession` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import geopandas as gpd
import pandas as pd

from geoplan.settings import ServiceStandard


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
    model : str
        The siting model that chose them (:data:`geoplan.siting.models.MODELS`).
    notes : tuple of str
        What the planner should know of the solve (demand no site reaches, left out).
    """

    stations: list[PlacedStation]
    coverage_before: float
    coverage_after: float
    status: str
    gap: float | None
    standard: ServiceStandard
    n_candidates: int = 0
    model: str = "mclp"
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanState:
    """A siting session's plan after one edit: everything the page and its map show.

    One snapshot per edit (:meth:`SitingSession.state`); the view draws from it alone and
    never reaches into the session. Its tables are the session's own copies: read them, do
    not change them.

    Attributes
    ----------
    kind : str
        Facility kind being sited.
    version : int
        Edit counter of the session: a new number for every edit.
    standard : ServiceStandard
        The standard the service areas and suggestions use.
    profile : str
        Vehicle profile of the kind's first indicator (service areas are drawn for it).
    station_ids, station_nodes : tuple
        Existing and placed stations and the road nodes they stand on.
    stations : GeoDataFrame
        The same stations (metric CRS) with ``status``, ``load``, ``load_ratio``, ``overloaded``.
    loads : DataFrame
        :meth:`SitingSession.loads`.
    coverage, baseline : tuple of CoverageFigure
        Indicators of the plan, and of the existing stations alone.
    demand : mapping of str to GeoDataFrame
        Demand points per kind with ``covered``, ``nearest_facility_id`` and the cost.
    district_table : DataFrame
        Coverage per 街道/镇 and indicator.
    districts : GeoDataFrame or None
        District polygons with the first indicator's ``coverage_rate``.
    candidates : GeoDataFrame
        Candidate sites not placed yet.
    placed : tuple of PlacedStation
    uploaded_candidates : bool
        Whether the candidates came from an uploaded file.
    """

    kind: str
    version: int
    standard: ServiceStandard
    profile: str
    station_ids: tuple[str, ...]
    station_nodes: tuple[int, ...]
    stations: gpd.GeoDataFrame
    loads: pd.DataFrame
    coverage: tuple[CoverageFigure, ...]
    baseline: tuple[CoverageFigure, ...]
    demand: Mapping[str, gpd.GeoDataFrame]
    district_table: pd.DataFrame
    districts: gpd.GeoDataFrame | None
    candidates: gpd.GeoDataFrame
    placed: tuple[PlacedStation, ...]
    uploaded_candidates: bool = False
