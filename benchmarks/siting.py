"""geoplan siting against spopt (PuLP + CBC) at equal time limits on random instances.

Uniform points in a 50 km square, Euclidean distances (m), integer weights 1–99.
spopt runs in its own process (PuLP/HiGHS must not share a process with OR-Tools).

    python benchmarks/siting.py [--quick] [--seed 0] [--time-limit 60] [--radius 5000] [--spread 5]

``--spread N`` also solves the largest p-median on N more instances (seeds seed+1 …
seed+N; ours only — spopt cannot hold them) and prints the spread of the gaps, since
one instance's gap says little: the LP relaxation's own gap varies from instance to
instance.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from optimizers.siting import SitingProblem, solve_mclp, solve_p_median  # noqa: E402

RUNNER = Path(__file__).with_name("_spopt_runner.py")
SIZES = [(500, 50, 5), (2000, 100, 10), (10_000, 1000, 50)]
SPOPT_MAX_PAIRS = 1_000_000  # beyond this spopt's one-variable-per-pair model exhausts memory here
SIDE_M = 50_000.0  # side of the square the instances' points lie in


def instance_points(n: int, m: int, seed: int):
    """Demand points and sites (m, in a 50 km square) and the demand weights of one instance."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, SIDE_M, (n, 2)), rng.uniform(0, SIDE_M, (m, 2))
    return a, b, rng.integers(1, 100, n).astype(float)


def instance(n: int, m: int, seed: int):
    a, b, w = instance_points(n, m, seed)
    costs = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    return costs, w


def run_spopt(costs, w, model, p, radius, limit):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inst.npz"
        np.savez(path, costs=costs, weight=w)
        t = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(RUNNER), str(path), model, str(p), str(radius), str(limit)],
                                  capture_output=True, text=True, timeout=limit * 3 + 60)
        except subprocess.TimeoutExpired:
            return None, time.perf_counter() - t, "did not finish within limit"
        if proc.returncode != 0:
            return None, time.perf_counter() - t, "failed: " + proc.stderr.strip().splitlines()[-1][:60]
        ref = json.loads(proc.stdout.strip().splitlines()[-1])
        return ref["objective"], ref["time_s"], ref["status"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="only the two smaller sizes, 20 s limit")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--radius", type=float, default=5000.0)
    ap.add_argument("--sizes", default="", help="e.g. 500x50x5,2000x100x10")
    ap.add_argument("--spread", type=int, default=0, help="more instances of the largest p-median (ours only)")
    args = ap.parse_args()
    sizes = [tuple(map(int, s.split("x"))) for s in args.sizes.split(",")] if args.sizes else SIZES
    limit = args.time_limit
    if args.quick:
        sizes, limit = sizes[:2], min(limit, 20.0)
    head = f"{'model':9} {'size':>14} {'ours s':>7} {'ours obj':>14} {'bound':>14} {'gap':>8} {'status':>9} " \
           f"{'spopt s':>8} {'spopt obj':>14} {'spopt status':>22} {'ratio':>6} {'agree':>6}"
    print(head)
    notes = []
    for n, m, p in sizes:
        costs, w = instance(n, m, args.seed)
        pr = SitingProblem(costs, w, [str(j) for j in range(m)])
        for model in ("p-median", "mclp"):
            t = time.perf_counter()
            r = solve_p_median(pr, p, time_limit_s=limit) if model == "p-median" else \
                solve_mclp(pr, p, args.radius, time_limit_s=limit)
            ours_t = time.perf_counter() - t
            if n * m > SPOPT_MAX_PAIRS:
                s_obj, s_t, s_status = None, float("nan"), "skipped (memory: n×m vars)"
            else:
                s_obj, s_t, s_status = run_spopt(costs, w, model, p, args.radius, limit)
            agree = "—" if s_obj is None else f"{abs(r.objective - s_obj) / max(abs(s_obj), 1):.1e}"
            ratio = s_t / ours_t if s_obj is not None or "within" in s_status else float("nan")
            print(f"{model:9} {f'{n}x{m} p={p}':>14} {ours_t:7.2f} {r.objective:14.1f} {r.bound:14.1f} "
                  f"{r.gap:8.3%} {r.status.value:>9} {s_t:8.2f} {s_obj if s_obj is not None else float('nan'):14.1f} "
                  f"{s_status[:22]:>22} {ratio:6.2f} {agree:>6}", flush=True)
            if r.lp_relaxation_range is not None and r.gap > 0:
                low, high = r.lp_relaxation_range
                notes.append(f"{model} {n}x{m} p={p}: LP relaxation in [{low:,.0f}, {high:,.0f}] "
                             f"(Lagrangian bound, cost of the volume steps' fractional plan): no LP or "
                             f"Lagrangian bound can prove this plan within {r.integrality_gap:.3%}")
    for note in notes:
        print(note)
    if args.spread:
        spread(sizes[-1], args.seed, args.spread, limit)


def spread(size: tuple[int, int, int], seed: int, count: int, limit: float) -> None:
    """The largest p-median on ``count`` more instances: gap, and where the LP lies, per seed."""
    n, m, p = size
    print(f"\np-median {n}x{m} p={p}, {limit:g} s each, on more instances")
    print(f"{'seed':>4} {'ours s':>7} {'ours obj':>14} {'bound':>14} {'gap':>8} {'LP floor':>9}")
    gaps = []
    for s in range(seed + 1, seed + 1 + count):
        costs, w = instance(n, m, s)
        pr = SitingProblem(costs, w, [str(j) for j in range(m)])
        t = time.perf_counter()
        r = solve_p_median(pr, p, time_limit_s=limit)
        gaps.append(r.gap)
        floor = f"{r.integrality_gap:9.3%}" if r.lp_relaxation_range is not None else f"{'—':>9}"
        print(f"{s:4d} {time.perf_counter() - t:7.2f} {r.objective:14.1f} {r.bound:14.1f} {r.gap:8.3%} {floor}",
              flush=True)
    within = sum(g <= 0.001 for g in gaps)
    print(f"gap: median {np.median(gaps):.3%}, range {min(gaps):.3%} – {max(gaps):.3%}; within 0.1 %: "
          f"{within} of {len(gaps)} (LP floor: no LP or Lagrangian bound can prove the plan closer)")


if __name__ == "__main__":
    main()
