"""The result of a siting solve."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np


class SolveStatus(str, Enum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    #: A feasible plan, not proven optimal (time limit); see ``gap``.
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    #: The time limit passed before any feasible plan was found.
    NO_SOLUTION = "no_solution"


@dataclass
class SitingResult:
    """A siting plan and how good it is.

    Attributes
    ----------
    model : str
        ``"lscp"``, ``"mclp"``, ``"p-median"``, ``"p-center"`` or ``"cflp"``.
    status : SolveStatus
    open_sites : ndarray of int
        Indices of the open sites (existing kept and new), ascending.
    open_site_ids, new_site_ids, kept_existing_ids, closed_existing_ids : list of str
    assignment : ndarray of int, shape (n_demand,)
        Site index serving each demand point; −1 = unassigned / not covered.
    objective : float
        The model's objective for this plan (weighted cost, covered weight, total
        cost, or largest distance — see ``objective_name``); NaN without a plan.
    bound : float
        A proven bound on the optimum (lower for minimisation, upper for MCLP).
    gap : float
        ``|objective − bound| / |objective|`` (0 when optimal, inf without a plan).
    objective_name : str
    covered_weight : float
        Demand weight that is assigned (coverage models: within the radius).
    coverage_rate : float
        ``covered_weight`` / total demand weight.
    solve_time_s : float
    engine : str
    formulation : str
    infeasibility_reason : str or None
    unreachable_demand_ids : list of str
        Demand points that no site that may open can serve.
    capacity_class : dict of str to str
        Chosen capacity class per new site id (capacitated model with classes).
    allocation : list of (demand index, site index, share)
        Split assignment of the capacitated model without single sourcing.
    lp_relaxation_range : (float, float) or None
        Where the optimum of the LP relaxation lies (p-median with a Lagrangian bound):
        at least the Lagrangian bound, at most the cost of a fractional plan. Every
        bound an LP or Lagrangian relaxation can prove is at most the upper end, so
        when that is far below ``objective`` the gap left is the integrality gap.
    """

    model: str
    status: SolveStatus
    open_sites: np.ndarray
    open_site_ids: list[str]
    new_site_ids: list[str]
    kept_existing_ids: list[str]
    closed_existing_ids: list[str]
    assignment: np.ndarray
    objective: float
    bound: float
    gap: float
    objective_name: str
    covered_weight: float
    coverage_rate: float
    solve_time_s: float
    engine: str
    formulation: str
    infeasibility_reason: str | None = None
    unreachable_demand_ids: list[str] = field(default_factory=list)
    capacity_class: dict[str, str] = field(default_factory=dict)
    allocation: list[tuple[int, int, float]] = field(default_factory=list)
    lp_relaxation_range: tuple[float, float] | None = None

    @property
    def integrality_gap(self) -> float:
        """Least gap a relaxation bound can leave for this plan: ``(objective − LP upper end) / objective``.

        NaN without :attr:`lp_relaxation_range`.
        """
        if self.lp_relaxation_range is None or not self.is_feasible:
            return float("nan")
        return max(0.0, (self.objective - self.lp_relaxation_range[1]) / abs(self.objective))

    @property
    def is_feasible(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def summary(self) -> str:
        """A few lines a planner can read (Chinese first, English beside)."""
        status_zh = {
            SolveStatus.OPTIMAL: "最优 optimal",
            SolveStatus.FEASIBLE: "可行（达到时间上限）feasible at time limit",
            SolveStatus.INFEASIBLE: "无可行解 infeasible",
            SolveStatus.NO_SOLUTION: "时间上限内无解 no solution within time limit",
        }[self.status]
        lines = [
            f"模型 model: {self.model} — {self.formulation} ({self.engine})",
            f"状态 status: {status_zh}",
        ]
        if self.infeasibility_reason:
            lines.append(f"原因 reason: {self.infeasibility_reason}")
        if self.is_feasible:
            lines += [
                f"目标 objective ({self.objective_name}): {self.objective:,.2f}; "
                f"界 bound: {self.bound:,.2f}; 间隙 gap: {self.gap:.4%}",
            ]
            if self.lp_relaxation_range is not None and self.gap > 0:
                low, high = self.lp_relaxation_range
                lines.append(
                    f"线性松弛 LP relaxation: {low:,.2f} … {high:,.2f}; 整数间隙 integrality gap "
                    f"≥ {self.integrality_gap:.4%} (仅分支可证更小 only branching on sites can prove less)"
                )
            lines += [
                f"设施 sites open: {len(self.open_site_ids)} "
                f"(新建 new {len(self.new_site_ids)}, 保留 kept {len(self.kept_existing_ids)}, "
                f"关闭 closed {len(self.closed_existing_ids)})",
                f"新建站点 new sites: {', '.join(self.new_site_ids) or '—'}",
                f"覆盖率 coverage rate: {self.coverage_rate:.2%} (weight {self.covered_weight:,.1f})",
            ]
            if self.capacity_class:
                lines.append(
                    "规模等级 capacity class: "
                    + ", ".join(f"{k}={v}" for k, v in self.capacity_class.items())
                )
        lines.append(f"用时 solve time: {self.solve_time_s:.2f} s")
        return "\n".join(lines)
