"""The command line end to end, run as a user runs it (a subprocess), on the demo county."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest

import layers


def geoplan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geoplan", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def _assert_one_clean_error(run: subprocess.CompletedProcess, *needles: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    for needle in needles:
        assert needle in run.stdout + run.stderr, (needle, run.stdout, run.stderr)


def test_demo_writes_the_scenario_folder(demo_dir):
    assert (demo_dir / "scenario.toml").is_file()
    names = set(pyogrio.list_layers(demo_dir / "layers.gpkg")[:, 0])
    assert {"roads", "districts", "residential_communities", "villages", "transfer_stations"} <= names
    html = (demo_dir / "output" / "map_layers.html").read_text(encoding="utf-8")
    assert "transfer station (6)" in html
    assert "cdn.jsdelivr.net/npm/leaflet" not in html, "self-contained map: Leaflet is inlined"


def test_validate_passes_on_the_demo(demo_dir):
    run = geoplan("validate", str(demo_dir))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 errors" in run.stdout


def test_network_info_reports_graph_and_snapping(demo_dir):
    run = geoplan("network", "info", str(demo_dir))
    assert run.returncode == 0, run.stderr
    assert "nodes" in run.stdout and "residential_communities" in run.stdout


def test_missing_scenario_folder_is_one_clean_error(tmp_path):
    _assert_one_clean_error(geoplan("validate", str(tmp_path / "nowhere")), "scenario folder not found")


def test_broken_scenario_toml_names_the_file(demo_copy):
    (demo_copy / "scenario.toml").write_text("[scenario\nname = 1\n", encoding="utf-8")
    _assert_one_clean_error(geoplan("validate", str(demo_copy)), "scenario.toml", "not valid TOML")


def test_bad_rows_are_named_by_layer_row_and_field(demo_copy):
    gpkg = demo_copy / "layers.gpkg"
    villages = gpd.read_file(gpkg, layer="villages")
    villages.loc[3, "population"] = -5
    villages.loc[7, "id"] = villages.loc[6, "id"]
    layers.write_layer(villages, gpkg, layer="villages")
    run = geoplan("validate", str(demo_copy))
    _assert_one_clean_error(run, "villages", "population", str(villages.loc[3, "id"]), str(villages.loc[6, "id"]))


def test_point_far_from_roads_is_flagged_not_snapped(demo_copy):
    from geoplan.scenario import load_scenario

    scenario = load_scenario(demo_copy)
    net = scenario.road_network
    districts = scenario.layers["districts"]
    # A spot inside the county, as far from the road network as we can find on a grid.
    minx, miny, maxx, maxy = districts.total_bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, 60), np.linspace(miny, maxy, 60))
    pts = gpd.GeoSeries(gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=districts.crs)
    pts = pts[pts.within(districts.union_all().buffer(-2000))]
    far = pts.iloc[int(np.argmax(net.snap(pts).distance_m))]
    assert net.snap(gpd.GeoSeries([far], crs=districts.crs)).distance_m[0] > 500
    gpkg = demo_copy / "layers.gpkg"
    shops = gpd.read_file(gpkg, layer="agri_input_shops")
    shops = shops.to_crs(districts.crs)
    shops.loc[0, "geometry"] = far
    layers.write_layer(shops.to_crs(4490), gpkg, layer="agri_input_shops")
    run = geoplan("validate", str(demo_copy))
    _assert_one_clean_error(run, "agri_input_shops", str(shops.loc[0, "id"]))


def test_demo_publishes_theme_maps_report_and_tables(demo_dir):
    import json

    out = demo_dir / "output"
    for name in ("map_household_waste.html", "map_recycling.html", "map_film.html", "map_muck.html",
                 "summary.html", "indicators.csv", "indicators.json", "indicators_by_district.csv",
                 "transfer_station_loads.csv", "uncovered_demand.csv"):
        assert (out / name).is_file(), name
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    keys = {row["key"] for row in doc["indicators"]}
    assert {"urban_sorting_coverage", "rural_sorting_coverage", "film_recovery_coverage"} <= keys
    for row in doc["indicators"]:
        assert 0.0 <= row["actual_existing"] <= 1.0 and row["status_plan"] in ("达标", "未达标")
    loads = doc["existing"]["station_loads"]
    assert [r["name"] for r in loads if r["overloaded"]] == ["城南垃圾中转站"]
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "城市居民小区生活垃圾分类覆盖率" in summary and "map_household_waste.html" in summary
    assert "route totals" in summary and "co2_kg" in summary


def test_every_published_map_renders_in_chromium(demo_dir, render_html, tmp_path):
    for html in sorted((demo_dir / "output").glob("map_*.html")):
        errors, page = render_html(html, tmp_path / f"{html.stem}.png")
        assert errors == [], (html.name, errors)
        assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count() > 0, html.name
        page.close()


def test_report_command_rewrites_outputs(demo_copy):
    (demo_copy / "output" / "indicators.json").unlink()
    run = geoplan("report", str(demo_copy), "--tiles", "none", "--quiet")
    assert run.returncode == 0, run.stderr
    assert (demo_copy / "output" / "indicators.json").is_file()


def test_unknown_tiles_is_a_clean_error(demo_copy):
    _assert_one_clean_error(geoplan("map", str(demo_copy), "--tiles", "google"), "unknown tiles")


def test_demo_adopts_a_plan_that_meets_every_target_by_its_year(demo_dir):
    import json

    import pandas as pd

    out = demo_dir / "output"
    adopted = json.loads((out / "plans" / "adopted.json").read_text(encoding="utf-8"))
    folder = out / "plans" / adopted["name"]
    # the plan the report reads is the adopted alternative's, byte for byte
    assert (out / "planned_sites.gpkg").read_bytes() == (folder / "planned_sites.gpkg").read_bytes()
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    assert {r["status_plan"] for r in doc["indicators"]} == {"达标"}
    assert any(r["status_existing"] == "未达标" for r in doc["indicators"])
    years = pd.read_csv(folder / "indicators_by_year.csv", encoding="utf-8-sig")
    due = years[years["due"] > 0]
    assert (due["actual"] + 1e-6 >= due["due"]).all() and (due["status"] == "达标").all()
    # the plan's own figures are the report's: same share for every target in the last year
    last = years[years["year"] == years["year"].max()].set_index("key")["actual"]
    for row in doc["indicators"]:
        assert row["actual_plan"] == pytest.approx(last[row["key"]], abs=1e-4), row["key"]
    projects = pd.read_csv(folder / "projects.csv", encoding="utf-8-sig")
    meta = json.loads((folder / "alternative.json").read_text(encoding="utf-8"))
    assert len(projects) == meta["new_sites"] > 0
    assert projects["总投资（万元）"].sum() == pytest.approx(meta["cost_wan_yuan"], abs=0.1 * len(projects))
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "项目清单" in summary and "分年度指标" in summary


def test_site_command_and_its_bad_input(demo_copy):
    run = geoplan("site", str(demo_copy), "--kind", "transfer_stations", "--model", "p-median", "--p", "2",
                  "--time-limit", "10")
    assert run.returncode == 0, run.stderr
    assert "plans/site-transfer_stations-p-median/sites_transfer_stations.gpkg" in run.stdout
    _assert_one_clean_error(geoplan("site", str(demo_copy), "--kind", "transfer_stations", "--model", "magic"),
                            "magic")
    _assert_one_clean_error(geoplan("site", str(demo_copy), "--kind", "transfer_stations", "--model", "mclp"), "p")


def test_demo_routes_all_three_workflows(demo_dir):
    import json

    for workflow in ("collection", "film", "muck"):
        doc = json.loads((demo_dir / "output" / f"routes_{workflow}.json").read_text(encoding="utf-8"))
        assert doc["feasibility_check"] == [], workflow
        routes = gpd.read_file(demo_dir / "output" / f"routes_{workflow}.gpkg", layer="routes")
        assert len(routes) > 0 and (routes.geometry.length > 0).all(), workflow
        assert (demo_dir / "output" / f"map_routes_{workflow}.html").is_file()


def test_route_command_rejects_unknown_workflow(demo_copy):
    _assert_one_clean_error(geoplan("route", str(demo_copy), "--workflow", "laundry"), "laundry")
