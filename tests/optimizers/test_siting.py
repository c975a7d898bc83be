"""Siting models against brute-force enumeration and spopt's own San Francisco data."""

import importlib.util
import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from layers.errors import GeoplanError
from optimizers.siting import (
    CapacityClasses, SitingProblem, SolveStatus, solve_cflp, solve_lscp, solve_mclp,
    solve_p_center, solve_p_median,
)

# spopt ships its test data in its wheel; find the installed package without importing it
# (importing spopt pulls in PuLP/highspy, which breaks OR-Tools in the same process)
SPOPT_DATA = Path(importlib.util.find_spec("spopt").submodule_search_locations[0]) / "tests/test_locate/data"
RUNNER = Path(__file__).resolve().parents[2] / "benchmarks" / "_spopt_runner.py"


def small(seed, n=14, m=8):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 10_000, (n, 2)), rng.uniform(0, 10_000, (m, 2))
    costs = np.round(np.hypot(*(a[:, None] - b[None]).transpose(2, 0, 1)))
    return costs, rng.integers(1, 20, n).astype(float)


STATUS = ["existing", "required", "candidate", "candidate", "excluded", "candidate", "candidate", "candidate"]


def plans(status, p_new):
    """All open masks with p_new new sites respecting the statuses (no closing)."""
    m = len(status)
    free = [j for j in range(m) if status[j] == "candidate"]
    req = [j for j in range(m) if status[j] == "required"]
    ex = [j for j in range(m) if status[j] == "existing"]
    for combo in itertools.combinations(free, p_new - len(req)):
        mask = np.zeros(m, bool)
        mask[list(combo) + req + ex] = True
        yield mask


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_p_median_and_center_brute_force(seed):
    costs, w = small(seed)
    pr = SitingProblem(costs, w, [f"s{j}" for j in range(8)], site_status=STATUS)
    best = min(float(w @ costs[:, m].min(1)) for m in plans(STATUS, 3))
    r = solve_p_median(pr, 3, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best)
    assert "s0" in r.open_site_ids and "s1" in r.open_site_ids and "s4" not in r.open_site_ids
    assert len(r.new_site_ids) == 3
    best_c = min(float(costs[:, m].min(1).max()) for m in plans(STATUS, 3))
    rc = solve_p_center(pr, 3, time_limit_s=20)
    assert rc.status == SolveStatus.OPTIMAL and rc.objective == pytest.approx(best_c)


@pytest.mark.parametrize("seed", [0, 3])
def test_mclp_and_lscp_brute_force(seed):
    costs, w = small(seed)
    radius = 3500.0
    pr = SitingProblem(costs, w, [f"s{j}" for j in range(8)], site_status=STATUS)
    best = max(float(w[(costs[:, m] <= radius).any(1)].sum()) for m in plans(STATUS, 3))
    r = solve_mclp(pr, 3, radius, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best)
    assert r.covered_weight == pytest.approx(best)
    # LSCP: fewest new sites covering everything, or infeasible with named points
    r = solve_lscp(pr, radius, time_limit_s=20)
    feas = [k for k in range(1, 7) if any((costs[:, m] <= radius).any(1).all() for m in plans(STATUS, k))]
    if feas:
        assert r.status == SolveStatus.OPTIMAL and r.objective == feas[0]
    else:
        assert r.status == SolveStatus.INFEASIBLE


def test_lscp_infeasible_names_unreachable_points():
    costs, w = small(0)
    costs[5] = 50_000.0
    pr = SitingProblem(costs, w, [f"s{j}" for j in range(8)], demand_ids=[f"d{i}" for i in range(14)])
    r = solve_lscp(pr, 4000.0)
    expected = [f"d{i}" for i in np.flatnonzero(costs.min(1) > 4000.0)]
    assert "d5" in expected
    assert r.status == SolveStatus.INFEASIBLE and r.unreachable_demand_ids == expected
    assert "d5" in r.infeasibility_reason


