"""Siting workflows: problems built from scenarios, solved, written and read back.

Small cases run on a plain street grid whose network distances are recomputed here with
networkx; the demo county checks outputs, the plan's indicators and the township rule.
"""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import networkx as nx
import numpy as np
import pyogrio
import pytest
from shapely.geometry import Point, box

import layers
from layers.errors import GeoplanError
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.indicators import compute_indicators, facilities_for
from geoplan.network.synthetic import grid_roads
from geoplan.planning import alternatives
from geoplan.standards import REFIT_COST
from geoplan.scenario import load_scenario, scenario_toml
from geoplan.siting import recycling
from geoplan.siting.models import solve
from geoplan.siting import run_siting

CRS = "EPSG:4549"
X0, Y0 = 500_000.0, 3_500_000.0
SPACING = 500.0
N = 5  # 5 × 5 nodes, 2 km × 2 km


# ----------------------------------------------------------------------------- small scenarios
def _node(i: int, j: int) -> Point:
    return Point(X0 + i * SPACING, Y0 + j * SPACING)


def _pts(rows: list[dict], at: list[tuple[int, int]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=[_node(i, j) for i, j in at], crs=CRS)


def _roads() -> gpd.GeoDataFrame:
    roads = grid_roads(N, N, spacing_m=SPACING, jitter_m=0.0, drop_share=0.0, oneway_share=0.0,
                       origin=(X0, Y0), crs=CRS)
    roads["road_class"] = "local"  # every vehicle may use every street
    roads["oneway"] = False
    return roads


def _grid_graph(roads: gpd.GeoDataFrame) -> nx.Graph:
    g = nx.Graph()
    for line in roads.geometry:
        a, b = line.coords[0], line.coords[-1]
        g.add_edge((round(a[0]), round(a[1])), (round(b[0]), round(b[1])), length=line.length)
    return g


def _network_m(graph: nx.Graph, p: Point, q: Point) -> float:
    return nx.shortest_path_length(graph, (round(p.x), round(p.y)), (round(q.x), round(q.y)), weight="length")


def _scenario(tmp_path, lays: dict[str, gpd.GeoDataFrame]):
    folder = tmp_path / "scn"
    folder.mkdir()
    (folder / "scenario.toml").write_text(scenario_toml("grid", 4549, 0), encoding="utf-8")
    layers.write_layers({"roads": _roads(), **lays}, folder / "layers.gpkg")
    return load_scenario(folder)


def _communities(at, population):
    return _pts([{"id": f"RC{k}", "name": f"小区{k}", "households": p // 3, "population": p}
                 for k, p in enumerate(population)], at)


def _candidates(kind, at, cost, capacity=None):
    return _pts([{"id": f"C{k}", "name": f"备选{k}", "facility_kind": kind, "fixed_cost_yuan": c,
                  "capacity": None if capacity is None else capacity[k]} for k, c in enumerate(cost)], at)


# ----------------------------------------------------------------------------- brute force
def test_transfer_station_mclp_matches_brute_force(tmp_path):
    demand_at = [(0, 0), (1, 0), (4, 0), (0, 3), (2, 2), (4, 4), (3, 4), (1, 4)]
    population = [4000, 2500, 6000, 3000, 5000, 7000, 1500, 2000]
    cand_at = [(0, 1), (2, 0), (4, 1), (2, 3), (4, 3)]
    scn = _scenario(tmp_path, {
        "residential_communities": _communities(demand_at, population),
        "candidate_sites": _candidates("transfer_stations", cand_at, [1e6] * 5),
    })
    radius = 1000.0
    out = run_siting(scn, "transfer_stations", "mclp", p=2, radius_m=radius, time_limit_s=10)
    graph = _grid_graph(_roads())
    d = np.array([[_network_m(graph, _node(*a), _node(*c)) for c in cand_at] for a in demand_at])
    w = np.array(population) * 0.49 / 1000.0
    best = max(w[(d[:, list(pair)] <= radius).any(axis=1)].sum() for pair in itertools.combinations(range(5), 2))
    assert out.result.is_feasible
    assert out.result.objective == pytest.approx(best)
    chosen = [int(s[1:]) for s in out.result.new_site_ids]
    assert len(chosen) == 2
    assert w[(d[:, chosen] <= radius).any(axis=1)].sum() == pytest.approx(best)
    # coverage counts households: recompute it from the chosen pair
    hh = np.array(population) // 3
    assert out.coverage_before == 0.0
    assert out.coverage_after == pytest.approx(hh[(d[:, chosen] <= radius).any(axis=1)].sum() / hh.sum())
    # assignment lines follow the road: their length is the network distance
    for row in out.assignment.itertuples():
        i, j = int(row.demand_id[2:]), int(row.site_id[1:])
        assert row.travel_m == pytest.approx(d[i, j], abs=0.5)
        assert row.geometry.length == pytest.approx(d[i, j], abs=0.5)
        assert row.along_road
    # same input and seed → same plan
    again = run_siting(scn, "transfer_stations", "mclp", p=2, radius_m=radius, time_limit_s=10, write=False)
    assert again.result.new_site_ids == out.result.new_site_ids


def test_transfer_station_p_median_matches_brute_force_with_existing_station(tmp_path):
    demand_at = [(0, 0), (1, 3), (4, 0), (0, 4), (2, 2), (4, 4), (3, 1)]
    population = [4000, 2500, 6000, 3000, 5000, 7000, 1500]
    cand_at = [(0, 1), (2, 0), (4, 1), (2, 3), (4, 3)]
    existing = _pts([{"id": "TS0", "name": "现状站", "status": "existing", "capacity_t_per_d": 30.0}], [(0, 4)])
    scn = _scenario(tmp_path, {
        "residential_communities": _communities(demand_at, population),
        "transfer_stations": existing,
        "candidate_sites": _candidates("transfer_stations", cand_at, [1e6] * 5),
    })
    out = run_siting(scn, "transfer_stations", "p-median", p=2, time_limit_s=10)
    graph = _grid_graph(_roads())
    sites = [(0, 4)] + cand_at  # the existing station stays open in every plan
    d = np.array([[_network_m(graph, _node(*a), _node(*c)) for c in sites] for a in demand_at])
    w = np.array(population) * 0.49 / 1000.0
    best = min((w * d[:, [0, 1 + a, 1 + b]].min(axis=1)).sum() for a, b in itertools.combinations(range(5), 2))
    assert out.result.objective == pytest.approx(best)
    assert out.result.kept_existing_ids == ["TS0"] and len(out.result.new_site_ids) == 2


def test_transfer_station_cflp_classes_hold_their_load(tmp_path):
    # 120 t/d in the west, 40 t/d in the east: classes of 50/100/150 t/d must be mixed
    demand_at = [(0, 1), (1, 1), (0, 2), (4, 2)]
    population = [80_000, 80_000, 85_000, 82_000]
    scn = _scenario(tmp_path, {
        "residential_communities": _communities(demand_at, population),
        "candidate_sites": _candidates("transfer_stations", [(0, 0), (1, 2), (4, 3)], [3e6, 3e6, 3e6],
                                       [100.0, 100.0, 100.0]),
    })
    out = run_siting(scn, "transfer_stations", "cflp", time_limit_s=10)
    assert out.result.is_feasible
    back = layers.read_layer(out.paths["sites"], "transfer_stations", layer="sites", to_crs=4549).set_index("id")
    t = dict(zip([f"RC{k}" for k in range(4)], np.array(population) * 0.49 / 1000.0))
    load = out.assignment.groupby("site_id")["demand_id"].apply(lambda ids: sum(t[i] for i in ids))
    assert set(out.assignment["demand_id"]) == set(t)  # single sourcing: every community once
    assert len(out.assignment) == 4
    for site, tonnes in load.items():
        cap = back.loc[site, "capacity_t_per_d"]
        assert tonnes <= cap + 1e-6
        assert cap == {"V-50": 50.0, "IV-100": 100.0, "IV-150": 150.0}[out.result.capacity_class[site]]
        assert back.loc[site, "station_class"] == layers.station_class(cap)


# ----------------------------------------------------------------------------- capacities
def test_cflp_respects_capacities_recomputed_from_the_layers(tmp_path):
    sites_at = [(0, 0), (1, 1), (2, 4), (4, 0), (4, 4), (3, 2)]
    volume = [300_000.0, 250_000.0, 400_000.0, 150_000.0, 350_000.0, 200_000.0]
    construction = _pts([{"id": f"CS{k}", "name": f"工地{k}", "muck_volume_m3": v} for k, v in enumerate(volume)],
                        sites_at)
    cand_at, cap = [(0, 2), (2, 2), (4, 2)], [700_000.0, 600_000.0, 800_000.0]
    scn = _scenario(tmp_path, {
        "construction_sites": construction,
        "candidate_sites": _candidates("muck_disposal_sites", cand_at, [2e6, 1e6, 2e6], cap),
    })
    out = run_siting(scn, "muck_disposal_sites", "cflp", radius_m=3000.0, time_limit_s=10)
    assert out.result.is_feasible
    back = layers.read_layer(out.paths["sites"], "muck_disposal_sites", layer="sites", to_crs=4549)
    vol = dict(zip(construction["id"], construction["muck_volume_m3"]))
    site_ids = out.result.open_site_ids
    load = {s: 0.0 for s in site_ids}
    # no existing sites: problem column j is candidate Cj, row i is construction site CSi
    for i, j, share in out.result.allocation:
        load[f"C{j}"] += vol[f"CS{i}"] * share
    cap_of = dict(zip([f"C{k}" for k in range(3)], cap))
    assert sum(load.values()) == pytest.approx(sum(volume))  # every m³ goes somewhere
    for s, v in load.items():
        assert v <= cap_of[s] + 1e-6
        assert back.set_index("id").loc[s, "capacity_m3"] == cap_of[s]
    # total capacity 2.1 M m³ for 1.65 M: one site cannot take it, so at least two open
    assert len(site_ids) >= 2


# ----------------------------------------------------------------------------- fusion
def _recycling_layers(hub_cost=(500_000.0, 500_000.0)):
    return {
        "residential_communities": _communities([(1, 1), (1, 2), (2, 1)], [3000, 3000, 3000]),
        "dropoff_points": _pts([{"id": f"DP{k}", "name": f"投放点{k}", "status": "existing", "capacity_t_per_d": 0.5}
                                for k in range(3)], [(1, 1), (1, 2), (2, 1)]),
        "transfer_stations": _pts([{"id": "TS1", "name": "中转站", "status": "existing", "capacity_t_per_d": 60.0}],
                                  [(2, 2)]),
        # one hub candidate exactly where the transfer station is, one far away
        "candidate_sites": _candidates("collection_hubs", [(2, 2), (4, 4)], list(hub_cost), [10.0, 10.0]),
    }


def test_fusion_hub_on_transfer_station_land_wins_over_equal_candidate(tmp_path):
    scn = _scenario(tmp_path, _recycling_layers())
    out = run_siting(scn, "collection_hubs", "lscp", radius_m=1500.0, time_limit_s=10)
    assert out.result.new_site_ids == ["TS1-hub"]
    assert out.fused_hub_ids == ["TS1-hub"]
    assert out.sites["fused_with"].tolist() == ["TS1"]
    assert out.sites["fixed_cost_yuan"].tolist() == [pytest.approx(REFIT_COST.value)]
    # without the fusion choice the candidate on the same spot is taken: the model saw the choice
    built = recycling.build(scn, "collection_hubs", model="lscp", radius_m=1500.0, cutoff_m=1500.0, fusion=False)
    plain = solve(built, "lscp", p=None, time_limit_s=10, seed=0)
    assert plain.new_site_ids == ["C0"]
    # once adopted, the plan layer and the indicators' plan state see the fused hub
    assert "collection_hubs" not in facilities_for(scn, "plan")
    alternatives.adopt(scn, out.alternative)
    plan = facilities_for(scn, "plan")["collection_hubs"]
    assert plan["id"].tolist() == ["TS1-hub"] and plan["status"].tolist() == ["planned"]


def test_recycling_chain_needs_the_level_below(tmp_path):
    lays = _recycling_layers()
    del lays["dropoff_points"]
    scn = _scenario(tmp_path, lays)
    with pytest.raises(GeoplanError, match="dropoff_points"):
        run_siting(scn, "collection_hubs", "lscp", time_limit_s=5)


# ----------------------------------------------------------------------------- township rule
def test_film_station_in_every_township_even_when_one_site_covers_all(tmp_path):
    villages = _pts([{"id": f"VL{k}", "name": f"村{k}", "population": 500, "households": 150,
                      "mulched_area_mu": m} for k, m in enumerate([2000.0, 1500.0, 100.0])],
                    [(1, 2), (2, 2), (4, 2)])
    half = SPACING * 2.5
    districts = gpd.GeoDataFrame(
        {"id": ["D1", "D2"], "name": ["西镇", "东镇"], "district_type": ["镇", "镇"]},
        geometry=[box(X0 - 100, Y0 - 100, X0 + half, Y0 + 2100), box(X0 + half, Y0 - 100, X0 + 2100, Y0 + 2100)],
        crs=CRS)
    scn = _scenario(tmp_path, {
        "villages": villages, "districts": districts,
        # C0 (west, cheap) reaches every village within 5 km; C1 (east) is dearer
        "candidate_sites": _candidates("film_recycling_stations", [(2, 2), (4, 1)], [100_000.0, 400_000.0],
                                       [300.0, 300.0]),
    })
    out = run_siting(scn, "film_recycling_stations", "lscp", time_limit_s=10)
    assert sorted(out.result.new_site_ids) == ["C0", "C1"]
    # without townships the cheap site alone covers everything
    (tmp_path / "b").mkdir()
    lone = _scenario(tmp_path / "b", {"villages": villages, "candidate_sites": _candidates(
        "film_recycling_stations", [(2, 2), (4, 1)], [100_000.0, 400_000.0], [300.0, 300.0])})
    assert run_siting(lone, "film_recycling_stations", "lscp", time_limit_s=10).result.new_site_ids == ["C0"]


# ----------------------------------------------------------------------------- bad input
def test_bad_input_says_what_to_do(tmp_path):
    scn = _scenario(tmp_path, {
        "residential_communities": _communities([(0, 0), (4, 4)], [1000, 1000]),
        "candidate_sites": _candidates("transfer_stations", [(2, 2)], [1e6]),
    })
    with pytest.raises(GeoplanError, match="unknown facility kind"):
        run_siting(scn, "incinerators", "lscp")
    with pytest.raises(GeoplanError, match="unknown siting model"):
        run_siting(scn, "transfer_stations", "kmeans")
    with pytest.raises(GeoplanError, match="--p"):
        run_siting(scn, "transfer_stations", "mclp")
    with pytest.raises(GeoplanError, match="--p"):
        run_siting(scn, "transfer_stations", "p-median")
    with pytest.raises(GeoplanError, match="positive"):
        run_siting(scn, "transfer_stations", "lscp", radius_m=0)
    # no candidate sites of a kind: they are generated on the roads, and the outcome says so
    generated = run_siting(scn, "dropoff_points", "lscp", write=False)
    assert any("no candidate sites of dropoff_points given" in n for n in generated.notes)
    with pytest.raises(GeoplanError, match="needs a layer construction_sites"):
        run_siting(scn, "muck_transfer_yards", "cflp")


# ----------------------------------------------------------------------------- demo county
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "county"
    write_demo_scenario(folder)
    return load_scenario(folder)


def test_demo_mclp_writes_plan_that_raises_coverage(demo):
    before = compute_indicators(demo, "existing").coverage["urban_sorting_coverage"].actual
    out = run_siting(demo, "transfer_stations", "mclp", p=3, time_limit_s=20)
    assert out.result.is_feasible and len(out.result.new_site_ids) == 3
    sites = layers.read_layer(out.paths["sites"], "transfer_stations", layer="sites", to_crs=demo.metric_epsg)
    assert sorted(sites["id"]) == sorted(out.result.new_site_ids)
    assert set(sites["status"]) == {"planned"}
    assert (sites["capacity_t_per_d"] > 0).all() and sites["station_class"].notna().all()
    lines = pyogrio.read_dataframe(out.paths["sites"], layer="assignment")
    assert set(lines.geometry.geom_type) == {"LineString"}
    assert (lines["travel_m"] <= 3000.0 + 1e-6).all()
    summary = json.loads(out.paths["summary"].read_text(encoding="utf-8"))
    assert summary["model"] == "mclp" and summary["status"] == "optimal"
    assert summary["new_site_ids"] == out.result.new_site_ids
    assert summary["coverage_after"] > summary["coverage_before"]
    plan = pyogrio.read_dataframe(out.paths["plan"], layer="transfer_stations")
    assert sorted(plan["id"]) == sorted(out.result.new_site_ids)
    # the run's own reading of the indicator is the report's once it is adopted, and so are the loads
    assert compute_indicators(demo, "plan").coverage["urban_sorting_coverage"].actual == pytest.approx(before)
    alternatives.adopt(demo, out.alternative)
    report = compute_indicators(demo, "plan")
    after = report.coverage["urban_sorting_coverage"].actual
    assert after > before
    assert after == pytest.approx(out.indicators["urban_sorting_coverage"].actual)
    loads = report.station_loads.set_index("id")["load"]
    for row in sites.itertuples():
        assert row.load == pytest.approx(loads[row.id], abs=1e-6)
        assert row.load <= row.capacity_t_per_d + 1e-6

    # a second run replaces this kind's layer in its alternative and keeps the adopted plan's others
    muck = run_siting(demo, "muck_disposal_sites", "cflp", time_limit_s=20)
    alternatives.adopt(demo, muck.alternative)
    one = run_siting(demo, "transfer_stations", "mclp", p=1, time_limit_s=20)
    kinds = set(pyogrio.list_layers(one.paths["plan"])[:, 0])
    assert {"transfer_stations", "muck_disposal_sites"} <= kinds
    assert len(pyogrio.read_dataframe(one.paths["plan"], layer="transfer_stations")) == 1
    assert muck.coverage_after >= muck.coverage_before


def test_demo_film_siting_puts_a_station_in_every_town(demo):
    out = run_siting(demo, "film_recycling_stations", "lscp", time_limit_s=20)
    assert out.result.is_feasible
    alternatives.adopt(demo, out.alternative)
    stations = facilities_for(demo, "plan")["film_recycling_stations"]
    districts = demo.layers["districts"]
    towns = districts[districts["district_type"] == "镇"]
    inside = gpd.sjoin(stations[["id", "geometry"]], towns[["name", "geometry"]], predicate="within")
    assert len(towns) == 6 and set(towns["name"]) <= set(inside["name"])
