"""Target cover: the least building cost that lifts every coverage requirement to its share, year by year.

The question a zero-waste plan asks: which new sites, built in which year, so that each
year's targets hold — what is built stays built, a year's spending stays within its
budget, and a site counts only for the demand its capacity takes in.

Model (years t = 1 … T, candidate c with size options o, requirement k with demand rows i):

- ``u[c,o,t]`` ∈ {0, 1}: site c is built with option o by year t; ``u`` never falls
  from one year to the next, and a site takes one option at most;
- without capacities, ``y[g,t]`` ∈ [0, 1] for each group g of rows that share the same
  candidates within the standard (rows already covered by an existing site, and rows no
  candidate reaches, are constants): ``y[g,t] ≤ Σ u`` over g's candidates;
- with capacities, ``z[i,j,t]`` ∈ [0, 1], the share of row i's load that site j takes:
  ``Σ_j z ≤ 1``, ``z ≤ open[j,t]`` and ``Σ_i load_i z ≤ capacity[j,t]``;
- coverage: ``Σ weight × covered ≥ share[k,t] × total weight[k]`` for every year a
  share is due;
- budget: the cost of the sites first built in year t ≤ ``budget[t]``;
- groups: at least ``min_open`` sites of each group open by the last year;
- objective: the total building cost, plus 10⁻⁶ of the cost for every year a site is
  built before the last — of plans that cost the same, the one that spends later.

Without capacities, candidates whose coverage is a subset of a no dearer candidate's
(same group) are left out before the solve; rows are grouped as above. Both keep the
optimum. The MIP is solved by HiGHS (``scipy.optimize.milp``) within the time limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from layers.errors import GeoplanError
from optimizers.siting.problem import SiteGroups
from optimizers.siting.result import SolveStatus

ENGINE = "HiGHS (scipy.optimize.milp)"
#: Cost weight of building a year early, per year (ties go to the plan that spends later).
EARLY_BUILD_WEIGHT = 1e-6
_DOMINANCE_MAX_CANDIDATES = 5000
MIP_REL_GAP = 1e-9


@dataclass
class CoverRequirement:
    """One coverage requirement (a plan target) with its demand rows.

    Attributes
    ----------
    name : str
    eligible : sparse matrix, shape (n_rows, n_site)
        Stored entries are the (row, site) pairs within the target's service standard;
        the value is the road distance in metres.
    weight : ndarray, shape (n_rows,)
        What the coverage counts per row (households, 1, mulched mu, m³).
    load : ndarray, shape (n_rows,)
        Quantity per row in the sites' capacity unit.
    share_by_year : ndarray, shape (T,)
        Share of the total weight to cover in each year of the plan; 0 where none is due.
    """

    name: str
    eligible: sp.spmatrix
    weight: np.ndarray
    load: np.ndarray
    share_by_year: np.ndarray

    def __post_init__(self) -> None:
        self.eligible = sp.csr_matrix(self.eligible)
        self.weight = np.asarray(self.weight, dtype=float)
        self.load = np.asarray(self.load, dtype=float)
        self.share_by_year = np.asarray(self.share_by_year, dtype=float)
        n = self.eligible.shape[0]
        for label, arr in (("weight", self.weight), ("load", self.load)):
            if arr.shape != (n,) or not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise GeoplanError(f"requirement {self.name}: {label} must be {n} finite values ≥ 0")
        if np.any((self.share_by_year < 0) | (self.share_by_year > 1)):
            raise GeoplanError(f"requirement {self.name}: shares must lie in 0–1")

    @property
    def total_weight(self) -> float:
        return float(self.weight.sum())


@dataclass
class TargetCoverProblem:
    """Sites with their size options, the years of the plan and the requirements to meet.

    Attributes
    ----------
    site_ids : list of str
    existing : ndarray of bool, shape (n_site,)
        Open from the start at no cost, with the capacity of option 0.
    option_capacity, option_cost : ndarray, shape (n_site, O)
        Capacity (``inf`` = unlimited) and building cost (yuan) of each size option;
        a NaN cost marks an option the site does not offer.
    option_names : list of str, length O
    years : list of int, length T
        Years of the plan, ascending.
    requirements : list of CoverRequirement
    budget_yuan : ndarray, shape (T,)
        Spending allowed in each year (``inf`` = no limit).
    groups : SiteGroups, optional
        Groups of which ``min_open`` sites must be open by the last year.
    """

    site_ids: list[str]
    existing: np.ndarray
    option_capacity: np.ndarray
    option_cost: np.ndarray
    option_names: list[str]
    years: list[int]
    requirements: list[CoverRequirement]
    budget_yuan: np.ndarray | None = None
    groups: SiteGroups | None = None

    def __post_init__(self) -> None:
        n = len(self.site_ids)
        self.existing = np.asarray(self.existing, dtype=bool)
        self.option_capacity = np.atleast_2d(np.asarray(self.option_capacity, dtype=float))
        self.option_cost = np.atleast_2d(np.asarray(self.option_cost, dtype=float))
        o = len(self.option_names)
        if self.option_capacity.shape != (n, o) or self.option_cost.shape != (n, o):
            raise GeoplanError(f"target cover: option arrays must have shape ({n}, {o})")
        if self.existing.shape != (n,):
            raise GeoplanError(f"target cover: existing must have {n} values")
        if list(self.years) != sorted(set(self.years)) or not self.years:
            raise GeoplanError("target cover: years must be distinct and ascending")
        t = len(self.years)
        self.budget_yuan = np.full(t, np.inf) if self.budget_yuan is None else np.asarray(self.budget_yuan, float)
        if self.budget_yuan.shape != (t,):
            raise GeoplanError(f"target cover: budget_yuan must have {t} values, one per year")
        for req in self.requirements:
            if req.eligible.shape[1] != n or req.share_by_year.shape != (t,):
                raise GeoplanError(f"requirement {req.name}: shape does not match {n} sites × {t} years")
        if np.any(np.nan_to_num(self.option_cost, nan=0.0) < 0) or np.any(self.option_capacity < 0):
            raise GeoplanError("target cover: option costs and capacities must be ≥ 0")

    @property
    def n_site(self) -> int:
        return len(self.site_ids)

    @property
    def limited(self) -> np.ndarray:
        """Sites with a finite capacity in an option they may take, shape (n_site,)."""
        usable = np.where(self.existing[:, None], np.arange(self.option_capacity.shape[1]) == 0,
                          np.isfinite(self.option_cost))
        return (np.isfinite(self.option_capacity) & usable).any(axis=1)

    def capacitated(self, requirement: CoverRequirement) -> bool:
        """Whether a site within reach of the requirement's rows has a finite capacity."""
        cols = np.unique(sp.coo_matrix(requirement.eligible).col)
        return bool(self.limited[cols].any())


