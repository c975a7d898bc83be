"""Files made the way a district bureau keeps them, placed on the real Haidian OSM extract.

- ``小区名录.xlsx``, sheet 小区: communities with coordinates picked on AMap (GCJ-02), some
  without 户数 (households) — geoplan estimates them from 人口;
- ``备选站址.shp``: candidate sites, GBK-encoded, without a ``.cpg``;
- ``街道.geojson``: the two districts of the extract;
- ``车场.csv`` and ``中转站.csv``: the depot and an existing transfer station, WGS84.

The extract: ``tests/data/osm/beijing_haidian.osm`` (© OpenStreetMap contributors, ODbL 1.0).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

import layers
from geoplan.network import RoadNetwork

OSM = Path(__file__).resolve().parents[1] / "data" / "osm" / "beijing_haidian.osm"
#: The extract's box (WGS84), split at this longitude into the two districts.
BOX = (116.344, 39.998, 116.360, 40.009)
SPLIT_LON = 116.352
#: Streets each community is placed beside (15 m off the street's middle), in this order.
STREETS = ["东畔北街", "东畔南街", "林业大学北路", "小月河东畔路", "石清路", "双泉堡西路", "茗悦路", "小月河西路"]


def street_points(net: RoadNetwork, name: str, offsets_m: tuple[float, ...]) -> list[tuple[float, float]]:
    """WGS84 points ``offsets_m`` to the side of the middle of the longest edge of a named street."""
    idx = np.flatnonzero(net.edge_name == name)
    e = idx[np.argmax(net.edge_length_m[idx])]
    line = net.edge_geometry[e]
    mid = line.interpolate(0.5, normalized=True)
    ahead = line.interpolate(min(1.0, 0.5 + 5.0 / line.length), normalized=True)
    dx, dy = ahead.x - mid.x, ahead.y - mid.y
    norm = np.hypot(dx, dy)
    pts = [(mid.x - dy / norm * d, mid.y + dx / norm * d) for d in offsets_m]
    lonlat = gpd.GeoSeries(shapely.points(pts), crs=net.crs).to_crs(4326)
    return [(p.x, p.y) for p in lonlat]


def write_planner_files(folder: Path) -> dict[str, Path]:
    """Write the bureau's files into ``folder``; returns them by layer kind."""
    folder.mkdir(parents=True, exist_ok=True)
    net = RoadNetwork.from_file(OSM)
    rows = []
    for k, street in enumerate(STREETS):
        for j, (lon, lat) in enumerate(street_points(net, street, (15.0, -25.0))):
            glon, glat = layers.wgs84_to_gcj02(lon, lat)
            households = 300 + 40 * k + 10 * j
            rows.append({"编号": f"XQ{2 * k + j + 1:03d}", "小区名称": f"{street}{'东西'[j]}小区",
                         "户数": None if (k + j) % 5 == 0 else households,
                         "人口": int(households * 2.6), "经度": round(float(glon), 6), "纬度": round(float(glat), 6),
                         "所在道路": street})
    communities = pd.DataFrame(rows)
    xlsx = folder / "小区名录.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        pd.DataFrame({"说明": ["小区坐标由高德地图拾取 (GCJ-02)"]}).to_excel(writer, sheet_name="说明", index=False)
        communities.to_excel(writer, sheet_name="小区", index=False)

    west, east = box(BOX[0], BOX[1], SPLIT_LON, BOX[3]), box(SPLIT_LON, BOX[1], BOX[2], BOX[3])
    districts = gpd.GeoDataFrame({"编号": ["JD01", "JD02"], "名称": ["学院路街道", "东升镇"], "类型": ["街道", "镇"]},
                                 geometry=[west, east], crs=4326)
    geojson = folder / "街道.geojson"
    districts.to_file(geojson, driver="GeoJSON")

    sites = [street_points(net, s, (30.0,))[0] for s in ("学清路", "双泉堡西路", "东畔南街", "石板房南路")]
    candidates = gpd.GeoDataFrame({
        "编号": [f"BX{i + 1:02d}" for i in range(len(sites))],
        "名称": ["学清路备选站", "双泉堡备选站", "东畔南街备选站", "石板房南路备选站"],
        "设施类型": ["transfer_stations"] * len(sites),
        "建设费用": [5.02e6, 4.8e6, 5.5e6, 5.0e6], "设计规模": [20.0, 20.0, 30.0, 20.0],
    }, geometry=gpd.points_from_xy(*zip(*sites)), crs=4326)
    shp = folder / "备选站址.shp"
    candidates.to_file(shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)  # as bureaus send them: no code page file

    (dlon, dlat), = street_points(net, "石清路", (40.0,))
    depot = folder / "车场.csv"
    pd.DataFrame({"编号": ["CC01"], "名称": ["海淀环卫车场"], "车辆数": [6], "经度": [round(dlon, 6)],
                  "纬度": [round(dlat, 6)]}).to_csv(depot, index=False, encoding="utf-8-sig")
    (slon, slat), = street_points(net, "小月河西路", (30.0,))
    station = folder / "中转站.csv"
    pd.DataFrame({"编号": ["ZZ01"], "名称": ["小月河中转站"], "状态": ["现状"], "设计规模": [150],
                  "垃圾类别": ["其他垃圾,厨余垃圾,可回收物"], "经度": [round(slon, 6)], "纬度": [round(slat, 6)]}
                 ).to_csv(station, index=False, encoding="gb18030")
    return {"residential_communities": xlsx, "districts": geojson, "candidate_sites": shp, "depots": depot,
            "transfer_stations": station}
