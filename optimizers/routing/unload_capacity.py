"""Unload sites' daily capacity: jobs assigned to sites first, then one routing problem per site.

Neither engine can bound the tonnes tipped at a site over the day. When the jobs that
could use a site weigh more than its ``daily_capacity_t``, :func:`split_by_site` assigns
every job to one *option* within the capacities (:func:`~optimizers.routing.site_assignment.assign_to_sites`):

- a capacity-limited site ``s``: served by a vehicle type that ends at ``s``, or may unload
  at ``s`` and ends at a place without a limit, restricted to unload only at ``s``;
- the rest: vehicle types that do not end at a limited site, restricted to the sites
  without a limit.

Each option becomes a routing problem of its own with the same places and the jobs
assigned to it, so whatever its routes unload at a limited site is at most the tonnes
assigned there. Jobs that fit nowhere are reported unserved, naming the sites that are
full. The cost of an option for a job is the round trip between the job and the site (or,
for the rest, the nearest site or end it may use), in seconds, weighted by its tonnes.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from optimizers.routing.model import Job, RoutingProblem, VehicleType
from optimizers.routing.result import UnservedJob
from optimizers.routing.screening import Screening
from optimizers.routing.site_assignment import SiteAssignment, assign_to_sites

#: Reason given for jobs no site has room for.
CAPACITY_REASON = "卸载点日处理能力不足 / unload capacity exhausted at {sites}"


@dataclass(frozen=True)
class SitePart:
    """The jobs assigned to one option and the vehicle types that may serve them there.

    Attributes
    ----------
    site : str or None
        Id of the capacity-limited site, or None for the rest.
    jobs : list of int
        Indices into the original problem's jobs.
    vehicle_types : list of VehicleType
        Original vehicle types (same ids and counts) with their unload sites restricted.
    """

    site: str | None
    jobs: list[int]
    vehicle_types: list[VehicleType]


@dataclass(frozen=True)
class SiteSplit:
    """Outcome of :func:`split_by_site`.

    Attributes
    ----------
    parts : list of SitePart
        Limited sites in the problem's order, then the rest.
    unserved : list of UnservedJob
        Jobs no site had room for.
    assignment : SiteAssignment
    """

    parts: list[SitePart]
    unserved: list[UnservedJob]
    assignment: SiteAssignment


def limited_sites(problem: RoutingProblem, screening: Screening) -> list[int]:
    """Indices of the unload sites whose capacity the candidate jobs could exceed."""
    out = []
    for s, site in enumerate(problem.unload_sites):
        if not math.isfinite(site.daily_capacity_t):
            continue
        could = sum(problem.jobs[j].total_t for j, ks in screening.candidates.items()
                    if any(_reaches(problem, problem.vehicle_types[k], s) for k in ks))
        if could > site.daily_capacity_t + 1e-9:
            out.append(s)
    return out


def _reaches(problem: RoutingProblem, vt: VehicleType, s: int) -> bool:
    """Whether a vehicle of type ``vt`` can deliver to site ``s`` (unloading or ending there)."""
    return problem.unload_sites[s].id == vt.end_id or s in problem.allowed_unload_sites(vt)


def split_by_site(problem: RoutingProblem, screening: Screening, limited: list[int],
                  time_limit_s: float, seed: int = 0) -> SiteSplit:
    """Assign the candidate jobs to the limited sites and the rest, within capacity."""
    limited_ids = {problem.unload_sites[s].id for s in limited}
    jobs = sorted(screening.candidates)
    m = len(limited) + 1
    cost = np.full((len(jobs), m), np.inf)
    for r, j in enumerate(jobs):
        job = problem.jobs[j]
        for k in screening.candidates[j]:
            vt = problem.vehicle_types[k]
            dur = problem.matrices[vt.profile].duration_s
            for c, s in enumerate(limited):
                site = problem.unload_sites[s]
                if site.id == vt.end_id or (s in problem.allowed_unload_sites(vt) and vt.end_id not in limited_ids):
                    trip = dur[job.location, site.location] + dur[site.location, job.location]
                    cost[r, c] = min(cost[r, c], trip)
            if vt.end_id not in limited_ids:
                places = [problem.place(vt.end_id).location]
                places += [problem.unload_sites[s].location for s in problem.allowed_unload_sites(vt)
                           if s not in limited]
                trip = min(dur[job.location, p] + dur[p, job.location] for p in places)
                cost[r, m - 1] = min(cost[r, m - 1], trip)
    capacity = np.array([problem.unload_sites[s].daily_capacity_t for s in limited] + [np.inf])
    demand = np.array([problem.jobs[j].total_t for j in jobs])
    assignment = assign_to_sites(demand, capacity, cost, time_limit_s=time_limit_s, seed=seed)

    parts = []
    for c in range(m):
        members = [jobs[r] for r in np.flatnonzero(assignment.site == c)]
        if not members:
            continue
        site_id = problem.unload_sites[limited[c]].id if c < m - 1 else None
        parts.append(SitePart(site_id, members, _restricted_types(problem, screening, members, limited, c)))
    unserved = []
    for r in assignment.unassigned:
        names = [problem.unload_sites[limited[c]].id for c in range(m - 1) if np.isfinite(cost[r, c])]
        unserved.append(UnservedJob(problem.jobs[jobs[r]].id, CAPACITY_REASON.format(sites=", ".join(names))))
    return SiteSplit(parts, unserved, assignment)


def _restricted_types(problem: RoutingProblem, screening: Screening, members: list[int],
                      limited: list[int], c: int) -> list[VehicleType]:
    """Vehicle types of the part, unloading only where the part's tonnes were assigned."""
    limited_ids = {problem.unload_sites[s].id for s in limited}
    used = sorted({k for j in members for k in screening.candidates[j]})
    out = []
    for k in used:
        vt = problem.vehicle_types[k]
        allowed = problem.allowed_unload_sites(vt)
        if c < len(limited):
            s = limited[c]
            site_id = problem.unload_sites[s].id
            if not (vt.end_id == site_id or (s in allowed and vt.end_id not in limited_ids)):
                continue
            sites = (site_id,) if s in allowed else ()
        else:
            if vt.end_id in limited_ids:
                continue
            sites = tuple(problem.unload_sites[s].id for s in allowed if s not in limited)
        out.append(dataclasses.replace(vt, unload_sites=sites))
    return out