@dataclass
class TargetCoverResult:
    """A plan that meets the requirements, when one exists.

    Attributes
    ----------
    status : SolveStatus
    build_year : ndarray of int, shape (n_site,)
        Year each new site is built (−1 = not built; existing sites −1).
    option : ndarray of int, shape (n_site,)
        Size option of each new site (−1 = not built).
    cost_yuan : float
        Building cost of the plan (NaN without one).
    bound_yuan : float
        Proven lower bound on the least cost.
    gap : float
    spend_by_year : ndarray, shape (T,)
    coverage : ndarray, shape (K, T)
        Share of each requirement the model covers in each year.
    solve_time_s : float
    infeasibility_reason : str or None
    """

    status: SolveStatus
    years: list[int]
    site_ids: list[str]
    build_year: np.ndarray
    option: np.ndarray
    cost_yuan: float
    bound_yuan: float
    spend_by_year: np.ndarray
    coverage: np.ndarray
    solve_time_s: float
    engine: str = ENGINE
    formulation: str = ""
    infeasibility_reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_feasible(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    @property
    def gap(self) -> float:
        if not self.is_feasible:
            return math.inf
        return abs(self.cost_yuan - self.bound_yuan) / max(abs(self.cost_yuan), 1e-9)

    def built_by(self, year: int) -> np.ndarray:
        """Mask of new sites built in or before ``year``."""
        return (self.build_year >= 0) & (self.build_year <= year)

    def summary(self) -> str:
        if not self.is_feasible:
            return f"target cover: {self.status.value} — {self.infeasibility_reason or 'no plan'}"
        n = int((self.build_year >= 0).sum())
        per = ", ".join(f"{y}: {s / 1e4:,.0f} 万元" for y, s in zip(self.years, self.spend_by_year) if s > 0)
        return (f"target cover ({self.status.value}, gap {self.gap:.3%}, {self.solve_time_s:.1f} s): {n} new sites, "
                f"{self.cost_yuan / 1e4:,.1f} 万元 ({per or 'nothing to build'})")


class _Builder:
    """Triplets of a sparse constraint matrix with row bounds, row by row block."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lb: list[np.ndarray] = []
        self.ub: list[np.ndarray] = []
        self.n = 0

    def add(self, row: np.ndarray, col: np.ndarray, val: np.ndarray, n_rows: int, lb, ub) -> None:
        self.rows.append(np.asarray(row, np.int64) + self.n)
        self.cols.append(np.asarray(col, np.int64))
        self.vals.append(np.asarray(val, float))
        self.lb.append(np.broadcast_to(np.asarray(lb, float), (n_rows,)))
        self.ub.append(np.broadcast_to(np.asarray(ub, float), (n_rows,)))
        self.n += n_rows

    def constraint(self, n_var: int) -> LinearConstraint | None:
        if self.n == 0:
            return None
        a = sp.csr_matrix((np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
                          shape=(self.n, n_var))
        return LinearConstraint(a, np.concatenate(self.lb), np.concatenate(self.ub))


def _covered_by(eligible: sp.csr_matrix, mask: np.ndarray) -> np.ndarray:
    """Rows with a stored pair to a site in ``mask``."""
    return np.asarray(eligible[:, np.flatnonzero(mask)].getnnz(axis=1) > 0) if mask.any() \
        else np.zeros(eligible.shape[0], dtype=bool)


def _row_groups(incidence: sp.csr_matrix, weight: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Rows with the same set of candidates merged into one, their weights summed."""
    keys = [incidence.indices[incidence.indptr[i]:incidence.indptr[i + 1]].tobytes()
            for i in range(incidence.shape[0])]
    index: dict[bytes, int] = {}
    group = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        group[i] = index.setdefault(key, len(index))
    first = np.unique(group, return_index=True)[1]
    w = np.bincount(group, weights=weight, minlength=len(index))
    return incidence[first], w


def _dominated(incidence: sp.csr_matrix, cost: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Candidates in no group covering a subset of what a no dearer candidate covers.

    A site in a group may be needed for the group's count, so only sites in no group
    (``label`` −1) are left out.
    """
    n = incidence.shape[1]
    out = np.zeros(n, dtype=bool)
    if n < 2 or n > _DOMINANCE_MAX_CANDIDATES:
        return out
    b = incidence.astype(np.int32, copy=True)
    b.data[:] = 1  # a stored pair covers, whatever its distance (0 m included)
    size = np.asarray(b.sum(axis=0)).ravel()
    inter = (b.T @ b).toarray()
    for j in np.argsort(-cost, kind="stable"):
        if out[j]:
            continue
        if label[j] >= 0 or not np.isfinite(cost[j]):
            continue
        # k covers all of j's rows and costs no more; of equal twins the lower index stays
        sub = (inter[j] == size[j]) & (cost <= cost[j]) & ~out
        sub[j] = False
        twins = sub & (cost == cost[j]) & (inter[:, j] == size)
        sub &= ~twins | (np.arange(n) < j)
        if sub.any():
            out[j] = True
    return out


def solve_target_cover(problem: TargetCoverProblem, time_limit_s: float, *, seed: int = 0) -> TargetCoverResult:
    """The least-cost plan meeting every requirement in every year (see the module docstring).

    Parameters
    ----------
    problem : TargetCoverProblem
    time_limit_s : float
        Wall-clock limit for building and solving, seconds.
    seed : int
        HiGHS random seed.

    Returns
    -------
    TargetCoverResult
    """
    if not time_limit_s > 0:
        raise GeoplanError(f"time limit must be positive seconds, got {time_limit_s!r}")
    t0 = time.perf_counter()
    p = problem
    n, o_count, t_count = p.n_site, len(p.option_names), len(p.years)
    cand = np.flatnonzero(~p.existing)
    nc = cand.size
    cost = p.option_cost[cand]
    avail = np.isfinite(cost)
    cost = np.where(avail, cost, 0.0)
    cap_req = [p.capacitated(req) for req in p.requirements]
    capacitated = any(cap_req)
    notes: list[str] = []
    label = p.groups.label[cand] if p.groups is not None else np.full(nc, -1)
    # one option is enough for a site without capacities: the cheapest it offers
    unlimited = ~p.limited[cand]
    cheapest = np.where(avail, cost, np.inf).min(axis=1)
    keep_opt = np.where(avail, cost, np.inf).argmin(axis=1)
    collapse = unlimited & np.isfinite(cheapest)
    avail[collapse] = False
    avail[np.flatnonzero(collapse), keep_opt[collapse]] = True
    # variable layout: u[c, o, t] first, then coverage variables
    n_u = nc * o_count * t_count

    def u_index(c, o, t):
        return (np.asarray(c) * o_count + np.asarray(o)) * t_count + np.asarray(t)

    ub = np.zeros(n_u)
    for c, o in zip(*np.nonzero(avail)):
        ub[u_index(c, o, np.arange(t_count))] = 1.0
    obj = np.zeros(n_u)
    for t in range(t_count):
        weight_t = 1.0 if t == t_count - 1 else EARLY_BUILD_WEIGHT
        obj[u_index(np.repeat(np.arange(nc), o_count), np.tile(np.arange(o_count), nc), t)] = (cost * weight_t).ravel()
    build = _Builder()
    extra_obj: list[np.ndarray] = []
    extra_ub: list[np.ndarray] = []
    n_var = n_u
    cand_pos = np.full(n, -1)
    cand_pos[cand] = np.arange(nc)
    infeasible: list[str] = []

    # u never falls, one option per site
    cs, os_ = np.nonzero(avail)
    if t_count > 1 and cs.size:
        r = np.arange(cs.size * (t_count - 1))
        c_rep, o_rep = np.repeat(cs, t_count - 1), np.repeat(os_, t_count - 1)
        t_rep = np.tile(np.arange(t_count - 1), cs.size)
        build.add(np.r_[r, r], np.r_[u_index(c_rep, o_rep, t_rep), u_index(c_rep, o_rep, t_rep + 1)],
                  np.r_[np.ones(r.size), -np.ones(r.size)], r.size, -np.inf, 0.0)
    if o_count > 1 and cs.size:
        build.add(cs, u_index(cs, os_, t_count - 1), np.ones(cs.size), nc, -np.inf, 1.0)

    def open_terms(c_local: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Columns and values of Σ_o u[c, o, t] for each c in ``c_local`` (row-aligned)."""
        rows, cols = [], []
        for o in range(o_count):
            ok = avail[c_local, o]
            rows.append(np.flatnonzero(ok))
            cols.append(u_index(c_local[ok], o, t))
        return np.concatenate(rows), np.concatenate(cols)

    coverage_vars: list[tuple[int, np.ndarray, np.ndarray, float]] = []  # (k, var idx per t, weights, constant)
    free_reqs = [k for k, c in enumerate(cap_req) if not c]
    if free_reqs:
        in_cap = np.zeros(nc, dtype=bool)
        for k in np.flatnonzero(cap_req):
            in_cap |= np.asarray(p.requirements[k].eligible[:, cand].getnnz(axis=0) > 0)
        dominated = _dominated(
            sp.vstack([p.requirements[k].eligible[:, cand] for k in free_reqs]).tocsc(), np.where(avail.any(axis=1), np.where(avail, cost, -np.inf).max(axis=1), np.inf), label)
        dominated &= avail.any(axis=1) & ~in_cap
        if dominated.any():
            ub[np.isin(np.arange(n_u) // (o_count * t_count), np.flatnonzero(dominated))] = 0.0
            notes.append(f"{int(dominated.sum())} candidates left out: another no dearer covers all they cover")
        usable = avail.any(axis=1) & ~dominated
        for k in free_reqs:
            req = p.requirements[k]
            done = _covered_by(req.eligible, p.existing)
            inc = req.eligible[:, cand][:, np.flatnonzero(usable)].tocsr()
            reach = np.asarray(inc.getnnz(axis=1) > 0) & ~done
            const = float(req.weight[done].sum())
            if not reach.any():
                coverage_vars.append((k, np.full((0, t_count), -1), np.zeros(0), const))
                for t, share in enumerate(req.share_by_year):
                    if const + 1e-9 < share * req.total_weight:
                        infeasible.append(f"{req.name} {p.years[t]}")
                continue
            groups, w = _row_groups(inc[np.flatnonzero(reach)], req.weight[reach])
            groups = groups.tocsr()
            g = groups.shape[0]
            notes.append(f"{req.name}: {int(reach.sum())} rows in reach merged into {g} groups of the same "
                         f"candidates ({int(done.sum())} already covered)")
            var = n_var + np.arange(g * t_count).reshape(g, t_count)
            n_var += g * t_count
            extra_obj.append(np.zeros(g * t_count))
            extra_ub.append(np.ones(g * t_count))
            coo = groups.tocoo()
            local = np.flatnonzero(usable)[coo.col]
            for t in range(t_count):
                # y[g,t] − Σ u ≤ 0
                rows_u, cols_u = [], []
                for o in range(o_count):
                    ok = avail[local, o]
                    rows_u.append(coo.row[ok])
                    cols_u.append(u_index(local[ok], o, t))
                ru, cu = np.concatenate(rows_u), np.concatenate(cols_u)
                build.add(np.r_[np.arange(g), ru], np.r_[var[:, t], cu], np.r_[np.ones(g), -np.ones(ru.size)],
                          g, -np.inf, 0.0)
            coverage_vars.append((k, var, w, const))
    if capacitated:
        total_load = sum(float(req.load.sum()) for req in p.requirements) + 1.0
        cap_cand = np.where(np.isfinite(p.option_capacity[cand]), p.option_capacity[cand], total_load)
        site_terms: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {t: [] for t in range(t_count)}
        for k in np.flatnonzero(cap_req):
            req = p.requirements[k]
            coo = req.eligible.tocoo()
            ok_pair = p.existing[coo.col] | avail[np.maximum(cand_pos[coo.col], 0)].any(axis=1) & (cand_pos[coo.col] >= 0)
            r_i, s_j = coo.row[ok_pair], coo.col[ok_pair]
            m = r_i.size
            var = n_var + np.arange(m * t_count).reshape(m, t_count)
            n_var += m * t_count
            extra_obj.append(np.zeros(m * t_count))
            extra_ub.append(np.ones(m * t_count))
            rows_u = np.unique(r_i)
            pos = np.searchsorted(rows_u, r_i)
            for t in range(t_count):
                # each row's shares ≤ 1; = 1 for rows that count when all must be covered (a
                # share of 100 % leaves none out: stating it tightens the LP a great deal)
                whole = req.share_by_year[t] >= 1.0 - 1e-12
                lower = np.where(whole & (req.weight[rows_u] > 0), 1.0, -np.inf)
                build.add(pos, var[:, t], np.ones(m), rows_u.size, lower, 1.0)
                # z ≤ open for candidates
                is_c = cand_pos[s_j] >= 0
                pc = np.flatnonzero(is_c)
                rr, cc = open_terms(cand_pos[s_j[pc]], t)
                build.add(np.r_[np.arange(pc.size), rr], np.r_[var[pc, t], cc],
                          np.r_[np.ones(pc.size), -np.ones(rr.size)], pc.size, -np.inf, 0.0)
                site_terms[t].append((s_j, var[:, t], req.load[r_i]))
            coverage_vars.append((k, (var, r_i), req.weight[r_i], 0.0))
        for t in range(t_count):
            if not site_terms[t]:
                continue
            s_all = np.concatenate([s for s, _, _ in site_terms[t]])
            v_all = np.concatenate([v for _, v, _ in site_terms[t]])
            l_all = np.concatenate([l for _, _, l in site_terms[t]])
            sites_used, row_of = np.unique(s_all, return_inverse=True)
            lb = np.full(sites_used.size, -np.inf)
            ubs = np.zeros(sites_used.size)
            rr, cc, vv = [row_of], [v_all], [l_all]
            for q, j in enumerate(sites_used):
                if p.existing[j]:
                    ubs[q] = p.option_capacity[j, 0] if np.isfinite(p.option_capacity[j, 0]) else total_load
                else:
                    c = cand_pos[j]
                    for o in np.flatnonzero(avail[c]):
                        rr.append(np.array([q]))
                        cc.append(np.array([u_index(c, o, t)]))
                        vv.append(np.array([-cap_cand[c, o]]))
            build.add(np.concatenate(rr), np.concatenate(cc), np.concatenate(vv), sites_used.size, lb, ubs)

    # coverage per requirement and year
    for k, var, w, const in coverage_vars:
        req = p.requirements[k]
        for t, share in enumerate(req.share_by_year):
            need = share * req.total_weight - const
            if share <= 0 or need <= 1e-12:
                continue
            cols = var[0][:, t] if cap_req[k] else var[:, t]
            build.add(np.zeros(cols.size, np.int64), cols, w, 1, need * (1 - 1e-12), np.inf)
    # budget per year: Σ cost × (u[t] − u[t−1])
    for t in range(t_count):
        if not np.isfinite(p.budget_yuan[t]):
            continue
        cols, vals = [u_index(cs, os_, t)], [cost[cs, os_]]
        if t > 0:
            cols.append(u_index(cs, os_, t - 1))
            vals.append(-cost[cs, os_])
        cols_a, vals_a = np.concatenate(cols), np.concatenate(vals)
        build.add(np.zeros(cols_a.size, np.int64), cols_a, vals_a, 1, -np.inf, p.budget_yuan[t])
    # groups: min open by the last year
    if p.groups is not None:
        for g_idx in range(p.groups.n_groups):
            have = int((p.existing & (p.groups.label == g_idx)).sum())
            need = int(p.groups.min_open[g_idx]) - have
            if need <= 0:
                continue
            members = np.flatnonzero(label == g_idx)
            rr, cc = open_terms(members, t_count - 1)
            build.add(np.zeros(cc.size, np.int64), cc, np.ones(cc.size), 1, need, np.inf)

    infeasible_result = TargetCoverResult(
        SolveStatus.INFEASIBLE, list(p.years), list(p.site_ids), np.full(n, -1), np.full(n, -1), math.nan,
        math.nan, np.zeros(t_count), np.zeros((len(p.requirements), t_count)), time.perf_counter() - t0,
        formulation="capacitated" if capacitated else "covering", notes=notes)
    if infeasible:
        infeasible_result.infeasibility_reason = ("no candidate within the standard can lift "
                                                  + ", ".join(infeasible) + " to its share")
        return infeasible_result
    c_vec = np.concatenate([obj, *extra_obj])
    ub_vec = np.concatenate([ub, *extra_ub])
    integrality = np.r_[np.ones(n_u), np.zeros(n_var - n_u)]
    constraint = build.constraint(n_var)
    left = max(float(time_limit_s) - (time.perf_counter() - t0), 0.05)
    res = milp(c_vec, integrality=integrality, bounds=Bounds(np.zeros(n_var), ub_vec),
               constraints=[constraint] if constraint is not None else None,
               options={"time_limit": left, "mip_rel_gap": MIP_REL_GAP, "presolve": True, "disp": False})
    elapsed = time.perf_counter() - t0
    infeasible_result.solve_time_s = elapsed
    if res.status == 2:
        infeasible_result.infeasibility_reason = "no set of candidates meets every requirement within the budgets"
        return infeasible_result
    if res.x is None:
        out = infeasible_result
        out.status = SolveStatus.NO_SOLUTION
        out.infeasibility_reason = f"no plan found within {time_limit_s:g} s ({res.message})"
        return out
    x = res.x
    u = np.round(x[:n_u]).reshape(nc, o_count, t_count) > 0.5
    built = u.any(axis=1)  # (nc, T)
    build_year = np.full(n, -1)
    option = np.full(n, -1)
    for c in np.flatnonzero(built[:, -1]):
        build_year[cand[c]] = p.years[int(np.argmax(built[c]))]
        option[cand[c]] = int(np.argmax(u[c, :, -1]))
    spend = np.zeros(t_count)
    for c in np.flatnonzero(option[cand] >= 0):
        spend[p.years.index(build_year[cand[c]])] += cost[c, option[cand[c]]]
    coverage = np.zeros((len(p.requirements), t_count))
    for k, var, w, const in coverage_vars:
        total = p.requirements[k].total_weight
        cols = var[0] if cap_req[k] else var
        for t in range(t_count):
            got = const + float(w @ np.clip(x[cols[:, t]], 0, 1)) if cols.size else const
            coverage[k, t] = got / total if total > 0 else 1.0
    status = SolveStatus.OPTIMAL if res.status == 0 else SolveStatus.FEASIBLE
    total_cost = float(spend.sum())
    dual = getattr(res, "mip_dual_bound", None)
    bound = total_cost if status is SolveStatus.OPTIMAL else (float(dual) if dual is not None else 0.0)
    return TargetCoverResult(status, list(p.years), list(p.site_ids), build_year, option, total_cost,
                             min(bound, total_cost), spend, coverage, elapsed,
                             formulation="capacitated" if capacitated else "covering", notes=notes)
