"""Candidate sites generated on the road network, for a kind the planner has given none of.

A candidate is a road node the kind's vehicles can drive to and from (the largest part of
the network their profile may use), inside the districts, outside restricted zones and
water, at least ``spacing_m`` from every other candidate and from the kind's existing
sites. Junctions come first (they serve more directions), so the layer is the same for the
same network every time. Each gets the kind's default building cost, capacity and land
need from ``[new_sites.<kind>]`` (defaults :data:`geoplan.standards.FACILITY_DEFAULTS`), marked as the assumptions they are;
``geoplan candidates`` writes them to ``candidates.gpkg`` for the planner to edit.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import layers
from layers.errors import GeoplanError
from geoplan.scenario import GENERATED_CANDIDATES_FILE, Scenario
from geoplan.standards import CANDIDATE_SPACING_M, FACILITY_DEFAULTS, SERVICE_PROFILES

ORIGIN = "generated"


def _thin(xy: np.ndarray, order: np.ndarray, spacing_m: float, taken: np.ndarray) -> list[int]:
    """Nodes (in ``order``) kept at least ``spacing_m`` from each other and from the points ``taken``."""
    cells: dict[tuple[int, int], list[np.ndarray]] = {}

    def cell(p):
        return int(np.floor(p[0] / spacing_m)), int(np.floor(p[1] / spacing_m))

    def near(p) -> bool:
        cx, cy = cell(p)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for q in cells.get((cx + dx, cy + dy), ()):
                    if (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 < spacing_m ** 2:
                        return True
        return False

    for p in taken:
        cells.setdefault(cell(p), []).append(p)
    kept = []
    for i in order:
        p = xy[i]
        if not near(p):
            cells.setdefault(cell(p), []).append(p)
            kept.append(int(i))
    return kept


def water_areas(scenario: Scenario) -> gpd.GeoDataFrame | None:
    """The scenario's ``water`` layer, or else the water areas of its OSM road source."""
    if "water" in scenario.layers:
        return scenario.layers["water"]
    source = scenario.folder / scenario.network_settings.source
    if "roads" not in scenario.layer_sources and source.suffix.lower() in (".osm", ".xml", ".pbf") and source.exists():
        from geoplan.network.osm import water_from_osm

        return water_from_osm(source, scenario.metric_epsg)
    return None


def _excluded_areas(scenario: Scenario) -> shapely.Geometry | None:
    parts = []
    for gdf in (scenario.layers.get("restricted_zones"), water_areas(scenario)):
        if gdf is not None and len(gdf):
            parts.append(shapely.union_all(gdf.to_crs(scenario.metric_epsg).geometry.to_numpy()))
    return shapely.union_all(parts) if parts else None


def default_spacing_m(scenario: Scenario, kind: str) -> float:
    """:data:`~geoplan.standards.CANDIDATE_SPACING_M`, or half the kind's service radius when that is
    shorter (a walking-distance drop-off point needs candidates closer together)."""
    radius = scenario.standards.values.get(kind, {}).get("service_radius_m")
    return min(CANDIDATE_SPACING_M, radius / 2.0) if radius else CANDIDATE_SPACING_M


