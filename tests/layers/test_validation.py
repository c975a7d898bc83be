import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers import LayerValidationError, read_layer, validate_layer, write_layer


def _read_errors(path, kind, **kwargs):
    with pytest.raises(LayerValidationError) as exc:
        read_layer(path, kind, **kwargs)
    return [i for i in exc.value.issues if i.severity == "error"]


def _only(issues, row_id, field):
    """The one issue at (row_id, field); fails when there is none or several."""
    found = [i for i in issues if i.row_id == row_id and i.field == field]
    assert len(found) == 1, f"expected one issue at {row_id}/{field}, got {issues}"
    return found[0]


def _gpkg(tmp_path, gdf, kind):
    path = tmp_path / f"{kind}.gpkg"
    write_layer(gdf, path, kind)
    return path


def test_duplicate_ids(tmp_path, villages):
    villages.loc[3, "id"] = "v2"
    path = _gpkg(tmp_path, villages, "villages")
    errors = _read_errors(path, "villages")
    issue = _only(errors, "v2", "id")
    assert issue.file == str(path) and issue.layer == "villages"
    assert "duplicate id" in issue.problem and "row 2" in issue.problem and "row 4" in issue.problem
    assert len(errors) == 1


def test_missing_ids_name_the_row_number(tmp_path, villages):
    villages.loc[2, "id"] = None
    villages.loc[4, "id"] = ""
    path = _gpkg(tmp_path, villages, "villages")
    errors = _read_errors(path, "villages")
    assert {(i.row_id, i.field) for i in errors} == {("row 3", "id"), ("row 5", "id")}
    assert all(i.file == str(path) and i.layer == "villages" for i in errors)


def test_missing_required_field(tmp_path, villages):
    path = _gpkg(tmp_path, villages.drop(columns="mulched_area_mu"), "villages")
    errors = _read_errors(path, "villages")
    issue = _only(errors, None, "mulched_area_mu")
    assert issue.layer == "villages" and "missing required field" in issue.problem


def test_missing_required_value(tmp_path, villages):
    villages["households"] = villages["households"].astype("Int64")
    villages.loc[1, "households"] = pd.NA
    path = _gpkg(tmp_path, villages, "villages")
    issue = _only(_read_errors(path, "villages"), "v2", "households")
    assert "missing value" in issue.problem and issue.file == str(path)


def test_non_numeric_value_in_numeric_field(tmp_path, villages):
    path = tmp_path / "villages.csv"
    table = villages.drop(columns="geometry").assign(lon=villages.geometry.x, lat=villages.geometry.y)
    table = table.astype({"population": object, "mulched_area_mu": object})
    table.loc[0, "population"] = "约1200"
    table.loc[3, "mulched_area_mu"] = "未知"
    table.to_csv(path, index=False)
    errors = _read_errors(path, "villages")
    assert "not a finite number" in _only(errors, "v1", "population").problem
    assert "not a finite number" in _only(errors, "v4", "mulched_area_mu").problem
    assert all(i.file == str(path) and i.layer == "villages" for i in errors)


def test_non_whole_count(tmp_path, villages):
    villages["population"] = villages["population"].astype(float)
    villages.loc[5, "population"] = 1500.5
    issue = _only(_read_errors(_gpkg(tmp_path, villages, "villages"), "villages"), "v6", "population")
    assert "whole number" in issue.problem


def test_negative_quantity(tmp_path, villages):
    villages.loc[1, "population"] = -860
    path = _gpkg(tmp_path, villages, "villages")
    issue = _only(_read_errors(path, "villages"), "v2", "population")
    assert issue.problem.startswith("人口为负数 / population is negative")
    assert issue.fix


def test_nan_quantity(tmp_path, villages):
    villages.loc[2, "mulched_area_mu"] = np.nan
    issue = _only(_read_errors(_gpkg(tmp_path, villages, "villages"), "villages"), "v3", "mulched_area_mu")
    assert "missing value" in issue.problem


def test_capacity_must_be_positive(tmp_path, transfer_stations):
    transfer_stations.loc[0, "capacity_t_per_d"] = 0.0
    issue = _only(_read_errors(_gpkg(tmp_path, transfer_stations, "transfer_stations"), "transfer_stations"),
                  "ts1", "capacity_t_per_d")
    assert "must be > 0" in issue.problem


