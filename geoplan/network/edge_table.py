"""The directed edge table every road source is turned into before a network is built."""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import shapely

#: Road tags a vehicle profile may be barred from, with the bit each sets in ``EdgeTable.tags``.
TAG_BITS = MappingProxyType({
    "elevated": 1,   # 高架: viaducts and bridges carrying expressways
    "tunnel": 2,     # 隧道
    "private": 4,    # access=private: compound and factory roads
    "no_hgv": 8,     # hgv=no: closed to heavy goods vehicles
    "bridge": 16,    # any other bridge (kept, for reports)
})
#: Planner-facing labels of the tags.
TAG_LABELS = MappingProxyType({"elevated": "高架 / elevated", "tunnel": "隧道 / tunnel", "private": "专用/内部道路 / private",
                               "no_hgv": "禁止货车 / no heavy goods vehicles", "bridge": "桥梁 / bridge"})


def _none(n: int, value, dtype) -> np.ndarray:
    return np.full(n, value, dtype=dtype)


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
    tags : ndarray of uint8, shape (m,), optional
        Bits of :data:`TAG_BITS` (elevated, tunnel, private …); 0 where none is known.
    max_weight_t : ndarray of float64, shape (m,), optional
        The edge's weight limit, tonnes (OSM ``maxweight``); NaN where none.
    name : ndarray of object, shape (m,), optional
        Street name ("" where unnamed).
    """

    node_xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    road_class: np.ndarray
    speed_cap_kmh: np.ndarray
    geometry: np.ndarray
    node_source_id: np.ndarray | None = None
    tags: np.ndarray | None = None
    max_weight_t: np.ndarray | None = None
    name: np.ndarray | None = None

    def __post_init__(self) -> None:
        m = len(self.u)
        if self.tags is None:
            self.tags = _none(m, 0, np.uint8)
        if self.max_weight_t is None:
            self.max_weight_t = _none(m, np.nan, np.float64)
        if self.name is None:
            self.name = _none(m, "", object)

    #: Per-edge arrays.
    EDGE_ARRAYS = ("u", "v", "length_m", "road_class", "speed_cap_kmh", "geometry", "tags", "max_weight_t", "name")

    def edges(self, keep: np.ndarray) -> "EdgeTable":
        """The edges where ``keep`` (bool or indices) holds, nodes unchanged."""
        idx = np.flatnonzero(keep) if np.asarray(keep).dtype == bool else np.asarray(keep)
        return replace(self, **{k: getattr(self, k)[idx] for k in self.EDGE_ARRAYS})

    def subset(self, node_keep: np.ndarray) -> "EdgeTable":
        """Keep the nodes where ``node_keep`` is True and the edges between them."""
        new_index = np.full(len(node_keep), -1, dtype=np.int64)
        new_index[node_keep] = np.arange(int(node_keep.sum()))
        out = self.edges(node_keep[self.u] & node_keep[self.v])
        out.u, out.v = new_index[out.u], new_index[out.v]
        out.node_xy = self.node_xy[node_keep]
        out.node_source_id = None if self.node_source_id is None else self.node_source_id[node_keep]
        return out

    def with_reverse(self, two_way: np.ndarray) -> "EdgeTable":
        """Add the opposite direction of every edge where ``two_way`` is True."""
        idx = np.flatnonzero(two_way)
        parts = {k: np.concatenate([getattr(self, k), getattr(self, k)[idx]]) for k in self.EDGE_ARRAYS}
        parts["u"] = np.concatenate([self.u, self.v[idx]])
        parts["v"] = np.concatenate([self.v, self.u[idx]])
        parts["geometry"] = np.concatenate([self.geometry, shapely.reverse(self.geometry[idx])])
        return replace(self, **parts)
