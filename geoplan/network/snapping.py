"""Snap points to the nearest network node and report how far they moved."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from pyproj import CRS
from scipy.spatial import cKDTree

from layers.errors import GeoplanError, Issue


@dataclass(frozen=True)
class SnapResult:
    """Nearest network node of each point.

    Attributes
    ----------
    node : ndarray of int64, shape (n,)
        Index of the nearest node.
    distance_m : ndarray of float64, shape (n,)
        Straight-line distance from the point to that node, metres.
    road_distance_m : ndarray of float64, shape (n,), optional
        Straight-line distance from the point to the nearest road (any point of an edge),
        metres: how far the point lies from the network, whatever the node spacing.
    """

    node: np.ndarray
    distance_m: np.ndarray
    road_distance_m: np.ndarray | None = None


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
    if not np.isfinite(xy).all():
        raise GeoplanError("some points have empty or non-finite coordinates: fix their geometry before snapping")
    distance, node = tree.query(xy, k=1)
    return SnapResult(node=np.asarray(node, dtype=np.int64), distance_m=np.asarray(distance, dtype=np.float64))


def issues_for_snap(
    snap: SnapResult, row_ids: list[str], file: str, layer: str, max_snap_m: float
) -> list[Issue]:
    """One error :class:`Issue` per point that lies farther than ``max_snap_m`` from the network.

    The distance is to the nearest road when known (``road_distance_m``), else to the nearest node.
    """
    issues = []
    distances = snap.road_distance_m if snap.road_distance_m is not None else snap.distance_m
    for rid, dist in zip(row_ids, distances):
        if dist > max_snap_m:
            issues.append(
                Issue(
                    file=file,
                    layer=layer,
                    row_id=rid,
                    field="geometry",
                    problem=f"point lies {dist:,.0f} m from the nearest road (limit {max_snap_m:,.0f} m) / 距路网 {dist:,.0f} 米",
                    fix="check its coordinates (CRS, swapped x/y, GCJ-02 offset) or add the road that serves it to the road network",
                    severity="error",
                )
            )
    return issues
