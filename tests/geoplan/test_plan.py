"""``geoplan plan``: target cover on a scenario against brute force, years and budgets, why a
target cannot be met, and plan alternatives that are never overwritten.

The small county is a street grid whose distances are recomputed here with networkx; the
coverage of a candidate plan is checked with an independent LP (scipy), not geoplan's.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from shapely.geometry import Point

import layers
from layers.errors import GeoplanError
from geoplan.network.synthetic import grid_roads
from geoplan.planning import alternatives
from geoplan.planning.run import run_plan
from geoplan.planning.target_plan import NoFeasiblePlan, make_plan
from geoplan.scenario import load_scenario
from geoplan.siting import run_siting

CRS = "EPSG:4549"
X0, Y0 = 500_000.0, 3_500_000.0
SPACING = 500.0
N = 5
FILM_KG_PER_MU = 5.1


def _node(i, j):
    return Point(X0 + i * SPACING, Y0 + j * SPACING)


def _roads():
    roads = grid_roads(N, N, spacing_m=SPACING, jitter_m=0.0, drop_share=0.0, oneway_share=0.0,
                       origin=(X0, Y0), crs=CRS)
    roads["road_class"] = "local"
    roads["oneway"] = False
    return roads


def _distances(points, sites):
    g = nx.Graph()
    for line in _roads().geometry:
        a, b = line.coords[0], line.coords[-1]
        g.add_edge((round(a[0]), round(a[1])), (round(b[0]), round(b[1])), length=line.length)
    node = {(i, j): (round(_node(i, j).x), round(_node(i, j).y)) for i in range(N) for j in range(N)}
    return np.array([[nx.shortest_path_length(g, node[p], node[s], weight="length") for s in sites] for p in points])


TOML = """
[scenario]
name = "grid"
metric_crs = "EPSG:4549"
seed = 0

[standards.film_recycling_stations]
service_radius_m = {radius}
min_per_township = 0

[targets.film_recovery_coverage]
target = {film_share}
year = 2025
{milestone}

[targets.pesticide_packaging_coverage]
target = {shop_share}
year = 2025

