"""Facility siting on cost matrices: LSCP, MCLP, p-median, p-center and capacitated.

Build a :class:`SitingProblem` (costs, demand weights, site ids and status), then
call one ``solve_*`` function; every one returns a :class:`SitingResult` and has a
time limit.
"""

from optimizers.siting.capacitated import solve_cflp
from optimizers.siting.center import solve_p_center
from optimizers.siting.coverage import solve_lscp, solve_mclp
from optimizers.siting.median import solve_p_median
from optimizers.siting.problem import SITE_STATUSES, CapacityClasses, SiteGroups, SitingProblem
from optimizers.siting.result import SitingResult, SolveStatus

__all__ = [
    "SITE_STATUSES",
    "CapacityClasses",
    "SiteGroups",
    "SitingProblem",
    "SitingResult",
    "SolveStatus",
    "solve_cflp",
    "solve_lscp",
    "solve_mclp",
    "solve_p_center",
    "solve_p_median",
]
