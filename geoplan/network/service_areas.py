"""Service areas (isochrones): the road area a facility reaches within a cutoff.

Method: from each facility's snapped node, Dijkstra up to the cutoff. Every usable
edge whose tail is reached contributes the part of it driven before the cutoff (whole
edges, and the first part of edges the cutoff falls inside, cut along their geometry).
These lines are buffered by ``buffer_m`` (default 75 m, about half a city block's
depth of frontage) and merged into one polygon. The result follows the roads, as a
planner expects on a map, rather than a convex or concave hull that would cover land
the vehicle cannot reach (across a river without a bridge, say).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from layers.errors import GeoplanError

if TYPE_CHECKING:
    from .graph import RoadNetwork


def service_areas(
    network: "RoadNetwork",
    facility_points,
    cutoff_m: float | None = None,
    cutoff_s: float | None = None,
    profile: str = "compression_truck",
    ids: Sequence | None = None,
    buffer_m: float = 75.0,
) -> gpd.GeoDataFrame:
    """One service-area polygon per facility.

    Parameters
    ----------
    network : RoadNetwork
    facility_points : GeoSeries, GeoDataFrame, (n, 2) array or 1-D int array of nodes
    cutoff_m, cutoff_s : float
        Network distance (metres) or driving time (seconds); exactly one.
    profile : str
    ids : sequence, optional
        Facility ids; default the ``id`` column of a GeoDataFrame, else "0", "1", …
    buffer_m : float
        Half-width of the band drawn around reached roads, metres.

    Returns
    -------
    GeoDataFrame
        Columns ``id``, ``cutoff``, ``weight`` ("metres"/"seconds"), ``profile``,
        ``area_m2``, polygon geometry in the network CRS.
    """
    if (cutoff_m is None) == (cutoff_s is None):
        raise GeoplanError("give exactly one of cutoff_m or cutoff_s for service areas")
    weight = "metres" if cutoff_m is not None else "seconds"
    cutoff = float(cutoff_m if cutoff_m is not None else cutoff_s)
    nodes = network.nodes_of(facility_points)
    if ids is None:
        if isinstance(facility_points, gpd.GeoDataFrame) and "id" in facility_points.columns:
            ids = facility_points["id"].astype(str).tolist()
        else:
            ids = [str(i) for i in range(len(nodes))]
    if len(ids) != len(nodes):
        raise GeoplanError(f"{len(ids)} ids given for {len(nodes)} facilities: give one id per facility")

    usable = np.flatnonzero(network.usable_edges(profile))
    w = network.edge_weight(profile, weight)[usable]
    tails = network.edge_u[usable]
    geoms_all = network.edge_geometry[usable]
    graph = network.cost_graph(profile, weight)
    polygons = []
    for node in nodes:
        dist = dijkstra(graph.matrix, directed=True, indices=int(node), limit=cutoff)
        d_tail = dist[tails]
        whole = d_tail + w <= cutoff
        part = (d_tail <= cutoff) & ~whole
        pieces = list(geoms_all[whole])
        for e in np.flatnonzero(part):
            share = (cutoff - d_tail[e]) / w[e] if w[e] > 0 else 1.0
            if share > 0:
                pieces.append(substring(geoms_all[e], 0.0, share, normalized=True))
        pieces.append(shapely.Point(network.node_xy[node]))
        polygons.append(shapely.buffer(shapely.GeometryCollection(pieces), buffer_m, quad_segs=4))
    geometry = np.array(polygons, dtype=object)
    return gpd.GeoDataFrame(
        {
            "id": list(ids),
            "cutoff": cutoff,
            "weight": weight,
            "profile": profile,
            "area_m2": shapely.area(geometry) if len(geometry) else np.empty(0),
        },
        geometry=list(geometry),
        crs=network.crs,
    )
