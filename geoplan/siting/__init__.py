"""Planning workflows on top of the siting optimisers.

:func:`run_siting` builds a facility kind's problem from a scenario (demand from the
layers, sites = the kind's facilities in the plan + its candidate sites, costs on the
road network), solves it with one model, and writes the chosen sites into the
scenario's output, where the indicators' plan state reads them.
"""

from geoplan.siting.demand import DemandTable
from geoplan.siting.models import MODELS
from geoplan.siting.problem_builder import BuiltProblem, build_problem, site_table
from geoplan.siting.workflow import KINDS, SitingOutcome, run_siting

__all__ = [
    "KINDS",
    "MODELS",
    "BuiltProblem",
    "DemandTable",
    "SitingOutcome",
    "build_problem",
    "run_siting",
    "site_table",
]
