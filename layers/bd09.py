"""BD-09 (百度坐标, used by Baidu Maps) ↔ GCJ-02.

Baidu shifts GCJ-02 coordinates once more by a published formula (a rotation and a
small radial stretch about a point offset by 0.0065°, 0.006°). The formula from GCJ-02 to
BD-09 and its usual inverse are the ones every converter publishes; the inverse is exact
to about 1e-6 degrees (0.1 m), below what a point picked on a map carries. BD-09 → WGS84
goes through GCJ-02 (:func:`layers.gcj02.gcj02_to_wgs84`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from layers.gcj02 import gcj02_to_wgs84, in_china, wgs84_to_gcj02

_X_PI = np.pi * 3000.0 / 180.0
_DLON, _DLAT = 0.0065, 0.006


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Shift GCJ-02 coordinates (degrees) to BD-09; unchanged outside China."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    inside = in_china(x, y)
    return np.where(inside, z * np.cos(theta) + _DLON, x), np.where(inside, z * np.sin(theta) + _DLAT, y)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Shift BD-09 coordinates (degrees) back to GCJ-02; unchanged outside China."""
    b_lon, b_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = b_lon - _DLON, b_lat - _DLAT
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    inside = in_china(b_lon, b_lat)
    return np.where(inside, z * np.cos(theta), b_lon), np.where(inside, z * np.sin(theta), b_lat)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """BD-09 to WGS84, through GCJ-02."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS84 to BD-09, through GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
