"""Benchmark: `geoplan app` in a real browser, against the Streamlit page it replaced.

One run on the demo county, in headless Chromium (Playwright driving the system's
Chromium, window 1280×800), measures:

* **the app** (the Starlette JSON API and the Leaflet page): page load (``goto`` → session
  open and map drawn; ``--loads`` times, each on a fresh page) and the bytes it took;
  ``--clicks`` clicks, one after another, each at a seeded road node that raises a coverage
  figure, each timed inside the page (``performance.now()``) from the mouse press to the
  figures showing their new values *and* the new station symbol drawn; the encoded bytes of each edit's answer
  (``POST /api/sessions/*/edits``, as the DevTools protocol counts them, headers included)
  and the server's time on it (request sent → answer's headers received);
* **rapid clicks**: 20 clicks 100 ms apart (10 a second) at distinct seeded points, on a
  fresh page; how many stations the page then shows, and whether their ids
  (``APPn-01``, ``-02`` …) follow the click order (each station nearest its own click);
* **the anchor**, the app as it was before the rebuild (Streamlit + streamlit-folium, commit
  67a540f, checked out into a temporary git worktree and served from it): the same page
  load, ``--anchor-clicks`` clicks (bytes: the websocket frames received from the click
  until the page is idle again) and the rapid clicks.

It prints both side by side with the ratio, and the issue's targets: p95 click → map and
figures < 300 ms, < 50 kB per edit, page load < 3 s, every click at 10/s applied. The
page's console errors are printed too.

Usage::

    python benchmarks/app_browser.py --clicks 20 --seed 0
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geoplan.app import SitingSession
from geoplan.app.served import (
    CHROMIUM_FLAGS,
    METRIC,
    STATION_SYMBOL,
    chromium_path,
    click_lonlat,
    free_port,
    open_page,
    served_app,
    serving,
    station_ids,
    wait_idle,
)
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario

KIND = "transfer_stations"
VIEWPORT = {"width": 1280, "height": 800}
#: Least distance of a click from a station already on the map, metres (a symbol is ≈ 1 km across
#: at the zoom the clicks are made at).
MIN_GAP_M = 1500.0
#: The same for the rapid clicks, made with the whole county in view (the anchor's map is half as
#: wide as the app's, so a symbol there covers ≈ 2 km).
RAPID_GAP_M = 3000.0
RAPID_CLICKS = 20
RAPID_INTERVAL_S = 0.1
#: Longest wait for one click to show on the page, seconds.
CLICK_TIMEOUT_S = 30.0

#: The app before the rebuild: its commit and its page's parts.
ANCHOR_COMMIT = "67a540f"
REPO = Path(__file__).resolve().parents[1]
OLD_METRIC = '[data-testid="stMetricValue"]'
OLD_MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
OLD_STATION_SYMBOL = ".gp-icon"
OLD_STATUS = '[data-testid="stStatusWidget"]'

#: The issue's targets.
TARGET_P95_MS = 300.0
TARGET_EDIT_KB = 50.0
TARGET_LOAD_S = 3.0

# ---------------------------------------------------------------- scripts run in the page
#: Note the time of the next mouse press: in the page, or in the frame ``frameSel`` (the anchor's map).
ARM_JS = """(frameSel) => {
  window.__bench = {t0: null, t1: null};
  const w = frameSel ? document.querySelector(frameSel).contentWindow : window;
  w.addEventListener('pointerdown', () => { window.__bench.t0 = performance.now(); }, {capture: true, once: true});
}"""
#: The figures' text and the number of station symbols (in the map frame, if any).
READ_JS = """([figSel, frameSel, symSel]) => {
  const f = [...document.querySelectorAll(figSel)].map(e => e.textContent).join(' | ');
  const d = frameSel ? document.querySelector(frameSel)?.contentDocument : document;
  return [f, d ? d.querySelectorAll(symSel).length : -1];
}"""
#: True (noting the time) once the figures differ from ``fig`` and there are ``n`` station symbols.
UPDATED_JS = """([figSel, frameSel, symSel, fig, n]) => {
  const f = [...document.querySelectorAll(figSel)].map(e => e.textContent).join(' | ');
  const d = frameSel ? document.querySelector(frameSel)?.contentDocument : document;
  if (f && f !== fig && d && d.querySelectorAll(symSel).length === n) {
    window.__bench.t1 = performance.now();
    return true;
  }
  return false;
}"""
#: Every mouse press from now on, timed (for the rapid clicks' spacing).
PRESSES_JS = """(frameSel) => {
  window.__presses = [];
  const w = frameSel ? document.querySelector(frameSel).contentWindow : window;
  w.addEventListener('pointerdown', () => window.__presses.push(performance.now()), {capture: true});
}"""
#: Note when the app's page is first ready (session open, map drawn): run before its own scripts.
READY_AT_JS = """(() => {
  const tick = () => {
    if (document.body && document.body.dataset.ready === '1' && window.map && window.map.getSize().x > 0) {
      window.__readyAt = performance.now();
    } else {
      requestAnimationFrame(tick);
    }
  };
  requestAnimationFrame(tick);
})()"""
#: The page's own document and requests: start and end, ms from navigation start.
WATERFALL_JS = """() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
  .filter(Boolean).map(r => ({name: r.entryType === 'navigation' ? 'document' : r.name,
                              start: r.startTime, end: r.responseEnd}))"""
#: The edit requests that started after the mouse press, from the page's resource timing.
EDIT_TIMING_JS = """() => performance.getEntriesByType('resource')
  .filter(r => r.name.includes('/edits') && r.startTime >= window.__bench.t0)
  .map(r => ({start: r.startTime, first: r.responseStart, end: r.responseEnd}))"""


# ---------------------------------------------------------------- where to click
def _nodes_inside(scenario, seed: int) -> tuple[np.ndarray, gpd.GeoSeries]:
    """Road nodes at least 800 m inside the districts in a seeded order, and their WGS84 points."""
    net = scenario.road_network
    area = shapely.union_all(scenario.layers["districts"].geometry.to_numpy()).buffer(-800)
    inside = np.flatnonzero(shapely.contains_xy(area, net.node_xy[:, 0], net.node_xy[:, 1]))
    order = np.random.default_rng(seed).permutation(inside)
    lonlat = gpd.GeoSeries(gpd.points_from_xy(net.node_xy[order, 0], net.node_xy[order, 1]),
                           crs=scenario.metric_epsg).to_crs(4326)
    return order, lonlat


def _shown(session: SitingSession) -> list[str]:
    """The coverage figures as both pages print them."""
    return [f"{f.actual:.1%}" for f in session.coverage()]


def _spread_points(folder: Path, n: int, seed: int, gap_m: float, changes_figures: bool) -> list[tuple[float, float]]:
    """``n`` road nodes inside the districts (WGS84 lon, lat), seeded, ``gap_m`` apart from each
    other and from the existing stations (clear of every station symbol), each placed in a
    session after the ones before it; with ``changes_figures``, only nodes whose station changes
    a coverage figure as both pages print it (to 0.1 %), so every click changes the figures."""
    scenario = load_scenario(folder)
    net = scenario.road_network
    order, lonlat = _nodes_inside(scenario, seed)
    session = SitingSession(scenario, KIND)
    taken = [(g.x, g.y) for g in session.existing.geometry]
    out = []
    for node, p in zip(order, lonlat):
        x, y = net.node_xy[node]
        if any(np.hypot(x - a, y - b) < gap_m for a, b in taken):
            continue
        before = _shown(session)
        session.place(p.x, p.y)
        if changes_figures and _shown(session) == before:
            session.undo()
            continue
        out.append((p.x, p.y))
        taken.append((x, y))
        if len(out) == n:
            return out
    raise SystemExit(f"only {len(out)} points {'change a coverage figure' if changes_figures else 'fit'}; ask for fewer")


def _click_points(folder: Path, n: int, seed: int) -> list[tuple[float, float]]:
    """The one-by-one clicks: each changes a figure. (Any figure: on the demo county the first
    alone, urban coverage, stops rising after 16 such clicks at seed 0.)"""
    return _spread_points(folder, n, seed, MIN_GAP_M, changes_figures=True)


def _rapid_points(folder: Path, n: int, seed: int) -> list[tuple[float, float]]:
    """The rapid clicks: :data:`RAPID_GAP_M` apart, each a place the session accepts."""
    return _spread_points(folder, n, seed + 1000, RAPID_GAP_M, changes_figures=False)


# ---------------------------------------------------------------- what the page receives
@dataclass
class Traffic:
    """What the server sent a page, as the DevTools protocol's Network domain reports it."""

    requests: dict = field(default_factory=dict)   # request id -> {url, method, bytes, server_ms}
    finished: list = field(default_factory=list)   # request ids, in the order they finished
    frames: list = field(default_factory=list)     # bytes of each websocket frame received

    @classmethod
    def watch(cls, page) -> "Traffic":
        t = cls()
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", t._sent)
        cdp.on("Network.responseReceived", t._answered)
        cdp.on("Network.loadingFinished", t._finished)
        cdp.on("Network.webSocketFrameReceived", t._frame)
        cdp.send("Network.enable")
        t._cdp = cdp  # kept, so the session lives as long as the page
        return t

    def _sent(self, e):
        self.requests[e["requestId"]] = {"url": e["request"]["url"], "method": e["request"]["method"],
                                         "bytes": 0, "server_ms": None}

    def _answered(self, e):
        timing = e["response"].get("timing")
        row = self.requests.get(e["requestId"])
        if row is not None and timing:
            row["server_ms"] = timing["receiveHeadersEnd"] - timing["sendEnd"]

    def _finished(self, e):
        row = self.requests.get(e["requestId"])
        if row is not None:
            row["bytes"] = e["encodedDataLength"]
            self.finished.append(e["requestId"])

    def _frame(self, e):
        r = e["response"]
        data = r["payloadData"]
        self.frames.append(len(base64.b64decode(data)) if r["opcode"] == 2 else len(data.encode()))

    def mark(self) -> tuple[int, int]:
        return len(self.finished), len(self.frames)

    def since(self, mark: tuple[int, int]) -> tuple[list[dict], int]:
        """(HTTP requests finished since ``mark``, websocket bytes received since ``mark``)."""
        return [self.requests[i] for i in self.finished[mark[0]:]], sum(self.frames[mark[1]:])

    def bytes_since(self, mark: tuple[int, int]) -> int:
        rows, ws = self.since(mark)
        return sum(r["bytes"] for r in rows) + ws


