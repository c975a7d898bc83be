"""GCJ-02 (火星坐标, used by AMap/Gaode and Tencent) ↔ WGS84.

GCJ-02 is WGS84 shifted by a published obfuscation formula (offset ≈ 450–620 m in eastern
China). PROJ does not know it, so geoplan implements the forward formula here and inverts
it by fixed-point iteration. Points outside China's rough extent are returned unchanged,
as the services that use GCJ-02 do.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Krasovsky 1940 ellipsoid, as the published formula uses it.
_A_M = 6378245.0
_EE = 0.00669342162296594323

# Rough extent in which the shift is applied (degrees), as in the published formula.
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271

_INVERSE_TOL_DEG = 1e-10
_INVERSE_MAX_ITER = 50


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where (lon, lat) in degrees lies in the extent where GCJ-02 applies a shift."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon >= _LON_MIN) & (lon <= _LON_MAX) & (lat >= _LAT_MIN) & (lat <= _LAT_MAX)


def _shift_deg(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """The GCJ-02 offset (dlon, dlat) in degrees at WGS84 (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    # Terms shared by both components.
    wave_x = (20.0 * np.sin(6.0 * np.pi * x) + 20.0 * np.sin(2.0 * np.pi * x)) * 2.0 / 3.0

    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat += wave_x
    dlat += (20.0 * np.sin(np.pi * y) + 40.0 * np.sin(np.pi * y / 3.0)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(np.pi * y / 12.0) + 320.0 * np.sin(np.pi * y / 30.0)) * 2.0 / 3.0

    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon += wave_x
    dlon += (20.0 * np.sin(np.pi * x) + 40.0 * np.sin(np.pi * x / 3.0)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(np.pi * x / 12.0) + 300.0 * np.sin(np.pi * x / 30.0)) * 2.0 / 3.0

    # The offsets above are in metres-like units on the Krasovsky ellipsoid; turn into degrees.
    rad_lat = np.radians(lat)
    w = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_w = np.sqrt(w)
    dlat = dlat * 180.0 / ((_A_M * (1.0 - _EE)) / (w * sqrt_w) * np.pi)
    dlon = dlon * 180.0 / (_A_M / sqrt_w * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Shift WGS84 coordinates to GCJ-02.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitude and latitude in degrees (scalars or arrays of one shape).

    Returns
    -------
    (lon, lat) : tuple of ndarray
        GCJ-02 coordinates in degrees; unchanged outside China.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _shift_deg(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Invert the GCJ-02 shift.

    Solves ``wgs84_to_gcj02(w) == g`` for ``w`` by fixed-point iteration
    (``w ← w - (f(w) - g)``), which converges because the shift changes slowly with
    position; iterations stop when every point moves by less than 1e-10 degrees.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    (lon, lat) : tuple of ndarray
        WGS84 coordinates in degrees; unchanged outside China.
    """
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    inside = in_china(g_lon, g_lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(_INVERSE_MAX_ITER):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        step_lon = np.where(inside, f_lon - g_lon, 0.0)
        step_lat = np.where(inside, f_lat - g_lat, 0.0)
        w_lon = w_lon - step_lon
        w_lat = w_lat - step_lat
        finite = np.isfinite(step_lon) & np.isfinite(step_lat)
        if not finite.any() or max(
            np.max(np.abs(step_lon[finite]), initial=0.0), np.max(np.abs(step_lat[finite]), initial=0.0)
        ) < _INVERSE_TOL_DEG:
            break
    return w_lon, w_lat
