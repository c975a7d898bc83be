"""``make_plan``: the least-cost set of new sites, and their years, that meets every target of the plan.

Each target is read on the indicator's own definition (:func:`geoplan.indicators.coverage.kind_coverage`):
its demand layer and weight, its standard (metres or seconds), its vehicle profile, and each
site counting only for what its capacity takes in. Targets that share a facility kind are met
together; every kind's sites share one budget per year. The model is
:func:`optimizers.siting.target_cover.solve_target_cover`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

import layers
from layers.errors import GeoplanError, NoResult
from optimizers.siting import SiteGroups, SolveStatus
from optimizers.siting.target_cover import CoverRequirement, TargetCoverProblem, TargetCoverResult, solve_target_cover
from geoplan.indicators.coverage import allocate_targets, demand_weights, eligible_pairs
from geoplan.indicators.report import county_facilities, with_sites
from geoplan.quantities import facility_load
from geoplan.scenario import Scenario
from geoplan.settings import ServiceStandard, Target
from geoplan.siting.candidates import generate_candidates
from geoplan.siting.film import district_groups
from geoplan.siting.models import why_no_plan
from geoplan.siting.problem_builder import check_unique_ids, site_table
from geoplan.siting.transfer_stations import capacity_classes


class NoFeasiblePlan(NoResult):
    """No set of sites meets the targets: the message says why, row by row."""


@dataclass
class TargetDemand:
    """One target's demand rows against the sites of its kind."""

    target: Target
    standard: ServiceStandard
    demand: gpd.GeoDataFrame
    weight: np.ndarray
    load: np.ndarray
    eligible: sp.csr_matrix  # (rows, sites of the kind) within the standard; value: cost in the standard's unit


@dataclass
class Shortfall:
    """A target the sites cannot reach, and what would.

    Attributes
    ----------
    target : Target
    year : int
    reachable : float
        The most the sites can cover with every candidate built at its largest size.
    rows : DataFrame
        Demand rows no candidate serves within the standard: ``id``, ``name``, ``weight``,
        ``nearest_site_id`` and ``nearest_cost`` (in the standard's unit).
    standard : ServiceStandard
    standard_needed : float
        The standard's value at which every candidate together would reach the target.
    """

    target: Target
    year: int
    reachable: float
    rows: pd.DataFrame
    standard: ServiceStandard
    standard_needed: float

    def message(self) -> str:
        t = self.target
        head = (f"{t.key} ({t.label}): {self.year} needs {t.share_in(self.year):.1%}, the sites can reach at most "
                f"{self.reachable:.1%}")
        ids = ", ".join(f"{r.id} ({r.nearest_cost:,.0f} {self.standard.unit} to {r.nearest_site_id})"
                        for r in self.rows.head(8).itertuples())
        more = f" and {len(self.rows) - 8} more" if len(self.rows) > 8 else ""
        fix = (f"add candidate sites within {self.standard.value:g} {self.standard.unit} of them "
               f"(`[plan] generate_candidates = true` places them on the roads), or set "
               f"[standards.{t.facility_kind}] {t.standard} = {self.standard_needed:,.0f}")
        return f"{head}; beyond every candidate's reach: {ids}{more} — {fix}"


