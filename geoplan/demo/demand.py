"""Demand layers of the demo county: communities, villages, agri-input shops, building sites."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import shapely

from geoplan.demo import names
from geoplan.demo.geography import DEV_ZONE, OLD_TOWN, SEAT, SETTLEMENTS, TOWNS, Settlement, river_line


def _points_in(settlement: Settlement, n: int, rng: np.random.Generator, margin_m: float = 60.0,
               avoid=None) -> np.ndarray:
    """``n`` points inside a settlement's built area, at least 100 m from the river (and outside ``avoid``)."""
    river = river_line()
    (cx, cy), (hx, hy) = settlement.centre, settlement.half_size
    out: list[tuple[float, float]] = []
    while len(out) < n:
        x = rng.uniform(cx - hx + margin_m, cx + hx - margin_m)
        y = rng.uniform(cy - hy + margin_m, cy + hy - margin_m)
        p = shapely.Point(x, y)
        if shapely.distance(p, river) > 100.0 and (avoid is None or not avoid.contains(p)):
            out.append((round(x, 1), round(y, 1)))
    return np.array(out)


def residential_communities(rng: np.random.Generator) -> dict:
    """≈340 居民小区: most in the county seat, the rest in the development zone and towns."""
    counts = [(SEAT, 220), (DEV_ZONE, 20)] + [(t, 17) for t in TOWNS]
    xy = np.vstack([_points_in(s, k, rng) for s, k in counts])
    urban_scale = np.concatenate([np.full(k, 1.0 if s.urban else 0.55) for s, k in counts])
    households = np.maximum(60, np.round(rng.lognormal(np.log(420), 0.45, len(xy)) * urban_scale)).astype(int)
    population = np.round(households * rng.uniform(2.5, 3.1, len(xy))).astype(int)
    return {
        "id": [f"RC{i + 1:04d}" for i in range(len(xy))],
        "name": names.unique_names(names.community_name, len(xy), rng),
        "households": households,
        "population": population,
        "xy": xy,
    }


def villages(rng: np.random.Generator, rural_nodes: np.ndarray, boundary) -> dict:
    """≈170 行政村 next to rural-grid nodes, each with mulched farmland (覆膜面积)."""
    river = river_line()
    built = shapely.union_all([s.area.buffer(400.0) for s in SETTLEMENTS])
    order = rng.permutation(len(rural_nodes))
    xy: list[tuple[float, float]] = []
    for k in order:
        if len(xy) == 170:
            break
        angle, dist = rng.uniform(0, 2 * np.pi), rng.uniform(150.0, 400.0)
        x, y = rural_nodes[k] + dist * np.array([np.cos(angle), np.sin(angle)])
        p = shapely.Point(x, y)
        if boundary.buffer(-300).contains(p) and not built.contains(p) and shapely.distance(p, river) > 150.0:
            xy.append((round(x, 1), round(y, 1)))
    arr = np.array(xy)
    population = np.round(rng.lognormal(np.log(900), 0.4, len(arr))).astype(int)
    households = np.round(population / rng.uniform(2.9, 3.4, len(arr))).astype(int)
    # Film-mulched vegetables and cotton concentrate in the south-west and north-east.
    hot = np.exp(-((arr[:, 0] + 12000) ** 2 + (arr[:, 1] + 8000) ** 2) / 8e7) + np.exp(
        -((arr[:, 0] - 12000) ** 2 + (arr[:, 1] - 9000) ** 2) / 8e7
    )
    mulched_mu = np.round(rng.gamma(2.0, 300.0, len(arr)) * (0.5 + 2.0 * hot), 1)
    return {
        "id": [f"VL{i + 1:04d}" for i in range(len(arr))],
        "name": names.unique_names(names.village_name, len(arr), rng),
        "population": population,
        "households": households,
        "mulched_area_mu": mulched_mu,
        "xy": arr,
    }


def agri_input_shops(rng: np.random.Generator, village_layer: dict) -> dict:
    """≈70 农资经销店: six in each town centre, the rest in the larger villages."""
    xy = [_points_in(t, 6, rng, margin_m=300.0) for t in TOWNS]
    big = np.argsort(-village_layer["population"], kind="stable")[:34]
    xy.append(village_layer["xy"][big] + rng.uniform(-60, 60, (len(big), 2)).round(1))
    arr = np.vstack(xy)
    film_kg = np.round(rng.gamma(3.0, 400.0, len(arr)), 0)
    return {
        "id": [f"AS{i + 1:03d}" for i in range(len(arr))],
        "name": names.unique_names(names.shop_name, len(arr), rng),
        "film_sales_kg_per_yr": film_kg,
        "pesticide_packaging_kg_per_yr": np.round(film_kg * rng.uniform(0.05, 0.15, len(arr)), 1),
        "xy": arr,
    }


def construction_sites(rng: np.random.Generator) -> dict:
    """≈48 工地 with muck volumes: the seat outside the old town, the development zone and the towns.

    No site lies in the old town: muck trucks may not drive there (see ``restricted_zones``).
    """
    counts = [(SEAT, 28), (DEV_ZONE, 10)] + [(t, 2) for t in TOWNS[:5]]
    avoid = OLD_TOWN.buffer(300.0)
    arr = np.vstack([_points_in(s, k, rng, avoid=avoid) for s, k in counts])
    volume = np.round(rng.lognormal(np.log(18000), 0.8, len(arr)), -2)
    start = [date(2025, 3, 1) + timedelta(days=int(d)) for d in rng.integers(0, 480, len(arr))]
    end = [s + timedelta(days=int(d)) for s, d in zip(start, rng.integers(180, 720, len(arr)))]
    return {
        "id": [f"CS{i + 1:03d}" for i in range(len(arr))],
        "name": names.unique_names(names.construction_site_name, len(arr), rng),
        "muck_volume_m3": volume,
        "start_date": [d.isoformat() for d in start],
        "end_date": [d.isoformat() for d in end],
        "xy": arr,
    }
