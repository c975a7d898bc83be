"""Cut a network's roads where points meet them, so routes stop on the street, not at a junction."""

from __future__ import annotations

import numpy as np
import shapely

from .edge_table import EdgeTable


def _node_ids(network) -> np.ndarray:
    ids = network.node_source_id
    return np.arange(network.n_nodes, dtype=np.int64) + 1 if ids is None else np.asarray(ids, dtype=np.int64)


def split_edges(network, snap, end_m: float) -> tuple[EdgeTable, np.ndarray]:
    """The network's edge table with every snapped edge (and its opposite) cut at the points on it.

    Returns the table and, per point, the source id of its node (a new node gets a negative id).
    """
    ids = _node_ids(network)
    e, t = snap.edge, snap.along
    rev = network.edge_reverse[e]
    # one position per road: on the lower-numbered of an edge and its opposite
    flip = (rev >= 0) & (rev < e)
    road = np.where(flip, rev, e)
    pos = np.where(flip, 1.0 - t, t)
    length = network.edge_length_m[road]
    at_tail, at_head = pos * length <= end_m, (1.0 - pos) * length <= end_m
    point_id = np.where(at_tail, ids[network.edge_u[road]], ids[network.edge_v[road]])
    cut = ~(at_tail | at_head)
    new_xy, new_ids, pieces = [], [], {}
    next_id = min(-1, int(ids.min()) - 1)
    for r in np.unique(road[cut]):
        mine = np.flatnonzero(cut & (road == r))
        positions, inverse = np.unique(np.round(pos[mine] * length[mine] * 100) / 100, return_inverse=True)
        node_ids = np.arange(next_id, next_id - len(positions), -1)
        next_id -= len(positions)
        geom = network.edge_geometry[r]
        new_xy += [shapely.get_coordinates(geom.interpolate(p))[0] for p in positions]
        new_ids += node_ids.tolist()
        point_id[mine] = node_ids[inverse]
        pieces[int(r)] = (positions, node_ids)
    node_xy = np.vstack([network.node_xy, np.array(new_xy).reshape(-1, 2)])
    all_ids = np.r_[ids, np.array(new_ids, dtype=np.int64)]
    index = {int(i): k for k, i in enumerate(all_ids)}
    return _cut_table(network, pieces, node_xy, all_ids, index), point_id


def _cut_table(network, pieces: dict, node_xy: np.ndarray, all_ids: np.ndarray, index: dict) -> EdgeTable:
    """The edge table with each road in ``pieces`` replaced by its pieces, both directions."""
    keep = np.ones(network.n_edges, bool)
    add = {k: [] for k in ("u", "v", "geometry", "source")}
    for r, (positions, node_ids) in pieces.items():
        for edge, forward in ((r, True), (int(network.edge_reverse[r]), False)):
            if edge < 0:
                continue
            keep[edge] = False
            geom, length = network.edge_geometry[edge], network.edge_length_m[edge]
            cuts = positions if forward else (length - positions)[::-1]
            inner = [index[int(i)] for i in (node_ids if forward else node_ids[::-1])]
            stops = [0.0, *cuts.tolist(), float(length)]
            ends = [int(network.edge_u[edge]), *inner, int(network.edge_v[edge])]
            for k in range(len(stops) - 1):
                add["u"].append(ends[k])
                add["v"].append(ends[k + 1])
                add["geometry"].append(shapely.ops.substring(geom, stops[k], stops[k + 1]))
                add["source"].append(edge)
    src = np.r_[np.flatnonzero(keep), np.array(add["source"], dtype=np.int64)]
    geometry = np.r_[network.edge_geometry[keep], np.array(add["geometry"], dtype=object)]
    return EdgeTable(
        node_xy=node_xy,
        u=np.r_[network.edge_u[keep], np.array(add["u"], dtype=np.int64)],
        v=np.r_[network.edge_v[keep], np.array(add["v"], dtype=np.int64)],
        length_m=shapely.length(geometry),
        road_class=network.edge_road_class[src],
        speed_cap_kmh=network.edge_speed_cap_kmh[src],
        geometry=geometry,
        node_source_id=all_ids,
        tags=network.edge_tags[src],
        max_weight_t=network.edge_max_weight_t[src],
        name=network.edge_name[src],
    )
