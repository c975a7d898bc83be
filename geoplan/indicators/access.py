"""Network access from demand points to facilities: the nearest facility and how far it is."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd


def nearest_facility(
    network, demand: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, profile: str, weight: str = "metres"
) -> pd.DataFrame:
    """For each demand point, the facility nearest by network distance (or driving time).

    Parameters
    ----------
    network : RoadNetwork
    demand, facilities : GeoDataFrame
        Points with an ``id`` column, in the network's CRS.
    profile : str
        Vehicle profile whose roads may be used.
    weight : {"metres", "seconds"}
        Nearest by road distance, or by driving time.

    Returns
    -------
    DataFrame
        Indexed like ``demand``: ``nearest_facility_id`` (None when no facility is reachable)
        and ``travel_m``, the network distance in metres plus the straight-line snap distance
        at both ends (a point reaches the road on foot or by a yard lane; ``inf`` when unreachable);
        with ``weight="seconds"`` also ``travel_s``, the driving time plus the snap distances
        driven at the profile's local-street speed.
    """
    out = pd.DataFrame(index=demand.index)
    if len(facilities) == 0 or len(demand) == 0:
        out["nearest_facility_id"] = None
        out["travel_m"] = np.inf
        if weight == "seconds":
            out["travel_s"] = np.inf
        return out
    d_snap = network.snap(demand)
    f_snap = network.snap(facilities)
    costs = network.travel_costs(d_snap.node, f_snap.node, profile=profile, weight=weight)
    snap_m = d_snap.distance_m[:, None] + f_snap.distance_m[None, :]
    metres = np.asarray(costs.metres, dtype=float) + snap_m
    rows = np.arange(len(demand))
    if weight == "seconds":
        local_mps = network.profiles[profile].speed_kmh["local"] / 3.6
        seconds = np.asarray(costs.seconds, dtype=float) + snap_m / local_mps
        best = np.argmin(seconds, axis=1)
        out["travel_s"] = seconds[rows, best]
    else:
        best = np.argmin(metres, axis=1)
    best_m = metres[rows, best]
    ids = facilities["id"].to_numpy()[best].astype(object)
    ids[~np.isfinite(best_m)] = None
    out["nearest_facility_id"] = ids
    out["travel_m"] = best_m
    return out
