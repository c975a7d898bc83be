import geopandas as gpd
import pytest
import shapely

from layers import GeoplanError, area_metric_crs, metric_crs_for, read_layer, write_layer


@pytest.mark.parametrize(
    ("lon", "epsg"),
    [(75.0, 4534), (117.0, 4548), (120.0, 4549), (119.2, 4549), (118.4, 4548), (118.5, 4549),
     (121.49, 4549), (121.5, 4550), (135.0, 4554), (73.6, 4534), (136.4, 4554)],
)
def test_metric_crs_for_picks_the_3_degree_zone(lon, epsg):
    assert metric_crs_for(lon) == epsg


def test_metric_crs_codes_are_cgcs2000_gauss_kruger():
    import pyproj

    crs = pyproj.CRS.from_epsg(metric_crs_for(119.2))
    assert "CGCS2000" in crs.name and "120E" in crs.name


@pytest.mark.parametrize("lon", [70.0, 140.0, -119.2, float("nan")])
def test_metric_crs_for_refuses_longitudes_outside_china(lon):
    with pytest.raises(GeoplanError):
        metric_crs_for(lon)


def test_area_metric_crs_uses_combined_centre(villages):
    west = villages.assign(geometry=villages.geometry.translate(-2.5, 0))  # ≈ 116.7°E
    east = villages.assign(geometry=villages.geometry.translate(+0.5, 0))  # ≈ 119.7°E
    assert area_metric_crs([west]) == 4548
    assert area_metric_crs([east]) == 4549
    # Centre of the union ≈ 118.2°E → 117°E zone.
    assert area_metric_crs([west, east.to_crs(4549)]) == 4548


def _shapefile_without_prj(tmp_path, gdf):
    path = tmp_path / "villages.shp"
    write_layer(gdf, path)
    path.with_suffix(".prj").unlink()
    return path


def test_layer_without_crs_is_refused_with_file_and_how_to_declare(tmp_path, villages):
    path = _shapefile_without_prj(tmp_path, villages)
    with pytest.raises(GeoplanError) as exc:
        read_layer(path, "villages")
    message = str(exc.value)
    assert str(path) in message and "layer villages" in message and "no CRS" in message and "crs = " in message


@pytest.mark.parametrize("declared", [4326, "EPSG:4490"])
def test_crs_argument_declares_a_missing_crs(tmp_path, villages, declared):
    path = _shapefile_without_prj(tmp_path, villages)
    read = read_layer(path, "villages", crs=declared)
    assert read.crs.to_epsg() == 4549
    back = read.to_crs(4326)
    assert back.geometry.x.to_numpy() == pytest.approx(villages.geometry.x.to_numpy(), abs=1e-6)


def test_projected_input_is_accepted_and_reprojected(tmp_path, villages):
    path = tmp_path / "villages.gpkg"
    write_layer(villages.to_crs(32650), path)  # UTM 50N, a CRS pyproj knows
    read = read_layer(path, "villages")
    assert read.crs.to_epsg() == 4549
    assert read.to_crs(4326).geometry.y.to_numpy() == pytest.approx(villages.geometry.y.to_numpy(), abs=1e-7)


def test_unsupported_geographic_crs_is_refused(tmp_path, villages):
    path = tmp_path / "villages.gpkg"
    write_layer(villages.set_crs(4214, allow_override=True), path)  # Beijing 1954 geographic
    with pytest.raises(GeoplanError, match="unsupported CRS"):
        read_layer(path, "villages")


def test_to_crs_is_honoured(tmp_path, villages):
    path = tmp_path / "villages.geojson"
    write_layer(villages, path)
    assert read_layer(path, "villages", to_crs=4548).crs.to_epsg() == 4548


def test_polygon_layer_projects_to_its_zone(tmp_path, districts):
    path = tmp_path / "districts.gpkg"
    write_layer(districts, path)
    read = read_layer(path, "districts")
    assert read.crs.to_epsg() == 4549
    # ≈ 4.5 km × 4.4 km boxes: areas in m² now.
    assert 1.5e7 < read.area.iloc[0] < 2.5e7
    assert shapely.is_valid(read.geometry.values).all()
    assert isinstance(read, gpd.GeoDataFrame)
