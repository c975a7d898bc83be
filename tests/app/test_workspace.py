"""Sessions of many tabs on one app server, as plain Python: isolated, kept on disk, saved without overwriting."""

from __future__ import annotations

import gc
import json
import shutil
import threading
import weakref

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

import layers
from layers.errors import GeoplanError
from geoplan.app import PlanChanged, SessionGone, SitingSession, Workspace
from geoplan.app.page_view import changes
from geoplan.app.session import APP_KINDS
from geoplan.app.workspace import EXPORTS_FOLDER, SESSION_FILE, WORKING_FOLDER
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.indicators.report import PLANNED_SITES_FILE
from geoplan.planning import alternatives
from geoplan.scenario import load_scenario
from geoplan.standards import SERVICE_PROFILES

KIND = "transfer_stations"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(write_demo_scenario(tmp_path_factory.mktemp("ws") / "demo"))


@pytest.fixture
def workspace(scenario):
    shutil.rmtree(scenario.output_dir, ignore_errors=True)
    return Workspace(scenario)


def _points(scenario, n: int, seed: int = 0) -> list[tuple[float, float]]:
    """``n`` road nodes inside the districts, WGS84, at least 800 m apart."""
    net = scenario.road_network
    area = shapely.union_all(scenario.layers["districts"].geometry.to_numpy()).buffer(-500)
    inside = np.flatnonzero(shapely.contains_xy(area, net.node_xy[:, 0], net.node_xy[:, 1]))
    chosen: list[int] = []
    for node in np.random.default_rng(seed).permutation(inside):
        if all(np.hypot(*(net.node_xy[node] - net.node_xy[c])) > 800 for c in chosen):
            chosen.append(int(node))
            if len(chosen) == n:
                break
    lonlat = gpd.GeoSeries(gpd.points_from_xy(*net.node_xy[chosen].T), crs=net.crs).to_crs(4326)
    return [(p.x, p.y) for p in lonlat]


def _place(ws, token, points, start_seq=0):
    return ws.edit(token, [{"op": "place", "lon": x, "lat": y, "seq": start_seq + i} for i, (x, y) in enumerate(points)])


def _placed_ids(ws, token) -> list[str]:
    return [p.id for p in ws.get(token).session.placed]


def test_two_sessions_have_their_own_codes_ids_and_stations(workspace, scenario):
    a = workspace.open(KIND)
    b = workspace.open(KIND)
    assert a["code"] != b["code"] and a["token"] != b["token"]
    pts = _points(scenario, 6)
    for i, p in enumerate(pts):
        _place(workspace, (a if i % 2 == 0 else b)["token"], [p], i)
    ids_a, ids_b = _placed_ids(workspace, a["token"]), _placed_ids(workspace, b["token"])
    assert ids_a == [f"{a['code']}-01", f"{a['code']}-02", f"{a['code']}-03"]
    assert ids_b == [f"{b['code']}-01", f"{b['code']}-02", f"{b['code']}-03"]
    editable_a = {sid for sid, s in workspace.view(a["token"])["stations"].items() if s["editable"]}
    assert editable_a == set(ids_a)  # B's stations are not in A's plan


def test_codes_are_taken_on_disk_so_a_second_server_never_reuses_one(workspace, scenario):
    first = workspace.open(KIND)["code"]
    other_server = Workspace(scenario)
    assert other_server.open(KIND)["code"] != first


def test_edits_apply_in_order_and_a_bad_one_is_named_by_its_seq(workspace, scenario):
    token = workspace.open(KIND)["token"]
    pts = _points(scenario, 3)
    edits = [{"op": "place", "lon": pts[0][0], "lat": pts[0][1], "seq": 1},
             {"op": "place", "lon": 0.0, "lat": 0.0, "seq": 2},  # far outside the county
             {"op": "place", "lon": pts[1][0], "lat": pts[1][1], "seq": 3},
             {"op": "undo", "seq": 4},
             {"op": "place", "lon": pts[2][0], "lat": pts[2][1], "seq": 5}]
    out = workspace.edit(token, edits)
    errors = [m["seq"] for m in out["messages"] if "error" in m]
    assert errors == [2] and "规划范围外" in out["messages"][1]["error"]
    assert [m["seq"] for m in out["messages"]] == [1, 2, 3, 4, 5]
    session = workspace.get(token).session
    assert [p.id for p in session.placed] == [session.placed[0].id, session.placed[1].id]
    assert session.placed[1].id.endswith("-03")  # the undone -02 is never handed out again


