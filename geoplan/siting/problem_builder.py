"""From a scenario, a facility kind and a demand table to a :class:`SitingProblem` on road distances.

The site table holds the kind's facilities already in the plan (status existing or
planned in ``layers.gpkg``; they stay open) and the kind's ``candidate_sites``, ids kept.
Costs are the door-to-door metres of :meth:`RoadNetwork.access_costs`, driven with the
kind's vehicle profile — the same reading as the coverage indicators — and are sparse
within a cutoff when a service radius is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

import layers
from layers.errors import GeoplanError
from optimizers.siting import CapacityClasses, SiteGroups, SitingProblem
from geoplan.scenario import Scenario
from geoplan.siting.candidates import assumptions, generate_candidates
from geoplan.siting.demand import DemandTable
from geoplan.standards import SERVICE_PROFILES

#: Site table columns.
SITE_COLUMNS = ("id", "name", "status", "capacity", "fixed_cost_yuan", "origin", "fused_with")


@dataclass
class BuiltProblem:
    """A siting problem together with the tables it was built from.

    Attributes
    ----------
    kind : str
        Facility kind being sited.
    problem : SitingProblem
        Rows: the demand points; columns: the sites.
    sites : GeoDataFrame
        One row per problem column: ``id``, ``name``, ``status`` (existing / candidate),
        ``capacity`` (kind's unit, inf where unknown), ``fixed_cost_yuan``, ``origin``
        (``existing``, ``candidate_sites`` or e.g. ``transfer_stations`` for a fused site)
        and ``fused_with`` (the transfer station a fused hub shares land with, else None).
    demand : DemandTable
    profile : str
        Vehicle profile of the costs.
    radius_m : float
        Service standard used for coverage (m).
    cutoff_m : float or None
        Costs beyond this are absent (sparse matrix); None = dense.
    demand_nodes, site_nodes : ndarray of int64
        Road nodes the points were snapped to.
    cost_per_unit : float
        Yuan per (demand unit × metre) of the capacitated model's assignment cost, so it
        adds up with ``fixed_cost_yuan`` (see :mod:`geoplan.siting.costs`).
    single_sourcing : bool
        Whether a demand point goes to one site only (capacitated model).
    notes : list of str
        Things the planner should know about the build (e.g. a township without a site).
    """

    kind: str
    problem: SitingProblem
    sites: gpd.GeoDataFrame
    demand: DemandTable
    profile: str
    radius_m: float
    cutoff_m: float | None
    demand_nodes: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    site_nodes: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    cost_per_unit: float = 1.0
    single_sourcing: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def n_demand(self) -> int:
        """Demand points."""
        return len(self.demand)

    def demand_costs(self) -> np.ndarray:
        """Dense (n_demand, n_site) door-to-door metres, inf where absent."""
        c = self.problem.costs
        if sp.issparse(c):
            sub = c.tocoo()
            out = np.full(c.shape, np.inf)
            out[sub.row, sub.col] = sub.data
            return out
        return np.asarray(c)

    def coverage(self, open_mask: np.ndarray, radius_m: float | None = None) -> float:
        """Share of the demand's ``coverage_weight`` within ``radius_m`` (default the standard) of an open site."""
        r = self.radius_m if radius_m is None else radius_m
        idx = np.flatnonzero(open_mask)
        w = self.demand.points["coverage_weight"].to_numpy(dtype=float)
        if w.sum() <= 0:
            return 1.0
        if idx.size == 0:
            return 0.0
        best = self.demand_costs()[:, idx].min(axis=1)
        return float(w[best <= r].sum() / w.sum())


def site_table(scenario: Scenario, kind: str) -> gpd.GeoDataFrame:
    """The kind's facilities in the plan (kept open) and its candidate sites, ids kept.

    When the scenario has no candidate site of ``kind``, candidates are generated on the road
    network (:func:`geoplan.siting.candidates.generate_candidates`) and ``attrs["notes"]``
    says so, with the defaults they carry.
    """
    spec = layers.get_kind(kind)
    frames = []
    have = scenario.layers.get(kind)
    if have is not None and len(have):
        keep = have[have["status"].isin(("existing", "planned"))]
        cap = keep[spec.capacity_field] if spec.capacity_field and spec.capacity_field in keep else np.nan
        frames.append(gpd.GeoDataFrame({
            "id": keep["id"].astype(str).to_numpy(), "name": keep["name"].astype(str).to_numpy(),
            "status": "existing", "capacity": pd.to_numeric(cap, errors="coerce"),
            "fixed_cost_yuan": 0.0, "origin": kind, "fused_with": None,
        }, geometry=keep.geometry.to_numpy(), crs=keep.crs))
    cands = scenario.layers.get("candidate_sites")
    cands = cands[cands["facility_kind"] == kind] if cands is not None else None
    notes = []
    if cands is None or len(cands) == 0:
        cands = generate_candidates(scenario, kind)
        notes.append(f"没有备选站址，自动生成 {len(cands)} 个 / no candidate sites of {kind} given: {len(cands)} "
                     f"generated on the road network (`geoplan candidates --kind {kind}` writes them to edit); "
                     f"assumed {'; '.join(assumptions(scenario, kind))}")
    frames.append(gpd.GeoDataFrame({
        "id": cands["id"].astype(str).to_numpy(), "name": cands["name"].astype(str).to_numpy(),
        "status": "candidate", "capacity": pd.to_numeric(cands["capacity"], errors="coerce").to_numpy(),
        "fixed_cost_yuan": pd.to_numeric(cands["fixed_cost_yuan"], errors="coerce").fillna(0.0).to_numpy(),
        "origin": "candidate_sites", "fused_with": None,
    }, geometry=cands.geometry.to_numpy(), crs=cands.crs))
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[-1].crs)
    out["capacity"] = out["capacity"].astype(float).fillna(np.inf)
    out.attrs["notes"] = notes
    return out


