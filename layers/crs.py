"""Coordinate reference systems: which input CRSs geoplan accepts and which metric CRS it uses.

Computation happens in CGCS2000 3-degree Gauss-Krüger (EPSG:4534 at 75°E … EPSG:4554 at
135°E, one zone per 3°), picked from the area's central longitude. The zone-prefixed
variants (EPSG:4513–4533) are not used, so coordinates never carry a zone number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from layers.bd09 import bd09_to_wgs84
from layers.errors import GeoplanError
from layers.gcj02 import gcj02_to_wgs84

_FIRST_CM_DEG = 75
_LAST_CM_DEG = 135
_FIRST_EPSG = 4534  # CGCS2000 / 3-degree Gauss-Kruger CM 75E

GCJ02_NAMES = frozenset({"gcj-02", "gcj02", "gcj_02", "gcj 02"})
BD09_NAMES = frozenset({"bd-09", "bd09", "bd_09", "bd 09", "baidu"})

#: The shifted coordinate systems of Chinese web maps, by the name a scenario gives them,
#: and the function that takes their longitude/latitude to WGS84.
SHIFTED_TO_WGS84 = {"GCJ-02": gcj02_to_wgs84, "BD-09": bd09_to_wgs84}

_HOW_TO_DECLARE = (
    "declare it: write crs = \"EPSG:4326\" (WGS84), \"EPSG:4490\" (CGCS2000), \"GCJ-02\" "
    "(AMap/Gaode/Tencent coordinates), \"BD-09\" (Baidu) or the projected CRS's EPSG code in the layer's "
    "[layers.<kind>] section (geoplan init: --crs KIND=…), or add the .prj file / 请声明坐标系"
)


def metric_crs_for(lon_deg: float) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Krüger zone for a longitude.

    Parameters
    ----------
    lon_deg : float
        Longitude in degrees east, between 73.5 and 136.5.

    Returns
    -------
    int
        EPSG code in 4534–4554 (117°E → 4548, 120°E → 4549).
    """
    lon = float(lon_deg)
    # floor(x + 0.5) rounds half up, so zone borders do not depend on banker's rounding.
    cm = 3 * math.floor(lon / 3.0 + 0.5) if math.isfinite(lon) else math.nan
    if not (_FIRST_CM_DEG <= cm <= _LAST_CM_DEG):
        raise GeoplanError(
            f"经度 {lon_deg!r}° 不在中国范围内 / longitude {lon_deg!r}° is outside the CGCS2000 "
            f"Gauss-Krüger zones (73.5°E–136.5°E); check the layer's coordinates and CRS"
        )
    return _FIRST_EPSG + (cm - _FIRST_CM_DEG) // 3


def lonlat_bounds(gdfs: Iterable[gpd.GeoDataFrame]) -> tuple[float, float, float, float] | None:
    """Combined (min lon, min lat, max lon, max lat) of layers in degrees, None if all empty."""
    boxes = []
    for gdf in gdfs:
        if gdf is None or gdf.crs is None or len(gdf) == 0:
            continue
        geoms = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
        if len(geoms) == 0:
            continue
        bounds = geoms.to_crs(4326).total_bounds if not _is_lonlat(gdf.crs) else geoms.total_bounds
        if np.all(np.isfinite(bounds)):
            boxes.append(bounds)
    if not boxes:
        return None
    arr = np.array(boxes)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def area_metric_crs(gdfs: Iterable[gpd.GeoDataFrame]) -> int:
    """Metric CRS (EPSG code) for an area: the Gauss-Krüger zone of its central longitude.

    Parameters
    ----------
    gdfs : iterable of GeoDataFrame
        The area's layers, in any CRS they carry.
    """
    bounds = lonlat_bounds(gdfs)
    if bounds is None:
        raise GeoplanError("图层为空 / the layers hold no geometries, so no metric CRS can be chosen")
    return metric_crs_for((bounds[0] + bounds[2]) / 2.0)


def is_gcj02(crs: object) -> bool:
    """True if ``crs`` names GCJ-02 (``"GCJ-02"``, ``"gcj02"``)."""
    return isinstance(crs, str) and crs.strip().lower() in GCJ02_NAMES


def shifted_crs(crs: object) -> str | None:
    """``"GCJ-02"`` or ``"BD-09"`` when ``crs`` names one of these web-map systems, else None."""
    if not isinstance(crs, str):
        return None
    name = crs.strip().lower()
    if name in GCJ02_NAMES:
        return "GCJ-02"
    if name in BD09_NAMES:
        return "BD-09"
    return None


def _is_lonlat(crs: pyproj.CRS) -> bool:
    """True for the geographic CRSs geoplan accepts: WGS84 and CGCS2000."""
    crs = pyproj.CRS.from_user_input(crs)
    if not crs.is_geographic:
        return False
    if crs.to_epsg(min_confidence=70) in (4326, 4490):
        return True
    datum = (crs.datum.name if crs.datum is not None else "") or ""
    return "World Geodetic System 1984" in datum or "China 2000" in datum


def check_input_crs(crs: object, *, file: str) -> pyproj.CRS:
    """Parse and check a CRS an input layer carries or a user declares.

    Accepted: EPSG:4326 (WGS84), EPSG:4490 (CGCS2000) and projected CRSs that pyproj knows.
    GCJ-02 and BD-09 are handled by the caller (see :func:`to_lonlat`).

    Raises
    ------
    GeoplanError
        If the CRS is unknown or a geographic CRS other than WGS84/CGCS2000.
    """
    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise GeoplanError(f"{file}: 无法识别的坐标系 / unknown CRS {crs!r} ({exc}); {_HOW_TO_DECLARE}") from None
    if _is_lonlat(parsed) or parsed.is_projected:
        return parsed
    raise GeoplanError(
        f"{file}: 不支持的坐标系 / unsupported CRS {parsed.name!r}; geoplan reads WGS84, CGCS2000, "
        f"GCJ-02 and projected CRSs — reproject the layer to one of them (e.g. EPSG:4490)"
    )


def to_lonlat(gdf: gpd.GeoDataFrame, crs: object, *, file: str, layer: str = "") -> gpd.GeoDataFrame:
    """Give a freshly read layer its CRS, turning GCJ-02 into WGS84.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer as read; its ``crs`` may be None.
    crs : object or None
        The CRS the user declared; it overrides the file's. ``"GCJ-02"`` and ``"BD-09"``
        shift the coordinates to WGS84 with the published formulas (geoplan's own code).
    file, layer : str
        Named in error messages.

    Returns
    -------
    GeoDataFrame
        With a CRS geoplan accepts (geographic layers stay in degrees).

    Raises
    ------
    GeoplanError
        If the layer has no CRS and none was declared, or the CRS is not accepted.
    """
    if crs is None:
        if gdf.crs is None:
            where = f"{file}, layer {layer}" if layer else file
            raise GeoplanError(f"{where}: 图层没有坐标系 / no CRS: the file does not say what its coordinates are "
                               f"(a Shapefile without its .prj?); {_HOW_TO_DECLARE}")
        check_input_crs(gdf.crs, file=file)
        return gdf
    shifted = shifted_crs(crs)
    if shifted is not None:
        convert = SHIFTED_TO_WGS84[shifted]
        out = gdf.copy()
        out.geometry = shapely.transform(out.geometry.values, lambda xy: np.column_stack(convert(xy[:, 0], xy[:, 1])))
        return out.set_crs(4326, allow_override=True)
    return gdf.set_crs(check_input_crs(crs, file=file), allow_override=True)
