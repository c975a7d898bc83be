import numpy as np
import pyproj
import pytest

from layers import gcj02_to_wgs84, read_layer, wgs84_to_gcj02

# Published WGS84 → GCJ-02 pairs (lon, lat, gcj_lon, gcj_lat):
# - googollee/eviltransform, python/test.py (Shanghai, Shenzhen, Beijing);
# - wandergis/coordtransform, test/app.js (wgs84togcj02(116.404, 39.915)).
KNOWN_PAIRS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),
]

GEOD = pyproj.Geod(ellps="WGS84")


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), KNOWN_PAIRS)
def test_forward_matches_published_pairs(lon, lat, gcj_lon, gcj_lat):
    out_lon, out_lat = wgs84_to_gcj02(lon, lat)
    assert out_lon == pytest.approx(gcj_lon, abs=1e-9)
    assert out_lat == pytest.approx(gcj_lat, abs=1e-9)


def test_inverse_recovers_published_wgs84():
    pairs = np.array(KNOWN_PAIRS)
    lon, lat = gcj02_to_wgs84(pairs[:, 2], pairs[:, 3])
    assert np.max(np.abs(lon - pairs[:, 0])) < 1e-7
    assert np.max(np.abs(lat - pairs[:, 1])) < 1e-7


def test_round_trip_under_one_metre_across_china():
    rng = np.random.default_rng(7)
    lon = rng.uniform(74.0, 134.0, 2000)
    lat = rng.uniform(19.0, 53.0, 2000)
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    error_m = GEOD.inv(lon, lat, back_lon, back_lat)[2]
    assert error_m.max() < 1.0
    assert error_m.max() < 0.01  # in fact well below a centimetre


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(119.22, 34.60), (121.47, 31.23), (118.80, 32.06), (117.12, 36.65), (120.30, 31.57)],
)
def test_offset_in_eastern_china_is_a_few_hundred_metres(lon, lat):
    gcj = wgs84_to_gcj02(lon, lat)
    offset_m = GEOD.inv(lon, lat, *gcj)[2]
    assert 400.0 < offset_m < 650.0


def test_outside_china_unchanged():
    lon = np.array([2.35, 139.69, -74.0])
    lat = np.array([48.85, 35.69, 40.7])
    for f in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = f(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


def test_read_layer_with_gcj02_declared_shifts_back_to_wgs84(tmp_path, villages):
    lon, lat = wgs84_to_gcj02(villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy())
    # A CSV exported from AMap: degrees in GCJ-02.
    path = tmp_path / "villages_amap.csv"
    table = villages.drop(columns="geometry").assign(lng=lon, lat=lat)
    table.to_csv(path, index=False)
    read = read_layer(path, "villages", crs="GCJ-02", to_crs=4326)
    err_m = GEOD.inv(read.geometry.x, read.geometry.y, villages.geometry.x, villages.geometry.y)[2]
    assert err_m.max() < 0.01
    # Read as plain WGS84 the same file lands ~500 m off.
    naive = read_layer(path, "villages", to_crs=4326)
    off_m = GEOD.inv(naive.geometry.x, naive.geometry.y, villages.geometry.x, villages.geometry.y)[2]
    assert off_m.min() > 400.0
