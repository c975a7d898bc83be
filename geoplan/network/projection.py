"""Pick the metric CRS for an area given in longitude/latitude."""

from __future__ import annotations

from pyproj import CRS

from layers.errors import GeoplanError


def gauss_kruger_crs(central_lon: float) -> CRS:
    """CGCS2000 3-degree Gauss-Krüger CRS (EPSG:4534–4554) for a longitude in degrees.

    Zones are centred on multiples of 3°E: 75°E = EPSG:4534 … 135°E = EPSG:4554
    (117°E = 4548, 120°E = 4549).
    """
    zone = round((central_lon - 75.0) / 3.0)
    if not 0 <= zone <= 20:
        raise GeoplanError(
            f"longitude {central_lon:.3f}° is outside China's Gauss-Krüger zones (73.5–136.5°E): "
            "check the coordinates or pass to_crs explicitly"
        )
    return CRS.from_epsg(4534 + zone)
