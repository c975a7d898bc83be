"""Solving MathOpt models with HiGHS under a time limit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from ortools.math_opt.python import mathopt

from optimizers.siting.result import SolveStatus

ENGINE = "OR-Tools MathOpt/HiGHS"
# HiGHS stops at a 1e-4 relative gap by default; siting plans are compared to the
# exact optimum, so ask for (nearly) proven optimality.
_REL_GAP = 1e-9
# HiGHS's clock starts after MathOpt has handed it the model and stops before the
# solution is read back; both take time in proportion to the model's size (s per
# variable, measured on a 150 000-variable p-median with the machine loaded)
_TRANSFER_S_PER_VAR = 6e-6


@dataclass
class MipOutcome:
    """What a MIP solve returned: status, objective and proven bound."""

    status: SolveStatus
    objective: float
    bound: float
    result: mathopt.SolveResult | None

    def values(self, variables: list) -> list[float]:
        """Values of ``variables`` in the best solution (requires a solution)."""
        return self.result.variable_values(variables)


def solve(model: mathopt.Model, time_limit_s: float, *, seed: int = 0) -> MipOutcome:
    """Solve ``model`` with HiGHS within ``time_limit_s`` seconds.

    Returns the best solution found, its objective and the solver's proven dual bound.
    The limit covers handing the model over and reading the solution back too: when
    that leaves no time, HiGHS is not called and the outcome is ``NO_SOLUTION`` (so a
    limit is kept however short it is, and the answer does not depend on the machine).
    """
    transfer = _TRANSFER_S_PER_VAR * model.get_num_variables()
    limit = float(time_limit_s) - transfer
    if limit <= 0.0:
        return MipOutcome(SolveStatus.NO_SOLUTION, math.nan, math.nan, None)
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=limit),
        relative_gap_tolerance=_REL_GAP,
        absolute_gap_tolerance=1e-9,
        random_seed=int(seed),
    )
    res = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)
    reason = res.termination.reason
    T = mathopt.TerminationReason
    if reason in (T.INFEASIBLE, T.INFEASIBLE_OR_UNBOUNDED):
        return MipOutcome(SolveStatus.INFEASIBLE, math.nan, math.nan, None)
    bounds = res.termination.objective_bounds
    has = res.has_primal_feasible_solution()
    if reason == T.OPTIMAL and has:
        obj = res.objective_value()
        return MipOutcome(SolveStatus.OPTIMAL, obj, obj, res)
    bound = bounds.dual_bound
    if has:
        return MipOutcome(SolveStatus.FEASIBLE, res.objective_value(), bound, res)
    return MipOutcome(SolveStatus.NO_SOLUTION, math.nan, bound, None)
