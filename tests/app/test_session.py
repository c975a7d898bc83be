"""The siting session against independent recomputations on the demo county."""

from __future__ import annotations

import itertools
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import maps
from layers.errors import GeoplanError
from geoplan.app import ServiceStandard, SitingSession, output_path, safe_file_name
from geoplan.app.map_view import MapView
from geoplan.app.session import APP_KINDS
from geoplan.app.upload import check_upload
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.indicators.coverage import kind_coverage
from geoplan.indicators.report import PLANNED_SITES_FILE
from geoplan.planning import alternatives
from geoplan.scenario import load_scenario
from geoplan.standards import SERVICE_PROFILES


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = write_demo_scenario(tmp_path_factory.mktemp("app") / "demo")
    return load_scenario(folder)


@pytest.fixture
def session(scenario):
    shutil.rmtree(scenario.output_dir, ignore_errors=True)
    return SitingSession(scenario, "transfer_stations")


def _inside_points(scenario, n: int = 6) -> list[tuple[float, float]]:
    """Points well inside the districts (WGS84), one per district."""
    d = scenario.layers["districts"]
    pts = d.geometry.representative_point().iloc[:n]
    lonlat = gpd.GeoSeries(pts, crs=d.crs).to_crs(4326)
    return [(p.x, p.y) for p in lonlat]


class _OneStandard:
    """A standards table that answers every question with one standard (the session's)."""

    def __init__(self, std: ServiceStandard) -> None:
        self.std = std

    def service(self, kind: str, key: str) -> ServiceStandard:
        return self.std


def _report_reading(session: SitingSession, std: ServiceStandard | None = None):
    """The kind's indicators and loads recomputed by the indicator module (kind_coverage), as the report reads them."""
    sc = session.scenario
    targets = [t for t in sc.targets.values() if t.facility_kind == session.kind]
    facilities = gpd.GeoDataFrame(pd.concat([session.existing, session.plan_layer()], ignore_index=True),
                                  geometry="geometry", crs=sc.metric_epsg)
    demand = {t.demand_kind: sc.layers[t.demand_kind] for t in targets}
    return kind_coverage(sc.road_network, targets, _OneStandard(std) if std else sc.standards, demand, facilities,
                         sc.quantities)


def _expected(session: SitingSession, key: str, std: ServiceStandard) -> float:
    """Coverage of one indicator recomputed with the indicator module."""
    return _report_reading(session, std if session.standard is not None else None).indicators[key].actual


def _check_all(session: SitingSession) -> list[float]:
    got = session.coverage()
    for fig in got:
        assert fig.actual == pytest.approx(_expected(session, fig.key, fig.standard), abs=1e-12), fig.key
    return [f.actual for f in got]


def test_place_move_remove_undo_match_indicator_module(session, scenario):
    a, b, c = _inside_points(scenario)[:3]
    base = _check_all(session)
    s1 = session.place(*a)
    after_one = _check_all(session)
    assert after_one[0] > base[0]  # a station in a district's middle covers some households
    assert [f.actual for f in session.baseline_coverage()] == base
    assert [p.id for p in session.placed] == [s1.id]
    assert s1.node >= 0 and s1.moved_m <= session.max_snap_m
    s2 = session.place(*b)
    _check_all(session)
    session.move(s1.id, *c)
    assert [p.id for p in session.placed] == [s1.id, s2.id]
    moved = _check_all(session)
    session.remove(s2.id)
    _check_all(session)
    assert session.undo() == f"remove {s2.id}"
    assert [f.actual for f in session.coverage()] == moved
    session.undo()
    session.undo()
    assert [f.actual for f in session.coverage()] == after_one
    session.undo()
    assert session.placed == [] and [f.actual for f in session.coverage()] == base
    assert session.undo() is None