def test_budget_and_closing_brute_force():
    costs, w = small(4)
    fixed = np.array([0, 5, 3, 4, 1, 2, 6, 3.0])
    closing = np.array([-2.0] + [np.inf] * 7)  # closing s0 saves 2
    status = ["existing"] + ["candidate"] * 7
    pr = SitingProblem(costs, w, [f"s{j}" for j in range(8)], site_status=status, fixed_cost=fixed,
                       closing_cost=closing, budget=7.0)
    radius = 4000.0
    best = -1.0
    for k in range(0, 8):
        for combo in itertools.combinations(range(1, 8), k):
            for keep in (True, False):
                cost = fixed[list(combo)].sum() + (0 if keep else -2.0)
                if k != 3 or cost > 7.0:
                    continue
                mask = np.zeros(8, bool)
                mask[list(combo)] = True
                mask[0] = keep
                best = max(best, float(w[(costs[:, mask] <= radius).any(1)].sum()))
    r = solve_mclp(pr, 3, radius, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best)


def _transport_cost(costs, w, cap, mask):
    idx = np.flatnonzero(mask)
    n, k = len(w), len(idx)
    c = (w[:, None] * costs[:, idx]).ravel()
    a_eq = np.kron(np.eye(n), np.ones(k))
    a_ub = np.kron(w[:, None].T * 0 + np.ones((1, n)), np.eye(k)) * np.repeat(w, k)[None, :]
    res = linprog(c, A_ub=a_ub, b_ub=cap[idx], A_eq=a_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs")
    return res.fun if res.status == 0 else np.inf


def test_cflp_split_and_single_sourcing_brute_force():
    costs, w = small(5, n=6, m=5)
    fixed = np.array([30_000, 20_000, 25_000, 40_000, 10_000.0])
    cap = np.array([40, 30, 35, 60, 25.0])
    status = ["existing", "candidate", "candidate", "candidate", "excluded"]
    pr = SitingProblem(costs, w, list("abcde"), site_status=status, fixed_cost=fixed, capacity=cap)
    best_split = best_single = np.inf
    for k in range(0, 4):
        for combo in itertools.combinations([1, 2, 3], k):
            mask = np.zeros(5, bool)
            mask[[0, *combo]] = True
            f = fixed[list(combo)].sum()
            best_split = min(best_split, f + _transport_cost(costs, w, cap, mask))
            idx = np.flatnonzero(mask)
            for assign in itertools.product(idx, repeat=len(w)):
                load = np.bincount(assign, weights=w, minlength=5)
                if np.all(load <= cap + 1e-9):
                    best_single = min(best_single, f + float(sum(w[i] * costs[i, j] for i, j in enumerate(assign))))
    r = solve_cflp(pr, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best_split, rel=1e-7)
    r = solve_cflp(pr, single_sourcing=True, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best_single, rel=1e-7)
    load = np.bincount(r.assignment, weights=w, minlength=5)
    assert np.all(load <= cap + 1e-6)


def test_cflp_capacity_classes_brute_force():
    costs, w = small(6, n=6, m=4)
    classes = CapacityClasses(["IV", "V"], [60.0, 25.0], [30_000.0, 12_000.0])
    pr = SitingProblem(costs, w, list("abcd"), capacity_classes=classes)
    best = np.inf
    for choice in itertools.product([None, 0, 1], repeat=4):
        mask = np.array([c is not None for c in choice])
        if not mask.any():
            continue
        cap = np.array([classes.capacity[c] if c is not None else 0 for c in choice])
        f = sum(classes.fixed_cost[c] for c in choice if c is not None)
        best = min(best, f + _transport_cost(costs, w, cap, mask))
    r = solve_cflp(pr, time_limit_s=20)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(best, rel=1e-7)
    assert set(r.capacity_class) == set(r.new_site_ids)


def test_validation_errors():
    with pytest.raises(GeoplanError, match="NaN"):
        SitingProblem(np.array([[np.nan, 1.0]]), [1.0], ["a", "b"])
    with pytest.raises(GeoplanError, match="negative"):
        SitingProblem(np.ones((1, 2)), [-1.0], ["a", "b"])
    with pytest.raises(GeoplanError, match="site_status"):
        SitingProblem(np.ones((1, 2)), [1.0], ["a", "b"], site_status=["open", "candidate"])


def test_time_limit_returns_feasible_with_gap():
    rng = np.random.default_rng(9)
    a, b = rng.uniform(0, 50_000, (1500, 2)), rng.uniform(0, 50_000, (100, 2))
    costs = np.hypot(*(a[:, None] - b[None]).transpose(2, 0, 1))
    pr = SitingProblem(costs, rng.integers(1, 100, 1500).astype(float), [str(j) for j in range(100)])
    r = solve_p_median(pr, 10, time_limit_s=1.0)
    assert r.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert r.gap >= 0 and r.bound <= r.objective + 1e-6
    assert np.all(r.assignment >= 0)


@pytest.fixture(scope="module")
def sf():
    pd = pytest.importorskip("pandas")
    nd = pd.read_csv(SPOPT_DATA / "SF_network_distance_candidateStore_16_censusTract_205_new.csv")
    piv = nd.pivot_table(values="distance", index="DestinationName", columns="name")
    dem = pd.read_csv(SPOPT_DATA / "SF_demand_205_centroid_uniform_weight.csv").sort_values("NAME")
    w = dem.POP2000.to_numpy(float)
    return piv.to_numpy(), w


def test_sf_p_median_reaches_spopt_optimum(sf):
    costs, w = sf
    r = solve_p_median(SitingProblem(costs, w, [str(j) for j in range(16)]), 4, time_limit_s=30)
    assert r.status == SolveStatus.OPTIMAL
    assert r.objective / w.sum() == pytest.approx(2982.1268579890657, rel=1e-9)


def test_sf_mclp_reaches_spopt_optimum(sf):
    costs, w = sf
    r = solve_mclp(SitingProblem(costs, w, [str(j) for j in range(16)]), 4, 5000.0, time_limit_s=30)
    assert r.status == SolveStatus.OPTIMAL
    assert int((r.assignment < 0).sum()) == 21
    assert (r.assignment >= 0).mean() * 100 == pytest.approx(89.75609756097561)


@pytest.mark.parametrize("model", ["p-median", "mclp"])
def test_sf_against_spopt_subprocess(sf, model, tmp_path):
    costs, w = sf
    path = tmp_path / "sf.npz"
    np.savez(path, costs=costs, weight=w)
    proc = subprocess.run([sys.executable, str(RUNNER), str(path), model, "4", "5000", "60"],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        pytest.skip(f"spopt could not run in a subprocess: {proc.stderr[-300:]}")
    ref = json.loads(proc.stdout.strip().splitlines()[-1])
    pr = SitingProblem(costs, w, [str(j) for j in range(16)])
    ours = solve_p_median(pr, 4) if model == "p-median" else solve_mclp(pr, 4, 5000.0)
    assert ref["status"] == "Optimal"
    assert ours.objective == pytest.approx(ref["objective"], rel=1e-9)


def _textbook_p_median(costs: np.ndarray, w: np.ndarray, p: int) -> float:
    """The textbook model (y_j open, x_ij assign) solved by SciPy's own HiGHS, to proven optimality."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    import scipy.sparse as sp

    n, m = costs.shape
    assign = sp.hstack([sp.csr_matrix((n, m)), sp.kron(sp.eye(n), np.ones((1, m)))])
    link = sp.hstack([-sp.kron(np.ones((n, 1)), sp.eye(m)), sp.eye(n * m)])
    count = sp.hstack([sp.csr_matrix(np.ones((1, m))), sp.csr_matrix((1, n * m))])
    res = milp(np.r_[np.zeros(m), (w[:, None] * costs).ravel()],
               constraints=[LinearConstraint(assign, 1, 1), LinearConstraint(link, -np.inf, 0),
                            LinearConstraint(count, p, p)],
               integrality=np.r_[np.ones(m), np.zeros(n * m)], bounds=Bounds(0, 1),
               options={"time_limit": 300, "mip_rel_gap": 1e-9})
    assert res.status == 0, res.message
    return float(res.fun)


def test_p_median_gives_a_small_hard_instance_the_exact_model():
    """i.i.d. random costs: the LP gap is wide, so the plan must come from the exact model.

    On 120 × 25 the whole model is small; it gets the time (the stages before it take
    well under a second) instead of rounds of truncated models that each start afresh.
    """
    rng = np.random.default_rng(1)
    costs = rng.integers(0, 10_000, (120, 25)).astype(float)
    w = np.ones(120)
    r = solve_p_median(SitingProblem(costs, w, [str(j) for j in range(25)]), 5, time_limit_s=40)
    assert r.status == SolveStatus.OPTIMAL
    assert r.objective == pytest.approx(_textbook_p_median(costs, w, 5))
