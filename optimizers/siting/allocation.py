"""Allocation of demand to open facilities within their capacity: who is covered, and each load.

A demand point counts as covered for the share of its load that a facility within the
service standard takes in. When every facility has unlimited capacity this is the usual
reading (covered when a facility is within the standard, load to the nearest); when
capacities bind, three linear programmes decide, each keeping what the previous won:

1. reach the shares due first: the sum over the requirements of each one's covered
   share, counted up to its due share only (when all can be reached, all are; coverage
   above a due share earns nothing here, so spare capacity is not spent on one target
   while another falls short);
2. then, keeping each requirement's stage-1 share, cover as much more as the capacity
   allows (sum of the requirements' shares);
3. then, keeping every point's covered share, send each load the shortest way
   (load × metres).

Shares may be split between facilities (a community's waste may go to two stations).
The same function decides the coverage indicators and the loads a plan reports, so the
two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from layers.errors import GeoplanError

#: Limit of each of the allocation's linear programmes, seconds (they take milliseconds on a
#: county; the limit only guards against a runaway solve).
TIME_LIMIT_S = 120.0



@dataclass
class Allocation:
    """Which facility takes what share of each demand point.

    Attributes
    ----------
    row, site : ndarray of int
        The (demand, facility) pairs with a positive share.
    share : ndarray of float
        Share of the demand point's load (and of its coverage weight) the facility takes.
    covered_share : ndarray, shape (n_demand,)
        Share of each demand point covered, 0–1.
    site_load : ndarray, shape (n_site,)
        Load each facility takes, in the unit of ``load``.
    nearest_site : ndarray of int, shape (n_demand,)
        The facility taking the largest share of each point (ties: the nearer), −1 if none.
    """

    row: np.ndarray
    site: np.ndarray
    share: np.ndarray
    covered_share: np.ndarray
    site_load: np.ndarray
    nearest_site: np.ndarray


def _pairs(eligible: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coo = sp.coo_matrix(eligible)
    order = np.lexsort((coo.col, coo.row))
    return coo.row[order].astype(np.int64), coo.col[order].astype(np.int64), coo.data[order].astype(float)


def _result(n_demand: int, n_site: int, row, site, share, cost, load) -> Allocation:
    keep = share > 1e-9
    row, site, share, cost = row[keep], site[keep], np.minimum(share[keep], 1.0), cost[keep]
    covered = np.bincount(row, weights=share, minlength=n_demand)
    site_load = np.bincount(site, weights=share * load[row], minlength=n_site)
    main = np.full(n_demand, -1, dtype=np.int64)
    # the largest share of each row, nearer first among equal shares
    order = np.lexsort((cost, -share, row))
    first = np.r_[True, row[order][1:] != row[order][:-1]] if order.size else np.zeros(0, bool)
    main[row[order][first]] = site[order][first]
    return Allocation(row, site, share, np.minimum(covered, 1.0), site_load, main)


def allocate(
    eligible: sp.spmatrix,
    load: np.ndarray,
    capacity: np.ndarray,
    weight: np.ndarray,
    requirement: np.ndarray,
    required_share: np.ndarray,
) -> Allocation:
    """Allocate demand points to the facilities within their standard, within capacity.

    Parameters
    ----------
    eligible : sparse matrix, shape (n_demand, n_site)
        Stored entries are the pairs within the service standard; the value is the road
        distance (m), used to send loads the short way. Only open facilities are columns.
    load : ndarray, shape (n_demand,)
        Quantity each point brings, in the capacity unit (t/d, t/yr, m³).
    capacity : ndarray, shape (n_site,)
        Capacity of each facility; ``inf`` = unlimited.
    weight : ndarray, shape (n_demand,)
        What the coverage counts (households, 1 per point, mulched mu, m³).
    requirement : ndarray of int, shape (n_demand,)
        Which requirement (target) each point belongs to, 0 … K−1.
    required_share : ndarray, shape (K,)
        The share each requirement must reach (0 where none is due).

    Returns
    -------
    Allocation
    """
    eligible = sp.csr_matrix(eligible)
    n_demand, n_site = eligible.shape
    load, capacity, weight = (np.asarray(a, dtype=float) for a in (load, capacity, weight))
    requirement = np.asarray(requirement, dtype=np.int64)
    required_share = np.asarray(required_share, dtype=float)
    if np.any(load < 0) or np.any(capacity < 0) or np.any(weight < 0):
        raise GeoplanError("allocation: loads, capacities and weights must be ≥ 0")
    row, site, cost = _pairs(eligible)
    limited = np.isfinite(capacity)
    # a point with an unlimited facility in reach goes there whole: no capacity to share
    free = np.zeros(n_demand, dtype=bool)
    free[row[~limited[site]]] = True
    if not limited[site].any() or free.all():
        unl = ~limited[site]
        order = np.lexsort((cost, ~unl, row))
        first = np.r_[True, row[order][1:] != row[order][:-1]] if order.size else np.zeros(0, bool)
        pick = order[first]
        share = np.zeros(row.size)
        share[pick] = 1.0
        return _result(n_demand, n_site, row, site, share, cost, load)
    return _allocate_lp(n_demand, n_site, row, site, cost, load, capacity, weight, requirement, required_share, free)


def _solve(c, a_ub, b_ub, bounds, a_eq=None, b_eq=None) -> np.ndarray:
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs",
                  options={"time_limit": TIME_LIMIT_S})
    if res.status == 1:
        raise GeoplanError(f"allocation LP stopped at its {TIME_LIMIT_S:g} s limit — the county is too large for "
                           "one allocation; split it")
    if res.status != 0:
        raise GeoplanError(f"allocation LP failed: {res.message}")
    return res.x


def _allocate_lp(n_demand, n_site, row, site, cost, load, capacity, weight, requirement, required_share,
                 free) -> Allocation:
    # points with an unlimited facility in reach take it whole; the LP shares out the rest
    keep = ~free[row] & np.isfinite(capacity[site])
    share = np.zeros(row.size)
    if (~keep).any():
        rest = np.flatnonzero(free[row] & ~np.isfinite(capacity[site]))
        order = rest[np.lexsort((cost[rest], row[rest]))]
        first = np.r_[True, row[order][1:] != row[order][:-1]] if order.size else np.zeros(0, bool)
        share[order[first]] = 1.0
    idx = np.flatnonzero(keep)
    k = int(required_share.size)
    if idx.size == 0:
        return _result(n_demand, n_site, row, site, share, cost, load)
    r, s = row[idx], site[idx]
    n_var = idx.size + k
    totals = np.bincount(requirement, weights=weight, minlength=k)
    done = np.bincount(requirement, weights=weight * free, minlength=k)  # covered by unlimited sites
    norm = np.where(totals > 0, 1.0 / np.where(totals > 0, totals, 1.0), 0.0)
    # rows: one per demand point (shares ≤ 1), one per limited site (load ≤ capacity),
    # one per requirement (s_k ≤ covered share of k)
    rows_u, inv_r = np.unique(r, return_inverse=True)
    sites_u, inv_s = np.unique(s, return_inverse=True)
    a_point = sp.csr_matrix((np.ones(idx.size), (inv_r, np.arange(idx.size))), shape=(rows_u.size, n_var))
    a_cap = sp.csr_matrix((load[r], (inv_s, np.arange(idx.size))), shape=(sites_u.size, n_var))
    share_coef = weight[r] * norm[requirement[r]]
    a_req = sp.csr_matrix((np.r_[-share_coef, np.ones(k)],
                           (np.r_[requirement[r], np.arange(k)], np.r_[np.arange(idx.size), idx.size + np.arange(k)])),
                          shape=(k, n_var))
    a_ub = sp.vstack([a_point, a_cap, a_req]).tocsr()
    b_ub = np.r_[np.ones(rows_u.size), capacity[sites_u], done * norm]
    s_max = np.maximum(required_share, 0.0)
    bounds = [(0.0, 1.0)] * idx.size + [(0.0, float(b)) for b in s_max]
    haul = (load[r] + 1e-3 * max(float(load[r].max()), 1e-9)) * cost[idx]  # zero loads still go the short way
    # stage 1: reach the shares due (s_k ≤ due_k, s_k ≤ covered share of k)
    x = _solve(np.r_[np.zeros(idx.size), -np.ones(k)], a_ub, b_ub, bounds)
    # stage 2: cover the most, each s_k held where stage 1 left it
    held = [(0.0, 1.0)] * idx.size + [(max(0.0, float(v) - 1e-9), float(b)) for v, b in zip(x[idx.size:], s_max)]
    x = _solve(np.r_[-share_coef / max(float(share_coef.max()), 1e-12), np.zeros(k)], a_ub, b_ub, held)
    # stage 3: the shortest hauls, every point's covered share held exactly as stage 2 left it
    covered = np.bincount(inv_r, weights=x[: idx.size], minlength=rows_u.size)
    try:
        x = _solve(np.r_[haul / max(float(haul.max()), 1e-12), np.zeros(k)], a_ub[rows_u.size:], b_ub[rows_u.size:],
                   held, a_point, np.minimum(covered, 1.0))
    except GeoplanError:
        pass  # the solver's tolerance cannot hold the shares exactly: keep stage 2's allocation
    share[idx] = np.clip(x[: idx.size], 0.0, 1.0)
    return _result(n_demand, n_site, row, site, share, cost, load)