def _new_page(browser, errors: list[str]):
    """A page in a fresh browser context, its console errors and uncaught exceptions going to ``errors``."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return page


def _settle(page, ms: int = 100) -> None:
    """Give the DevTools events of what just finished time to arrive."""
    page.wait_for_timeout(ms)


# ---------------------------------------------------------------- results
@dataclass
class Click:
    ms: float                    # mouse press → figure changed and station drawn, in the page
    bytes: int                   # what the server sent for the edit
    server_ms: float | None = None
    queue_ms: float | None = None     # press → the edit request starts
    request_ms: float | None = None   # request start → first byte of the answer
    download_ms: float | None = None
    draw_ms: float | None = None      # last byte → the page shows the edit (parse, draw, next frame)


@dataclass
class Rapid:
    applied: int
    in_order: bool | None
    requests: int | None
    spacing_ms: float
    settle_s: float              # last click → page idle again
    refused: list = field(default_factory=list)


@dataclass
class Run:
    loads: list[float]           # page load times, s; the first with the server just started
    load_bytes: int              # what the last page load received
    clicks: list[Click]
    rapid: Rapid
    errors: list[str]
    load_parts: list = field(default_factory=list)   # (what, bytes, server ms) of the last page load
    waterfall: str = ""          # the last page load, in the page's own clock
    missed: int = 0              # clicks whose update never showed within CLICK_TIMEOUT_S

    @property
    def load_s(self) -> float:
        return float(np.median(self.loads))


def _wait_updated(page, frame_sel, fig_sel, sym_sel, fig: str, n: int) -> float | None:
    """Milliseconds from the noted mouse press to the page showing new figures and ``n`` symbols."""
    try:
        page.wait_for_function(UPDATED_JS, arg=[fig_sel, frame_sel, sym_sel, fig, n], polling="raf",
                               timeout=CLICK_TIMEOUT_S * 1000)
    except Exception:  # Playwright's TimeoutError: the click did not show
        return None
    t0, t1 = page.evaluate("() => [window.__bench.t0, window.__bench.t1]")
    return t1 - t0


def _clicks_at_rate(page, pixels: list[tuple[float, float]]) -> None:
    """Click the page at ``pixels``, one every :data:`RAPID_INTERVAL_S`."""
    start = time.perf_counter()
    for i, (x, y) in enumerate(pixels):
        pause = start + i * RAPID_INTERVAL_S - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        page.mouse.click(x, y)


def _spacing_ms(page) -> float:
    presses = page.evaluate("() => window.__presses")
    return float(np.mean(np.diff(presses))) if len(presses) > 1 else float("nan")


def _in_click_order(stations: dict, points: list[tuple[float, float]]) -> bool:
    """Whether the placed stations, by id number, lie each nearest its own click (and within 500 m)."""
    def number(sid: str) -> int:
        return int(sid.rsplit("-", 1)[-1])

    pts = np.array(points)
    matched = []
    for sid in sorted(stations, key=number):
        lon, lat = stations[sid]
        d = np.hypot((pts[:, 0] - lon) * 111_320 * np.cos(np.radians(lat)), (pts[:, 1] - lat) * 110_540)
        i = int(np.argmin(d))
        if d[i] > 500:
            return False
        matched.append(i)
    return matched == sorted(matched) and len(set(matched)) == len(matched)


def _loads(load, browser, url: str, errors: list[str], n: int):
    """(page, traffic, [load s], load bytes): ``load`` run ``n`` times, each on a fresh page;
    the last page is kept open."""
    times = []
    for i in range(n):
        page, traffic, seconds, received = load(browser, url, errors)
        times.append(seconds)
        if i < n - 1:
            page.context.close()
    return page, traffic, times, received


# ---------------------------------------------------------------- the app
def app_load(browser, url: str, errors: list[str]):
    """(page, traffic, load s, load bytes): the app opened on a fresh page."""
    page = _new_page(browser, errors)
    page.add_init_script(READY_AT_JS)
    traffic = Traffic.watch(page)
    t0 = time.perf_counter()
    open_page(page, url)
    load_s = time.perf_counter() - t0
    wait_idle(page)
    _settle(page, 300)
    page.evaluate("() => performance.setResourceTimingBufferSize(10000)")
    return page, traffic, load_s, traffic.bytes_since((0, 0))


def _app_waterfall(page) -> str:
    """When the page's requests ran and when it was ready, ms from navigation start (the page's clock)."""
    rows = page.evaluate(WATERFALL_JS)
    ready = page.evaluate("() => window.__readyAt")
    assets = [r for r in rows if "/assets/" in r["name"]]
    parts = [f"HTML {rows[0]['end']:.0f}" if rows and rows[0]["name"] == "document" else "",
             f"assets until {max(r['end'] for r in assets):.0f}" if assets else ""]
    for r in rows:
        if "/api/" in r["name"]:
            what = urllib.parse.urlsplit(r["name"]).path.rsplit("/", 1)[-1]
            parts.append(f"{what} {r['start']:.0f}–{r['end']:.0f}")
    if ready is not None:
        parts.append(f"ready {ready:.0f}")
    return ", ".join(p for p in parts if p)


def _load_parts(traffic: Traffic) -> list[tuple[str, int, float | None]]:
    """(path, bytes, server ms) of every request so far; the websocket as one row."""
    rows, ws = traffic.since((0, 0))
    parts = [(urllib.parse.urlsplit(r["url"]).path, r["bytes"], r["server_ms"]) for r in rows]
    return parts + ([("websocket frames", ws, None)] if ws else [])


def app_view(page, points, zoom_in: float) -> None:
    """Centre the map on the points and zoom in ``zoom_in`` steps."""
    lon, lat = np.mean(points, axis=0)
    page.evaluate("([lat, lon, dz]) => { map.setView([lat, lon], map.getZoom() + dz, {animate: false}); }",
                  [lat, lon, zoom_in])
    page.wait_for_timeout(300)


def app_click(page, traffic: Traffic, lon: float, lat: float) -> Click | None:
    """One click at (lon, lat), brought to the middle of the map first; None if it never showed."""
    page.evaluate("([lat, lon]) => { map.panTo([lat, lon], {animate: false}); }", [lat, lon])
    page.wait_for_timeout(150)
    fig, n = page.evaluate(READ_JS, [METRIC, None, STATION_SYMBOL])
    mark = traffic.mark()
    page.evaluate(ARM_JS, None)
    click_lonlat(page, lon, lat)
    ms = _wait_updated(page, None, METRIC, STATION_SYMBOL, fig, n + 1)
    wait_idle(page)
    _settle(page)
    if ms is None:
        return None
    rows, _ = traffic.since(mark)
    edits = [r for r in rows if r["method"] == "POST" and "/edits" in r["url"]]
    t0, t1 = page.evaluate("() => [window.__bench.t0, window.__bench.t1]")
    click = Click(ms, sum(r["bytes"] for r in edits), edits[0]["server_ms"] if edits else None)
    timing = page.evaluate(EDIT_TIMING_JS)
    if timing:
        r = timing[0]
        click.queue_ms, click.request_ms = r["start"] - t0, r["first"] - r["start"]
        click.download_ms, click.draw_ms = r["end"] - r["first"], t1 - r["end"]
    return click


def app_rapid(browser, url: str, points, errors: list[str]) -> Rapid:
    """The rapid clicks on a fresh page (a new session), all points in view at once."""
    page = _new_page(browser, errors)
    try:
        traffic = Traffic.watch(page)
        open_page(page, url)
        wait_idle(page)
        lons, lats = zip(*points)
        page.evaluate("([s, w, n, e]) => { map.fitBounds([[s, w], [n, e]], {padding: [40, 40], animate: false}); }",
                      [min(lats), min(lons), max(lats), max(lons)])
        page.wait_for_timeout(300)
        pixels = _map_pixels(page, "#map", points)
        before = set(station_ids(page))
        page.evaluate(PRESSES_JS, None)
        mark = traffic.mark()
        _clicks_at_rate(page, pixels)
        t_last = time.perf_counter()
        wait_idle(page)
        settle_s = time.perf_counter() - t_last
        _settle(page)
        new = [sid for sid in station_ids(page) if sid not in before]
        stations = page.evaluate("(ids) => Object.fromEntries(ids.map(id => [id, window.gp.S.view.stations[id].xy]))",
                                 new)
        refused = page.evaluate("() => window.gp.S.failed")
        rows, _ = traffic.since(mark)
        requests = sum(1 for r in rows if r["method"] == "POST" and "/edits" in r["url"])
        return Rapid(len(new), _in_click_order(stations, points), requests, _spacing_ms(page), settle_s, refused)
    finally:
        page.context.close()


def _map_pixels(where, map_sel: str, points) -> list[tuple[float, float]]:
    """Page pixels of the points on the map in ``where`` (page or frame); each must lie well inside it."""
    box = where.locator(map_sel).bounding_box()
    out = []
    for lon, lat in points:
        pt = where.evaluate("([lat, lon]) => window.map.latLngToContainerPoint([lat, lon])", [lat, lon])
        if not (40 < pt["x"] < box["width"] - 40 and 40 < pt["y"] < box["height"] - 40):
            raise RuntimeError(f"point ({lon:.5f}, {lat:.5f}) is not well inside the map")
        out.append((box["x"] + pt["x"], box["y"] + pt["y"]))
    return out


def measure_app(browser, folder: Path, log: Path, points, rapid_points, zoom_in: float, loads: int) -> Run:
    errors: list[str] = []
    with served_app(folder, log) as url:
        page, traffic, load_times, load_bytes = _loads(app_load, browser, url, errors, loads)
        parts, waterfall = _load_parts(traffic), _app_waterfall(page)
        app_view(page, points, zoom_in)
        clicks = [app_click(page, traffic, lon, lat) for lon, lat in points]
        page.context.close()
        rapid = app_rapid(browser, url, rapid_points, errors)
    done = [c for c in clicks if c is not None]
    return Run(load_times, load_bytes, done, rapid, errors, parts, waterfall, len(clicks) - len(done))


# ---------------------------------------------------------------- the anchor: the Streamlit page
@contextmanager
def anchor_tree(tmp: Path):
    """Commit :data:`ANCHOR_COMMIT` checked out into a temporary git worktree; removed on exit."""
    tree = tmp / "anchor-tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), ANCHOR_COMMIT],
                   check=True, capture_output=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                       check=False, capture_output=True)


def _anchor_env(tree: Path) -> dict:
    """The anchor's environment; it also runs with the worktree as its working folder, since
    ``python -m``/``-c`` put the working folder first on the import path."""
    return dict(os.environ, PYTHONPATH=str(tree), CI="true", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")


def anchor_missing(tree: Path) -> str | None:
    """Why the anchor cannot run (Streamlit missing, or geoplan not read from the worktree), or None."""
    code = "import streamlit, streamlit_folium, geoplan; print(geoplan.__file__)"
    probe = subprocess.run([sys.executable, "-c", code],
                           env=_anchor_env(tree), cwd=tree, capture_output=True, text=True)
    if probe.returncode:
        return probe.stderr.strip().splitlines()[-1]
    if not Path(probe.stdout.strip()).resolve().is_relative_to(tree.resolve()):
        return f"geoplan is read from {probe.stdout.strip()}, not from the worktree"
    return None


@contextmanager
def served_anchor(tree: Path, folder: Path, log_path: Path, timeout_s: float = 120.0):
    """The anchor's ``geoplan app FOLDER`` (Streamlit) on a free port; yields its URL, stops it on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "geoplan", "app", str(folder), "--port", str(port)]
    with serving(command, f"{url}/_stcore/health", log_path, env=_anchor_env(tree), cwd=tree, timeout_s=timeout_s):
        yield url