def test_racing_threads_lose_no_placement(workspace, scenario):
    """Many requests at once (a planner clicking fast with a slow network) are all applied."""
    token = workspace.open(KIND)["token"]
    pts = _points(scenario, 40, seed=3)
    threads = [threading.Thread(target=_place, args=(workspace, token, [p], i)) for i, p in enumerate(pts)]
    readers = [threading.Thread(target=workspace.view, args=(token,)) for _ in range(10)]
    for t in threads + readers:
        t.start()
    for t in threads + readers:
        t.join()
    session = workspace.get(token).session
    assert len(session.placed) == len(pts)
    assert sorted(p.id for p in session.placed) == [f"{session.id_prefix}-{i:02d}" for i in range(1, len(pts) + 1)]
    direct = SitingSession(scenario, KIND)
    for p in session.placed:
        direct.place(p.lon, p.lat)
    assert session.coverage()[0].actual == pytest.approx(direct.coverage()[0].actual, abs=1e-12)


def test_deltas_rebuild_the_full_view(workspace, scenario):
    """Applying every delta to what the page had gives the view the server would send whole."""
    opened = workspace.open(KIND)
    token = opened["token"]
    page = {k: opened[k] for k in ("stations", "covered", "figures", "districts")}
    pts = _points(scenario, 4, seed=5)
    steps = [[{"op": "place", "lon": x, "lat": y}] for x, y in pts] + [[{"op": "undo"}], [{"op": "redo"}],
                                                                       [{"op": "standard", "value": 1200, "unit": "m"}]]
    for edits in steps:
        delta = workspace.edit(token, edits)
        assert not delta["full"]
        for sid in delta["removed"]:
            page["stations"].pop(sid)
        page["stations"].update(delta["stations"])
        for kind, flags in delta["covered"].items():
            bits = list(page["covered"][kind])
            for i in flags["flip"]:
                bits[i] = "1" if bits[i] == "0" else "0"
            page["covered"][kind] = "".join(bits)
        page["figures"], page["districts"] = delta["figures"], delta["districts"]
        whole = workspace.view(token)
        assert page["stations"] == whole["stations"]
        assert page["covered"] == whole["covered"]
        assert page["figures"] == whole["figures"]
    # the standard changed: every station's area was sent again
    before = workspace.page.view(workspace.get(token).session.state(), None)
    workspace.get(token).session.set_standard(None)
    _, area_ids = changes(before, workspace.page.view(workspace.get(token).session.state(), None))
    assert sorted(area_ids) == sorted(before["areas"])


def test_an_edit_sends_what_changed_not_the_map(workspace, scenario):
    token = workspace.open(KIND)["token"]
    whole = json.dumps(workspace.view(token))
    delta = _place(workspace, token, _points(scenario, 1, seed=7))
    assert len(delta["areas"]) == 1 and len(delta["stations"]) >= 1
    assert len(json.dumps(delta)) < len(whole) / 3


