"""Jobs that no vehicle can serve, found before solving, with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from optimizers.routing.model import Job, RoutingProblem, VehicleType
from optimizers.routing.result import UnservedJob


@dataclass(frozen=True)
class Screening:
    """Outcome of screening.

    Attributes
    ----------
    candidates : dict of int to list of int
        Job index → indices of the vehicle types that can serve it on their own.
    unserved : list of UnservedJob
        Jobs no vehicle can serve, with the reason.
    """

    candidates: dict[int, list[int]]
    unserved: list[UnservedJob]


def _fits(job: Job, vt: VehicleType) -> bool:
    if job.total_t > vt.capacity_t + 1e-9:
        return False
    return vt.capacity_m3 is None or job.volume_m3 <= vt.capacity_m3 + 1e-9


def _reachable(problem: RoutingProblem, job: Job, vt: VehicleType) -> bool:
    """Whether a route depot → job → end can meet the job's window and the shift."""
    dur = problem.matrices[vt.profile].duration_s
    depot = problem.depot(vt.depot)
    end = problem.place(vt.end_id)
    leave = max(vt.shift_start_s, depot.open_s, job.release_s)
    if leave > min(vt.shift_end_s, depot.close_s):
        return False
    start = max(leave + dur[depot.location, job.location], job.tw_start_s)
    if start > job.tw_end_s + 1e-6:
        return False
    back = max(start + job.service_s + dur[job.location, end.location], end.open_s)
    if back > min(vt.shift_end_s, end.close_s) + 1e-6:
        return False
    shortest = dur[depot.location, job.location] + job.service_s + dur[job.location, end.location]
    return shortest <= vt.max_duration_s + 1e-6


def screen(problem: RoutingProblem) -> Screening:
    """Find, per job, the vehicle types that could serve it, and the jobs none can.

    A job is unserved when its demand exceeds every allowed vehicle's capacity (it would
    need splitting) or when no allowed vehicle can reach it within its time window and
    still end its route within its shift.
    """
    candidates: dict[int, list[int]] = {}
    unserved: list[UnservedJob] = []
    for j, job in enumerate(problem.jobs):
        allowed = problem.allowed_vehicle_types(job)
        fit = [k for k in allowed if _fits(job, problem.vehicle_types[k])]
        if not fit:
            cap = max(problem.vehicle_types[k].capacity_t for k in allowed)
            if job.total_t > cap + 1e-9:
                reason = (f"demand {job.total_t:g} t exceeds every allowed vehicle's capacity "
                          f"(largest {cap:g} t); split the job or add a larger vehicle")
            else:
                reason = (f"volume {job.volume_m3:g} m³ exceeds every allowed vehicle's "
                          "capacity; split the job or add a larger vehicle")
            unserved.append(UnservedJob(job.id, reason))
            continue
        ok = [k for k in fit if _reachable(problem, job, problem.vehicle_types[k])]
        if not ok:
            unserved.append(UnservedJob(
                job.id,
                "no vehicle can reach it within its time window and end its route within "
                "the shift; widen the window or the shift",
            ))
            continue
        candidates[j] = ok
    return Screening(candidates, unserved)
