import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from layers import (
    GeoplanError,
    LayerValidationError,
    read_layer,
    read_layers,
    shapefile_encoding,
    write_layer,
    write_layers,
)


def _same_places(read: gpd.GeoDataFrame, original: gpd.GeoDataFrame) -> None:
    back = read.to_crs(4326)
    np.testing.assert_allclose(back.geometry.x, original.geometry.x, atol=1e-7)
    np.testing.assert_allclose(back.geometry.y, original.geometry.y, atol=1e-7)


def _check_villages(read: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> None:
    assert read.crs.to_epsg() == 4549
    assert list(read.columns[:5]) == ["id", "name", "population", "households", "mulched_area_mu"]
    assert read["id"].tolist() == villages["id"].tolist()
    assert read["name"].tolist() == villages["name"].tolist()
    assert read["population"].dtype == "Int64"
    assert read["population"].tolist() == villages["population"].tolist()
    assert read["mulched_area_mu"].dtype == "float64"
    np.testing.assert_allclose(read["mulched_area_mu"], villages["mulched_area_mu"])
    _same_places(read, villages)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".csv"])
def test_round_trip_each_format(tmp_path, villages, suffix):
    path = tmp_path / f"villages{suffix}"
    write_layer(villages, path)
    _check_villages(read_layer(path, "villages"), villages)


def test_shapefile_is_written_with_cpg_and_long_names_come_back(tmp_path, transfer_stations):
    path = tmp_path / "stations.shp"
    write_layer(transfer_stations, path)
    assert path.with_suffix(".cpg").read_text().strip().upper() in {"UTF-8", "UTF8"}
    # dBASE cut the field name to 10 characters ...
    assert "capacity_t" in pyogrio.read_info(path)["fields"]
    read = read_layer(path, "transfer_stations")
    # ... and the reader maps it back.
    assert read["capacity_t_per_d"].tolist() == [20.0, 150.0, 60.0, 500.0, 1200.0]
    assert read["name"].tolist() == transfer_stations["name"].tolist()


