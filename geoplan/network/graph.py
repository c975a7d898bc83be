"""The road network: a directed graph in arrays with per-profile costs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

import layers
from layers.crs import metric_crs_for
from layers.errors import GeoplanError, Issue

from . import costs as _costs
from .access import CostColumns, door_to_door_costs, within
from .edge_table import TAG_BITS, EdgeTable
from .osm import edges_from_osm_pbf, edges_from_osm_xml
from .profiles import ROAD_CLASSES, VehicleProfile, resolve_profiles
from .pruning import REASONS, prune, reverse_edges
from .roads_layer import edges_from_roads
from .snapping import SnapResult, issues_for_snap, point_coordinates, snap_to_edges, snap_to_nodes
from .splitting import split_edges


def _first_of_each_road(geometry: np.ndarray) -> np.ndarray:
    """True for the first directed edge of each road (a two-way road's two edges share one line)."""
    if len(geometry) == 0:
        return np.zeros(0, bool)
    key = pd.Series(shapely.to_wkb(shapely.normalize(geometry)))
    return ~key.duplicated().to_numpy()


def _parse_barred(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [p.strip() for p in str(value).split(",") if p.strip()]


class RoadNetwork:
    """Directed road graph with node/edge arrays, snapping and travel costs per vehicle profile.

    Build it with :meth:`from_roads`, :meth:`from_osm_xml`, :meth:`from_osm_pbf` or
    :meth:`from_file`. The build opens the one-way stubs an extract's edge leaves, keeps
    the largest strongly connected component (every kept node can reach every other by
    *some* road) and reports the rest in :attr:`dropped`
    (:mod:`geoplan.network.pruning`). A profile may still be unable to reach parts of the
    network (barred road classes or tags, weight limits, restricted zones); its costs
    there are ``inf``.

    Attributes
    ----------
    crs : pyproj.CRS
        Projected metric CRS of all coordinates.
    node_xy : ndarray, shape (n, 2)
        Node coordinates, metres.
    edge_u, edge_v : ndarray of int64, shape (m,)
    edge_length_m : ndarray of float64
    edge_road_class : ndarray of int8
        Index into :data:`ROAD_CLASSES`.
    edge_speed_cap_kmh : ndarray of float64
        The edge's own speed limit (NaN: none).
    edge_geometry : ndarray of shapely LineString
    edge_tags : ndarray of uint8
        Bits of :data:`~geoplan.network.edge_table.TAG_BITS` (elevated, tunnel, private, no_hgv).
    edge_max_weight_t : ndarray of float64
        Weight limit, tonnes (NaN: none).
    edge_name : ndarray of str
        Street name ("" when unnamed).
    edge_reverse : ndarray of int64
        The edge running the other way along the same road, -1 for a one-way edge.
    node_source_id : ndarray of int64 or None
        OSM node ids for OSM sources.
    profiles : dict of str to VehicleProfile
    dropped : DroppedParts
    """

    def __init__(
        self,
        table: EdgeTable,
        crs: CRS,
        restricted_zones: gpd.GeoDataFrame | None = None,
        profiles: Mapping[str, VehicleProfile] | list[VehicleProfile] | None = None,
    ) -> None:
        if len(table.u) == 0:
            raise GeoplanError("the road source has no drivable road segments: check the file or the roads layer")
        self.crs = CRS.from_user_input(crs)
        self.profiles = resolve_profiles(profiles)
        table, self.dropped = prune(table)
        self.node_xy = table.node_xy
        self.edge_u = table.u
        self.edge_v = table.v
        self.edge_length_m = table.length_m
        self.edge_road_class = table.road_class
        self.edge_speed_cap_kmh = table.speed_cap_kmh
        self.edge_geometry = table.geometry
        self.edge_tags = table.tags
        self.edge_max_weight_t = table.max_weight_t
        self.edge_name = table.name
        self.edge_reverse = reverse_edges(table.u, table.v, table.length_m)
        self.node_source_id = table.node_source_id
        self._restricted_zones = restricted_zones
        self._zone_barred = self._restricted_edges(restricted_zones)
        self._graphs: dict[tuple[str, str], _costs.CostGraph] = {}
        self._node_tree: cKDTree | None = None
        self._edge_tree: shapely.STRtree | None = None
        self._profile_trees: dict[str, tuple[np.ndarray, shapely.STRtree]] = {}
        self._usable: dict[str, np.ndarray] = {}
        self._main: dict[str, np.ndarray] = {}
        self._dropped_tree: shapely.STRtree | None = None
        #: Cached "cost from every node to this node" columns (see :mod:`geoplan.network.access`).
        self.cost_columns = CostColumns()

    # ----------------------------------------------------------------- builders
    @classmethod
    def from_roads(
        cls,
        roads_gdf: gpd.GeoDataFrame,
        restricted_zones: gpd.GeoDataFrame | None = None,
        profiles: Mapping[str, VehicleProfile] | list[VehicleProfile] | None = None,
    ) -> "RoadNetwork":
        """Network from a roads line layer in a projected metric CRS.

        Parameters
        ----------
        roads_gdf : GeoDataFrame
            Lines with ``road_class`` (expressway, arterial, collector, local) and
            optionally ``id``, ``speed_kmh`` (limit, km/h), ``oneway`` (bool).
            Lines meet only at shared vertices or ends.
        restricted_zones : GeoDataFrame, optional
            Polygons with ``barred_profiles`` (comma-separated profile names); those
            profiles may not use any edge that intersects the polygon.
        profiles : list or dict of VehicleProfile, optional
            Default: :data:`DEFAULT_PROFILES`.
        """
        return cls(edges_from_roads(roads_gdf), roads_gdf.crs, restricted_zones, profiles)

    @classmethod
    def from_osm_xml(cls, path: str | Path, to_crs: Any = None, **kwargs: Any) -> "RoadNetwork":
        """Network from an OSM XML file; ``to_crs`` defaults to the area's Gauss-Krüger zone."""
        table, crs = edges_from_osm_xml(path, to_crs)
        return cls(table, crs, **kwargs)

    @classmethod
    def from_osm_pbf(cls, path: str | Path, to_crs: Any = None, **kwargs: Any) -> "RoadNetwork":
        """Network from an OSM PBF file; ``to_crs`` defaults to the area's Gauss-Krüger zone."""
        table, crs = edges_from_osm_pbf(path, to_crs)
        return cls(table, crs, **kwargs)

    @classmethod
    def from_file(cls, path: str | Path, to_crs: Any = None, **kwargs: Any) -> "RoadNetwork":
        """Network from ``.osm``/``.xml`` (OSM XML), ``.pbf`` (OSM PBF) or a roads layer.

        A GeoPackage is read from its ``roads`` layer (and ``restricted_zones`` if it
        has one), otherwise from its only layer. The result is in ``to_crs`` when
        given; otherwise OSM data and roads layers in longitude/latitude go to their
        Gauss-Krüger zone, and projected roads layers keep their CRS. Other keyword
        arguments go to the constructor (``profiles``, ``restricted_zones``).
        """
        path = Path(path)
        if not path.is_symlink() and not path.exists():
            raise GeoplanError(f"road source {path} does not exist: check the path in the scenario")
        layers.readable_file(path)  # a link to nowhere, a folder, an empty file
        name = path.name.lower()
        if name.endswith((".osm", ".xml")):
            return cls.from_osm_xml(path, to_crs=to_crs, **kwargs)
        if name.endswith(".pbf"):
            return cls.from_osm_pbf(path, to_crs=to_crs, **kwargs)
        if name.endswith((".gpkg", ".shp", ".geojson", ".json")):
            import pyogrio

            fmt = layers.layer_format(path)
            if fmt == "ESRI Shapefile":
                layers.check_shapefile_parts(path)
            with layers.reading(path, fmt):
                layer_names = [str(row[0]) for row in pyogrio.list_layers(path)]
                layer = "roads" if "roads" in layer_names else None
                if layer is None and len(layer_names) > 1:
                    raise GeoplanError(f"{path} has several layers ({', '.join(layer_names)}) but none named roads: "
                                       "rename the road layer to roads")
                roads = gpd.read_file(path, layer=layer)
                if "restricted_zones" in layer_names and "restricted_zones" not in kwargs:
                    kwargs["restricted_zones"] = gpd.read_file(path, layer="restricted_zones")
            roads = layers.to_lonlat(roads, None, file=str(path), layer=layer or "roads")
            if to_crs is not None:
                roads = roads.to_crs(to_crs)
            elif roads.crs is not None and roads.crs.is_geographic:
                roads = roads.to_crs(metric_crs_for(float(roads.geometry.union_all().centroid.x)))
            return cls.from_roads(roads, **kwargs)
        raise GeoplanError(
            f"road source {path}: unknown file type; use OSM XML (.osm), OSM PBF (.osm.pbf) or a roads layer (.gpkg, .shp, .geojson)"
        )

    # ----------------------------------------------------------------- profiles
    def _restricted_edges(self, zones: gpd.GeoDataFrame | None) -> dict[str, np.ndarray]:
        barred = {name: np.zeros(len(self.edge_u), bool) for name in self.profiles}
        if zones is None or len(zones) == 0:
            return barred
        if zones.crs is None:
            raise GeoplanError("restricted_zones layer has no CRS: set it (e.g. EPSG:4549) before building the road network")
        if "barred_profiles" not in zones.columns:
            raise GeoplanError("restricted_zones layer has no barred_profiles column: list the barred vehicle profiles, comma-separated")
        if not zones.crs.equals(self.crs):
            zones = zones.to_crs(self.crs)
        tree = shapely.STRtree(self.edge_geometry)
        for i, (geom, value) in enumerate(zip(zones.geometry.values, zones["barred_profiles"])):
            names = _parse_barred(value)
            unknown = [n for n in names if n not in self.profiles]
            if unknown:
                rid = zones["id"].iloc[i] if "id" in zones.columns else f"row {i + 1}"
                raise GeoplanError(
                    f"restricted_zones {rid}: unknown profile {', '.join(unknown)} in barred_profiles; "
                    f"use {', '.join(self.profiles)}"
                )
            if geom is None or geom.is_empty or not names:
                continue
            hit = tree.query(geom, predicate="intersects")
            for name in names:
                barred[name][hit] = True
        return barred

    def profile(self, name: str) -> VehicleProfile:
        """The profile called ``name``; :class:`GeoplanError` naming the known ones if absent."""
        try:
            return self.profiles[name]
        except KeyError:
            raise GeoplanError(f"unknown vehicle profile {name!r}: use one of {', '.join(self.profiles)}") from None

    def usable_edges(self, profile: str) -> np.ndarray:
        """Read-only mask of the edges ``profile`` may drive on (computed once per profile): not
        of a barred road class, not carrying a barred tag (elevated, tunnel, private, no_hgv),
        not limited below the vehicle's gross weight, not in a zone that bars it."""
        if profile not in self._usable:
            prof = self.profile(profile)
            barred_codes = [ROAD_CLASSES.index(c) for c in prof.barred_road_classes]
            barred_bits = sum(TAG_BITS[t] for t in prof.barred_tags)
            ok = ~np.isin(self.edge_road_class, barred_codes) & ~self._zone_barred[profile]
            ok &= (self.edge_tags & barred_bits) == 0
            if prof.gross_weight_t is not None:
                ok &= ~(self.edge_max_weight_t < prof.gross_weight_t)
            ok.setflags(write=False)
            self._usable[profile] = ok
        return self._usable[profile]

    def main_nodes(self, profile: str) -> np.ndarray:
        """Read-only mask of the nodes in the largest part of the network ``profile`` can drive
        around in (its largest strongly connected component; computed once per profile)."""
        if profile not in self._main:
            _, label = connected_components(self.cost_graph(profile, "metres").matrix, directed=True,
                                            connection="strong")
            main = label == np.argmax(np.bincount(label))
            main.setflags(write=False)
            self._main[profile] = main
        return self._main[profile]

    def edge_speed_kmh(self, profile: str) -> np.ndarray:
        """Driving speed of ``profile`` on each edge, km/h: the profile's class speed capped by the edge limit."""
        prof = self.profile(profile)
        class_speed = np.array([prof.speed_kmh[c] for c in ROAD_CLASSES])[self.edge_road_class]
        return np.fmin(class_speed, self.edge_speed_cap_kmh)

    def edge_seconds(self, profile: str) -> np.ndarray:
        """Driving time of ``profile`` on each edge, seconds."""
        return self.edge_length_m / (self.edge_speed_kmh(profile) / 3.6)

    def edge_weight(self, profile: str, weight: str) -> np.ndarray:
        """Per-edge ``weight`` (``"metres"`` or ``"seconds"``) for ``profile``."""
        if weight == "metres":
            self.profile(profile)
            return self.edge_length_m
        if weight == "seconds":
            return self.edge_seconds(profile)
        raise GeoplanError(f"unknown weight {weight!r}: use metres or seconds")

    def cost_graph(self, profile: str, weight: str = "seconds") -> _costs.CostGraph:
        """CSR graph of ``profile`` weighted by ``weight`` (built on first use, then cached)."""
        key = (profile, weight)
        if key not in self._graphs:
            self._graphs[key] = _costs.build_cost_graph(
                len(self.node_xy), self.edge_u, self.edge_v, self.edge_weight(profile, weight), self.usable_edges(profile)
            )
        return self._graphs[key]

    # ----------------------------------------------------------------- summary
    @property
    def n_nodes(self) -> int:
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    def edges_gdf(self) -> gpd.GeoDataFrame:
        """Directed edges as a GeoDataFrame (u, v, length_m, road_class, speed_cap_kmh)."""
        return gpd.GeoDataFrame(
            {
                "u": self.edge_u,
                "v": self.edge_v,
                "length_m": self.edge_length_m,
                "road_class": np.array(ROAD_CLASSES)[self.edge_road_class],
                "speed_cap_kmh": self.edge_speed_cap_kmh,
            },
            geometry=self.edge_geometry,
            crs=self.crs,
        )

    def reachable_share(self, profile: str) -> float:
        """Share of node pairs (u, v) that ``profile`` can drive between, from its largest component.

        Computed as (size of the profile's largest strongly connected component) /
        (number of nodes): the share of the network within which the profile can
        drive anywhere.
        """
        return float(self.main_nodes(profile).sum() / self.n_nodes)

    def info(self) -> dict[str, Any]:
        """Summary for reports: sizes, km per road class and tag, what was opened and dropped, per-profile reach.

        Every length counts each road once: a two-way road has two directed edges but its
        length counts once. ``dropped_km`` is the road length dropped, by reason in
        ``dropped_km_by_reason``, and ``share_dropped`` its share of all the roads read;
        ``stub_km_opened`` the one-way stubs at the extract's edge made two-way.
        """
        km = self.edge_length_m * _first_of_each_road(self.edge_geometry) / 1000.0
        d = self.dropped
        gone_km = shapely.length(d.geometry) * _first_of_each_road(d.geometry) / 1000.0
        dropped_km = float(gone_km.sum())
        return {
            "crs": self.crs.to_string(),
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "total_km": float(km.sum()),
            "km_by_class": {c: float(km[self.edge_road_class == i].sum()) for i, c in enumerate(ROAD_CLASSES)},
            "km_by_tag": {t: float(km[(self.edge_tags & bit) > 0].sum()) for t, bit in TAG_BITS.items()},
            "components_before": d.components_before,
            "components_after": 1,
            "stub_edges_opened": d.stub_edges,
            "stub_km_opened": d.stub_length_m / 1000.0,
            "dropped_nodes": d.nodes,
            "dropped_edges": d.edges,
            "dropped_km": dropped_km,
            "dropped_km_by_reason": {REASONS[r]: float(gone_km[d.reason == r].sum()) for r in REASONS},
            "share_dropped": dropped_km / max(dropped_km + float(km.sum()), 1e-9),
            "reachable_share": {name: self.reachable_share(name) for name in self.profiles},
        }

    def __repr__(self) -> str:
        return f"RoadNetwork({self.n_nodes} nodes, {self.n_edges} edges, crs={self.crs.to_string()})"

    # ----------------------------------------------------------------- snapping
    def snap(self, points, profile: str | None = None) -> SnapResult:
        """Attach points to the network: to the nearest road ``profile`` may use, or to the nearest node.

        Parameters
        ----------
        points : GeoSeries, GeoDataFrame or ndarray of shape (n, 2)
            Points; geo inputs in another CRS are reprojected to :attr:`crs`, arrays
            are taken to be in :attr:`crs` (metres).
        profile : str, optional
            Vehicle profile: each point is attached to the nearest edge it may drive
            (never to an expressway, viaduct or tunnel it is barred from), and ``node``
            is that edge's nearer end. Without, the nearest node of the whole network.

        Returns
        -------
        SnapResult
            Node, straight-line distance to it, distance to the nearest (usable) road,
            and with a profile the edge and the position on it, per point.
        """
        xy = point_coordinates(points, self.crs)
        if profile is not None:
            ids, tree = self._usable_tree(profile)
            return snap_to_edges(xy, ids, tree, self.edge_geometry, self.node_xy, self.edge_u, self.edge_v, profile)
        if self._node_tree is None:
            self._node_tree = cKDTree(self.node_xy)
        snapped = snap_to_nodes(self._node_tree, xy)
        if len(xy) == 0:
            return snapped
        _, road_m = self._all_edges_tree().query_nearest(shapely.points(xy), return_distance=True, all_matches=False)
        return SnapResult(snapped.node, snapped.distance_m, np.asarray(road_m, dtype=np.float64))

    def _all_edges_tree(self) -> shapely.STRtree:
        if self._edge_tree is None:
            self._edge_tree = shapely.STRtree(self.edge_geometry)
        return self._edge_tree

    def _usable_tree(self, profile: str) -> tuple[np.ndarray, shapely.STRtree]:
        """The edges ``profile`` may use and an STRtree of their geometries (built once)."""
        if profile not in self._profile_trees:
            ids = np.flatnonzero(self.usable_edges(profile))
            if len(ids) == 0:
                raise GeoplanError(f"vehicle profile {profile} may use no road of the network — lift a bar on its "
                                   "road classes or tags")
            self._profile_trees[profile] = (ids, shapely.STRtree(self.edge_geometry[ids]))
        return self._profile_trees[profile]

    def snap_issues(self, gdf: gpd.GeoDataFrame, file: str, layer: str, max_snap_m: float = 500.0,
                    profile: str | None = None) -> list[Issue]:
        """Issues for the rows of ``gdf`` that lie more than ``max_snap_m`` metres from the roads
        (``profile``'s roads when given), and warnings for rows whose nearest road was dropped
        from the network (it is named, with why, and how far the road it is attached to lies).

        Rows are named by their ``id`` field (``"row N"``, 1-based, when there is none).
        """
        snap = self.snap(gdf, profile)
        if "id" in gdf.columns:
            ids = [str(v) if pd.notna(v) else f"row {i + 1}" for i, v in enumerate(gdf["id"])]
        else:
            ids = [f"row {i + 1}" for i in range(len(gdf))]
        who = f"{self.profile(profile).label} may use" if profile is not None else ""
        issues = issues_for_snap(snap, ids, file, layer, max_snap_m, who)
        return issues + self.dropped_road_issues(point_coordinates(gdf, self.crs), snap, ids, file, layer)

    def dropped_road_issues(self, xy: np.ndarray, snap: SnapResult, ids: list[str], file: str,
                            layer: str) -> list[Issue]:
        """A warning per point that lies nearer to a road the build dropped than to the road it
        is attached to: the dropped road is named with why it was dropped."""
        d = self.dropped
        if d.geometry is None or len(d.geometry) == 0 or snap.road_distance_m is None or len(ids) == 0:
            return []
        if self._dropped_tree is None:
            self._dropped_tree = shapely.STRtree(d.geometry)
        (which, hit), dist = self._dropped_tree.query_nearest(shapely.points(xy), return_distance=True,
                                                              all_matches=False)
        out = []
        for i, j, gone_m in zip(which, hit, dist):
            kept_m = float(snap.road_distance_m[i])
            if gone_m + 1.0 >= kept_m:
                continue
            name = d.name[j] or "未命名道路 / unnamed road"
            out.append(Issue(
                file, layer, ids[i], "geometry",
                f"最近的道路 {name}（{gone_m:,.0f} m）不在路网中 / the nearest road {name} ({gone_m:,.0f} m away) was "
                f"dropped from the network: {REASONS[d.reason[j]]}; the point is served from a road {kept_m:,.0f} m away",
                "check the road source around this point (an extract cut too tight, a missing link); see "
                "`geoplan network info`",
                "warning",
            ))
        return out

    def nodes_of(self, items) -> np.ndarray:
        """Node indices from node indices (1-D ints) or points (snapped)."""
        if isinstance(items, (gpd.GeoSeries, gpd.GeoDataFrame)):
            return self.snap(items).node
        arr = np.asarray(items)
        if arr.ndim == 1 and (arr.dtype.kind in "iu" or len(arr) == 0):
            arr = arr.astype(np.int64)
            if len(arr) and (arr.min() < 0 or arr.max() >= self.n_nodes):
                raise GeoplanError(f"node index out of range 0..{self.n_nodes - 1}")
            return arr
        return self.snap(arr).node

    # ----------------------------------------------------------------- costs
    def travel_costs(
        self,
        origins,
        destinations,
        profile: str = "compression_truck",
        cutoff_m: float | None = None,
        cutoff_s: float | None = None,
        weight: str | None = None,
    ) -> _costs.TravelCosts:
        """Directed travel costs (metres and seconds) from every origin to every destination.

        Parameters
        ----------
        origins, destinations : GeoSeries, GeoDataFrame, (n, 2) array or 1-D int array
            Points (snapped to their nearest node) or node indices.
        profile : str
            Vehicle profile name.
        cutoff_m, cutoff_s : float, optional
            Search radius in metres or in seconds (at most one). With a cutoff the
            result is sparse and paths minimise the cut quantity.
        weight : {"metres", "seconds"}, optional
            Quantity the paths minimise when no cutoff is given. Default
            ``"seconds"``: metres are then the length of the fastest path.

        Returns
        -------
        TravelCosts
            See :class:`TravelCosts` for how absent pairs and zeros are stored.
            Snap distances are not included.
        """
        if cutoff_m is not None and cutoff_s is not None:
            raise GeoplanError("give either cutoff_m or cutoff_s, not both")
        cutoff = cutoff_m if cutoff_m is not None else cutoff_s
        if cutoff is not None:
            cut_weight = "metres" if cutoff_m is not None else "seconds"
            if weight is not None and weight != cut_weight:
                raise GeoplanError(f"a cutoff in {cut_weight} needs paths minimising {cut_weight}: drop weight={weight!r}")
            weight = cut_weight
            if not cutoff >= 0:
                raise GeoplanError(f"cutoff must be >= 0, got {cutoff}")
        weight = weight or "seconds"
        other = "seconds" if weight == "metres" else "metres"
        origin_nodes = self.nodes_of(origins)
        dest_nodes = self.nodes_of(destinations)
        sources, row_of = np.unique(origin_nodes, return_inverse=True)
        primary, secondary = _costs.shortest_costs(
            self.cost_graph(profile, weight),
            self.edge_weight(profile, other),
            sources,
            dest_nodes,
            limit=np.inf if cutoff is None else float(cutoff),
        )
        primary, secondary = primary[row_of], secondary[row_of]
        if cutoff is not None:
            primary, secondary = _costs.to_sparse(primary, secondary, float(cutoff))
        metres, seconds = (primary, secondary) if weight == "metres" else (secondary, primary)
        return _costs.TravelCosts(
            metres=metres,
            seconds=seconds,
            origin_nodes=origin_nodes,
            destination_nodes=dest_nodes,
            profile=profile,
            weight=weight,
            cutoff=None if cutoff is None else float(cutoff),
        )

    def access_costs(self, origins, destinations, profile: str, weight: str = "metres",
                     cutoff: float | None = None) -> np.ndarray | sp.csr_array:
        """Door-to-door cost from every origin point to every destination point.

        The straight stretch from each point to the nearest road the profile may use, along
        it to a junction, and the road between, at both ends (:mod:`geoplan.network.access`),
        in metres, or in seconds with the stretches driven at the profile's local-street
        speed. This is the cost every coverage indicator, siting problem and the app compare
        with a service standard.

        Parameters
        ----------
        origins, destinations : GeoDataFrame, GeoSeries, (n, 2) array or SnapResult
            Points (snapped here to the profile's roads) or points already snapped with
            :meth:`snap` for the same profile (or to nodes, which then are their only way in).
        profile : str
            Vehicle profile whose roads may be used.
        weight : {"metres", "seconds"}
            Quantity of the cost; paths minimise it.
        cutoff : float, optional
            Keep only pairs within this cost (same unit as ``weight``).

        Returns
        -------
        ndarray or scipy.sparse.csr_array, shape (n_origins, n_destinations)
            Dense with ``inf`` where unreachable; with ``cutoff`` a CSR array holding only
            the pairs within it (a zero cost is an explicit entry).
        """
        self.profile(profile)
        self.edge_weight(profile, weight)  # checks the weight
        o, d = (self._snapped(p, profile) for p in (origins, destinations))
        if cutoff is not None and not cutoff >= 0:
            raise GeoplanError(f"cutoff must be >= 0, got {cutoff}")
        limit = np.inf if cutoff is None else float(cutoff)
        total = door_to_door_costs(self, o, d, profile, weight, limit)
        return total if cutoff is None else within(total, float(cutoff))

    def _snapped(self, points, profile: str) -> SnapResult:
        """``points`` attached to ``profile``'s roads (snapped here unless already so)."""
        if not isinstance(points, SnapResult):
            return self.snap(points, profile)
        if points.edge is not None and points.profile != profile:
            raise GeoplanError(f"points snapped for vehicle profile {points.profile} cannot be costed for {profile}: "
                               "snap them for it, or pass the points")
        return points

    def split_at(self, points, profile: str, end_m: float = 0.5) -> tuple["RoadNetwork", np.ndarray]:
        """The network with the roads cut where each point meets the nearest road ``profile`` may use.

        A route that stops at such a point then drives along its street to the very spot,
        not to a junction up to a block away. Points within ``end_m`` of an edge's end use
        that end.

        Returns
        -------
        RoadNetwork
            A new network (this one is unchanged), with the same profiles and restricted zones.
        ndarray of int64
            The node of each point on it.
        """
        table, point_ids = split_edges(self, self.snap(points, profile), end_m)
        net = RoadNetwork(table, self.crs, restricted_zones=self._restricted_zones, profiles=self.profiles)
        index = {int(i): k for k, i in enumerate(net.node_source_id)}
        return net, np.array([index[int(i)] for i in point_ids], dtype=np.int64)

    def costs_to_node(self, node: int, profile: str, weight: str = "metres") -> np.ndarray:
        """Road cost of driving from every node to ``node`` (read-only, cached), ``inf`` where unreachable."""
        self.edge_weight(profile, weight)
        return self.cost_columns.column(self.cost_graph(profile, weight).matrix, int(node), profile, weight)

    # ----------------------------------------------------------------- paths and areas
    def path(self, origin_node: int, dest_node: int, profile: str = "compression_truck", weight: str = "seconds"):
        """Shortest path between two nodes; see :func:`geoplan.network.paths.shortest_path`."""
        from .paths import shortest_path

        return shortest_path(self, origin_node, dest_node, profile, weight)

    def route_geometry(self, node_sequence, profile: str = "compression_truck", weight: str = "seconds"):
        """Road geometry of a route visiting ``node_sequence`` in order; see :func:`geoplan.network.paths.route_geometry`."""
        from .paths import route_geometry

        return route_geometry(self, node_sequence, profile, weight)

    def service_areas(
        self,
        facility_points,
        cutoff_m: float | None = None,
        cutoff_s: float | None = None,
        profile: str = "compression_truck",
        ids=None,
        **kwargs: Any,
    ) -> gpd.GeoDataFrame:
        """Isochrone polygons per facility; see :func:`geoplan.network.service_areas.service_areas`."""
        from .service_areas import service_areas

        return service_areas(self, facility_points, cutoff_m=cutoff_m, cutoff_s=cutoff_s, profile=profile, ids=ids, **kwargs)
