"""End to end: ``geoplan app`` served on localhost and used in headless Chromium as a planner uses it.

Every test opens its own browser context (its own tab, so its own siting session) on one
app server shared by the module; the test of two planners adopting plans gets a server of
its own, because adopting changes the scenario's plan for every later session. Requests
that would leave the machine are aborted and recorded in every context, so the tests never
depend on the internet (and the offline test checks that none are made at all).

The click targets are road nodes of the demo county chosen in Python: inside the
districts, inside the visible map clear of its controls, and far enough from every station
that a click lands on the map, not on a station symbol.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

import layers
from geoplan.app import SitingSession
from geoplan.app.served import click_lonlat, first_figure, open_page, served_app, station_ids, wait_idle
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario
from geoplan.standards import SERVICE_PROFILES

KIND = "transfer_stations"
VIEWPORT = {"width": 1280, "height": 800}
#: Clicks keep this far from the map's edges: zoom buttons, the busy badge, the attribution (px).
EDGE_MARGIN_PX = 70
#: Least distance of a click target from a station and from the other targets, metres.
MIN_GAP_M = 1500.0
#: Click targets lie at least this far inside the districts' outline, metres.
INSET_M = 800.0
#: Leaflet's earth radius (``L.CRS.Earth.R``), metres.
EARTH_R_M = 6371000.0
WAIT_MS = 60_000


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    return write_demo_scenario(tmp_path_factory.mktemp("app_e2e") / "demo")


@pytest.fixture(scope="module")
def scenario(demo_folder):
    """The demo scenario read in Python, to pick click targets and recompute what the page shows."""
    return load_scenario(demo_folder)


@pytest.fixture(scope="module")
def app_url(demo_folder):
    """`geoplan app DEMO --port P` as a subprocess on localhost, shared by the module's tests."""
    with served_app(demo_folder, demo_folder.parent / "app.log", timeout_s=120) as url:
        yield url


@dataclass
class Tab:
    """One planner's browser tab: its context, page, the requests aborted for leaving the machine,
    and the page's uncaught JavaScript errors."""

    context: object
    page: object
    off_machine: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_tab(browser):
    """Opens the app at a URL in a fresh browser context; every tab is closed (ending its session) after the test."""
    tabs: list[Tab] = []

    def open_(url: str) -> Tab:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        tab = Tab(context, None)

        def route(r):
            if urlsplit(r.request.url).hostname == "127.0.0.1":
                r.continue_()
            else:
                tab.off_machine.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        tab.page = context.new_page()
        tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        tabs.append(tab)
        open_page(tab.page, url)
        return tab

    yield open_
    for tab in tabs:
        try:
            tab.page.goto("about:blank")  # the page's pagehide handler ends its session on the server
        finally:
            tab.context.close()


# ---------------------------------------------------------------------------- reading the page
def view_stations(page) -> dict[str, dict]:
    """Every station the page holds (existing and placed), by id, as the server last sent it."""
    return page.evaluate("() => gp.S.view.stations")


def placed_ids(page) -> list[str]:
    """Ids of the stations this tab's planner placed (the editable ones)."""
    return [sid for sid, s in view_stations(page).items() if s["editable"]]


def session_code(page) -> str:
    return page.evaluate("() => gp.S.code")


def messages(page) -> list[tuple[str, bool]]:
    """The message list, newest first: (text, is an error)."""
    return page.evaluate("() => [...document.querySelectorAll('#messages li')]"
                         ".map(li => [li.textContent, li.classList.contains('error')])")


def wait_message(page, text: str, error: bool | None = None) -> str:
    """Wait until a message containing ``text`` (an error one, or not, when ``error`` says) is listed."""
    page.wait_for_function(
        "([text, error]) => [...document.querySelectorAll('#messages li')].some(li => li.textContent.includes(text)"
        " && (error === null || li.classList.contains('error') === error))", arg=[text, error], timeout=WAIT_MS)
    return next(t for t, e in messages(page) if text in t and (error is None or e == error))


def visible_box(page) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the map as shown, less a margin along its edges, in the page's degrees."""
    return tuple(page.evaluate(f"""() => {{
        const s = map.getSize(), m = {EDGE_MARGIN_PX};
        const sw = map.containerPointToLatLng([m, s.y - m]), ne = map.containerPointToLatLng([s.x - m, m]);
        return [sw.lng, sw.lat, ne.lng, ne.lat]; }}"""))


