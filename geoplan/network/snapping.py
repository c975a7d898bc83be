"""Snap points to the road network: to the nearest road a vehicle may use, and how far they moved.

A point is attached to the nearest *edge* its vehicle profile may drive (never to an
expressway, viaduct or tunnel the vehicle is barred from): the straight stretch from the
point to its projection on that edge, then along the edge to either end. The nearest node
is kept too, for the node-based uses (a station placed at a node, route stops).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from scipy.spatial import cKDTree

from layers.errors import GeoplanError, Issue


@dataclass(frozen=True)
class SnapResult:
    """Where each point meets the road network.

    Attributes
    ----------
    node : ndarray of int64, shape (n,)
        Nearest node: with a profile, the nearer end of the edge the point is attached to;
        without, the nearest node of the whole network.
    distance_m : ndarray of float64, shape (n,)
        Straight-line distance from the point to ``node``, metres.
    road_distance_m : ndarray of float64, shape (n,), optional
        Straight-line distance to the nearest road the profile may use (any road without a
        profile), metres: how far the point lies from the network, whatever the node spacing.
    edge : ndarray of int64, shape (n,), optional
        The edge the point is attached to (with a profile), -1 where none.
    along : ndarray of float64, shape (n,), optional
        Where on ``edge`` the point's projection lies, 0 (its tail) to 1 (its head).
    profile : str or None
        The vehicle profile the edges were chosen for.
    """

    node: np.ndarray
    distance_m: np.ndarray
    road_distance_m: np.ndarray | None = None
    edge: np.ndarray | None = None
    along: np.ndarray | None = None
    profile: str | None = None

    @property
    def stretch_m(self) -> np.ndarray:
        """The straight stretch from each point to the road it is attached to, metres."""
        if self.edge is not None and self.road_distance_m is not None:
            return self.road_distance_m
        return self.distance_m


def point_coordinates(points, crs: CRS) -> np.ndarray:
    """(n, 2) coordinates in ``crs`` from a GeoSeries/GeoDataFrame of points or an (n, 2) array.

    Geo inputs in another CRS are reprojected; inputs without a CRS are refused.
    """
    if isinstance(points, (gpd.GeoSeries, gpd.GeoDataFrame)):
        geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        if geoms.crs is None:
            raise GeoplanError("points have no CRS: set it (e.g. EPSG:4549) before snapping them to the road network")
        if not geoms.crs.equals(crs):
            geoms = geoms.to_crs(crs)
        if len(geoms) and not (geoms.geom_type == "Point").all():
            bad = sorted(set(geoms.geom_type[geoms.geom_type != "Point"].astype(str)))
            raise GeoplanError(f"only points can be snapped to the road network, found {', '.join(bad)}")
        if len(geoms) == 0:
            return np.empty((0, 2))
        return np.column_stack([geoms.x.to_numpy(), geoms.y.to_numpy()])
    xy = np.asarray(points, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise GeoplanError(f"points must be an (n, 2) array of x, y in metres, got shape {xy.shape}")
    return xy


def snap_to_nodes(tree: cKDTree, xy: np.ndarray) -> SnapResult:
    """Nearest node of each coordinate pair (ties go to the lowest node index)."""
    if len(xy) == 0:
        return SnapResult(node=np.empty(0, dtype=np.int64), distance_m=np.empty(0))
    check_finite(xy)
    distance, node = tree.query(xy, k=1)
    return SnapResult(node=np.asarray(node, dtype=np.int64), distance_m=np.asarray(distance, dtype=np.float64))


def check_finite(xy: np.ndarray) -> None:
    if not np.isfinite(xy).all():
        raise GeoplanError("some points have empty or non-finite coordinates: fix their geometry before snapping")


def snap_to_edges(xy: np.ndarray, edge_ids: np.ndarray, tree: shapely.STRtree, geometry: np.ndarray,
                  node_xy: np.ndarray, edge_u: np.ndarray, edge_v: np.ndarray, profile: str) -> SnapResult:
    """Attach each point to its nearest edge among ``edge_ids`` (the STRtree of their geometries).

    Ties go to the lowest edge index. ``node`` is the nearer end of the edge.
    """
    n = len(xy)
    if n == 0:
        empty = np.empty(0)
        return SnapResult(np.empty(0, np.int64), empty, empty, np.empty(0, np.int64), empty, profile)
    check_finite(xy)
    pts = shapely.points(xy)
    (which, hit), dist = tree.query_nearest(pts, return_distance=True, all_matches=True)
    # all equally near edges come back: keep the lowest edge index per point
    order = np.lexsort((edge_ids[hit], which))
    first = order[np.r_[True, which[order][1:] != which[order][:-1]]]
    edge = np.full(n, -1, dtype=np.int64)
    road_m = np.full(n, np.inf)
    edge[which[first]] = edge_ids[hit[first]]
    road_m[which[first]] = dist[first]
    along = np.zeros(n)
    ok = edge >= 0
    along[ok] = shapely.line_locate_point(geometry[edge[ok]], pts[ok], normalized=True)
    ends = np.where(along < 0.5, edge_u[np.maximum(edge, 0)], edge_v[np.maximum(edge, 0)])
    node_m = np.hypot(*(xy - node_xy[ends]).T)
    return SnapResult(ends.astype(np.int64), node_m, road_m, edge, along, profile)


def issues_for_snap(
    snap: SnapResult, row_ids: list[str], file: str, layer: str, max_snap_m: float, who: str = ""
) -> list[Issue]:
    """One error :class:`Issue` per point that lies farther than ``max_snap_m`` from the network.

    The distance is to the nearest road (the profile's, when snapped for one) when known,
    else to the nearest node.
    """
    issues = []
    distances = snap.road_distance_m if snap.road_distance_m is not None else snap.distance_m
    by = f" {who}" if who else ""
    for rid, dist in zip(row_ids, distances):
        if dist > max_snap_m:
            issues.append(
                Issue(
                    file=file,
                    layer=layer,
                    row_id=rid,
                    field="geometry",
                    problem=f"point lies {dist:,.0f} m from the nearest road{by} (limit {max_snap_m:,.0f} m) / "
                            f"距路网 {dist:,.0f} 米",
                    fix="check its coordinates (CRS, swapped x/y, GCJ-02 offset) or add the road that serves it to the road network",
                    severity="error",
                )
            )
    return issues
