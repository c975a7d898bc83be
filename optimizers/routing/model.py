"""The routing problem: depots, vehicle types, jobs, unload sites and travel matrices.

One model serves both engines (:mod:`optimizers.routing.pyvrp_engine` and
:mod:`optimizers.routing.ortools_engine`). Locations are integer indices into the
travel matrices; the matrices come per road profile (e.g. ``"truck"``, ``"small_truck"``)
from the road network, in metres and seconds.

Loads are tracked in tonnes (and optionally cubic metres). A vehicle type carries one
waste fraction or a set of fractions in one body: its ``capacity_t`` bounds the total of
what it carries. An unload visit empties the vehicle; it is allowed only at a site that
accepts every fraction the vehicle carries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from layers.errors import GeoplanError

#: Fraction used when a job or vehicle names none.
DEFAULT_FRACTION = "其他垃圾"

#: Diesel emission factor, kg CO2 per litre: 3.096 kg CO2 per kg of diesel (the national
#: greenhouse-gas accounting method for enterprises), about 2.6 kg per litre at a density
#: of about 0.84 kg/L. A scenario sets its own as [quantities] diesel_co2_kg_per_l.
CO2_KG_PER_L_DIESEL = 2.6

#: Fuel use of a compression garbage / muck truck, L/100 km. Assumption: no national
#: figure exists; 30-40 L/100 km is the range seen for such trucks.
DEFAULT_FUEL_L_PER_100KM = 35.0


@dataclass(frozen=True)
class TravelMatrix:
    """Travel costs between all locations for one road profile.

    Attributes
    ----------
    distance_m : numpy.ndarray
        ``(n, n)`` road distance in metres, ``distance_m[i, j]`` from ``i`` to ``j``.
    duration_s : numpy.ndarray
        ``(n, n)`` travel time in seconds.
    """

    distance_m: np.ndarray
    duration_s: np.ndarray

    def __post_init__(self) -> None:
        dist = np.asarray(self.distance_m, dtype=float)
        dur = np.asarray(self.duration_s, dtype=float)
        object.__setattr__(self, "distance_m", dist)
        object.__setattr__(self, "duration_s", dur)
        if dist.ndim != 2 or dist.shape[0] != dist.shape[1]:
            raise GeoplanError(
                f"travel matrix distance_m has shape {dist.shape}; it must be square (n, n)"
            )
        if dur.shape != dist.shape:
            raise GeoplanError(
                f"travel matrix duration_s has shape {dur.shape} but distance_m has "
                f"{dist.shape}; compute both for the same locations"
            )
        for name, arr in (("distance_m", dist), ("duration_s", dur)):
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise GeoplanError(
                    f"travel matrix {name} has negative, NaN or infinite entries; "
                    "every location must be reachable from every other on the road network"
                )

    @property
    def size(self) -> int:
        """Number of locations."""
        return self.distance_m.shape[0]


@dataclass(frozen=True)
class Depot:
    """A vehicle base (车场) where routes start and, by default, end.

    Attributes
    ----------
    id : str
        Stable identifier.
    location : int
        Index into the travel matrices.
    open_s, close_s : float
        Opening hours in seconds from the planning day's reference time (e.g. midnight).
    fractions : tuple of str
        Fractions the depot accepts as an unload place (empty for a plain garage). A route
        ending here delivers its last load here.
    vehicle_count : int or None
        Most vehicles that may leave this depot over all vehicle types based here (the
        garage's fleet); None for no limit beyond the vehicle types' counts.
    """

    id: str
    location: int
    open_s: float = 0.0
    close_s: float = math.inf
    fractions: tuple[str, ...] = ()
    vehicle_count: int | None = None


@dataclass(frozen=True)
class UnloadSite:
    """A place where vehicles unload: transfer station, treatment plant, disposal site.

    Attributes
    ----------
    id : str
        Stable identifier.
    location : int
        Index into the travel matrices.
    fractions : tuple of str
        Fractions the site accepts.
    open_s, close_s : float
        Opening hours, seconds; an unload visit must start within them.
    service_s : float
        Time to unload (weighing, tipping), seconds.
    daily_capacity_t : float
        Tonnes the site takes per day. When the jobs that could go there weigh more,
        :func:`~optimizers.routing.solve` assigns jobs to sites within the capacities
        first (see :mod:`optimizers.routing.unload_capacity`).
    """

    id: str
    location: int
    fractions: tuple[str, ...] = (DEFAULT_FRACTION,)
    open_s: float = 0.0
    close_s: float = math.inf
    service_s: float = 0.0
    daily_capacity_t: float = math.inf


@dataclass(frozen=True)
class VehicleType:
    """A group of identical vehicles.

    Attributes
    ----------
    id : str
        Stable identifier.
    count : int
        Vehicles available.
    capacity_t : float
        Payload in tonnes (total over the fractions it carries).
    depot : str
        Id of the start depot.
    end : str or None
        Id of the depot or unload site where routes end; None means the start depot. The
        end must accept the fractions the vehicle carries, because the last load is
        delivered there.
    fractions : tuple of str
        Fractions this vehicle carries.
    capacity_m3 : float or None
        Body volume in m³, or None when volume does not bind.
    fixed_cost : float
        Cost of using one vehicle for the day, yuan.
    cost_per_km, cost_per_hour : float
        Running costs, yuan per km and yuan per hour of route duration.
    shift_start_s, shift_end_s : float
        The route must leave the depot no earlier than ``shift_start_s`` and be back by
        ``shift_end_s`` (seconds).
    max_duration_s : float
        Longest route, seconds (from leaving the depot to arriving at the end).
    profile : str
        Key into :attr:`RoutingProblem.matrices`.
    fuel_l_per_100km : float
        Diesel use, L/100 km.
    unload_sites : tuple of str or None
        Ids of the unload sites this vehicle may use; None means every site that accepts
        its fractions.
    max_unloads : int or None
        Most unload visits on one route (not counting the end), None for no limit.
    """

    id: str
    count: int
    capacity_t: float
    depot: str
    end: str | None = None
    fractions: tuple[str, ...] = (DEFAULT_FRACTION,)
    capacity_m3: float | None = None
    fixed_cost: float = 0.0
    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0
    shift_start_s: float = 0.0
    shift_end_s: float = math.inf
    max_duration_s: float = math.inf
    profile: str = "truck"
    fuel_l_per_100km: float = DEFAULT_FUEL_L_PER_100KM
    unload_sites: tuple[str, ...] | None = None
    max_unloads: int | None = None

    @property
    def end_id(self) -> str:
        """Id of the place where routes end."""
        return self.end if self.end is not None else self.depot


@dataclass(frozen=True)
class Job:
    """A collection job: a point whose waste is picked up in one visit.

    Attributes
    ----------
    id : str
        Stable identifier.
    location : int
        Index into the travel matrices.
    demand_t : mapping of str to float
        Tonnes to pick up per fraction, e.g. ``{"厨余垃圾": 1.2}``. A plain number means
        the default fraction.
    volume_m3 : float
        Volume to pick up, m³ (only binds for vehicle types with ``capacity_m3``).
    service_s : float
        Time on site, seconds.
    tw_start_s, tw_end_s : float
        Service must start within this window, seconds.
    release_s : float
        The waste is ready at this time: the trip that collects it must leave its depot
        or unload site no earlier.
    vehicle_types : tuple of str or None
        Ids of the vehicle types allowed; None means every type that carries the job's
        fractions.
    """

    id: str
    location: int
    demand_t: Mapping[str, float] | float
    volume_m3: float = 0.0
    service_s: float = 0.0
    tw_start_s: float = 0.0
    tw_end_s: float = math.inf
    release_s: float = 0.0
    vehicle_types: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        demand = self.demand_t
        if not isinstance(demand, Mapping):
            demand = {DEFAULT_FRACTION: float(demand)}
        object.__setattr__(self, "demand_t", {str(k): float(v) for k, v in demand.items()})

    @property
    def total_t(self) -> float:
        """Total tonnes over all fractions."""
        return float(sum(self.demand_t.values()))

    @property
    def fractions(self) -> tuple[str, ...]:
        """Fractions with positive demand."""
        return tuple(f for f, v in self.demand_t.items() if v > 0)


@dataclass(frozen=True)
class RoutingProblem:
    """A vehicle-routing problem on travel matrices, validated on construction.

    Raises
    ------
    layers.errors.GeoplanError
        On inconsistent input: matrix shapes, unknown ids, negative demand, a location
        outside the matrices, a job no vehicle type may serve, an end that cannot take a
        vehicle's load.
    """

    depots: list[Depot]
    vehicle_types: list[VehicleType]
    jobs: list[Job]
    matrices: dict[str, TravelMatrix]
    unload_sites: list[UnloadSite] = field(default_factory=list)

    def __post_init__(self) -> None:
        _validate(self)

    # Lookups used by the engines, the result builder and the checker.
    def depot(self, id_: str) -> Depot:
        """The depot with this id."""
        return {d.id: d for d in self.depots}[id_]

    def place(self, id_: str) -> Depot | UnloadSite:
        """The depot or unload site with this id."""
        for p in (*self.depots, *self.unload_sites):
            if p.id == id_:
                return p
        raise KeyError(id_)

    def allowed_unload_sites(self, vt: VehicleType) -> list[int]:
        """Indices into :attr:`unload_sites` where vehicles of type ``vt`` may unload."""
        out = []
        for k, site in enumerate(self.unload_sites):
            if vt.unload_sites is not None and site.id not in vt.unload_sites:
                continue
            if set(vt.fractions) <= set(site.fractions):
                out.append(k)
        return out

    def allowed_vehicle_types(self, job: Job) -> list[int]:
        """Indices into :attr:`vehicle_types` that may serve ``job`` (capacity ignored)."""
        out = []
        for k, vt in enumerate(self.vehicle_types):
            if job.vehicle_types is not None and vt.id not in job.vehicle_types:
                continue
            if set(job.fractions) <= set(vt.fractions):
                out.append(k)
        return out

    @property
    def profiles(self) -> list[str]:
        """Profiles in use, in a fixed order."""
        return sorted({vt.profile for vt in self.vehicle_types})


def _validate(p: RoutingProblem) -> None:
    if not p.matrices:
        raise GeoplanError("routing problem has no travel matrices; give at least one profile")
    sizes = {name: m.size for name, m in p.matrices.items()}
    if len(set(sizes.values())) != 1:
        raise GeoplanError(
            f"travel matrices differ in size per profile ({sizes}); compute every profile "
            "for the same list of locations"
        )
    n = next(iter(sizes.values()))
    if not p.depots:
        raise GeoplanError("routing problem has no depot; add the vehicles' base")
    if not p.vehicle_types:
        raise GeoplanError("routing problem has no vehicle type; add at least one")

    ids: set[str] = set()
    for kind, items in (("depot", p.depots), ("unload site", p.unload_sites),
                        ("vehicle type", p.vehicle_types), ("job", p.jobs)):
        for item in items:
            key = f"{kind}:{item.id}" if kind in ("vehicle type", "job") else f"place:{item.id}"
            if key in ids:
                raise GeoplanError(f"{kind} id {item.id!r} is used twice; ids must be unique")
            ids.add(key)
            loc = getattr(item, "location", None)
            if loc is not None and not (0 <= int(loc) < n):
                raise GeoplanError(
                    f"{kind} {item.id!r} has location {loc}, outside the travel matrices "
                    f"(0..{n - 1}); snap it to the road network first"
                )
    for depot in p.depots:
        if depot.vehicle_count is not None and depot.vehicle_count < 0:
            raise GeoplanError(f"depot {depot.id!r} has vehicle_count {depot.vehicle_count}; it must not be "
                               "negative (None for no limit)")
    for place in (*p.depots, *p.unload_sites):
        if place.close_s < place.open_s:
            raise GeoplanError(f"{place.id!r} closes ({place.close_s}) before it opens "
                               f"({place.open_s}); fix its opening hours")
    for site in p.unload_sites:
        if site.service_s < 0 or site.daily_capacity_t < 0:
            raise GeoplanError(f"unload site {site.id!r} has a negative service time or "
                               "daily capacity")

    place_ids = {d.id for d in p.depots} | {s.id for s in p.unload_sites}
    depot_ids = {d.id for d in p.depots}
    site_ids = {s.id for s in p.unload_sites}
    for vt in p.vehicle_types:
        where = f"vehicle type {vt.id!r}"
        if vt.count < 1:
            raise GeoplanError(f"{where} has count {vt.count}; it must be at least 1")
        if not vt.capacity_t > 0 or (vt.capacity_m3 is not None and not vt.capacity_m3 > 0):
            raise GeoplanError(f"{where} has a capacity that is not positive; set capacity_t "
                               "(and capacity_m3 if given) above zero")
        if vt.depot not in depot_ids:
            raise GeoplanError(f"{where} starts at unknown depot {vt.depot!r}")
        if vt.end_id not in place_ids:
            raise GeoplanError(f"{where} ends at unknown place {vt.end_id!r}")
        if vt.profile not in p.matrices:
            raise GeoplanError(f"{where} uses road profile {vt.profile!r}, which has no travel "
                               f"matrix (have: {', '.join(sorted(p.matrices))})")
        if min(vt.fixed_cost, vt.cost_per_km, vt.cost_per_hour, vt.fuel_l_per_100km) < 0:
            raise GeoplanError(f"{where} has a negative cost or fuel figure")
        if vt.shift_end_s < vt.shift_start_s or vt.max_duration_s <= 0:
            raise GeoplanError(f"{where} has a shift that ends before it starts or a "
                               "maximum duration that is not positive")
        if vt.unload_sites is not None:
            unknown = set(vt.unload_sites) - site_ids
            if unknown:
                raise GeoplanError(f"{where} names unknown unload sites {sorted(unknown)}")
        if vt.max_unloads is not None and vt.max_unloads < 0:
            raise GeoplanError(f"{where} has a negative max_unloads")
        end = p.place(vt.end_id)
        if not set(vt.fractions) <= set(end.fractions):
            raise GeoplanError(
                f"{where} ends at {vt.end_id!r}, which does not accept "
                f"{', '.join(vt.fractions)}; end the route at an unload site that takes "
                "the load (set end=...) or list the fractions on the depot"
            )

    vt_ids = {vt.id for vt in p.vehicle_types}
    for job in p.jobs:
        where = f"job {job.id!r}"
        if any(v < 0 for v in job.demand_t.values()) or job.volume_m3 < 0:
            raise GeoplanError(f"{where} has negative demand; demand is tonnes to pick up")
        if any(not math.isfinite(v) for v in job.demand_t.values()):
            raise GeoplanError(f"{where} has a demand that is not a finite number")
        if job.service_s < 0 or job.tw_end_s < job.tw_start_s:
            raise GeoplanError(f"{where} has a negative service time or a time window that "
                               "ends before it starts")
        if job.vehicle_types is not None:
            unknown = set(job.vehicle_types) - vt_ids
            if unknown:
                raise GeoplanError(f"{where} names unknown vehicle types {sorted(unknown)}")
        if not p.allowed_vehicle_types(job):
            raise GeoplanError(
                f"{where} ({', '.join(job.fractions) or 'no demand'}) cannot be served by "
                "any vehicle type: no allowed type carries all its fractions; add a "
                "vehicle type for them or correct the job's vehicle_types"
            )
