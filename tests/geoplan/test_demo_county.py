"""The embedded demo county: deterministic, big enough, and shaped like a real county."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import layers
from geoplan.demo import build_demo_layers
from geoplan.demo.geography import OLD_TOWN, river_line, shift_geometries


@pytest.fixture(scope="module")
def demo():
    return build_demo_layers(7)


def test_same_seed_gives_identical_layers(demo):
    again = build_demo_layers(7)
    assert demo.keys() == again.keys()
    for kind in demo:
        pd.testing.assert_frame_equal(demo[kind].drop(columns="geometry"), again[kind].drop(columns="geometry"))
        assert demo[kind].geometry.geom_equals_exact(again[kind].geometry, tolerance=0).all(), kind


def test_other_seed_gives_another_county(demo):
    other = build_demo_layers(8)
    assert not np.array_equal(
        shapely.get_coordinates(demo["villages"].geometry), shapely.get_coordinates(other["villages"].geometry)
    )


def test_sizes_required_of_the_demo(demo):
    assert len(demo["residential_communities"]) >= 300
    assert len(demo["villages"]) >= 150
    assert (demo["villages"]["mulched_area_mu"] > 0).all()
    assert len(demo["agri_input_shops"]) >= 60
    assert len(demo["construction_sites"]) >= 40
    assert (demo["construction_sites"]["muck_volume_m3"] > 0).all()
    districts = demo["districts"]
    assert (districts["district_type"] == "镇").sum() >= 4
    assert len(demo["transfer_stations"]) >= 3
    ts = demo["transfer_stations"]
    assert (ts["current_load_t_per_d"] > ts["capacity_t_per_d"]).sum() == 1, "exactly one overloaded station"
    for kind in ("sorting_centers", "treatment_plants", "depots", "muck_disposal_sites"):
        assert len(demo[kind]) >= 1, kind
    candidate_kinds = set(demo["candidate_sites"]["facility_kind"])
    assert candidate_kinds == set(layers.FACILITY_KINDS), "a candidate site for every facility kind"


def test_every_layer_passes_its_own_schema(demo):
    for kind, gdf in demo.items():
        _, issues = layers.validate_layer(gdf, kind, file="demo", layer=kind)
        errors = [i for i in issues if i.severity == "error"]
        assert not errors, errors[:3]


def test_road_hierarchy_and_one_way_streets(demo):
    roads = demo["roads"]
    assert set(roads["road_class"]) == {"expressway", "arterial", "collector", "local"}
    assert roads["oneway"].sum() > 50
    old_town = shift_geometries([OLD_TOWN])[0]
    assert roads[roads["oneway"]].intersects(old_town).all(), "one-way streets are the old town's side streets"


def test_river_is_crossed_by_few_roads(demo):
    river = shift_geometries([river_line()])[0]
    crossing = demo["roads"][demo["roads"].intersects(river)]
    assert 3 <= len(crossing) <= 12, len(crossing)


def test_districts_cover_all_demand_points(demo):
    union = demo["districts"].union_all()
    for kind in ("residential_communities", "villages", "agri_input_shops", "construction_sites"):
        assert demo[kind].within(union.buffer(1.0)).all(), kind
    assert not demo["districts"].geometry.is_empty.any()


def test_river_makes_network_distance_differ_from_straight_line(demo):
    from geoplan.demo.geography import river_y
    from geoplan.network import RoadNetwork

    net = RoadNetwork.from_roads(demo["roads"], restricted_zones=demo["restricted_zones"])
    # Two points 1.6 km apart, facing each other across the river between the bridges.
    x = -6500.0
    local = np.array([[x, river_y(x) + 800.0], [x, river_y(x) - 800.0]])
    pts = gpd.GeoSeries(shift_geometries(list(shapely.points(local))), crs=demo["roads"].crs)
    costs = net.travel_costs(pts.iloc[:1], pts.iloc[1:], weight="metres")
    assert costs.metres[0, 0] > 3 * 1600.0
    # Muck trucks may not use the old town's streets: their way across the seat is longer.
    west, east = shift_geometries(list(shapely.points([[-2000.0, -800.0], [2000.0, 900.0]])))
    ends = gpd.GeoSeries([west, east], crs=demo["roads"].crs)
    truck = net.travel_costs(ends.iloc[:1], ends.iloc[1:], profile="compression_truck", weight="metres")
    muck = net.travel_costs(ends.iloc[:1], ends.iloc[1:], profile="muck_truck", weight="metres")
    assert np.isfinite(muck.metres[0, 0]) and muck.metres[0, 0] > truck.metres[0, 0] + 250.0
