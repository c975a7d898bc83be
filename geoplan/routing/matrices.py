"""Travel matrices for a routing problem, built from the scenario's road network.

Each place a route may visit (depot, pick-up point, unload site) is put on the nearest road
its vehicle may use: the road is cut there (:func:`stops_network`), so a stop lies on its street; matrices are node-to-node driving distance (m) and time (s)
along the fastest path of each road profile, so a route's km equals the length of the
road geometry drawn for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import Point

from layers.errors import GeoplanError, LayerValidationError
from geoplan.network.snapping import issues_for_snap
from optimizers.routing import TravelMatrix


@dataclass(frozen=True)
class Place:
    """A point a route may stop at.

    Attributes
    ----------
    layer_id : str
        Id in its source layer (e.g. ``"RC0001"``, ``"TS02"``).
    name : str
        Name in its source layer.
    kind : str
        Source layer kind (``"residential_communities"``, ``"depots"``…).
    geometry : shapely Point
        Location in the scenario's metric CRS.
    """

    layer_id: str
    name: str
    kind: str
    geometry: Point


@dataclass
class Locations:
    """Distinct matrix locations: one per network node used, in the order first added.

    Attributes
    ----------
    nodes : list of int
        Network node of each location.
    places : dict of str to Place
        Problem id (of a depot, unload site or job) → the place behind it.
    place_location : dict of str to int
        Problem id → matrix location.
    """

    nodes: list[int] = field(default_factory=list)
    places: dict[str, Place] = field(default_factory=dict)
    place_location: dict[str, int] = field(default_factory=dict)
    _index: dict[int, int] = field(default_factory=dict)

    def add(self, problem_id: str, place: Place, node: int) -> int:
        """Register ``problem_id`` at network ``node``; return its matrix location."""
        node = int(node)
        if node not in self._index:
            self._index[node] = len(self.nodes)
            self.nodes.append(node)
        loc = self._index[node]
        self.places[problem_id] = place
        self.place_location[problem_id] = loc
        return loc


def build_matrices(network, locations: Locations, profiles: list[str]) -> dict[str, TravelMatrix]:
    """One :class:`TravelMatrix` per road profile over all ``locations``.

    Raises
    ------
    GeoplanError
        When a profile cannot drive between two of the places (e.g. a point inside a
        zone the profile is barred from); the message names the places.
    """
    nodes = np.asarray(locations.nodes, dtype=np.int64)
    out = {}
    for profile in profiles:
        costs = network.travel_costs(nodes, nodes, profile=profile, weight="seconds")
        metres, seconds = np.asarray(costs.metres, float), np.asarray(costs.seconds, float)
        bad = ~np.isfinite(metres) | ~np.isfinite(seconds)
        if bad.any():
            # The locations cut off from most others are the culprits.
            worst = np.argsort(-(bad.sum(axis=0) + bad.sum(axis=1)), kind="stable")
            cut = [int(k) for k in worst if bad[k].sum() + bad[:, k].sum() > len(nodes) // 2][:5]
            if not cut:
                cut = [int(worst[0])]
            names = [f"{p.layer_id} {p.name}" for pid, p in locations.places.items()
                     if locations.place_location[pid] in cut]
            names = list(dict.fromkeys(names))[:5]
            raise GeoplanError(
                f"vehicle profile {profile} cannot reach or leave {', '.join(names)} on the road "
                "network (barred road classes or a restricted zone): move the point onto a road "
                "this vehicle may use, or lift the restriction"
            )
        out[profile] = TravelMatrix(metres, seconds)
    return out


def stops_network(network, frames: list[tuple[str, object]], profile: str, max_snap_m: float):
    """The network cut where every place of ``frames`` ((kind, layer) pairs) meets the nearest road
    ``profile`` may use, so each route stop lies on its street (:meth:`RoadNetwork.split_at`).

    Raises
    ------
    LayerValidationError
        A place lies farther than ``max_snap_m`` from every road the vehicle may use.
    """
    points = []
    for kind, gdf in frames:
        if gdf is None or len(gdf) == 0:
            continue
        _check_reach(network, gdf, kind, profile, max_snap_m)
        points.append(np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()]))
    if not points:
        return network
    split, _ = network.split_at(np.vstack(points), profile)
    return split


def _check_reach(network, gdf, kind: str, profile: str, max_snap_m: float):
    snap = network.snap(gdf.geometry, profile)
    ids = [str(i) for i in gdf["id"]]
    who = f"{network.profile(profile).label} may use"
    issues = issues_for_snap(snap, ids, str(gdf.attrs.get("source", kind)), kind, max_snap_m, who)
    if issues:
        raise LayerValidationError(issues)
    return snap


def snap_places(network, gdf, kind: str, profile: str, max_snap_m: float = 500.0) -> tuple[list[Place], np.ndarray]:
    """Places of a layer and the network node each is served from: the nearer end of the
    nearest road the vehicle ``profile`` may use.

    Raises
    ------
    LayerValidationError
        A place lies farther than ``max_snap_m`` from every road the vehicle may use (it is
        never silently attached to a distant road); the issues name the file, layer and row.
    """
    if len(gdf) == 0:
        return [], np.empty(0, dtype=np.int64)
    snap = _check_reach(network, gdf, kind, profile, max_snap_m)
    names = gdf["name"] if "name" in gdf.columns else gdf["id"]
    places = [Place(str(i), str(n), kind, g) for i, n, g in zip(gdf["id"], names, gdf.geometry)]
    return places, np.asarray(snap.node, dtype=np.int64)
