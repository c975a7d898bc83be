"""A planner's own county, as a new user runs it: bureau files on the real Haidian OSM extract.

``init`` → ``validate`` → ``candidates`` → ``site`` → ``route`` → ``report``, each a
subprocess of the real CLI, on an ``.xlsx`` of communities in GCJ-02, a GBK Shapefile without
``.cpg``, GeoJSON districts and CSV depots and stations (see ``own_county.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from geoplan.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).parent))
from own_county import OSM, write_planner_files  # noqa: E402


def geoplan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geoplan", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def _init_args(files: dict[str, Path], folder: Path, *, declare_gcj: bool = True) -> list[str]:
    args = ["init", str(folder), "--roads", str(OSM), "--boundary", str(files["districts"])]
    for kind in ("residential_communities", "candidate_sites", "depots", "transfer_stations"):
        args += ["--layer", f"{kind}={files[kind]}"]
    if declare_gcj:
        args += ["--crs", "residential_communities=GCJ-02"]
    return args


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return write_planner_files(tmp_path_factory.mktemp("bureau") / "files")


@pytest.fixture(scope="module")
def county(files, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("own") / "haidian"
    run = geoplan(*_init_args(files, folder))
    assert run.returncode == 0, run.stderr
    return folder


def test_init_recognises_the_bureau_columns_and_reports_the_import(county):
    report = json.loads((county / "import_report.json").read_text(encoding="utf-8"))
    by_kind = {layer["kind"]: layer for layer in report["layers"]}
    assert report["metric_crs"] == "EPSG:4548"  # 116.35°E: the 117°E zone
    communities = by_kind["residential_communities"]
    assert communities["rows_read"] == 16 and communities["rows_refused"] == []
    assert communities["fields_mapped"] == {"id": "编号", "name": "小区名称", "households": "户数", "population": "人口"}
    assert communities["coordinates"]["declared"] == "GCJ-02"
    # the rows without 户数 got it from 人口, and are named
    (estimate,) = communities["values_estimated"]
    assert estimate["field"] == "households" and estimate["row_ids"] == ["XQ001", "XQ010", "XQ011"]
    # the GBK Shapefile without .cpg: Chinese column names and values read right
    assert by_kind["candidate_sites"]["fields_mapped"]["name"] == "名称"
    sc = load_scenario(county)
    assert sc.layers["candidate_sites"]["name"].iloc[0] == "学清路备选站"
    assert sc.layers["transfer_stations"]["fractions"].iloc[0] == "其他垃圾,厨余垃圾,可回收物"
    text = (county / "scenario.toml").read_text(encoding="utf-8")
    assert 'fields = { id = "编号", name = "小区名称", households = "户数", population = "人口" }' in text
    assert "# [targets.rural_sorting_coverage]" in text  # no villages layer: that target waits for one
    assert (county / "import_report.txt").read_text(encoding="utf-8").count("estimated 估算") == 1


def test_gcj02_communities_land_on_their_streets(county):
    sc = load_scenario(county)
    net = sc.road_network
    c = sc.layers["residential_communities"]
    snap = net.snap(c, "small_collection_vehicle")
    on_street = net.edge_name[snap.edge] == c["所在道路"].to_numpy()
    # each was placed 15 m or 25 m beside its street; two of them have a nearer service road
    assert on_street.sum() >= 14
    assert np.all(snap.road_distance_m[on_street] < 26)
    # and never on the expressway or a viaduct the small vehicle may not use
    assert not np.any(net.edge_road_class[snap.edge] == 0)


def test_undeclared_gcj02_is_called_out(files, tmp_path):
    folder = tmp_path / "undeclared"
    assert geoplan(*_init_args(files, folder, declare_gcj=False)).returncode == 0
    run = geoplan("validate", str(folder))
    assert run.returncode == 0, run.stderr
    assert "looks like GCJ-02 coordinates" in run.stdout
    assert 'declare crs = "GCJ-02" in the layer\'s [layers.residential_communities] section' in run.stdout


def test_nothing_from_the_extract_edge_is_lost_unsaid(county):
    run = geoplan("network", "info", str(county))
    assert run.returncode == 0, run.stderr
    info = load_scenario(county).road_network.info()
    # the extract's one-way stubs are kept (opened both ways), what goes is named with its length
    assert info["stub_edges_opened"] > 0
    assert info["share_dropped"] < 0.2
    assert f"{info['dropped_km']:.3f}".rstrip("0").rstrip(".") in run.stdout
    assert "not connected to the main network" in run.stdout


def test_the_whole_chain_runs_on_the_planners_county(county):
    run = geoplan("validate", str(county))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 errors" in run.stdout
    run = geoplan("candidates", str(county), "--kind", "dropoff_points")
    assert run.returncode == 0, run.stderr
    assert (county / "candidates.gpkg").exists()
    run = geoplan("candidates", str(county), "--kind", "dropoff_points")
    assert run.returncode == 2 and "pass --replace" in run.stderr  # generated sites are not silently regenerated
    run = geoplan("site", str(county), "--kind", "transfer_stations", "--model", "mclp", "--p", "1")
    assert run.returncode == 0, run.stderr
    assert "BX0" in run.stdout  # one of the bureau's candidate sites
    run = geoplan("route", str(county), "--workflow", "collection", "--tiles", "none")
    assert run.returncode == 0, run.stderr
    summary = json.loads((county / "output" / "routes_collection.json").read_text(encoding="utf-8"))
    assert summary["unserved"] == [] and summary["totals"]["routes"] >= 1
    # every stop lies on its route: the route drives to the spot where the community meets its street
    import geopandas as gpd

    routes = gpd.read_file(county / "output" / "routes_collection.gpkg", layer="routes").set_index("route_id")
    stops = gpd.read_file(county / "output" / "routes_collection.gpkg", layer="stops")
    sc = load_scenario(county)
    communities = sc.layers["residential_communities"].set_index("id")
    to_street = dict(zip(communities.index, sc.road_network.snap(communities, "compression_truck").road_distance_m))
    for _, stop in stops[stops["kind"] == "job"].iterrows():
        cid = stop["place_id"].split("/")[0]
        assert communities.geometry[cid].distance(routes.geometry[stop["route_id"]]) <= to_street[cid] + 1.0
    run = geoplan("report", str(county), "--tiles", "none")
    assert run.returncode == 0, run.stderr
    assert (county / "output" / "summary.html").exists()
    indicators = json.loads((county / "output" / "indicators.json").read_text(encoding="utf-8"))
    assert any(row["key"] == "urban_sorting_coverage" for row in indicators["plan"]["table"])


def test_bad_input_to_init_writes_nothing(files, tmp_path):
    folder = tmp_path / "bad"
    run = geoplan("init", str(folder), "--roads", str(OSM), "--layer", f"bus_stops={files['depots']}")
    assert run.returncode == 2 and "unknown layer kind 'bus_stops'" in run.stderr and "Traceback" not in run.stderr
    assert not folder.exists()
    run = geoplan("init", str(folder), "--roads", str(OSM), "--layer", "depots=missing.csv")
    assert run.returncode == 2 and "missing.csv" in run.stderr and not folder.exists()
    folder.mkdir()
    (folder / "scenario.toml").write_text("# a planner's scenario\n", encoding="utf-8")
    run = geoplan("init", str(folder), "--roads", str(OSM))
    assert run.returncode == 2 and "exists and is not empty" in run.stderr
    assert (folder / "scenario.toml").read_text(encoding="utf-8") == "# a planner's scenario\n"


def test_generated_candidates_keep_out_of_the_extract_s_water(county):
    from geoplan.siting.candidates import generate_candidates, water_areas

    sc = load_scenario(county)
    water = water_areas(sc)
    assert water is not None and len(water) >= 1  # read from the OSM extract: the extract has no water layer
    import shapely

    sites = generate_candidates(sc, "transfer_stations", spacing_m=100.0)
    xy = shapely.get_coordinates(sites.geometry.to_numpy())
    pond = shapely.union_all(water.geometry.to_numpy())
    assert len(sites) > 20 and not shapely.contains_xy(pond, xy[:, 0], xy[:, 1]).any()


def _listing(folder: Path) -> dict[str, str]:
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("args,needle", [
    (("route", "{d}", "--workflow", "film"), "no villages and no agri_input_shops layer"),
    (("route", "{d}", "--workflow", "muck"), "construction_sites"),
    (("candidates", "{d}", "--kind", "transfer_stations", "--spacing-m", "-5"), "--spacing-m must be > 0"),
    (("candidates", "{d}", "--kind", "depots"), "no candidate sites can be generated for 'depots'"),
])
def test_a_failing_command_leaves_the_county_as_it_was(county, args, needle):
    before = _listing(county)
    run = geoplan(*[a.format(d=county) for a in args])
    assert run.returncode == 2 and needle in run.stderr and "Traceback" not in run.stderr
    assert _listing(county) == before