def test_unknown_status(tmp_path, transfer_stations):
    transfer_stations.loc[2, "status"] = "demolished"
    path = _gpkg(tmp_path, transfer_stations, "transfer_stations")
    issue = _only(_read_errors(path, "transfer_stations"), "ts3", "status")
    assert "demolished" in issue.problem and "existing" in issue.fix
    assert issue.layer == "transfer_stations"


def test_unknown_station_class_and_fraction(tmp_path, transfer_stations):
    transfer_stations["station_class"] = ["V", "VI", None, None, None]
    transfer_stations.loc[3, "fractions"] = "其他垃圾,大件垃圾"
    errors = _read_errors(_gpkg(tmp_path, transfer_stations, "transfer_stations"), "transfer_stations")
    assert "VI" in _only(errors, "ts2", "station_class").problem
    assert "大件垃圾" in _only(errors, "ts4", "fractions").problem


def test_station_class_disagreeing_with_capacity_is_a_warning(tmp_path, transfer_stations):
    transfer_stations["station_class"] = ["V", "I", None, "2", None]
    read = read_layer(_gpkg(tmp_path, transfer_stations, "transfer_stations"), "transfer_stations")
    warning = _only(read.attrs["issues"], "ts2", "station_class")
    assert warning.severity == "warning" and "class III" in warning.problem
    assert read["station_class"].tolist() == ["V", "III", "IV", "II", "I"]


def test_opening_hours_validated(tmp_path):
    sites = gpd.GeoDataFrame(
        {"id": ["m1", "m2", "m3"], "name": ["东部消纳场", "西部消纳场", "北部消纳场"],
         "capacity_m3": [1e5, 5e4, 2e4], "opening_hours": ["22:00-06:00", "25:00-06:00", "22:00～6:00"]},
        geometry=gpd.points_from_xy([119.2, 119.3, 119.25], [34.6, 34.62, 34.7]), crs=4326)
    checked, issues = validate_layer(sites, "muck_disposal_sites", file="sites.gpkg")
    assert [(i.row_id, i.field) for i in issues] == [("m2", "opening_hours")]
    assert checked["opening_hours"].tolist() == ["22:00-06:00", None, "22:00-06:00"]


def test_bad_boolean(districts):
    districts["urban"] = ["是", "maybe"]
    checked, issues = validate_layer(districts, "districts", file="districts.gpkg")
    issue = _only(issues, "d2", "urban")
    assert issue.file == "districts.gpkg" and issue.layer == "districts"
    assert bool(checked["urban"].iloc[0]) is True


def test_end_date_before_start_date(tmp_path, construction_sites):
    construction_sites.loc[1, "end_date"] = "2024-01-15"
    path = _gpkg(tmp_path, construction_sites, "construction_sites")
    issue = _only(_read_errors(path, "construction_sites"), "c2", "end_date")
    assert "before start date" in issue.problem and issue.file == str(path)


def test_bad_date(construction_sites):
    construction_sites.loc[0, "start_date"] = "三月"
    _, issues = validate_layer(construction_sites, "construction_sites", file="sites.csv")
    assert "not a date" in _only(issues, "c1", "start_date").problem


def test_invalid_polygon_is_repaired_with_a_warning(tmp_path, districts):
    bowtie = shapely.Polygon([(119.2, 34.6), (119.25, 34.64), (119.25, 34.6), (119.2, 34.64)])
    assert not bowtie.is_valid
    districts.loc[0, "geometry"] = bowtie
    path = _gpkg(tmp_path, districts, "districts")
    read = read_layer(path, "districts")
    warning = _only(read.attrs["issues"], "d1", "geometry")
    assert warning.severity == "warning" and "repaired" in warning.problem and warning.file == str(path)
    assert read.geometry.is_valid.all() and read.geometry.iloc[0].area > 0


def test_unrepairable_polygon_is_an_error(tmp_path, districts):
    flat = shapely.Polygon([(119.2, 34.6), (119.25, 34.6), (119.3, 34.6), (119.2, 34.6)])  # no area
    districts.loc[1, "geometry"] = flat
    issue = _only(_read_errors(_gpkg(tmp_path, districts, "districts"), "districts"), "d2", "geometry")
    assert "invalid geometry" in issue.problem


