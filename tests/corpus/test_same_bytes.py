"""Same input and seed, same bytes out: every file a run writes, GeoPackages and HTML maps included."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import Point

import layers


#: The edition date of both runs (a run crossing midnight would print another date otherwise).
EDITION_ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01


def geoplan(*args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "geoplan", *args, "--quiet"], capture_output=True, text=True,
                         timeout=900, env=EDITION_ENV)
    assert run.returncode == 0, run.stderr


def outputs(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((folder / "output").rglob("*")) if p.is_file()}


def run_chain(folder: Path) -> dict[str, str]:
    geoplan("site", str(folder), "--kind", "film_recycling_stations", "--model", "p-median", "--p", "5")
    geoplan("route", str(folder), "--workflow", "film", "--iterations", "200")
    geoplan("report", str(folder), "--tiles", "none")
    geoplan("publish", str(folder), "--format", "pdf,png,xlsx,docx", "--paper", "A4", "--tiles", "none")
    return outputs(folder)


def test_two_runs_write_the_same_bytes(tmp_path):
    from geoplan.demo.scenario_folder import write_demo_scenario

    base = tmp_path / "base"
    write_demo_scenario(base, seed=202611)
    here = tmp_path / "county"  # both runs in the same place: paths in the outputs agree
    shutil.copytree(base, here)
    first = run_chain(here)
    shutil.rmtree(here)
    shutil.copytree(base, here)
    second = run_chain(here)
    kinds = {Path(name).suffix for name in first}
    assert {".gpkg", ".html", ".json", ".csv", ".pdf", ".png", ".xlsx", ".docx"} <= kinds
    assert first == second, sorted(k for k in first if first.get(k) != second.get(k))


def test_a_geopackage_written_twice_is_the_same_file(tmp_path):
    gdf = gpd.GeoDataFrame({"id": ["A", "B"], "name": ["甲", "乙"]}, geometry=[Point(119.2, 34.5), Point(119.3, 34.6)],
                           crs=4490)
    a = layers.write_layers({"sites": gdf, "more": gdf}, tmp_path / "a.gpkg")
    import time

    time.sleep(1.1)  # the clock moves on; the file must not show it
    b = layers.write_layers({"sites": gdf, "more": gdf}, tmp_path / "b.gpkg")
    assert a.read_bytes() == b.read_bytes()
    assert pyogrio.read_info(a, layer="sites")["features"] == 2


def test_folium_ids_are_numbered_in_order():
    import folium

    from maps import page_html

    def one_map() -> str:
        m = folium.Map(location=[34.5, 119.2], tiles=None)
        folium.Marker([34.5, 119.2], tooltip="站").add_to(m)
        return page_html(m)

    first, second = one_map(), one_map()
    assert first == second
    assert "map_00000000000000000000000000000001" in first


def test_collection_routes_repeat_with_the_default_settings(tmp_path):
    """The default search stops on its iterations, far inside the safety-net limit, so two runs
    on a machine busy with the rest of the tests give the same routes."""
    from geoplan.demo.scenario_folder import write_demo_scenario

    base = tmp_path / "base"
    write_demo_scenario(base, seed=202611)
    runs = []
    for _ in range(2):
        here = tmp_path / "county"
        shutil.rmtree(here, ignore_errors=True)
        shutil.copytree(base, here)
        geoplan("route", str(here), "--workflow", "collection", "--tiles", "none")
        runs.append({k: v for k, v in outputs(here).items() if "routes_collection" in k})
    assert len(runs[0]) == 4 and runs[0] == runs[1]
    import json

    summary = json.loads((tmp_path / "county" / "output" / "routes_collection.json").read_text(encoding="utf-8"))
    assert summary["stopped_by"] == "iterations"