def map_centre(page) -> tuple[float, float]:
    """(lon, lat) of the map's centre once it has stopped moving."""
    last = None
    for _ in range(50):
        now = page.evaluate("() => { const c = map.getCenter(); return [c.lng, c.lat]; }")
        if now == last:
            return tuple(now)
        last = now
        page.wait_for_timeout(200)
    raise AssertionError("the map kept moving")


def working_record(folder: Path, code: str) -> dict:
    """The session's working file ``output/plans/.working/<code>/session.json``."""
    return json.loads((folder / "output" / "plans" / ".working" / code / "session.json").read_text(encoding="utf-8"))


def layer_ids(path: Path) -> list[str]:
    """Station ids of the transfer-station layer of a GeoPackage or GeoJSON file."""
    frame = pyogrio.read_dataframe(path, layer=KIND) if path.suffix == ".gpkg" else pyogrio.read_dataframe(path)
    return frame["id"].tolist()


# ---------------------------------------------------------------------------- geometry in Python
def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance on Leaflet's sphere, metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_R_M * math.asin(math.sqrt(a))


def to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    glon, glat = layers.wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    return float(glon[0]), float(glat[0])


def road_points(scenario, n: int, box, avoid_lonlat=(), seed: int = 0) -> list[tuple[float, float]]:
    """``n`` road nodes (WGS84 lon, lat) a click would place a transfer station on exactly: inside the
    districts and ``box``, each at least MIN_GAP_M from the others, the existing stations and ``avoid_lonlat``."""
    net = scenario.road_network
    to_lonlat = Transformer.from_crs(net.crs, 4326, always_xy=True)
    to_metric = Transformer.from_crs(4326, net.crs, always_xy=True)
    area = shapely.union_all(scenario.layers["districts"].to_crs(net.crs).geometry.to_numpy()).buffer(-INSET_M)
    xy = net.node_xy
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    west, south, east, north = box
    ok = shapely.contains_xy(area, xy[:, 0], xy[:, 1]) & (lon > west) & (lon < east) & (lat > south) & (lat < north)
    order = np.random.default_rng(seed).permutation(np.flatnonzero(ok))
    own = order[net.snap(xy[order], SERVICE_PROFILES[KIND]).node == order]  # nodes a click snaps onto themselves
    taken = list(shapely.get_coordinates(scenario.layers[KIND].to_crs(net.crs).geometry.to_numpy()))
    taken += [np.array(to_metric.transform(a, b)) for a, b in avoid_lonlat]
    out = []
    for i in own:
        if all(np.hypot(*(xy[i] - t)) >= MIN_GAP_M for t in taken):
            out.append((float(lon[i]), float(lat[i])))
            taken.append(xy[i])
            if len(out) == n:
                return out
    raise AssertionError(f"only {len(out)} click targets in view; the map shows too little of the county")


def python_figure(scenario, placed: list[dict]) -> float:
    """The first coverage figure SitingSession computes for stations on the nodes of ``placed``
    (rows of the working file), to compare with the page's."""
    session = SitingSession(scenario, KIND)
    session.restore([session.station_at(int(r["node"]), r["id"], r["name"], r["moved_m"],
                                        float("nan") if r["capacity"] is None else r["capacity"], r["origin"])
                     for r in placed], len(placed))
    return session.coverage()[0].actual


def node_of_click(scenario, lon: float, lat: float) -> int:
    """The road node a WGS84 click places a transfer station on, as SitingSession snaps it."""
    return SitingSession(scenario, KIND).place(lon, lat).node


# ---------------------------------------------------------------------------- acting on the page
def click_and_wait(page, lon: float, lat: float) -> None:
    """Click the map at (lon, lat) in the page's degrees and wait until the edit is applied."""
    click_lonlat(page, lon, lat)
    wait_idle(page)


def place(page, lon: float, lat: float) -> str:
    """Click to place one station; returns its id (the one new editable station)."""
    before = set(placed_ids(page))
    click_and_wait(page, lon, lat)
    new = [sid for sid in placed_ids(page) if sid not in before]
    assert len(new) == 1, f"a click placed {len(new)} stations: {new}; messages: {messages(page)[:3]}"
    return new[0]


