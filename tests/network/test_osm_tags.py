"""The tags a county's OSM network really has decide which vehicle may drive where, and where a point attaches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from geoplan.network import RoadNetwork
from geoplan.network.edge_table import TAG_BITS
from geoplan.settings import parse_profiles

# A ladder of two parallel streets joined at both ends, and one way of each kind to test.
NODES = {1: (120.000, 31.000), 2: (120.010, 31.000), 3: (120.000, 31.002), 4: (120.010, 31.002),
         5: (120.005, 31.0005), 6: (120.005, 31.0015), 7: (120.011, 31.001), 8: (120.012, 31.001),
         9: (120.013, 31.001)}
WAYS = [
    (10, [1, 2], {"highway": "motorway", "bridge": "yes", "layer": "1", "name": "高架快速路"}),  # 高架
    (11, [3, 4], {"highway": "residential", "name": "南街"}),
    (12, [1, 3], {"highway": "tertiary", "name": "西路"}),
    (13, [2, 4], {"highway": "tertiary", "name": "东路", "tunnel": "yes"}),
    (14, [5, 6], {"highway": "service", "access": "private", "name": "小区内路"}),
    (15, [1, 5], {"highway": "track", "name": "机耕路"}),
    (16, [6, 3], {"highway": "residential", "hgv": "no", "maxweight": "10"}),
    (17, [2, 7], {"highway": "residential", "access": "no"}),  # closed: not part of the network
    (18, [2, 8, 4], {"highway": "residential", "oneway": "-1", "name": "逆行单行"}),  # driven 4 → 8 → 2
]


def write_osm(path: Path) -> Path:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    lines += [f'  <node id="{i}" version="1" lat="{lat}" lon="{lon}"/>' for i, (lon, lat) in NODES.items()]
    for wid, refs, tags in WAYS:
        lines += [f'  <way id="{wid}" version="1">', *[f'    <nd ref="{r}"/>' for r in refs],
                  *[f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()], "  </way>"]
    path.write_text("\n".join([*lines, "</osm>"]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def net(tmp_path_factory) -> RoadNetwork:
    return RoadNetwork.from_osm_xml(write_osm(tmp_path_factory.mktemp("tags") / "ladder.osm"))


def _edge(net, name: str) -> int:
    hits = np.flatnonzero(net.edge_name == name)
    assert hits.size, name
    return int(hits[0])


def test_tags_become_road_classes_and_bits(net):
    assert net.edge_tags[_edge(net, "高架快速路")] & TAG_BITS["elevated"]
    assert net.edge_tags[_edge(net, "东路")] & TAG_BITS["tunnel"]
    assert net.edge_tags[_edge(net, "小区内路")] & TAG_BITS["private"]
    unnamed = np.flatnonzero(net.edge_name == "")
    assert np.any((net.edge_tags[unnamed] & TAG_BITS["no_hgv"]) > 0)
    assert np.nanmin(net.edge_max_weight_t) == 10.0
    assert net.edge_road_class[_edge(net, "机耕路")] == 4  # track
    ids = set(net.node_source_id.tolist())
    assert 7 not in ids  # access=no: dropped with its way
    # oneway=-1 is driven against the drawing: from 4 to 2 only
    ways = np.flatnonzero(net.edge_name == "逆行单行")
    assert [(int(net.node_source_id[net.edge_u[e]]), int(net.node_source_id[net.edge_v[e]])) for e in ways] == [(4, 2)]


def test_each_vehicle_keeps_to_its_roads(net):
    small = net.usable_edges("small_collection_vehicle")
    truck = net.usable_edges("compression_truck")
    muck = net.usable_edges("muck_truck")
    van = net.usable_edges("film_van")
    elevated, tunnel, private, track = (_edge(net, n) for n in ("高架快速路", "东路", "小区内路", "机耕路"))
    assert not small[elevated] and not small[tunnel] and small[private]
    assert not truck[private] and not truck[track] and not truck[elevated]
    assert muck[elevated] and muck[tunnel] and not muck[private]
    assert van[track] and not van[private]
    limited = int(np.flatnonzero(net.edge_max_weight_t == 10.0)[0])
    assert not muck[limited] and van[limited]  # 31 t muck truck over a 10 t limit; a 3.5 t van passes


def test_a_point_beside_the_viaduct_attaches_to_a_road_its_vehicle_may_use(net):
    to_xy = Transformer.from_crs(4326, net.crs, always_xy=True)
    xy = np.array([to_xy.transform(120.004, 31.00005)])  # 5 m from the viaduct, 200 m from the next street
    muck = net.snap(xy, "muck_truck")
    small = net.snap(xy, "small_collection_vehicle")
    assert net.edge_name[muck.edge[0]] == "高架快速路" and muck.road_distance_m[0] < 10
    assert net.edge_name[small.edge[0]] != "高架快速路" and small.road_distance_m[0] > 30
    costs = net.access_costs(xy, xy, "small_collection_vehicle")
    assert costs[0, 0] == pytest.approx(2 * small.road_distance_m[0])


def test_profiles_are_changed_per_class_and_tag(tmp_path):
    profiles = parse_profiles({"compression_truck": {"barred_road_classes": ["track"], "barred_tags": [],
                                                      "speed_kmh": {"local": 18.0}}}, tmp_path / "scenario.toml")
    truck = profiles["compression_truck"]
    assert truck.barred_road_classes == {"track"} and truck.barred_tags == frozenset()
    assert truck.speed_kmh["local"] == 18.0 and truck.speed_kmh["arterial"] == 35.0
    net = RoadNetwork.from_osm_xml(write_osm(tmp_path / "ladder.osm"), profiles=profiles)
    assert net.usable_edges("compression_truck")[_edge(net, "高架快速路")]
    from layers.errors import GeoplanError

    with pytest.raises(GeoplanError, match=r"\[profiles\.compression_truck\]: vehicle profile 'compression_truck': "
                                           "unknown road tags"):
        parse_profiles({"compression_truck": {"barred_tags": ["bumpy"]}}, tmp_path / "scenario.toml")
