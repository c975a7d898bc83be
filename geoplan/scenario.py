"""A scenario: the project folder a planner works in.

A scenario folder holds ``scenario.toml`` (standards, quantities, targets, solver
limits, and where each layer comes from), the layers — each kind from its own file
(``[layers.<kind>]``: GeoPackage, Shapefile, GeoJSON, CSV or Excel) or else from the
GeoPackage of ``[scenario] layers`` — and the road source (the ``roads`` layer, or an OSM
XML / PBF file or a roads file named in ``[network] source``). Outputs go to ``output/``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

import layers
from layers.errors import GeoplanError
from geoplan import standards as standards_table
from geoplan.settings import (
    MAX_SEED,
    FleetVehicle,
    LayerSource,
    NetworkSettings,
    Quantities,
    RoutingSettings,
    NewSiteDefaults,
    PlanSettings,
    SolverSettings,
    Standards,
    Target,
    check_number,
    parse_fleet,
    parse_layer_sources,
    parse_profiles,
    parse_quantities,
    parse_routing,
    parse_section,
    parse_standards,
    default_new_sites,
    parse_new_sites,
    parse_plan,
    parse_targets,
)

SCENARIO_FILE = "scenario.toml"
#: Candidate sites ``geoplan candidates`` generated (layer ``candidate_sites``), read with the
#: scenario's own candidates.
GENERATED_CANDIDATES_FILE = "candidates.gpkg"

_SECTIONS = {"scenario", "network", "layers", "profiles", "standards", "quantities", "targets", "plan", "new_sites", "solver", "fleet",
             "routing"}


@dataclass
class Scenario:
    """A loaded scenario folder: its typed settings; layers and the road network are read on first use.

    Attributes
    ----------
    folder : Path
    name : str
    metric_epsg : int
        The CGCS2000 Gauss-Krüger zone every layer is projected to.
    seed : int
    layers_file : str
        The GeoPackage of ``[scenario] layers``, relative to the folder: the layers that
        have no source of their own.
    layer_sources : dict of str to LayerSource
        ``[layers.<kind>]``: layer kinds read from their own file.
    network_settings : NetworkSettings
    profiles : dict of str to VehicleProfile
        Vehicle profiles with ``[profiles.<name>]`` overrides: which roads each may use.
    standards : Standards
        Service standards, defaults merged.
    quantities : Quantities
    targets : dict of str to Target
    plan : PlanSettings
        ``[plan]``: years, budgets, candidate generation and implementers of ``geoplan plan``.
    new_sites : dict of str to NewSiteDefaults
        ``[new_sites.<kind>]``: cost, capacity and land of the sites geoplan generates.
    solver : SolverSettings
    fleet : dict of str to FleetVehicle
    routing : RoutingSettings
    """

    folder: Path
    name: str
    metric_epsg: int
    seed: int = 0
    layers_file: str = "layers.gpkg"
    layer_sources: dict[str, LayerSource] = field(default_factory=dict)
    network_settings: NetworkSettings = field(default_factory=NetworkSettings)
    profiles: dict = field(default_factory=lambda: parse_profiles({}, Path(SCENARIO_FILE)))
    standards: Standards = field(default_factory=lambda: parse_standards({}, Path(SCENARIO_FILE)))
    quantities: Quantities = field(default_factory=Quantities)
    targets: dict[str, Target] = field(default_factory=dict)
    plan: PlanSettings = field(default_factory=PlanSettings)
    new_sites: dict[str, NewSiteDefaults] = field(default_factory=default_new_sites)
    solver: SolverSettings = field(default_factory=SolverSettings)
    fleet: dict[str, FleetVehicle] = field(default_factory=lambda: parse_fleet({}, Path(SCENARIO_FILE)))
    routing: RoutingSettings = field(default_factory=RoutingSettings)

    @property
    def layers_path(self) -> Path:
        return self.folder / self.layers_file

    @property
    def output_dir(self) -> Path:
        return self.folder / "output"

    @property
    def time_limit_s(self) -> float:
        """``[solver] time_limit_s``: the limit of every optimiser call, seconds."""
        return self.solver.time_limit_s

    @cached_property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Every layer, validated and projected to the scenario's metric CRS.

        Kinds with a ``[layers.<kind>]`` section come from their own file; the others from
        the GeoPackage of ``[scenario] layers``. Missing attributes a rule can estimate are
        filled and listed (``attrs["estimates"]``). The errors of every layer are raised together.
        """
        rules = self.quantities.estimate_rules
        from_gpkg = [k for k in layers.LAYER_KINDS if k not in self.layer_sources]
        out: dict[str, gpd.GeoDataFrame] = {}
        issues: list = []
        if self.layers_path.exists() or self.layers_path.is_symlink():  # a broken link is named below
            try:
                out.update(layers.read_layers(self.layers_path, from_gpkg, to_crs=self.metric_epsg, estimates=rules))
            except layers.LayerValidationError as exc:
                issues += exc.issues
        elif not self.layer_sources:
            raise GeoplanError(f"{self.layers_path}: layers file not found — scenario.toml names it in [scenario] "
                               "layers, or give each layer its own [layers.<kind>] file")
        for kind, source in self.layer_sources.items():
            try:
                out[kind] = layers.read_layer(self.folder / source.file, kind, to_crs=self.metric_epsg,
                                              estimates=rules, **source.read_options())
            except layers.LayerValidationError as exc:
                issues += exc.issues
        generated = self.folder / GENERATED_CANDIDATES_FILE
        if generated.exists():
            try:
                extra = layers.read_layer(generated, "candidate_sites", to_crs=self.metric_epsg)
            except layers.LayerValidationError as exc:
                issues += exc.issues
            else:
                out["candidate_sites"] = _joined(out.get("candidate_sites"), extra, generated)
        if any(i.severity == "error" for i in issues):
            raise layers.LayerValidationError(issues)
        return {k: out[k] for k in layers.LAYER_KINDS if k in out}

    @cached_property
    def road_network(self):
        """The scenario's :class:`~geoplan.network.RoadNetwork`."""
        from geoplan.network import RoadNetwork

        ns = self.network_settings
        if "roads" in self.layer_sources:
            return RoadNetwork.from_roads(self.layers["roads"], restricted_zones=self.layers.get("restricted_zones"),
                                          profiles=self.profiles)
        source = self.folder / ns.source
        layers.readable_file(source, fix=f"set [network] source in {SCENARIO_FILE} to the OSM extract or roads file")
        if source.suffix.lower() == ".gpkg":
            roads = layers.read_layer(source, "roads", layer=ns.roads_layer, to_crs=self.metric_epsg)
            zones = None
            if ns.restricted_zones_layer in layers.gpkg_layer_names(source):
                zones = layers.read_layer(
                    source, "restricted_zones", layer=ns.restricted_zones_layer, to_crs=self.metric_epsg
                )
            return RoadNetwork.from_roads(roads, restricted_zones=zones, profiles=self.profiles)
        # an OSM file or a roads file: the scenario's restricted zones apply to it
        return RoadNetwork.from_file(source, to_crs=self.metric_epsg, restricted_zones=self.layers.get("restricted_zones"),
                                     profiles=self.profiles)