def test_redo_rename_and_capacity_are_edits_with_undo(session, scenario):
    a, b = _inside_points(scenario)[:2]
    s1 = session.place(*a)
    assert session.undo() == f"place {s1.id}" and session.can_redo
    assert session.redo() == f"place {s1.id}" and [p.id for p in session.placed] == [s1.id]
    assert session.redo() is None
    session.rename(s1.id, "  东关 中转站 ")
    session.set_capacity(s1.id, 150)
    assert (session.placed[0].name, session.placed[0].capacity) == ("东关 中转站", 150.0)
    assert session.loads().set_index("id").loc[s1.id, "capacity"] == 150.0
    assert session.coverage() == [f for f in session.coverage()]
    assert session.undo() == f"capacity {s1.id}" and session.placed[0].capacity == 50.0
    assert session.undo() == f"rename {s1.id}" and session.placed[0].name == s1.name
    session.redo()
    session.place(*b)  # a new edit forgets what could be redone
    assert not session.can_redo
    for bad in (0, -3, float("nan"), "x", 1e9):
        with pytest.raises(GeoplanError, match="capacity"):
            session.set_capacity(s1.id, bad)
    with pytest.raises(GeoplanError, match="1–60 characters"):
        session.rename(s1.id, "   ")
    with pytest.raises(GeoplanError, match="no placed station"):
        session.rename("TS01", "x")
    from geoplan.app.session import MAX_UNDO_STEPS
    for i in range(MAX_UNDO_STEPS + 20):
        session.rename(s1.id, f"n{i}")
    undone = 0
    while session.undo() is not None:
        undone += 1
    assert undone == MAX_UNDO_STEPS  # the history is bounded


def test_p_median_suggestion_equals_brute_force(session, scenario):
    """One new site that least raises the weighted door-to-door metres, existing stations fixed."""
    sug = session.suggest(1, time_limit_s=30, model="p-median")
    assert sug.status == "optimal" and sug.model == "p-median" and len(sug.stations) == 1
    sites = session.site_table()
    demand = APP_KINDS["transfer_stations"](scenario)
    cost = scenario.road_network.access_costs(demand.points, sites, SERVICE_PROFILES["transfer_stations"], "metres")
    fixed = (sites["status"] == "existing").to_numpy()
    best_fixed = cost[:, fixed].min(axis=1)
    totals = {sites["id"].iloc[j]: float(demand.weight @ np.minimum(best_fixed, cost[:, j]))
              for j in np.flatnonzero(~fixed)}
    best = min(totals.values())
    assert totals[sug.stations[0].id] == pytest.approx(best, rel=1e-9)


def test_time_standard_matches_indicator_module(session, scenario):
    session.set_standard(ServiceStandard(240.0, "s"))
    session.place(*_inside_points(scenario)[0])
    _check_all(session)
    session.set_standard(ServiceStandard(1500.0, "m"))
    _check_all(session)


def test_district_table_sums_to_totals(session, scenario):
    session.place(*_inside_points(scenario)[1])
    table = session.district_table()
    for fig in session.coverage():
        rows = table[table["indicator"] == fig.label.split(" / ")[0]]
        assert rows["units"].sum() == fig.units
        assert rows["covered_units"].sum() == fig.covered_units
        assert rows["covered_weight"].sum() / rows["weight"].sum() == pytest.approx(fig.actual)


def test_loads_are_the_reports(session, scenario):
    session.place(*_inside_points(scenario)[2])
    got = session.loads().set_index("id")
    want = _report_reading(session).loads.set_index("id")
    assert got.index.tolist() == want.index.tolist()
    np.testing.assert_allclose(got["load"], want["load"], atol=0.01)
    np.testing.assert_allclose(got["turned_away"], want["turned_away"], atol=0.01)
    assert (got["load"] <= got["capacity"] + 1e-6).all()
    assert got.loc[session.placed[0].id, "capacity"] == 50.0


