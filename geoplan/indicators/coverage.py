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
    rows, cols, vals, loads, reqs, used = [], [], [], [], [], []
    n_fac = len(facilities)
    offset = 0
    for k, target in enumerate(t for t in targets if len(demand_layers.get(t.demand_kind, ())) > 0):
        demand = demand_layers[target.demand_kind]
        standard = standards.service(kind, target.standard)
        frame = _access_frame(network, target, standard, demand, facilities)
        if n_fac:
            pairs = network.access_costs(demand, facilities, target.profile, standard.weight,
                                         cutoff=standard.value).tocoo()
            rows.append(pairs.row + offset)
            cols.append(pairs.col)
            vals.append(pairs.data)
        loads.append(facility_load(kind, target.demand_kind, demand, quantities))
        reqs.append(np.full(len(demand), k))
        used.append((target, standard, frame))
        offset += len(demand)
    if not used:
        return KindCoverage({}, _loads_table(kind, facilities, np.zeros(n_fac), np.zeros(n_fac)))
    load = np.concatenate(loads)
    weight = np.concatenate([f["weight"].to_numpy(dtype=float) for _, _, f in used])
    requirement = np.concatenate(reqs)
    capacity = facility_capacity(kind, facilities)
    eligible = sp.csr_matrix((np.concatenate(vals) if vals else [], (np.concatenate(rows) if rows else [],
                              np.concatenate(cols) if cols else [])), shape=(offset, n_fac))
    due = np.array([t.target if year is None else t.share_in(year) for t, _, _ in used])
    alloc = allocate(eligible, load, capacity, weight, requirement, due)
    turned = turned_away(eligible, load * (1.0 - alloc.covered_share), n_fac)
    indicators = {}
    start = 0
    ids = facilities["id"].astype(str).to_numpy() if n_fac else np.array([], dtype=str)
    for target, standard, frame in used:
        part = slice(start, start + len(frame))
        frame["covered_share"] = alloc.covered_share[part].round(6)
        serving = alloc.nearest_site[part]
        frame["serving_facility_id"] = np.where(serving >= 0, ids[np.maximum(serving, 0)] if n_fac else None, None)
        indicators[target.key] = _indicator(target, standard, frame, districts)
        start += len(frame)
    return KindCoverage(indicators, _loads_table(kind, facilities, alloc.site_load, turned))


def turned_away(eligible: sp.spmatrix, short: np.ndarray, n_facility: int) -> np.ndarray:
    """Load each facility had to turn away: every point's uncovered load ``short`` put down to its
    nearest facility within the standard (``eligible`` holds the pairs and their costs)."""
    turned = np.zeros(n_facility)
    reach = sp.coo_matrix(eligible)
    if reach.nnz:
        order = np.lexsort((reach.data, reach.row))
        first = np.r_[True, reach.row[order][1:] != reach.row[order][:-1]]
        np.add.at(turned, reach.col[order][first], short[reach.row[order][first]])
    return turned


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