def test_work_is_kept_on_disk_and_taken_up_again(workspace, scenario):
    opened = workspace.open(KIND)
    token, code = opened["token"], opened["code"]
    pts = _points(scenario, 2, seed=9)
    _place(workspace, token, pts)
    workspace.edit(token, [{"op": "rename", "id": f"{code}-01", "name": "东站"},
                           {"op": "capacity", "id": f"{code}-02", "capacity": 120}])
    record = json.loads((alternatives.plans_dir(scenario) / WORKING_FOLDER / code / SESSION_FILE).read_text("utf-8"))
    assert [p["id"] for p in record["placed"]] == [f"{code}-01", f"{code}-02"]
    assert record["placed"][0]["name"] == "东站" and record["placed"][1]["capacity"] == 120
    workspace.close(token)
    with pytest.raises(SessionGone):
        workspace.view(token)
    # a restarted server offers it, and takes it up with the same stations and ids
    again = Workspace(scenario)
    assert [w["code"] for w in again.resumable()] == [code]
    back = again.open(KIND, resume=code)
    assert back["code"] == code
    assert [p.id for p in again.get(back["token"]).session.placed] == [f"{code}-01", f"{code}-02"]
    _place(again, back["token"], _points(scenario, 1, seed=11))
    assert _placed_ids(again, back["token"])[-1] == f"{code}-03"
    with pytest.raises(GeoplanError, match="open in another tab"):
        again.open(KIND, resume=code)


def test_saving_never_overwrites_and_adopting_over_a_changed_plan_asks(workspace, scenario):
    a = workspace.open(KIND)
    b = workspace.open(KIND)
    _place(workspace, a["token"], _points(scenario, 3, seed=13))
    _place(workspace, b["token"], _points(scenario, 1, seed=17))
    saved_a = workspace.save(a["token"], name="方案A", adopt=True)
    plan = scenario.output_dir / PLANNED_SITES_FILE
    a_ids = sorted(layers.read_layer(plan, KIND, layer=KIND)["id"])
    assert saved_a["adopted"] and len(a_ids) == 3
    with pytest.raises(GeoplanError, match="exists and is kept"):
        workspace.save(b["token"], name="方案A")
    with pytest.raises(PlanChanged, match="changed after this session began"):
        workspace.save(b["token"], name="方案B", adopt=True)
    # nothing was written by the refused adopt: A's plan is in force, no alternative 方案B
    assert sorted(layers.read_layer(plan, KIND, layer=KIND)["id"]) == a_ids
    assert "方案B" not in alternatives.list_names(scenario)
    # B saves as an alternative only: the plan stays A's
    workspace.save(b["token"], name="方案B")
    assert sorted(layers.read_layer(plan, KIND, layer=KIND)["id"]) == a_ids
    # B confirms: its plan is adopted, A's stays kept as its alternative
    workspace.save(b["token"], name="方案B2", adopt=True, force=True)
    assert alternatives.adopted_name(scenario) == "方案B2"
    kept = alternatives.alternative_dir(scenario, "方案A") / PLANNED_SITES_FILE
    assert sorted(layers.read_layer(kept, KIND, layer=KIND)["id"]) == a_ids


def test_exports_never_replace_a_file_or_the_plan(workspace, scenario):
    token = workspace.open(KIND)["token"]
    with pytest.raises(GeoplanError, match="no planned stations"):
        workspace.export(token, "gpkg", "first")
    _place(workspace, token, _points(scenario, 2, seed=19))
    path = workspace.export(token, "gpkg", "planned_sites")
    assert path.parent == (scenario.output_dir / EXPORTS_FOLDER).resolve()
    assert not (scenario.output_dir / PLANNED_SITES_FILE).exists()  # the plan is not an export's to write
    first = path.read_bytes()
    _place(workspace, token, _points(scenario, 1, seed=23), 5)
    with pytest.raises(PlanChanged, match="exists .* and is kept"):
        workspace.export(token, "gpkg", "planned_sites")
    assert path.read_bytes() == first
    outside = workspace.export(token, "geojson", "../../../outside")
    assert outside.parent == path.parent and not (scenario.folder.parent / "outside.geojson").exists()
    back = layers.read_layer(outside, KIND, to_crs=scenario.metric_epsg)
    assert back["id"].tolist() == _placed_ids(workspace, token) and (back["status"] == "planned").all()