def test_missing_and_empty_geometry(tmp_path, villages):
    villages.loc[0, "geometry"] = None
    villages.loc[4, "geometry"] = shapely.Point()
    path = _gpkg(tmp_path, villages, "villages")
    errors = _read_errors(path, "villages")
    assert {(i.row_id, i.field) for i in errors} == {("v1", "geometry"), ("v5", "geometry")}
    assert all("missing or empty geometry" in i.problem for i in errors)


def test_csv_row_without_coordinates_names_the_columns(tmp_path, villages):
    path = tmp_path / "villages.csv"
    table = villages.drop(columns="geometry").assign(经度=villages.geometry.x, 纬度=villages.geometry.y)
    table.loc[2, "经度"] = np.nan
    table.to_csv(path, index=False)
    issue = _only(_read_errors(path, "villages"), "v3", "经度/纬度")
    assert issue.file == str(path)


def test_wrong_geometry_type(tmp_path, villages):
    villages.loc[2, "geometry"] = shapely.box(119.2, 34.6, 119.21, 34.61)
    issue = _only(_read_errors(_gpkg(tmp_path, villages, "villages"), "villages"), "v3", "geometry")
    assert "wrong geometry type Polygon" in issue.problem


def test_single_part_multipoint_is_accepted(villages):
    villages.loc[0, "geometry"] = shapely.MultiPoint([(119.2, 34.6)])
    checked, issues = validate_layer(villages, "villages", file="v.gpkg")
    assert issues == [] and checked.geometry.iloc[0].geom_type == "Point"


def test_swapped_lon_lat(tmp_path, villages):
    path = tmp_path / "villages.csv"
    table = villages.drop(columns="geometry").assign(lon=villages.geometry.x, lat=villages.geometry.y)
    table.loc[1, ["lon", "lat"]] = table.loc[1, ["lat", "lon"]].to_numpy()
    table.to_csv(path, index=False)
    errors = _read_errors(path, "villages")
    issue = _only(errors, "v2", "lon/lat")
    assert "swapped" in issue.problem and issue.layer == "villages" and issue.file == str(path)
    assert len(errors) == 1


def test_swapped_lon_lat_in_xinjiang_where_lat_stays_below_90(villages):
    # Kashgar ≈ (75.99°E, 39.47°N) swapped reads as lon 39.47, lat 75.99: a valid but foreign place.
    xj = villages.assign(geometry=villages.geometry.translate(-43.2, 4.87))
    xj.loc[0, "geometry"] = shapely.Point(39.47, 75.99)
    _, issues = validate_layer(xj, "villages", file="xj.gpkg")
    assert "swapped" in _only(issues, "v1", "geometry").problem


def test_projected_coordinates_declared_as_degrees(tmp_path, villages):
    metric = villages.to_crs(4549)
    mixed = villages.copy()
    mixed.loc[2, "geometry"] = metric.geometry.iloc[2]  # x ≈ 5e5, y ≈ 3.8e6 stored as degrees
    _, issues = validate_layer(mixed, "villages", file="v.gpkg")
    assert "not degrees" in _only(issues, "v3", "geometry").problem


def test_feature_far_outside_the_area(tmp_path, villages):
    villages.loc[3, "geometry"] = shapely.Point(116.4, 39.9)  # a typo that lands in Beijing
    path = _gpkg(tmp_path, villages, "villages")
    errors = _read_errors(path, "villages")
    issue = _only(errors, "v4", "geometry")
    assert "km from the centre" in issue.problem and issue.file == str(path)
    assert len(errors) == 1


def test_spread_out_layer_has_no_outliers(villages):
    # A county 80 km across: nobody is an outlier, whatever the median spread.
    wide = villages.assign(geometry=gpd.points_from_xy(
        [119.0, 119.2, 119.4, 119.6, 119.8, 119.9], [34.3, 34.5, 34.6, 34.7, 34.8, 34.9], crs=4326))
    _, issues = validate_layer(wide, "villages", file="v.gpkg")
    assert issues == []