def _joined(given: gpd.GeoDataFrame | None, extra: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """The scenario's candidate sites and the generated ones, ids unique."""
    if given is None or not len(given):
        return extra
    clash = sorted(set(given["id"].astype(str)) & set(extra["id"].astype(str)))
    if clash:
        raise GeoplanError(f"{path}, layer candidate_sites, row {clash[0]}, field id: the id is also a candidate site "
                           "of the scenario's own layer — give the generated site another id")
    joined = gpd.GeoDataFrame(pd.concat([given, extra], ignore_index=True), crs=given.crs)
    joined.attrs = dict(given.attrs)
    joined.attrs["issues"] = list(given.attrs.get("issues", [])) + list(extra.attrs.get("issues", []))
    return joined


def load_scenario(folder: str | Path) -> Scenario:
    """Read and check ``scenario.toml`` of a scenario folder.

    Every section becomes a typed settings object (:mod:`geoplan.settings`) with the
    defaults merged in, here and only here.

    Raises
    ------
    GeoplanError
        The folder or file is missing, the TOML does not parse, or a section, key or
        value is unknown or out of range; the message names the file and key.
    """
    folder = Path(folder)
    path = folder / SCENARIO_FILE
    if folder.is_file():
        hint = " (the scenario is the folder holding it)" if folder.name == SCENARIO_FILE else ""
        raise GeoplanError(f"{folder}: is a file, not a scenario folder{hint} — give the folder that holds "
                           f"{SCENARIO_FILE}")
    if not folder.is_dir():
        raise GeoplanError(f"{folder}: scenario folder not found — run `geoplan demo --out {folder}` to make one, "
                           "or `geoplan init` around your own files")
    layers.readable_file(path, fix=f"a scenario folder needs a {SCENARIO_FILE} (geoplan init writes one)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GeoplanError(f"{path}: 不是 UTF-8 文本 / is not UTF-8 text (byte {exc.start}; saved as GBK, or not "
                           "text at all?) — save it as UTF-8 (Notepad: Save As → Encoding UTF-8)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GeoplanError(f"{path}: not valid TOML ({exc}) — fix the line named") from None
    unknown = set(data) - _SECTIONS
    if unknown:
        raise GeoplanError(f"{path}: unknown section [{sorted(unknown)[0]}] — valid: {', '.join(sorted(_SECTIONS))}")
    head = data.get("scenario", {})
    if not isinstance(head, dict):
        raise GeoplanError(f"{path}: [scenario] must be a table of keys")
    crs = str(head.get("metric_crs", ""))
    if not crs.upper().startswith("EPSG:") or not crs[5:].isdigit():
        raise GeoplanError(f"{path}: [scenario] metric_crs must be like \"EPSG:4549\", got {crs!r}")
    seed = check_number(head.get("seed", 0), f"{path}: [scenario] seed", integer=True, minimum=0, maximum=MAX_SEED)
    name = head.get("name", folder.name)
    if not isinstance(name, str) or not name.strip():
        raise GeoplanError(f"{path}: [scenario] name must be the county's name in quotes, got {name!r}")
    layers_file = str(head.get("layers", "layers.gpkg"))
    if not layers_file.lower().endswith(".gpkg"):
        raise GeoplanError(f"{path}: [scenario] layers = {layers_file!r} must be a GeoPackage (.gpkg) holding one "
                           "layer per kind; give a CSV, Excel, Shapefile or GeoJSON layer its own [layers.<kind>] "
                           "section with file = \"…\" (geoplan init writes them)")
    stds = parse_standards(data.get("standards", {}), path)
    return Scenario(
        folder=folder,
        name=name,
        metric_epsg=int(crs[5:]),
        seed=int(seed),
        layers_file=layers_file,
        layer_sources=parse_layer_sources(data.get("layers", {}), path),
        network_settings=parse_section(NetworkSettings(), data.get("network", {}), f"{path}: [network]"),
        profiles=parse_profiles(data.get("profiles", {}), path),
        standards=stds,
        quantities=parse_quantities(data.get("quantities", {}), path),
        targets=parse_targets(data.get("targets"), path, stds),
        plan=parse_plan(data.get("plan", {}), path),
        new_sites=parse_new_sites(data.get("new_sites", {}), path),
        solver=parse_section(SolverSettings(), data.get("solver", {}), f"{path}: [solver]"),
        fleet=parse_fleet(data.get("fleet", {}), path),
        routing=parse_routing(data.get("routing", {}), path),
    )


def layer_source_toml(source: LayerSource, comment: str = "") -> list[str]:
    """The ``[layers.<kind>]`` section of a layer source, one key per line (empty keys left out)."""
    lines = [f"[layers.{source.kind}]" + (f"  # {comment}" if comment else "")]
    for key in ("file", "layer", "sheet", "crs", "lon", "lat", "encoding"):
        value = getattr(source, key)
        if value:
            lines.append(f"{key} = {_toml(value)}")
    if source.fields:
        pairs = ", ".join(f"{k} = {_toml(v)}" for k, v in source.fields.items())
        lines.append(f"fields = {{ {pairs} }}")
    return lines + [""]


def scenario_toml(name: str, metric_epsg: int, seed: int, *, network_source: str = "layers.gpkg",
                  sources: tuple[tuple[LayerSource, str], ...] = (), demand_kinds: set[str] | None = None) -> str:
    """The text of a default ``scenario.toml``, each default commented with its source.

    Parameters
    ----------
    network_source : str
        ``[network] source``: the GeoPackage with a ``roads`` layer, an OSM file, or a roads file.
    sources : tuple of (LayerSource, comment)
        ``[layers.<kind>]`` sections to write, each with a comment on its line.
    demand_kinds : set of str, optional
        Write only the targets whose demand layer is among these (the others as comments
        saying which layer would measure them); default every target.
    """
    network, solver, routing = NetworkSettings(), SolverSettings(), RoutingSettings()
    lines = [
        f"# geoplan scenario — {name}",
        "# Every value may be changed; the comment after it gives its source.",
        "",
        "[scenario]",
        f"name = {_toml(name)}",
        f'metric_crs = "EPSG:{metric_epsg}"  # CGCS2000 3-degree Gauss-Krüger zone of the area',
        f"seed = {seed}",
        'layers = "layers.gpkg"  # layers without a [layers.<kind>] section are read from this GeoPackage',
        "",
        "[network]",
        f"source = {_toml(network_source)}  # a GeoPackage with a roads layer, an OSM file (.osm / .osm.pbf) or a roads file",
        'roads_layer = "roads"',
        'restricted_zones_layer = "restricted_zones"',
        f"max_snap_m = {network.max_snap_m!r}  # points farther than this from any road are reported, not snapped",
        "",
    ]
    for source, comment in sources:
        lines += layer_source_toml(source, comment)
    for kind, values in standards_table.SERVICE_STANDARDS.items():
        lines.append(f"[standards.{kind}]")
        lines += [f"{key} = {_toml(d.value)}  # {d.unit}; {d.source}" for key, d in values.items()]
        lines.append("")
    lines.append("[quantities]")
    lines += [f"{key} = {_toml(d.value)}  # {d.unit}; {d.source}" for key, d in standards_table.QUANTITIES.items()]
    lines.append("")
    kept = [k for k, t in standards_table.TARGETS.items() if demand_kinds is None or t["demand_kind"] in demand_kinds]
    if not kept:
        lines += ["[targets]  # none: no layer measures one yet", ""]
    for key, t in standards_table.TARGETS.items():
        if key not in kept:
            lines.append(f"# [targets.{key}] — {t['label']}: add the {t['demand_kind']} layer to measure it")
            continue
        lines.append(f"[targets.{key}]")
        lines += [f"{k} = {_toml(v)}" for k, v in t.items() if v is not None]
        lines.append("")
    lines += ["[plan]  # geoplan plan: what to build in which year to meet the targets",
              f"start_year = {standards_table.PLAN_START_YEAR}  # first year sites may be built "
              f"({standards_table.PLAN_SOURCE})",
              "# budget_yuan = { 2023 = 8e6, 2024 = 8e6 }  # building budget per year, yuan (none: no limit)",
              "generate_candidates = true  # add generated sites near demand the given candidates cannot reach",
              f"refit_cost_yuan = {standards_table.REFIT_COST.value!r}  # 两网融合 refit of a transfer station "
              f"({standards_table.REFIT_COST.source})",
              "", "[plan.implementers]  # 实施主体 in the project list (assumption: the usual county bureau)"]
    lines += [f"{k} = {_toml(v)}" for k, v in standards_table.IMPLEMENTERS.items()]
    for kind, values in standards_table.FACILITY_DEFAULTS.items():
        lines += ["", f"[new_sites.{kind}]  # what a site geoplan generates costs and holds"]
        lines += [f"{key} = {_toml(d.value)}  # {d.unit}; {d.source}" for key, d in values.items()]
    lines += ["", "[solver]", f"time_limit_s = {solver.time_limit_s!r}  # every siting and planning solve stops by this limit",
              "", "[routing]",
              f"iterations = {routing.iterations!r}  # geoplan route stops its search here: a rerun gives the same routes",
              f"time_limit_s = {routing.time_limit_s!r}  # s; only the safety net of geoplan route, far above what the "
              "iterations take", ""]
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
