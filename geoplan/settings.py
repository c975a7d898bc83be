"""The typed settings of a scenario, built once from ``scenario.toml`` with the defaults merged in.

Every section of ``scenario.toml`` becomes one typed object here — :class:`NetworkSettings`,
:class:`Standards`, :class:`Quantities`, :class:`Target`, :class:`SolverSettings`,
:class:`FleetVehicle`, :class:`RoutingSettings` — checked for type, range and unit when
the scenario loads, with the file, section and key named. Code downstream reads these
objects and never a raw dict or a literal default.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping

import layers
from layers.errors import GeoplanError, Issue
from geoplan import standards
from geoplan.clock import parse_window
from geoplan.network.profiles import DEFAULT_PROFILES, VehicleProfile

Unit = Literal["m", "s"]


# --------------------------------------------------------------------------- checking
#: The dearest project and the largest site a setting may name, from the schema's plausible ceilings.
MAX_PROJECT_YUAN = layers.get_kind("candidate_sites").field("fixed_cost_yuan").plausible_max
MAX_SITE_M2 = layers.get_kind("candidate_sites").field("land_m2").plausible_max
#: Seeds go to solvers that take 32-bit integers.
MAX_SEED = 2**31 - 1


def _bounds(minimum: float | None = None, maximum: float | None = None, above: float | None = None) -> dict:
    """Field metadata: inclusive ``minimum`` / ``maximum``, or a value strictly ``above``."""
    return {"minimum": minimum, "maximum": maximum, "above": above}


def _number_text(value: float) -> str:
    """``2147483647`` rather than ``2.14748e+09``; ``0.95`` as it is."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _describe(meta: Mapping[str, Any]) -> str:
    parts = []
    if meta.get("above") is not None:
        parts.append(f"> {_number_text(meta['above'])}")
    if meta.get("minimum") is not None:
        parts.append(f"≥ {_number_text(meta['minimum'])}")
    if meta.get("maximum") is not None:
        parts.append(f"≤ {_number_text(meta['maximum'])}")
    return " and ".join(parts)


def check_number(value: Any, where: str, *, integer: bool = False, minimum: float | None = None,
                 maximum: float | None = None, above: float | None = None, unit: str = "") -> float:
    """``value`` as a float (an int when ``integer``) within its bounds, else GeoplanError naming ``where``."""
    kind = "a whole number" if integer else "a number"
    unit_text = f" {unit}" if unit else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GeoplanError(f"{where} must be {kind}{unit_text}, written without quotes or unit, got {value!r}")
    if not math.isfinite(value) or (integer and value != int(value)):
        raise GeoplanError(f"{where} must be {kind}{unit_text}, got {value!r}")
    bad = ((above is not None and not value > above) or (minimum is not None and value < minimum)
           or (maximum is not None and value > maximum))
    if bad:
        rule = _describe({"minimum": minimum, "maximum": maximum, "above": above})
        raise GeoplanError(f"{where} must be {rule}{unit_text}, got {value!r}")
    return int(value) if integer else float(value)


