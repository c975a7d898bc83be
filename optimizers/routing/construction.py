"""A greedy multi-trip construction used to start OR-Tools' local search.

OR-Tools' own first-solution strategies handle optional unload copies and release
times poorly (they drop many jobs, which its local search then rarely recovers), so
with reloads or time constraints the OR-Tools engine starts from these routes instead.

Each vehicle in turn drives trips: it repeatedly serves the job it can start serving
earliest (its load, the job's window, its release time against the trip's departure and
the way back to the route's end all permitting), and when none fits it unloads at the
nearest allowed site and starts a new trip.
"""

from __future__ import annotations

from optimizers.routing.model import RoutingProblem
from optimizers.routing.schedule import Visit


def greedy_routes(
    problem: RoutingProblem,
    candidates: dict[int, list[int]],
    vehicle_vt: list[int],
    unloads_available: dict[int, int],
) -> list[list[Visit]]:
    """One visit list per vehicle (possibly empty).

    Parameters
    ----------
    problem : RoutingProblem
    candidates : dict of int to list of int
        Job index → vehicle type indices that may serve it.
    vehicle_vt : list of int
        Vehicle type index of each vehicle.
    unloads_available : dict of int to int
        Unload site index → number of unload visits still available over all vehicles.
    """
    remaining = set(candidates)
    left = dict(unloads_available)
    out: list[list[Visit]] = []
    for k in vehicle_vt:
        vt = problem.vehicle_types[k]
        dur = problem.matrices[vt.profile].duration_s
        depot = problem.depot(vt.depot)
        end = problem.place(vt.end_id)
        latest_end = min(vt.shift_end_s, end.close_s)
        sites = problem.allowed_unload_sites(vt)
        mine = {j for j in remaining if k in candidates[j]}

        t = max(vt.shift_start_s, depot.open_s)
        loc = depot.location
        route_start: float | None = None
        trip_dep: float | None = None
        load = vol = 0.0
        unloads = 0
        visits: list[Visit] = []
        while mine:
            best = None
            for j in mine:
                job = problem.jobs[j]
                if load + job.total_t > vt.capacity_t + 1e-9:
                    continue
                if vt.capacity_m3 is not None and vol + job.volume_m3 > vt.capacity_m3 + 1e-9:
                    continue
                if trip_dep is None:
                    dep = max(t, job.release_s)
                elif job.release_s > trip_dep:
                    continue
                else:
                    dep = t
                st = max(dep + dur[loc, job.location], job.tw_start_s)
                if st > job.tw_end_s:
                    continue
                back = max(st + job.service_s + dur[job.location, end.location], end.open_s)
                first = route_start if route_start is not None else dep
                if back > latest_end or back - first > vt.max_duration_s:
                    continue
                key = (st, dur[loc, job.location], j)
                if best is None or key < best[0]:
                    best = (key, j, dep, st)
            if best is not None:
                _, j, dep, st = best
                job = problem.jobs[j]
                if trip_dep is None:
                    trip_dep = dep
                if route_start is None:
                    route_start = dep
                visits.append(("job", j))
                mine.discard(j)
                remaining.discard(j)
                t, loc = st + job.service_s, job.location
                load += job.total_t
                vol += job.volume_m3
                continue
            # Nothing fits this trip: unload and start another, if that is possible.
            if trip_dep is None or (vt.max_unloads is not None and unloads >= vt.max_unloads):
                break
            usable = [s for s in sites if left.get(s, 0) > 0]
            if not usable:
                break
            s = min(usable, key=lambda s: (dur[loc, problem.unload_sites[s].location], s))
            site = problem.unload_sites[s]
            st = max(t + dur[loc, site.location], site.open_s)
            if st > site.close_s:
                break
            visits.append(("unload", s))
            left[s] -= 1
            unloads += 1
            t, loc = st + site.service_s, site.location
            load = vol = 0.0
            trip_dep = None
        while visits and visits[-1][0] == "unload":
            left[visits.pop()[1]] += 1
        out.append(visits)
    return out
