"""Routing results: stops, routes with their totals, unserved jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

StopKind = Literal["depot", "job", "unload"]

#: Said when the time limit, not the iteration limit, ended the search.
TIME_STOP_NOTE = ("搜索在时间上限处停止 the search stopped at its time limit, not its iteration limit: "
                  "a rerun may give other routes; raise the time limit or lower the iteration limit")


@dataclass(frozen=True)
class Stop:
    """One visit on a route.

    Attributes
    ----------
    kind : {"depot", "job", "unload"}
        What happens here. The first stop is the start depot; the last is the route's end
        (a depot, or an unload site where the last load is delivered).
    place_id : str
        Id of the depot, unload site or job.
    location : int
        Index into the travel matrices.
    job_id : str or None
        The job served (``kind == "job"`` only).
    arrival_s : float
        Arrival time, seconds.
    start_s : float
        Service start (after any wait for a time window or opening hour), seconds.
    departure_s : float
        Departure, seconds: service end, or later when the next trip must wait for its
        jobs' release times.
    load_after_t : dict of str to float
        Tonnes on board per fraction when leaving the stop.
    load_after_m3 : float
        Volume on board when leaving, m³.
    """

    kind: StopKind
    place_id: str
    location: int
    job_id: str | None
    arrival_s: float
    start_s: float
    departure_s: float
    load_after_t: dict[str, float]
    load_after_m3: float = 0.0


@dataclass(frozen=True)
class Route:
    """The day's route of one vehicle.

    Attributes
    ----------
    vehicle_type : str
        Id of the vehicle type.
    stops : list of Stop
        Start depot, jobs and unload visits in order, then the end.
    distance_km : float
        Road distance driven.
    duration_h : float
        From leaving the start depot to arriving at the end, hours.
    tonne_km : float
        Sum over legs of tonnes on board × leg length.
    fuel_l : float
        Diesel used, litres.
    co2_kg : float
        CO₂ from that diesel, kg.
    cost : float
        Fixed cost + distance cost + duration cost, yuan.
    """

    vehicle_type: str
    stops: list[Stop]
    distance_km: float
    duration_h: float
    tonne_km: float
    fuel_l: float
    co2_kg: float
    cost: float

    @property
    def job_ids(self) -> list[str]:
        """Jobs served, in order."""
        return [s.job_id for s in self.stops if s.kind == "job" and s.job_id is not None]

    @property
    def num_unloads(self) -> int:
        """Unload visits before the end."""
        return sum(1 for s in self.stops[1:-1] if s.kind == "unload")

    @property
    def collected_t(self) -> float:
        """Tonnes collected on this route."""
        return sum(max(0.0, sum(b.load_after_t.values()) - sum(a.load_after_t.values()))
                   for a, b in zip(self.stops, self.stops[1:]) if b.kind == "job")


@dataclass(frozen=True)
class UnservedJob:
    """A job left out of the plan, and why."""

    job_id: str
    reason: str


@dataclass
class RoutingResult:
    """The routes of one solve, with totals.

    Attributes
    ----------
    routes : list of Route
        Used vehicles only.
    unserved : list of UnservedJob
        Jobs not served, each with the reason.
    engine : {"pyvrp", "ortools"}
        Engine that produced the routes.
    engine_reason : str
        Why this engine ran (the choice made by ``engine="auto"``, or "requested").
    solve_time_s : float
        Wall time of the engine, seconds.
    objective : float
        Total cost, yuan (fixed + distance + duration costs of all routes).
    feasible : bool
        False when the engine found no plan meeting every constraint in its time limit;
        ``routes`` is then empty and every job is listed as unserved.
    stats : dict of str to float
        Engine figures (objective in engine units, iterations…).
    stopped_by : str
        What ended the search: ``"iterations"`` (the iteration or solution limit: the
        routes repeat exactly on a rerun), ``"time"`` (the time limit: a rerun may differ),
        or ``""`` when the method runs to its end.
    """

    routes: list[Route]
    unserved: list[UnservedJob]
    engine: str
    engine_reason: str
    solve_time_s: float
    objective: float
    feasible: bool = True
    stats: dict[str, float] = field(default_factory=dict)
    stopped_by: str = ""

    @property
    def vehicles_used(self) -> int:
        """Number of routes (vehicles leaving the depot)."""
        return len(self.routes)

    @property
    def distance_km(self) -> float:
        """Total road distance, km."""
        return sum(r.distance_km for r in self.routes)

    @property
    def duration_h(self) -> float:
        """Total route hours."""
        return sum(r.duration_h for r in self.routes)

    @property
    def tonne_km(self) -> float:
        """Total tonne-km."""
        return sum(r.tonne_km for r in self.routes)

    @property
    def fuel_l(self) -> float:
        """Total diesel, litres."""
        return sum(r.fuel_l for r in self.routes)

    @property
    def co2_kg(self) -> float:
        """Total CO₂, kg."""
        return sum(r.co2_kg for r in self.routes)

    def summary(self) -> str:
        """A few lines for a planner: vehicles, km, hours, tonne-km, fuel, CO₂, unserved."""
        lines = [
            f"引擎 engine: {self.engine} ({self.engine_reason}), {self.solve_time_s:.1f} s",
            f"车辆 vehicles used: {self.vehicles_used}",
            f"里程 distance: {self.distance_km:.1f} km",
            f"时长 hours: {self.duration_h:.1f} h",
            f"吨公里 tonne-km: {self.tonne_km:.1f} t·km",
            f"油耗 fuel: {self.fuel_l:.1f} L",
            f"碳排放 CO₂: {self.co2_kg:.1f} kg",
            f"费用 cost: {self.objective:.2f}",
        ]
        if self.stopped_by == "time":
            lines.append(TIME_STOP_NOTE)
        if not self.feasible:
            lines.append("未找到可行方案 no feasible plan found within the time limit")
        if self.unserved:
            lines.append(f"未服务 unserved jobs: {len(self.unserved)}")
            lines += [f"  {u.job_id}: {u.reason}" for u in self.unserved]
        return "\n".join(lines)
