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


class _Model:
    """The MIP of one problem, built block by block (see the module docstring)."""

    def __init__(self, problem: TargetCoverProblem) -> None:
        p = self.p = problem
        self.n_opt, self.n_year = len(p.option_names), len(p.years)
        self.cand = np.flatnonzero(~p.existing)
        nc = self.cand.size
        cost = p.option_cost[self.cand]
        avail = np.isfinite(cost)
        self.cost = np.where(avail, cost, 0.0)
        # one option is enough for a site without capacities: the cheapest it offers
        cheapest = np.where(avail, cost, np.inf)
        collapse = ~p.limited[self.cand] & np.isfinite(cheapest.min(axis=1))
        avail[collapse] = False
        avail[np.flatnonzero(collapse), cheapest.argmin(axis=1)[collapse]] = True
        self.avail = avail
        self.label = p.groups.label[self.cand] if p.groups is not None else np.full(nc, -1)
        self.cand_pos = np.full(p.n_site, -1)
        self.cand_pos[self.cand] = np.arange(nc)
        self.capacitated = [p.capacitated(req) for req in p.requirements]
        self.n_u = nc * self.n_opt * self.n_year
        self.ub = np.zeros(self.n_u)
        for c, o in zip(*np.nonzero(avail)):
            self.ub[self.u_index(c, o, np.arange(self.n_year))] = 1.0
        self.obj = np.zeros(self.n_u)
        for t in range(self.n_year):
            weight_t = 1.0 if t == self.n_year - 1 else EARLY_BUILD_WEIGHT
            cols = self.u_index(np.repeat(np.arange(nc), self.n_opt), np.tile(np.arange(self.n_opt), nc), t)
            self.obj[cols] = (self.cost * weight_t).ravel()
        self.n_var = self.n_u
        self.extra_ub: list[np.ndarray] = []
        self.rows = _Builder()
        # per requirement: (variables per year, weights, covered weight that needs no variable)
        self.coverage: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
        self.unreachable: list[str] = []
        self.notes: list[str] = []

    def u_index(self, c, o, t):
        """Column of u[c, o, t]."""
        return (np.asarray(c) * self.n_opt + np.asarray(o)) * self.n_year + np.asarray(t)

    def open_terms(self, c_local: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows (positions in ``c_local``) and columns of Σ_o u[c, o, t] for each candidate c."""
        rows, cols = [], []
        for o in range(self.n_opt):
            ok = self.avail[c_local, o]
            rows.append(np.flatnonzero(ok))
            cols.append(self.u_index(c_local[ok], o, t))
        return np.concatenate(rows), np.concatenate(cols)

    def new_variables(self, count: int) -> np.ndarray:
        """``count`` × years continuous variables in [0, 1], shape (count, years)."""
        var = self.n_var + np.arange(count * self.n_year).reshape(count, self.n_year)
        self.n_var += count * self.n_year
        self.extra_ub.append(np.ones(count * self.n_year))
        return var

    def add_building_rows(self) -> None:
        """u never falls from one year to the next; a site takes one option at most."""
        cs, os_ = np.nonzero(self.avail)
        t_count = self.n_year
        if t_count > 1 and cs.size:
            r = np.arange(cs.size * (t_count - 1))
            c_rep, o_rep = np.repeat(cs, t_count - 1), np.repeat(os_, t_count - 1)
            t_rep = np.tile(np.arange(t_count - 1), cs.size)
            self.rows.add(np.r_[r, r], np.r_[self.u_index(c_rep, o_rep, t_rep), self.u_index(c_rep, o_rep, t_rep + 1)],
                          np.r_[np.ones(r.size), -np.ones(r.size)], r.size, -np.inf, 0.0)
        if self.n_opt > 1 and cs.size:
            self.rows.add(cs, self.u_index(cs, os_, t_count - 1), np.ones(cs.size), self.cand.size, -np.inf, 1.0)

    def add_covering(self, free: list[int]) -> None:
        """Requirements without capacities: grouped rows, y ≤ Σ u; dominated candidates left out."""
        p, cand = self.p, self.cand
        in_cap = np.zeros(cand.size, dtype=bool)
        for k in np.flatnonzero(self.capacitated):
            in_cap |= np.asarray(p.requirements[k].eligible[:, cand].getnnz(axis=0) > 0)
        site_cost = np.where(self.avail.any(axis=1), np.where(self.avail, self.cost, -np.inf).max(axis=1), np.inf)
        dominated = _dominated(sp.vstack([p.requirements[k].eligible[:, cand] for k in free]).tocsc(), site_cost,
                               self.label)
        dominated &= self.avail.any(axis=1) & ~in_cap
        if dominated.any():
            self.ub[np.isin(np.arange(self.n_u) // (self.n_opt * self.n_year), np.flatnonzero(dominated))] = 0.0
            self.notes.append(f"{int(dominated.sum())} candidates left out: another no dearer covers all they cover")
        usable = np.flatnonzero(self.avail.any(axis=1) & ~dominated)
        for k in free:
            req = p.requirements[k]
            done = _covered_by(req.eligible, p.existing)
            inc = req.eligible[:, cand][:, usable].tocsr()
            reach = np.asarray(inc.getnnz(axis=1) > 0) & ~done
            const = float(req.weight[done].sum())
            if not reach.any():
                self.coverage[k] = (np.full((0, self.n_year), -1), np.zeros(0), const)
                self.unreachable += [f"{req.name} {p.years[t]}" for t, share in enumerate(req.share_by_year)
                                     if const + 1e-9 < share * req.total_weight]
                continue
            groups, w = _row_groups(inc[np.flatnonzero(reach)], req.weight[reach])
            coo = groups.tocoo()
            g = groups.shape[0]
            self.notes.append(f"{req.name}: {int(reach.sum())} rows in reach merged into {g} groups of the same "
                              f"candidates ({int(done.sum())} already covered)")
            var = self.new_variables(g)
            local = usable[coo.col]
            for t in range(self.n_year):
                rr, cc = self.open_terms(local, t)  # y[g, t] − Σ u ≤ 0
                self.rows.add(np.r_[np.arange(g), coo.row[rr]], np.r_[var[:, t], cc],
                              np.r_[np.ones(g), -np.ones(rr.size)], g, -np.inf, 0.0)
            self.coverage[k] = (var, w, const)

    def add_capacitated(self, limited: list[int]) -> None:
        """Requirements with capacities: shares z of each row's load, z ≤ open, loads ≤ capacity."""
        p = self.p
        total_load = sum(float(req.load.sum()) for req in p.requirements) + 1.0
        terms: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {t: [] for t in range(self.n_year)}
        for k in limited:
            req = p.requirements[k]
            coo = req.eligible.tocoo()
            pos_c = self.cand_pos[coo.col]
            usable = p.existing[coo.col] | ((pos_c >= 0) & self.avail[np.maximum(pos_c, 0)].any(axis=1))
            r_i, s_j = coo.row[usable], coo.col[usable]
            var = self.new_variables(r_i.size)
            rows_u = np.unique(r_i)
            pos = np.searchsorted(rows_u, r_i)
            on_cand = np.flatnonzero(self.cand_pos[s_j] >= 0)
            for t in range(self.n_year):
                # each row's shares ≤ 1; = 1 for rows that count when all must be covered (a
                # share of 100 % leaves none out: stating it tightens the LP a great deal)
                whole = req.share_by_year[t] >= 1.0 - 1e-12
                lower = np.where(whole & (req.weight[rows_u] > 0), 1.0, -np.inf)
                self.rows.add(pos, var[:, t], np.ones(r_i.size), rows_u.size, lower, 1.0)
                rr, cc = self.open_terms(self.cand_pos[s_j[on_cand]], t)  # z ≤ open
                self.rows.add(np.r_[np.arange(on_cand.size), rr], np.r_[var[on_cand, t], cc],
                              np.r_[np.ones(on_cand.size), -np.ones(rr.size)], on_cand.size, -np.inf, 0.0)
                terms[t].append((s_j, var[:, t], req.load[r_i]))
            self.coverage[k] = (var, req.weight[r_i], 0.0)
        cap_cand = np.where(np.isfinite(p.option_capacity[self.cand]), p.option_capacity[self.cand], total_load)
        for t, parts in terms.items():
            if parts:
                self._capacity_rows(t, parts, cap_cand, total_load)

    def _capacity_rows(self, t: int, parts, cap_cand: np.ndarray, total_load: float) -> None:
        """Σ load × z ≤ capacity of the site (existing: its own; candidate: its option's) in year t."""
        p = self.p
        s_all = np.concatenate([s for s, _, _ in parts])
        sites, row_of = np.unique(s_all, return_inverse=True)
        rr, cc = [row_of], [np.concatenate([v for _, v, _ in parts])]
        vv = [np.concatenate([load for _, _, load in parts])]
        upper = np.zeros(sites.size)
        for q, j in enumerate(sites):
            if p.existing[j]:
                upper[q] = p.option_capacity[j, 0] if np.isfinite(p.option_capacity[j, 0]) else total_load
                continue
            c = self.cand_pos[j]
            for o in np.flatnonzero(self.avail[c]):
                rr.append(np.array([q]))
                cc.append(np.array([self.u_index(c, o, t)]))
                vv.append(np.array([-cap_cand[c, o]]))
        self.rows.add(np.concatenate(rr), np.concatenate(cc), np.concatenate(vv), sites.size, -np.inf, upper)

    def add_shares(self) -> None:
        """Σ weight × covered ≥ share × total weight, for every requirement and year a share is due."""
        for k, (var, w, const) in self.coverage.items():
            req = self.p.requirements[k]
            for t, share in enumerate(req.share_by_year):
                need = share * req.total_weight - const
                if share > 0 and need > 1e-12:
                    cols = var[:, t]
                    self.rows.add(np.zeros(cols.size, np.int64), cols, w, 1, need * (1 - 1e-12), np.inf)

    def add_budgets(self) -> None:
        """Σ cost × (u[t] − u[t−1]) ≤ budget[t]."""
        cs, os_ = np.nonzero(self.avail)
        for t in range(self.n_year):
            if not np.isfinite(self.p.budget_yuan[t]):
                continue
            cols, vals = [self.u_index(cs, os_, t)], [self.cost[cs, os_]]
            if t > 0:
                cols.append(self.u_index(cs, os_, t - 1))
                vals.append(-self.cost[cs, os_])
            cols_a = np.concatenate(cols)
            self.rows.add(np.zeros(cols_a.size, np.int64), cols_a, np.concatenate(vals), 1, -np.inf,
                          self.p.budget_yuan[t])

    def add_groups(self) -> None:
        """At least ``min_open`` sites of each group open by the last year (existing ones count)."""
        groups = self.p.groups
        if groups is None:
            return
        for g in range(groups.n_groups):
            need = int(groups.min_open[g]) - int((self.p.existing & (groups.label == g)).sum())
            if need > 0:
                _, cc = self.open_terms(np.flatnonzero(self.label == g), self.n_year - 1)
                self.rows.add(np.zeros(cc.size, np.int64), cc, np.ones(cc.size), 1, need, np.inf)

    def solve(self, time_limit_s: float):
        c_vec = np.concatenate([self.obj, np.zeros(self.n_var - self.n_u)])
        ub_vec = np.concatenate([self.ub, *self.extra_ub])
        integrality = np.r_[np.ones(self.n_u), np.zeros(self.n_var - self.n_u)]
        constraint = self.rows.constraint(self.n_var)
        return milp(c_vec, integrality=integrality, bounds=Bounds(np.zeros(self.n_var), ub_vec),
                    constraints=[constraint] if constraint is not None else None,
                    options={"time_limit": max(time_limit_s, 0.05), "mip_rel_gap": MIP_REL_GAP, "presolve": True,
                             "disp": False})

    def result(self, status: SolveStatus, x: np.ndarray | None, bound: float | None, elapsed: float,
               reason: str | None = None) -> TargetCoverResult:
        p, n, t_count = self.p, self.p.n_site, self.n_year
        formulation = "capacitated" if any(self.capacitated) else "covering"
        if x is None:
            return TargetCoverResult(status, list(p.years), list(p.site_ids), np.full(n, -1), np.full(n, -1),
                                     math.nan, math.nan, np.zeros(t_count), np.zeros((len(p.requirements), t_count)),
                                     elapsed, formulation=formulation, infeasibility_reason=reason, notes=self.notes)
        u = np.round(x[:self.n_u]).reshape(self.cand.size, self.n_opt, t_count) > 0.5
        built = u.any(axis=1)  # (candidates, years)
        build_year, option = np.full(n, -1), np.full(n, -1)
        spend = np.zeros(t_count)
        for c in np.flatnonzero(built[:, -1]):
            first = int(np.argmax(built[c]))
            build_year[self.cand[c]] = p.years[first]
            option[self.cand[c]] = int(np.argmax(u[c, :, -1]))
            spend[first] += self.cost[c, option[self.cand[c]]]
        coverage = np.zeros((len(p.requirements), t_count))
        for k, (var, w, const) in self.coverage.items():
            total = p.requirements[k].total_weight
            for t in range(t_count):
                got = const + (float(w @ np.clip(x[var[:, t]], 0, 1)) if var.size else 0.0)
                coverage[k, t] = got / total if total > 0 else 1.0
        cost = float(spend.sum())
        proven = cost if status is SolveStatus.OPTIMAL else (float(bound) if bound is not None else 0.0)
        return TargetCoverResult(status, list(p.years), list(p.site_ids), build_year, option, cost,
                                 min(proven, cost), spend, coverage, elapsed, formulation=formulation,
                                 notes=self.notes)


def solve_target_cover(problem: TargetCoverProblem, time_limit_s: float, *, seed: int = 0) -> TargetCoverResult:
    """The least-cost plan meeting every requirement in every year (see the module docstring).

    Parameters
    ----------
    problem : TargetCoverProblem
    time_limit_s : float
        Wall-clock limit for building and solving, seconds.
    seed : int
        Kept for the siting models' common signature: ``scipy.optimize.milp`` runs HiGHS
        with its fixed default seed, so the same problem gives the same plan.

    Returns
    -------
    TargetCoverResult
    """
    if not time_limit_s > 0:
        raise GeoplanError(f"time limit must be positive seconds, got {time_limit_s!r}")
    t0 = time.perf_counter()
    model = _Model(problem)
    model.add_building_rows()
    free = [k for k, c in enumerate(model.capacitated) if not c]
    if free:
        model.add_covering(free)
    limited = [k for k, c in enumerate(model.capacitated) if c]
    if limited:
        model.add_capacitated(limited)
    model.add_shares()
    model.add_budgets()
    model.add_groups()
    if model.unreachable:
        return model.result(SolveStatus.INFEASIBLE, None, None, time.perf_counter() - t0,
                            "no candidate within the standard can lift " + ", ".join(model.unreachable)
                            + " to its share")
    res = model.solve(float(time_limit_s) - (time.perf_counter() - t0))
    elapsed = time.perf_counter() - t0
    if res.status == 2:
        return model.result(SolveStatus.INFEASIBLE, None, None, elapsed,
                            "no set of candidates meets every requirement within the budgets")
    if res.x is None:
        return model.result(SolveStatus.NO_SOLUTION, None, None, elapsed,
                            f"no plan found within {time_limit_s:g} s ({res.message})")
    status = SolveStatus.OPTIMAL if res.status == 0 else SolveStatus.FEASIBLE
    return model.result(status, res.x, getattr(res, "mip_dual_bound", None), elapsed)
