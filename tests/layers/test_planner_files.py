"""Reading layers as bureaus keep them: Excel sheets, their own column names, Baidu and AMap coordinates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import layers
from layers.errors import GeoplanError, LayerValidationError

RULES = layers.EstimateRules(persons_per_household=2.5, mulched_share_of_farmland=0.2)


def test_bd09_published_pairs():
    """The pairs every converter publishes (wandergis/coordtransform's tests)."""
    lon, lat = layers.bd09_to_gcj02(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx((116.39762729119315, 39.90865673957631), abs=1e-9)
    lon, lat = layers.gcj02_to_bd09(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-9)
    # Beijing railway station: GCJ-02 (116.42703, 39.90245), BD-09 (116.43351, 39.90851)
    lon, lat = layers.gcj02_to_bd09(116.42703, 39.90245)
    assert (float(lon), float(lat)) == pytest.approx((116.43351, 39.90851), abs=2e-5)
    # the round trip comes back within a tenth of a metre
    back = layers.wgs84_to_gcj02(*layers.bd09_to_wgs84(116.43351, 39.90851))
    want = layers.bd09_to_gcj02(116.43351, 39.90851)
    assert (float(back[0]), float(back[1])) == pytest.approx((float(want[0]), float(want[1])), abs=1e-6)


def _sheet(tmp_path, frame: pd.DataFrame, sheet: str = "小区"):
    path = tmp_path / "名录.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"说明": ["x"]}).to_excel(writer, sheet_name="说明", index=False)
        frame.to_excel(writer, sheet_name=sheet, index=False)
    return path


def _communities(**over) -> pd.DataFrame:
    frame = pd.DataFrame({"编号": ["A1", "A2", "A3"], "小区名称": ["甲", "乙", "丙"], "户数": [100, None, 300],
                          "人口": [250, 500, None], "经度": [116.35, 116.351, 116.352], "纬度": [40.0, 40.001, 40.002]})
    return frame.assign(**over)


FIELDS = {"id": "编号", "name": "小区名称", "households": "户数", "population": "人口"}


def test_excel_sheet_with_mapping_and_estimates(tmp_path):
    path = _sheet(tmp_path, _communities())
    gdf = layers.read_layer(path, "residential_communities", sheet="小区", crs="BD-09", fields=FIELDS,
                            estimates=RULES)
    assert gdf["households"].tolist() == [100, 200, 300] and gdf["population"].tolist() == [250, 500, 750]
    assert [(e.field, e.row_ids) for e in gdf.attrs["estimates"]] == [("households", ("A2",)),
                                                                      ("population", ("A3",))]
    # BD-09 → WGS84: the first point moves by the published shift (two steps)
    expected = layers.bd09_to_wgs84(116.35, 40.0)
    got = gdf.to_crs(4326).geometry.iloc[0]
    assert (got.x, got.y) == pytest.approx((float(expected[0]), float(expected[1])), abs=1e-7)


def test_excel_problems_name_the_sheet_and_the_fix(tmp_path):
    path = _sheet(tmp_path, _communities())
    with pytest.raises(GeoplanError, match=r"no sheet '小区名录'; the workbook holds: 说明, 小区"):
        layers.read_layer(path, "residential_communities", sheet="小区名录", fields=FIELDS)
    with pytest.raises(GeoplanError, match=r"sheet 说明: 找不到经度字段"):
        layers.read_layer(path, "residential_communities", fields=FIELDS)
    with pytest.raises(GeoplanError, match=r"fields: households = '住户' — the file has no such column"):
        layers.read_layer(path, "residential_communities", sheet="小区", fields={**FIELDS, "households": "住户"})
    with pytest.raises(GeoplanError, match=r"fields: 'area' is not a field of residential_communities"):
        layers.read_layer(path, "residential_communities", sheet="小区", fields={**FIELDS, "area": "户数"})
    # a value no rule can fill is refused with its row
    bad = _sheet(tmp_path, _communities(户数=[100, None, 300], 人口=[250, None, None]))
    with pytest.raises(LayerValidationError) as err:
        layers.read_layer(bad, "residential_communities", sheet="小区", fields=FIELDS, estimates=RULES)
    assert any(i.row_id == "A2" and i.field == "households" for i in err.value.issues)


def test_columns_are_recognised_and_the_sheet_found(tmp_path):
    path = _sheet(tmp_path, _communities())
    info = layers.inspect_layer(path, "residential_communities")
    assert info.layer == "小区" and (info.lon, info.lat) == ("经度", "纬度") and info.rows == 3
    assert layers.guess_fields(info.columns, "residential_communities") == FIELDS
    assert layers.guess_fields(["村名", "常住人口", "户数", "耕地面积(亩)"], "villages") == {
        "name": "村名", "population": "常住人口", "households": "户数", "farmland_mu": "耕地面积(亩)"}


def test_village_mulch_from_farmland(tmp_path):
    frame = pd.DataFrame({"id": ["V1", "V2"], "name": ["东村", "西村"], "population": [800, 600],
                          "households": [300, 200], "mulched_area_mu": [None, 40.0], "farmland_mu": [500.0, 900.0]})
    out, done = layers.estimate_missing(frame, "villages", RULES)
    assert out["mulched_area_mu"].tolist() == [100.0, 40.0]
    assert [(e.field, e.row_ids) for e in done] == [("mulched_area_mu", ("V1",))]
    assert np.isnan(frame["mulched_area_mu"].iloc[0])  # the input is left as it was


@pytest.mark.parametrize("text,value", [
    ("116.35", 116.35), ("116°21′E", 116.35), ("116度21分", 116.35), ("40°00′36″N", 40.01), ("116°21'0\"", 116.35),
    ("33°S", -33.0), ("东经116", np.nan), ("116,35", np.nan), ("", np.nan),
])
def test_coordinates_in_degrees_minutes_seconds(text, value):
    got = layers.degrees(text)
    assert (np.isnan(got) and np.isnan(value)) or got == pytest.approx(value, abs=1e-9)


def test_a_sheet_under_title_lines_is_found_and_dms_read(tmp_path):
    table = _communities()
    table["经度"] = ["116°21′", "116°21′3.6″", "116°21′7.2″"]
    rows = [["某区居民小区名录（2024年）"] + [None] * 5, [None] * 6, list(table.columns), *table.values.tolist()]
    path = tmp_path / "名录.xlsx"
    pd.DataFrame(rows).to_excel(path, index=False, header=False)
    gdf = layers.read_layer(path, "residential_communities", estimates=RULES,
                            fields={"id": "编号", "name": "小区名称", "households": "户数", "population": "人口"})
    assert gdf["id"].tolist() == ["A1", "A2", "A3"]
    lonlat = gdf.to_crs(4326).geometry
    assert lonlat.x.round(4).tolist() == [116.35, 116.351, 116.352]
    assert layers.inspect_layer(path, "residential_communities").lon == "经度"


def test_a_semicolon_csv_is_read_by_its_separator(tmp_path):
    path = tmp_path / "小区.csv"
    _communities().to_csv(path, index=False, sep=";", encoding="gb18030")
    gdf = layers.read_layer(path, "residential_communities", estimates=RULES,
                            fields={"id": "编号", "name": "小区名称", "households": "户数", "population": "人口"})
    assert gdf["name"].tolist() == ["甲", "乙", "丙"]


def test_coordinates_that_are_not_degrees_are_quoted_in_the_row_error(tmp_path):
    table = _communities(经度=["116.35", "东经116度", "116.352"])
    path = tmp_path / "小区.csv"
    table.to_csv(path, index=False)
    with pytest.raises(LayerValidationError) as exc:
        layers.read_layer(path, "residential_communities", estimates=RULES,
                          fields={"id": "编号", "name": "小区名称", "households": "户数", "population": "人口"})
    issue = exc.value.issues[[i.severity for i in exc.value.issues].index("error")]
    assert issue.row_id == "A2" and issue.field == "经度/纬度" and "东经116度" in issue.problem