[plan]
start_year = 2024
generate_candidates = {generate}
{budget}
"""

VILLAGES = [(0, 0), (1, 0), (4, 0), (0, 3), (2, 2), (4, 4), (3, 4), (1, 4)]
MULCHED_MU = [4000, 2500, 6000, 3000, 5000, 7000, 1500, 2000]
SHOPS = [(2, 1), (3, 3)]
SHOP_KG = [3000, 8000]
CANDIDATES = [(0, 1), (2, 0), (4, 1), (2, 3), (4, 3)]
COSTS = [3e5, 2e5, 4e5, 3.5e5, 2.5e5]
CAPACITY_T = [30.0, 20.0, 40.0, 25.0, 30.0]


def _county(tmp_path, *, radius=1000, film_share=0.8, shop_share=1.0, milestone="", budget="", generate="false",
            candidates=CANDIDATES):
    folder = tmp_path / "grid"
    folder.mkdir()
    (folder / "scenario.toml").write_text(TOML.format(radius=radius, film_share=film_share, shop_share=shop_share,
                                                      milestone=milestone, budget=budget, generate=generate),
                                          encoding="utf-8")
    villages = gpd.GeoDataFrame([{"id": f"VL{k}", "name": f"村{k}", "mulched_area_mu": m, "population": 500}
                                 for k, m in enumerate(MULCHED_MU)], geometry=[_node(*a) for a in VILLAGES], crs=CRS)
    shops = gpd.GeoDataFrame([{"id": f"AS{k}", "name": f"农资店{k}", "film_sales_kg_per_yr": s}
                              for k, s in enumerate(SHOP_KG)], geometry=[_node(*a) for a in SHOPS], crs=CRS)
    cands = gpd.GeoDataFrame([{"id": f"C{k}", "name": f"备选{k}", "facility_kind": "film_recycling_stations",
                               "fixed_cost_yuan": COSTS[k], "capacity": CAPACITY_T[k]} for k in range(len(candidates))],
                             geometry=[_node(*a) for a in candidates], crs=CRS)
    lays = {"roads": _roads(), "villages": villages, "agri_input_shops": shops, "candidate_sites": cands}
    layers.write_layers(lays, folder / "layers.gpkg")
    return load_scenario(folder)


def _max_cover(d, radius, load, cap, weight, open_idx):
    """Independent LP: most weight the open sites cover within their capacity."""
    pairs = [(i, j) for i in range(d.shape[0]) for j in open_idx if d[i, j] <= radius]
    if not pairs:
        return 0.0
    m = len(pairs)
    a = np.zeros((d.shape[0] + len(open_idx), m))
    for p, (i, j) in enumerate(pairs):
        a[i, p] = 1.0
        a[d.shape[0] + open_idx.index(j), p] = load[i]
    b = np.r_[np.ones(d.shape[0]), [cap[j] for j in open_idx]]
    res = linprog(-np.array([weight[i] for i, _ in pairs]), A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    return -res.fun


def _brute_force(radius, film_share, shop_share, budget=None, milestone=None):
    """Least cost over every candidate's (not built, 2024, 2025); coverage of both targets checked
    jointly with one LP per year (villages and shops share the stations' capacity)."""
    pts = VILLAGES + SHOPS
    d = _distances(pts, CANDIDATES)
    load = np.r_[np.array(MULCHED_MU) * FILM_KG_PER_MU / 1000, np.array(SHOP_KG) / 1000]
    w_film = np.r_[MULCHED_MU, np.zeros(len(SHOPS))].astype(float)
    w_shop = np.r_[np.zeros(len(VILLAGES)), np.ones(len(SHOPS))]
    best = np.inf
    for combo in itertools.product([None, 2024, 2025], repeat=len(CANDIDATES)):
        spend = {y: sum(COSTS[k] for k, c in enumerate(combo) if c == y) for y in (2024, 2025)}
        total = sum(spend.values())
        if total >= best or (budget and any(spend[y] > budget.get(y, np.inf) + 1e-6 for y in spend)):
            continue
        ok = True
        for year in (2024, 2025):
            open_idx = [k for k, c in enumerate(combo) if c is not None and c <= year]
            due_film = film_share if year == 2025 else (milestone or 0.0)
            due_shop = shop_share if year == 2025 else 0.0
            if due_film <= 0 and due_shop <= 0:
                continue
            if not _joint_feasible(d, radius, load, w_film, w_shop, due_film, due_shop, open_idx):
                ok = False
                break
        if ok:
            best = total
    return best


def _joint_feasible(d, radius, load, w_film, w_shop, due_film, due_shop, open_idx):
    pairs = [(i, j) for i in range(d.shape[0]) for j in open_idx if d[i, j] <= radius]
    if not pairs:
        return due_film <= 0 and due_shop <= 0
    m = len(pairs)
    rows, b = [], []
    for i in range(d.shape[0]):
        rows.append([1.0 if pi == i else 0.0 for pi, _ in pairs])
        b.append(1.0)
    for j in open_idx:
        rows.append([load[pi] if pj == j else 0.0 for pi, pj in pairs])
        b.append(CAPACITY_T[j])
    rows.append([-w_film[pi] for pi, _ in pairs])
    b.append(-due_film * w_film.sum() + 1e-9)
    rows.append([-w_shop[pi] for pi, _ in pairs])
    b.append(-due_shop * w_shop.sum() + 1e-9)
    res = linprog(np.zeros(m), A_ub=np.array(rows), b_ub=np.array(b), bounds=(0, 1), method="highs")
    return res.status == 0


@pytest.mark.parametrize("radius, film_share, budget, milestone", [
    (1000, 0.3, None, None),           # a part of the candidates
    (1000, 0.5, {2025: 3e5}, 0.3),     # 2025's budget forces building in 2024
    (1500, 0.7, {2024: 6e5}, 0.3),     # a milestone within 2024's budget
    (1500, 0.7, {2024: 5e5}, 0.45),    # the milestone costs more than 2024 may spend: no plan
    (500, 0.6, None, None),            # every candidate
])
def test_plan_matches_brute_force_with_capacities_years_and_budgets(tmp_path, radius, film_share, budget, milestone):
    budget_toml = "budget_yuan = { " + ", ".join(f"{y} = {v}" for y, v in budget.items()) + " }" if budget else ""
    milestone_toml = f"milestones = {{ 2024 = {milestone} }}" if milestone else ""
    scn = _county(tmp_path, radius=radius, film_share=film_share, milestone=milestone_toml, budget=budget_toml)
    want = _brute_force(radius, film_share, 1.0, budget, milestone)
    if not np.isfinite(want):
        with pytest.raises(NoFeasiblePlan):
            make_plan(scn, time_limit_s=20)
        return
    plan = make_plan(scn, time_limit_s=20)
    assert plan.result.status.value == "optimal"
    assert plan.total_cost_yuan == pytest.approx(want)
    # what is built stays built, budgets hold, and each year's shares hold on the indicators' reading
    from geoplan.planning.documents import read_plan

    reading = read_plan(scn, plan)
    table = reading.table(scn)
    due = table[table["due"] > 0]
    assert (due["actual"] + 1e-6 >= due["due"]).all()
    if budget:
        for year, cap in budget.items():
            assert plan.new_sites.loc[plan.new_sites["year"] == year, "fixed_cost_yuan"].sum() <= cap + 1e-6
    # and independently: the LP here covers what the indicators say in the last year
    d = _distances(VILLAGES, CANDIDATES)
    built = [int(i[1:]) for i in plan.new_sites["id"]]
    film = reading.by_year[2025].coverage["film_recovery_coverage"]
    assert film.actual + 1e-6 >= film_share
    assert _max_cover(d, radius, np.array(MULCHED_MU) * FILM_KG_PER_MU / 1000, CAPACITY_T,
                      np.array(MULCHED_MU, float), built) / sum(MULCHED_MU) + 1e-6 >= film.actual


def test_station_loads_in_the_plan_are_the_reports_and_within_capacity(tmp_path):
    scn = _county(tmp_path, film_share=0.8)
    out = run_plan(scn, time_limit_s=20, tiles="none")
    loads = pd.read_csv(out.folder / "facility_loads.csv", encoding="utf-8-sig")
    assert (loads["load"] <= loads["capacity"] + 1e-6).all()
    alternatives.adopt(scn, out.name)
    from geoplan.indicators import compute_indicators

    report = compute_indicators(load_scenario(scn.folder), "plan")
    mine = report.loads["film_recycling_stations"].set_index("id")["load"]
    theirs = loads[loads["kind"] == "film_recycling_stations"].set_index("id")["load"]
    pd.testing.assert_series_equal(mine.sort_index(), theirs.sort_index(), check_names=False, atol=1e-6)
    assert report.coverage["film_recovery_coverage"].actual == pytest.approx(
        out.indicators.query("key == 'film_recovery_coverage' and year == 2025")["actual"].iloc[0], abs=1e-4)


def test_budget_too_small_says_by_how_much_and_writes_nothing(tmp_path):
    scn = _county(tmp_path, film_share=0.8, budget="budget_yuan = { 2024 = 0.0, 2025 = 1e5 }")
    with pytest.raises(NoFeasiblePlan) as err:
        run_plan(scn, time_limit_s=20, tiles="none")
    text = str(err.value)
    assert "2025" in text and "short by" in text and "budget_yuan" in text
    assert not (scn.output_dir / "plans").exists() or not any((scn.output_dir / "plans").iterdir())


def test_target_out_of_reach_names_the_rows_and_the_standard_that_would_meet_it(tmp_path):
    # only the two western candidates: the eastern villages are beyond 500 m of every site
    scn = _county(tmp_path, radius=500, film_share=0.9, candidates=CANDIDATES[:2])
    with pytest.raises(NoFeasiblePlan) as err:
        make_plan(scn, time_limit_s=10)
    text = str(err.value)
    d = _distances(VILLAGES, CANDIDATES[:2])
    far = [f"VL{i}" for i in range(len(VILLAGES)) if d[i].min() > 500]
    assert far and all(v in text for v in far[:8])
    assert "film_recovery_coverage" in text and "service_radius_m =" in text
    # the standard it names does reach the target with these candidates
    needed = float(text.split("service_radius_m = ")[1].split()[0].replace(",", ""))
    w = np.array(MULCHED_MU, float)
    assert w[d.min(axis=1) <= needed].sum() / w.sum() >= 0.9 - 1e-9
    assert w[d.min(axis=1) <= needed - 1].sum() / w.sum() < 0.9


def test_generated_candidates_fill_in_where_the_given_fall_short(tmp_path):
    scn = _county(tmp_path, radius=500, film_share=0.9, candidates=CANDIDATES[:2], generate="true")
    plan = make_plan(scn, time_limit_s=20)
    assert (plan.new_sites["origin"] == "generated").any()
    assert any("generated" in n for n in plan.notes)


def test_alternatives_are_never_overwritten_and_only_adopt_changes_the_plan(tmp_path):
    scn = _county(tmp_path, film_share=0.8)
    plan_file = scn.output_dir / "planned_sites.gpkg"
    first = run_plan(scn, time_limit_s=20, tiles="none")
    second = run_plan(scn, time_limit_s=20, tiles="none")
    assert (first.name, second.name) == ("plan", "plan-2")
    # same input, same bytes: the project list, the workbook and the indicators per year
    for name in ("projects.csv", "projects.xlsx", "indicators_by_year.csv", "spending_by_year.csv"):
        assert (first.folder / name).read_bytes() == (second.folder / name).read_bytes(), name
    from openpyxl import load_workbook

    book = load_workbook(first.folder / "projects.xlsx")
    sheet = book["项目清单 projects"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "序号 / No." and sheet.max_row == len(first.projects) + 1
    assert sheet["E2"].value == first.projects.loc[0, "总投资（万元）"] and "万元" in sheet["E2"].number_format
    assert not plan_file.exists()  # planning never touches the plan
    with pytest.raises(GeoplanError, match="exists"):
        run_plan(scn, name="plan", time_limit_s=20, tiles="none")
    # a siting run is an alternative too
    sited = run_siting(scn, "film_recycling_stations", "mclp", p=1, time_limit_s=10)
    assert sited.alternative == "site-film_recycling_stations-mclp" and not plan_file.exists()
    alternatives.adopt(scn, "plan")
    assert plan_file.read_bytes() == (alternatives.plans_dir(scn) / "plan" / "planned_sites.gpkg").read_bytes()
    assert alternatives.adopted_name(scn) == "plan"
    listed = alternatives.list_alternatives(scn)
    assert listed.set_index("name").loc["plan", "adopted"] == "✓"
    assert set(listed["name"]) == {"plan", "plan-2", "site-film_recycling_stations-mclp"}
    cmp = alternatives.compare(scn, "plan", "site-film_recycling_stations-mclp")
    assert {"indicators", "costs", "sites"} <= set(cmp)
    assert len(cmp["indicators"]) > 0
    # a plan edited by hand is kept as an alternative before another is adopted
    edited = layers.read_layer(plan_file, "film_recycling_stations", layer="film_recycling_stations")
    layers.write_layers({"film_recycling_stations": edited.iloc[:1]}, plan_file)
    alternatives.adopt(scn, "plan-2")
    kept = alternatives.plans_dir(scn) / "before-plan-2" / "planned_sites.gpkg"
    assert kept.is_file() and len(layers.read_layer(kept, "film_recycling_stations",
                                                    layer="film_recycling_stations")) == 1


def test_failed_siting_writes_nothing_and_exits_3(tmp_path):
    scn = _county(tmp_path, film_share=0.8)
    run = subprocess.run([sys.executable, "-m", "geoplan", "site", str(scn.folder), "--kind",
                          "film_recycling_stations", "--model", "lscp", "--radius-m", "5"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, run.stderr
    assert "Traceback" not in run.stderr and "5 m" in run.stderr
    assert not (scn.output_dir / "plans").exists() or not any((scn.output_dir / "plans").iterdir())


def test_plan_command_writes_an_alternative_and_adopts_on_request(tmp_path):
    scn = _county(tmp_path, film_share=0.8)
    run = subprocess.run([sys.executable, "-m", "geoplan", "plan", str(scn.folder), "--name", "方案A", "--adopt",
                          "--tiles", "none"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    folder = scn.output_dir / "plans" / "方案A"
    for name in ("planned_sites.gpkg", "projects.csv", "projects.xlsx", "indicators_by_year.csv", "map_plan.html",
                 "alternative.json"):
        assert (folder / name).is_file(), name
    meta = json.loads((folder / "alternative.json").read_text(encoding="utf-8"))
    assert meta["targets_met"] == "2/2"
    projects = pd.read_csv(folder / "projects.csv", encoding="utf-8-sig")
    assert list(projects.columns[:6]) == ["序号", "项目名称", "实施主体", "工程建设内容", "总投资（万元）", "建设期限"]
    assert projects["总投资（万元）"].sum() == pytest.approx(meta["cost_wan_yuan"])
    listed = subprocess.run([sys.executable, "-m", "geoplan", "plan", "list", str(scn.folder)],
                            capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0 and "方案A" in listed.stdout and "✓" in listed.stdout
    again = subprocess.run([sys.executable, "-m", "geoplan", "plan", str(scn.folder), "--name", "方案A",
                            "--tiles", "none"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr
    other = subprocess.run([sys.executable, "-m", "geoplan", "plan", str(scn.folder), "--name", "B",
                            "--tiles", "none"], capture_output=True, text=True, timeout=300)
    assert other.returncode == 0 and (scn.output_dir / "plans" / "B").is_dir()
    # adopting B replaces the plan with B's; A stays as it was
    a_bytes = (folder / "planned_sites.gpkg").read_bytes()
    adopt = subprocess.run([sys.executable, "-m", "geoplan", "plan", "adopt", str(scn.folder), "B"],
                           capture_output=True, text=True, timeout=300)
    assert adopt.returncode == 0, adopt.stderr
    assert (folder / "planned_sites.gpkg").read_bytes() == a_bytes
    cmp = subprocess.run([sys.executable, "-m", "geoplan", "plan", "compare", str(scn.folder), "方案A", "B"],
                         capture_output=True, text=True, timeout=300)
    assert cmp.returncode == 0, cmp.stderr
    assert "film_recovery_coverage" in cmp.stdout and "cost_wan_yuan 方案A" in cmp.stdout
    missing = subprocess.run([sys.executable, "-m", "geoplan", "plan", "adopt", str(scn.folder), "nope"],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "方案A" in missing.stderr and "Traceback" not in missing.stderr


def test_plan_with_an_impossible_target_exits_3(tmp_path):
    scn = _county(tmp_path, radius=500, film_share=0.9, candidates=CANDIDATES[:2])
    run = subprocess.run([sys.executable, "-m", "geoplan", "plan", str(scn.folder), "--tiles", "none"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, (run.stdout, run.stderr)
    assert "VL" in run.stderr and "Traceback" not in run.stderr
    assert not (scn.output_dir / "plans").exists()


def test_infeasible_capacitated_siting_raises_and_keeps_every_file(tmp_path):
    """Film demand (≈ 169 t/yr) above every candidate's capacity together (145 t/yr): no plan, nothing written."""
    from layers.errors import NoResult

    scn = _county(tmp_path, radius=5000)
    assert sum(CAPACITY_T) < (sum(MULCHED_MU) * FILM_KG_PER_MU + sum(SHOP_KG)) / 1000
    with pytest.raises(NoResult, match="no feasible plan"):
        run_siting(scn, "film_recycling_stations", "cflp", time_limit_s=10)
    assert not (scn.output_dir / "plans").exists() and not (scn.output_dir / "planned_sites.gpkg").exists()


def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path):
    scn = _county(tmp_path, film_share=0.8)
    scn.output_dir.write_text("not a folder", encoding="utf-8")
    with pytest.raises(GeoplanError, match="is a file"):
        run_plan(scn, time_limit_s=20, tiles="none")
    assert scn.output_dir.read_text(encoding="utf-8") == "not a folder"
