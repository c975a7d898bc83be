"""The directed edge table every road source is turned into before a network is built."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely


@dataclass
class EdgeTable:
    """Directed road edges with node coordinates, all in one projected metric CRS.

    Attributes
    ----------
    node_xy : ndarray, shape (n, 2)
        Node coordinates in metres.
    u, v : ndarray of int64, shape (m,)
        Tail and head node index of each directed edge.
    length_m : ndarray of float64, shape (m,)
        Edge length along its geometry, metres.
    road_class : ndarray of int8, shape (m,)
        Index into :data:`geoplan.network.profiles.ROAD_CLASSES`.
    speed_cap_kmh : ndarray of float64, shape (m,)
        The edge's own speed limit in km/h; NaN where none is known.
    geometry : ndarray of shapely LineString, shape (m,)
        Edge geometry, drawn from ``u`` to ``v``.
    node_source_id : ndarray of int64, shape (n,), optional
        Identifier of the node in its source (OSM node id); None for roads layers.
    """

    node_xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    road_class: np.ndarray
    speed_cap_kmh: np.ndarray
    geometry: np.ndarray
    node_source_id: np.ndarray | None = None

    def subset(self, node_keep: np.ndarray) -> "EdgeTable":
        """Keep the nodes where ``node_keep`` is True and the edges between them."""
        new_index = np.full(len(node_keep), -1, dtype=np.int64)
        new_index[node_keep] = np.arange(int(node_keep.sum()))
        edge_keep = node_keep[self.u] & node_keep[self.v]
        return EdgeTable(
            node_xy=self.node_xy[node_keep],
            u=new_index[self.u[edge_keep]],
            v=new_index[self.v[edge_keep]],
            length_m=self.length_m[edge_keep],
            road_class=self.road_class[edge_keep],
            speed_cap_kmh=self.speed_cap_kmh[edge_keep],
            geometry=self.geometry[edge_keep],
            node_source_id=None if self.node_source_id is None else self.node_source_id[node_keep],
        )

    def with_reverse(self, two_way: np.ndarray) -> "EdgeTable":
        """Add the opposite direction of every edge where ``two_way`` is True."""
        idx = np.flatnonzero(two_way)
        return EdgeTable(
            node_xy=self.node_xy,
            u=np.concatenate([self.u, self.v[idx]]),
            v=np.concatenate([self.v, self.u[idx]]),
            length_m=np.concatenate([self.length_m, self.length_m[idx]]),
            road_class=np.concatenate([self.road_class, self.road_class[idx]]),
            speed_cap_kmh=np.concatenate([self.speed_cap_kmh, self.speed_cap_kmh[idx]]),
            geometry=np.concatenate([self.geometry, shapely.reverse(self.geometry[idx])]),
            node_source_id=self.node_source_id,
        )