def drag_marker(page, station_id: str, lon: float, lat: float) -> None:
    """Drag a station's symbol with the mouse and drop it at (lon, lat)."""
    box = page.locator(f'.gp-station[data-id="{station_id}"]').bounding_box()
    x, y = page.evaluate("([lon, lat]) => { const p = map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
                         [lon, lat])
    origin = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(origin["x"] + x, origin["y"] + y, steps=15)
    page.mouse.up()
    wait_idle(page)


def buttons_enabled(page) -> tuple[bool, bool]:
    """(undo enabled, redo enabled)."""
    return page.is_enabled("#undo"), page.is_enabled("#redo")


# ---------------------------------------------------------------------------- the tests
def test_rapid_clicks_all_apply_in_order(open_tab, app_url, scenario, demo_folder):
    """Ten clicks a tenth of a second apart: the planner sees ten stations, numbered in click order,
    each on the road where it was clicked, the map's view stays put, and the working file keeps
    the stations in click order."""
    tab = open_tab(app_url)
    page = tab.page
    code = session_code(page)
    points = road_points(scenario, 10, visible_box(page))
    view = page.evaluate("() => [map.getZoom(), map.getCenter()]")
    for lon, lat in points:
        click_lonlat(page, lon, lat)
        page.wait_for_timeout(100)
    wait_idle(page)
    assert page.evaluate("() => [map.getZoom(), map.getCenter()]") == view, "the planner's view moved"

    expected = [f"{code}-{i:02d}" for i in range(1, 11)]
    assert sorted(placed_ids(page)) == expected
    assert page.evaluate("() => [gp.S.applied.length, gp.S.failed.length]") == [10, 0]
    stations = view_stations(page)
    max_snap = scenario.network_settings.max_snap_m
    for sid, (lon, lat) in zip(expected, points):
        assert metres_between(*stations[sid]["xy"], lon, lat) <= max_snap, f"{sid} is not where it was clicked"
    assert set(expected) <= set(station_ids(page)), "the map does not draw every placed station"
    placed = working_record(demo_folder, code)["placed"]
    assert [p["id"] for p in placed] == expected
    for p, (lon, lat) in zip(placed, points):
        assert metres_between(p["lon"], p["lat"], lon, lat) <= max_snap
    assert tab.errors == []


def test_undo_then_click_again_places_again_and_redo_brings_it_back(open_tab, app_url, scenario):
    """Undo takes a station away; clicking the same spot places one there again; undo and redo
    take it away and bring it back, and the undo/redo buttons are usable exactly when they can act."""
    tab = open_tab(app_url)
    page = tab.page
    (lon, lat), = road_points(scenario, 1, visible_box(page))
    assert buttons_enabled(page) == (False, False)

    first = place(page, lon, lat)
    where = view_stations(page)[first]["xy"]
    assert buttons_enabled(page) == (True, False)

    page.click("#undo")
    wait_idle(page)
    assert placed_ids(page) == [] and first not in station_ids(page)
    assert buttons_enabled(page) == (False, True)

    again = place(page, lon, lat)
    assert view_stations(page)[again]["xy"] == where, "the second click did not place on the same road node"
    assert buttons_enabled(page) == (True, False)

    page.click("#undo")
    wait_idle(page)
    assert placed_ids(page) == [] and buttons_enabled(page) == (False, True)
    page.click("#redo")
    wait_idle(page)
    assert placed_ids(page) == [again] and again in station_ids(page)
    assert view_stations(page)[again]["xy"] == where
    assert buttons_enabled(page) == (True, False)
    assert tab.errors == []


