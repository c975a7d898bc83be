"""The app's server over HTTP, as `geoplan app` serves it: the page, its offline scripts, the JSON API's answers."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoplan.app.served import served_app
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo_scenario(tmp_path_factory.mktemp("web") / "demo")


@pytest.fixture(scope="module")
def url(demo, tmp_path_factory):
    with served_app(demo, tmp_path_factory.mktemp("weblog") / "server.log") as address:
        yield address


def _get(url: str, gz: bool = False) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gz else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _post(url: str, body, raw: bytes | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _road_point(demo, seed: int) -> tuple[float, float]:
    scenario = load_scenario(demo)
    net = scenario.road_network
    area = shapely.union_all(scenario.layers["districts"].geometry.to_numpy()).buffer(-800)
    inside = np.flatnonzero(shapely.contains_xy(area, net.node_xy[:, 0], net.node_xy[:, 1]))
    node = np.random.default_rng(seed).choice(inside)
    p = gpd.GeoSeries(gpd.points_from_xy(*net.node_xy[[node]].T), crs=net.crs).to_crs(4326).iloc[0]
    return p.x, p.y


def test_the_page_and_its_scripts_come_from_the_server(url, demo):
    status, headers, body = _get(url)
    assert status == 200 and "text/html" in headers["content-type"]
    page = body.decode("utf-8")
    assert load_scenario(demo).name in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # nothing linked off the machine
    status, headers, js = _get(f"{url}/assets/leaflet.js")
    assert status == 200 and b"Leaflet" in js[:2000]
    assert _get(f"{url}/assets/app.js")[0] == 200 and _get(f"{url}/assets/app.css")[0] == 200
    assert _get(f"{url}/assets/../../etc/passwd")[0] == 404
    assert _get(f"{url}/assets/secrets.txt")[0] == 404


def test_answers_are_compressed_and_an_edit_is_small(url, demo):
    status, opened = _post(f"{url}/api/sessions", {"kind": "transfer_stations"})
    assert status == 200
    token = opened["token"]
    status, headers, body = _get(f"{url}/api/sessions/{token}/layers", gz=True)
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert json.loads(gzip.decompress(body))["districts"]["features"]
    lon, lat = _road_point(demo, 1)
    data = json.dumps({"edits": [{"op": "place", "lon": lon, "lat": lat, "seq": 1}], "base": opened["version"]})
    req = urllib.request.Request(f"{url}/api/sessions/{token}/edits", data=data.encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=60) as r:
        wire = r.read()
        assert r.headers.get("content-encoding") == "gzip"
    delta = json.loads(gzip.decompress(wire))
    assert delta["messages"][0]["seq"] == 1 and "ok" in delta["messages"][0]
    assert len(wire) < 50_000  # the budget per edit, on the wire


def test_errors_are_json_with_the_status_a_page_acts_on(url, demo):
    assert _post(f"{url}/api/sessions", None, raw=b"{not json")[0] == 400
    status, body = _post(f"{url}/api/sessions", {"kind": "nothing"})
    assert status == 400 and "the app sites" in body["error"]
    status, body = _post(f"{url}/api/sessions/not-a-session/edits", {"edits": []})
    assert status == 410 and "reload the page" in body["error"]
    # two tabs: A adopts, B's adopt is a 409 the page asks about
    _, a = _post(f"{url}/api/sessions", {"kind": "transfer_stations"})
    _, b = _post(f"{url}/api/sessions", {"kind": "transfer_stations"})
    for tab, seed in ((a, 2), (b, 3)):
        lon, lat = _road_point(demo, seed)
        _post(f"{url}/api/sessions/{tab['token']}/edits", {"edits": [{"op": "place", "lon": lon, "lat": lat}]})
    assert _post(f"{url}/api/sessions/{a['token']}/save", {"adopt": True})[0] == 200
    status, body = _post(f"{url}/api/sessions/{b['token']}/save", {"adopt": True})
    assert status == 409 and "changed after this session began" in body["error"]
    status, _headers, body = _get(f"{url}/api/sessions/{b['token']}/download/exe")
    assert status == 400 and "download gpkg, geojson or html" in json.loads(body)["error"]
