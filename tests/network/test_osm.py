"""OSM XML (via OSMnx) and PBF (via pyosmium) give the same, correctly directed network."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from geoplan.network import RoadNetwork, parse_maxspeed
from layers.errors import GeoplanError

# (id, lon, lat)
NODES = [
    (1, 120.000, 31.000),
    (2, 120.005, 31.000),
    (3, 120.010, 31.000),
    (4, 120.010, 31.005),
    (5, 120.005, 31.005),
    (6, 120.000, 31.005),
    (7, 120.0025, 31.0025),
    (8, 120.015, 31.000),
    (9, 120.0075, 31.0010),
    (10, 120.030, 31.020),
    (11, 120.032, 31.020),
]
# (id, node refs, tags)
WAYS = [
    (100, [1, 2, 9, 3], {"highway": "primary", "maxspeed": "60"}),  # 9 is a pass-through vertex
    (101, [3, 4], {"highway": "residential", "oneway": "yes"}),
    (102, [6, 5, 4], {"highway": "tertiary", "oneway": "-1"}),  # driven 4 → 5 → 6
    (103, [2, 5], {"highway": "secondary"}),
    (104, [6, 1], {"highway": "residential", "maxspeed": "20 mph"}),
    (105, [1, 7, 3], {"highway": "footway"}),  # not for vehicles
    (106, [3, 8], {"highway": "service", "oneway": "true"}),  # a one-way stub out to a dead end: opened
    (107, [10, 11], {"highway": "residential"}),  # an island: dropped
]
# Directed edges between kept nodes after simplification (OSM ids).
EXPECTED = {(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 5), (5, 6), (2, 5), (5, 2), (6, 1), (1, 6), (3, 8), (8, 3)}


def write_osm_xml(path: Path) -> Path:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="geoplan-tests">']
    for nid, lon, lat in NODES:
        lines.append(f'  <node id="{nid}" version="1" lat="{lat}" lon="{lon}"/>')
    for wid, refs, tags in WAYS:
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_osm_pbf(path: Path) -> Path:
    import osmium
    from osmium.osm.mutable import Node, Way

    writer = osmium.SimpleWriter(str(path))
    try:
        for nid, lon, lat in NODES:
            writer.add_node(Node(id=nid, location=(lon, lat), tags={}))
        for wid, refs, tags in WAYS:
            writer.add_way(Way(id=wid, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path


def _osm_edges(net: RoadNetwork) -> dict[tuple[int, int], tuple[float, int, float]]:
    ids = net.node_source_id
    return {
        (int(ids[a]), int(ids[b])): (float(length), int(cls), float(cap))
        for a, b, length, cls, cap in zip(net.edge_u, net.edge_v, net.edge_length_m, net.edge_road_class, net.edge_speed_cap_kmh)
    }


def _haversine_m(lon1, lat1, lon2, lat2) -> float:
    r = 6_371_009.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def test_osm_xml_nodes_edges_directions_lengths(tmp_path):
    net = RoadNetwork.from_osm_xml(write_osm_xml(tmp_path / "town.osm"))
    assert net.crs.to_epsg() == 4549  # 120°E Gauss-Krüger zone picked automatically
    assert sorted(net.node_source_id.tolist()) == [1, 2, 3, 4, 5, 6, 8]
    edges = _osm_edges(net)
    assert set(edges) == EXPECTED
    assert (4, 3) not in edges and (5, 4) not in edges  # one-way and reversed one-way
    # the island goes (both directions), the stub at the edge stays, opened both ways
    assert net.dropped.nodes == 2 and net.dropped.edges == 2 and net.dropped.components_before == 3
    assert net.dropped.stub_edges == 1 and list(net.dropped.reason) == ["island", "island"]
    coord = {nid: (lon, lat) for nid, lon, lat in NODES}
    to_xy = Transformer.from_crs("EPSG:4326", net.crs, always_xy=True)

    def projected(*ids):
        xy = np.array([to_xy.transform(*coord[i]) for i in ids])
        return float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum())

    # The way 1-2 and the merged 2-9-3 follow their vertices.
    assert edges[(2, 3)][0] == pytest.approx(projected(2, 9, 3), rel=1e-9)
    assert edges[(3, 4)][0] == pytest.approx(projected(3, 4), rel=1e-9)
    assert edges[(3, 4)][0] == pytest.approx(_haversine_m(*coord[3], *coord[4]), rel=3e-3)
    assert net.dropped.stub_length_m == pytest.approx(projected(3, 8), rel=1e-9)
    assert dropped_km_ok(net, 2 * projected(10, 11))
    info = net.info()
    assert info["dropped_km"] == pytest.approx(projected(10, 11) / 1000, rel=1e-9)  # one road, counted once
    assert info["dropped_km_by_reason"]["不与主路网相连 / not connected to the main network"] == pytest.approx(
        info["dropped_km"])
    # Classes and speed limits.
    assert edges[(1, 2)][1] == 1 and edges[(1, 2)][2] == 60.0  # arterial, 60 km/h
    assert edges[(5, 6)][1] == 2 and np.isnan(edges[(5, 6)][2])  # collector, no limit
    assert edges[(6, 1)][2] == pytest.approx(20 * 1.609344)


def dropped_km_ok(net: RoadNetwork, expected_m: float) -> bool:
    return net.dropped.length_m == pytest.approx(expected_m, rel=1e-9)


def test_osm_pbf_gives_the_same_graph_as_xml(tmp_path):
    xml = RoadNetwork.from_osm_xml(write_osm_xml(tmp_path / "town.osm"))
    pbf = RoadNetwork.from_osm_pbf(write_osm_pbf(tmp_path / "town.osm.pbf"))
    a, b = _osm_edges(xml), _osm_edges(pbf)
    assert set(a) == set(b) == EXPECTED
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9)
    assert pbf.dropped == xml.dropped


def test_from_file_dispatches_on_suffix(tmp_path):
    net = RoadNetwork.from_file(write_osm_pbf(tmp_path / "town.osm.pbf"), to_crs="EPSG:4549")
    assert net.n_nodes == 7
    net = RoadNetwork.from_file(write_osm_xml(tmp_path / "town.xml"))
    assert net.n_edges == len(EXPECTED)
    with pytest.raises(GeoplanError, match="unknown file type"):
        (tmp_path / "roads.csv").write_text("x")
        RoadNetwork.from_file(tmp_path / "roads.csv")
    with pytest.raises(GeoplanError, match="does not exist"):
        RoadNetwork.from_file(tmp_path / "missing.osm")


@pytest.mark.parametrize(
    ("value", "kmh"),
    [("50", 50.0), ("50 km/h", 50.0), ("30 mph", 30 * 1.609344), ("40;60", 40.0), (["60", "80"], 60.0), ("CN:urban", None), (None, None)],
)
def test_parse_maxspeed(value, kmh):
    got = parse_maxspeed(value)
    assert (np.isnan(got) and kmh is None) or got == pytest.approx(kmh)