def test_drag_moves_a_station_and_recomputes_coverage(open_tab, app_url, scenario, demo_folder):
    """Dragging a placed station to another road moves it there, keeps its id, and the headline
    coverage figure is the one the siting session computes for the new position."""
    tab = open_tab(app_url)
    page = tab.page
    code = session_code(page)
    (lon0, lat0), (lon1, lat1) = road_points(scenario, 2, visible_box(page), seed=1)
    sid = place(page, lon0, lat0)
    before = working_record(demo_folder, code)["placed"]
    assert page.evaluate("() => gp.S.view.figures[0].actual") == pytest.approx(python_figure(scenario, before), abs=1e-6)
    version = page.evaluate("() => gp.S.version")

    drag_marker(page, sid, lon1, lat1)
    after = working_record(demo_folder, code)["placed"]
    assert [p["id"] for p in after] == [sid] and placed_ids(page) == [sid], "the drag did not move the station alone"
    assert after[0]["node"] != before[0]["node"], "the station stayed on its road node"
    xy = view_stations(page)[sid]["xy"]
    assert metres_between(*xy, lon1, lat1) <= scenario.network_settings.max_snap_m
    assert page.evaluate("() => gp.S.version") > version
    expected = python_figure(scenario, after)
    assert expected != pytest.approx(python_figure(scenario, before), abs=1e-9), "pick a drag target that changes coverage"
    assert page.evaluate("() => gp.S.view.figures[0].actual") == pytest.approx(expected, abs=1e-6)
    assert float(first_figure(page).rstrip(" %")) == pytest.approx(expected * 100, abs=0.051)
    assert tab.errors == []


def test_popup_renames_and_sets_capacity(open_tab, app_url, scenario):
    """A click on a placed station opens its form; the new name and capacity show in the station's
    record, in the loads table and in its popup when opened again."""
    tab = open_tab(app_url)
    page = tab.page
    (lon, lat), = road_points(scenario, 1, visible_box(page), seed=2)
    sid = place(page, lon, lat)
    symbol = page.locator(f'.gp-station[data-id="{sid}"]')

    symbol.click()
    page.locator(".leaflet-popup .gp-name").fill("青口东中转站")
    page.locator(".leaflet-popup .gp-capacity").fill("80")
    page.locator(".leaflet-popup .gp-apply").click()
    wait_idle(page)

    station = view_stations(page)[sid]
    assert (station["name"], station["capacity"]) == ("青口东中转站", 80)
    row = page.evaluate("""(sid) => { const tr = [...document.querySelectorAll('#load-table tr')]
        .find(r => r.cells[0] && r.cells[0].textContent === sid);
        return tr ? [tr.cells[0].title, tr.cells[1].textContent] : null; }""", sid)
    assert row == ["青口东中转站", "80"]
    assert symbol.get_attribute("title") == "青口东中转站", "the station's hover title keeps its old name"
    symbol.click()
    assert page.locator(".leaflet-popup b").first.inner_text() == "青口东中转站"
    assert tab.errors == []


def test_two_planners_at_once_keep_apart_and_adopting_asks(open_tab, tmp_path):
    """Two tabs place stations in turn: each has its own code and ids and sees only its own
    stations. A adopts its plan; when B then adopts, B is asked first — declining keeps A's plan
    and saves B's work as an alternative."""
    folder = write_demo_scenario(tmp_path / "demo")
    scenario = load_scenario(folder)
    with served_app(folder, tmp_path / "app.log", timeout_s=120) as url:
        a, b = open_tab(url), open_tab(url)
        code_a, code_b = session_code(a.page), session_code(b.page)
        assert code_a != code_b
        points = road_points(scenario, 4, visible_box(a.page), seed=3)
        ids = {code_a: [], code_b: []}
        for i, (lon, lat) in enumerate(points):
            tab = (a, b)[i % 2]
            ids[session_code(tab.page)].append(place(tab.page, lon, lat))
        assert ids[code_a] == [f"{code_a}-01", f"{code_a}-02"]
        assert ids[code_b] == [f"{code_b}-01", f"{code_b}-02"]
        for tab, mine, theirs in ((a, ids[code_a], ids[code_b]), (b, ids[code_b], ids[code_a])):
            assert placed_ids(tab.page) == mine
            assert not set(theirs) & set(view_stations(tab.page)) and not set(theirs) & set(station_ids(tab.page))

        a.page.fill("#save-name", "plan-a")
        a.page.click("#save-adopt")
        wait_message(a.page, "and adopted", error=False)
        plan = folder / "output" / "planned_sites.gpkg"
        assert layer_ids(plan) == ids[code_a]

        dialogs: list[str] = []
        b.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        b.page.fill("#save-name", "plan-b")
        b.page.click("#save-adopt")
        wait_message(b.page, "not adopted", error=True)
        assert len(dialogs) == 1 and "the plan was changed" in dialogs[0]
        # declining keeps B's work as an alternative and leaves A's plan in force
        wait_message(b.page, "saved as alternative plan-b", error=False)
        assert layer_ids(folder / "output" / "plans" / "plan-b" / "planned_sites.gpkg") == ids[code_b]
        assert layer_ids(plan) == ids[code_a]
        assert len(dialogs) == 1
        assert a.errors == [] and b.errors == []