def part_problem(problem: RoutingProblem, part: SitePart, counts: dict[str, int],
                 depot_counts: dict[str, int | None]) -> tuple[RoutingProblem | None, list[UnservedJob]]:
    """The routing problem of one part, with the vehicles still free.

    Parameters
    ----------
    counts : dict of str to int
        Vehicles of each type not yet used by earlier parts.
    depot_counts : dict of str to int or None
        Vehicles that may still leave each depot (None: no limit).

    Returns
    -------
    problem : RoutingProblem or None
        None when no vehicle is left for any of the part's jobs.
    unserved : list of UnservedJob
        Jobs whose vehicles are all in use by earlier parts.
    """
    vts = []
    for vt in part.vehicle_types:
        free = counts[vt.id]
        cap = depot_counts.get(vt.depot)
        if cap is not None:
            free = min(free, cap)
        if free >= 1:
            vts.append(dataclasses.replace(vt, count=free))
    ids = {vt.id for vt in vts}
    jobs: list[Job] = []
    unserved = []
    for j in part.jobs:
        job = problem.jobs[j]
        allowed = tuple(vt.id for vt in vts
                        if (job.vehicle_types is None or vt.id in job.vehicle_types)
                        and set(job.fractions) <= set(vt.fractions))
        if not allowed:
            unserved.append(UnservedJob(job.id, "车辆不足 / fleet too small: every vehicle allowed for it is "
                                        "already in use; raise the depot's vehicle count or the vehicle type's count"))
            continue
        jobs.append(dataclasses.replace(job, vehicle_types=allowed))
    if not jobs or not ids:
        return None, unserved
    depots = [dataclasses.replace(d, vehicle_count=depot_counts.get(d.id)) for d in problem.depots]
    sub = RoutingProblem(depots, vts, jobs, problem.matrices, problem.unload_sites)
    return sub, unserved
