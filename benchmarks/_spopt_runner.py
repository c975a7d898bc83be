"""Run a spopt model on an instance in its own process (PuLP/HiGHS must not share a
process with OR-Tools). Usage: python _spopt_runner.py instance.npz model p radius time_limit_s
Writes one JSON line: status, objective, time_s, open site indices."""

import json
import sys
import time

import numpy as np


def main() -> None:
    path, model, p, radius, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    import pulp
    from spopt.locate import MCLP, PMedian

    data = np.load(path)
    costs, weight = data["costs"], data["weight"]
    t = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=limit)
    if model == "p-median":
        m = PMedian.from_cost_matrix(costs, weight, p).solve(solver)
    else:
        m = MCLP.from_cost_matrix(costs, weight, radius, p).solve(solver)
    elapsed = time.perf_counter() - t
    status = pulp.LpStatus[m.problem.status]
    obj = m.problem.objective.value()
    opened = [j for j, v in enumerate(m.fac_vars) if v.value() and v.value() > 0.5]
    print(json.dumps({"status": status, "objective": obj, "time_s": elapsed, "open": opened}))


if __name__ == "__main__":
    main()
