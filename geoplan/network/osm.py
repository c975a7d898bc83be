"""Read OpenStreetMap road data (XML via OSMnx, PBF via pyosmium) into an edge table.

Both readers produce the same unsimplified OSMnx-style graph (one edge per pair of
consecutive way nodes, both directions unless one-way), keep only the highway types
that collection vehicles, vans and muck trucks drive on, merge pass-through nodes with
``osmnx.simplify_graph`` and project to a metric CRS. The same file in XML or PBF
therefore gives the same network.

The tags a county's network really has become what each vehicle profile may use:
``highway`` the road class (``track`` included: village roads matter for film and rural
collection); ``access``/``motor_vehicle`` = no drops the way, = private marks it
private; ``hgv=no`` closes it to trucks; ``maxweight`` limits it; ``bridge``/``layer``
on an expressway or a viaduct mark 高架 (elevated); ``tunnel`` marks tunnels;
``oneway=-1`` and ``junction=roundabout`` set the direction.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmnx as ox
import shapely
from pyproj import CRS, Transformer

from layers.crs import metric_crs_for
from layers.errors import GeoplanError

from .edge_table import EdgeTable
from .profiles import ROAD_CLASSES

#: OSM ``highway`` values and the road class they become; other values (footway,
#: cycleway, path, track, steps, …) are not driven by collection vehicles and are dropped.
HIGHWAY_CLASSES: dict[str, str] = {
    "motorway": "expressway",
    "motorway_link": "expressway",
    "trunk": "expressway",
    "trunk_link": "expressway",
    "primary": "arterial",
    "primary_link": "arterial",
    "secondary": "arterial",
    "secondary_link": "arterial",
    "tertiary": "collector",
    "tertiary_link": "collector",
    "residential": "local",
    "unclassified": "local",
    "living_street": "local",
    "service": "local",
    "road": "local",
    "track": "track",
}

#: Way tags read from OSM (beyond osmnx's defaults) to decide who may drive where.
WAY_TAGS = ("highway", "maxspeed", "oneway", "junction", "name", "bridge", "tunnel", "layer", "access",
            "motor_vehicle", "hgv", "maxweight", "service")
#: Tag values that close a way to every motor vehicle, or keep it to its owners.
CLOSED = frozenset({"no"})
PRIVATE = frozenset({"private", "permit", "customers", "delivery"})

# OSM ``oneway`` values (https://wiki.openstreetmap.org/wiki/Key:oneway): travel in
# way direction only, or against it only.
ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
ONEWAY_REVERSE = frozenset({"-1", "reverse"})

_MPH_TO_KMH = 1.609344


def parse_maxspeed(value: Any) -> float:
    """Speed limit in km/h from an OSM ``maxspeed`` value; NaN if not numeric.

    Accepts ``"50"``, ``"50 km/h"``, ``"30 mph"`` and lists (``"40;60"``: the lowest).
    Zone codes such as ``"CN:urban"`` give NaN (no cap).
    """
    if value is None:
        return float("nan")
    values = value if isinstance(value, list) else [value]
    speeds = []
    for item in values:
        for part in str(item).split(";"):
            match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", part)
            if match:
                speed = float(match.group(1))
                speeds.append(speed * _MPH_TO_KMH if match.group(2) == "mph" else speed)
    return min(speeds) if speeds else float("nan")


def _highway_class(value: Any) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        if item in HIGHWAY_CLASSES:
            return HIGHWAY_CLASSES[item]
    return None


def _values(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def is_closed(data: dict) -> bool:
    """Whether a way is closed to motor vehicles (``access=no`` without ``motor_vehicle=yes``, or ``motor_vehicle=no``)."""
    motor = _values(data.get("motor_vehicle"))
    if motor:
        return all(v in CLOSED for v in motor)
    return bool(_values(data.get("access"))) and all(v in CLOSED for v in _values(data.get("access")))


def parse_maxweight(value: Any) -> float:
    """Weight limit in tonnes from an OSM ``maxweight`` (``"20"``, ``"20 t"``, ``"5.5"``); NaN if none."""
    for item in _values(value):
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(t|st)?\s*$", item)
        if match:
            return float(match.group(1))
    return float("nan")


def edge_tags(data: dict) -> int:
    """The :data:`~geoplan.network.edge_table.TAG_BITS` of an OSM edge's tags."""
    from .edge_table import TAG_BITS

    bits = 0
    bridge = [v for v in _values(data.get("bridge")) if v != "no"]
    layer = max((float(v) for v in _values(data.get("layer")) if re.match(r"^-?\d+(\.\d+)?$", v)), default=0.0)
    classes = {_highway_class(h) for h in _values(data.get("highway"))}
    if bridge:
        # 高架: a viaduct, an expressway on a bridge, or a bridge raised above another road
        elevated = "viaduct" in bridge or "expressway" in classes or layer >= 2
        bits |= TAG_BITS["elevated"] if elevated else TAG_BITS["bridge"]
    if any(v not in ("no", "building_passage") for v in _values(data.get("tunnel"))):
        bits |= TAG_BITS["tunnel"]
    access = _values(data.get("motor_vehicle")) or _values(data.get("access"))
    if access and all(v in PRIVATE for v in access):
        bits |= TAG_BITS["private"]
    if _values(data.get("hgv")) and all(v == "no" for v in _values(data.get("hgv"))):
        bits |= TAG_BITS["no_hgv"]
    return bits


def _name(value: Any) -> str:
    return ";".join(dict.fromkeys(_values(value)))


