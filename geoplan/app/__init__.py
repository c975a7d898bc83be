"""The interactive siting app: a planner places stations on a map and sees coverage change.

:class:`SitingSession` holds one planner's plan (no web code); :class:`Workspace` holds the
sessions of every browser tab of one scenario, keeps each one's work on disk and saves it
as plan alternatives; :mod:`geoplan.app.web` serves its JSON API and the Leaflet page
(``static/``), and ``geoplan app`` starts it.
"""

from geoplan.app.files import output_path, safe_file_name
from geoplan.app.records import CoverageFigure, PlacedStation, PlanState, Suggestion
from geoplan.settings import ServiceStandard
from geoplan.app.session import APP_KINDS, SitingSession
from geoplan.app.workspace import PlanChanged, SessionGone, Workspace

__all__ = [
    "APP_KINDS",
    "CoverageFigure",
    "PlacedStation",
    "PlanChanged",
    "PlanState",
    "ServiceStandard",
    "SessionGone",
    "SitingSession",
    "Suggestion",
    "Workspace",
    "output_path",
    "safe_file_name",
]
