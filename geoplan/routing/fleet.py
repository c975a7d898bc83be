"""Default vehicle types and routing settings, with the overrides a scenario may make.

Every default below is an **assumption** (DOMAIN.md: no national figure exists for the
fuel use or payload of these trucks); a scenario overrides them in ``scenario.toml``::

    [fleet.compression_truck]
    capacity_t = 10.0
    fuel_l_per_100km = 38.0
    shift_start = "04:30"

    [routing]
    collection_depot = "DE01"
    collection_stations = "plan"
    film_stations = "existing"
    muck_sites = "plan"
    iterations = 10000
    muck_plan_date = "2026-05-01"

Keys of ``[fleet.<vehicle>]`` are the fields of :class:`FleetVehicle`; keys of
``[routing]`` are the fields of :class:`RoutingSettings`.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass
from typing import Any

from layers.errors import GeoplanError

#: Waste fractions of the sorted collection network (GB/T 19095-2019 categories).
OTHER = "其他垃圾"
KITCHEN = "厨余垃圾"
RECYCLABLES = "可回收物"
FILM = "废旧农膜"
MUCK = "渣土"


def parse_hhmm(text: str, *, where: str) -> float:
    """Seconds after midnight of ``"HH:MM"``; hours up to 48 allowed for night shifts."""
    try:
        hh, mm = str(text).strip().split(":")
        h, m = int(hh), int(mm)
    except ValueError:
        raise GeoplanError(f"{where}: time {text!r} is not HH:MM, e.g. \"05:00\"") from None
    if not (0 <= h <= 48 and 0 <= m < 60):
        raise GeoplanError(f"{where}: time {text!r} is out of range; use 00:00–23:59")
    return h * 3600.0 + m * 60.0


def parse_hours(text: str, *, where: str) -> tuple[float, float]:
    """``"22:00-06:00"`` → (79200, 108000): a window ending before it starts runs past midnight."""
    try:
        a, b = str(text).replace("–", "-").split("-")
    except ValueError:
        raise GeoplanError(f"{where}: opening hours {text!r} are not like \"22:00-06:00\"") from None
    start, end = parse_hhmm(a, where=where), parse_hhmm(b, where=where)
    if end <= start:
        end += 24 * 3600.0
    return start, end


def hhmm(seconds: float) -> str:
    """``"HH:MM"`` of seconds after midnight (times after midnight of the next day wrap)."""
    if not math.isfinite(seconds):
        return ""
    minutes = int(round(seconds / 60.0)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class FleetVehicle:
    """One kind of vehicle a workflow sends out.

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
    profile: str
    capacity_t: float
    capacity_m3: float | None
    fuel_l_per_100km: float
    shift_start: str
    shift_end: str
    count: int
    fixed_cost_yuan: float
    cost_per_km_yuan: float
    stop_service_min: float
    unload_service_min: float

    @property
    def label(self) -> str:
        """``"压缩式垃圾车 / compression garbage truck"``."""
        return f"{self.label_zh} / {self.label_en}"

    def shift_s(self) -> tuple[float, float]:
        """Shift start and end in seconds after midnight (end > start)."""
        where = f"[fleet.{self.key}]"
        start = parse_hhmm(self.shift_start, where=where)
        end = parse_hhmm(self.shift_end, where=where)
        if end <= start:
            end += 24 * 3600.0
        return start, end


#: Default vehicles. All figures are assumptions (see the module docstring).
DEFAULT_FLEET: dict[str, FleetVehicle] = {
    v.key: v
    for v in (
        # Assumption: 8 t rear-loading compression truck, 35 L/100 km (DOMAIN.md range
        # 30-40), morning shift 05:00-13:00 as in most county sanitation bureaus.
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
        # Assumption: 18 m³ dump truck ≈ 30 t at 1.7 t/m³, 40 L/100 km, permitted
        # night hours 22:00-06:00 (city construction-waste rules; hours an assumption).
        FleetVehicle("muck_truck", "渣土车", "muck truck",
                     "muck_truck", 30.6, 18.0, 40.0, "22:00", "06:00", 200, 500.0, 4.0,
                     10.0, 10.0),
    )
}


#: What a planner calls a truck by the fraction it carries (the same compression truck
#: is a 其他垃圾 truck on one route and a 可回收物 truck on another).
FRACTION_TRUCK_LABELS: dict[str, tuple[str, str]] = {
    OTHER: ("其他垃圾收运车", "residual-waste truck"),
    KITCHEN: ("厨余垃圾收运车", "kitchen-waste truck"),
    RECYCLABLES: ("可回收物收运车", "recyclables truck"),
}


