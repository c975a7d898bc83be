"""The demo county's road network as a roads line layer.

Ground-level roads (arterials, collectors, local streets, rural roads, village spurs)
are noded together so every crossing is an intersection; the river cuts every road
that crosses it except the few bridges; the expressway meets the ground network only
at its interchanges. Old-town side streets are one-way, alternating in direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.strtree import STRtree

from geoplan.demo.geography import (
    DEV_ZONE,
    HALF_HEIGHT_M,
    HALF_WIDTH_M,
    OLD_TOWN,
    SEAT,
    SETTLEMENTS,
    TOWNS,
    Settlement,
    river_line,
)

CLASS_RANK = {"local": 0, "collector": 1, "arterial": 2, "expressway": 3}


@dataclass
class SourceRoad:
    """One drawn road before noding."""

    line: LineString
    road_class: str
    name: str = ""
    oneway: bool = False
    bridge: bool = False  # may cross the river
    speed_kmh: float | None = None


def _grid_roads(town: Settlement, arterial_names: tuple[str, str]) -> list[SourceRoad]:
    """Street grid of a settlement: local streets, a collector every 4th line, two main streets."""
    (cx, cy), (hx, hy), step = town.centre, town.half_size, town.street_spacing_m
    roads = []
    xs = np.arange(cx - hx, cx + hx + 1e-6, step)
    ys = np.arange(cy - hy, cy + hy + 1e-6, step)
    for i, x in enumerate(xs):
        line = LineString([(x, cy - hy), (x, cy + hy)])
        roads.append(_street(town, line, i, len(xs), vertical=True, names=arterial_names))
    for j, y in enumerate(ys):
        line = LineString([(cx - hx, y), (cx + hx, y)])
        roads.append(_street(town, line, j, len(ys), vertical=False, names=arterial_names))
    return roads


def _street(town: Settlement, line: LineString, k: int, n: int, vertical: bool, names) -> SourceRoad:
    middle = k == n // 2
    if middle:
        return SourceRoad(line, "arterial" if town.urban else "collector", names[0 if vertical else 1], bridge=True)
    if k % 4 == 0:
        return SourceRoad(line, "collector", f"{town.name}{'纵' if vertical else '横'}{k // 4 + 1}路")
    return SourceRoad(line, "local")


def _seat_roads() -> list[SourceRoad]:
    roads = _grid_roads(SEAT, ("人民路", "解放路"))
    seat_bridges_x = (-2000.0, 0.0, 3000.0)
    out = []
    for r in roads:
        x0, y0, x1, y1 = r.line.bounds
        vertical = x0 == x1
        if vertical and any(abs(x0 - bx) < 1 for bx in seat_bridges_x):
            r.bridge = True
        # Old-town side streets are one-way inside the old town, alternating direction street by street.
        if r.road_class == "local" and r.line.intersects(OLD_TOWN):
            k = int(round((x0 if vertical else y0) / SEAT.street_spacing_m))
            inside = r.line.intersection(OLD_TOWN)
            if k % 2:
                inside = LineString(inside.coords[::-1])
            out.append(SourceRoad(inside, "local", oneway=True))
            outside = r.line.difference(OLD_TOWN)
            out += [SourceRoad(part, "local") for part in getattr(outside, "geoms", [outside])]
        else:
            out.append(r)
    roads = out
    # A ring road around the seat.
    ring = SEAT.area.buffer(700.0, join_style="mitre").exterior
    ring_roads = [SourceRoad(LineString(seg), "arterial", "环城路") for seg in zip(ring.coords[:-1], ring.coords[1:])]
    for rr in ring_roads:
        rr.bridge = True
    return roads + ring_roads


def rural_roads(rng: np.random.Generator, boundary) -> tuple[list[SourceRoad], np.ndarray]:
    """A jittered 1.5 km grid of county and village roads between the settlements."""
    step = 1500.0
    xs = np.arange(-HALF_WIDTH_M, HALF_WIDTH_M + 1, step)
    ys = np.arange(-HALF_HEIGHT_M, HALF_HEIGHT_M + 1, step)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    jitter = rng.uniform(-300.0, 300.0, size=(*gx.shape, 2))
    px, py = gx + jitter[..., 0], gy + jitter[..., 1]
    inside = shapely.contains_xy(boundary, px, py)
    built = [s.area.buffer(300.0) for s in SETTLEMENTS]
    in_town = np.zeros_like(inside)
    for area in built:
        in_town |= shapely.contains_xy(area, px, py)
    keep = np.random.default_rng(rng.integers(1 << 31)).uniform(size=(*gx.shape, 2)) > 0.12
    roads = []
    bridges_x = (-10500.0, 13500.0)
    for i in range(gx.shape[0]):
        for j in range(gx.shape[1]):
            for di, dj, k in ((1, 0, 0), (0, 1, 1)):
                a, b = (i, j), (i + di, j + dj)
                if b[0] >= gx.shape[0] or b[1] >= gx.shape[1]:
                    continue
                if not (inside[a] and inside[b]) or (in_town[a] and in_town[b]) or not keep[i, j, k]:
                    continue
                line = LineString([(px[a], py[a]), (px[b], py[b])])
                main = (i % 3 == 0 and dj) or (j % 3 == 0 and di)
                bridge = bool(dj) and any(abs(gx[a] - bx) < step / 2 for bx in bridges_x) and i % 3 == 0
                roads.append(
                    SourceRoad(line, "collector" if main else "local", "县道" if main else "", bridge=bridge,
                               speed_kmh=None if main else 40.0)
                )
    nodes = np.column_stack([px[inside & ~in_town], py[inside & ~in_town]])
    return roads, nodes


def _radials() -> list[SourceRoad]:
    """Arterial highways from the seat's ring road to each town."""
    roads = []
    for n, town in enumerate(TOWNS):
        tx, ty = town.centre
        start = np.array([np.sign(tx) * 4700.0 if abs(tx) > 3000 else tx * 0.3, np.sign(ty) * 3700.0])
        mid = (start + np.array([tx, ty])) / 2 + np.array([400.0, -300.0]) * (1 if n % 2 else -1)
        line = LineString([tuple(start), tuple(mid), (tx, ty)])
        roads.append(SourceRoad(line, "arterial", f"{town.name[:2]}公路", bridge=True))
    etdz = LineString([(4700.0, 0.0), DEV_ZONE.centre])
    roads.append(SourceRoad(etdz, "arterial", "开发大道", bridge=True))
    return roads


