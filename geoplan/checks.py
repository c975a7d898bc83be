"""Checking a whole scenario before anything runs on it, so ``site`` and ``route`` never find an input problem first.

:func:`check_scenario` reads every layer (all errors of all layers together), then checks
what the later commands need:

- each point lies within ``[network] max_snap_m`` of a road its vehicles may use, and is
  reachable by them (not on a piece of road the vehicle is cut off from);
- points whose nearest road was dropped from the network are named;
- coordinates declared WGS84/CGCS2000 that sit a consistent 300–1500 m off the roads the way
  GCJ-02 (or BD-09) shifts them are called out;
- each waste fraction collected has a station that accepts it; each layer an indicator or a
  routing workflow needs is present;
- the share of road length the network build dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from geoplan.network.snapping import issues_for_snap

import layers
from layers.crs import SHIFTED_TO_WGS84
from layers.errors import Issue, LayerValidationError
from geoplan.quantities import KITCHEN, OTHER, RECYCLABLES, accepted_fractions
from geoplan.scenario import Scenario
from geoplan.standards import SERVICE_PROFILES

_NETWORK_LAYERS = ("roads", "restricted_zones")
#: Layers each routing workflow reads, and the fleet vehicle that drives to them.
ROUTING_LAYERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "collection": ("compression_truck", ("residential_communities", "transfer_stations", "treatment_plants", "depots")),
    "film": ("film_van", ("villages", "agri_input_shops", "film_recycling_stations")),
    "muck": ("muck_truck", ("construction_sites", "muck_disposal_sites", "muck_transfer_yards", "depots")),
}
#: Above this share of the roads read, a dropped network is worth a warning.
DROPPED_SHARE_WARNING = 0.05
#: A layer whose points lie this far from the roads (median) is tested for a GCJ-02 / BD-09 offset, m:
#: points beside their streets (a shop 2 m off, a village centre on its road) end up 50–200 m off
#: after the shift; the test then asks that reading them as GCJ-02 (BD-09) halves the distance.
OFFSET_SUSPECT_M = 30.0
#: Fewest points that tell a consistent offset from chance.
OFFSET_MIN_POINTS = 5


@dataclass
class ScenarioCheck:
    """What :func:`check_scenario` found.

    Attributes
    ----------
    layer_rows : dict of str to int
    issues : list of Issue
    snap_stats : dict of str to dict
        Per ``"<layer> · <vehicle profile>"``: points, distances to the road (median, p95,
        max), points over the limit and points the vehicle cannot reach.
    network : dict
        :meth:`RoadNetwork.info` of the scenario's network.
    """

    layer_rows: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    snap_stats: dict[str, dict[str, float]] = field(default_factory=dict)
    network: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def read_all_layers(scenario: Scenario, check: ScenarioCheck) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of the scenario, its warnings (estimates included) kept; errors of all layers collected."""
    try:
        frames = scenario.layers
    except LayerValidationError as exc:
        check.issues.extend(exc.issues)
        return {}
    path = scenario.layers_path
    if path.exists():
        for name in layers.gpkg_layer_names(path):
            if name not in layers.LAYER_KINDS:
                check.issues.append(Issue(str(path), name, None, None, "layer name is not a geoplan layer kind",
                                          "rename it to one of the kinds in the README's scenario table", "warning"))
    for name, gdf in frames.items():
        check.issues.extend(gdf.attrs.get("issues", []))
        check.layer_rows[name] = len(gdf)
    return frames


def layer_vehicles(scenario: Scenario, frames: dict[str, gpd.GeoDataFrame]) -> dict[str, set[str]]:
    """The vehicle profiles that must reach each layer: by the targets, the siting and the routing workflows."""
    out: dict[str, set[str]] = {}
    for t in scenario.targets.values():
        out.setdefault(t.demand_kind, set()).add(t.profile)
        out.setdefault(t.facility_kind, set()).add(t.profile)
    for kind, profile in SERVICE_PROFILES.items():
        out.setdefault(kind, set()).add(profile)
    for vehicle, kinds in ROUTING_LAYERS.values():
        for kind in kinds:
            out.setdefault(kind, set()).add(scenario.fleet[vehicle].profile)
    if "candidate_sites" in frames:
        out["candidate_sites"] = {SERVICE_PROFILES[k] for k in set(frames["candidate_sites"]["facility_kind"])
                                  if k in SERVICE_PROFILES}
    return {k: v for k, v in out.items() if k in frames}