def _unwrap_optional(kind: Any) -> Any:
    """``float`` of ``float | None``; other types unchanged."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in typing.get_args(kind):
        return next(a for a in typing.get_args(kind) if a is not type(None))
    return kind


def _check_field(f: dataclasses.Field, kind: Any, value: Any, where: str) -> Any:
    meta = f.metadata
    kind = _unwrap_optional(kind)
    if kind in (int, float):
        return check_number(value, where, integer=kind is int, minimum=meta.get("minimum"),
                            maximum=meta.get("maximum"), above=meta.get("above"), unit=meta.get("unit", ""))
    if kind is bool:
        if not isinstance(value, bool):
            raise GeoplanError(f"{where} must be true or false, got {value!r}")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise GeoplanError(f"{where} must be text in quotes, got {value!r}")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise GeoplanError(f"{where} = {value!r}: use one of {', '.join(repr(c) for c in choices)}")
        return value
    raise TypeError(f"no check for settings field type {kind!r}")  # a programming error, not input


def parse_section(base: Any, values: Any, where: str, *, skip: tuple[str, ...] = ()) -> Any:
    """``base`` (a settings dataclass) with the keys of a TOML table applied, each checked.

    Parameters
    ----------
    base : dataclass instance
        Defaults.
    values : dict
        The TOML table.
    where : str
        ``"<file>: [section]"``, the start of every message.
    skip : tuple of str
        Fields a scenario may not set.

    Raises
    ------
    GeoplanError
        Not a table, an unknown key, or a value of the wrong type or out of range.
    """
    if not isinstance(values, dict):
        raise GeoplanError(f"{where} must be a table of keys (a [section]), got {values!r}")
    hints = typing.get_type_hints(type(base))
    fields = {f.name: f for f in dataclasses.fields(base) if f.name not in skip and f.init}
    out = {}
    for key, value in values.items():
        if key not in fields:
            raise GeoplanError(f"{where}: unknown key {key!r} — valid keys: {', '.join(fields)}")
        out[key] = _check_field(fields[key], hints[key], value, f"{where} {key}")
    return dataclasses.replace(base, **out)


# --------------------------------------------------------------------------- standards
def standard_unit(key: str) -> Unit:
    """The unit of a service-standard key: a key ending in ``_s`` is a driving time in seconds,
    any other a road distance in metres."""
    return "s" if key.endswith("_s") else "m"


@dataclass(frozen=True)
class ServiceStandard:
    """A service standard: a road distance (``unit="m"``) or a driving time (``unit="s"``)."""

    value: float
    unit: Unit = "m"

    def __post_init__(self) -> None:
        if self.unit not in ("m", "s"):
            raise GeoplanError(f"a service standard is in metres (m) or seconds (s), got {self.unit!r}")
        if not (isinstance(self.value, (int, float)) and math.isfinite(self.value) and self.value > 0):
            raise GeoplanError(f"the service standard must be a positive number, got {self.value!r}")

    @property
    def weight(self) -> Literal["metres", "seconds"]:
        """The network quantity compared with the standard: ``"metres"`` or ``"seconds"``."""
        return "metres" if self.unit == "m" else "seconds"

    @property
    def radius_m(self) -> float:
        """The value in metres; NaN for a driving-time standard."""
        return float(self.value) if self.unit == "m" else math.nan

    @property
    def radius_s(self) -> float:
        """The value in seconds; NaN for a distance standard."""
        return float(self.value) if self.unit == "s" else math.nan

    def __str__(self) -> str:
        if self.unit == "m":
            return f"{self.value:g} m"
        return f"{self.value / 60:g} min"


@dataclass(frozen=True)
class Standards:
    """Service standards per facility kind: the defaults of :mod:`geoplan.standards` with the
    scenario's ``[standards.<kind>]`` keys merged over them.

    Attributes
    ----------
    values : mapping of kind to (mapping of key to float)
    file : str
        Where the scenario's values came from (named in messages).
    warnings : tuple of Issue
        The scenario's distances and times outside the plausible range (a unit slip?).
    """

    values: Mapping[str, Mapping[str, float]]
    file: str = "scenario.toml"
    warnings: tuple[Issue, ...] = ()

    def value(self, kind: str, key: str) -> float:
        """The number of ``[standards.<kind>] <key>``.

        Raises
        ------
        GeoplanError
            Neither the scenario nor the defaults give it.
        """
        try:
            return float(self.values[kind][key])
        except KeyError:
            raise GeoplanError(f"{self.file}: no standard {key} for {kind} — add [standards.{kind}] {key} = …") from None

    def service(self, kind: str, key: str = "service_radius_m") -> ServiceStandard:
        """The service standard ``[standards.<kind>] <key>``, in metres or seconds by its key."""
        return ServiceStandard(self.value(kind, key), standard_unit(key))

    def sources(self) -> list[dict[str, object]]:
        """Every standard in force with its unit and source: the default's source where the scenario
        keeps the default, ``scenario.toml`` where it sets its own value."""
        rows = []
        for kind, values in self.values.items():
            for key, value in values.items():
                default = standards.SERVICE_STANDARDS.get(kind, {}).get(key)
                kept = default is not None and float(default.value) == float(value)
                rows.append({"kind": kind, "key": key, "value": float(value),
                             "unit": default.unit if default is not None else
                             standard_unit(key) if key.endswith(("_m", "_s")) else "",
                             "source": default.source if kept else f"{Path(self.file).name}（本规划设定 set by the plan）"})
        return rows


def parse_standards(data: Any, path: Path) -> Standards:
    """The defaults with ``[standards.<kind>]`` merged over them, each value checked."""
    merged = {kind: {k: float(d.value) for k, d in keys.items()} for kind, keys in standards.SERVICE_STANDARDS.items()}
    warnings: list[Issue] = []
    if not isinstance(data, dict):
        raise GeoplanError(f"{path}: [standards] must hold tables like [standards.transfer_stations]")
    for kind, values in data.items():
        where = f"{path}: [standards.{kind}]"
        if kind not in layers.LAYER_KINDS and kind not in standards.SERVICE_STANDARDS:
            raise GeoplanError(f"{where}: unknown facility kind — use one of {', '.join(layers.FACILITY_KINDS)}")
        if not isinstance(values, dict):
            raise GeoplanError(f"{where} must be a table of standards, got {values!r}")
        for key, value in values.items():
            # a distance or a time must be positive; counts and areas may be 0 within their range
            above = 0.0 if key.endswith(("_m", "_s")) else None
            known = standards.SERVICE_STANDARDS.get(kind, {}).get(key)
            low = known.minimum if known is not None and known.minimum is not None else 0.0
            high = known.maximum if known is not None else None
            merged.setdefault(kind, {})[key] = check_number(value, f"{where} {key}", minimum=low, maximum=high,
                                                            above=above, unit=known.unit if known else "")
            if (issue := _implausible_standard(path, kind, key, merged[kind][key])) is not None:
                warnings.append(issue)
    return Standards(MappingProxyType({k: MappingProxyType(v) for k, v in merged.items()}), str(path),
                     tuple(warnings))


def _implausible_standard(path: Path, kind: str, key: str, value: float) -> Issue | None:
    """A warning when a distance or time standard lies outside its plausible range."""
    if not key.endswith(("_m", "_s")):
        return None
    unit = standard_unit(key)
    low, high = standards.PLAUSIBLE_STANDARD_M if unit == "m" else standards.PLAUSIBLE_STANDARD_S
    if low <= value <= high:
        return None
    words = "metres" if unit == "m" else "seconds"
    return Issue(str(path), f"[standards.{kind}]", None, key,
                 f"{value:g} {unit} lies outside the plausible {low:g}–{high:g} {unit}; the value is used as given",
                 f"the value is in {words} (3 km is 3000, 10 min is 600)", "warning")


# --------------------------------------------------------------------------- quantities
def _quantity(key: str) -> Any:
    d = standards.QUANTITIES[key]
    return field(default=float(d.value), metadata={**_bounds(d.minimum, d.maximum), "unit": d.unit})


@dataclass(frozen=True)
class Quantities:
    """``[quantities]``: the rates that turn demand attributes into tonnes and m³.

    Defaults and ranges come from :data:`geoplan.standards.QUANTITIES`; a scenario sets any
    subset of them.
    """

    household_waste_kg_per_person_d: float = _quantity("household_waste_kg_per_person_d")
    film_kg_per_mu_yr: float = _quantity("film_kg_per_mu_yr")
    muck_density_t_per_m3: float = _quantity("muck_density_t_per_m3")
    recyclables_share: float = _quantity("recyclables_share")
    kitchen_waste_share: float = _quantity("kitchen_waste_share")
    diesel_co2_kg_per_l: float = _quantity("diesel_co2_kg_per_l")
    muck_working_days_per_week: float = _quantity("muck_working_days_per_week")
    persons_per_household: float = _quantity("persons_per_household")
    mulched_share_of_farmland: float = _quantity("mulched_share_of_farmland")

    @property
    def estimate_rules(self) -> layers.EstimateRules:
        """The rates that estimate missing layer attributes (households, mulched area)."""
        return layers.EstimateRules(self.persons_per_household, self.mulched_share_of_farmland)

    @property
    def other_waste_share(self) -> float:
        """Share of household waste that is neither kitchen waste nor recyclables (其他垃圾)."""
        return 1.0 - self.kitchen_waste_share - self.recyclables_share


def parse_quantities(data: Any, path: Path) -> Quantities:
    """The defaults with ``[quantities]`` merged over them; the fraction shares must add up to ≤ 1."""
    q = parse_section(Quantities(), data, f"{path}: [quantities]")
    if q.other_waste_share < 0:
        raise GeoplanError(f"{path}: [quantities] kitchen_waste_share + recyclables_share = "
                           f"{q.kitchen_waste_share + q.recyclables_share:g} exceeds 1 — lower one of them")
    return q


# --------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Target:
    """One plan indicator with its target: the share of a demand layer within a service standard
    of a facility kind.

    Attributes
    ----------
    key : str
        Name in ``[targets.<key>]``.
    label : str
        Chinese label with the English one beside.
    target : float
        Target share, 0–1.
    facility_kind, demand_kind : str
        Layer kinds of the facilities and of the demand they serve.
    standard : str
        Key of ``[standards.<facility_kind>]``; a key ending in ``_s`` is a driving time.
    weight : str
        ``"count"`` (each demand unit counts 1) or a numeric field of the demand layer.
    profile : str
        Vehicle profile driving between demand and facility.
    baseline_2022 : float or None
        Share the plan reports for its base year, where it gives one.
    source : str
        The plan the target comes from.
    """

    key: str
    label: str
    target: float = field(metadata={**_bounds(maximum=1.0, above=0.0), "unit": "(share, 0.95 = 95 %)"})
    facility_kind: str = field(default="", metadata={"choices": layers.FACILITY_KINDS})
    demand_kind: str = field(default="", metadata={"choices": layers.DEMAND_KINDS})
    standard: str = "service_radius_m"
    weight: str = "count"
    profile: str = field(default="", metadata={"choices": tuple(DEFAULT_PROFILES)})
    baseline_2022: float | None = field(default=None, metadata=_bounds(0.0, 1.0))
    source: str = ""
    year: int = field(default=standards.PLAN_END_YEAR, metadata=_bounds(2000, 2100))
    milestones: Mapping[int, float] = field(default_factory=lambda: MappingProxyType({}))

    def share_in(self, year: int) -> float:
        """The share due in ``year``: that of the latest milestone (or the target) not after it, else 0."""
        due = {**self.milestones, self.year: self.target}
        past = [y for y in due if y <= year]
        return float(due[max(past)]) if past else 0.0

    @property
    def years(self) -> tuple[int, ...]:
        """The years a share falls due, ascending."""
        return tuple(sorted({*self.milestones, self.year}))


def parse_target(key: str, values: Any, path: Path, stds: Standards) -> Target:
    """One ``[targets.<key>]`` table merged over the default target of that key, checked."""
    where = f"{path}: [targets.{key}]"
    if not isinstance(values, dict):
        raise GeoplanError(f"{where} must be a table of keys, got {values!r}")
    default = standards.TARGETS.get(key)
    merged: dict[str, Any] = {k: v for k, v in (default or {}).items() if v is not None}
    merged.update(values)
    milestones = _milestones(merged.pop("milestones", {}), f"{where} milestones")
    missing = [k for k in ("facility_kind", "demand_kind") if k not in merged]
    if missing:
        raise GeoplanError(f"{where}: needs {missing[0]} — e.g. facility_kind = \"transfer_stations\", "
                           "demand_kind = \"residential_communities\"")
    t = parse_section(Target(key=key, label=key, target=1.0), merged, where, skip=("key", "milestones"))
    late = [y for y in milestones if y >= t.year]
    if late:
        raise GeoplanError(f"{where} milestones: {late[0]} is not before the target's year {t.year} — "
                           "milestones are the shares due in the years before it")
    t = dataclasses.replace(t, milestones=MappingProxyType(milestones))
    if t.weight != "count":
        numeric = [f.name for f in layers.get_kind(t.demand_kind).fields if f.dtype in ("int", "float")]
        if t.weight not in numeric:
            raise GeoplanError(f"{where} weight = {t.weight!r} is not a number field of {t.demand_kind} — "
                               f"use \"count\" or one of {', '.join(numeric)}")
    stds.value(t.facility_kind, t.standard)  # the standard must exist
    profile = t.profile or standards.SERVICE_PROFILES.get(t.facility_kind, "small_collection_vehicle")
    return dataclasses.replace(t, profile=profile)


def _year(key: Any, where: str) -> int:
    try:
        year = int(str(key))
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        raise GeoplanError(f"{where}: {key!r} is not a year — write e.g. {{ 2024 = 0.9 }}")
    return year


def _milestones(values: Any, where: str) -> dict[int, float]:
    """``{ 2023 = 0.9, 2024 = 0.95 }``: the share due in each year before the target's year."""
    if not isinstance(values, dict):
        raise GeoplanError(f"{where} must be a table of year = share, e.g. {{ 2023 = 0.9 }}, got {values!r}")
    return {_year(k, where): check_number(v, f"{where} {k}", minimum=0.0, maximum=1.0, unit="(share)")
            for k, v in values.items()}


