"""Siting outputs: chosen sites and assignment lines (GeoPackage), a JSON summary, and the plan.

A siting run is written as a plan alternative (:mod:`geoplan.planning.alternatives`):
``sites_<kind>.gpkg`` holds layer ``sites`` (the new sites in the facility kind's schema,
status planned) and layer ``assignment`` (a line from every served demand point to its
site, along the road where the vehicle can drive it); ``sites_<kind>.json`` holds the
result summary; the alternative's ``planned_sites.gpkg`` is the plan with the kind's layer
replaced by the new sites — the plan itself changes only when the alternative is adopted.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

import layers
from optimizers.siting import SitingResult
from geoplan.network.costs import tree_edges
from geoplan.outputs import jsonable, write_text
from geoplan.siting.problem_builder import BuiltProblem


def site_loads(built: BuiltProblem, result: SitingResult) -> np.ndarray:
    """Demand weight assigned to each site (split shares counted where the model splits), kind's unit."""
    load = np.zeros(built.problem.n_site)
    w = built.demand.weight
    if result.allocation:
        for i, j, share in result.allocation:
            load[j] += w[i] * share
        return load
    a = result.assignment
    ok = a >= 0
    np.add.at(load, a[ok], w[ok])
    return load


def sites_layer(built: BuiltProblem, result: SitingResult) -> gpd.GeoDataFrame:
    """The new sites of ``result`` as a layer of the facility kind, status planned."""
    kind = built.kind
    spec = layers.get_kind(kind)
    sites = built.sites
    index = {sid: j for j, sid in enumerate(sites["id"])}
    rows = [index[s] for s in result.new_site_ids]
    load = site_loads(built, result)
    chosen = sites.iloc[rows]
    capacity = chosen["capacity"].to_numpy(dtype=float).copy()
    fixed = chosen["fixed_cost_yuan"].to_numpy(dtype=float).copy()
    classes = built.problem.capacity_classes
    for k, sid in enumerate(chosen["id"]):
        if sid in result.capacity_class and classes is not None:
            c = list(classes.names).index(result.capacity_class[sid])
            capacity[k] = classes.capacity[c]
            fixed[k] += classes.cost_matrix(built.problem.n_site)[rows[k], c]
    # a site without a design capacity is sized to what it serves (at least 0.1 of the unit)
    no_cap = ~np.isfinite(capacity)
    capacity[no_cap] = np.maximum(np.ceil(load[rows][no_cap] * 10) / 10, 0.1)
    out = gpd.GeoDataFrame({
        "id": chosen["id"].to_numpy(), "name": chosen["name"].to_numpy(), "status": "planned",
    }, geometry=chosen.geometry.to_numpy(), crs=sites.crs)
    if spec.capacity_field:
        out[spec.capacity_field] = capacity
    if kind == "transfer_stations":
        out["station_class"] = [layers.station_class(c) for c in capacity]
    if kind == "film_recycling_stations":
        out["level"] = "township"
    out["fixed_cost_yuan"] = fixed
    out["load"] = np.round(load[rows], 4)
    out["fused_with"] = chosen["fused_with"].to_numpy(dtype=object)
    out.attrs["kind"] = kind
    return out


def _road_line(network, graph, pred_row: np.ndarray, start: int, end: int, a, b) -> LineString | None:
    nodes = [start]
    while nodes[-1] != end:
        nxt = pred_row[nodes[-1]]
        if nxt < 0 or len(nodes) > len(pred_row):
            return None
        nodes.append(int(nxt))
    parts = [np.asarray([a.coords[0]])]
    if len(nodes) > 1:
        arr = np.asarray(nodes, dtype=np.int64)
        for e in tree_edges(graph, arr[:-1], arr[1:]):
            parts.append(shapely.get_coordinates(network.edge_geometry[e]))
    parts.append(np.asarray([b.coords[0]]))
    return LineString(np.concatenate(parts))


def assignment_lines(built: BuiltProblem, result: SitingResult, network=None) -> gpd.GeoDataFrame:
    """A line from every served demand point to its site, along the road where the profile can drive it.

    One reverse Dijkstra per used site gives every demand point's path to it; a pair
    the network does not join is drawn straight.
    """
    a = result.assignment
    points = built.demand.points
    sites = built.sites
    costs = built.demand_costs()
    graph = network.cost_graph(built.profile, "metres") if network is not None else None
    reverse = graph.matrix.T.tocsr() if graph is not None else None
    records, geoms = [], []
    for j in np.unique(a[a >= 0]):
        members = np.flatnonzero(a == j)
        pred = None
        if reverse is not None:
            _, pred = dijkstra(reverse, directed=True, indices=int(built.site_nodes[j]), return_predecessors=True)
        for i in members:
            p, s = points.geometry.iloc[i], sites.geometry.iloc[j]
            line = None
            if pred is not None:
                line = _road_line(network, graph, pred, int(built.demand_nodes[i]), int(built.site_nodes[j]), p, s)
            geoms.append(line if line is not None else LineString([p.coords[0], s.coords[0]]))
            records.append({
                "demand_id": points["id"].iloc[i], "demand_name": points["name"].iloc[i],
                "demand_kind": points["source_kind"].iloc[i], "site_id": sites["id"].iloc[j],
                "site_name": sites["name"].iloc[j], "site_status": "planned" if built.problem.is_new[j] else "existing",
                "weight": float(points["weight"].iloc[i]),
                "travel_m": round(float(costs[i, j]), 1) if np.isfinite(costs[i, j]) else None,
                "along_road": line is not None,
            })
    frame = pd.DataFrame(records, columns=["demand_id", "demand_name", "demand_kind", "site_id", "site_name",
                                           "site_status", "weight", "travel_m", "along_road"])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=sites.crs)


def write_outputs(folder: Path, kind: str, sites: gpd.GeoDataFrame, lines: gpd.GeoDataFrame,
                  summary: dict) -> dict[str, Path]:
    """Write ``sites_<kind>.gpkg`` (layers ``sites`` and ``assignment``) and ``sites_<kind>.json``
    into ``folder`` (an alternative being written); returns the paths by name."""
    folder = Path(folder)
    gpkg = folder / f"sites_{kind}.gpkg"
    layers.write_layers({"sites": sites, "assignment": lines}, gpkg)
    js = write_text(folder / f"sites_{kind}.json", json.dumps(jsonable(summary), ensure_ascii=False, indent=2) + "\n")
    return {"sites": gpkg, "summary": js}