def test_click_outside_the_county_is_refused(session, scenario):
    with pytest.raises(GeoplanError, match="outside"):
        session.place(100.0, 30.0)
    with pytest.raises(GeoplanError, match="longitude"):
        session.place(float("nan"), 30.0)
    assert session.placed == [] and not session.can_undo


def test_click_far_from_roads_is_refused(scenario):
    shutil.rmtree(scenario.output_dir, ignore_errors=True)
    d = scenario.layers["districts"]
    area = shapely.union_all(d.geometry.to_numpy())
    minx, miny, maxx, maxy = area.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, 60), np.linspace(miny, maxy, 60))
    xy = np.column_stack([xs.ravel(), ys.ravel()])
    xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
    road = scenario.road_network.snap(xy).road_distance_m
    far = xy[np.argmax(road)]
    limit = float(road.max()) / 2
    session = SitingSession(scenario, "transfer_stations", max_snap_m=limit)
    lon, lat = gpd.GeoSeries(gpd.points_from_xy([far[0]], [far[1]]), crs=scenario.metric_epsg).to_crs(4326).iloc[0].coords[0]
    with pytest.raises(GeoplanError, match="from the nearest road"):
        session.place(lon, lat)
    near = xy[np.argmin(road)]
    lon, lat = gpd.GeoSeries(gpd.points_from_xy([near[0]], [near[1]]), crs=scenario.metric_epsg).to_crs(4326).iloc[0].coords[0]
    session.place(lon, lat)
    with pytest.raises(GeoplanError, match="no placed station"):
        session.remove("TS01")


def _covered_weight(scenario, demand, sites: gpd.GeoDataFrame, standard: ServiceStandard) -> np.ndarray:
    """Brute-force helper: (n_site, n_demand) bool of 'within the standard' (door-to-door costs)."""
    cost = scenario.road_network.access_costs(demand.points, sites, SERVICE_PROFILES["transfer_stations"],
                                              standard.weight)
    return (cost <= standard.value).T


def _brute_force_best(scenario, sites: gpd.GeoDataFrame, standard: ServiceStandard, k: int) -> tuple[float, float]:
    """(best covered siting demand over every k-subset of candidates, the fixed sites' alone)."""
    demand = APP_KINDS["transfer_stations"](scenario)
    within = _covered_weight(scenario, demand, sites, standard)
    w = demand.weight
    fixed = within[(sites["status"] == "existing").to_numpy()].any(axis=0)
    cands = np.flatnonzero((sites["status"] == "candidate").to_numpy())
    best = max(w[fixed | within[list(c)].any(axis=0)].sum() for c in itertools.combinations(cands, k))
    return float(best), float(w[fixed].sum())


def _suggested_weight(scenario, sites, standard, sug) -> float:
    demand = APP_KINDS["transfer_stations"](scenario)
    within = _covered_weight(scenario, demand, sites, standard)
    fixed = within[(sites["status"] == "existing").to_numpy()].any(axis=0)
    chosen = [int(np.flatnonzero(sites["id"].to_numpy() == s.id)[0]) for s in sug.stations]
    return float(demand.weight[fixed | within[chosen].any(axis=0)].sum())


@pytest.mark.parametrize("standard", [ServiceStandard(2000.0, "m"), ServiceStandard(150.0, "s")],
                         ids=["distance", "travel-time"])
def test_suggest_equals_brute_force_with_placed_fixed(session, scenario, standard):
    placed = session.place(*_inside_points(scenario)[0])
    session.set_standard(standard)
    sug = session.suggest(2, time_limit_s=20)
    assert sug.status == "optimal" and len(sug.stations) == 2
    assert sug.standard == standard
    assert session.placed == [placed]  # nothing applied yet

    sites = session.site_table()
    assert placed.id in set(sites.loc[sites["status"] == "existing", "id"])
    best, fixed_only = _brute_force_best(scenario, sites, standard, 2)
    assert best > fixed_only  # the case is not trivial: two new sites do add coverage
    assert _suggested_weight(scenario, sites, standard, sug) == pytest.approx(best, rel=1e-9)
    assert sug.coverage_after > sug.coverage_before

    before = session.coverage()[0].actual
    session.accept(sug)
    assert [p.id for p in session.placed] == [placed.id] + [s.id for s in sug.stations]
    assert session.coverage()[0].actual >= before
    assert session.undo().startswith("accept")
    assert session.placed == [placed]


