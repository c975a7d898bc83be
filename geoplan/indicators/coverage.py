"""Coverage indicators: the share of demand within the service standard of a facility."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import GeoplanError
import scipy.sparse as sp

from optimizers.siting.allocation import allocate
from geoplan.indicators.access import nearest_facility
from geoplan.quantities import facility_capacity, facility_load, numeric_field
from geoplan.settings import Quantities, ServiceStandard, Standards, Target

STATUS_MET, STATUS_NOT_MET = "达标", "未达标"
#: A point is drawn and listed as covered when no more than this share of it is left out
#: (the LP solver's tolerance, with room).
COVERED_TOLERANCE = 1e-6
#: A target counts as met within this share (the LP solver's own tolerance).
TARGET_TOLERANCE = 1e-6


@dataclass
class CoverageIndicator:
    """One coverage indicator computed on the road network.

    Attributes
    ----------
    key, label : str
        Indicator key and its Chinese / English label.
    demand : GeoDataFrame
        The demand points with ``nearest_facility_id``, ``travel_m`` (``travel_s``),
        ``within_standard``, ``covered_share`` (the share a facility within the standard
        takes in, 0–1), ``covered`` (all of it), ``serving_facility_id`` and ``weight``.
    radius_m : float
        The service standard used, metres of network distance (NaN when the standard is a time).
    radius_s : float
        The service standard as a driving time, seconds (NaN when it is a distance).
    actual, target : float
        Covered share (0–1) and the plan's target share.
    by_district : DataFrame
        Per district: ``units``, ``covered_units``, ``weight``, ``covered_weight``, ``coverage_rate``.
    """

    key: str
    label: str
    facility_kind: str
    demand_kind: str
    weight_field: str
    radius_m: float
    demand: gpd.GeoDataFrame
    target: float
    by_district: pd.DataFrame
    radius_s: float = float("nan")

    @property
    def actual(self) -> float:
        total = float(self.demand["weight"].sum())
        return float((self.demand["weight"] * self.demand["covered_share"]).sum()) / total if total > 0 else 1.0

    @property
    def gap(self) -> float:
        """How far the actual share falls short of the target (0 when met)."""
        return max(0.0, self.target - self.actual)

    @property
    def status(self) -> str:
        return STATUS_MET if self.actual + TARGET_TOLERANCE >= self.target else STATUS_NOT_MET

    @property
    def uncovered(self) -> gpd.GeoDataFrame:
        return self.demand[~self.demand["covered"]]

    def row(self) -> dict:
        """The indicator as one row of the indicator table."""
        return {
            "key": self.key,
            "label": self.label,
            "actual": round(self.actual, 4),
            "target": self.target,
            "gap": round(self.gap, 4),
            "unit": "share",
            "status": self.status,
            "covered_units": int(self.demand["covered"].sum()),
            "units": len(self.demand),
            "weight": self.weight_field,
            "radius_m": self.radius_m,
            "radius_s": self.radius_s,
            "facility_kind": self.facility_kind,
            "demand_kind": self.demand_kind,
        }


def demand_weights(demand: gpd.GeoDataFrame, weight_field: str) -> np.ndarray:
    """Weights of the demand units: 1 each for ``"count"``, else the named column (NaN → 0)."""
    if weight_field == "count":
        return np.ones(len(demand))
    if weight_field not in demand.columns:
        raise GeoplanError(f"indicator weight {weight_field!r} is not a field of the demand layer")
    return numeric_field(demand, weight_field)


def coverage_indicator(
    network,
    target: Target,
    standard: ServiceStandard,
    demand: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame | None = None,
) -> CoverageIndicator:
    """Share of ``demand`` within ``standard`` of a facility, capacities not considered.

    The reading of one target alone, with every facility taking all it reaches;
    :func:`kind_coverage` is the plan's reading, where a facility counts only for what its
    capacity takes in.
    """
    frame = _access_frame(network, target, standard, demand, facilities)
    frame["covered_share"] = frame["within_standard"].astype(float)
    return _indicator(target, standard, frame, districts)


def _access_frame(network, target: Target, standard: ServiceStandard, demand: gpd.GeoDataFrame,
                  facilities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    access = nearest_facility(network, demand, facilities, target.profile, weight=standard.weight)
    frame = demand[["id", "name", demand.geometry.name]].copy()
    frame["nearest_facility_id"] = access["nearest_facility_id"]
    frame["travel_m"] = access["travel_m"].round(1)
    if standard.unit == "s":
        frame["travel_s"] = access["travel_s"].round(1)
    frame["within_standard"] = access["travel_s" if standard.unit == "s" else "travel_m"] <= standard.value
    frame["weight"] = demand_weights(demand, target.weight)
    return frame


def _indicator(target: Target, standard: ServiceStandard, frame: gpd.GeoDataFrame,
               districts: gpd.GeoDataFrame | None) -> CoverageIndicator:
    frame["covered"] = frame["covered_share"] >= 1.0 - COVERED_TOLERANCE
    frame["district"] = district_names(frame, districts)
    return CoverageIndicator(target.key, target.label, target.facility_kind, target.demand_kind, target.weight,
                             standard.radius_m, frame, target.target, per_district(frame, districts),
                             standard.radius_s)


@dataclass
class KindCoverage:
    """The coverage targets of one facility kind, read together, and the loads they put on it.

    Attributes
    ----------
    indicators : dict of str to CoverageIndicator
    loads : DataFrame
        Per facility: ``id``, ``name``, ``status``, ``capacity``, ``load`` (what it takes in,
        the capacity unit), ``load_ratio``, ``turned_away`` (load of the points it is the
        nearest facility within the standard of, that capacity leaves uncovered),
        ``stated_load`` (the layer's ``current_load_t_per_d``) and ``overloaded`` (turned
        some away, or a stated load above capacity).
    """

    indicators: dict[str, CoverageIndicator]
    loads: pd.DataFrame


def kind_coverage(
    network,
    targets: list[Target],
    standards: Standards,
    demand_layers: dict[str, gpd.GeoDataFrame],
    facilities: gpd.GeoDataFrame,
    quantities: Quantities,
    districts: gpd.GeoDataFrame | None = None,
    year: int | None = None,
) -> KindCoverage:
    """Coverage of every target of one facility kind, each facility counting for what its capacity takes.

    Each demand point within a target's standard (door-to-door cost with the target's
    profile, :meth:`RoadNetwork.access_costs`) of facilities is allocated to them within
    their capacity by :func:`optimizers.siting.allocation.allocate`: the shares due are
    reached first, then as much more as capacity allows, then each load the short way.
    Facilities without a capacity take all they reach.

    Parameters
    ----------
    targets : list of Target
        Targets sharing ``facility_kind``; those whose demand layer is missing are skipped.
    standards : Standards
    demand_layers : dict of str to GeoDataFrame
        Demand layers by kind, in the network's CRS.
    facilities : GeoDataFrame
        The kind's facilities (may be empty), with its capacity field.
    quantities : Quantities
        Turns each demand point into its load (:func:`geoplan.quantities.facility_load`).
    year : int, optional
        Allocate for the shares due in that year (:meth:`Target.share_in`); default each
        target's own share.
    """
    kind = targets[0].facility_kind
    eligible, loads, used = [], [], []
    for target in targets:
        demand = demand_layers.get(target.demand_kind)
        if demand is None or len(demand) == 0:
            continue
        standard = standards.service(kind, target.standard)
        used.append((target, standard, _access_frame(network, target, standard, demand, facilities)))
        eligible.append(eligible_pairs(network, demand, facilities, target.profile, standard))
        loads.append(facility_load(kind, target.demand_kind, demand, quantities))
    if not used:
        return KindCoverage({}, _loads_table(kind, facilities, np.zeros(len(facilities)), np.zeros(len(facilities))))
    read = allocate_targets(eligible, loads, [f["weight"].to_numpy(dtype=float) for _, _, f in used],
                            [t.target if year is None else t.share_in(year) for t, _, _ in used],
                            facility_capacity(kind, facilities))
    indicators = {}
    ids = facilities["id"].astype(str).to_numpy().astype(object)
    for (target, standard, frame), share, serving in zip(used, read.shares, read.serving):
        frame["covered_share"] = share.round(6)
        frame["serving_facility_id"] = [ids[j] if j >= 0 else None for j in serving]
        indicators[target.key] = _indicator(target, standard, frame, districts)
    return KindCoverage(indicators, _loads_table(kind, facilities, read.site_load, read.turned_away))


@dataclass
class TargetsAllocation:
    """Demand of several targets allocated together to one kind's facilities.

    Attributes
    ----------
    shares : list of ndarray
        Per target, each demand point's covered share (0–1).
    serving : list of ndarray of int
        Per target, the facility taking most of each point (−1 for none).
    site_load, turned_away : ndarray, shape (n_facility,)
        What each facility takes in, and the uncovered load of the points it is the nearest
        facility within the standard of (what it had to turn away).
    """

    shares: list[np.ndarray]
    serving: list[np.ndarray]
    site_load: np.ndarray
    turned_away: np.ndarray


def eligible_pairs(network, points, facilities, profile: str, standard: ServiceStandard) -> sp.csr_matrix:
    """Pairs of ``points`` × ``facilities`` within ``standard`` (door-to-door, the standard's unit)."""
    n = len(points.node) if hasattr(points, "node") else len(points)
    if len(facilities) == 0:
        return sp.csr_matrix((n, 0))
    return sp.csr_matrix(network.access_costs(points, facilities, profile, standard.weight, cutoff=standard.value))


def allocate_targets(eligible: list[sp.spmatrix], loads: list[np.ndarray], weights: list[np.ndarray],
                     due: list[float], capacity: np.ndarray) -> TargetsAllocation:
    """One allocation (:func:`optimizers.siting.allocation.allocate`) of every target's demand
    points to the facilities within its standard, within ``capacity``, the shares ``due`` first.

    Parameters
    ----------
    eligible : list of sparse matrix, each (n_points_k, n_facility)
        Each target's pairs within its standard (:func:`eligible_pairs`).
    loads, weights : list of ndarray
        Each target's points' loads (capacity unit) and coverage weights.
    due : list of float
        The share each target is due.
    capacity : ndarray, shape (n_facility,)
    """
    n_fac = len(capacity)
    stacked = sp.vstack([sp.csr_matrix(e) for e in eligible]).tocsr() if eligible else sp.csr_matrix((0, n_fac))
    load = np.concatenate(loads) if loads else np.zeros(0)
    requirement = np.concatenate([np.full(len(w), k) for k, w in enumerate(weights)]) if weights \
        else np.zeros(0, dtype=int)
    alloc = allocate(stacked, load, capacity, np.concatenate(weights) if weights else np.zeros(0), requirement,
                     np.asarray(due, dtype=float))
    shares, serving, start = [], [], 0
    for w in weights:
        shares.append(alloc.covered_share[start:start + len(w)])
        serving.append(alloc.nearest_site[start:start + len(w)])
        start += len(w)
    turned = np.zeros(n_fac)
    reach = stacked.tocoo()
    if reach.nnz:
        # each point left short is put down to its nearest facility within the standard
        short = load * (1.0 - alloc.covered_share)
        order = np.lexsort((reach.data, reach.row))
        first = np.r_[True, reach.row[order][1:] != reach.row[order][:-1]]
        np.add.at(turned, reach.col[order][first], short[reach.row[order][first]])
    return TargetsAllocation(shares, serving, alloc.site_load, turned)


def _loads_table(kind: str, facilities: gpd.GeoDataFrame, load: np.ndarray, turned: np.ndarray) -> pd.DataFrame:
    capacity = facility_capacity(kind, facilities)
    table = pd.DataFrame({
        "id": facilities["id"].astype(str).to_numpy(),
        "name": facilities["name"].astype(str).to_numpy(),
        "status": facilities["status"].to_numpy() if "status" in facilities else "existing",
        "capacity": capacity,
        "load": np.round(load, 2),
        "turned_away": np.round(turned, 2),
    })
    stated = facilities.get("current_load_t_per_d")
    table["stated_load"] = stated.to_numpy(dtype=float) if stated is not None else np.nan
    table["load_ratio"] = (np.fmax(table["load"], table["stated_load"]) / table["capacity"]).round(3)
    table["overloaded"] = (table["turned_away"] > 0.005) | (table["stated_load"] > table["capacity"])
    return table


def district_names(points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame | None) -> pd.Series:
    """The 街道/镇 each point lies in (``name`` of ``districts``), None outside or without districts."""
    if districts is None or len(districts) == 0:
        return pd.Series([None] * len(points), index=points.index, dtype=object)
    joined = gpd.sjoin(points[[points.geometry.name]], districts.to_crs(points.crs)[["name", districts.geometry.name]],
                       predicate="within", how="left")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["name"].reindex(points.index)


def per_district(frame: gpd.GeoDataFrame, districts: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Coverage per 街道/镇 (units and weights) from the points' ``district`` column."""
    names = frame["district"].fillna("（区外）/ outside")
    grouped = frame.assign(district=names, covered_weight=frame["weight"] * frame["covered_share"]).groupby("district")
    table = pd.DataFrame({
        "units": grouped.size(),
        "covered_units": grouped["covered"].sum().astype(int),
        "weight": grouped["weight"].sum(),
        "covered_weight": grouped["covered_weight"].sum(),
    })
    table["coverage_rate"] = np.where(table["weight"] > 0, table["covered_weight"] / table["weight"].where(table["weight"] > 0, 1), 1.0)
    if districts is not None:
        order = [n for n in districts["name"] if n in table.index] + [n for n in table.index if n not in set(districts["name"])]
        table = table.loc[order]
    return table.reset_index(names="district")
