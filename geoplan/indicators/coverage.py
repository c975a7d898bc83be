"""Coverage indicators: the share of demand within the service standard of a facility."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import GeoplanError
from geoplan.indicators.access import nearest_facility
from geoplan.quantities import numeric_field
from geoplan.settings import ServiceStandard, Target

STATUS_MET, STATUS_NOT_MET = "达标", "未达标"


@dataclass
class CoverageIndicator:
    """One coverage indicator computed on the road network.

    Attributes
    ----------
    key, label : str
        Indicator key and its Chinese / English label.
    demand : GeoDataFrame
        The demand points with ``nearest_facility_id``, ``travel_m``, ``covered`` and ``weight``.
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
        return float(self.demand.loc[self.demand["covered"], "weight"].sum()) / total if total > 0 else 1.0

    @property
    def gap(self) -> float:
        """How far the actual share falls short of the target (0 when met)."""
        return max(0.0, self.target - self.actual)

    @property
    def status(self) -> str:
        return STATUS_MET if self.actual + 1e-9 >= self.target else STATUS_NOT_MET

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
    """Share of ``demand`` (weighted as ``target.weight`` says) whose door-to-door cost to the
    nearest facility, driven with ``target.profile``, is within ``standard`` (metres or seconds).

    Parameters
    ----------
    network : RoadNetwork
    target : Target
        The indicator: its key, label, kinds, weight, profile and target share.
    standard : ServiceStandard
        The road distance or driving time a demand point must be within.
    demand, facilities : GeoDataFrame
        Points in the network's CRS (``facilities`` may be empty).
    districts : GeoDataFrame, optional
        Polygons with ``name``, for the table per 街道/镇.
    """
    access = nearest_facility(network, demand, facilities, target.profile, weight=standard.weight)
    frame = demand[["id", "name", demand.geometry.name]].copy()
    frame["nearest_facility_id"] = access["nearest_facility_id"]
    frame["travel_m"] = access["travel_m"].round(1)
    if standard.unit == "s":
        frame["travel_s"] = access["travel_s"].round(1)
    frame["covered"] = access["travel_s" if standard.unit == "s" else "travel_m"] <= standard.value
    frame["weight"] = demand_weights(demand, target.weight)
    frame["district"] = _district_names(frame, districts)
    by_district = per_district(frame, districts)
    return CoverageIndicator(target.key, target.label, target.facility_kind, target.demand_kind, target.weight,
                             standard.radius_m, frame, target.target, by_district, standard.radius_s)


def _district_names(points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame | None) -> pd.Series:
    if districts is None or len(districts) == 0:
        return pd.Series([None] * len(points), index=points.index, dtype=object)
    joined = gpd.sjoin(points[[points.geometry.name]], districts[["name", districts.geometry.name]],
                       predicate="within", how="left")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["name"].reindex(points.index)


def per_district(frame: gpd.GeoDataFrame, districts: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Coverage per 街道/镇 (units and weights) from the points' ``district`` column."""
    names = frame["district"].fillna("（区外）/ outside")
    grouped = frame.assign(district=names, covered_weight=frame["weight"] * frame["covered"]).groupby("district")
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
