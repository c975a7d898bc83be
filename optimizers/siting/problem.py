"""The siting problem: costs between demand points and candidate sites, and site data.

A :class:`SitingProblem` is validated once on construction; the solvers in
:mod:`optimizers.siting` then trust its arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from layers.errors import GeoplanError

#: Facility status values, in the order of their integer codes.
SITE_STATUSES = ("existing", "required", "candidate", "excluded")
EXISTING, REQUIRED, CANDIDATE, EXCLUDED = range(4)


@dataclass(frozen=True)
class CapacityClasses:
    """A choice of capacity class for every new site (e.g. transfer-station classes I–V).

    Parameters
    ----------
    names : sequence of str, length K
        Class labels, e.g. ``["I", "II", "III", "IV", "V"]``.
    capacity : array, shape (K,)
        Capacity of each class, in the unit of the demand weights (e.g. t/d).
    fixed_cost : array, shape (K,) or (n_site, K)
        Cost of building a site of each class (the same everywhere, or per site).
        It is added to the site's own ``fixed_cost`` if that is given.
    """

    names: Sequence[str]
    capacity: np.ndarray
    fixed_cost: np.ndarray

    def __post_init__(self) -> None:
        names = [str(n) for n in self.names]
        cap = np.asarray(self.capacity, dtype=float)
        cost = np.asarray(self.fixed_cost, dtype=float)
        k = len(names)
        if k == 0:
            raise GeoplanError("capacity_classes: give at least one class")
        if cap.shape != (k,):
            raise GeoplanError(f"capacity_classes: capacity has shape {cap.shape}, expected ({k},) — one per class")
        if cost.ndim not in (1, 2) or cost.shape[-1] != k:
            raise GeoplanError(
                f"capacity_classes: fixed_cost has shape {cost.shape}, expected ({k},) or (n_site, {k})"
            )
        for name, arr in (("capacity", cap), ("fixed_cost", cost)):
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise GeoplanError(f"capacity_classes: {name} must be finite and ≥ 0")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "capacity", cap)
        object.__setattr__(self, "fixed_cost", cost)

    def cost_matrix(self, n_site: int) -> np.ndarray:
        """Class cost per site and class, shape (n_site, K)."""
        if self.fixed_cost.ndim == 1:
            return np.broadcast_to(self.fixed_cost, (n_site, len(self.names))).copy()
        if self.fixed_cost.shape[0] != n_site:
            raise GeoplanError(
                f"capacity_classes: fixed_cost has {self.fixed_cost.shape[0]} rows but there are {n_site} sites"
            )
        return self.fixed_cost.copy()


@dataclass(frozen=True)
class SiteGroups:
    """Groups of sites of which at least a number must be open (e.g. ≥ 1 station per township).

    Parameters
    ----------
    label : array of int, shape (n_site,)
        Group of each site (0 … G−1), or −1 for a site in no group. A site belongs to
        one group at most.
    min_open : array of int, shape (G,)
        Open sites each group needs at least; existing sites that stay open count.
    names : sequence of str, length G, optional
        Group names for messages; default ``"group 0"`` ….
    """

    label: np.ndarray
    min_open: np.ndarray
    names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        label = np.asarray(self.label)
        need = np.asarray(self.min_open)
        if label.ndim != 1 or need.ndim != 1:
            raise GeoplanError("site groups: label and min_open must be 1-D arrays")
        for name, arr in (("label", label), ("min_open", need)):
            if arr.size and (arr.dtype.kind not in "iu" and not np.all(arr == np.round(arr))):
                raise GeoplanError(f"site groups: {name} must hold whole numbers")
        label, need = label.astype(np.int64), need.astype(np.int64)
        g = need.size
        if label.size and (label.min() < -1 or label.max() >= g):
            raise GeoplanError(f"site groups: label values must lie in −1 … {g - 1}")
        if np.any(need < 0):
            raise GeoplanError("site groups: min_open must be ≥ 0")
        names = [f"group {k}" for k in range(g)] if self.names is None else [str(n) for n in self.names]
        if len(names) != g:
            raise GeoplanError(f"site groups: {len(names)} names for {g} groups")
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "min_open", need)
        object.__setattr__(self, "names", names)

    @property
    def n_groups(self) -> int:
        return int(self.min_open.size)

    def open_count(self, open_mask: np.ndarray) -> np.ndarray:
        """Open sites per group, shape (G,)."""
        inside = self.label >= 0
        return np.bincount(self.label[inside], weights=np.asarray(open_mask, dtype=float)[inside],
                           minlength=self.n_groups).astype(np.int64)

    def satisfied(self, open_mask: np.ndarray) -> bool:
        """Whether every group has its ``min_open`` open sites."""
        return bool(np.all(self.open_count(open_mask) >= self.min_open))


def _vector(name: str, value, n: int, *, allow_inf: bool = False) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.shape != (n,):
        raise GeoplanError(f"{name} has shape {arr.shape}, expected ({n},)")
    if np.any(np.isnan(arr)):
        bad = int(np.flatnonzero(np.isnan(arr))[0])
        raise GeoplanError(f"{name}[{bad}] is NaN — give a number")
    if not allow_inf and np.any(np.isinf(arr)):
        bad = int(np.flatnonzero(np.isinf(arr))[0])
        raise GeoplanError(f"{name}[{bad}] is infinite — give a finite number")
    return arr


@dataclass
class SitingProblem:
    """Demand points, candidate sites and the cost of serving one from the other.

    Parameters
    ----------
    costs : ndarray or scipy.sparse matrix, shape (n_demand, n_site)
        Travel distance (m) or time (s) from each demand point to each site. Dense:
        ``np.inf`` marks an unreachable pair. Sparse (CSR): only stored pairs are
        reachable, e.g. the pairs within a cutoff; a stored 0 is a real zero cost.
    demand_weight : array, shape (n_demand,)
        Demand of each point (population, households, t/d …), ≥ 0.
    site_ids : sequence of str, length n_site
    demand_ids : sequence of str, optional
        Defaults to ``"0" … "n_demand-1"``.
    site_status : sequence of str, optional
        Per site one of ``"existing"`` (open, kept unless it may close),
        ``"required"`` (a new site that must open), ``"candidate"`` (may open) or
        ``"excluded"`` (may not open). Default: all candidates.
    fixed_cost : array, shape (n_site,), optional
        Cost of opening a new site (ignored for existing sites).
    capacity : array, shape (n_site,), optional
        Capacity of each site in the unit of ``demand_weight``.
    capacity_classes : CapacityClasses, optional
        Instead of a fixed capacity, every new site picks one class.
    closing_cost : array, shape (n_site,), optional
        Cost of closing an existing site; ``np.inf`` (or no array) means it must stay
        open. A negative value is a saving (e.g. avoided operating cost).
    budget : float, optional
        Upper limit on the fixed cost of new sites plus the closing costs.
    groups : SiteGroups, optional
        Groups of sites of which each plan must open at least a given number.
    """

    costs: np.ndarray | sp.csr_array
    demand_weight: np.ndarray
    site_ids: Sequence[str]
    demand_ids: Sequence[str] | None = None
    site_status: Sequence[str] | None = None
    fixed_cost: np.ndarray | None = None
    capacity: np.ndarray | None = None
    capacity_classes: CapacityClasses | None = None
    closing_cost: np.ndarray | None = None
    budget: float | None = None
    groups: SiteGroups | None = None
    status_code: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if sp.issparse(self.costs):
            costs = sp.csr_array(self.costs, dtype=float)
            costs.sort_indices()
            if costs.ndim != 2:
                raise GeoplanError("costs must be a 2-D matrix (demand × site)")
            data = costs.data
        else:
            costs = np.asarray(self.costs, dtype=float)
            if costs.ndim != 2:
                raise GeoplanError(f"costs must be a 2-D matrix (demand × site), got {costs.ndim} dimensions")
            data = costs
        if np.any(np.isnan(data)):
            raise GeoplanError("costs contain NaN — use np.inf (dense) or leave the pair out (sparse) for unreachable pairs")
        if np.any(data < 0):
            raise GeoplanError("costs contain negative values — travel costs must be ≥ 0")
        if sp.issparse(costs) and np.any(np.isinf(data)):
            raise GeoplanError("sparse costs contain inf — leave unreachable pairs out instead")
        self.costs = costs
        n, m = costs.shape
        if n == 0 or m == 0:
            raise GeoplanError(f"costs is empty ({n} demand points × {m} sites)")

        self.demand_weight = _vector("demand_weight", self.demand_weight, n)
        if np.any(self.demand_weight < 0):
            bad = int(np.flatnonzero(self.demand_weight < 0)[0])
            raise GeoplanError(f"demand_weight[{bad}] is negative — demand must be ≥ 0")

        self.site_ids = [str(s) for s in self.site_ids]
        if len(self.site_ids) != m:
            raise GeoplanError(f"site_ids has {len(self.site_ids)} entries but costs has {m} columns (sites)")
        if len(set(self.site_ids)) != m:
            raise GeoplanError("site_ids contain duplicates — every site needs its own id")
        if self.demand_ids is None:
            self.demand_ids = [str(i) for i in range(n)]
        else:
            self.demand_ids = [str(s) for s in self.demand_ids]
            if len(self.demand_ids) != n:
                raise GeoplanError(f"demand_ids has {len(self.demand_ids)} entries but costs has {n} rows (demand points)")

        if self.site_status is None:
            code = np.full(m, CANDIDATE, dtype=np.int8)
        else:
            status = [str(s).strip().lower() for s in self.site_status]
            if len(status) != m:
                raise GeoplanError(f"site_status has {len(status)} entries, expected {m}")
            bad = [s for s in status if s not in SITE_STATUSES]
            if bad:
                raise GeoplanError(
                    f"site_status value {bad[0]!r} is not one of {', '.join(SITE_STATUSES)}"
                )
            code = np.array([SITE_STATUSES.index(s) for s in status], dtype=np.int8)
        self.status_code = code

        if self.fixed_cost is not None:
            self.fixed_cost = _vector("fixed_cost", self.fixed_cost, m)
            if np.any(self.fixed_cost < 0):
                raise GeoplanError("fixed_cost must be ≥ 0")
        if self.capacity is not None:
            self.capacity = _vector("capacity", self.capacity, m, allow_inf=True)
            if np.any(self.capacity < 0):
                raise GeoplanError("capacity must be ≥ 0")
        if self.closing_cost is not None:
            self.closing_cost = _vector("closing_cost", self.closing_cost, m, allow_inf=True)
            if np.any(self.closing_cost == -np.inf):
                raise GeoplanError("closing_cost may not be -inf")
        if self.capacity_classes is not None:
            if not isinstance(self.capacity_classes, CapacityClasses):
                raise GeoplanError("capacity_classes must be a CapacityClasses")
            self.capacity_classes.cost_matrix(m)  # checks the shape
        if self.budget is not None:
            self.budget = float(self.budget)
            if not np.isfinite(self.budget):
                raise GeoplanError("budget must be a finite number")
        if self.groups is not None:
            if not isinstance(self.groups, SiteGroups):
                raise GeoplanError("groups must be a SiteGroups")
            if self.groups.label.shape != (m,):
                raise GeoplanError(f"groups.label has shape {self.groups.label.shape}, expected ({m},) — one per site")

    # ------------------------------------------------------------------ shape
    @property
    def n_demand(self) -> int:
        return self.costs.shape[0]

    @property
    def n_site(self) -> int:
        return self.costs.shape[1]

    @property
    def is_sparse(self) -> bool:
        return sp.issparse(self.costs)

    # ----------------------------------------------------------------- status
    @property
    def closable(self) -> np.ndarray:
        """Existing sites that may close (finite closing cost), bool (n_site,)."""
        if self.closing_cost is None:
            return np.zeros(self.n_site, dtype=bool)
        return (self.status_code == EXISTING) & np.isfinite(self.closing_cost)

    @property
    def forced_open(self) -> np.ndarray:
        """Sites open in every solution: required, and existing that may not close."""
        return (self.status_code == REQUIRED) | ((self.status_code == EXISTING) & ~self.closable)

    @property
    def openable(self) -> np.ndarray:
        """Sites that can be open in some solution (all but excluded)."""
        return self.status_code != EXCLUDED

    @property
    def is_new(self) -> np.ndarray:
        """Sites that are not existing (required, candidate, excluded)."""
        return self.status_code != EXISTING

    def new_site_cost(self) -> np.ndarray:
        """Fixed cost of each site if opened new (0 where not given)."""
        if self.fixed_cost is None:
            return np.zeros(self.n_site)
        return self.fixed_cost.copy()

    def group_shortfall(self, p_new: int | None = None) -> str | None:
        """Why no plan can meet the site groups, or None when one can.

        A group holds fewer sites that may open than it needs, or (with ``p_new``) the
        new sites the groups need beyond their forced-open ones exceed ``p_new``.
        """
        if self.groups is None:
            return None
        g = self.groups
        can = g.open_count(self.openable)
        short = np.flatnonzero(can < g.min_open)
        if short.size:
            k = int(short[0])
            return (f"group {g.names[k]} needs {g.min_open[k]} open sites but only {can[k]} may open — "
                    f"add candidate sites there or lower its minimum")
        if p_new is not None:
            need = int(np.maximum(g.min_open - g.open_count(self.forced_open), 0).sum())
            if need > p_new:
                return (f"the site groups need {need} new sites but p_new = {p_new} — raise p_new to at "
                        f"least {need}")
        return None

    def check_p_new(self, p_new: int) -> int:
        """Check that ``p_new`` new sites can be chosen; return it as int."""
        p_new = int(p_new)
        n_req = int(np.sum(self.status_code == REQUIRED))
        n_free = int(np.sum((self.status_code == REQUIRED) | (self.status_code == CANDIDATE)))
        if p_new < n_req:
            raise GeoplanError(
                f"p_new = {p_new} is less than the {n_req} required sites — required sites count as new; raise p_new"
            )
        if p_new > n_free:
            raise GeoplanError(
                f"p_new (--p) = {p_new} but only {n_free} sites are required or candidates — lower --p or add candidates"
            )
        return p_new

    # ------------------------------------------------------------------ costs
    def pair_lists(self, cutoff: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays (indptr, site index, cost) of reachable pairs within ``cutoff``.

        Sites that may not open (excluded) are left out; site indices within a row are
        ascending.
        """
        limit = np.inf if cutoff is None else float(cutoff)
        ok_site = self.openable
        if self.is_sparse:
            c = self.costs
            rows = np.repeat(np.arange(self.n_demand), np.diff(c.indptr))
            keep = ok_site[c.indices] & (c.data <= limit)
            rows, idx, cost = rows[keep], c.indices[keep], c.data[keep]
        else:
            c = self.costs
            mask = np.isfinite(c) & (c <= limit) & ok_site[None, :]
            rows, idx = np.nonzero(mask)
            cost = c[rows, idx]
        indptr = np.zeros(self.n_demand + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self.n_demand), out=indptr[1:])
        return indptr, idx.astype(np.int64), cost.astype(float)

    def cost_to(self, open_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest open site and its cost for every demand point.

        Returns
        -------
        site : ndarray of int, shape (n_demand,)
            Index of the nearest open site, −1 where none is reachable.
        cost : ndarray of float, shape (n_demand,)
            Its cost, ``inf`` where none is reachable.
        """
        open_idx = np.flatnonzero(open_mask)
        n = self.n_demand
        if open_idx.size == 0:
            return np.full(n, -1), np.full(n, np.inf)
        if self.is_sparse:
            sub = self.costs[:, open_idx].tocsr()
            site = np.full(n, -1)
            cost = np.full(n, np.inf)
            rows = np.repeat(np.arange(n), np.diff(sub.indptr))
            if sub.data.size:
                # order by (row, cost, site) and take the first entry of every row
                order = np.lexsort((sub.indices, sub.data, rows))
                first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]]
                site[rows[first]] = open_idx[sub.indices[first]]
                cost[rows[first]] = sub.data[first]
            return site, cost
        sub = self.costs[:, open_idx]
        k = np.argmin(sub, axis=1)
        cost = sub[np.arange(n), k]
        site = np.where(np.isfinite(cost), open_idx[k], -1)
        return site, cost

    def dense_costs(self, max_cells: int = 30_000_000) -> np.ndarray | None:
        """Dense cost matrix (``inf`` = unreachable), or None if it would exceed ``max_cells``."""
        if not self.is_sparse:
            return self.costs
        if self.n_demand * self.n_site > max_cells:
            return None
        dense = np.full(self.costs.shape, np.inf)
        c = self.costs
        rows = np.repeat(np.arange(self.n_demand), np.diff(c.indptr))
        dense[rows, c.indices] = c.data
        return dense
