"""Build the edge table from a roads line layer.

Lines are split into edges at every vertex shared with another line (or used twice by
the same line) and at line ends. Lines that cross without a shared vertex — a bridge
over a river, an expressway over a local road — are not connected. Two-way lines give
an edge in each direction; one-way lines give one edge in drawing direction.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import GeoplanError

from .edge_table import TAG_BITS, EdgeTable
from .profiles import ROAD_CLASSES

#: Vertices closer than this are the same node (coordinates are rounded to it), metres.
NODE_TOLERANCE_M = 1e-3


def check_metric_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> None:
    """Raise :class:`GeoplanError` unless ``gdf`` has a projected CRS in metres."""
    if gdf.crs is None:
        raise GeoplanError(f"{what} has no CRS: set it (e.g. EPSG:4549 for 120°E) before building the road network")
    if not gdf.crs.is_projected:
        raise GeoplanError(
            f"{what} is in geographic CRS {gdf.crs.to_string()}: project it to a metric CRS "
            "(CGCS2000 Gauss-Krüger, e.g. EPSG:4549) first"
        )
    unit = gdf.crs.axis_info[0].unit_name if gdf.crs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise GeoplanError(f"{what} CRS {gdf.crs.to_string()} is in {unit}: use a CRS in metres")


def _road_class_codes(values: pd.Series, row_ids: pd.Series) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(ROAD_CLASSES)}
    codes = values.map(lookup)
    bad = codes.isna()
    if bad.any():
        first = [f"{rid}: {val!r}" for rid, val in zip(row_ids[bad][:5], values[bad][:5])]
        raise GeoplanError(
            f"roads layer: road_class must be one of {', '.join(ROAD_CLASSES)}; "
            f"{int(bad.sum())} rows are not ({'; '.join(first)})"
        )
    return codes.to_numpy(dtype=np.int8)


def _oneway_flags(values: pd.Series) -> np.ndarray:
    if values.dtype == bool:
        return values.to_numpy()
    text = values.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "yes", "y", "t"]).to_numpy()


def edges_from_roads(roads: gpd.GeoDataFrame) -> EdgeTable:
    """Split a roads line layer into directed edges.

    Parameters
    ----------
    roads : GeoDataFrame
        Lines (LineString or MultiLineString) in a projected metric CRS with a
        ``road_class`` column (one of :data:`ROAD_CLASSES`), and optionally
        ``speed_kmh`` (speed limit, km/h; empty = none), ``oneway`` (bool; a one-way
        line is driven in drawing direction), ``elevated`` and ``tunnel`` (bool),
        ``max_weight_t`` (weight limit), ``name`` and ``id``.

    Returns
    -------
    EdgeTable
    """
    check_metric_crs(roads, "roads layer")
    if "road_class" not in roads.columns:
        raise GeoplanError("roads layer has no road_class column: add one (expressway, arterial, collector or local)")
    roads = roads[~(roads.geometry.isna() | roads.geometry.is_empty)]
    kinds = set(roads.geom_type.unique())
    if not kinds <= {"LineString", "MultiLineString"}:
        raise GeoplanError(f"roads layer must hold lines, found {', '.join(sorted(kinds))}")
    lines = roads.explode(index_parts=False).reset_index(drop=True)
    if len(lines) == 0:
        raise GeoplanError("roads layer has no lines: add the roads the vehicles drive on")

    row_ids = lines["id"].astype(str) if "id" in lines.columns else pd.Series(lines.index.astype(str))
    class_code = _road_class_codes(lines["road_class"], row_ids)
    if "speed_kmh" in lines.columns:
        cap = pd.to_numeric(lines["speed_kmh"], errors="coerce").to_numpy(dtype=np.float64, copy=True)
        cap[~(cap > 0)] = np.nan
    else:
        cap = np.full(len(lines), np.nan)
    oneway = _oneway_flags(lines["oneway"]) if "oneway" in lines.columns else np.zeros(len(lines), bool)

    coords, line_of = shapely.get_coordinates(lines.geometry.values, return_index=True)
    coords = np.round(coords / NODE_TOLERANCE_M) * NODE_TOLERANCE_M
    # Drop repeated consecutive vertices within a line.
    keep = np.ones(len(coords), bool)
    keep[1:] = ~((line_of[1:] == line_of[:-1]) & np.all(coords[1:] == coords[:-1], axis=1))
    coords, line_of = coords[keep], line_of[keep]

    vertex_key, vertex_of = np.unique(coords, axis=0, return_inverse=True)
    vertex_of = vertex_of.ravel()
    first = np.ones(len(coords), bool)
    first[1:] = line_of[1:] != line_of[:-1]
    last = np.ones(len(coords), bool)
    last[:-1] = line_of[1:] != line_of[:-1]
    shared = np.bincount(vertex_of, minlength=len(vertex_key)) >= 2
    is_node = first | last | shared[vertex_of]

    # Segments join consecutive vertices of one line; a new edge starts at each node.
    seg_start = np.flatnonzero(~last)
    edge_of_seg = np.cumsum(is_node[seg_start]) - 1
    n_edges = int(edge_of_seg[-1]) + 1 if len(seg_start) else 0
    if n_edges == 0:
        raise GeoplanError("roads layer has no line with two distinct points")
    seg_is_edge_end = np.ones(len(seg_start), bool)
    seg_is_edge_end[:-1] = edge_of_seg[1:] != edge_of_seg[:-1]
    pos = np.concatenate([seg_start, seg_start[seg_is_edge_end] + 1])
    owner = np.concatenate([edge_of_seg, edge_of_seg[seg_is_edge_end]])
    order = np.lexsort((pos, owner))
    pos, owner = pos[order], owner[order]
    geometry = shapely.linestrings(coords[pos], indices=owner)

    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    ends = np.r_[starts[1:] - 1, len(owner) - 1]
    node_vertices = np.unique(vertex_of[is_node])
    node_index = np.full(len(vertex_key), -1, dtype=np.int64)
    node_index[node_vertices] = np.arange(len(node_vertices))
    line_of_edge = line_of[pos[starts]]

    table = EdgeTable(
        node_xy=vertex_key[node_vertices].astype(np.float64),
        u=node_index[vertex_of[pos[starts]]],
        v=node_index[vertex_of[pos[ends]]],
        length_m=shapely.length(geometry),
        road_class=class_code[line_of_edge],
        speed_cap_kmh=cap[line_of_edge],
        geometry=geometry,
        tags=_tags(lines)[line_of_edge],
        max_weight_t=_numbers(lines, "max_weight_t")[line_of_edge],
        name=_names(lines)[line_of_edge],
    )
    return table.with_reverse(~oneway[line_of_edge])


def _numbers(lines: gpd.GeoDataFrame, column: str) -> np.ndarray:
    if column not in lines.columns:
        return np.full(len(lines), np.nan)
    values = pd.to_numeric(lines[column], errors="coerce").to_numpy(dtype=np.float64, copy=True)
    values[~(values > 0)] = np.nan
    return values


def _names(lines: gpd.GeoDataFrame) -> np.ndarray:
    if "name" not in lines.columns:
        return np.full(len(lines), "", dtype=object)
    return lines["name"].fillna("").astype(str).to_numpy(dtype=object)


def _tags(lines: gpd.GeoDataFrame) -> np.ndarray:
    """Tag bits from a roads layer's optional ``elevated`` and ``tunnel`` columns."""
    bits = np.zeros(len(lines), dtype=np.uint8)
    for column in ("elevated", "tunnel"):
        if column in lines.columns:
            bits[_oneway_flags(lines[column].fillna(False))] |= TAG_BITS[column]
    return bits
