"""Facility loads against capacity, haul distances and the 四级两网 chain."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

import layers
from geoplan.indicators.access import nearest_facility


def facility_loads(
    network,
    facilities: gpd.GeoDataFrame,
    facility_kind: str,
    demand: dict[str, tuple[gpd.GeoDataFrame, np.ndarray]],
    profile: str,
) -> pd.DataFrame:
    """Load on each facility when every demand point goes to its nearest facility by road.

    Parameters
    ----------
    demand : dict of str to (GeoDataFrame, ndarray)
        Per demand kind, the points and their quantity in the facility's capacity unit.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``status``, ``capacity``, ``load`` (modelled), ``stated_load``
        (the layer's ``current_load_t_per_d`` where given), ``load_ratio`` and ``overloaded``
        (modelled or stated load above capacity).
    """
    cap_field = layers.get_kind(facility_kind).capacity_field
    load = pd.Series(0.0, index=facilities["id"].to_numpy())
    for points, quantity in demand.values():
        access = nearest_facility(network, points, facilities, profile)
        reachable = access["nearest_facility_id"].notna().to_numpy()
        sums = pd.Series(quantity[reachable]).groupby(access["nearest_facility_id"].to_numpy()[reachable]).sum()
        load = load.add(sums, fill_value=0.0)
    table = pd.DataFrame({
        "id": facilities["id"].to_numpy(),
        "name": facilities["name"].to_numpy(),
        "status": facilities["status"].to_numpy() if "status" in facilities else "existing",
        "capacity": facilities[cap_field].to_numpy(dtype=float) if cap_field else np.nan,
        "load": load.reindex(facilities["id"].to_numpy()).to_numpy().round(2),
    })
    stated = facilities.get("current_load_t_per_d")
    table["stated_load"] = stated.to_numpy(dtype=float) if stated is not None else np.nan
    worst = np.fmax(table["load"], table["stated_load"])
    table["load_ratio"] = (worst / table["capacity"]).round(3)
    table["overloaded"] = table["load_ratio"] > 1.0
    return table


def haul_distances(
    network, origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame, profile: str
) -> pd.DataFrame:
    """Network distance from each origin (e.g. transfer station) to its nearest destination (plant)."""
    access = nearest_facility(network, origins, destinations, profile)
    return pd.DataFrame({
        "id": origins["id"].to_numpy(),
        "name": origins["name"].to_numpy(),
        "to_id": access["nearest_facility_id"].to_numpy(),
        "haul_km": (access["travel_m"] / 1000.0).round(2).to_numpy(),
    })


def recycling_chain(network, facilities: dict[str, gpd.GeoDataFrame], radius_m: dict[str, float],
                    profile: str) -> pd.DataFrame:
    """四级两网 completeness: does each level's every site reach the next level within its standard?

    Returns
    -------
    DataFrame
        One row per level link (e.g. 投放点 → 归集点): ``sites``, ``linked`` (sites whose
        nearest next-level site is within the next level's service radius), ``share``,
        ``max_km``, ``complete``.
    """
    rows = []
    for level in layers.RECYCLING_LEVELS[:-1]:
        nxt = layers.next_level(level.kind)
        here, there = facilities.get(level.kind), facilities.get(nxt.kind)
        n = 0 if here is None else len(here)
        linked, share, max_km = 0, 0.0, np.nan
        if n and there is not None and len(there):
            travel_m = nearest_facility(network, here, there, profile)["travel_m"]
            ok = travel_m <= radius_m[nxt.kind]
            linked, share, max_km = int(ok.sum()), round(float(ok.mean()), 4), round(float(travel_m.max()) / 1000, 2)
        rows.append(dict(link=f"{level.label_zh} → {nxt.label_zh}", from_kind=level.kind, to_kind=nxt.kind,
                         sites=n, linked=linked, share=share, max_km=max_km, radius_km=radius_m[nxt.kind] / 1000,
                         complete=bool(n) and linked == n))
    return pd.DataFrame(rows)
