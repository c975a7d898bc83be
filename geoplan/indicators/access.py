"""Network access from demand points to facilities: the nearest facility and how far it is."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd


def nearest_facility(
    network, demand: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, profile: str, weight: str = "metres"
) -> pd.DataFrame:
    """For each demand point, the facility nearest by door-to-door road distance (or driving time).

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
        Indexed like ``demand``: ``nearest_facility_id`` (None when no facility is
        reachable) and ``travel_m``, the door-to-door metres to it
        (:meth:`RoadNetwork.access_costs`; ``inf`` when unreachable); with
        ``weight="seconds"`` the facility is the nearest by time, ``travel_s`` its
        door-to-door seconds and ``travel_m`` the shortest road distance to it.
    """
    out = pd.DataFrame(index=demand.index)
    if len(facilities) == 0 or len(demand) == 0:
        out["nearest_facility_id"] = None
        out["travel_m"] = np.inf
        if weight == "seconds":
            out["travel_s"] = np.inf
        return out
    d_snap, f_snap = network.snap(demand, profile), network.snap(facilities, profile)
    rows = np.arange(len(demand))
    metres = network.access_costs(d_snap, f_snap, profile, "metres")
    if weight == "seconds":
        seconds = network.access_costs(d_snap, f_snap, profile, "seconds")
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
