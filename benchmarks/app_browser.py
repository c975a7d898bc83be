"""Benchmark: a click on the map of `geoplan app`, measured in a real browser.

Starts ``geoplan app`` on the demo county, opens it in headless Chromium (Playwright,
the system's Chromium) and places ``--clicks`` transfer stations one after another at
seeded road nodes inside the districts. For every click it measures, in the browser:

* figures: click → the first coverage figure shows its new value;
* map: click → the map shows the new station (one more station symbol on the live map).

Both are measured with the map as the page draws it now — one base map kept mounted,
only the overlays swapped (``st_folium(feature_group_to_add=...)``) — and, as the anchor
in the same run, with ``?map=remount``: the whole map rebuilt and mounted again after
every edit, as the page did before. It also checks that the zoom level the planner set
is kept across every click in the first mode.

Usage::

    python benchmarks/app_browser.py --clicks 6 --seed 0
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geoplan.app.served import (
    CHROMIUM_FLAGS,
    METRIC,
    STATION_SYMBOL,
    chromium_path,
    live_map,
    served_app,
    stations_on_map,
    wait_idle,
)
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario

#: Least distance of a click from a station already on the map, metres.
MIN_GAP_M = 1500.0


def _click_points(folder: Path, n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` road nodes inside the districts (WGS84 lon, lat), seeded, each raising the first
    coverage figure when placed after the ones before it — so every click changes the figure."""
    from geoplan.app import SitingSession

    scenario = load_scenario(folder)
    net = scenario.road_network
    area = shapely.union_all(scenario.layers["districts"].geometry.to_numpy()).buffer(-800)
    inside = np.flatnonzero(shapely.contains_xy(area, net.node_xy[:, 0], net.node_xy[:, 1]))
    order = np.random.default_rng(seed).permutation(inside)
    lonlat = gpd.GeoSeries(gpd.points_from_xy(net.node_xy[order, 0], net.node_xy[order, 1]),
                           crs=scenario.metric_epsg).to_crs(4326)
    session = SitingSession(scenario, "transfer_stations")
    # clear of every station symbol (≈ 1 km across at the zoom used), so a click reaches the map
    taken = [(g.x, g.y) for g in session.existing.geometry]
    out = []
    for node, p in zip(order, lonlat):
        x, y = net.node_xy[node]
        if any(np.hypot(x - a, y - b) < MIN_GAP_M for a, b in taken):
            continue
        before = session.coverage()[0].actual
        session.place(p.x, p.y)
        if session.coverage()[0].actual > before:
            out.append((p.x, p.y))
            taken.append((x, y))
            if len(out) == n:
                return out
        else:
            session.undo()
    raise SystemExit(f"only {len(out)} clicks raise the coverage figure; ask for fewer")


def measure(browser, url: str, points, zoom_in: float) -> tuple[list[float], list[float], bool]:
    """(click → figures s, click → map s, zoom kept) for each click on a fresh page.

    Each point is panned to the middle of the map before it is clicked (a pan does not
    rerun the page in either mode), so the click never lands on a legend or control box.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector(METRIC, timeout=120_000)
        frame = live_map(page, 120)
        wait_idle(page)
        lon, lat = np.mean(points, axis=0)
        frame.evaluate("([lat, lon, dz]) => window.map.setView([lat, lon], window.map.getZoom() + dz)",
                       [lat, lon, zoom_in])
        wait_idle(page)
        page.wait_for_timeout(500)
        zoom = live_map(page).evaluate("() => window.map.getZoom()")
        figures, maps, zoom_kept = [], [], True
        for lon, lat in points:
            frame = live_map(page)
            before_text = page.locator(METRIC).first.inner_text()
            before_n = frame.locator(STATION_SYMBOL).count()
            # the point is brought to the middle of the map, clear of the boxes in its corners
            frame.evaluate("([lat, lon]) => window.map.panTo([lat, lon], {animate: false})", [lat, lon])
            page.wait_for_timeout(300)
            box = frame.locator(".leaflet-container").bounding_box()
            pt = frame.evaluate("([lat, lon]) => window.map.latLngToContainerPoint([lat, lon])", [lat, lon])
            t0 = time.perf_counter()
            page.mouse.click(box["x"] + pt["x"], box["y"] + pt["y"])
            t_fig = t_map = None
            while time.perf_counter() - t0 < 60 and (t_fig is None or t_map is None):
                now = time.perf_counter() - t0
                if t_fig is None and page.locator(METRIC).first.inner_text() != before_text:
                    t_fig = now
                if t_map is None and stations_on_map(page) == before_n + 1:
                    t_map = time.perf_counter() - t0
                page.wait_for_timeout(10)
            if t_fig is None or t_map is None:
                raise RuntimeError(f"a click at ({lon:.5f}, {lat:.5f}) did not update the page within 60 s")
            figures.append(t_fig)
            maps.append(t_map)
            wait_idle(page)
            zoom_kept &= live_map(page).evaluate("() => window.map.getZoom()") == zoom
        return figures, maps, zoom_kept
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--zoom-in", type=float, default=1.0, help="zoom steps in before clicking")
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("needs Chromium on PATH")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        rows = {}
        for mode in ("remount", "update"):
            # a fresh app per mode, so neither run finds the other's stations or caches
            folder = write_demo_scenario(Path(tmp) / mode / "demo")
            points = _click_points(folder, args.clicks, args.seed)
            with served_app(folder, Path(tmp) / f"{mode}.log") as url, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
                rows[mode] = measure(browser, url + ("/?map=remount" if mode == "remount" else ""), points,
                                     args.zoom_in)
                browser.close()

    print(f"demo county, {args.clicks} clicks (seed {args.seed}), headless Chromium 1280×800, median / max s")
    print(f"{'map drawing':<52}{'figures':>9}{'max':>7}{'map':>9}{'max':>7}  map ratio")
    a_fig, a_map, _ = rows["remount"]
    for mode, label in (("remount", "anchor: whole map rebuilt and mounted again"),
                        ("update", "geoplan app: base map kept, overlays swapped")):
        fig, mp, _ = rows[mode]
        ratio = statistics.median(a_map) / statistics.median(mp)
        print(f"{label:<52}{statistics.median(fig):>9.2f}{max(fig):>7.2f}{statistics.median(mp):>9.2f}"
              f"{max(mp):>7.2f}  {ratio:.1f}×")
    print(f"zoom kept across every click (overlays swapped): {'yes' if rows['update'][2] else 'NO'}; "
          f"with the remount: {'yes' if rows['remount'][2] else 'no'}")


if __name__ == "__main__":
    main()