def test_shapefile_without_cpg_holding_gbk_names(tmp_path, villages):
    path = tmp_path / "villages.shp"
    with pytest.warns(RuntimeWarning, match="laundered"):
        pyogrio.write_dataframe(villages, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    # As many Chinese tools leave it: no .cpg and no language-driver byte in the .dbf.
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    garbled = pyogrio.read_dataframe(path)["name"].tolist()
    assert garbled != villages["name"].tolist()  # what a plain GDAL read gives

    assert shapefile_encoding(path) == "gb18030"
    read = read_layer(path, "villages")
    assert read["name"].tolist() == villages["name"].tolist()


def test_utf8_csv_with_bom_and_lng_lat(tmp_path, villages):
    path = tmp_path / "villages.csv"
    table = villages.drop(columns="geometry").assign(lng=villages.geometry.x, lat=villages.geometry.y)
    table.to_csv(path, index=False, encoding="utf-8-sig")
    read = read_layer(path, "villages")
    _check_villages(read, villages)
    assert [i.severity for i in read.attrs["issues"]] == ["warning"]  # read as WGS84


def test_gbk_csv_with_chinese_headers(tmp_path, villages):
    path = tmp_path / "行政村.csv"
    table = pd.DataFrame({
        "编号": ["007", "008", "009", "010", "011", "012"],
        "名称": villages["name"],
        "人口": villages["population"],
        "户数": villages["households"],
        "覆膜面积": villages["mulched_area_mu"],
        "经度": villages.geometry.x,
        "纬度": villages.geometry.y,
    })
    path.write_bytes(table.to_csv(index=False).encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    read = read_layer(path, "villages")
    assert read["id"].tolist() == ["007", "008", "009", "010", "011", "012"]  # leading zeros kept
    assert read["name"].tolist() == villages["name"].tolist()
    assert read["population"].tolist() == villages["population"].tolist()
    _same_places(read, villages)


def test_csv_without_coordinate_columns_names_them(tmp_path, villages):
    path = tmp_path / "villages.csv"
    villages.drop(columns="geometry").to_csv(path, index=False)
    with pytest.raises(GeoplanError, match="no longitude column"):
        read_layer(path, "villages")


def test_csv_with_explicit_coordinate_fields(tmp_path, villages):
    path = tmp_path / "villages.csv"
    villages.drop(columns="geometry").assign(E=villages.geometry.x, N=villages.geometry.y).to_csv(path, index=False)
    _check_villages(read_layer(path, "villages", lon_field="E", lat_field="N", crs=4490), villages)


def test_geopackage_layer_name_defaults_to_kind(tmp_path, villages, transfer_stations):
    path = tmp_path / "plan.gpkg"
    write_layer(villages, path, "villages")
    write_layer(transfer_stations, path, "transfer_stations")  # keeps the villages layer
    assert set(pyogrio.list_layers(path)[:, 0]) == {"villages", "transfer_stations"}
    assert len(read_layer(path, "villages")) == 6
    assert len(read_layer(path, "transfer_stations")) == 5
    with pytest.raises(GeoplanError, match="no layer 'depots'"):
        read_layer(path, "depots", layer="depots")


def test_read_layers_reads_present_kinds_into_one_crs(tmp_path, villages, transfer_stations, districts):
    path = tmp_path / "layers.gpkg"
    write_layers({"villages": villages, "transfer_stations": transfer_stations.to_crs(4548),
                  "districts": districts, "notes": villages}, path)
    layers = read_layers(path)
    assert list(layers) == ["districts", "villages", "transfer_stations"]
    assert {gdf.crs.to_epsg() for gdf in layers.values()} == {4549}
    assert list(read_layers(path, kinds=["villages"])) == ["villages"]


def test_read_layers_reports_errors_of_every_layer(tmp_path, villages, transfer_stations):
    villages.loc[1, "population"] = -5
    transfer_stations.loc[2, "capacity_t_per_d"] = 0
    path = tmp_path / "layers.gpkg"
    write_layers({"villages": villages, "transfer_stations": transfer_stations}, path)
    with pytest.raises(LayerValidationError) as exc:
        read_layers(path)
    where = {(i.layer, i.row_id, i.field) for i in exc.value.issues if i.severity == "error"}
    assert where == {("villages", "v2", "population"), ("transfer_stations", "ts3", "capacity_t_per_d")}


def test_fields_are_typed_and_defaults_filled(tmp_path, transfer_stations):
    path = tmp_path / "stations.gpkg"
    write_layer(transfer_stations, path)
    read = read_layer(path, "transfer_stations")
    assert read["status"].tolist() == ["existing", "planned", "planned", "existing", "candidate"]
    assert read["station_class"].tolist() == ["V", "III", "IV", "II", "I"]
    assert read["fractions"].tolist() == ["其他垃圾,可回收物", "厨余垃圾", None, "其他垃圾", "有害垃圾,其他垃圾"]
    assert read["current_load_t_per_d"].isna().all()


def test_construction_site_dates_round_trip(tmp_path, construction_sites):
    path = tmp_path / "sites.gpkg"
    write_layer(construction_sites, path)
    read = read_layer(path, "construction_sites")
    assert read["start_date"].iloc[0] == pd.Timestamp("2024-03-01")
    assert pd.isna(read["end_date"].iloc[2])
    write_layer(read, tmp_path / "again.shp")
    again = read_layer(tmp_path / "again.shp", "construction_sites")
    assert again["end_date"].iloc[1] == pd.Timestamp("2025-01-15")


def test_unknown_suffix_is_refused(tmp_path, villages):
    with pytest.raises(GeoplanError, match="unsupported file type"):
        write_layer(villages, tmp_path / "villages.xlsx")
    with pytest.raises(GeoplanError, match="file not found"):
        read_layer(tmp_path / "missing.gpkg", "villages")


class _Unwritable:
    """A value that fails when the driver turns it into text."""

    def __str__(self) -> str:
        raise ValueError("this value cannot be written")

    __repr__ = __str__


def _unwritable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # GDAL has already created the file (and, for a GeoPackage, earlier layers) when
    # the writer reaches this column, so without the temporary path a broken file is left.
    return gdf.assign(note=[_Unwritable() for _ in range(len(gdf))])


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp"])
def test_failed_write_leaves_no_file(tmp_path, villages, suffix):
    path = tmp_path / f"villages{suffix}"
    with pytest.raises(ValueError, match="cannot be written"):
        write_layer(_unwritable(villages), path)
    assert os.listdir(tmp_path) == []


def test_failed_write_keeps_the_old_file(tmp_path, villages):
    path = tmp_path / "villages.gpkg"
    write_layer(villages, path, "villages")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="cannot be written"):
        write_layer(_unwritable(villages), path, "villages")
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["villages.gpkg"]


def test_failed_multi_layer_write_leaves_no_file(tmp_path, villages, transfer_stations):
    # The first layer is written into the temporary file before the second one fails.
    path = tmp_path / "layers.gpkg"
    with pytest.raises(ValueError, match="cannot be written"):
        write_layers({"villages": villages, "transfer_stations": _unwritable(transfer_stations)}, path)
    assert os.listdir(tmp_path) == []


def test_csv_writer_refuses_polygons(tmp_path, districts):
    with pytest.raises(GeoplanError, match="point layers only"):
        write_layer(districts, tmp_path / "districts.csv")
    assert os.listdir(tmp_path) == []