def access_roads(points_xy: np.ndarray, rural_nodes: np.ndarray) -> list[SourceRoad]:
    """A short local road from each rural place (village, plant, yard) to the nearest rural-grid node."""
    from scipy.spatial import cKDTree

    _, idx = cKDTree(rural_nodes).query(points_xy)
    return [
        SourceRoad(LineString([tuple(v), tuple(rural_nodes[k])]), "local", "", speed_kmh=30.0)
        for v, k in zip(points_xy, idx)
        if np.hypot(*(v - rural_nodes[k])) > 1.0
    ]


def node_roads(sources: list[SourceRoad]) -> list[SourceRoad]:
    """Split the roads at every crossing, drop river crossings that are not bridges.

    Each noded piece takes the attributes of the highest-class source road it lies on;
    a one-way piece is turned to run the way its source road runs.
    """
    lines = [s.line for s in sources]
    noded = shapely.unary_union(shapely.MultiLineString(lines))
    pieces = list(noded.geoms) if hasattr(noded, "geoms") else [noded]
    tree = STRtree(lines)
    river = river_line()
    out = []
    for piece in pieces:
        mid = piece.interpolate(0.5, normalized=True)
        hits = tree.query(mid, predicate="dwithin", distance=0.01)
        if len(hits) == 0:
            continue
        src = max((sources[h] for h in hits), key=lambda s: (CLASS_RANK[s.road_class], s.bridge, s.name))
        if not src.bridge and piece.intersects(river):
            continue
        line = piece
        if src.oneway:
            a = src.line.project(Point(piece.coords[0]))
            b = src.line.project(Point(piece.coords[-1]))
            if a > b:
                line = LineString(piece.coords[::-1])
        out.append(SourceRoad(line, src.road_class, src.name, src.oneway, src.bridge, src.speed_kmh))
    return out


def _expressway(ground: list[SourceRoad]) -> list[SourceRoad]:
    """A north–south expressway at x = 10 km, joined to the ground network at two interchanges."""
    from scipy.spatial import cKDTree

    x = 10_000.0
    exits_y = (-8500.0, 0.0, 9000.0)
    ys = [-HALF_HEIGHT_M - 1000.0, *exits_y, HALF_HEIGHT_M + 1000.0]
    roads = [
        SourceRoad(LineString([(x, a), (x, b)]), "expressway", "沈海高速", bridge=True)
        for a, b in zip(ys[:-1], ys[1:])
    ]
    ends = np.array([c for r in ground for c in (r.line.coords[0], r.line.coords[-1])])
    ground_classes = np.repeat([CLASS_RANK[r.road_class] for r in ground], 2)
    major = ends[ground_classes >= 1]
    tree = cKDTree(major)
    for y in exits_y:
        _, k = tree.query([x + 600.0, y])
        roads.append(SourceRoad(LineString([(x, y), tuple(major[k])]), "arterial", "互通匝道", bridge=True))
    return roads


def demo_roads(
    boundary, rural: list[SourceRoad], rural_nodes: np.ndarray, places_xy: np.ndarray
) -> list[SourceRoad]:
    """All roads of the demo county, noded, in the local frame.

    ``rural`` and ``rural_nodes`` come from :func:`rural_roads`; each place in
    ``places_xy`` outside the built-up areas gets an access road to its nearest rural node.
    """
    built = shapely.union_all([s.area.buffer(200.0) for s in SETTLEMENTS])
    places_xy = places_xy[~shapely.contains_xy(built, places_xy[:, 0], places_xy[:, 1])]
    sources = _seat_roads() + _grid_roads(DEV_ZONE, ("开发大道", "经一路"))
    for town in TOWNS:
        sources += _grid_roads(town, (f"{town.name[:2]}大街", f"{town.name[:2]}中路"))
    sources += rural + _radials() + access_roads(places_xy, rural_nodes)
    ground = node_roads(sources)
    # Clip to the county: pieces wholly outside the boundary go.
    ground = [r for r in ground if boundary.buffer(1500.0).intersects(r.line)]
    return ground + _expressway(ground)