def test_all_problems_reported_up_to_the_cap(tmp_path, villages):
    big = pd.concat([villages] * 20, ignore_index=True)
    big["id"] = [f"v{i}" for i in range(len(big))]
    big["population"] = -1
    big["households"] = -1
    path = _gpkg(tmp_path, gpd.GeoDataFrame(big, crs=4326), "villages")
    with pytest.raises(LayerValidationError) as exc:
        read_layer(path, "villages", max_issues=10)
    issues = exc.value.issues
    assert len(issues) == 11
    assert "230 more problems" in issues[-1].problem  # 240 found, 10 listed
    assert "and 10 more problems" in str(exc.value)


def test_error_message_names_file_layer_row_and_field(tmp_path, villages):
    villages.loc[1, "population"] = -860
    path = _gpkg(tmp_path, villages, "villages")
    with pytest.raises(LayerValidationError) as exc:
        read_layer(path, "villages")
    message = str(exc.value)
    assert str(path) in message and "layer villages" in message and "row v2" in message
    assert "field population" in message


def test_valid_layer_has_no_issues_and_keeps_extra_columns(villages):
    villages["备注"] = ["a", "b", "c", "d", "e", "f"]
    checked, issues = validate_layer(villages, "villages", file="v.gpkg")
    assert issues == []
    assert list(checked.columns) == ["id", "name", "population", "households", "mulched_area_mu", "farmland_mu",
                                     "备注", "geometry"]


def test_roads_get_defaults_and_restricted_zones_normalise_profiles():
    roads = gpd.GeoDataFrame(
        {"id": ["r1", "r2"], "road_class": [None, "主干路"], "speed_kmh": [None, 50], "oneway": [None, "1"]},
        geometry=[shapely.LineString([(119.2, 34.6), (119.3, 34.6)]),
                  shapely.LineString([(119.3, 34.6), (119.3, 34.7)])], crs=4326)
    checked, issues = validate_layer(roads, "roads", file="roads.gpkg")
    assert issues == []
    assert checked["road_class"].tolist() == ["local", "arterial"]
    assert checked["name"].isna().all()  # optional for roads
    assert pd.isna(checked["oneway"].iloc[0]) and bool(checked["oneway"].iloc[1])

    zones = gpd.GeoDataFrame(
        {"id": ["z1"], "name": ["老城区限行区"], "barred_profiles": ["muck_truck， heavy_truck ,"]},
        geometry=[shapely.box(119.2, 34.6, 119.25, 34.63)], crs=4326)
    checked, issues = validate_layer(zones, "restricted_zones", file="zones.gpkg")
    assert issues == [] and checked["barred_profiles"].iloc[0] == "muck_truck,heavy_truck"


def test_candidate_site_with_unknown_facility_kind():
    sites = gpd.GeoDataFrame(
        {"id": ["c1", "c2"], "name": ["备选一", "备选二"], "facility_kind": ["transfer_stations", "landfills"],
         "fixed_cost_yuan": [3.2e6, -1.0]},
        geometry=gpd.points_from_xy([119.2, 119.3], [34.6, 34.6]), crs=4326)
    _, issues = validate_layer(sites, "candidate_sites", file="sites.gpkg", layer="备选站址")
    assert {(i.row_id, i.field) for i in issues} == {("c2", "facility_kind"), ("c2", "fixed_cost_yuan")}
    assert all(i.layer == "备选站址" for i in issues)


def test_values_above_their_plausible_range_are_named_and_kept(tmp_path, villages):
    gdf = villages.copy()
    gdf.loc[0, "population"] = 10 ** 9
    gdf.loc[1, "mulched_area_mu"] = 40.0  # a plain value: no warning
    out = read_layer(_gpkg(tmp_path, gdf, "villages"), "villages")
    warned = [i for i in out.attrs["issues"] if i.severity == "warning" and i.field == "population"]
    assert len(warned) == 1 and warned[0].row_id == str(gdf.loc[0, "id"])
    assert "persons" in warned[0].problem and "50,000" in warned[0].problem
    assert out["population"].iloc[0] == 10 ** 9
    assert not [i for i in out.attrs["issues"] if i.field == "mulched_area_mu"]