def test_downloads_and_export_never_replaces(open_tab, app_url, scenario, demo_folder, tmp_path):
    """The planner downloads the stations (GeoPackage) and the map (HTML); exporting under a name
    writes output/exports/<name>.gpkg once — a second export under that name is refused."""
    tab = open_tab(app_url)
    page = tab.page
    (lon0, lat0), (lon1, lat1) = road_points(scenario, 2, visible_box(page), seed=4)
    first = place(page, lon0, lat0)

    with page.expect_download() as info:
        page.click("#dl-gpkg")
    got = tmp_path / info.value.suggested_filename
    info.value.save_as(got)
    assert got.suffix == ".gpkg"
    frame = gpd.read_file(got, layer=KIND)
    assert frame["id"].tolist() == [first] and frame["status"].tolist() == ["planned"]

    with page.expect_download() as info:
        page.click("#dl-html")
    html = tmp_path / info.value.suggested_filename
    info.value.save_as(html)
    assert html.suffix == ".html"
    assert scenario.name in html.read_text(encoding="utf-8")

    page.fill("#export-name", "e2e-export")
    page.click("#export")
    wait_message(page, "exported e2e-export.gpkg", error=False)
    exported = demo_folder / "output" / "exports" / "e2e-export.gpkg"
    kept = exported.read_bytes()
    assert layer_ids(exported) == [first]

    place(page, lon1, lat1)
    page.click("#export")
    assert "exists" in wait_message(page, "e2e-export.gpkg exists", error=True)
    assert exported.read_bytes() == kept and layer_ids(exported) == [first]
    assert tab.errors == []


def test_offline_by_default_and_a_dead_basemap_does_not_stop_the_page(open_tab, app_url, scenario):
    """With no basemap the page makes no request off this computer; with OpenStreetMap chosen and
    the internet cut off, tiles are asked for and fail, yet a click still places a station."""
    tab = open_tab(app_url)
    page = tab.page
    (lon0, lat0), (lon1, lat1) = road_points(scenario, 2, visible_box(page), seed=5)
    assert page.input_value("#basemap") == "none"
    first = place(page, lon0, lat0)
    assert tab.off_machine == []

    page.select_option("#basemap", "osm")
    page.wait_for_function("() => gp.S.tiles.length === 1", timeout=WAIT_MS)
    for _ in range(50):
        if tab.off_machine:
            break
        page.wait_for_timeout(200)
    hosts = {urlsplit(u).hostname for u in tab.off_machine}
    assert hosts == {"tile.openstreetmap.org"}
    second = place(page, lon1, lat1)
    assert placed_ids(page) == [first, second]
    assert tab.errors == []


def test_amap_shifts_drawing_to_gcj02_and_clicks_back_to_wgs84(open_tab, app_url, scenario, demo_folder):
    """On AMap tiles the stations are drawn at their GCJ-02 positions (a few hundred metres off
    WGS84), and a click on the AMap map places the station on the road under the click's true position."""
    tab = open_tab(app_url)
    page = tab.page
    code = session_code(page)
    wgs = view_stations(page)["TS01"]["xy"]
    candidates = road_points(scenario, 6, visible_box(page), seed=6)

    page.select_option("#basemap", "amap")
    wait_message(page, "GCJ-02", error=False)
    assert page.evaluate("() => gp.S.gcj02") is True
    drawn = view_stations(page)["TS01"]["xy"]
    assert drawn == pytest.approx(to_gcj02(*wgs), abs=3e-6)
    assert 100 < metres_between(*wgs, *drawn) < 1500
    marker = page.evaluate("() => { const p = gp.markers.TS01.getLatLng(); return [p.lng, p.lat]; }")
    assert marker == pytest.approx(drawn, abs=1e-9)

    # a road node whose GCJ-02 position, read as WGS84, would snap to another node
    target = next(((lon, lat) for lon, lat in candidates
                   if node_of_click(scenario, *to_gcj02(lon, lat)) != node_of_click(scenario, lon, lat)), None)
    assert target is not None, "no click target where the GCJ-02 shift changes the road node"
    glon, glat = to_gcj02(*target)
    page.evaluate("([lon, lat]) => { map.setView([lat, lon], 16, {animate: false}); }", [glon, glat])
    sid = place(page, glon, glat)
    placed, = working_record(demo_folder, code)["placed"]
    assert placed["id"] == sid
    assert placed["node"] == node_of_click(scenario, *target)
    assert view_stations(page)[sid]["xy"] == pytest.approx(to_gcj02(placed["lon"], placed["lat"]), abs=3e-6)
    assert tab.errors == []


