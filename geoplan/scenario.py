"""A scenario: the project folder a planner works in.

A scenario folder holds ``scenario.toml`` (standards, quantities, targets, solver
limits), ``layers.gpkg`` (one GeoPackage layer per layer kind) and the road source
(the ``roads`` layer in the GeoPackage, or an OSM XML / PBF file or a roads file named
in ``[network] source``). Outputs go to ``output/`` inside the folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio

import layers
from layers.errors import GeoplanError
from geoplan import standards

SCENARIO_FILE = "scenario.toml"

_SECTIONS = {"scenario", "network", "standards", "quantities", "targets", "solver", "fleet", "routing"}


@dataclass(frozen=True)
class NetworkSettings:
    """Where the road network comes from and how points are snapped to it."""

    source: str = "layers.gpkg"
    roads_layer: str = "roads"
    restricted_zones_layer: str = "restricted_zones"
    max_snap_m: float = 500.0


@dataclass
class Scenario:
    """A loaded scenario folder. Layers and the road network are read on first use."""

    folder: Path
    name: str
    metric_epsg: int
    seed: int = 0
    layers_file: str = "layers.gpkg"
    network_settings: NetworkSettings = field(default_factory=NetworkSettings)
    standards: dict[str, dict[str, float]] = field(default_factory=dict)
    quantities: dict[str, float] = field(default_factory=dict)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    time_limit_s: float = 20.0

    @property
    def layers_path(self) -> Path:
        return self.folder / self.layers_file

    @property
    def output_dir(self) -> Path:
        return self.folder / "output"

    @cached_property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Every layer in ``layers.gpkg``, validated and projected to the scenario's metric CRS."""
        if not self.layers_path.exists():
            raise GeoplanError(f"{self.layers_path}: layers file not found — scenario.toml names it in [scenario] layers")
        return layers.read_layers(self.layers_path, to_crs=self.metric_epsg)

    @cached_property
    def road_network(self):
        """The scenario's :class:`~geoplan.network.RoadNetwork`."""
        from geoplan.network import RoadNetwork

        ns = self.network_settings
        source = self.folder / ns.source
        if not source.exists():
            raise GeoplanError(f"{source}: road source not found — set [network] source in {SCENARIO_FILE}")
        if source.suffix.lower() == ".gpkg":
            roads = layers.read_layer(source, "roads", layer=ns.roads_layer, to_crs=self.metric_epsg)
            zones = None
            if ns.restricted_zones_layer in pyogrio.list_layers(source)[:, 0]:
                zones = layers.read_layer(
                    source, "restricted_zones", layer=ns.restricted_zones_layer, to_crs=self.metric_epsg
                )
            return RoadNetwork.from_roads(roads, restricted_zones=zones)
        return RoadNetwork.from_file(source, to_crs=self.metric_epsg)

    def standard(self, kind: str, key: str) -> float:
        """A service standard, from scenario.toml or the default in :mod:`geoplan.standards`."""
        value = self.standards.get(kind, {}).get(key)
        if value is None:
            try:
                value = standards.SERVICE_STANDARDS[kind][key].value
            except KeyError:
                raise GeoplanError(f"{self.folder / SCENARIO_FILE}: no standard {key} for {kind} — add [standards.{kind}] {key} = …")
        return float(value)


def load_scenario(folder: str | Path) -> Scenario:
    """Read and check ``scenario.toml`` of a scenario folder.

    Raises
    ------
    GeoplanError
        The folder or file is missing, the TOML does not parse, or a section, key or
        value is unknown or out of range; the message names the file and key.
    """
    folder = Path(folder)
    path = folder / SCENARIO_FILE
    if not folder.is_dir():
        raise GeoplanError(f"{folder}: scenario folder not found — run `geoplan demo --out {folder}` to make one")
    if not path.exists():
        raise GeoplanError(f"{path}: not found — a scenario folder needs a {SCENARIO_FILE}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GeoplanError(f"{path}: not valid TOML ({exc}) — fix the line named") from None
    unknown = set(data) - _SECTIONS
    if unknown:
        raise GeoplanError(f"{path}: unknown section [{sorted(unknown)[0]}] — valid: {', '.join(sorted(_SECTIONS))}")
    head = data.get("scenario", {})
    crs = str(head.get("metric_crs", ""))
    if not crs.upper().startswith("EPSG:") or not crs[5:].isdigit():
        raise GeoplanError(f"{path}: [scenario] metric_crs must be like \"EPSG:4549\", got {crs!r}")
    net = data.get("network", {})
    bad = set(net) - set(NetworkSettings.__dataclass_fields__)
    if bad:
        raise GeoplanError(f"{path}: unknown key [network] {sorted(bad)[0]}")
    network = NetworkSettings(**net)
    if network.max_snap_m <= 0:
        raise GeoplanError(f"{path}: [network] max_snap_m must be positive, got {network.max_snap_m}")
    for kind, values in data.get("standards", {}).items():
        for key, value in values.items():
            if not isinstance(value, (int, float)) or value < 0:
                raise GeoplanError(f"{path}: [standards.{kind}] {key} must be a non-negative number, got {value!r}")
    solver = data.get("solver", {})
    time_limit = solver.get("time_limit_s", 20.0)
    if not isinstance(time_limit, (int, float)) or time_limit <= 0:
        raise GeoplanError(f"{path}: [solver] time_limit_s must be a positive number of seconds, got {time_limit!r}")
    return Scenario(
        folder=folder,
        name=str(head.get("name", folder.name)),
        metric_epsg=int(crs[5:]),
        seed=int(head.get("seed", 0)),
        layers_file=str(head.get("layers", "layers.gpkg")),
        network_settings=network,
        standards=data.get("standards", {}),
        quantities=data.get("quantities", {}),
        targets=data.get("targets", {}),
        time_limit_s=float(time_limit),
    )


def scenario_toml(name: str, metric_epsg: int, seed: int) -> str:
    """The text of a default ``scenario.toml``, each default commented with its source."""
    lines = [
        f"# geoplan scenario — {name}",
        "# Every value may be changed; the comment after it gives its source.",
        "",
        "[scenario]",
        f"name = {_toml(name)}",
        f'metric_crs = "EPSG:{metric_epsg}"  # CGCS2000 3-degree Gauss-Krüger zone of the area',
        f"seed = {seed}",
        'layers = "layers.gpkg"',
        "",
        "[network]",
        'source = "layers.gpkg"  # or an OSM file (.osm / .osm.pbf) or a roads layer file',
        'roads_layer = "roads"',
        'restricted_zones_layer = "restricted_zones"',
        "max_snap_m = 500.0  # points farther than this from any road are reported, not snapped",
        "",
    ]
    for kind, values in standards.SERVICE_STANDARDS.items():
        lines.append(f"[standards.{kind}]")
        lines += [f"{key} = {_toml(d.value)}  # {d.unit}; {d.source}" for key, d in values.items()]
        lines.append("")
    lines.append("[quantities]")
    lines += [f"{key} = {_toml(d.value)}  # {d.unit}; {d.source}" for key, d in standards.QUANTITIES.items()]
    lines.append("")
    for key, t in standards.TARGETS.items():
        lines.append(f"[targets.{key}]")
        lines += [f"{k} = {_toml(v)}" for k, v in t.items() if v is not None]
        lines.append("")
    lines += ["[solver]", "time_limit_s = 20.0  # every optimiser call stops by this limit", ""]
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