def test_suggest_under_travel_time_differs_from_distance_only_through_the_costs(session, scenario):
    """The time standard really sites on seconds: a 1-minute standard covers less than 2 km."""
    session.set_standard(ServiceStandard(60.0, "s"))
    short = session.suggest(1, time_limit_s=20)
    session.set_standard(ServiceStandard(2000.0, "m"))
    far = session.suggest(1, time_limit_s=20)
    assert short.coverage_before < far.coverage_before


def test_suggest_refuses_bad_input(session):
    with pytest.raises(GeoplanError, match="at least 1"):
        session.suggest(0)
    session.candidates = session.candidates.iloc[0:0]
    with pytest.raises(GeoplanError, match="no candidate sites"):
        session.suggest(1)


def _upload(scenario, frame: gpd.GeoDataFrame, kind: str, tmp_path, name: str = "upload.geojson"):
    path = tmp_path / name
    frame.to_crs(4326).to_file(path, driver="GeoJSON")
    return check_upload(scenario, path.read_bytes(), name, kind)


def test_uploaded_candidates_are_what_suggest_chooses_from(session, scenario, tmp_path):
    cands = scenario.layers["candidate_sites"]
    mine = cands[cands["facility_kind"] == "transfer_stations"].iloc[[1, 4, 7, 10]].copy()
    mine["id"] = [f"UP{i}" for i in range(len(mine))]
    other = cands[cands["facility_kind"] == "dropoff_points"].iloc[:2].copy()
    other["id"] = ["UPX0", "UPX1"]
    check = _upload(scenario, pd.concat([mine, other]), "candidate_sites", tmp_path, "新候选.geojson")
    assert check.errors == [] and check.layer is not None
    note = session.add_layer("candidate_sites", check.layer, "新候选.geojson")
    assert "4" in note and session.uploads == [note]

    standard = ServiceStandard(2500.0, "m")
    session.set_standard(standard)
    sug = session.suggest(2, time_limit_s=20)
    sites = session.site_table()
    assert sorted(sites.loc[sites["status"] == "candidate", "id"]) == ["UP0", "UP1", "UP2", "UP3"]
    assert {s.id for s in sug.stations} <= {"UP0", "UP1", "UP2", "UP3"} and sug.n_candidates == 4
    best, _ = _brute_force_best(scenario, sites, standard, 2)
    assert _suggested_weight(scenario, sites, standard, sug) == pytest.approx(best, rel=1e-9)
    # an accepted uploaded candidate is fixed afterwards and no longer offered
    session.accept(sug)
    left = session.site_table()
    assert set(left.loc[left["status"] == "candidate", "id"]) == {"UP0", "UP1", "UP2", "UP3"} - {s.id for s in sug.stations}


def test_uploaded_existing_stations_join_coverage(session, scenario, tmp_path):
    cands = scenario.layers["candidate_sites"]
    rows = cands[cands["facility_kind"] == "transfer_stations"].iloc[:3]
    stations = gpd.GeoDataFrame({"id": ["NEW1", "NEW2", "NEW3"], "name": ["甲", "乙", "丙"], "status": "existing",
                                 "capacity_t_per_d": [80.0, 80.0, 80.0]}, geometry=rows.geometry.to_numpy(),
                                crs=rows.crs)
    before = _check_all(session)
    check = _upload(scenario, stations, "transfer_stations", tmp_path)
    assert check.errors == []
    session.add_layer("transfer_stations", check.layer, "upload.geojson")
    assert {"NEW1", "NEW2", "NEW3"} <= set(session.existing["id"])
    after = _check_all(session)  # against coverage_indicator with the uploaded stations among the facilities
    assert after[0] > before[0]
    loads = session.loads().set_index("id")
    assert loads.loc["NEW1", "capacity"] == 80.0 and loads.loc[["NEW1", "NEW2", "NEW3"], "load"].sum() > 0
    with pytest.raises(GeoplanError, match="already used"):
        session.add_layer("transfer_stations", check.layer, "upload.geojson")


