"""Uploaded layers are validated as `geoplan validate` does; `geoplan app` builds a real Streamlit command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from shapely.affinity import translate

from layers.errors import GeoplanError
from geoplan.app.launch import demo_scenario, exposure_note, serve
from geoplan.app.upload import check_upload
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(write_demo_scenario(tmp_path_factory.mktemp("upload") / "demo"))


def _geojson_bytes(gdf, tmp_path: Path) -> bytes:
    path = tmp_path / "layer.geojson"
    gdf.to_crs(4326).to_file(path, driver="GeoJSON")
    return path.read_bytes()


def test_valid_upload_is_read_in_the_metric_crs(scenario, tmp_path):
    stations = scenario.layers["transfer_stations"]
    check = check_upload(scenario, _geojson_bytes(stations, tmp_path), "站点.geojson", "transfer_stations")
    assert check.errors == []
    assert check.layer is not None and len(check.layer) == len(stations)
    assert check.layer.crs.to_epsg() == scenario.metric_epsg


def test_bad_rows_are_named_with_the_uploaded_file(scenario, tmp_path):
    stations = scenario.layers["transfer_stations"].copy()
    stations.loc[stations.index[1], "status"] = "bogus"
    check = check_upload(scenario, _geojson_bytes(stations, tmp_path), "../../my stations.geojson",
                         "transfer_stations")
    assert check.layer is None
    bad = check.errors[0]
    assert bad.file == "my_stations.geojson" and bad.field == "status"
    assert bad.row_id == str(stations["id"].iloc[1])
    assert "geoplan-upload-" not in str(bad)


def test_points_far_from_roads_are_errors(scenario, tmp_path):
    stations = scenario.layers["transfer_stations"].copy()
    far = stations.index[0]
    stations.loc[far, "geometry"] = translate(stations.geometry.loc[far], xoff=60_000)
    check = check_upload(scenario, _geojson_bytes(stations, tmp_path), "s.geojson", "transfer_stations")
    assert check.layer is None
    assert [i.row_id for i in check.errors] == [str(stations["id"].iloc[0])]


def test_upload_refuses_other_file_types(scenario):
    with pytest.raises(GeoplanError, match="upload a"):
        check_upload(scenario, b"MZ", "tool.exe", "transfer_stations")
    bad = check_upload(scenario, b"not json", "x.geojson", "transfer_stations")
    assert bad.layer is None and bad.errors and "x.geojson" in str(bad.errors[0])


def test_serving_refuses_a_bad_port_or_folder(tmp_path):
    (tmp_path / "scenario.toml").write_text("[scenario]\n", encoding="utf-8")
    with pytest.raises(GeoplanError, match="port"):
        serve(tmp_path, port=70000)
    with pytest.raises(GeoplanError, match="scenario.toml"):
        serve(tmp_path / "nowhere")


def test_a_port_in_use_is_one_clear_message(tmp_path):
    import socket

    (tmp_path / "scenario.toml").write_text("[scenario]\n", encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(GeoplanError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(tmp_path, port=port)


def test_binding_beyond_this_computer_says_what_it_exposes(tmp_path):
    assert exposure_note("127.0.0.1", 8501, tmp_path) is None
    assert exposure_note("localhost", 8501, tmp_path) is None
    note = exposure_note("0.0.0.0", 8600, tmp_path)
    assert "0.0.0.0:8600" in note and "no login" in note and str(tmp_path / "output") in note


def test_demo_scenario_prefers_a_local_geoplan_demo(tmp_path):
    local = tmp_path / "geoplan-demo"
    local.mkdir()
    (local / "scenario.toml").write_text("[scenario]\n", encoding="utf-8")
    with demo_scenario(tmp_path) as folder:
        assert folder == local
    assert (local / "scenario.toml").exists()  # the planner's own demo is never removed


def test_app_without_scenario_removes_its_temporary_demo_on_exit(tmp_path):
    """`geoplan app` (no scenario, no ./geoplan-demo) writes a demo to the temp folder and removes it on SIGTERM."""
    import os
    import signal
    import socket
    import time
    import urllib.request

    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, TMPDIR=str(temp_root), CI="true")
    proc = subprocess.Popen([sys.executable, "-m", "geoplan", "app", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        end = time.monotonic() + 90
        healthy = False
        while time.monotonic() < end and proc.poll() is None and not healthy:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    healthy = r.status == 200
            except OSError:
                time.sleep(0.5)
        assert healthy, "the app did not start"
        demos = list(temp_root.glob("geoplan-demo-*"))
        assert len(demos) == 1 and (demos[0] / "demo" / "scenario.toml").exists()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
    assert list(temp_root.glob("geoplan-demo-*")) == []
    assert not (tmp_path / "geoplan-demo").exists()
