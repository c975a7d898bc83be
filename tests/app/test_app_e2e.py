"""End to end: `geoplan app` serves the page, a click on the map places a station without
resetting the planner's view, export writes a file."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import geopandas as gpd
import pytest

from geoplan.app import SitingSession
from geoplan.app.served import METRIC, map_box, served_app, stations_on_map, wait_idle
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario

#: Where the last screenshot is kept for a person to look at.
SCREENSHOT_COPY = os.environ.get("GEOPLAN_APP_SCREENSHOT")


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    return write_demo_scenario(tmp_path_factory.mktemp("app_e2e") / "demo")


@pytest.fixture(scope="module")
def app_url(demo_folder):
    """`geoplan app DEMO --port P` as a subprocess on localhost; stopped when the tests end."""
    with served_app(demo_folder, demo_folder.parent / "app.log", timeout_s=90) as url:
        yield url


def _click_target(folder: Path) -> tuple[float, float]:
    """A point inside a district where a new transfer station raises urban coverage (WGS84)."""
    scenario = load_scenario(folder)
    districts = scenario.layers["districts"]
    points = gpd.GeoSeries(districts.geometry.representative_point(), crs=districts.crs).to_crs(4326)
    for p in points:
        session = SitingSession(scenario, "transfer_stations")
        before = session.coverage()[0].actual
        session.place(p.x, p.y)
        if session.coverage()[0].actual > before:
            return p.x, p.y
    raise AssertionError("no district centre raises coverage in the demo county")


def _click_lonlat(page, lon: float, lat: float) -> None:
    box, frame = map_box(page)
    pt = frame.evaluate("([lat, lon]) => window.map.latLngToContainerPoint([lat, lon])", [lat, lon])
    assert 0 < pt["x"] < box["width"] and 0 < pt["y"] < box["height"], "the point is off the visible map"
    page.mouse.click(box["x"] + pt["x"], box["y"] + pt["y"])


def _wait_stations(page, n: int, timeout_s: float = 60.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if stations_on_map(page) == n:
            return True
        page.wait_for_timeout(200)
    return False


def _wait_text_change(page, selector: str, old: str, timeout_s: float = 60.0) -> str:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        now = page.locator(selector).first.inner_text()
        if now != old:
            return now
        page.wait_for_timeout(200)
    return old


def test_click_places_a_station_keeps_the_view_and_export_writes_a_file(browser, app_url, demo_folder, tmp_path):
    lon, lat = _click_target(demo_folder)
    n_existing = len(load_scenario(demo_folder).layers["transfer_stations"])
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url, wait_until="load")
        page.wait_for_selector(METRIC, timeout=90_000)
        box, _ = map_box(page, timeout_s=90)
        wait_idle(page)
        assert _wait_stations(page, n_existing), "the map does not show the existing stations"
        before = page.locator(METRIC).first.inner_text()
        assert before.endswith("%")

        # a click on the map but outside the county gets a message and changes nothing
        page.mouse.click(box["x"] + box["width"] * 0.03, box["y"] + box["height"] * 0.55)
        page.get_by_text("outside the districts").wait_for(timeout=30_000)
        assert page.locator(METRIC).first.inner_text() == before
        wait_idle(page)

        # the planner zooms in on the target; the map document is marked to tell a remount
        _, frame = map_box(page)
        zoom0 = frame.evaluate("() => window.map.getZoom()")
        frame.evaluate("([lat, lon]) => { window.map.setView([lat, lon], window.map.getZoom() + 1.5,"
                       " {animate: false}); window.__kept = true; }", [lat, lon])
        wait_idle(page)
        zoomed = frame.evaluate("() => window.map.getZoom()")
        assert zoomed > zoom0
        page.screenshot(path=str(tmp_path / "app_before_click.png"))

        _click_lonlat(page, lon, lat)
        after = _wait_text_change(page, METRIC, before)
        assert after != before, "the coverage figure did not change after a click on the map"
        assert float(after.rstrip("%")) > float(before.rstrip("%"))
        assert _wait_stations(page, n_existing + 1), "the map does not show the placed station"
        wait_idle(page)
        _, frame = map_box(page)
        assert frame.evaluate("() => window.__kept === true"), "the map was mounted again after the click"
        assert frame.evaluate("() => window.map.getZoom()") == zoomed, "the planner's zoom was reset"
        centre = frame.evaluate("() => window.map.getCenter()")
        assert abs(centre["lat"] - lat) < 1e-3 and abs(centre["lng"] - lon) < 1e-3, "the planner's view moved"
        assert "APP-01" in page.content()
        page.screenshot(path=str(tmp_path / "app_after_click.png"))

        page.get_by_role("button", name="导出方案 / export plan").click()
        target = demo_folder / "output" / "app_plan_transfer_stations.gpkg"
        end = time.monotonic() + 30
        while not target.exists() and time.monotonic() < end:
            page.wait_for_timeout(300)
        assert target.exists(), "export did not write the plan into the scenario's output folder"
        wait_idle(page)
        assert _wait_stations(page, n_existing + 1), "the map lost the placed station after export"
        assert map_box(page)[1].evaluate("() => window.__kept === true && window.map.getZoom()") == zoomed
        page.screenshot(path=str(tmp_path / "app_after_export.png"))
        if SCREENSHOT_COPY:
            shutil.copy(tmp_path / "app_after_export.png", SCREENSHOT_COPY)
        from layers import read_layer

        plan = read_layer(target, "transfer_stations", layer="transfer_stations")
        assert plan["id"].tolist() == ["APP-01"] and (plan["status"] == "planned").all()
        assert not [e for e in errors if "leaflet" in e.lower() or "map" in e.lower()], errors
    finally:
        page.close()
