"""Map inputs built from the demo county: coverage, service areas, routes and indicators.

Coverage here is by straight-line distance — the renderers only draw what they are given,
so the inputs need the right columns and plausible values, not a road network.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from geoplan.demo import build_demo_layers

RADIUS_M = 3000.0


@pytest.fixture(scope="session")
def demo():
    return build_demo_layers(3)


@pytest.fixture(scope="session")
def facilities(demo):
    out = {k: demo[k].copy() for k in ("transfer_stations", "film_recycling_stations", "collection_hubs",
                                       "sorting_centers", "dropoff_points", "depots", "muck_disposal_sites")}
    ts = out["transfer_stations"]
    ts["load_t_per_d"] = ts["current_load_t_per_d"]
    ts["load_ratio"] = ts["load_t_per_d"] / ts["capacity_t_per_d"]
    ts["overloaded"] = ts["load_ratio"] > 1.0
    # One planned and one candidate site, so every status is drawn.
    ts.loc[ts.index[-1], "status"] = "planned"
    cand = ts.iloc[[0]].copy()
    cand["id"], cand["name"], cand["status"] = "TS-C1", "备选中转站 <候选>", "candidate"
    cand["geometry"] = cand.geometry.translate(2500, -1500)
    out["transfer_stations"] = gpd.GeoDataFrame(pd.concat([ts, cand], ignore_index=True), crs=ts.crs)
    return out


def _coverage(points: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    d = np.array([[p.distance(s) for s in sites.geometry] for p in points.geometry])
    out = points.copy()
    nearest = d.argmin(axis=1)
    out["nearest_facility_id"] = sites["id"].to_numpy()[nearest]
    out["travel_m"] = (1.3 * d.min(axis=1)).round(1)
    out["covered"] = out["travel_m"] <= RADIUS_M
    return out


@pytest.fixture(scope="session")
def demand(demo):
    stations = demo["transfer_stations"]
    return {
        "residential_communities": _coverage(demo["residential_communities"], stations),
        "villages": _coverage(demo["villages"], stations),
    }


@pytest.fixture(scope="session")
def districts(demo, demand):
    pts = demand["residential_communities"]
    pts = pts.assign(w=pts["population"], cw=pts["population"] * pts["covered"])
    joined = gpd.sjoin(pts, demo["districts"][["name", "geometry"]], predicate="within")
    sums = joined.groupby("name_right")[["w", "cw"]].sum()
    out = demo["districts"].copy()
    out["total_weight"] = out["name"].map(sums["w"]).fillna(0.0)
    out["covered_weight"] = out["name"].map(sums["cw"]).fillna(0.0)
    out["coverage_rate"] = np.where(out["total_weight"] > 0, out["covered_weight"] / out["total_weight"].clip(lower=1), np.nan)
    return out


@pytest.fixture(scope="session")
def service_areas(demo):
    stations = demo["transfer_stations"]
    return gpd.GeoDataFrame({
        "id": stations["id"].to_numpy(),
        "facility_kind": "transfer_stations",
        "cutoff": RADIUS_M,
        "weight": "metres",
        "area_m2": stations.buffer(RADIUS_M / 1.3).area.to_numpy(),
    }, geometry=stations.buffer(RADIUS_M / 1.3).to_numpy(), crs=stations.crs)


@pytest.fixture(scope="session")
def routes_and_stops(demo):
    """Three routes: depot → five communities → transfer station (unload) → depot."""
    depot = demo["depots"].geometry.iloc[0]
    station = demo["transfer_stations"].iloc[0]
    comm = demo["residential_communities"]
    routes, stops = [], []
    for r in range(3):
        jobs = comm.iloc[r * 40: r * 40 + 200: 40]
        pts = [depot, *jobs.geometry, station.geometry, depot]
        rid = f"R{r + 1}"
        km = LineString(pts).length / 1000
        routes.append({"route_id": rid, "vehicle_type": "compression_truck", "vehicle_label": f"压缩车 {r + 1}号",
                       "load_t": 4.0 + r, "km": km, "hours": km / 25 + 0.5, "co2_kg": km * 0.35 * 2.6,
                       "geometry": LineString(pts)})
        kinds = ["depot", *["job"] * len(jobs), "unload", "depot"]
        names = ["车场 / depot", *jobs["name"], station["name"], "车场 / depot"]
        for seq, (p, k, n) in enumerate(zip(pts, kinds, names)):
            stops.append({"route_id": rid, "sequence": seq, "kind": k, "name": n,
                          "arrival": f"{6 + seq // 4:02d}:{(seq * 15) % 60:02d}", "load_after": 0.8 * seq,
                          "geometry": p})
    crs = demo["depots"].crs
    return gpd.GeoDataFrame(routes, crs=crs), gpd.GeoDataFrame(stops, crs=crs)


@pytest.fixture(scope="session")
def indicators():
    return pd.DataFrame([
        {"key": "urban", "label": "城市居民小区生活垃圾分类覆盖率 / urban communities covered",
         "actual": 0.853, "target": 1.0, "gap": 0.147, "unit": "share", "status": "未达标"},
        {"key": "rural", "label": "农村地区生活垃圾分类覆盖率 / rural coverage",
         "actual": 0.412, "target": 0.40, "gap": 0.0, "unit": "share", "status": "达标"},
        {"key": "per_capita", "label": "人均生活垃圾清运量 / waste per person",
         "actual": 0.49, "target": 0.47, "gap": 0.02, "unit": "kg/(人·d)", "status": "未达标"},
    ])