def _source(gdf: gpd.GeoDataFrame, scenario: Scenario) -> str:
    return str(gdf.attrs.get("source", scenario.layers_path))


def check_reach(scenario: Scenario, frames: dict[str, gpd.GeoDataFrame], check: ScenarioCheck) -> None:
    """Snap every point layer for each vehicle that serves it: distance to its roads and whether it can reach them."""
    network = scenario.road_network
    limit = scenario.network_settings.max_snap_m
    for name, vehicles in layer_vehicles(scenario, frames).items():
        gdf = frames[name]
        if name in _NETWORK_LAYERS or not len(gdf) or not (gdf.geom_type == "Point").all():
            continue
        for profile in sorted(vehicles):
            main = network.main_nodes(profile)
            rows = gdf
            if name == "candidate_sites":
                rows = gdf[gdf["facility_kind"].map(SERVICE_PROFILES) == profile]
            if not len(rows):
                continue
            snap = network.snap(rows, profile)
            d = np.asarray(snap.road_distance_m)
            cut = ~(main[network.edge_u[snap.edge]] & main[network.edge_v[snap.edge]])
            check.snap_stats[f"{name} · {profile}"] = {
                "points": float(len(d)), "median_m": float(np.median(d)), "p95_m": float(np.percentile(d, 95)),
                "max_m": float(d.max()), "over_limit": float((d > limit).sum()), "unreachable": float(cut.sum()),
            }
            row_ids = rows["id"].astype(str).tolist()
            vehicle = network.profile(profile).label
            check.issues += issues_for_snap(snap, row_ids, _source(gdf, scenario), name, limit, f"{vehicle} may use")
            check.issues += network.dropped_road_issues(shapely.get_coordinates(rows.geometry.to_numpy()), snap,
                                                        row_ids, _source(gdf, scenario), name)
            for rid in np.asarray(row_ids)[cut & (d <= limit)]:
                check.issues.append(Issue(
                    _source(gdf, scenario), name, str(rid), "geometry",
                    f"{vehicle} 无法到达 / {vehicle} cannot reach this point: the roads it may use here are cut off "
                    "from the rest of its network",
                    "move the point to a road the vehicle may drive to, or lift the bar on the roads around it "
                    f"([profiles.{profile}] in scenario.toml)"))


def _offset_warning(scenario: Scenario, name: str, gdf: gpd.GeoDataFrame) -> Issue | None:
    """A warning when a layer declared WGS84/CGCS2000 sits off the roads the way GCJ-02 or BD-09 shifts it."""
    network = scenario.road_network
    declared = str(gdf.attrs.get("declared_crs", ""))
    if layers.shifted_crs(declared) is not None:
        return None
    as_is = np.asarray(network.snap(gdf).road_distance_m)
    if len(as_is) < OFFSET_MIN_POINTS or np.median(as_is) < OFFSET_SUSPECT_M:
        return None
    lonlat = shapely.get_coordinates(gdf.to_crs(4326).geometry.to_numpy())
    best = None
    for crs, convert in SHIFTED_TO_WGS84.items():
        lon, lat = convert(lonlat[:, 0], lonlat[:, 1])
        moved = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(network.crs)
        shifted = np.asarray(network.snap(moved).road_distance_m)
        shift_m = np.hypot(*(shapely.get_coordinates(moved.to_numpy()) -
                             shapely.get_coordinates(gdf.to_crs(network.crs).geometry.to_numpy())).T)
        closer = float(np.mean(shifted < as_is))
        if np.median(shifted) < 0.5 * np.median(as_is) and closer >= 0.7 and 300 <= np.median(shift_m) <= 1500:
            if best is None or np.median(shifted) < best[1]:
                best = (crs, float(np.median(shifted)))
    if best is None:
        return None
    crs, shifted_m = best
    return Issue(_source(gdf, scenario), name, None, "geometry",
                 f"坐标疑似 {crs} / looks like {crs} coordinates: the points lie {np.median(as_is):,.0f} m (median) from "
                 f"the roads as declared ({declared or 'WGS84'}), {shifted_m:,.0f} m if read as {crs}",
                 f"declare crs = \"{crs}\" in the layer's [layers.{name}] section", "warning")