def graph_from_pbf(path: str | Path) -> nx.MultiDiGraph:
    """Unsimplified OSMnx-style MultiDiGraph of all ``highway`` ways in an OSM PBF file.

    Nodes carry ``x`` (lon) and ``y`` (lat); edges carry ``osmid``, ``highway``,
    ``maxspeed``, ``oneway``, ``reversed`` and ``length`` (metres, great circle), as
    ``osmnx.graph_from_xml(..., simplify=False)`` gives them.
    """
    import osmium

    graph = nx.MultiDiGraph(crs="epsg:4326")
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in processor:
        tags = {k: way.tags.get(k) for k in WAY_TAGS if k in way.tags}
        refs: list[int] = []
        for node in way.nodes:
            if not node.location.valid():
                continue
            if refs and refs[-1] == node.ref:
                continue
            refs.append(node.ref)
            graph.add_node(node.ref, x=node.lon, y=node.lat)
        oneway_tag = tags.get("oneway")
        oneway = oneway_tag in ONEWAY_FORWARD or oneway_tag in ONEWAY_REVERSE or tags.get("junction") == "roundabout"
        if oneway_tag in ONEWAY_REVERSE:
            refs.reverse()
        attrs = {k: v for k, v in tags.items() if k not in ("junction", "oneway")}
        graph.add_edges_from(pairwise(refs), osmid=way.id, oneway=oneway, reversed=False, **attrs)
        if not oneway:
            graph.add_edges_from(pairwise(reversed(refs)), osmid=way.id, oneway=False, reversed=True, **attrs)
    if graph.number_of_edges() == 0:
        raise GeoplanError(f"{path}: no highway ways found — is this an OSM extract of the planning area?")
    return ox.distance.add_edge_lengths(graph)


def edges_from_osm_graph(graph: nx.MultiDiGraph, to_crs: Any = None) -> tuple[EdgeTable, CRS]:
    """Drivable, simplified and projected edge table from an unsimplified OSMnx graph.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Unsimplified graph in longitude/latitude (``x``, ``y`` node attributes).
    to_crs : CRS-like, optional
        Target metric CRS. Default: the CGCS2000 Gauss-Krüger zone of the area's
        mean longitude.

    Returns
    -------
    EdgeTable, pyproj.CRS
    """
    drivable = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
                if _highway_class(d.get("highway")) and not is_closed(d)]
    if not drivable:
        raise GeoplanError("the OSM data has no drivable roads (highway=motorway … residential/service/track)")
    graph = graph.edge_subgraph(drivable).copy()
    differ = [k for k in WAY_TAGS if k not in ("junction", "service")]
    graph = ox.simplify_graph(graph, edge_attrs_differ=differ)

    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    lonlat = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in nodes], dtype=np.float64)
    crs = CRS.from_user_input(to_crs) if to_crs is not None else CRS.from_epsg(metric_crs_for(float(lonlat[:, 0].mean())))
    if not crs.is_projected:
        raise GeoplanError(f"to_crs {crs.to_string()} is not a projected CRS: use a metric one such as EPSG:4549")
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    u, v, classes, caps, geoms, tags, weights, names = [], [], [], [], [], [], [], []
    for a, b, data in graph.edges(data=True):
        u.append(index[a])
        v.append(index[b])
        classes.append(ROAD_CLASSES.index(_highway_class(data.get("highway"))))
        caps.append(parse_maxspeed(data.get("maxspeed")))
        tags.append(edge_tags(data))
        weights.append(parse_maxweight(data.get("maxweight")))
        names.append(_name(data.get("name")))
        geom = data.get("geometry")
        geoms.append(geom if geom is not None else shapely.LineString([lonlat[index[a]], lonlat[index[b]]]))
    geometry = shapely.transform(np.array(geoms, dtype=object), project)
    table = EdgeTable(
        node_xy=project(lonlat),
        u=np.array(u, dtype=np.int64),
        v=np.array(v, dtype=np.int64),
        length_m=shapely.length(geometry),
        road_class=np.array(classes, dtype=np.int8),
        speed_cap_kmh=np.array(caps, dtype=np.float64),
        geometry=geometry,
        node_source_id=np.array(nodes, dtype=np.int64),
        tags=np.array(tags, dtype=np.uint8),
        max_weight_t=np.array(weights, dtype=np.float64),
        name=np.array(names, dtype=object),
    )
    return table, crs


def edges_from_osm_xml(path: str | Path, to_crs: Any = None) -> tuple[EdgeTable, CRS]:
    """Edge table from an OSM XML file (read with ``osmnx.graph_from_xml``)."""
    path = Path(path)
    if not path.exists():
        raise GeoplanError(f"OSM file {path} does not exist: check the road source path")
    saved = ox.settings.useful_tags_way
    ox.settings.useful_tags_way = list(dict.fromkeys([*saved, *WAY_TAGS]))
    try:
        graph = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
    except ox._errors.InsufficientResponseError as exc:  # empty file
        raise GeoplanError(f"{path}: no OSM nodes or ways found — is this an OSM XML extract?") from exc
    finally:
        ox.settings.useful_tags_way = saved
    return edges_from_osm_graph(graph, to_crs)


def edges_from_osm_pbf(path: str | Path, to_crs: Any = None) -> tuple[EdgeTable, CRS]:
    """Edge table from an OSM PBF file (read with pyosmium)."""
    path = Path(path)
    if not path.exists():
        raise GeoplanError(f"OSM file {path} does not exist: check the road source path")
    return edges_from_osm_graph(graph_from_pbf(path), to_crs)
