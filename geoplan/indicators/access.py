"""Network access from demand points to facilities: the nearest facility and how far it is."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd


def nearest_facility(
    network, demand: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, profile: str
) -> pd.DataFrame:
    """For each demand point, the facility nearest by network distance.

    Parameters
    ----------
    network : RoadNetwork
    demand, facilities : GeoDataFrame
        Points with an ``id`` column, in the network's CRS.
    profile : str
        Vehicle profile whose roads may be used.

    Returns
    -------
    DataFrame
        Indexed like ``demand``: ``nearest_facility_id`` (None when no facility is reachable)
        and ``travel_m``, the network distance in metres plus the straight-line snap distance
        at both ends (a point reaches the road on foot or by a yard lane; ``inf`` when unreachable).
    """
    out = pd.DataFrame(index=demand.index)
    if len(facilities) == 0 or len(demand) == 0:
        out["nearest_facility_id"] = None
        out["travel_m"] = np.inf
        return out
    d_snap = network.snap(demand)
    f_snap = network.snap(facilities)
    costs = network.travel_costs(d_snap.node, f_snap.node, profile=profile, weight="metres")
    metres = np.asarray(costs.metres, dtype=float) + d_snap.distance_m[:, None] + f_snap.distance_m[None, :]
    best = np.argmin(metres, axis=1)
    best_m = metres[np.arange(len(demand)), best]
    ids = facilities["id"].to_numpy()[best].astype(object)
    ids[~np.isfinite(best_m)] = None
    out["nearest_facility_id"] = ids
    out["travel_m"] = best_m
    return out