@dataclass
class KindPlan:
    """The sites of one facility kind in the plan."""

    kind: str
    sites: gpd.GeoDataFrame  # existing + candidates (given and generated), with options
    demands: list[TargetDemand]
    options: tuple[np.ndarray, np.ndarray, list[str]]  # capacity (n, O), cost (n, O), names
    groups: SiteGroups | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What to build in which year, and what each year's indicators will be.

    Attributes
    ----------
    years : list of int
    kinds : dict of str to KindPlan
    result : TargetCoverResult
    new_sites : GeoDataFrame
        One row per site to build: ``kind``, ``id``, ``name``, ``year``, ``size`` (the
        option), ``capacity``, ``fixed_cost_yuan``, ``origin`` (``candidate_sites`` or
        ``generated``), metric CRS.
    notes : list of str
    """

    years: list[int]
    kinds: dict[str, KindPlan]
    result: TargetCoverResult
    new_sites: gpd.GeoDataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def total_cost_yuan(self) -> float:
        return float(self.new_sites["fixed_cost_yuan"].sum()) if len(self.new_sites) else 0.0

    def facilities(self, scenario: Scenario, year: int) -> dict[str, gpd.GeoDataFrame]:
        """The facility layers of the county in ``year``: those already there plus what the plan built by then."""
        out = county_facilities(scenario)
        built = self.new_sites[self.new_sites["year"] <= year]
        for kind, part in built.groupby("kind"):
            out = with_sites(out, str(kind), planned_layer(str(kind), part))
        return out


def planned_layer(kind: str, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """New sites of one kind in the kind's layer schema, status planned, with their year and cost."""
    spec = layers.get_kind(kind)
    frame = gpd.GeoDataFrame({
        "id": sites["id"].astype(str).to_numpy(), "name": sites["name"].astype(str).to_numpy(), "status": "planned",
    }, geometry=sites.geometry.to_numpy(), crs=sites.crs)
    if spec.capacity_field:
        frame[spec.capacity_field] = sites["capacity"].to_numpy(dtype=float)
    frame["year"] = sites["year"].astype(int).to_numpy()
    frame["size"] = sites["size"].astype(str).to_numpy()
    frame["fixed_cost_yuan"] = sites["fixed_cost_yuan"].to_numpy(dtype=float)
    frame["origin"] = sites["origin"].astype(str).to_numpy()
    if "fused_with" in sites:
        frame["fused_with"] = sites["fused_with"].to_numpy(dtype=object)
    return frame


def plan_years(scenario: Scenario, targets: list[Target]) -> list[int]:
    """The years that decide the plan: each year a share falls due or a budget is set, from
    ``[plan] start_year`` on (in other years nothing is asked, so nothing need be built)."""
    due = {y for t in targets for y in t.years}
    budgets = {y for y in scenario.plan.budget_yuan if y <= max(due)}
    early = [y for y in due if y < scenario.plan.start_year]
    if early:
        raise GeoplanError(f"a target falls due in {min(early)}, before [plan] start_year = "
                           f"{scenario.plan.start_year} — set start_year to the plan's first year")
    return sorted(due | budgets)


def _target_demand(scenario: Scenario, target: Target, sites: gpd.GeoDataFrame) -> TargetDemand:
    standard = scenario.standards.service(target.facility_kind, target.standard)
    demand = scenario.layers[target.demand_kind]
    net = scenario.road_network
    return TargetDemand(target, standard, demand, demand_weights(demand, target.weight),
                        facility_load(target.facility_kind, target.demand_kind, demand, scenario.quantities),
                        eligible_pairs(net, demand, sites, target.profile, standard))