def test_downloads_are_made_in_memory(workspace, scenario, tmp_path):
    token = workspace.open(KIND)["token"]
    _place(workspace, token, _points(scenario, 2, seed=29))
    data, name, media = workspace.download(token, "gpkg")
    (tmp_path / name).write_bytes(data)
    back = pyogrio.read_dataframe(tmp_path / name, layer=KIND)
    assert back["id"].tolist() == _placed_ids(workspace, token) and media.startswith("application/geopackage")
    html, name, _ = workspace.download(token, "html")
    assert name.endswith(".html") and scenario.name in html.decode("utf-8")
    assert not (scenario.output_dir / EXPORTS_FOLDER).exists()


def test_a_closed_or_idle_session_releases_its_memory(scenario):
    shutil.rmtree(scenario.output_dir, ignore_errors=True)
    now = [0.0]
    ws = Workspace(scenario, max_sessions=2, idle_timeout_s=60, clock=lambda: now[0])
    a, b = ws.open(KIND), ws.open(KIND)
    with pytest.raises(GeoplanError, match="2 sessions are open"):
        ws.open(KIND)
    held = weakref.ref(ws.get(a["token"]).session)
    ws.close(a["token"])
    gc.collect()
    assert held() is None
    now[0] = 50.0
    c = ws.open(KIND)  # opened at 50 s
    idle = weakref.ref(ws.get(b["token"]).session)
    now[0] = 100.0
    assert ws.sweep() == []
    ws.get(b["token"])  # b's page is heard from at 100 s
    now[0] = 125.0
    assert ws.sweep() == [c["code"]]  # c: 75 s without a word; b: 25 s
    now[0] = 170.0
    assert ws.sweep() == [b["code"]]
    gc.collect()
    assert idle() is None and ws.open_codes == []
    # the page area cache is bounded whatever the sessions did
    from geoplan.app.page_view import MAX_CACHED_AREAS
    assert 0 < ws.page.cached_areas <= MAX_CACHED_AREAS


def test_clicks_on_amap_tiles_are_taken_back_to_wgs84(workspace, scenario):
    token = workspace.open(KIND, gcj02=True)["token"]
    lon, lat = _points(scenario, 1, seed=31)[0]
    glon, glat = layers.wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    delta = workspace.edit(token, [{"op": "place", "lon": float(glon[0]), "lat": float(glat[0])}])
    placed = workspace.get(token).session.placed[0]
    assert abs(placed.lon - lon) < 2e-5 and abs(placed.lat - lat) < 2e-5  # the same road node
    drawn = delta["stations"][placed.id]["xy"]
    assert abs(drawn[0] - glon[0]) < 2e-5 and abs(drawn[1] - glat[0]) < 2e-5  # drawn shifted, on the AMap street


def test_bad_edits_and_standards_are_messages(workspace):
    token = workspace.open(KIND)["token"]
    out = workspace.edit(token, [{"op": "fly"}, {"op": "standard", "value": -5, "unit": "m"},
                                 {"op": "capacity", "id": "nope", "capacity": 5}, {"op": "accept"}])
    assert [("error" in m) for m in out["messages"]] == [True, True, True, True]
    assert "unknown edit" in out["messages"][0]["error"] and "above 0" in out["messages"][1]["error"]
    with pytest.raises(GeoplanError, match="at most"):
        workspace.edit(token, [{"op": "undo"}] * 500)
    with pytest.raises(GeoplanError, match="the app sites"):
        workspace.open("sorting_centers")


def test_every_siting_model_runs_from_the_page(workspace, scenario):
    """LSCP covers every demand point some site reaches (checked against the road costs), the others choose k."""
    from geoplan.siting.models import MODELS

    token = workspace.open(KIND)["token"]
    session = workspace.get(token).session
    for model in MODELS:
        out = workspace.suggest(token, model, None if model in ("lscp", "cflp") else 2, 30)
        sug = out["suggestion"]
        assert sug["model"] == model and sug["status"] == "optimal", (model, out["messages"])
        assert sug["stations"] and (len(sug["stations"]) == 2 or model in ("lscp", "cflp"))
    lscp = session.suggest(None, 30, model="lscp")
    sites = session.site_table()
    table = APP_KINDS[KIND](scenario)
    cost = scenario.road_network.access_costs(table.points, sites, SERVICE_PROFILES[KIND], "metres")
    std = session.suggestion_standard().value
    reachable = (cost <= std).any(axis=1)
    chosen = (sites["status"] == "existing").to_numpy() | sites["id"].isin([s.id for s in lscp.stations]).to_numpy()
    covered = (cost[:, chosen] <= std).any(axis=1)
    assert (covered | ~reachable).all() and (~reachable).sum() > 0
    assert lscp.notes and f"{int((~reachable & (table.weight > 0)).sum())} 个需求点" in lscp.notes[0]


