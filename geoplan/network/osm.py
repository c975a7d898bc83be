"""Read OpenStreetMap road data (XML or PBF, both through pyosmium) into an edge table.

One reader serves both formats: it keeps the highway types that collection vehicles,
vans and muck trucks drive on, cuts each way into edges at junctions (pass-through nodes
become shape points, as ``osmnx.simplify_graph`` would make them) and projects to a metric
CRS, all on arrays. The same data in XML or PBF therefore gives the same network.

The tags a county's network really has become what each vehicle profile may use:
``highway`` the road class (``track`` included: village roads matter for film and rural
collection); ``access``/``motor_vehicle`` = no drops the way, = private marks it
private; ``hgv=no`` closes it to trucks; ``maxweight`` limits it; ``bridge``/``layer``
on an expressway or a viaduct mark 高架 (elevated); ``tunnel`` marks tunnels;
``oneway=-1`` and ``junction=roundabout`` set the direction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from layers.crs import metric_crs_for
from layers.errors import GeoplanError
from layers.files import not_a, readable_file, reading

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


def _read_ways(path: Path) -> tuple[list[np.ndarray], list[np.ndarray], list[dict]]:
    """Drivable ways of an OSM file (XML or PBF, read by pyosmium): node ids, coordinates (lon, lat) and tags."""
    import osmium

    refs, coords, tags = [], [], []
    with reading(readable_file(path), "OSM"), _osm_ok(path):
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            t = {k: way.tags.get(k) for k in WAY_TAGS if k in way.tags}
            if _highway_class(t.get("highway")) is None or is_closed(t):
                continue
            ids, xy = [], []
            for node in way.nodes:
                if not node.location.valid() or (ids and ids[-1] == node.ref):
                    continue
                ids.append(node.ref)
                xy.append((node.lon, node.lat))
            if len(ids) >= 2:
                refs.append(np.asarray(ids, dtype=np.int64))
                coords.append(np.asarray(xy, dtype=np.float64))
                tags.append(t)
    return refs, coords, tags


@contextmanager
def _osm_ok(path: Path) -> Iterator[None]:
    """An XML file that is not OSM XML (a web page saved as .osm, say) is named as such, not as damaged."""
    if path.name.lower().endswith((".osm", ".xml")):
        with open(path, "rb") as fh:
            head = fh.read(1024).lstrip()
        if b"<osm" not in head:
            raise not_a(path, "OSM")
    yield


def _direction(t: dict) -> int:
    """+1 one-way along the way, -1 one-way against it, 0 both ways."""
    oneway = t.get("oneway")
    if oneway in ONEWAY_REVERSE:
        return -1
    if oneway in ONEWAY_FORWARD or (t.get("junction") in ("roundabout", "circular") and oneway != "no"):
        return 1
    return 0


def edges_from_osm(path: str | Path, to_crs: Any = None) -> tuple[EdgeTable, CRS]:
    """Drivable, simplified and projected edge table of an OSM XML or PBF file.

    Each way is cut at its ends and at every node another way (or itself again) passes
    through; the pieces between are edges, their inner nodes shape points. Two-way
    ways give an edge each way; ``oneway=-1`` ways are driven against their drawing.
    Everything runs on arrays (no graph library), so a county extract with millions of
    nodes reads in seconds.

    Parameters
    ----------
    path : path
        ``.osm`` / ``.xml`` (OSM XML) or ``.pbf`` (OSM PBF).
    to_crs : CRS-like, optional
        Target metric CRS. Default: the CGCS2000 Gauss-Krüger zone of the area's mean longitude.

    Returns
    -------
    EdgeTable, pyproj.CRS
    """
    path = Path(path)
    refs, coords, tags = _read_ways(path)
    if not refs:
        raise GeoplanError(f"{path}: no drivable roads found (highway=motorway … residential/service/track) — "
                           "is this an OSM extract of the planning area?")
    lengths = np.array([len(r) for r in refs])
    way_of = np.repeat(np.arange(len(refs)), lengths)
    ref = np.concatenate(refs)
    lonlat = np.concatenate(coords)
    first = np.r_[0, np.cumsum(lengths)[:-1]]
    last = first + lengths - 1
    # junctions: way ends and nodes used more than once (by another way or the same one)
    unique_ref, inverse, counts = np.unique(ref, return_inverse=True, return_counts=True)
    junction = counts[inverse] >= 2
    junction[first] = True
    junction[last] = True
    # an edge runs from each junction to the next one along its way
    starts = np.flatnonzero(junction & ~np.isin(np.arange(len(ref)), last))
    next_junction = np.flatnonzero(junction)
    ends = next_junction[np.searchsorted(next_junction, starts, side="right")]
    n_vertices = ends - starts + 1
    vertex = np.repeat(starts, n_vertices) + (np.arange(n_vertices.sum()) - np.repeat(np.cumsum(n_vertices) - n_vertices,
                                                                                        n_vertices))
    crs = CRS.from_user_input(to_crs) if to_crs is not None else CRS.from_epsg(metric_crs_for(float(lonlat[:, 0].mean())))
    if not crs.is_projected:
        raise GeoplanError(f"to_crs {crs.to_string()} is not a projected CRS: use a metric one such as EPSG:4549")
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lonlat[:, 0], lonlat[:, 1])
    xy = np.column_stack([x, y])
    geometry = shapely.linestrings(xy[vertex], indices=np.repeat(np.arange(len(starts)), n_vertices))
    # nodes: the junctions used as edge ends
    node_refs, node_index = np.unique(np.r_[ref[starts], ref[ends]], return_inverse=True)
    u, v = node_index[: len(starts)], node_index[len(starts):]
    node_xy = np.empty((len(node_refs), 2))
    node_xy[u] = xy[starts]
    node_xy[v] = xy[ends]
    way = way_of[starts]
    direction = np.array([_direction(t) for t in tags])[way]
    classes = np.array([ROAD_CLASSES.index(_highway_class(t.get("highway"))) for t in tags], dtype=np.int8)[way]
    caps = np.array([parse_maxspeed(t.get("maxspeed")) for t in tags])[way]
    bits = np.array([edge_tags(t) for t in tags], dtype=np.uint8)[way]
    weights = np.array([parse_maxweight(t.get("maxweight")) for t in tags])[way]
    names = np.array([_name(t.get("name")) for t in tags], dtype=object)[way]
    against = direction < 0
    geometry[against] = shapely.reverse(geometry[against])
    u, v = np.where(against, v, u), np.where(against, u, v)
    table = EdgeTable(node_xy=node_xy, u=u.astype(np.int64), v=v.astype(np.int64), length_m=shapely.length(geometry),
                      road_class=classes, speed_cap_kmh=caps, geometry=geometry, node_source_id=node_refs,
                      tags=bits, max_weight_t=weights, name=names)
    return table.with_reverse(direction == 0), crs


def edges_from_osm_xml(path: str | Path, to_crs: Any = None) -> tuple[EdgeTable, CRS]:
    """Edge table from an OSM XML file (:func:`edges_from_osm`)."""
    return edges_from_osm(path, to_crs)


def edges_from_osm_pbf(path: str | Path, to_crs: Any = None) -> tuple[EdgeTable, CRS]:
    """Edge table from an OSM PBF file (:func:`edges_from_osm`)."""
    return edges_from_osm(path, to_crs)


#: OSM tags of water areas (lakes, ponds, reservoirs, river surfaces), where no site may stand.
WATER_TAGS = {"natural": {"water"}, "waterway": {"riverbank"}, "landuse": {"reservoir", "basin"}}


def water_from_osm(path: str | Path, to_crs: Any) -> gpd.GeoDataFrame:
    """Water areas of an OSM file (closed ways and multipolygons tagged as water), in ``to_crs``."""
    import osmium

    factory = osmium.geom.WKBFactory()
    names, geoms = [], []
    with reading(readable_file(path), "OSM"), _osm_ok(path):
        processor = osmium.FileProcessor(str(path)).with_areas().with_filter(osmium.filter.EntityFilter(osmium.osm.AREA))
        for area in processor:
            if not any(area.tags.get(k) in values for k, values in WATER_TAGS.items()):
                continue
            try:
                geoms.append(shapely.from_wkb(factory.create_multipolygon(area)))
            except RuntimeError:  # an incomplete ring at the extract's edge
                continue
            names.append(area.tags.get("name", ""))
    water = gpd.GeoDataFrame({"id": [f"W{i + 1}" for i in range(len(geoms))], "name": names}, geometry=geoms, crs=4326)
    return water.to_crs(to_crs)