def test_invalid_or_foreign_uploads_are_not_added(session, scenario, tmp_path):
    stations = scenario.layers["transfer_stations"].copy()
    stations["id"] = [f"U{i}" for i in range(len(stations))]
    stations.loc[stations.index[2], "capacity_t_per_d"] = -5.0
    check = _upload(scenario, stations, "transfer_stations", tmp_path)
    assert check.layer is None
    bad = check.errors[0]
    assert bad.row_id == "U2" and bad.field == "capacity_t_per_d"
    good = _upload(scenario, scenario.layers["villages"], "villages", tmp_path, "v.geojson")
    with pytest.raises(GeoplanError, match="cannot be added"):
        session.add_layer("villages", good.layer, "v.geojson")
    cands = scenario.layers["candidate_sites"]
    film = _upload(scenario, cands[cands["facility_kind"] == "film_recycling_stations"], "candidate_sites",
                   tmp_path, "c.geojson")
    with pytest.raises(GeoplanError, match="facility_kind = transfer_stations"):
        session.add_layer("candidate_sites", film.layer, "c.geojson")


def test_saved_alternative_round_trips_once_adopted(session, scenario):
    s1 = session.place(*_inside_points(scenario)[3])
    before = (scenario.output_dir / PLANNED_SITES_FILE).read_bytes() if (scenario.output_dir / PLANNED_SITES_FILE).exists() else None
    folder = session.save_alternative()
    # saving never touches the plan: only adopting does
    now = (scenario.output_dir / PLANNED_SITES_FILE).read_bytes() if (scenario.output_dir / PLANNED_SITES_FILE).exists() else None
    assert now == before
    assert folder.parent == scenario.output_dir / "plans" and (folder / PLANNED_SITES_FILE).is_file()
    second = session.save_alternative()
    assert second != folder  # a second save is a new alternative, the first is kept
    alternatives.adopt(scenario, folder.name)
    again = SitingSession(scenario, "transfer_stations")
    assert [(p.id, p.node, p.origin) for p in again.placed] == [(s1.id, s1.node, "saved")]
    assert again.place(*_inside_points(scenario)[4]).id != s1.id
    html = maps.page_html(MapView(scenario).full_map(session.state()))
    assert "leaflet" in html.lower() and s1.id in html


@pytest.mark.parametrize("name", ["../../evil", "/etc/passwd", "..\\..\\win", "a/../../b", "C:\\temp\\x",
                                  ".hidden", "", "x\x00y", "..", "新站 方案/A"])
def test_browser_names_never_leave_the_output_folder(tmp_path, name):
    out = tmp_path / "scenario" / "output"
    out.mkdir(parents=True)
    path = output_path(out, name, ".gpkg")
    assert path.parent == out.resolve()
    stem = safe_file_name(name)
    assert "/" not in stem and "\\" not in stem and "." not in stem and "\x00" not in stem and stem
    assert safe_file_name("新站方案 A") == "新站方案_A"
    with pytest.raises(GeoplanError):
        output_path(out, "x", "/../../y")


def test_uploads_of_other_files_are_refused(scenario):
    with pytest.raises(GeoplanError, match="upload a"):
        check_upload(scenario, b"MZ", "tool.exe", "transfer_stations")
    bad = check_upload(scenario, b"not json", "x.geojson", "transfer_stations")
    assert bad.layer is None and bad.errors and "x.geojson" in str(bad.errors[0])
