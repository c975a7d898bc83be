"""Routing benchmark: both engines on every CVRP and MTVRPTWR instance against the BKS.

Usage::

    python benchmarks/routing.py --time-limit 60 --seed 0 [--bench ../shared/bench]

Prints, per instance, the best-known cost, each engine's cost and gap
(cost - BKS) / BKS, the engine ``auto`` picks and its gap, and the means per folder.
Jobs an engine leaves unserved are counted and the gap is then not comparable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import vrplib

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizers.routing import check_feasibility, choose_engine, solve  # noqa: E402
from optimizers.routing.vrplib_io import problem_from_vrplib  # noqa: E402

FOLDERS = {"cvrp": "round", "mtvrptwr": "dimacs"}


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, default=repo.parent / "shared" / "bench")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance per engine")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"time limit {args.time_limit:g} s per instance per engine, seed {args.seed}")
    for folder, rounding in FOLDERS.items():
        gaps: dict[str, list[float]] = {"pyvrp": [], "ortools": [], "auto": []}
        print(f"\n{folder}")
        print(f"{'instance':<14}{'BKS':>9}{'pyvrp':>10}{'gap%':>7}{'ortools':>10}{'gap%':>7}"
              f"{'unserved':>9}  auto")
        for vrp in sorted((args.bench / folder).glob("*.vrp")):
            problem = problem_from_vrplib(vrplib.read_instance(vrp), rounding)
            bks = float(vrplib.read_solution(vrp.with_suffix(".sol"))["cost"])
            row = {}
            for engine in ("pyvrp", "ortools"):
                res = solve(problem, engine=engine, time_limit_s=args.time_limit, seed=args.seed)
                problems = check_feasibility(problem, res)
                cost = res.distance_km * 1000.0
                row[engine] = (cost, (cost - bks) / bks * 100, len(res.unserved), len(problems))
                if not res.unserved:
                    gaps[engine].append(row[engine][1])
            auto = choose_engine(problem, "auto")[0]
            gaps["auto"].append(row[auto][1])
            p, o = row["pyvrp"], row["ortools"]
            flag = "" if p[3] == 0 and o[3] == 0 else f"  checker: pyvrp {p[3]}, ortools {o[3]} violations"
            print(f"{vrp.stem:<14}{bks:>9.0f}{p[0]:>10.0f}{p[1]:>7.2f}{o[0]:>10.0f}{o[1]:>7.2f}"
                  f"{o[2] + p[2]:>9d}  {auto} {row[auto][1]:.2f}{flag}", flush=True)
        means = {k: (sum(v) / len(v) if v else float("nan")) for k, v in gaps.items()}
        print(f"mean gap {folder}: pyvrp {means['pyvrp']:.2f} %, ortools {means['ortools']:.2f} % "
              f"(over {len(gaps['ortools'])} complete), auto {means['auto']:.2f} %")


if __name__ == "__main__":
    main()
