"""Existing facilities and candidate sites of the demo county.

The existing network has the gaps a real county plan starts from: three towns without a
transfer station, the 城南 station overloaded, film stations in only two towns, no
construction-waste transfer yard, recycling drop-off points only in the county seat.
"""

from __future__ import annotations

import numpy as np
import shapely

from geoplan.demo.geography import DEV_ZONE, SEAT, TOWNS, river_line

_T = {t.key: t for t in TOWNS}


def _at(centre: tuple[float, float], dx: float, dy: float) -> tuple[float, float]:
    return (centre[0] + dx, centre[1] + dy)


def _rows(kind_prefix: str, rows: list[dict]) -> dict:
    """Column-wise table from row dicts, ids numbered with the kind's prefix."""
    cols: dict = {"id": [f"{kind_prefix}{i + 1:02d}" for i in range(len(rows))]}
    for key in rows[0]:
        cols[key] = [r[key] for r in rows]
    cols["xy"] = np.array(cols.pop("at"), dtype=float)
    return cols


def transfer_stations() -> dict:
    rows = [
        dict(name="城北垃圾中转站", at=_at(SEAT.centre, -1300, 2400), capacity_t_per_d=120.0, current_load_t_per_d=78.0,
             fractions="其他垃圾,可回收物"),
        dict(name="城南垃圾中转站", at=_at(SEAT.centre, 1100, -2300), capacity_t_per_d=100.0, current_load_t_per_d=118.0,
             fractions="其他垃圾"),
        dict(name="开发区垃圾中转站", at=_at(DEV_ZONE.centre, 900, -1800), capacity_t_per_d=50.0, current_load_t_per_d=38.0,
             fractions="其他垃圾"),
        dict(name="青口镇垃圾中转站", at=_at(_T["qingkou"].centre, 700, -800), capacity_t_per_d=30.0,
             current_load_t_per_d=19.0, fractions="其他垃圾"),
        dict(name="朝阳镇垃圾中转站", at=_at(_T["chaoyang"].centre, -800, 600), capacity_t_per_d=30.0,
             current_load_t_per_d=23.0, fractions="其他垃圾"),
        dict(name="宋庄镇垃圾中转站", at=_at(_T["songzhuang"].centre, 600, 800), capacity_t_per_d=25.0,
             current_load_t_per_d=17.0, fractions="其他垃圾"),
    ]
    for r in rows:
        r["status"] = "existing"
    return _rows("TS", rows)


def treatment_plants() -> dict:
    rows = [
        dict(name="东海湾生活垃圾焚烧发电厂", at=(8200.0, -6100.0), capacity_t_per_d=600.0, plant_type="incineration",
             fractions="其他垃圾"),
        dict(name="餐厨废弃物资源化处理厂", at=_at(DEV_ZONE.centre, 1500, 2000), capacity_t_per_d=100.0,
             plant_type="kitchen_waste", fractions="厨余垃圾"),
    ]
    for r in rows:
        r["status"] = "existing"
    return _rows("TP", rows)


def recycling_network() -> dict[str, dict]:
    """The existing 四级 recycling network: seat-only drop-off points, two hubs, one centre, one market."""
    rng = np.random.default_rng(404)
    drop_xy = []
    river = river_line()
    while len(drop_xy) < 60:
        x, y = rng.uniform(-3700, 3700), rng.uniform(-2700, 2700)
        if shapely.distance(shapely.Point(x, y), river) > 80:
            drop_xy.append((round(x, 1), round(y, 1)))
    dropoffs = {
        "id": [f"DP{i + 1:03d}" for i in range(len(drop_xy))],
        "name": [f"可回收物投放点{i + 1:03d}" for i in range(len(drop_xy))],
        "status": ["existing"] * len(drop_xy),
        "capacity_t_per_d": [0.5] * len(drop_xy),
        "xy": np.array(drop_xy),
    }
    hubs = _rows("CH", [
        dict(name="城北再生资源归集点", at=_at(SEAT.centre, -2600, 2100), status="existing", capacity_t_per_d=15.0),
        dict(name="城南再生资源归集点", at=_at(SEAT.centre, 2400, -1600), status="existing", capacity_t_per_d=12.0),
    ])
    centres = _rows("SC", [
        dict(name="县再生资源分拣中心", at=_at(DEV_ZONE.centre, 1200, -600), status="existing",
             capacity_t_per_yr=30000.0, site_area_m2=5200.0),
    ])
    markets = _rows("RM", [
        dict(name="东海湾再生资源交易市场", at=_at(DEV_ZONE.centre, 1700, 900), status="existing",
             capacity_t_per_yr=80000.0),
    ])
    return {"dropoff_points": dropoffs, "collection_hubs": hubs, "sorting_centers": centres,
            "recycling_markets": markets}


