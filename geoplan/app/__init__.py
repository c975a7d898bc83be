"""The interactive siting app: a planner places stations on a map and sees coverage change.

:class:`SitingSession` holds the logic (no web framework); ``streamlit_app.py`` is the
thin page on top of it and ``geoplan app`` starts it.
"""

from geoplan.app.files import output_path, safe_file_name
from geoplan.app.records import CoverageFigure, PlacedStation, PlanState, Suggestion
from geoplan.settings import ServiceStandard
from geoplan.app.session import APP_KINDS, SitingSession

__all__ = [
    "APP_KINDS",
    "CoverageFigure",
    "PlacedStation",
    "PlanState",
    "ServiceStandard",
    "SitingSession",
    "Suggestion",
    "output_path",
    "safe_file_name",
]