def test_plan_to_targets_from_the_page_is_kept_as_an_alternative(workspace, scenario):
    opened = workspace.open(KIND)
    out = workspace.suggest(opened["token"], "plan", None, 120)
    name = f"{opened['code']}-plan"
    assert name in alternatives.list_names(scenario)
    plan = alternatives.alternative_dir(scenario, name) / PLANNED_SITES_FILE
    planned = sorted(layers.read_layer(plan, KIND, layer=KIND)["id"].astype(str))
    assert sorted(s["id"] for s in out["suggestion"]["stations"]) == planned
    assert not (scenario.output_dir / PLANNED_SITES_FILE).exists()  # suggested, not adopted
    workspace.edit(opened["token"], [{"op": "accept"}])
    assert sorted(_placed_ids(workspace, opened["token"])) == planned


def test_an_uploaded_layer_is_checked_then_added(workspace, scenario, tmp_path):
    token = workspace.open(KIND)["token"]
    cands = scenario.layers["candidate_sites"]
    mine = cands[cands["facility_kind"] == KIND].iloc[:3].copy()
    mine["id"] = ["UP1", "UP2", "UP3"]
    path = tmp_path / "sites.geojson"
    mine.to_crs(4326).to_file(path, driver="GeoJSON")
    out = workspace.upload(token, "candidate_sites", path.read_bytes(), "我的候选.geojson")
    assert "3 from 我的候选.geojson" in out["messages"][0]["ok"]
    assert sorted(f["properties"]["id"] for f in out["candidates"]["features"]) == ["UP1", "UP2", "UP3"]
    broken = mine.copy()
    broken.loc[broken.index[0], "facility_kind"] = "rockets"
    path.unlink()
    broken.to_crs(4326).to_file(path, driver="GeoJSON")
    out = workspace.upload(token, "candidate_sites", path.read_bytes(), "bad.geojson")
    assert "error" in out["messages"][0] and any("UP1" in i["text"] for i in out["issues"])
    assert len(workspace.get(token).session.candidates) == 3  # the broken file added nothing


def test_lines_join_each_demand_point_to_its_nearest_station(workspace, scenario):
    token = workspace.open(KIND)["token"]
    _place(workspace, token, _points(scenario, 2, seed=37))
    lines = workspace.lines(token)
    state = workspace.get(token).session.state()
    where = {sid: s["xy"] for sid, s in workspace.view(token)["stations"].items()}
    expected = []
    for frame in state.demand.values():
        xy = frame.geometry.to_crs(4326)
        expected += [[round(p.x, 5), round(p.y, 5), *where[sid]] for p, sid in zip(xy, frame["nearest_facility_id"])
                     if sid is not None]
    assert lines == expected and len(lines) > 100


def test_districts_can_be_coloured_by_another_kinds_target(workspace, scenario):
    key = next(k for k, t in scenario.targets.items() if t.facility_kind == "film_recycling_stations")
    rates = workspace.district_rates(key)
    table = SitingSession(scenario, "film_recycling_stations").district_table()
    short = scenario.targets[key].label.split(" / ")[0]
    rows = table[table["indicator"] == short]
    assert rates == {d: round(float(r), 4) for d, r in zip(rows["district"], rows["coverage_rate"])}
    assert set(rates) <= set(scenario.layers["districts"]["name"]) | {"（区外）/ outside"}
    with pytest.raises(GeoplanError, match="no target"):
        workspace.district_rates("nope")
