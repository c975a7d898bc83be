"""The demo county's geography: its frame, settlements, river and districts.

Everything is laid out in local metres around the county seat and moved to the
CGCS2000 Gauss-Krüger zone of 119.2°E 34.6°N (EPSG:4549) at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box

#: Where the demo county lies (county seat), degrees (CGCS2000 ≈ WGS84 at map scale).
CENTRE_LON, CENTRE_LAT = 119.2, 34.6
#: Computation CRS: CGCS2000 3-degree Gauss-Krüger, central meridian 120°E.
METRIC_EPSG = 4549

#: County extent around the seat, metres (half-widths).
HALF_WIDTH_M, HALF_HEIGHT_M = 22_000.0, 17_000.0


@dataclass(frozen=True)
class Settlement:
    """A built-up area with a street grid: the county seat, the development zone or a town."""

    key: str
    name: str
    district_type: str  # 街道 | 镇
    centre: tuple[float, float]
    half_size: tuple[float, float]
    street_spacing_m: float
    urban: bool

    @property
    def area(self) -> Polygon:
        (x, y), (hx, hy) = self.centre, self.half_size
        return box(x - hx, y - hy, x + hx, y + hy)


SEAT = Settlement("seat", "城关", "街道", (0.0, 0.0), (4000.0, 3000.0), 250.0, True)
DEV_ZONE = Settlement("etdz", "开发区街道", "街道", (6500.0, 0.0), (2000.0, 2500.0), 500.0, True)
TOWNS = (
    Settlement("qingkou", "青口镇", "镇", (-14000.0, 9000.0), (1000.0, 1000.0), 200.0, False),
    Settlement("chaoyang", "朝阳镇", "镇", (13000.0, 10500.0), (1000.0, 1000.0), 200.0, False),
    Settlement("songzhuang", "宋庄镇", "镇", (-13000.0, -9500.0), (1000.0, 1000.0), 200.0, False),
    Settlement("banpu", "板浦镇", "镇", (15000.0, -8500.0), (1000.0, 1000.0), 200.0, False),
    Settlement("dongxin", "东辛镇", "镇", (1500.0, -13000.0), (1000.0, 1000.0), 200.0, False),
    Settlement("beigang", "北港镇", "镇", (-1000.0, 12500.0), (1000.0, 1000.0), 200.0, False),
)
SETTLEMENTS = (SEAT, DEV_ZONE, *TOWNS)

#: The old town (老城区) where muck trucks may not drive.
OLD_TOWN = box(-1500.0, -1200.0, 1500.0, 1200.0)


def river_y(x: np.ndarray | float) -> np.ndarray | float:
    """Northing of the river centre line at easting ``x`` (metres, local frame)."""
    return 1500.0 * np.sin(np.asarray(x) / 7000.0) + 300.0


def river_line() -> LineString:
    """The river (蔷薇河) as a line from the west to the east edge of the county."""
    xs = np.linspace(-HALF_WIDTH_M - 2000, HALF_WIDTH_M + 2000, 400)
    return LineString(np.column_stack([xs, river_y(xs)]))


#: Width of the river's water surface, metres (a county river of the plain, e.g. 蔷薇河 at 40–80 m).
RIVER_WIDTH_M = 60.0


def river_area(boundary) -> shapely.Geometry:
    """The river's water surface inside the county ``boundary`` (local frame)."""
    return river_line().buffer(RIVER_WIDTH_M / 2, cap_style="flat").intersection(boundary)


def county_boundary(rng: np.random.Generator) -> Polygon:
    """An irregular county outline: a super-ellipse with a smooth random wobble."""
    angles = np.linspace(0, 2 * np.pi, 181)[:-1]
    wobble = 1.0 + 0.04 * np.sin(3 * angles + rng.uniform(0, 6)) + 0.03 * np.sin(7 * angles + rng.uniform(0, 6))
    c, s = np.cos(angles), np.sin(angles)
    r = (np.abs(c) ** 4 / HALF_WIDTH_M**4 + np.abs(s) ** 4 / HALF_HEIGHT_M**4) ** -0.25 * wobble
    return Polygon(np.column_stack([r * c, r * s])).buffer(0)


def district_polygons(boundary: Polygon) -> list[tuple[Settlement | None, str, Polygon]]:
    """街道/镇 polygons covering the county.

    The seat is split by the river into 城北街道 and 城南街道; the development zone is its
    own 街道; the rest of the county goes to the nearest town (a Voronoi split).
    """
    seat_area = SEAT.area.buffer(500.0, join_style="mitre")
    river_split = Polygon(
        [(x, float(river_y(x))) for x in np.linspace(-6000, 6000, 60)] + [(6000, 9000), (-6000, 9000)]
    )
    north = seat_area.intersection(river_split)
    south = seat_area.difference(river_split)
    etdz = DEV_ZONE.area.buffer(500.0, join_style="mitre").difference(seat_area)
    rest = boundary.difference(seat_area).difference(etdz)
    centres = shapely.MultiPoint([t.centre for t in TOWNS])
    cells = shapely.voronoi_polygons(centres, extend_to=box(*boundary.buffer(5000).bounds))
    out: list[tuple[Settlement | None, str, Polygon]] = [
        (SEAT, "城北街道", north),
        (SEAT, "城南街道", south),
        (DEV_ZONE, DEV_ZONE.name, etdz),
    ]
    for town in TOWNS:
        cell = next(c for c in cells.geoms if c.contains(Point(town.centre)))
        out.append((town, town.name, rest.intersection(cell)))
    return out


def to_metric(xy: np.ndarray) -> np.ndarray:
    """Shift local metres to EPSG:4549 coordinates of the county seat's surroundings."""
    x0, y0 = _seat_metric_origin()
    return np.asarray(xy, dtype=float) + np.array([x0, y0])


def _seat_metric_origin() -> tuple[float, float]:
    to_gk = Transformer.from_crs(4490, METRIC_EPSG, always_xy=True)
    x0, y0 = to_gk.transform(CENTRE_LON, CENTRE_LAT)
    # Whole metres keep the generated coordinates short and exactly repeatable.
    return float(round(x0)), float(round(y0))


def shift_geometries(geoms: list) -> np.ndarray:
    """Move local-frame shapely geometries into EPSG:4549."""
    x0, y0 = _seat_metric_origin()
    return shapely.transform(np.asarray(geoms, dtype=object), lambda c: c + np.array([x0, y0]))