def generate_candidates(scenario: Scenario, kind: str, spacing_m: float | None = None) -> gpd.GeoDataFrame:
    """Candidate sites of ``kind`` on the scenario's road network (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
    kind : str
        A facility kind of :data:`~geoplan.standards.FACILITY_DEFAULTS`.
    spacing_m : float, optional
        Least distance between candidates (and to the kind's existing sites), metres;
        default :func:`default_spacing_m`.

    Returns
    -------
    GeoDataFrame
        The ``candidate_sites`` schema (``origin`` = ``"generated"``, ``land_m2``), metric CRS.

    Raises
    ------
    GeoplanError
        An unknown kind, a spacing ≤ 0, or no road node left to put a site on.
    """
    if kind not in FACILITY_DEFAULTS:
        raise GeoplanError(f"no candidate sites can be generated for {kind!r} — use one of {', '.join(FACILITY_DEFAULTS)}")
    spacing_m = default_spacing_m(scenario, kind) if spacing_m is None else spacing_m
    if not spacing_m > 0:
        raise GeoplanError(f"--spacing-m must be a positive number of metres, got {spacing_m!r}")
    net = scenario.road_network
    profile = SERVICE_PROFILES[kind]
    ok = net.main_nodes(profile).copy()
    xy = net.node_xy
    districts = scenario.layers.get("districts")
    if districts is not None and len(districts):
        area = shapely.union_all(districts.to_crs(net.crs).geometry.to_numpy())
        ok &= shapely.contains_xy(area, xy[:, 0], xy[:, 1])
    excluded = _excluded_areas(scenario)
    if excluded is not None:
        ok &= ~shapely.contains_xy(excluded, xy[:, 0], xy[:, 1])
    if not ok.any():
        raise GeoplanError(f"no road node inside the districts and outside restricted zones and water that "
                           f"{net.profile(profile).label} can reach — check the districts and the road network")
    degree = np.bincount(np.r_[net.edge_u, net.edge_v], minlength=net.n_nodes)
    nodes = np.flatnonzero(ok)
    order = nodes[np.lexsort((nodes, -degree[nodes]))]
    have = scenario.layers.get(kind)
    taken = shapely.get_coordinates(have.to_crs(net.crs).geometry.to_numpy()) if have is not None and len(have) \
        else np.empty((0, 2))
    kept = _thin(xy, order, float(spacing_m), taken)
    street = _street_names(net, np.asarray(kept, dtype=np.int64))
    spec = layers.get_kind(kind)
    d = scenario.new_sites[kind]
    prefix = "".join(w[0] for w in kind.split("_")).upper()
    used = set(scenario.layers["candidate_sites"]["id"].astype(str)) if "candidate_sites" in scenario.layers else set()
    ids, k = [], 0
    while len(ids) < len(kept):
        k += 1
        sid = f"GEN-{prefix}{k:04d}"
        if sid not in used:
            ids.append(sid)
    return gpd.GeoDataFrame({
        "id": ids,
        "name": [f"{s or spec.label_zh}备选点 {i[-4:]} / generated site" for s, i in zip(street, ids)],
        "facility_kind": kind,
        "fixed_cost_yuan": d.fixed_cost_yuan,
        "capacity": d.capacity,
        "land_m2": d.land_m2,
        "origin": ORIGIN,
    }, geometry=gpd.points_from_xy(xy[kept, 0], xy[kept, 1]), crs=net.crs)


def _street_names(net, nodes: np.ndarray) -> list[str]:
    """A street name at each node (of an edge leaving it), "" where none is named."""
    first: dict[int, str] = {}
    for u, name in zip(net.edge_u.tolist(), net.edge_name.tolist()):
        if name and u not in first:
            first[u] = name.split(";")[0]
    return [first.get(int(n), "") for n in nodes]


def assumptions(scenario: Scenario, kind: str) -> list[str]:
    """The defaults a generated site of ``kind`` carries, with their sources (for notes and reports)."""
    d = scenario.new_sites[kind]
    unit = {k: v.unit for k, v in FACILITY_DEFAULTS[kind].items()}
    return [f"{key} = {getattr(d, key):g} {unit[key]}" for key in ("fixed_cost_yuan", "capacity", "land_m2")] + \
        [f"sources: {d.source}"]


def write_candidates(scenario: Scenario, sites: gpd.GeoDataFrame, replace: bool = False):
    """Add generated ``sites`` (one kind) to the scenario's ``candidates.gpkg``; returns its path.

    Raises
    ------
    GeoplanError
        The file already holds generated sites of that kind and ``replace`` is False (a
        planner's edits to them are never overwritten unasked).
    """
    path = scenario.folder / GENERATED_CANDIDATES_FILE
    kind = str(sites["facility_kind"].iloc[0])
    keep = None
    if path.exists():
        have = layers.read_layer(path, "candidate_sites", to_crs=scenario.metric_epsg)
        mine = have["facility_kind"] == kind
        if mine.any() and not replace:
            raise GeoplanError(f"{path} already holds {int(mine.sum())} candidate sites of {kind} — pass --replace to "
                               "generate them again (edits made to them are lost), or edit the file")
        keep = have[~mine]
    frames = [f for f in (keep, sites.to_crs(scenario.metric_epsg)) if f is not None and len(f)]
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=scenario.metric_epsg)
    return layers.write_layer(out.to_crs(4490), path, layer="candidate_sites")
