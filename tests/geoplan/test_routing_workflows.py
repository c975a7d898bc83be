"""Routing workflows on the demo county: collection, film and muck, end to end on real solves."""

from __future__ import annotations

import copy
import dataclasses
import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from shapely.geometry import Point

import layers
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.routing import assign_muck, pack_trips, run_routing
from geoplan.clock import parse_hours
from geoplan.quantities import KITCHEN
from geoplan.scenario import load_scenario
from layers.errors import GeoplanError
from optimizers.routing import check_feasibility

TIME_LIMIT_S = 8.0


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = write_demo_scenario(tmp_path_factory.mktemp("routing") / "demo")
    return load_scenario(folder)


def _variant(scenario, tmp_path, name="variant", toml_extra: str = "", **layers):
    """A copy of the scenario with some layers replaced in memory (sharing the road network) and
    ``toml_extra`` added to its scenario.toml (read as any scenario.toml is)."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "scenario.toml").write_text((scenario.folder / "scenario.toml").read_text(encoding="utf-8")
                                          + "\n" + toml_extra, encoding="utf-8")
    other = copy.copy(load_scenario(folder))
    other.__dict__["layers"] = {**scenario.layers, **layers}
    other.__dict__["road_network"] = scenario.road_network
    return other


@pytest.fixture(scope="module")
def collection(scenario):
    return run_routing(scenario, "collection", time_limit_s=TIME_LIMIT_S)


@pytest.fixture(scope="module")
def film(scenario):
    return run_routing(scenario, "film", time_limit_s=TIME_LIMIT_S, iteration_limit=300)


@pytest.fixture(scope="module")
def muck(scenario):
    return run_routing(scenario, "muck", time_limit_s=TIME_LIMIT_S)


@pytest.fixture(scope="module")
def outcomes(collection, film, muck):
    return {"collection": collection, "film": film, "muck": muck}


@pytest.mark.parametrize("workflow", ["collection", "film", "muck"])
def test_result_passes_the_independent_check(outcomes, workflow):
    out = outcomes[workflow]
    assert out.result.feasible
    assert check_feasibility(out.prepared.problem, out.result) == []
    assert out.feasibility == []
    assert len(out.routes) == len(out.result.routes) > 0
    served = {j for r in out.result.routes for j in r.job_ids}
    assert len(served) + len(out.result.unserved) == len(out.prepared.problem.jobs)
    assert all(u.reason for u in out.result.unserved)


@pytest.mark.parametrize("workflow", ["collection", "film", "muck"])
def test_route_lines_follow_the_roads(outcomes, workflow):
    out = outcomes[workflow]
    nodes = out.prepared.locations.nodes
    for (_, row), path, route in zip(out.routes.iterrows(), out.road_paths, out.result.routes):
        assert row.geometry.length / 1000.0 == pytest.approx(row["km"], rel=0.01, abs=0.01)
        assert path.nodes[0] == nodes[route.stops[0].location]
        assert path.nodes[-1] == nodes[route.stops[-1].location]
        # Every stop's node is passed through, in order.
        position = 0
        for stop in route.stops:
            position = path.nodes.index(nodes[stop.location], position)


def test_collection_keeps_fractions_apart(scenario, collection):
    plants = scenario.layers["treatment_plants"]
    stations = scenario.layers["transfer_stations"]
    accepts = {str(i): set(str(f).split(",")) for i, f in zip(stations["id"], stations["fractions"])}
    accepts |= {str(i): set(str(f).split(",")) for i, f in zip(plants["id"], plants["fractions"])}
    kitchen_plants = set(plants.loc[plants["plant_type"] == "kitchen_waste", "id"].astype(str))
    jobs = {j.id: j for j in collection.prepared.problem.jobs}
    kitchen_routes = 0
    for route in collection.result.routes:
        fractions = {f for jid in route.job_ids for f in jobs[jid].fractions}
        assert len(fractions) == 1, "a truck mixed fractions"
        fraction = fractions.pop()
        tips = [s.place_id for s in route.stops[1:] if s.kind != "job"]
        assert tips and all(fraction in accepts[t] for t in tips)
        if fraction == KITCHEN:
            kitchen_routes += 1
            assert set(tips) <= kitchen_plants
    assert kitchen_routes > 0
    # Every community contributes one pick-up per fraction.
    assert len(jobs) == 3 * len(scenario.layers["residential_communities"])


def test_muck_routes_avoid_barred_roads(scenario, muck):
    net = muck.prepared.network  # the scenario's network, cut where the sites meet their roads
    usable = net.usable_edges("muck_truck")
    allowed = set(zip(net.edge_u[usable].tolist(), net.edge_v[usable].tolist()))
    zone = scenario.layers["restricted_zones"].geometry.union_all()
    for path, geom in zip(muck.road_paths, muck.routes.geometry):
        assert all((a, b) in allowed for a, b in zip(path.nodes, path.nodes[1:]))
        assert not geom.intersects(zone.buffer(-1.0))
    # The ban costs muck trucks distance: some site-to-disposal trip is longer than a compression truck's.
    trucks = net.travel_costs(np.array(muck.prepared.locations.nodes), np.array(muck.prepared.locations.nodes),
                              profile="compression_truck").metres
    assert (muck.prepared.problem.matrices["muck_truck"].distance_m > trucks + 1.0).any()


def test_muck_trucks_at_least_the_lower_bound(muck):
    lower = muck.prepared.details["trucks_lower_bound"]
    assert lower >= 1
    assert len(muck.routes) >= lower
    for route in muck.result.routes:
        assert route.stops[0].departure_s >= parse_hours("22:00-06:00", where="t")[0] - 1e-6
        assert route.stops[-1].arrival_s <= parse_hours("22:00-06:00", where="t")[1] + 1e-6


def test_pack_trips_lower_bound_by_brute_force(muck):
    """On a few trips the FFD packing is compared with every assignment of trips to trucks."""
    problem = muck.prepared.problem
    members = [j for j, job in enumerate(problem.jobs) if job.vehicle_types == (problem.vehicle_types[0].id,)][:7]
    packing = pack_trips(problem, 0, members)
    vt = problem.vehicle_types[0]
    dur = problem.matrices[vt.profile].duration_s
    sink = problem.place(vt.end_id)
    depot = problem.depot(vt.depot)
    window = min(vt.shift_end_s, sink.close_s) - max(vt.shift_start_s, sink.open_s)

    def fits(group):
        jobs = [problem.jobs[j] for j in group]
        best = math.inf
        for first in jobs:  # any trip may go first
            t = dur[depot.location, first.location]
            t += sum(dur[sink.location, j.location] for j in jobs if j is not first)
            t += sum(j.service_s + dur[j.location, sink.location] for j in jobs)
            t += sink.service_s * (len(jobs) - 1)
            best = min(best, t)
        return best <= window + 1e-6

    import itertools

    optimum = None
    for k in range(1, len(members) + 1):
        for labels in itertools.product(range(k), repeat=len(members)):
            if labels[0] != 0:
                continue
            groups = [[m for m, lab in zip(members, labels) if lab == g] for g in range(k)]
            if all(groups) and all(fits(g) for g in groups):
                optimum = k
                break
        if optimum:
            break
    assert packing.lower_bound <= optimum <= len(packing.trucks)
    assert all(fits(t) for t in packing.trucks)


def _linprog_optimum(volume, capacity, cost):
    from scipy.optimize import linprog

    n, m = cost.shape
    finite = np.isfinite(cost)
    c = np.where(finite, cost, 0.0).ravel()
    a_eq = np.zeros((n, n * m))
    for i in range(n):
        a_eq[i, i * m:(i + 1) * m] = 1.0
    a_ub = np.zeros((m, n * m))
    for j in range(m):
        a_ub[j, j::m] = 1.0
    bounds = [(0, None) if f else (0, 0) for f in finite.ravel()]
    res = linprog(c, A_ub=a_ub, b_ub=capacity, A_eq=a_eq, b_eq=volume, bounds=bounds, method="highs")
    assert res.status == 0
    return res.fun, res.x.reshape(n, m)


def test_muck_assignment_is_optimal_within_capacities(scenario, tmp_path):
    sites = scenario.layers["construction_sites"]
    disposal = scenario.layers["muck_disposal_sites"].copy()
    disposal["capacity_m3"] = 300.0  # binds: the night's volume is far larger
    yards = gpd.GeoDataFrame(
        {"id": ["MY01", "MY02"], "name": ["东渣土调配场", "南渣土调配场"], "status": ["existing", "planned"],
         "capacity_t_per_d": [1200.0, 900.0]},
        geometry=[sites.geometry.iloc[3], sites.geometry.iloc[20]], crs=sites.crs)
    variant = _variant(scenario, tmp_path, muck_disposal_sites=disposal, muck_transfer_yards=yards)
    out = run_routing(variant, "muck", time_limit_s=TIME_LIMIT_S)
    d = out.prepared.details
    volume, capacity = np.array(d["nightly_m3"]), np.array(d["sink_capacity_m3"])
    cost, flow = np.array(d["unit_cost_m"]), np.array(d["assignment_m3"])
    assert capacity.sum() < volume.sum()  # the instance really is capacity-bound
    assert (flow.sum(axis=0) <= capacity + 1e-6).all()
    # Capacity-bound: fill every sink, and the rest is reported as unassigned.
    assert flow.sum() == pytest.approx(capacity.sum())
    assert np.allclose(flow.sum(axis=1) + np.array(d["unassigned_m3"]), volume)
    assert any("无处消纳" in n for n in out.prepared.notes)
    # Independent check: the same LP in scipy, with the volume to place reduced to what fits.
    res = assign_muck(volume, capacity, cost)
    extended = np.hstack([cost, np.full((len(volume), 1), 10.0 * (cost.max() + 1.0))])
    ref, _ = _linprog_optimum(volume, np.append(capacity, volume.sum()), extended)
    penalty = 10.0 * (cost.max() + 1.0)
    assert res.cost + penalty * res.unassigned_m3.sum() == pytest.approx(ref, rel=1e-9)
    assert d["assignment_cost"] == pytest.approx(res.cost)
    assert out.feasibility == []
    delivered = out.routes.groupby("unload_site")["load_t"].sum()
    assert delivered.get("MY01", 0.0) <= 1200.0 + 1e-6 and delivered.get("MY02", 0.0) <= 900.0 + 1e-6


def test_muck_disposal_daily_intake_limits_the_night(scenario, tmp_path):
    sites = scenario.layers["construction_sites"]
    disposal = scenario.layers["muck_disposal_sites"].copy()
    disposal["capacity_m3"] = 1_500_000.0  # plenty left in total …
    disposal["intake_m3_per_d"] = 500.0  # … but only 500 m³ a night through the gate
    yards = gpd.GeoDataFrame(
        {"id": ["MY01"], "name": ["东渣土调配场"], "status": ["existing"], "capacity_t_per_d": [20_000.0]},
        geometry=[sites.geometry.iloc[3]], crs=sites.crs)
    variant = _variant(scenario, tmp_path, muck_disposal_sites=disposal, muck_transfer_yards=yards)
    out = run_routing(variant, "muck", stations="existing", time_limit_s=TIME_LIMIT_S)
    d = out.prepared.details
    md = d["sinks"].index(str(disposal["id"].iloc[0]))
    flow = np.array(d["assignment_m3"])
    assert d["sink_capacity_m3"][md] == 500.0
    assert np.sum(d["nightly_m3"]) > 500.0  # the intake really binds
    assert flow[:, md].sum() <= 500.0 + 1e-6
    assert flow.sum() == pytest.approx(np.sum(d["nightly_m3"]))  # the rest goes to the yard
    assert out.feasibility == []


def test_assign_muck_matches_linprog_on_random_instances():
    rng = np.random.default_rng(7)
    for _ in range(5):
        n, m = rng.integers(3, 9), rng.integers(2, 5)
        volume = rng.integers(10, 60, n).astype(float)
        capacity = rng.integers(40, 120, m).astype(float)
        cost = rng.integers(1000, 30000, (n, m)).astype(float)
        if capacity.sum() < volume.sum():
            capacity[0] += volume.sum() - capacity.sum()
        res = assign_muck(volume, capacity, cost)
        ref, _ = _linprog_optimum(volume, capacity, cost)
        assert res.unassigned_m3.sum() == 0
        assert res.cost == pytest.approx(ref, rel=1e-9)
        assert np.allclose(res.flow_m3, np.round(res.flow_m3))
        assert (res.flow_m3.sum(axis=0) <= capacity + 1e-9).all()


def test_written_files_read_back(outcomes):
    for workflow, out in outcomes.items():
        gpkg, csv, js = out.files["gpkg"], out.files["csv"], out.files["json"]
        assert set(pyogrio.list_layers(gpkg)[:, 0]) == {"routes", "stops"}
        routes = gpd.read_file(gpkg, layer="routes")
        stops = gpd.read_file(gpkg, layer="stops")
        assert len(routes) == len(out.routes) and len(stops) == len(out.stops)
        assert routes["km"].sum() == pytest.approx(out.routes["km"].sum())
        assert set(stops["kind"]) <= {"depot", "job", "unload"}
        table = pd.read_csv(csv, encoding="utf-8-sig")
        assert list(table["route_id"]) == list(out.routes["route_id"])
        assert "vehicle" in table.columns and table["co2_kg"].sum() > 0
        summary = json.loads(js.read_text(encoding="utf-8"))
        assert summary["workflow"] == workflow and summary["feasibility_check"] == []
        assert summary["totals"]["routes"] == len(out.routes)


def test_same_seed_same_routes(scenario, film):
    again = run_routing(scenario, "film", time_limit_s=TIME_LIMIT_S, iteration_limit=300, write=False)
    assert again.routes.drop(columns="geometry").equals(film.routes.drop(columns="geometry"))


def test_bad_input_says_what_to_fix(scenario, tmp_path):
    with pytest.raises(GeoplanError, match="unknown routing workflow"):
        run_routing(scenario, "hazardous")
    no_depot = _variant(scenario, tmp_path, "a", depots=scenario.layers["depots"].iloc[:0])
    with pytest.raises(GeoplanError, match="depot"):
        run_routing(no_depot, "collection", time_limit_s=1, write=False)
    plants = scenario.layers["treatment_plants"]
    no_kitchen = _variant(scenario, tmp_path, "b", treatment_plants=plants[plants["plant_type"] != "kitchen_waste"])
    with pytest.raises(GeoplanError, match="厨余垃圾"):
        run_routing(no_kitchen, "collection", time_limit_s=1, write=False)
    sites = scenario.layers["construction_sites"].copy()
    zone = scenario.layers["restricted_zones"].geometry.iloc[0]
    inside = zone.representative_point()
    sites.loc[sites.index[0], "geometry"] = Point(inside.x, inside.y)
    # inside a zone barred to muck trucks: never attached unsaid to a road outside it
    barred = _variant(scenario, tmp_path, "c", construction_sites=sites)
    barred.network_settings = dataclasses.replace(barred.network_settings, max_snap_m=50.0)
    with pytest.raises(GeoplanError, match=rf"row {sites['id'].iloc[0]}, field geometry: point lies .* m from the "
                                           r"nearest road 渣土车 \(muck truck\) may use \(limit 50 m\)"):
        run_routing(barred, "muck", time_limit_s=1, write=False)


def test_fleet_overrides_from_scenario_toml(scenario, tmp_path):
    variant = _variant(scenario, tmp_path, toml_extra='[fleet.muck_truck]\nshift_end = "03:00"\n')
    out = run_routing(variant, "muck", time_limit_s=TIME_LIMIT_S, write=False)
    assert out.feasibility == []
    assert all(r.stops[-1].arrival_s <= 27 * 3600 + 1e-6 for r in out.result.routes)
    toml = variant.folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "wheels = 6\n", encoding="utf-8")
    with pytest.raises(GeoplanError, match="unknown key 'wheels'"):
        load_scenario(variant.folder)


def _tipped(outcome) -> dict[str, float]:
    """Tonnes each unload site receives over the day (load on board on arriving there)."""
    out: dict[str, float] = {}
    for route in outcome.result.routes:
        for a, b in zip(route.stops, route.stops[1:]):
            if b.kind == "unload":
                out[b.place_id] = out.get(b.place_id, 0.0) + sum(a.load_after_t.values())
    return out


def test_collection_stays_within_station_capacity(scenario, collection):
    stations = scenario.layers["transfer_stations"]
    capacity = dict(zip(stations["id"].astype(str), stations["capacity_t_per_d"].astype(float)))
    tipped = _tipped(collection)
    assert tipped["TS02"] <= capacity["TS02"] + 1e-9  # 城南, 100 t/d
    assert all(t <= capacity.get(s, math.inf) + 1e-9 for s, t in tipped.items())
    assert collection.prepared.problem.unload_sites[0].daily_capacity_t < math.inf


def test_overflow_of_a_small_station_goes_to_the_next(scenario, collection, tmp_path):
    """城南 cut to 30 t/d: the checker holds, 城南 takes at most 30 t, the rest goes elsewhere."""
    stations = scenario.layers["transfer_stations"].copy()
    near = collection.prepared.details["nearest_site_tonnes_per_d"]
    assert near["TS02"] > 30.0  # so the cut binds
    stations.loc[stations["id"] == "TS02", "capacity_t_per_d"] = 30.0
    small = _variant(scenario, tmp_path, transfer_stations=stations)
    out = run_routing(small, "collection", time_limit_s=TIME_LIMIT_S, write=False)
    assert out.feasibility == []
    tipped = _tipped(out)
    assert tipped.get("TS02", 0.0) <= 30.0 + 1e-9
    assigned = out.prepared.details["unload_site_tonnes_per_d"]
    assert assigned["TS02"] <= 30.0 + 1e-9
    # Nothing is lost: the overflow is assigned to other stations, and they get more than before.
    assert out.prepared.details["unassigned_t_per_d"] == 0
    others = sum(v for k, v in assigned.items() if k != "TS02")
    assert others == pytest.approx(sum(near.values()) - assigned["TS02"], abs=1e-2)
    overflow = near["TS02"] - assigned["TS02"]
    assert overflow > 0
    assert others - sum(v for k, v in near.items() if k != "TS02") == pytest.approx(overflow, abs=1e-2)
    assert sum(v for k, v in assigned.items() if k.startswith("TS") and k != "TS02") > \
        sum(v for k, v in near.items() if k.startswith("TS") and k != "TS02")
    assert any("TS02 超负荷 overloaded" in n for n in out.prepared.notes)


def test_demand_above_all_capacity_is_unserved_with_the_reason(scenario, tmp_path):
    stations = scenario.layers["transfer_stations"].copy()
    stations["capacity_t_per_d"] = 5.0
    plants = scenario.layers["treatment_plants"].copy()
    plants.loc[plants["plant_type"] == "incineration", "capacity_t_per_d"] = 5.0
    tight = _variant(scenario, tmp_path, transfer_stations=stations, treatment_plants=plants)
    out = run_routing(tight, "collection", time_limit_s=TIME_LIMIT_S, iteration_limit=500, write=False)
    assert out.feasibility == []
    short = [u for u in out.result.unserved if "卸载点日处理能力不足" in u.reason]
    assert short and all("unload capacity exhausted at" in u.reason for u in short)
    assert all(t <= 5.0 + 1e-9 for s, t in _tipped(out).items() if s != "TP02")
    assert any("能力不足 capacity short" in n for n in out.prepared.notes)


def test_planned_stations_are_used_by_default(scenario, tmp_path):
    from geoplan.routing.collection import prepare_collection

    variant = _variant(scenario, tmp_path)
    # A planned station where the most households live far from every existing one.
    communities = scenario.layers["residential_communities"]
    stations = scenario.layers["transfer_stations"]
    far = communities.geometry.distance(stations.geometry.union_all()).idxmax()
    planned = gpd.GeoDataFrame({"id": ["TSP1"], "name": ["规划中转站"], "status": ["planned"],
                                "capacity_t_per_d": [80.0], "station_class": ["IV"]},
                               geometry=[communities.geometry.loc[far]], crs=stations.crs)
    variant.output_dir.mkdir(parents=True, exist_ok=True)
    layers.write_layers({"transfer_stations": planned}, variant.output_dir / "planned_sites.gpkg")
    plan = prepare_collection(variant, time_limit_s=5)
    assert plan.details["stations"] == "plan" and plan.details["planned_station_ids"] == ["TSP1"]
    assert plan.details["unload_site_tonnes_per_d"]["TSP1"] > 0
    assert any("TSP1" in vt.id for vt in plan.problem.vehicle_types)
    assert any("planned: TSP1" in n for n in plan.notes)

    existing = prepare_collection(variant, time_limit_s=5, stations="existing")
    assert existing.details["stations"] == "existing"
    assert "TSP1" not in existing.details["station_ids"]
    with pytest.raises(GeoplanError, match="existing or plan"):
        prepare_collection(variant, stations="future")


def test_depot_vehicle_count_caps_the_trucks(scenario, tmp_path):
    depots = scenario.layers["depots"].copy()
    depots.loc[depots["id"] == "DE01", "vehicle_count"] = 6
    depots.loc[depots["id"] != "DE01", "vehicle_count"] = 4  # DE01 stays the depot with the most trucks
    few = _variant(scenario, tmp_path, depots=depots)
    out = run_routing(few, "collection", time_limit_s=TIME_LIMIT_S, iteration_limit=300, write=False)
    assert out.feasibility == []
    assert 0 < len(out.result.routes) <= 6
    assert out.result.unserved and all("fleet too small" in u.reason or "found no route" in u.reason
                                       for u in out.result.unserved)
    assert any("fleet too small" in u.reason for u in out.result.unserved)


def test_muck_trucks_not_more_than_first_fit(muck):
    problem = muck.prepared.problem
    ffd = sum(len(pack_trips(problem, k, [j for j, job in enumerate(problem.jobs) if job.vehicle_types == (vt.id,)])
                  .trucks) for k, vt in enumerate(problem.vehicle_types))
    assert len(muck.routes) <= ffd
    lower = muck.prepared.details["trucks_lower_bound"]
    assert muck.prepared.details["trucks_optimal"] == (len(muck.routes) == lower)


def test_route_command_repeats_by_default(tmp_path):
    """Two `geoplan route` runs with the defaults write the same route CSV."""
    from typer.testing import CliRunner

    from geoplan.cli import app

    folder = write_demo_scenario(tmp_path / "demo")
    # A smaller county keeps the test short: the first villages and shops only.
    gpkg = folder / "layers.gpkg"
    for layer, keep in (("villages", 40), ("agri_input_shops", 10)):
        gdf = pyogrio.read_dataframe(gpkg, layer=layer)
        pyogrio.write_dataframe(gdf.iloc[:keep], gpkg, layer=layer)
    runner = CliRunner()
    csvs = []
    for _ in range(2):
        res = runner.invoke(app, ["route", str(folder), "--workflow", "film", "--tiles", "none", "--quiet"])
        assert res.exit_code == 0, res.output
        assert "iteration limit" in res.output
        csvs.append((folder / "output" / "routes_film.csv").read_bytes())
    assert csvs[0] == csvs[1]
    summary = json.loads((folder / "output" / "routes_film.json").read_text(encoding="utf-8"))
    assert summary["stopped_by"] == "iterations" and summary["iteration_limit"] == 10_000


@pytest.fixture(scope="module")
def sited(scenario, tmp_path_factory):
    """The demo with film stations and muck disposal sites sited by `geoplan site` (in a folder of its own)."""
    from geoplan.planning import alternatives
    from geoplan.siting import run_siting

    variant = _variant(scenario, tmp_path_factory.mktemp("sited"))
    film_sites = run_siting(variant, "film_recycling_stations", "lscp", time_limit_s=TIME_LIMIT_S)
    alternatives.adopt(variant, film_sites.alternative)
    muck_sites = run_siting(variant, "muck_disposal_sites", "cflp", time_limit_s=TIME_LIMIT_S)
    alternatives.adopt(variant, muck_sites.alternative)
    assert len(film_sites.sites) and len(muck_sites.sites), "the demo's siting adds sites of both kinds"
    return variant


def _planned(variant, kind) -> gpd.GeoDataFrame:
    return gpd.read_file(variant.output_dir / "planned_sites.gpkg", layer=kind)


def _tips_and_bases(outcome) -> set[str]:
    """Every place a route starts from or unloads at (film vans start and tip at their station)."""
    return {s.place_id.split("#")[0] for r in outcome.result.routes for s in r.stops if s.kind != "job"}


def test_film_routes_to_sited_stations_by_default(scenario, sited):
    planned = set(_planned(sited, "film_recycling_stations")["id"].astype(str))
    existing = set(scenario.layers["film_recycling_stations"]["id"].astype(str))
    plan = run_routing(sited, "film", time_limit_s=TIME_LIMIT_S, iteration_limit=300, write=False)
    assert plan.feasibility == []
    d = plan.prepared.details
    assert d["stations"] == "plan" and set(d["planned_station_ids"]) == planned
    assert set(d["station_ids"]) == existing | planned
    assert _tips_and_bases(plan) & planned, "no van works from a sited station"
    assert set(plan.routes["unload_site"]) & planned
    assert any("农膜回收站 film stations used: 规划 plan" in n and "planned: " in n for n in plan.prepared.notes)
    assert "农膜回收站 film stations used" in plan.summary()

    kept = run_routing(sited, "film", time_limit_s=TIME_LIMIT_S, iteration_limit=300, write=False,
                       stations="existing")
    assert kept.feasibility == []
    assert kept.prepared.details["stations"] == "existing"
    assert set(kept.prepared.details["station_ids"]) == existing
    assert not _tips_and_bases(kept) & planned
    assert {d.id for d in kept.prepared.problem.depots} == existing


def test_muck_hauls_to_sited_disposal_sites_by_default(scenario, sited):
    planned = _planned(sited, "muck_disposal_sites")
    planned_ids = set(planned["id"].astype(str))
    existing = set(scenario.layers["muck_disposal_sites"]["id"].astype(str))
    plan = run_routing(sited, "muck", time_limit_s=TIME_LIMIT_S, write=False)
    assert plan.feasibility == []
    d = plan.prepared.details
    assert d["stations"] == "plan" and set(d["planned_station_ids"]) == planned_ids
    assert set(d["sinks"]) == existing | planned_ids
    assert set(plan.routes["unload_site"]) & planned_ids, "no truck tips at a sited disposal site"
    # A sited site takes the capacity `geoplan site` wrote for it.
    capacity = dict(zip(d["sinks"], d["sink_capacity_m3"]))
    for sid, cap in zip(planned["id"].astype(str), planned["capacity_m3"].astype(float)):
        assert capacity[sid] == pytest.approx(cap)
    assert any("消纳场 disposal sites and yards used: 规划 plan" in n for n in plan.prepared.notes)

    kept = run_routing(sited, "muck", time_limit_s=TIME_LIMIT_S, write=False, stations="existing")
    assert kept.feasibility == []
    assert kept.prepared.details["stations"] == "existing" and set(kept.prepared.details["sinks"]) == existing
    assert set(kept.routes["unload_site"]) <= existing
    # The same night's muck either way; the sited sites are nearer, so the haul is shorter.
    assert plan.routes["load_t"].sum() == pytest.approx(kept.routes["load_t"].sum())
    assert plan.prepared.details["assignment_cost"] < kept.prepared.details["assignment_cost"]


def test_site_choice_from_scenario_toml(sited):
    from geoplan.routing.film import prepare_film
    from geoplan.routing.muck import prepare_muck

    toml = sited.folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    try:
        toml.write_text(text.replace("[routing]\n", '[routing]\nfilm_stations = "existing"\nmuck_sites = "existing"\n'),
                        encoding="utf-8")
        existing = copy.copy(sited)
        existing.routing = load_scenario(sited.folder).routing
        assert prepare_film(existing).details["stations"] == "existing"
        assert prepare_muck(existing, time_limit_s=5).details["stations"] == "existing"
        # The argument wins over the setting.
        assert prepare_film(existing, stations="plan").details["stations"] == "plan"
        toml.write_text(text.replace("[routing]\n", '[routing]\nmuck_sites = "future"\n'), encoding="utf-8")
        with pytest.raises(GeoplanError, match=r"\[routing\] muck_sites = 'future'"):
            load_scenario(sited.folder)
    finally:
        toml.write_text(text, encoding="utf-8")
    with pytest.raises(GeoplanError, match="existing or plan"):
        run_routing(sited, "film", stations="future", write=False)


def test_planned_disposal_site_without_capacity_is_named(scenario, sited, tmp_path):
    # A sited row whose capacity was lost: the planned-sites file is named with row and field.
    broken = _variant(scenario, tmp_path, "file")
    rows = _planned(sited, "muck_disposal_sites")
    rows["capacity_m3"] = np.nan
    broken.output_dir.mkdir(parents=True)
    layers.write_layers({"muck_disposal_sites": rows}, broken.output_dir / "planned_sites.gpkg")
    first = str(rows["id"].iloc[0])
    with pytest.raises(GeoplanError, match=rf"muck_disposal_sites, row {first}, field capacity_m3"):
        run_routing(broken, "muck", time_limit_s=1, write=False)
    # The existing network does not read the plan, so it still routes.
    assert run_routing(broken, "muck", time_limit_s=TIME_LIMIT_S, write=False, stations="existing").feasibility == []

    # A planned row of layers.gpkg without a capacity (not read through the validating reader).
    disposal = scenario.layers["muck_disposal_sites"]
    extra = gpd.GeoDataFrame({"id": ["MDP1"], "name": ["规划消纳场"], "status": ["planned"], "capacity_m3": [np.nan]},
                             geometry=[scenario.layers["construction_sites"].geometry.iloc[5]], crs=disposal.crs)
    manual = _variant(scenario, tmp_path, "manual",
                      muck_disposal_sites=gpd.GeoDataFrame(pd.concat([disposal, extra], ignore_index=True),
                                                           crs=disposal.crs))
    with pytest.raises(GeoplanError, match=r"layers.gpkg, layer muck_disposal_sites, row MDP1, field capacity_m3"):
        run_routing(manual, "muck", time_limit_s=1, write=False)


def test_route_map_names_vehicle_types_for_planners(collection, film, muck, scenario):
    from geoplan.publish import write_routes_map

    labels = dict(zip(collection.routes["fraction"], collection.routes["vehicle_type_label"]))
    assert labels == {"其他垃圾": "其他垃圾收运车 / residual-waste truck",
                      "厨余垃圾": "厨余垃圾收运车 / kitchen-waste truck",
                      "可回收物": "可回收物收运车 / recyclables truck"}
    assert set(film.routes["vehicle_type_label"]) == {"农膜收集车 / farm-film collection van"}
    assert set(muck.routes["vehicle_type_label"]) == {"渣土车 / muck truck"}
    import re

    html = write_routes_map(scenario, "collection", "none").read_text(encoding="utf-8")
    # Layer names sit in the page as JSON strings with \uXXXX escapes.
    html = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)
    # Solver ids (compression_truck:其他垃圾:TS01) appear nowhere a planner reads: not in the
    # layer names, the legend, the tooltips or the popups.
    assert "compression_truck" not in html and "kitchen_waste_truck" not in html
    for label in labels.values():
        assert f"路线 / routes · {label} (" in html
    first = collection.routes.iloc[0]
    assert f"{first['route_id']} · {first['vehicle_type_label']} → {first['unload_site']}" in html


def test_route_command_follows_geoplan_site(tmp_path):
    """`geoplan site --kind muck_disposal_sites` then `geoplan route --workflow muck` tips at the sited sites."""
    from typer.testing import CliRunner

    from geoplan.cli import app

    folder = write_demo_scenario(tmp_path / "demo")
    runner = CliRunner()
    res = runner.invoke(app, ["site", str(folder), "--kind", "muck_disposal_sites", "--model", "cflp", "--quiet"])
    assert res.exit_code == 0, res.output
    assert not (folder / "output" / "planned_sites.gpkg").exists()  # an alternative, not yet the plan
    res = runner.invoke(app, ["plan", "adopt", str(folder), "site-muck_disposal_sites-cflp"])
    assert res.exit_code == 0, res.output
    sited = set(gpd.read_file(folder / "output" / "planned_sites.gpkg", layer="muck_disposal_sites")["id"].astype(str))
    args = ["route", str(folder), "--workflow", "muck", "--tiles", "none", "--quiet"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "规划 plan (existing + planned)" in res.output and all(s in res.output for s in sited)
    used = set(pd.read_csv(folder / "output" / "routes_muck.csv", encoding="utf-8-sig")["unload_site"])
    assert used & sited
    res = runner.invoke(app, [*args, "--stations", "existing"])
    assert res.exit_code == 0, res.output
    assert "消纳场 disposal sites and yards used: 现状 existing: MD01" in res.output
    used = set(pd.read_csv(folder / "output" / "routes_muck.csv", encoding="utf-8-sig")["unload_site"])
    assert not used & sited
    res = runner.invoke(app, [*args, "--stations", "future"])
    assert res.exit_code == 2 and "existing or plan" in res.output