def test_measure_two_clicks_gives_the_distance_and_places_nothing(open_tab, app_url, scenario):
    """In measuring mode two clicks on the map show the straight distance between them; no station is placed."""
    tab = open_tab(app_url)
    page = tab.page
    points = road_points(scenario, 6, visible_box(page), seed=7)
    p, q = max(((p, q) for p in points for q in points), key=lambda pq: metres_between(*pq[0], *pq[1]))
    stations, version = station_ids(page), page.evaluate("() => gp.S.version")

    page.click("#mode-measure")
    click_lonlat(page, *p)
    click_lonlat(page, *q)
    page.wait_for_function("() => document.body.dataset.measured !== undefined", timeout=WAIT_MS)
    wait_idle(page)
    measured = float(page.evaluate("() => document.body.dataset.measured"))
    assert measured == pytest.approx(metres_between(*p, *q), rel=0.01)
    assert page.evaluate("() => [gp.S.seq, gp.S.version]") == [0, version]
    assert station_ids(page) == stations and placed_ids(page) == []
    assert tab.errors == []


def test_search_for_a_district_moves_the_map_there(open_tab, app_url, scenario):
    """Typing a district's name in the search box brings that district into the middle of the map."""
    tab = open_tab(app_url)
    page = tab.page
    start = shapely.Point(map_centre(page))
    districts = scenario.layers["districts"].to_crs(4326)
    # a district away from the map's centre whose outline holds the centre of its bounding box
    name, shape = next((n, g) for n, g in zip(districts["name"], districts.geometry)
                       if not g.contains(start) and g.contains(shapely.box(*g.bounds).centroid))

    page.fill("#search", name)
    page.dispatch_event("#search", "change")
    page.wait_for_function("([lon, lat]) => { const c = map.getCenter(); return c.lng !== lon || c.lat !== lat; }",
                           arg=[start.x, start.y], timeout=WAIT_MS)
    assert shape.contains(shapely.Point(map_centre(page))), f"the map did not move into {name}"
    assert tab.errors == []


def test_the_layer_switcher_hides_and_redraws_layers(open_tab, app_url):
    """Unticking a layer takes it off the map; ticking it again draws the same stations, still
    findable by id, and the roads and rivers come and go the same way."""
    tab = open_tab(app_url)
    page = tab.page
    before = sorted(station_ids(page))
    assert before
    for _ in range(2):
        page.uncheck("#show-stations")
        assert station_ids(page) == []
        page.check("#show-stations")
        assert sorted(station_ids(page)) == before
    for name in ("roads", "water", "districts"):
        page.uncheck(f"#show-{name}")
        assert page.evaluate(f"() => map.hasLayer(gp.G.{name})") is False
        page.check(f"#show-{name}")
        assert page.evaluate(f"() => map.hasLayer(gp.G.{name})") is True
    assert tab.errors == []


def test_mclp_suggestion_is_shown_and_accepted(open_tab, app_url):
    """Running the maximal-coverage model for one new site shows its suggestion; accepting it adds
    the suggested site as a placed station and clears the suggestion."""
    tab = open_tab(app_url)
    page = tab.page
    page.select_option("#model", "mclp")
    page.fill("#model-k", "1")
    page.fill("#model-limit", "20")
    page.click("#model-run")
    page.locator("#suggestion").wait_for(state="visible", timeout=WAIT_MS)
    wait_idle(page)
    assert "mclp" in page.inner_text("#suggestion")
    suggested = page.evaluate("() => gp.S.view.suggestion.stations.map(s => s.id)")
    assert len(suggested) == 1 and placed_ids(page) == []

    page.click("#accept")
    wait_idle(page)
    assert placed_ids(page) == suggested
    assert view_stations(page)[suggested[0]]["status"] == "planned" and suggested[0] in station_ids(page)
    assert page.locator("#suggestion").is_hidden()
    assert tab.errors == []
