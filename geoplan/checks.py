"""Checking a whole scenario: every layer's validation plus how far points lie from the roads."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pyogrio

import layers
from layers.errors import Issue, LayerValidationError
from geoplan.scenario import Scenario

_NETWORK_LAYERS = ("roads", "restricted_zones")


@dataclass
class ScenarioCheck:
    """What :func:`check_scenario` found."""

    layer_rows: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    snap_stats: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def read_all_layers(scenario: Scenario, check: ScenarioCheck) -> dict[str, gpd.GeoDataFrame]:
    """Read every layer of the scenario, collecting problems of all layers instead of stopping at the first."""
    path = scenario.layers_path
    if not path.exists():
        layers.read_layers(path)  # raises the readers' own clear message
    out = {}
    for name in pyogrio.list_layers(path)[:, 0]:
        try:
            kind = layers.get_kind(name)
        except Exception:
            check.issues.append(Issue(str(path), name, None, None, "layer name is not a geoplan layer kind",
                                      "rename it to one of the kinds in `geoplan validate --help`", "warning"))
            continue
        try:
            gdf = layers.read_layer(path, kind.name, layer=name, to_crs=scenario.metric_epsg)
        except LayerValidationError as exc:
            check.issues.extend(exc.issues)
            continue
        check.issues.extend(gdf.attrs.get("issues", []))
        check.layer_rows[name] = len(gdf)
        out[name] = gdf
    return out


def check_scenario(scenario: Scenario) -> ScenarioCheck:
    """Validate all layers and snap every point layer to the road network.

    Points farther than ``[network] max_snap_m`` from the network are reported as errors
    (they are not silently snapped).
    """
    check = ScenarioCheck()
    frames = read_all_layers(scenario, check)
    if check.errors and "roads" not in frames:
        return check
    network = scenario.road_network
    limit = scenario.network_settings.max_snap_m
    for name, gdf in frames.items():
        if name in _NETWORK_LAYERS or not len(gdf) or not (gdf.geom_type == "Point").all():
            continue
        snapped = network.snap(gdf)
        d = np.asarray(snapped.road_distance_m)
        check.snap_stats[name] = {
            "points": float(len(d)),
            "node_median_m": float(np.median(snapped.distance_m)),
            "median_m": float(np.median(d)),
            "p95_m": float(np.percentile(d, 95)),
            "max_m": float(d.max()),
            "over_limit": float((d > limit).sum()),
        }
        check.issues.extend(network.snap_issues(gdf, file=str(scenario.layers_path), layer=name, max_snap_m=limit))
    return check