def _anchor_frame(page, timeout_s: float = 60.0):
    """The frame of the anchor's one drawn map (copied from its served.live_map)."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        frames = page.locator(OLD_MAP_IFRAME)
        if frames.count() == 1:
            frame = frames.element_handle().content_frame()
            try:
                if frame is not None and frame.evaluate("() => !!window.map && window.map.getSize().x > 0"):
                    return frame
            except Exception:  # the frame went while we asked: a remount in progress
                pass
        page.wait_for_timeout(20)
    raise RuntimeError("the anchor's map did not settle")


def _anchor_idle(page, timeout_s: float = 60.0) -> None:
    """Wait until the anchor runs no script (Streamlit's status widget gone; from its served.wait_idle)."""
    page.wait_for_timeout(300)
    end = time.monotonic() + timeout_s
    while time.monotonic() < end and page.locator(OLD_STATUS).count():
        page.wait_for_timeout(50)


def _anchor_symbols(page) -> int:
    return page.evaluate(READ_JS, [OLD_METRIC, OLD_MAP_IFRAME, OLD_STATION_SYMBOL])[1]


def anchor_load(browser, url: str, errors: list[str]):
    """(page, traffic, load s, load bytes): the anchor opened on a fresh page; loaded once its
    figures show and its map is drawn with the station symbols."""
    page = _new_page(browser, errors)
    traffic = Traffic.watch(page)
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(OLD_METRIC, timeout=120_000)
    _anchor_frame(page, 120)
    while _anchor_symbols(page) <= 0:
        page.wait_for_timeout(20)
    load_s = time.perf_counter() - t0
    _anchor_idle(page)
    _settle(page, 300)
    return page, traffic, load_s, traffic.bytes_since((0, 0))


def anchor_click(page, traffic: Traffic, lon: float, lat: float) -> Click | None:
    """One click on the anchor's map at (lon, lat), brought to the middle first; None if it never showed."""
    frame = _anchor_frame(page)
    frame.evaluate("([lat, lon]) => { window.map.panTo([lat, lon], {animate: false}); }", [lat, lon])
    page.wait_for_timeout(300)
    fig, n = page.evaluate(READ_JS, [OLD_METRIC, OLD_MAP_IFRAME, OLD_STATION_SYMBOL])
    box = frame.locator(".leaflet-container").bounding_box()
    pt = frame.evaluate("([lat, lon]) => window.map.latLngToContainerPoint([lat, lon])", [lat, lon])
    mark = traffic.mark()
    page.evaluate(ARM_JS, OLD_MAP_IFRAME)
    page.mouse.click(box["x"] + pt["x"], box["y"] + pt["y"])
    ms = _wait_updated(page, OLD_MAP_IFRAME, OLD_METRIC, OLD_STATION_SYMBOL, fig, n + 1)
    _anchor_idle(page)
    _settle(page)
    return None if ms is None else Click(ms, traffic.bytes_since(mark))


def anchor_rapid(browser, url: str, points, errors: list[str]) -> Rapid:
    """The rapid clicks on the anchor, on a fresh page (a new Streamlit session)."""
    page, traffic, _, _ = anchor_load(browser, url, errors)
    try:
        frame = _anchor_frame(page)
        lons, lats = zip(*points)
        # the app's map zooms in quarter steps; the anchor's only in whole ones unless told
        frame.evaluate("([s, w, n, e]) => { window.map.options.zoomSnap = 0.25; "
                       "window.map.fitBounds([[s, w], [n, e]], {padding: [40, 40], animate: false}); }",
                       [min(lats), min(lons), max(lats), max(lons)])
        page.wait_for_timeout(300)
        pixels = _map_pixels(frame, ".leaflet-container", points)
        before = _anchor_symbols(page)
        page.evaluate(PRESSES_JS, OLD_MAP_IFRAME)
        _clicks_at_rate(page, pixels)
        t_last = time.perf_counter()
        _anchor_idle(page)
        page.wait_for_timeout(1500)  # a last click's rerun may start late
        _anchor_idle(page)
        settle_s = time.perf_counter() - t_last
        _anchor_frame(page)
        return Rapid(_anchor_symbols(page) - before, None, None, _spacing_ms(page), settle_s)
    finally:
        page.context.close()


def measure_anchor(browser, tree: Path, folder: Path, log: Path, points, rapid_points, zoom_in: float,
                   loads: int) -> Run:
    errors: list[str] = []
    with served_anchor(tree, folder, log) as url:
        page, traffic, load_times, load_bytes = _loads(anchor_load, browser, url, errors, loads)
        parts = _load_parts(traffic)
        frame = _anchor_frame(page)
        lon, lat = np.mean(points, axis=0)
        frame.evaluate("([lat, lon, dz]) => { window.map.setView([lat, lon], window.map.getZoom() + dz, "
                       "{animate: false}); }", [lat, lon, zoom_in])
        page.wait_for_timeout(500)
        clicks = [anchor_click(page, traffic, lon, lat) for lon, lat in points]
        page.context.close()
        rapid = anchor_rapid(browser, url, rapid_points, errors)
    done = [c for c in clicks if c is not None]
    return Run(load_times, load_bytes, done, rapid, errors, parts, missed=len(clicks) - len(done))


# ---------------------------------------------------------------- the report
def _p95(values) -> float:
    return float(np.percentile(values, 95)) if len(values) else float("nan")


def _median(values) -> float:
    return float(np.median(values)) if len(values) else float("nan")


def _rows(new: Run, old: Run | None) -> list[tuple]:
    """(figure, new app, anchor, target, met) — numbers, or text where a number does not fit."""
    def both(fn):
        return fn(new), (fn(old) if old is not None else None)

    rows = [
        (f"page load, median of {len(new.loads)}, s", *both(lambda r: r.load_s), f"< {TARGET_LOAD_S:g} s",
         new.load_s < TARGET_LOAD_S),
        ("page load, kB", *both(lambda r: r.load_bytes / 1000), "", None),
        ("click → map + figures, median ms", *both(lambda r: _median([c.ms for c in r.clicks])), "", None),
        ("click → map + figures, p95 ms", *both(lambda r: _p95([c.ms for c in r.clicks])),
         f"< {TARGET_P95_MS:g} ms", _p95([c.ms for c in new.clicks]) < TARGET_P95_MS),
        ("bytes per edit, median kB", *both(lambda r: _median([c.bytes / 1000 for c in r.clicks])), "", None),
        ("bytes per edit, max kB", *both(lambda r: max((c.bytes / 1000 for c in r.clicks), default=float("nan"))),
         f"< {TARGET_EDIT_KB:g} kB", max(c.bytes for c in new.clicks) / 1000 < TARGET_EDIT_KB),
    ]
    ok = new.rapid.applied == RAPID_CLICKS and bool(new.rapid.in_order)
    rows.append(("rapid clicks (10/s) applied", f"{new.rapid.applied} of {RAPID_CLICKS}",
                 f"{old.rapid.applied} of {RAPID_CLICKS}" if old else None, "all, in order", ok))
    return rows


def _cell(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def print_report(new: Run, old: Run | None, why_no_anchor: str | None, args, n_nodes: int) -> None:
    anchor_clicks = f"{len(old.clicks)} clicks" if old else "not measured"
    print(f"demo county ({n_nodes} road nodes), headless Chromium {VIEWPORT['width']}×{VIEWPORT['height']}, "
          f"seed {args.seed}; geoplan app: {len(new.clicks)} clicks; anchor (Streamlit page, {ANCHOR_COMMIT}): "
          f"{anchor_clicks}")
    print(f"{'figure':<36}{'geoplan app':>13}{'anchor':>11}{'ratio':>9}  {'target':<15}met")
    for name, a, b, target, met in _rows(new, old):
        ratio = f"{b / a:.1f}×" if isinstance(a, float) and isinstance(b, float) and a > 0 else ""
        print(f"{name:<36}{_cell(a):>13}{_cell(b):>11}{ratio:>9}  {target:<15}"
              f"{'' if met is None else 'yes' if met else 'NO'}")
    print("ratio: anchor / geoplan app; p95 by linear interpolation between the clicks")
    if why_no_anchor:
        print(f"anchor not measured: {why_no_anchor}")
    for label, run in (("geoplan app", new), ("anchor", old)):
        if run is not None and run.missed:
            print(f"{label}: {run.missed} click(s) did not show within {CLICK_TIMEOUT_S:.0f} s (left out above)")

    def med(attr):
        return _median([getattr(c, attr) for c in new.clicks if getattr(c, attr) is not None])

    print(f"geoplan app, one click, median ms: press → request {med('queue_ms'):.1f}, request → first byte "
          f"{med('request_ms'):.1f} (server, from DevTools: median {med('server_ms'):.1f}, max "
          f"{max(c.server_ms or 0 for c in new.clicks):.1f}), download {med('download_ms'):.1f}, "
          f"last byte → drawn {med('draw_ms'):.1f}")
    for label, run in (("geoplan app", new), ("anchor", old)):
        if run is not None:
            print(f"{label} page loads, s: " + " ".join(f"{t:.2f}" for t in run.loads) + " (the first with the server "
                  "just started)")
    print(f"geoplan app page load, ms from navigation start: {new.waterfall}")
    print("geoplan app page load, kB (server ms): " + ", ".join(
        f"{path} {b / 1000:.1f}" + (f" ({ms:.0f})" if ms is not None else "") for path, b, ms in new.load_parts))
    if old is not None:
        http = [p for p in old.load_parts if p[0] != "websocket frames"]
        ws = sum(b for p, b, _ in old.load_parts if p == "websocket frames")
        print(f"anchor page load: {len(http)} HTTP requests {sum(b for _, b, _ in http) / 1000:.0f} kB, "
              f"websocket frames {ws / 1000:.0f} kB")
    print("geoplan app, click → map + figures, ms: " + " ".join(f"{c.ms:.0f}" for c in new.clicks))
    if old is not None:
        print("anchor, click → map + figures, ms: " + " ".join(f"{c.ms:.0f}" for c in old.clicks))
    r = new.rapid
    print(f"rapid clicks applied: {r.applied} of {RAPID_CLICKS} (geoplan app; presses {r.spacing_ms:.0f} ms apart, "
          f"sent in {r.requests} edit requests, idle {r.settle_s:.2f} s after the last; ids in click order: "
          f"{'yes' if r.in_order else 'NO'}; refused: {len(r.refused)})")
    if old is not None:
        print(f"rapid clicks applied: {old.rapid.applied} of {RAPID_CLICKS} (anchor; presses "
              f"{old.rapid.spacing_ms:.0f} ms apart, idle {old.rapid.settle_s:.2f} s after the last)")
    for label, run in (("geoplan app", new), ("anchor", old)):
        if run is None:
            continue
        counted = Counter(e[:200] for e in run.errors)
        print(f"{label} console errors: {sum(counted.values()) or 'none'}")
        for text, n in counted.most_common():
            print(f"  {n}× {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--anchor-clicks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--loads", type=int, default=3, help="page loads measured per app")
    parser.add_argument("--zoom-in", type=float, default=1.0, help="zoom steps in before clicking")
    parser.add_argument("--no-anchor", action="store_true", help="measure the app only")
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("needs Chromium on PATH")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name, sync_playwright() as p:
        tmp = Path(tmp_name)
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        # each app gets its own copy of the demo, so neither finds the other's stations
        folder = write_demo_scenario(tmp / "app" / "demo")
        n_nodes = load_scenario(folder).road_network.n_nodes
        points = _click_points(folder, max(args.clicks, args.anchor_clicks), args.seed)
        rapid = _rapid_points(folder, RAPID_CLICKS, args.seed)
        new = measure_app(browser, folder, tmp / "app.log", points[:args.clicks], rapid, args.zoom_in, args.loads)
        old, why = None, "--no-anchor" if args.no_anchor else None
        if not args.no_anchor:
            with anchor_tree(tmp) as tree:
                why = anchor_missing(tree)
                if why is None:
                    old = measure_anchor(browser, tree, write_demo_scenario(tmp / "anchor" / "demo"),
                                         tmp / "anchor.log", points[:args.anchor_clicks], rapid, args.zoom_in,
                                         args.loads)
        browser.close()
    print_report(new, old, why, args, n_nodes)


if __name__ == "__main__":
    main()