def check_unique_ids(sites: gpd.GeoDataFrame, kind: str) -> None:
    dup = sites["id"].duplicated()
    if dup.any():
        raise GeoplanError(
            f"site id {sites.loc[dup, 'id'].iloc[0]!r} is used by an existing {kind} and a candidate site "
            "(or twice) — give every site its own id"
        )


def build_problem(
    scenario: Scenario,
    kind: str,
    demand: DemandTable,
    *,
    radius_m: float,
    cutoff_m: float | None = None,
    sites: gpd.GeoDataFrame | None = None,
    groups: SiteGroups | None = None,
    capacity_classes: CapacityClasses | None = None,
) -> BuiltProblem:
    """A :class:`BuiltProblem` for ``kind`` serving ``demand`` on the scenario's road network.

    Parameters
    ----------
    scenario : Scenario
    kind : str
        Facility kind (a layer kind), e.g. ``"transfer_stations"``.
    demand : DemandTable
        Demand points and weights in the kind's capacity unit.
    radius_m : float
        Service standard, metres of network distance (coverage before/after uses it).
    cutoff_m : float, optional
        Keep only pairs within this many metres (sparse costs); None = all pairs.
    sites : GeoDataFrame, optional
        Site table (see :func:`site_table`); default ``site_table(scenario, kind)``.
    groups : SiteGroups, optional
        Groups of sites (e.g. the sites in each township) of which a number must be open,
        a constraint of every siting model.
    capacity_classes : CapacityClasses, optional
        Capacity classes new sites choose from (capacitated model).
    """
    if not radius_m > 0:
        raise GeoplanError(f"service radius must be a positive number of metres, got {radius_m!r} — pass --radius-m R > 0")
    if len(demand) == 0:
        raise GeoplanError(f"no demand points for {kind} — check the demand layers in {scenario.layers_path}")
    sites = site_table(scenario, kind) if sites is None else sites
    check_unique_ids(sites, kind)
    profile = SERVICE_PROFILES[kind]
    net = scenario.road_network
    d_snap, s_snap = net.snap(demand.points, profile), net.snap(sites, profile)
    costs = net.access_costs(d_snap, s_snap, profile, "metres", cutoff=cutoff_m)
    problem = SitingProblem(
        costs=costs,
        demand_weight=demand.weight.copy(),
        site_ids=sites["id"].tolist(),
        demand_ids=demand.ids,
        site_status=sites["status"].to_numpy(),
        fixed_cost=sites["fixed_cost_yuan"].to_numpy(dtype=float),
        capacity=sites["capacity"].to_numpy(dtype=float),
        capacity_classes=capacity_classes,
        groups=groups,
    )
    return BuiltProblem(
        kind=kind, problem=problem, sites=sites, demand=demand, profile=profile, radius_m=float(radius_m),
        cutoff_m=cutoff_m, demand_nodes=d_snap.node, site_nodes=s_snap.node, notes=list(sites.attrs.get("notes", [])),
    )


def leave_out_unreachable(built: BuiltProblem, reachable: np.ndarray | None = None,
                          standard: str | None = None) -> list[str]:
    """Give weight 0 to demand points no site can reach within the standard; return their ids.

    A set cover or capacitated plan must serve every point with weight; a point beyond
    the standard of every candidate would make the plan infeasible, so it is left out
    and named in ``built.notes`` (coverage after the plan still counts it as not covered).

    Parameters
    ----------
    built : BuiltProblem
        Its problem's demand weights are changed in place.
    reachable : array of bool, shape (n_demand,), optional
        Whether some site reaches each point; default: a site within ``built.cutoff_m`` metres.
    standard : str, optional
        The standard as the note names it; default ``"<cutoff_m> m"``.
    """
    prob = built.problem
    if reachable is None:
        if built.cutoff_m is None:
            return []
        indptr, _, _ = prob.pair_lists(built.cutoff_m)
        reachable = np.diff(indptr) > 0
    none = np.flatnonzero(~np.asarray(reachable, dtype=bool) & (prob.demand_weight > 0))
    if none.size == 0:
        return []
    prob.demand_weight = prob.demand_weight.copy()
    prob.demand_weight[none] = 0.0
    ids = [prob.demand_ids[i] for i in none]
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    within = standard or f"{built.cutoff_m:g} m"
    built.notes.append(
        f"{len(ids)} 个需求点在 {within} 内无可选站址，未计入 demand points beyond every site's "
        f"reach left out: {', '.join(ids[:10])}{more} — add candidate sites near them"
    )
    return ids