def vehicle_type_label(vehicle: FleetVehicle, fractions: tuple[str, ...]) -> str:
    """The planner's name of a vehicle type, Chinese first, e.g. ``"其他垃圾收运车 / residual-waste truck"``.

    A truck carrying one household-waste fraction is named by it; any other vehicle
    (film van, muck truck) by its fleet label.
    """
    if len(fractions) == 1 and fractions[0] in FRACTION_TRUCK_LABELS:
        zh, en = FRACTION_TRUCK_LABELS[fractions[0]]
        return f"{zh} / {en}"
    return vehicle.label


@dataclass(frozen=True)
class RoutingSettings:
    """Workflow settings from ``[routing]``.

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
        ``geoplan route``: the search stops on it, so a rerun gives the same routes; the
        time limit ``[solver] time_limit_s`` is only the safety net.
    film_period_days : float
        Days of film gathered per collection run (7 = weekly).
    muck_plan_date : str
        Night planned, ISO date ("" = the start date of a construction site on which the
        active sites' nightly volume is largest).
    muck_working_days_per_week : float
        Nights a week muck is hauled; a site's nightly volume is its muck_volume_m3 over
        its working nights between start and end date. Assumption: 6.
    """

    collection_depot: str = ""
    collection_stations: str = ""
    film_stations: str = ""
    muck_sites: str = ""
    iterations: int = 10_000
    film_period_days: float = 7.0
    muck_plan_date: str = ""
    muck_working_days_per_week: float = 6.0


def _raw_toml(scenario) -> dict[str, Any]:
    path = scenario.folder / "scenario.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise GeoplanError(f"{path}: not valid TOML ({exc}) — fix the line named") from None


def _apply(obj, values: dict[str, Any], where: str, skip: tuple[str, ...] = ()):
    fields = {f.name: f for f in dataclasses.fields(obj) if f.name not in skip}
    out = {}
    for key, value in values.items():
        if key not in fields:
            raise GeoplanError(f"scenario.toml {where}: unknown key {key!r}; valid: {', '.join(fields)}")
        default = getattr(obj, key)
        if isinstance(default, (int, float)) and not isinstance(default, bool) or default is None:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise GeoplanError(f"scenario.toml {where} {key} must be a non-negative number, got {value!r}")
            value = int(value) if isinstance(default, int) and not isinstance(default, bool) else float(value)
        elif not isinstance(value, str):
            raise GeoplanError(f"scenario.toml {where} {key} must be text, got {value!r}")
        out[key] = value
    return dataclasses.replace(obj, **out)


def load_fleet(scenario) -> dict[str, FleetVehicle]:
    """The default fleet with the scenario's ``[fleet.<key>]`` overrides applied."""
    raw = _raw_toml(scenario).get("fleet", {})
    fleet = dict(DEFAULT_FLEET)
    for key, values in raw.items():
        if key not in fleet or not isinstance(values, dict):
            raise GeoplanError(f"scenario.toml [fleet.{key}]: unknown vehicle; use one of {', '.join(fleet)}")
        vehicle = _apply(fleet[key], values, f"[fleet.{key}]", skip=("key",))
        if not vehicle.capacity_t > 0 or vehicle.count < 1:
            raise GeoplanError(f"scenario.toml [fleet.{key}]: capacity_t and count must be positive")
        vehicle.shift_s()
        fleet[key] = vehicle
    return fleet


def load_settings(scenario) -> RoutingSettings:
    """The scenario's ``[routing]`` settings."""
    raw = _raw_toml(scenario).get("routing", {})
    settings = _apply(RoutingSettings(), raw, "[routing]")
    for key in ("collection_stations", "film_stations", "muck_sites"):
        if getattr(settings, key) not in ("", "existing", "plan"):
            raise GeoplanError(f"scenario.toml [routing] {key} = {getattr(settings, key)!r}: "
                               "use \"existing\" or \"plan\"")
    if settings.iterations < 1:
        raise GeoplanError("scenario.toml [routing] iterations must be at least 1")
    if not settings.film_period_days > 0 or not 0 < settings.muck_working_days_per_week <= 7:
        raise GeoplanError("scenario.toml [routing]: film_period_days must be > 0 and "
                           "muck_working_days_per_week within (0, 7]")
    return settings
