"""geoplan: facility siting, vehicle routing and coverage maps for 无废城市 (zero-waste city) plans.

The command line (``geoplan demo``, ``validate``, ``site``, ``route``, ``report``, ``app``) is
the main way in; the packages are usable from Python too:

- :mod:`optimizers.siting` — siting models on your own cost matrix
  (:class:`~optimizers.siting.SitingProblem`, ``solve_p_median`` …);
- :mod:`optimizers.routing` — vehicle routing (:class:`~optimizers.routing.RoutingProblem`, ``solve``);
- :mod:`geoplan.scenario` — a scenario folder (:func:`~geoplan.scenario.load_scenario`), its
  layers, road network and typed settings.

Every error a user can cause is a :class:`GeoplanError`, a :class:`ValueError`.
"""

from importlib.metadata import PackageNotFoundError, version as _version

from layers.errors import GeoplanError

try:
    __version__ = _version("geoplan")
except PackageNotFoundError:  # run from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["GeoplanError", "__version__"]