def depots() -> dict:
    return _rows("DE", [
        dict(name="县环卫车辆停保场", at=_at(SEAT.centre, 3700, -2800), status="existing", vehicle_count=40),
        dict(name="朝阳镇环卫所", at=_at(_T["chaoyang"].centre, 900, -900), status="existing", vehicle_count=10),
    ])


def muck_disposal_sites() -> dict:
    return _rows("MD", [
        dict(name="西郊工程渣土消纳场", at=(-9200.0, -4700.0), status="existing", capacity_m3=1_500_000.0,
             intake_m3_per_d=4000.0, opening_hours="22:00-06:00"),
    ])


def film_recycling_stations() -> dict:
    return _rows("FS", [
        dict(name="青口镇废旧农膜回收站", at=_at(_T["qingkou"].centre, -700, 700), status="existing",
             capacity_t_per_yr=300.0, level="township"),
        dict(name="宋庄镇废旧农膜回收站", at=_at(_T["songzhuang"].centre, -600, -700), status="existing",
             capacity_t_per_yr=300.0, level="township"),
    ])


def candidate_sites(rng: np.random.Generator, village_xy: np.ndarray) -> dict:
    """备选站址 for every facility kind, with fixed costs (yuan) and capacities."""
    rows: list[dict] = []

    def add(kind: str, xy, cost_range, capacity, label):
        for k, (x, y) in enumerate(np.atleast_2d(xy)):
            cost = float(np.round(rng.uniform(*cost_range), -4))
            rows.append(dict(facility_kind=kind, name=f"{label}备选{k + 1:02d}", fixed_cost_yuan=cost,
                             capacity=capacity, at=(round(float(x), 1), round(float(y), 1))))

    settlements = [SEAT, DEV_ZONE, *TOWNS]
    ts_xy = [np.array(s.centre) + rng.uniform(-1, 1, (3 if s is SEAT else 2, 2)) * np.array(s.half_size) * 0.8
             for s in settlements]
    add("transfer_stations", np.vstack(ts_xy), (2e6, 6e6), 60.0, "垃圾中转站")
    film_xy = [np.array(t.centre) + rng.uniform(-1, 1, (2, 2)) * 700 for t in TOWNS]
    film_xy.append(village_xy[rng.choice(len(village_xy), 6, replace=False)] + 80.0)
    add("film_recycling_stations", np.vstack(film_xy), (2e5, 6e5), 300.0, "农膜回收站")
    add("muck_disposal_sites", [(-15000, 2000), (6000, -12000), (17000, 2500), (-5000, 9000)], (8e6, 2e7),
        1_000_000.0, "渣土消纳场")
    add("muck_transfer_yards", [(-5200, -3600), (5200, 3400), (9200, -2600), (-4600, 4200), (2600, -4400)],
        (1.5e6, 4e6), 20.0, "建筑垃圾转运调配场")
    drop_xy = [np.array(s.centre) + rng.uniform(-1, 1, (40 if s is SEAT else 10, 2)) * np.array(s.half_size) * 0.9
               for s in settlements]
    add("dropoff_points", np.vstack(drop_xy), (1e4, 4e4), 0.5, "可回收物投放点")
    hub_xy = [np.array(s.centre) + rng.uniform(-0.6, 0.6, (2, 2)) * np.array(s.half_size) for s in settlements]
    add("collection_hubs", np.vstack(hub_xy)[:14], (3e5, 9e5), 15.0, "片区归集点")
    add("sorting_centers", [(7400, 1800), (-4800, -3400), (4800, 3600)], (8e6, 1.5e7), 30000.0, "分拣中心")
    add("recycling_markets", [(5000, -3300), (-5000, 3300)], (5e6, 1e7), 60000.0, "再生资源市场")
    add("treatment_plants", [(-7000, 6000), (11000, -4000)], (2e8, 4e8), 500.0, "处理厂")
    add("depots", [(-3000, -3900), (-13500, -8700), (1200, -12400)], (1e6, 3e6), None, "停保场")
    river = river_line()
    rows = [r for r in rows if shapely.distance(shapely.Point(r["at"]), river) > 60.0]
    return _rows("CA", rows) | {"id": [f"CA{i + 1:03d}" for i in range(len(rows))]}


def restricted_zones(old_town) -> dict:
    return {
        "id": ["RZ01"],
        "name": ["老城区渣土车禁行区"],
        "barred_profiles": ["muck_truck"],
        "geometry": [old_town],
    }