def check_coordinates(scenario: Scenario, frames: dict[str, gpd.GeoDataFrame], check: ScenarioCheck) -> None:
    for name, gdf in frames.items():
        if name in _NETWORK_LAYERS or not len(gdf) or not (gdf.geom_type == "Point").all():
            continue
        issue = _offset_warning(scenario, name, gdf)
        if issue is not None:
            check.issues.append(issue)


def check_needs(scenario: Scenario, frames: dict[str, gpd.GeoDataFrame], check: ScenarioCheck) -> None:
    """The layers the indicators and the workflows read, and a station for each fraction collected."""
    file = str(scenario.folder / "scenario.toml")
    for t in scenario.targets.values():
        if t.demand_kind not in frames:
            check.issues.append(Issue(file, t.demand_kind, None, None,
                                      f"指标 {t.key} 缺少需求图层 / target {t.key} needs the {t.demand_kind} layer, "
                                      "which is missing: the indicator is left out",
                                      f"add the layer ([layers.{t.demand_kind}]) or remove [targets.{t.key}]", "warning"))
        elif not len(frames[t.demand_kind]):
            check.issues.append(Issue(_source(frames[t.demand_kind], scenario), t.demand_kind, None, None,
                                      f"图层为空 / the layer has no rows, so target {t.key} has nothing to measure "
                                      "(its coverage would read 100 % of nothing)",
                                      f"give the layer its rows, or remove [targets.{t.key}] from scenario.toml"))
    for workflow, (_, kinds) in ROUTING_LAYERS.items():
        missing = [k for k in kinds[:1] if k not in frames]
        if missing:
            check.issues.append(Issue(file, missing[0], None, None,
                                      f"路线 {workflow}: 缺少图层 / routing workflow {workflow} needs {missing[0]}",
                                      f"add [layers.{missing[0]}] before `geoplan route --workflow {workflow}`",
                                      "warning"))
    if "residential_communities" in frames and "depots" in frames:
        sites = [frames[k] for k in ("transfer_stations", "treatment_plants") if k in frames]
        accepted = set()
        for gdf in sites:
            for v in (gdf["fractions"] if "fractions" in gdf.columns else [None] * len(gdf)):
                accepted |= set(accepted_fractions(v))
        shares = {KITCHEN: scenario.quantities.kitchen_waste_share,
                  RECYCLABLES: scenario.quantities.recyclables_share,
                  OTHER: scenario.quantities.other_waste_share}
        for fraction, share in shares.items():
            if share > 0 and fraction not in accepted:
                check.issues.append(Issue(
                    "transfer_stations / treatment_plants", "fractions", None, "fractions",
                    f"没有站点接收{fraction} / no transfer station or plant accepts {fraction} "
                    f"({share:.0%} of household waste)",
                    f"list {fraction} in the fractions of a station or plant, or set its share to 0 in [quantities]"))


def check_network(scenario: Scenario, check: ScenarioCheck) -> None:
    info = scenario.road_network.info()
    check.network = info
    if info["share_dropped"] > DROPPED_SHARE_WARNING:
        reasons = ", ".join(f"{r} {km:.1f} km" for r, km in info["dropped_km_by_reason"].items() if km > 0)
        check.issues.append(Issue(
            scenario.network_settings.source, "roads", None, None,
            f"路网构建去掉了 {info['share_dropped']:.0%} 的道路 / the network build dropped {info['dropped_km']:.1f} km "
            f"({info['share_dropped']:.0%}) of the roads read: {reasons}",
            "check the road source (an extract cut too tight, missing links); `geoplan network info` lists it",
            "warning"))


def _once(issues: list[Issue]) -> list[Issue]:
    """The issues without repeats (a point checked for two vehicles is named once per problem)."""
    return list(dict.fromkeys(issues))


def check_scenario(scenario: Scenario) -> ScenarioCheck:
    """Validate all layers and check everything the later commands need (see the module docstring).

    Points farther than ``[network] max_snap_m`` from the roads their vehicles may use, or cut
    off from them, are errors (they are not silently snapped).
    """
    check = ScenarioCheck()
    check.issues += scenario.standards.warnings
    frames = read_all_layers(scenario, check)
    if check.errors:
        return check
    check_network(scenario, check)
    check_reach(scenario, frames, check)
    check_coordinates(scenario, frames, check)
    check_needs(scenario, frames, check)
    check.issues = _once(check.issues)
    return check
