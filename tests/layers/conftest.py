"""Small valid layers near Lianyungang (≈119.2°E, 34.6°N) built in code."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

LON0, LAT0 = 119.20, 34.60


def _points(n: int) -> list[shapely.Point]:
    # A few km apart: a compact county-sized cluster.
    return [shapely.Point(LON0 + 0.01 * i, LAT0 + 0.007 * (i % 3)) for i in range(n)]


@pytest.fixture
def villages() -> gpd.GeoDataFrame:
    """Six valid villages in WGS84 with Chinese names."""
    return gpd.GeoDataFrame(
        {
            "id": ["v1", "v2", "v3", "v4", "v5", "v6"],
            "name": ["张庄村", "李家村", "王集村", "青口村", "中云村", "朝阳村"],
            "population": [1200, 860, 430, 2100, 990, 1500],
            "households": [400, 300, 150, 700, 330, 520],
            "mulched_area_mu": [120.5, 80.0, 0.0, 300.0, 55.5, 10.0],
        },
        geometry=_points(6),
        crs=4326,
    )


@pytest.fixture
def transfer_stations() -> gpd.GeoDataFrame:
    """Five valid transfer stations, one of them without a status (→ existing)."""
    return gpd.GeoDataFrame(
        {
            "id": ["ts1", "ts2", "ts3", "ts4", "ts5"],
            "name": ["青口盐场中转站", "中云中转站", "朝阳中转站", "宋跳中转站", "猴嘴中转站"],
            "status": ["existing", "规划", "planned", None, "candidate"],
            "capacity_t_per_d": [20.0, 150.0, 60.0, 500.0, 1200.0],
            "fractions": ["其他垃圾,可回收物", "厨余垃圾", None, "其他垃圾", "有害垃圾、其他垃圾"],
        },
        geometry=_points(5),
        crs=4326,
    )


@pytest.fixture
def construction_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["c1", "c2", "c3"],
            "name": ["港城大道工地", "滨海新区安置房", "中云学校"],
            "muck_volume_m3": [12000.0, 3500.0, 800.0],
            "start_date": ["2024-03-01", "2024-05-10", None],
            "end_date": ["2024-12-31", "2025-01-15", None],
        },
        geometry=_points(3),
        crs=4326,
    )


@pytest.fixture
def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["d1", "d2"],
            "name": ["中云街道", "朝阳镇"],
            "district_type": ["街道", "镇"],
            "urban": [True, False],
            "population": [52000, 31000],
        },
        geometry=[shapely.box(LON0, LAT0, LON0 + 0.05, LAT0 + 0.04),
                  shapely.box(LON0 + 0.05, LAT0, LON0 + 0.1, LAT0 + 0.04)],
        crs=4326,
    )