def parse_targets(data: Any, path: Path, stds: Standards) -> dict[str, Target]:
    """``[targets.*]``, or the default targets when the file has no ``[targets]`` at all."""
    if data is None:
        data = {key: {} for key in standards.TARGETS}
    if not isinstance(data, dict):
        raise GeoplanError(f"{path}: [targets] must hold tables like [targets.urban_sorting_coverage]")
    return {key: parse_target(key, values, path, stds) for key, values in data.items()}


# --------------------------------------------------------------------------- layer sources
@dataclass(frozen=True)
class LayerSource:
    """``[layers.<kind>]``: the file one layer kind is read from, and how.

    Attributes
    ----------
    kind : str
        The layer kind.
    file : str
        Path relative to the scenario folder: GeoPackage, Shapefile, GeoJSON, CSV or Excel.
    layer : str
        GeoPackage layer ("" = the kind's name or the only layer).
    sheet : str
        Excel sheet ("" = the first).
    crs : str
        The coordinates' system: ``"GCJ-02"``, ``"BD-09"``, ``"EPSG:4490"`` … ("" = the file's).
    lon, lat : str
        Coordinate columns of a table ("" = recognised by name: 经度/lon …, 纬度/lat …).
    encoding : str
        Text encoding of a CSV or Shapefile ("" = detected).
    fields : mapping of str to str
        Schema field → the file's column that holds it.
    """

    kind: str
    file: str
    layer: str = ""
    sheet: str = ""
    crs: str = ""
    lon: str = ""
    lat: str = ""
    encoding: str = ""
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def read_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`layers.read_layer` for this source."""
        return dict(layer=self.layer or None, sheet=self.sheet or None, crs=self.crs or None,
                    encoding=self.encoding or None, lon_field=self.lon or None, lat_field=self.lat or None,
                    fields=dict(self.fields))


def parse_layer_sources(data: Any, path: Path) -> dict[str, LayerSource]:
    """``[layers.<kind>]`` tables, each checked: a known kind, a file that exists, a known CRS,
    a ``fields`` table of text."""
    if not isinstance(data, dict):
        raise GeoplanError(f"{path}: [layers] must hold tables like [layers.residential_communities]")
    out = {}
    for kind, values in data.items():
        where = f"{path}: [layers.{kind}]"
        if kind not in layers.LAYER_KINDS:
            raise GeoplanError(f"{where}: unknown layer kind — use one of {', '.join(layers.LAYER_KINDS)}")
        if not isinstance(values, dict) or "file" not in values:
            raise GeoplanError(f"{where}: needs file = \"<path of the file, relative to the scenario folder>\"")
        values = dict(values)
        fields_map = values.pop("fields", {})
        if not isinstance(fields_map, dict) or not all(isinstance(v, str) for v in fields_map.values()):
            raise GeoplanError(f"{where} fields must be a table of column names in quotes, "
                               "e.g. fields = { id = \"编号\", name = \"小区名称\" }")
        source = parse_section(LayerSource(kind=kind, file=""), values, where, skip=("kind", "fields"))
        if not (path.parent / source.file).is_file():
            raise GeoplanError(f"{where} file = {source.file!r}: not found in {path.parent} — give the path "
                               "relative to the scenario folder")
        if source.crs and layers.shifted_crs(source.crs) is None:
            layers.check_input_crs(source.crs, file=f"{where} crs")
        out[kind] = dataclasses.replace(source, fields=MappingProxyType(dict(fields_map)))
    return out


# --------------------------------------------------------------------------- network and solver
@dataclass(frozen=True)
class NetworkSettings:
    """``[network]``: where the road network comes from and how points are snapped to it."""

    source: str = "layers.gpkg"
    roads_layer: str = "roads"
    restricted_zones_layer: str = "restricted_zones"
    # beyond 5 km from a road no vehicle serves a point: a larger limit only hides a CRS mistake
    max_snap_m: float = field(default=500.0, metadata={**_bounds(maximum=5000.0, above=0.0), "unit": "m"})


@dataclass(frozen=True)
class SolverSettings:
    """``[solver]``: every optimiser call stops by ``time_limit_s`` seconds."""

    time_limit_s: float = field(default=20.0, metadata={**_bounds(above=0.0, maximum=86_400.0), "unit": "s"})


@dataclass(frozen=True)
class PlanSettings:
    """``[plan]``: the years the plan covers, what each year may spend, who builds.

    Attributes
    ----------
    start_year : int
        First year in which sites may be built.
    budget_yuan : mapping of int to float
        Building budget per year, yuan; a year not named has no limit.
    generate_candidates : bool
        Where the given candidate sites cannot reach a target, add sites generated on the
        road network near the demand they leave out.
    refit_cost_yuan : float
        Cost of a 两网融合 refit of a transfer station into a recyclables hub, yuan.
    implementers : mapping of str to str
        实施主体 per facility kind in the project list, over
        :data:`geoplan.standards.IMPLEMENTERS`.
    """

    start_year: int = field(default=standards.PLAN_START_YEAR, metadata=_bounds(2000, 2100))
    refit_cost_yuan: float = field(default=float(standards.REFIT_COST.value),
                                   metadata={**_bounds(0.0, MAX_PROJECT_YUAN), "unit": "yuan"})
    budget_yuan: Mapping[int, float] = field(default_factory=lambda: MappingProxyType({}))
    generate_candidates: bool = True
    implementers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(dict(standards.IMPLEMENTERS)))

    def budget_in(self, year: int) -> float:
        """Budget of ``year``, yuan (inf when none is set)."""
        return float(self.budget_yuan.get(year, math.inf))


def parse_plan(data: Any, path: Path) -> PlanSettings:
    """``[plan]`` checked: start year, budgets per year, candidate generation, implementers."""
    where = f"{path}: [plan]"
    if not isinstance(data, dict):
        raise GeoplanError(f"{where} must be a table of keys")
    values = dict(data)
    budget = values.pop("budget_yuan", {})
    if not isinstance(budget, dict):
        raise GeoplanError(f"{where} budget_yuan must be a table of year = yuan, e.g. {{ 2024 = 8e6 }}")
    budgets = {_year(k, f"{where} budget_yuan"): check_number(v, f"{where} budget_yuan {k}", minimum=0.0, unit="yuan")
               for k, v in budget.items()}
    names = values.pop("implementers", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise GeoplanError(f"{where} implementers must be a table of kind = \"实施主体\"")
    unknown = [k for k in names if k not in layers.FACILITY_KINDS]
    if unknown:
        raise GeoplanError(f"{where} implementers: {unknown[0]!r} is not a facility kind — use one of "
                           f"{', '.join(layers.FACILITY_KINDS)}")
    plan = parse_section(PlanSettings(), values, where, skip=("budget_yuan", "implementers"))
    early = [y for y in budgets if y < plan.start_year]
    if early:
        raise GeoplanError(f"{where} budget_yuan: {early[0]} is before start_year {plan.start_year}")
    return dataclasses.replace(plan, budget_yuan=MappingProxyType(budgets),
                               implementers=MappingProxyType({**standards.IMPLEMENTERS, **names}))


@dataclass(frozen=True)
class NewSiteDefaults:
    """``[new_sites.<kind>]``: what a site geoplan generates costs, holds and needs.

    Attributes
    ----------
    fixed_cost_yuan : float
        Building cost, yuan.
    capacity : float
        Capacity in the kind's capacity unit (t/d, t/yr or m³).
    land_m2 : float
        Land it needs, m².
    source : str
        Where the figures come from (the standards table, or the scenario).
    """

    fixed_cost_yuan: float = field(default=0.0, metadata={**_bounds(0.0, MAX_PROJECT_YUAN), "unit": "yuan"})
    capacity: float = field(default=1.0, metadata={**_bounds(above=0.0), "unit": "(the kind's capacity unit)"})
    land_m2: float = field(default=0.0, metadata={**_bounds(0.0, MAX_SITE_M2), "unit": "m²"})
    source: str = ""


def default_new_sites() -> dict[str, NewSiteDefaults]:
    """:data:`geoplan.standards.FACILITY_DEFAULTS` as typed settings, each with its sources."""
    out = {}
    for kind, values in standards.FACILITY_DEFAULTS.items():
        out[kind] = NewSiteDefaults(
            float(values["fixed_cost_yuan"].value), float(values["capacity"].value), float(values["land_m2"].value),
            "; ".join(f"{k}: {d.source}" for k, d in values.items()))
    return out


def parse_new_sites(data: Any, path: Path) -> dict[str, NewSiteDefaults]:
    """``[new_sites.<kind>]`` over the defaults; a value the scenario sets names the scenario as its source."""
    out = default_new_sites()
    if not isinstance(data, dict):
        raise GeoplanError(f"{path}: [new_sites] must hold tables like [new_sites.transfer_stations]")
    for kind, values in data.items():
        where = f"{path}: [new_sites.{kind}]"
        if kind not in out:
            raise GeoplanError(f"{where}: unknown facility kind — use one of {', '.join(out)}")
        base = out[kind]
        parsed = parse_section(base, values, where, skip=("source",))
        spec = layers.get_kind(kind)
        ceiling = spec.field(spec.capacity_field).plausible_max if spec.capacity_field else None
        if ceiling is not None and parsed.capacity > ceiling:
            unit = spec.field(spec.capacity_field).unit
            raise GeoplanError(f"{where} capacity must be ≤ {ceiling:g} {unit} (the most one {spec.label_en} "
                               f"plausibly holds), got {parsed.capacity!r}")
        # a value the file repeats unchanged (as `geoplan init` writes them) keeps its source
        changed = [k for k in ("fixed_cost_yuan", "capacity", "land_m2")
                   if k in values and getattr(parsed, k) != getattr(base, k)]
        source = "; ".join([f"{k}: {path.name} [new_sites.{kind}]" for k in changed]
                           + [p for p in base.source.split("; ") if p.split(":")[0] not in changed])
        out[kind] = dataclasses.replace(parsed, source=source)
    return out


# --------------------------------------------------------------------------- vehicle profiles
def _names(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GeoplanError(f"{where} must be a list of names in quotes, e.g. [\"expressway\", \"track\"]")
    return frozenset(value)


def parse_profiles(data: Any, path: Path) -> dict[str, VehicleProfile]:
    """The default vehicle profiles with ``[profiles.<name>]`` overrides: ``speed_kmh`` (a table of
    road class → km/h), ``barred_road_classes``, ``barred_tags`` (lists) and ``gross_weight_t``."""
    if not isinstance(data, dict):
        raise GeoplanError(f"{path}: [profiles] must hold tables like [profiles.compression_truck]")
    out = dict(DEFAULT_PROFILES)
    for name, values in data.items():
        where = f"{path}: [profiles.{name}]"
        if name not in out:
            raise GeoplanError(f"{where}: unknown vehicle profile — use one of {', '.join(out)}")
        if not isinstance(values, dict):
            raise GeoplanError(f"{where} must be a table of keys")
        base, changes = out[name], {}
        for key, value in values.items():
            if key == "speed_kmh":
                if not isinstance(value, dict):
                    raise GeoplanError(f"{where} speed_kmh must be a table, e.g. speed_kmh = {{ local = 12.0 }}")
                speeds = {c: check_number(v, f"{where} speed_kmh.{c}", above=0.0, maximum=150.0, unit="km/h")
                          for c, v in value.items()}
                changes["speed_kmh"] = {**base.speed_kmh, **speeds}
            elif key in ("barred_road_classes", "barred_tags"):
                changes[key] = _names(value, f"{where} {key}")
            elif key == "gross_weight_t":
                changes[key] = check_number(value, f"{where} gross_weight_t", above=0.0, maximum=100.0, unit="t")
            else:
                raise GeoplanError(f"{where}: unknown key {key!r} — valid keys: speed_kmh, barred_road_classes, "
                                   "barred_tags, gross_weight_t")
        try:
            out[name] = dataclasses.replace(base, **changes)
        except GeoplanError as exc:
            raise GeoplanError(f"{where}: {exc}") from None
    return out


# --------------------------------------------------------------------------- fleet and routing
@dataclass(frozen=True)
class FleetVehicle:
    """One kind of vehicle a workflow sends out (``[fleet.<key>]``).

    Attributes
    ----------
    key : str
        Name used in ``[fleet.<key>]``.
    label_zh, label_en : str
        Planner-facing names.
    profile : str
        Road profile of the network (which roads it may use, how fast).
    capacity_t : float
        Payload, tonnes.
    capacity_m3 : float or None
        Body volume, m³ (None: volume does not bind).
    fuel_l_per_100km : float
        Diesel use, L/100 km.
    shift_start, shift_end : str
        Working hours "HH:MM"; an end before the start runs past midnight.
    count : int
        Vehicles available per vehicle group of a workflow (a group: one fraction and
        station, one film station, one muck sink). A depot's ``vehicle_count`` bounds the
        total leaving it.
    fixed_cost_yuan : float
        Cost of sending one vehicle out for the day (crew, depreciation), yuan. A high
        value makes the solver use as few vehicles as it can.
    cost_per_km_yuan : float
        Running cost, yuan/km.
    stop_service_min : float
        Time at one pick-up point (per fraction), minutes.
    unload_service_min : float
        Time to weigh and tip at an unload site, minutes.
    """

    key: str
    label_zh: str
    label_en: str
    profile: str = field(metadata={"choices": tuple(DEFAULT_PROFILES)})
    capacity_t: float = field(metadata={**_bounds(above=0.0, maximum=100.0), "unit": "t"})
    capacity_m3: float | None = field(metadata={**_bounds(above=0.0, maximum=200.0), "unit": "m³"})
    fuel_l_per_100km: float = field(metadata={**_bounds(minimum=0.0, maximum=200.0), "unit": "L/100 km"})
    shift_start: str
    shift_end: str
    count: int = field(metadata={**_bounds(minimum=1.0, maximum=10_000.0), "unit": "vehicles"})
    fixed_cost_yuan: float = field(metadata={**_bounds(minimum=0.0), "unit": "yuan"})
    cost_per_km_yuan: float = field(metadata={**_bounds(minimum=0.0), "unit": "yuan/km"})
    stop_service_min: float = field(metadata={**_bounds(minimum=0.0, maximum=600.0), "unit": "min"})
    unload_service_min: float = field(metadata={**_bounds(minimum=0.0, maximum=600.0), "unit": "min"})

    @property
    def label(self) -> str:
        """``"压缩式垃圾车 / compression garbage truck"``."""
        return f"{self.label_zh} / {self.label_en}"

    def shift_s(self) -> tuple[float, float]:
        """Shift start and end in seconds after midnight (end > start)."""
        return parse_window(self.shift_start, self.shift_end, where=f"[fleet.{self.key}] shift_start/shift_end")


#: Default vehicles. Every figure is an assumption: no national figure exists for the fuel
#: use or payload of these trucks; 30–40 L/100 km is the range seen for compression and
#: muck trucks.
DEFAULT_FLEET: Mapping[str, FleetVehicle] = MappingProxyType({
    v.key: v
    for v in (
        # Assumption: 8 t rear-loading compression truck, 35 L/100 km, morning shift
        # 05:00-13:00 as in most county sanitation bureaus.
        FleetVehicle("compression_truck", "压缩式垃圾车", "compression garbage truck",
                     "compression_truck", 8.0, None, 35.0, "05:00", "13:00", 30, 300.0, 3.0,
                     5.0, 15.0),
        # Assumption: 5 t sealed kitchen-waste truck, same shift and fuel figure.
        FleetVehicle("kitchen_waste_truck", "餐厨垃圾车", "kitchen-waste truck",
                     "compression_truck", 5.0, None, 30.0, "05:00", "13:00", 30, 300.0, 3.0,
                     5.0, 15.0),
        # Assumption: 1.5 t light van on a weekly collection day, 12 L/100 km.
        FleetVehicle("film_van", "农膜收集车", "farm-film collection van",
                     "film_van", 1.5, None, 12.0, "08:00", "17:00", 10, 200.0, 1.5,
                     10.0, 20.0),
        # Assumption: 18 m³ dump truck ≈ 30 t at 1.7 t/m³, 40 L/100 km, permitted night
        # hours 22:00-06:00 (city construction-waste rules; the hours are an assumption).
        FleetVehicle("muck_truck", "渣土车", "muck truck",
                     "muck_truck", 30.6, 18.0, 40.0, "22:00", "06:00", 200, 500.0, 4.0,
                     10.0, 10.0),
    )
})

#: Sites a workflow unloads at: the existing network, or the plan.
SITE_CHOICES = ("existing", "plan")


@dataclass(frozen=True)
class RoutingSettings:
    """``[routing]``: workflow settings.

    Attributes
    ----------
    collection_depot : str
        Depot id the collection trucks start from ("" = the depot with most vehicles).
        Its ``vehicle_count`` bounds the trucks sent out over all collection groups.
    collection_stations : str
        Stations the collection trucks unload at: ``"existing"`` or ``"plan"`` (existing
        + planned + sited by ``geoplan site``); "" = the plan when it adds a station.
    film_stations : str
        Township film stations the vans start from and tip at, chosen the same way.
    muck_sites : str
        Disposal sites and transfer yards the muck trucks tip at, chosen the same way.
    iterations : int
        Iteration limit of the routing search (PyVRP iterations, OR-Tools solutions) for
        ``geoplan route``: the search stops on it, so a rerun gives the same routes.
    time_limit_s : float
        The safety net of ``geoplan route``, seconds: far above what the iterations take
        (10 000 take about 40 s for the demo county's collection on 2 busy cores), so a
        loaded machine still stops on the iterations and gives the same routes.
    film_period_days : float
        Days of film gathered per collection run (7 = weekly).
    muck_plan_date : str
        Night planned, ISO date ("" = the start date of a construction site on which the
        active sites' nightly volume is largest).
    """

    collection_depot: str = ""
    collection_stations: str = field(default="", metadata={"choices": ("", *SITE_CHOICES)})
    film_stations: str = field(default="", metadata={"choices": ("", *SITE_CHOICES)})
    muck_sites: str = field(default="", metadata={"choices": ("", *SITE_CHOICES)})
    iterations: int = field(default=10_000, metadata={**_bounds(minimum=1.0, maximum=10_000_000.0), "unit": "iterations"})
    time_limit_s: float = field(default=900.0, metadata={**_bounds(above=0.0, maximum=86_400.0), "unit": "s"})
    film_period_days: float = field(default=7.0, metadata={**_bounds(above=0.0, maximum=366.0), "unit": "d"})
    muck_plan_date: str = ""


def parse_fleet(data: Any, path: Path) -> dict[str, FleetVehicle]:
    """The default fleet with ``[fleet.<key>]`` overrides applied, each checked."""
    if not isinstance(data, dict):
        raise GeoplanError(f"{path}: [fleet] must hold tables like [fleet.compression_truck]")
    fleet = dict(DEFAULT_FLEET)
    for key, values in data.items():
        if key not in fleet:
            raise GeoplanError(f"{path}: [fleet.{key}]: unknown vehicle — use one of {', '.join(fleet)}")
        vehicle = parse_section(fleet[key], values, f"{path}: [fleet.{key}]", skip=("key",))
        parse_window(vehicle.shift_start, vehicle.shift_end, where=f"{path}: [fleet.{key}] shift_start/shift_end")
        fleet[key] = vehicle
    return fleet


def parse_routing(data: Any, path: Path) -> RoutingSettings:
    """``[routing]`` over the defaults, each key checked."""
    if isinstance(data, dict) and "muck_working_days_per_week" in data:
        raise GeoplanError(f"{path}: [routing] muck_working_days_per_week belongs in [quantities] now "
                           "(siting and routing share it) — move the line there")
    return parse_section(RoutingSettings(), data, f"{path}: [routing]")