def _options(kind: str, sites: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Size options per site: its own capacity and cost, and for transfer stations the classes of CJJ/T 47."""
    own_cap = sites["capacity"].to_numpy(dtype=float)
    own_cost = np.where(sites["status"] == "existing", 0.0, sites["fixed_cost_yuan"].to_numpy(dtype=float))
    if kind != "transfer_stations":
        return own_cap[:, None], own_cost[:, None], ["design"]
    classes = capacity_classes(sites)
    cap = np.column_stack([own_cap, np.broadcast_to(classes.capacity, (len(sites), len(classes.names)))])
    cost = np.column_stack([own_cost, classes.cost_matrix(len(sites))])
    cost[(sites["status"] == "existing").to_numpy(), 1:] = np.nan  # existing stations keep their size
    return cap, cost, ["design", *classes.names]


def _kind_groups(scenario: Scenario, kind: str, sites: gpd.GeoDataFrame, demands: list[TargetDemand]):
    if kind != "film_recycling_stations":
        return None, []
    per = int(scenario.standards.value(kind, "min_per_township"))
    if per <= 0:
        return None, []
    points = gpd.GeoDataFrame({"weight": np.concatenate([d.weight for d in demands])},
                              geometry=np.concatenate([d.demand.geometry.to_numpy() for d in demands]),
                              crs=sites.crs)
    groups, missing = district_groups(scenario.layers.get("districts"), sites, points, per)
    notes = [f"每个街道/镇至少 {per} 个回收站 at least {per} station per township ({len(missing)} townships without a "
             f"candidate: {', '.join(missing)})" if missing else f"每个街道/镇至少 {per} 个回收站 at least {per} per township"]
    return groups, notes


def _best_reach(kp: KindPlan, year: int | None = None) -> tuple[list[float], list[np.ndarray]]:
    """Share of each target the kind reaches with every site open at its largest size, and each row's share."""
    cap = np.nanmax(np.where(np.isfinite(kp.options[1]), kp.options[0], np.nan), axis=1)
    due = [d.target.target if year is None else d.target.share_in(year) for d in kp.demands]
    read = allocate_targets([d.eligible for d in kp.demands], [d.load for d in kp.demands],
                            [d.weight for d in kp.demands], due, cap)
    out = [float(d.weight @ share / d.weight.sum()) if d.weight.sum() > 0 else 1.0
           for d, share in zip(kp.demands, read.shares)]
    return out, read.shares


def _unreached(scenario: Scenario, d: TargetDemand, sites: gpd.GeoDataFrame) -> tuple[pd.DataFrame, float]:
    """Rows no site serves within the standard, with the nearest site, and the standard that would reach the target."""
    none = np.asarray(d.eligible.getnnz(axis=1) == 0)
    net = scenario.road_network
    idx = np.flatnonzero(none)
    costs = net.access_costs(d.demand.iloc[idx], sites, d.target.profile, d.standard.weight) if idx.size else \
        np.zeros((0, len(sites)))
    nearest = costs.argmin(axis=1) if idx.size else np.zeros(0, int)
    rows = pd.DataFrame({
        "id": d.demand["id"].astype(str).to_numpy()[idx], "name": d.demand["name"].astype(str).to_numpy()[idx],
        "weight": d.weight[idx], "nearest_site_id": sites["id"].astype(str).to_numpy()[nearest],
        "nearest_cost": costs[np.arange(idx.size), nearest] if idx.size else np.zeros(0),
    }).sort_values(["weight", "id"], ascending=[False, True], kind="stable")
    # the standard at which the nearest sites of all rows reach the target share
    all_costs = net.access_costs(d.demand, sites, d.target.profile, d.standard.weight).min(axis=1)
    order = np.argsort(all_costs, kind="stable")
    cum = np.cumsum(d.weight[order]) / max(d.weight.sum(), 1e-12)
    hit = np.searchsorted(cum, d.target.target - 1e-9)
    needed = float(all_costs[order][min(hit, order.size - 1)]) if order.size else d.standard.value
    return rows, max(needed, d.standard.value)


def _generated_near(scenario: Scenario, kind: str, kp: KindPlan, shares: list[np.ndarray]) -> gpd.GeoDataFrame:
    """Generated candidate sites within the standard of demand the given sites leave uncovered
    (out of reach, or beyond their capacity)."""
    # spaced at half the tightest standard: a site every so often, not on every junction
    metres = [d.standard.value for d in kp.demands if d.standard.unit == "m"]
    spacing = min(metres) / 2.0 if metres else None
    gen = generate_candidates(scenario, kind, spacing_m=spacing)
    gen = gen[~gen["id"].isin(kp.sites["id"])]
    if len(gen) == 0:
        return gen
    useful = np.zeros(len(gen), dtype=bool)
    net = scenario.road_network
    for d, share in zip(kp.demands, shares):
        lost = d.demand.iloc[np.flatnonzero(share < 1.0 - 1e-6)]
        if len(lost) == 0:
            continue
        near = net.access_costs(lost, gen, d.target.profile, d.standard.weight, cutoff=d.standard.value)
        useful |= np.asarray(sp.csr_matrix(near).getnnz(axis=0) > 0)
    return gen[useful]


def _roadside_sites(scenario: Scenario, kind: str, kp: KindPlan, shares: list[np.ndarray],
                    taken: set[str]) -> gpd.GeoDataFrame:
    """A generated site on the road beside each demand point still left uncovered (where its
    vehicle meets the road), with the kind's default cost and capacity."""
    net = scenario.road_network
    points = []
    for d, share in zip(kp.demands, shares):
        lost = d.demand.iloc[np.flatnonzero(share < 1.0 - 1e-6)]
        if len(lost) == 0:
            continue
        snap = net.snap(lost, d.target.profile)
        ok = snap.edge >= 0
        lines = net.edge_geometry[snap.edge[ok]]
        geom = lost.geometry.to_numpy()[ok]
        at = shapely.line_interpolate_point(lines, shapely.line_locate_point(lines, geom))
        points += list(zip(lost["id"].astype(str).to_numpy()[ok], at))
    if not points:
        return gpd.GeoDataFrame({"id": []}, geometry=[], crs=net.crs)
    label = layers.get_kind(kind).label_zh
    defaults = scenario.new_sites[kind]
    ids = [f"GEN-{i}" for i, _ in points]
    keep = [k for k, i in enumerate(ids) if i not in taken]
    return gpd.GeoDataFrame({
        "id": [ids[k] for k in keep], "name": [f"{label}备选点（{points[k][0]} 旁）/ roadside site" for k in keep],
        "capacity": defaults.capacity, "fixed_cost_yuan": defaults.fixed_cost_yuan,
    }, geometry=[points[k][1] for k in keep], crs=net.crs)


def _with_generated(sites: gpd.GeoDataFrame, extra: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    add = gpd.GeoDataFrame({
        "id": extra["id"].to_numpy(), "name": extra["name"].to_numpy(), "status": "candidate",
        "capacity": extra["capacity"].to_numpy(dtype=float),
        "fixed_cost_yuan": extra["fixed_cost_yuan"].to_numpy(dtype=float), "origin": "generated",
        "fused_with": None}, geometry=extra.geometry.to_numpy(), crs=extra.crs)
    return gpd.GeoDataFrame(pd.concat([sites, add], ignore_index=True), crs=sites.crs)


def _read_kind(scenario: Scenario, kind: str, targets: list[Target], sites: gpd.GeoDataFrame) -> KindPlan:
    """The targets' demand against ``sites`` and the sites' size options."""
    return KindPlan(kind, sites, [_target_demand(scenario, t, sites) for t in targets], _options(kind, sites))


def kind_plan(scenario: Scenario, kind: str, targets: list[Target]) -> KindPlan:
    """Sites (existing, given and — where they fall short — generated candidates) and demand of one kind."""
    sites = site_table(scenario, kind)
    check_unique_ids(sites, kind)
    notes = list(sites.attrs.get("notes", []))
    kp = _read_kind(scenario, kind, targets, sites)
    reach, shares = _best_reach(kp)
    short = [d.target.key for d, r in zip(kp.demands, reach) if r + 1e-6 < d.target.target]
    if short and scenario.plan.generate_candidates and (sites["origin"] != "generated").all():
        n_before = len(sites)
        extra = _generated_near(scenario, kind, kp, shares)
        if len(extra):
            sites = _with_generated(sites, extra)
            kp = _read_kind(scenario, kind, targets, sites)
            reach, shares = _best_reach(kp)
        if any(r + 1e-6 < d.target.target for d, r in zip(kp.demands, reach)):
            # what the spaced sites still miss gets a site on the road beside it
            extra = _roadside_sites(scenario, kind, kp, shares, set(sites["id"].astype(str)))
            if len(extra):
                sites = _with_generated(sites, extra)
                kp = _read_kind(scenario, kind, targets, sites)
        check_unique_ids(sites, kind)
        notes.append(f"{kind}: 备选站址不足以达到 {', '.join(short)}，加入 {len(sites) - n_before} 个自动生成站址 / "
                     f"the given candidates cannot reach {', '.join(short)}: {len(sites) - n_before} sites generated "
                     f"on the roads near the demand they leave out were added")
    kp.groups, group_notes = _kind_groups(scenario, kind, sites, kp.demands)
    kp.notes = notes + group_notes
    return kp


def _shortfalls(scenario: Scenario, kp: KindPlan, years: list[int]) -> list[Shortfall]:
    out = []
    for year in years:
        reach, _ = _best_reach(kp, year)
        for d, r in zip(kp.demands, reach):
            if r + 1e-6 < d.target.share_in(year):
                rows, needed = _unreached(scenario, d, kp.sites)
                out.append(Shortfall(d.target, year, r, rows, d.standard, needed))
    # one per target: its first year short
    seen, first = set(), []
    for s in out:
        if s.target.key not in seen:
            seen.add(s.target.key)
            first.append(s)
    return first


def _problem(kinds: dict[str, KindPlan], years: list[int], budget: np.ndarray | None) -> TargetCoverProblem:
    """One model over every kind: each target sees only its kind's sites; the budget is shared."""
    blocks = list(kinds.values())
    n_total = sum(len(kp.sites) for kp in blocks)
    width = max(kp.options[0].shape[1] for kp in blocks)
    cap = np.full((n_total, width), np.inf)
    cost = np.full((n_total, width), np.nan)
    names = [f"option {i}" for i in range(width)]
    ids, existing, labels, need, group_names = [], [], [], [], []
    reqs = []
    offset = 0
    for kp in blocks:
        n = len(kp.sites)
        c, k, _ = kp.options
        cap[offset:offset + n, :c.shape[1]] = c
        cost[offset:offset + n, :k.shape[1]] = k
        ids += [f"{kp.kind}:{i}" for i in kp.sites["id"].astype(str)]
        existing.append((kp.sites["status"] == "existing").to_numpy())
        lab = np.full(n, -1)
        if kp.groups is not None:
            lab = np.where(kp.groups.label >= 0, kp.groups.label + len(need), -1)
            need += list(kp.groups.min_open)
            group_names += list(kp.groups.names)
        labels.append(lab)
        for d in kp.demands:
            coo = d.eligible.tocoo()
            # within-standard costs of 0 are kept as a tiny positive value (a stored pair means covered)
            elig = sp.csr_matrix((np.maximum(coo.data, 1e-6), (coo.row, coo.col + offset)),
                                 shape=(len(d.weight), n_total))
            reqs.append(CoverRequirement(d.target.key, elig, d.weight, d.load,
                                         np.array([d.target.share_in(y) for y in years])))
        offset += n
    groups = SiteGroups(np.concatenate(labels), np.array(need, dtype=int), group_names) if need else None
    return TargetCoverProblem(ids, np.concatenate(existing), cap, cost, names, list(years), reqs,
                              budget_yuan=budget, groups=groups)


def _solve(plans: dict[str, KindPlan], years: list[int], budget: np.ndarray, limit: float,
           seed: int) -> TargetCoverResult:
    """One model when a budget ties the kinds together; else one per kind (smaller, same optimum),
    each given its share of what is left of the time limit, the smallest first."""
    if np.isfinite(budget).any() or len(plans) == 1:
        return solve_target_cover(_problem(plans, years, budget), limit, seed=seed)
    deadline = time.perf_counter() + limit
    parts: dict[str, TargetCoverResult] = {}
    order = sorted(plans, key=lambda k: sum(d.eligible.nnz for d in plans[k].demands))
    for i, kind in enumerate(order):
        left = max(deadline - time.perf_counter(), 0.05)
        parts[kind] = solve_target_cover(_problem({kind: plans[kind]}, years, budget), left / (len(order) - i),
                                         seed=seed)
        if not parts[kind].is_feasible:
            return parts[kind]
    done = [parts[k] for k in plans]
    worst = SolveStatus.FEASIBLE if any(r.status is SolveStatus.FEASIBLE for r in done) else SolveStatus.OPTIMAL
    return TargetCoverResult(
        worst, list(years), [i for r in done for i in r.site_ids], np.concatenate([r.build_year for r in done]),
        np.concatenate([r.option for r in done]), sum(r.cost_yuan for r in done), sum(r.bound_yuan for r in done),
        np.sum([r.spend_by_year for r in done], axis=0), np.vstack([r.coverage for r in done]),
        sum(r.solve_time_s for r in done), formulation="+".join(r.formulation for r in done),
        notes=[n for r in done for n in r.notes])


def _new_sites(kinds: dict[str, KindPlan], result: TargetCoverResult, crs) -> gpd.GeoDataFrame:
    frames = []
    offset = 0
    for kp in kinds.values():
        n = len(kp.sites)
        year = result.build_year[offset:offset + n]
        opt = result.option[offset:offset + n]
        pick = np.flatnonzero(year >= 0)
        if pick.size:
            cap, cost, names = kp.options
            part = kp.sites.iloc[pick]
            frames.append(gpd.GeoDataFrame({
                "kind": kp.kind, "id": part["id"].astype(str).to_numpy(), "name": part["name"].astype(str).to_numpy(),
                "year": year[pick], "size": [names[o] for o in opt[pick]],
                "capacity": cap[pick, opt[pick]], "fixed_cost_yuan": cost[pick, opt[pick]],
                "origin": part["origin"].astype(str).to_numpy(),
            }, geometry=part.geometry.to_numpy(), crs=part.crs))
        offset += n
    if not frames:
        return gpd.GeoDataFrame({"kind": [], "id": [], "name": [], "year": [], "size": [], "capacity": [],
                                 "fixed_cost_yuan": [], "origin": []}, geometry=[], crs=crs)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    return out.sort_values(["year", "kind", "id"], kind="stable").reset_index(drop=True)


def make_plan(scenario: Scenario, *, time_limit_s: float | None = None, seed: int = 0,
              kinds: tuple[str, ...] | None = None) -> Plan:
    """The least-cost plan that meets every target of ``scenario.toml`` by its year.

    Parameters
    ----------
    scenario : Scenario
    time_limit_s : float, optional
        Limit of the solve, seconds; default ``[solver] time_limit_s``.
    seed : int
    kinds : tuple of str, optional
        Plan only the targets of these facility kinds; default all.

    Returns
    -------
    Plan

    Raises
    ------
    NoFeasiblePlan
        A target no candidate can reach (each named with the rows beyond reach and the
        fix), or budgets too small (by how much in which year, and the cheapest plan's
        spending).
    """
    targets = [t for t in scenario.targets.values() if t.demand_kind in scenario.layers
               and len(scenario.layers[t.demand_kind]) and (kinds is None or t.facility_kind in kinds)]
    if not targets:
        raise GeoplanError("no target to plan for: scenario.toml has no [targets.*] whose demand layer has rows")
    years = plan_years(scenario, targets)
    by_kind: dict[str, list[Target]] = {}
    for t in targets:
        by_kind.setdefault(t.facility_kind, []).append(t)
    plans = {kind: kind_plan(scenario, kind, ts) for kind, ts in by_kind.items()}
    short = [s for kp in plans.values() for s in _shortfalls(scenario, kp, years)]
    if short:
        raise NoFeasiblePlan("no plan meets every target:\n" + "\n".join("  " + s.message() for s in short))
    limit = float(scenario.time_limit_s if time_limit_s is None else time_limit_s)
    budget = np.array([scenario.plan.budget_in(y) for y in years])
    result = _solve(plans, years, budget, limit, seed)
    if result.status is SolveStatus.INFEASIBLE and np.isfinite(budget).any():
        free = _solve(plans, years, np.full(len(years), np.inf), limit, seed)
        if free.is_feasible:
            raise NoFeasiblePlan(_budget_message(years, budget, free))
    if not result.is_feasible:
        raise NoFeasiblePlan(why_no_plan(result.status.value, result.infeasibility_reason or "", limit))
    crs = next(iter(plans.values())).sites.crs
    notes = [n for kp in plans.values() for n in kp.notes] + result.notes
    return Plan(years, plans, result, _new_sites(plans, result, crs), notes)


def complete_chain(scenario: Scenario, plan: Plan, *, time_limit_s: float, seed: int = 0) -> None:
    """四级两网: hubs, sorting centres and markets for the plan's drop-off points, added to ``plan``.

    Each level is sited (:data:`geoplan.siting.workflow.CHAIN_MODELS`) against the county as the
    plan leaves it in its last year; a hub on a transfer station's land is a 两网融合 refit
    (origin ``refit``). The new sites enter service in that year. They are sited after the
    targets are met, so a budget of that year is checked, not optimised, for them (a note
    says when they exceed what is left).
    """
    from geoplan.siting.recycling import LEVEL_KINDS
    from geoplan.siting.workflow import CHAIN_MODELS, site_kind

    if LEVEL_KINDS[0] not in plan.kinds:
        return
    year = max(plan.years)
    facilities = plan.facilities(scenario, year)
    frames = [plan.new_sites]
    for level in LEVEL_KINDS[1:]:
        part = site_kind(scenario, level, CHAIN_MODELS[level], p=None, radius_m=None, limit=time_limit_s, seed=seed,
                         collection_mode="small_vehicle", plan=facilities)
        facilities = with_sites(facilities, level, part.sites)
        sites = part.sites
        if len(sites) == 0:
            continue
        field = layers.get_kind(level).capacity_field
        fused = sites["fused_with"].notna().to_numpy()
        frames.append(gpd.GeoDataFrame({
            "kind": level, "id": sites["id"].astype(str).to_numpy(), "name": sites["name"].astype(str).to_numpy(),
            "year": year, "size": np.where(fused, "refit", "design"),
            "capacity": sites[field].to_numpy(dtype=float) if field in sites else np.inf,
            "fixed_cost_yuan": sites["fixed_cost_yuan"].to_numpy(dtype=float),
            "origin": np.where(fused, "refit", "candidate_sites"),
            "fused_with": sites["fused_with"].to_numpy(dtype=object),
        }, geometry=sites.geometry.to_numpy(), crs=sites.crs))
        plan.notes.append(f"四级两网 {level} ({CHAIN_MODELS[level]}): {len(sites)} new, {int(fused.sum())} of them "
                          "两网融合 refits of transfer stations")
    plan.new_sites = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=plan.new_sites.crs)
    budget = scenario.plan.budget_in(year)
    spent = float(plan.new_sites.loc[plan.new_sites["year"] == year, "fixed_cost_yuan"].sum())
    if spent > budget + 1e-6:
        plan.notes.append(f"注意 note: with the 四级两网 chain {year} spends {spent / 1e4:,.1f} 万元, over its budget of "
                          f"{budget / 1e4:,.1f} 万元 — raise it or plan the chain a year later")


def _budget_message(years: list[int], budget: np.ndarray, free: TargetCoverResult) -> str:
    """Where the budgets fall short of the cheapest plan that ignores them, year by year."""
    lines = ["the budgets cannot reach the targets; the cheapest plan without budgets spends:"]
    need_cum = np.cumsum(free.spend_by_year)
    have_cum = np.cumsum(np.where(np.isfinite(budget), budget, np.inf))
    for y, spend, b, nc, hc in zip(years, free.spend_by_year, budget, need_cum, have_cum):
        b_text = f"{b / 1e4:,.1f} 万元" if np.isfinite(b) else "no limit"
        gap = f" — short by {(nc - hc) / 1e4:,.1f} 万元 by then" if nc > hc + 1e-6 else ""
        lines.append(f"  {y}: {spend / 1e4:,.1f} 万元 against a budget of {b_text}{gap}")
    lines.append("  raise [plan] budget_yuan of those years by the amount short (or move a target's year later)")
    return "\n".join(lines)
