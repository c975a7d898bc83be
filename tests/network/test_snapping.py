"""Snapping to nodes and snap issues."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoplan.network import RoadNetwork
from geoplan.network.synthetic import grid_roads
from layers.errors import GeoplanError, Issue


@pytest.fixture(scope="module")
def net() -> RoadNetwork:
    return RoadNetwork.from_roads(grid_roads(8, 6, seed=11))


def test_snap_distance_is_the_nearest_node_distance(net):
    rng = np.random.default_rng(0)
    minx, miny = net.node_xy.min(axis=0)
    maxx, maxy = net.node_xy.max(axis=0)
    xy = np.column_stack([rng.uniform(minx - 500, maxx + 500, 60), rng.uniform(miny - 500, maxy + 500, 60)])
    points = gpd.GeoSeries(shapely.points(xy), crs=net.crs)
    snap = net.snap(points)
    nodes = shapely.points(net.node_xy)
    for p, node, dist in zip(points, snap.node, snap.distance_m):
        all_d = shapely.distance(p, nodes)
        assert dist == pytest.approx(all_d.min(), abs=1e-9)
        assert shapely.distance(p, nodes[node]) == pytest.approx(dist, abs=1e-9)
    np.testing.assert_array_equal(net.snap(xy).node, snap.node)


def test_snap_reprojects_and_refuses_missing_crs(net):
    pts = gpd.GeoSeries(shapely.points(net.node_xy[:3] + 1.0), crs=net.crs)
    lonlat = pts.to_crs("EPSG:4326")
    np.testing.assert_array_equal(net.snap(lonlat).node, net.snap(pts).node)
    with pytest.raises(GeoplanError, match="no CRS"):
        net.snap(gpd.GeoSeries(shapely.points(net.node_xy[:1])))


def test_snap_issues_name_far_rows(net):
    far = net.node_xy.max(axis=0) + [2000.0, 0.0]
    near = net.node_xy[0] + [10.0, 0.0]
    gdf = gpd.GeoDataFrame({"id": ["P1", "P2"]}, geometry=shapely.points([near, far]), crs=net.crs)
    issues = net.snap_issues(gdf, file="points.gpkg", layer="collection_points", max_snap_m=500.0)
    assert len(issues) == 1
    issue = issues[0]
    assert isinstance(issue, Issue) and issue.row_id == "P2" and issue.severity == "error"
    # the distance named is the straight line to the nearest road, measured here edge by edge
    far_point = shapely.points(far)
    to_road = min(shapely.distance(far_point, g) for g in net.edge_geometry)
    assert f"point lies {to_road:,.0f} m from the nearest road" in issue.problem
    assert "coordinates" in issue.fix and "road" in issue.fix
    assert net.snap_issues(gdf, "points.gpkg", "collection_points", max_snap_m=5000.0) == []


def test_distance_to_road_is_measured_to_the_edge_not_the_node():
    from shapely.geometry import LineString

    from geoplan.network import RoadNetwork

    # One straight 4 km road: its nodes are 4 km apart, its middle is far from both.
    road = gpd.GeoDataFrame({"id": ["R1"], "road_class": ["collector"], "oneway": [False]},
                            geometry=[LineString([(500_000, 3_800_000), (504_000, 3_800_000)])], crs=4549)
    net = RoadNetwork.from_roads(road)
    pts = gpd.GeoDataFrame({"id": ["near", "far"]},
                           geometry=gpd.points_from_xy([502_000, 502_000], [3_800_300, 3_800_900]), crs=4549)
    snap = net.snap(pts)
    assert snap.road_distance_m.tolist() == pytest.approx([300.0, 900.0])
    assert (snap.distance_m > 2000).all()
    issues = net.snap_issues(pts, file="f.gpkg", layer="villages", max_snap_m=500.0)
    assert [i.row_id for i in issues] == ["far"] and "900 m" in issues[0].problem
