"""A siting session: the planner's placed stations and the coverage they give, without any web page.

The app's server (:mod:`geoplan.app.workspace` behind :mod:`geoplan.app.web`) only forwards
the page's clicks and button presses to a :class:`SitingSession` and sends back what it
returns, so everything here runs — and is tested — as plain Python.

Coverage and loads are the report's (:func:`geoplan.indicators.coverage.kind_coverage`):
the door-to-door cost of :meth:`RoadNetwork.access_costs` — fast enough for a click because
the cost from every node to a station is one cached reverse search — and the allocation of
the demand within the standard to the stations within their capacity
(:func:`optimizers.siting.allocation.allocate`). After each
edit the session hands the page one :class:`~geoplan.app.records.PlanState`, the plan's
state in one immutable snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

import layers
from layers.errors import GeoplanError
from geoplan.app.records import CoverageFigure, PlacedStation, PlanState, Suggestion
from geoplan.indicators.coverage import COVERED_TOLERANCE, allocate_targets, demand_weights, eligible_pairs
from geoplan.quantities import facility_capacity, facility_load
from geoplan.indicators.report import PLANNED_SITES_FILE
from geoplan.network import SnapResult
from geoplan.scenario import Scenario
from geoplan.settings import ServiceStandard, Target
from geoplan.siting import demand as siting_demand
from geoplan.siting import models as siting_models
from geoplan.siting.costs import per_unit
from geoplan.siting.models import check_model
from geoplan.siting.problem_builder import BuiltProblem, leave_out_unreachable
from geoplan.planning import alternatives
from geoplan.siting.transfer_stations import CLASS_CAPACITY_T_PER_D
from geoplan.standards import SERVICE_PROFILES
from optimizers.siting import SitingProblem

#: Facility kinds the app sites, with the demand table their loads and suggestions use.
APP_KINDS: dict[str, Callable[[Scenario], siting_demand.DemandTable]] = {
    "transfer_stations": siting_demand.household_waste,
    "film_recycling_stations": siting_demand.film,
    "dropoff_points": siting_demand.recyclables_households,
    "muck_disposal_sites": siting_demand.muck_volume,
}
#: Capacity given to a clicked transfer station until the planner sets one: class V, 50 t/d (CJJ/T 47-2016).
DEFAULT_NEW_CAPACITY = {"transfer_stations": CLASS_CAPACITY_T_PER_D["V-50"]}
#: Layer kinds an uploaded file can add to a session: the kind's own stations, or candidate sites.
UPLOADABLE = ("candidate_sites",)

#: Edits a session can undo, the most recent first; older ones are forgotten.
MAX_UNDO_STEPS = 500
#: Longest station name the app keeps (characters).
MAX_NAME_CHARS = 60


@lru_cache(maxsize=16)
def _transformer(source, target) -> Transformer:
    """A lon/lat ↔ metric transformer, made once per CRS pair (making one takes about 0.1 s)."""
    return Transformer.from_crs(source, target, always_xy=True)


@dataclass
class _IndicatorDemand:
    """The demand of one coverage indicator, snapped once."""

    target: Target
    points: gpd.GeoDataFrame
    weight: np.ndarray
    snap: SnapResult
    district: np.ndarray

    @property
    def key(self) -> str:
        return self.target.key


@dataclass
class SitingSession:
    """Stations of one facility kind placed on the scenario's map, with undo.

    Parameters
    ----------
    scenario : Scenario
    kind : str
        One of :data:`APP_KINDS`.
    standard : ServiceStandard, optional
        Standard for every indicator of the kind; default each indicator's own standard
        from ``scenario.toml``.
    max_snap_m : float, optional
        A click farther than this from any road is refused; default ``[network] max_snap_m``.
    id_prefix : str
        Stations placed get ids ``<id_prefix>-01``, ``-02`` …; sessions open at the same time
        are given different prefixes so their ids never collide.
    """

    scenario: Scenario
    kind: str
    standard: ServiceStandard | None = None
    max_snap_m: float | None = None
    id_prefix: str = "APP"
    placed: list[PlacedStation] = field(default_factory=list)
    _undo: list[tuple[list[PlacedStation], str]] = field(default_factory=list, repr=False)
    _redo: list[tuple[list[PlacedStation], str]] = field(default_factory=list, repr=False)
    _baseline: tuple[object, tuple[CoverageFigure, ...]] | None = field(default=None, repr=False)
    _counter: int = field(default=0, repr=False)
    _version: int = field(default=0, repr=False)
    _state: PlanState | None = field(default=None, repr=False)
    _reading: tuple[tuple, dict[str, np.ndarray], np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in APP_KINDS:
            raise GeoplanError(f"the app sites {', '.join(APP_KINDS)}; got {self.kind!r}")
        if self.max_snap_m is None:
            self.max_snap_m = float(self.scenario.network_settings.max_snap_m)
        sc = self.scenario
        self.network = sc.road_network
        self._to_metric = _transformer(4326, sc.metric_epsg)
        self._to_lonlat = _transformer(sc.metric_epsg, 4326)
        districts = sc.layers.get("districts")
        self.districts = districts
        self._area = None
        if districts is not None and len(districts):
            self._area = shapely.union_all(districts.geometry.to_numpy())
            shapely.prepare(self._area)
        existing = sc.layers.get(self.kind)
        if existing is None:
            existing = gpd.GeoDataFrame({"id": [], "name": [], "status": []}, geometry=[], crs=sc.metric_epsg)
        self._set_existing(existing[existing["status"].isin(("existing", "planned"))])
        cands = sc.layers.get("candidate_sites")
        self.candidates = (cands[cands["facility_kind"] == self.kind].reset_index(drop=True) if cands is not None
                           else gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs=sc.metric_epsg))
        #: What the planner added from uploaded files, e.g. ``"candidate_sites: 12 from sites.geojson"``.
        self.uploads: list[str] = []
        self._indicators = self._build_indicators()
        # the kind's siting demand (loads, suggestions), snapped once
        self._siting_demand = APP_KINDS[self.kind](sc)
        self._siting_snap = self.network.snap(self._siting_demand.points, SERVICE_PROFILES[self.kind])
        if not self._indicators:
            raise GeoplanError(
                f"scenario.toml has no [targets.*] with facility_kind = {self.kind} whose demand layer has rows — "
                "add a target for it"
            )
        self._taken_ids = set(self.existing["id"].astype(str))
        cands = sc.layers.get("candidate_sites")
        if cands is not None:
            self._taken_ids |= set(cands["id"].astype(str))
        self.placed = self._read_saved()

    # ------------------------------------------------------------ set-up
    def _set_existing(self, frame: gpd.GeoDataFrame) -> None:
        self.existing = frame.reset_index(drop=True)
        self._existing_xy = (shapely.get_coordinates(self.existing.to_crs(self.network.crs).geometry.to_numpy())
                             if len(self.existing) else np.empty((0, 2)))

    def _build_indicators(self) -> list[_IndicatorDemand]:
        sc = self.scenario
        out = []
        for target in sc.targets.values():
            if target.facility_kind != self.kind:
                continue
            demand = sc.layers.get(target.demand_kind)
            if demand is None or len(demand) == 0:
                continue
            out.append(_IndicatorDemand(target, demand, demand_weights(demand, target.weight),
                                        self.network.snap(demand, target.profile), self._district_of(demand)))
        return out

    def _district_of(self, points: gpd.GeoDataFrame) -> np.ndarray:
        outside = "（区外）/ outside"
        if self.districts is None or len(self.districts) == 0:
            return np.full(len(points), outside, dtype=object)
        joined = gpd.sjoin(points[[points.geometry.name]], self.districts[["name", self.districts.geometry.name]],
                           predicate="within", how="left")
        joined = joined[~joined.index.duplicated(keep="first")]
        return joined["name"].reindex(points.index).fillna(outside).to_numpy(dtype=object)

    def _read_saved(self) -> list[PlacedStation]:
        """Stations of this kind saved earlier into ``output/planned_sites.gpkg``, editable again."""
        path = self.scenario.output_dir / PLANNED_SITES_FILE
        if not path.exists() or self.kind not in layers.gpkg_layer_names(path):
            return []
        saved = layers.read_layer(path, self.kind, to_crs=self.scenario.metric_epsg)
        cap_field = layers.get_kind(self.kind).capacity_field
        snap = self.network.snap(saved, SERVICE_PROFILES[self.kind])
        out = []
        for i, row in enumerate(saved.itertuples(index=False)):
            cap = float(getattr(row, cap_field)) if cap_field and pd.notna(getattr(row, cap_field, None)) else np.nan
            out.append(self.station_at(int(snap.node[i]), str(row.id), str(row.name), float(snap.distance_m[i]),
                                       cap, "saved"))
            self._taken_ids.add(str(row.id))
        return out

    # ------------------------------------------------------------ standards
    def standard_for(self, ind: _IndicatorDemand) -> ServiceStandard:
        """The session's standard, or the indicator's own from ``scenario.toml``."""
        if self.standard is not None:
            return self.standard
        return self.scenario.standards.service(self.kind, ind.target.standard)

    def default_radius_m(self) -> float:
        """The kind's service radius in ``scenario.toml``, metres."""
        return self.scenario.standards.value(self.kind, "service_radius_m")

    def set_standard(self, standard: ServiceStandard | None) -> None:
        """Use ``standard`` for every indicator (None: each indicator's own)."""
        if standard != self.standard:
            self.standard = standard
            self._edited()

    # ------------------------------------------------------------ placing
    def station_at(self, node: int, sid: str, name: str, moved_m: float, capacity: float,
                   origin: str) -> PlacedStation:
        """A station of this session standing on road ``node`` (not placed: pass it to :meth:`accept`)."""
        x, y = (float(v) for v in self.network.node_xy[node])
        lon, lat = self._to_lonlat.transform(x, y)
        return PlacedStation(sid, name, int(node), x, y, float(lon), float(lat), float(moved_m), float(capacity), origin)

    def _snap_click(self, lon: float, lat: float) -> tuple[int, float]:
        """Road node for a WGS84 click; GeoplanError when outside the area or far from roads."""
        if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeoplanError(f"点击位置无效 the clicked position ({lon}, {lat}) is not a longitude/latitude — click on the map")
        x, y = self._to_metric.transform(lon, lat)
        if self._area is not None and not shapely.contains_xy(self._area, x, y):
            raise GeoplanError(
                f"点击位置在规划范围外 the click ({lon:.5f}, {lat:.5f}) is outside the districts of "
                f"{self.scenario.name} — click inside the county outline"
            )
        # the station stands where its vehicles may drive: at the nearer end of the nearest road they may use
        snap = self.network.snap(np.array([[x, y]]), SERVICE_PROFILES[self.kind])
        road_m = float(snap.road_distance_m[0])
        if road_m > self.max_snap_m:
            raise GeoplanError(
                f"点击位置离道路太远 the click is {road_m:.0f} m from the nearest road (limit {self.max_snap_m:g} m) — "
                "click closer to a road, or raise [network] max_snap_m in scenario.toml"
            )
        return int(snap.node[0]), float(snap.distance_m[0])

    def _edited(self) -> None:
        """The plan changed: the next :meth:`state` is computed afresh."""
        self._version += 1
        self._state = None

    def _push(self, action: str) -> None:
        self._undo.append((list(self.placed), action))
        del self._undo[:-MAX_UNDO_STEPS]  # a long sitting keeps a bounded history
        self._redo.clear()
        self._edited()

    def _new_id(self) -> str:
        while True:
            self._counter += 1
            sid = f"{self.id_prefix}-{self._counter:02d}"
            if sid not in self._taken_ids and all(p.id != sid for p in self.placed):
                self._taken_ids.add(sid)
                return sid

    def _index(self, station_id: str) -> int:
        for i, p in enumerate(self.placed):
            if p.id == station_id:
                return i
        raise GeoplanError(f"no placed station {station_id!r} — placed stations: "
                           f"{', '.join(p.id for p in self.placed) or 'none'}")

    def place(self, lon: float, lat: float, capacity: float | None = None) -> PlacedStation:
        """Place a new station at the road node nearest a WGS84 click.

        Parameters
        ----------
        lon, lat : float
            Clicked position, WGS84 degrees.
        capacity : float, optional
            Capacity in the kind's unit; default :data:`DEFAULT_NEW_CAPACITY` (NaN for
            kinds without one).

        Raises
        ------
        GeoplanError
            The click is outside the districts or farther than ``max_snap_m`` from a road.
        """
        node, moved = self._snap_click(lon, lat)
        cap = DEFAULT_NEW_CAPACITY.get(self.kind, np.nan) if capacity is None else capacity
        sid = self._new_id()
        number = sid.split("-")[-1]
        station = self.station_at(node, sid, f"规划站点 {number} / planned site {number}", moved, cap, "click")
        self._push(f"place {sid}")
        self.placed.append(station)
        return station

    def move(self, station_id: str, lon: float, lat: float) -> PlacedStation:
        """Move a placed station to the road node nearest a new click (same checks as :meth:`place`)."""
        i = self._index(station_id)
        node, moved = self._snap_click(lon, lat)
        old = self.placed[i]
        station = self.station_at(node, old.id, old.name, moved, old.capacity, old.origin)
        self._push(f"move {station_id}")
        self.placed[i] = station
        return station

    def remove(self, station_id: str) -> PlacedStation:
        """Remove a placed station; existing stations cannot be removed here."""
        i = self._index(station_id)
        self._push(f"remove {station_id}")
        return self.placed.pop(i)

    def rename(self, station_id: str, name: str) -> PlacedStation:
        """Give a placed station a new name (1–60 characters after trimming)."""
        i = self._index(station_id)
        text = " ".join(str(name or "").split())
        if not 0 < len(text) <= MAX_NAME_CHARS:
            raise GeoplanError(f"站点名称 the name of {station_id} must have 1–{MAX_NAME_CHARS} characters, "
                               f"got {len(text)} — type a shorter name")
        self._push(f"rename {station_id}")
        self.placed[i] = replace(self.placed[i], name=text)
        return self.placed[i]

    def set_capacity(self, station_id: str, capacity: float) -> PlacedStation:
        """Set a placed station's capacity in the kind's unit (above 0, at most the layer schema's ceiling)."""
        i = self._index(station_id)
        spec = layers.get_kind(self.kind)
        field_spec = spec.field(spec.capacity_field) if spec.capacity_field else None
        if field_spec is None:
            raise GeoplanError(f"{spec.label_zh} ({self.kind}) has no capacity to set")
        try:
            value = float(capacity)
        except (TypeError, ValueError):
            value = float("nan")
        ceiling = field_spec.plausible_max or float("inf")
        if not (np.isfinite(value) and 0 < value <= ceiling):
            raise GeoplanError(f"{station_id}: capacity {capacity!r} is not a number above 0 and at most "
                               f"{ceiling:g} {field_spec.unit} — type the capacity in {field_spec.unit}")
        self._push(f"capacity {station_id}")
        self.placed[i] = replace(self.placed[i], capacity=value)
        return self.placed[i]

    def undo(self) -> str | None:
        """Undo the last edit; returns what was undone (None: nothing to undo)."""
        if not self._undo:
            return None
        self._redo.append((list(self.placed), self._undo[-1][1]))
        self.placed, action = self._undo.pop()
        self._edited()
        return action

    def redo(self) -> str | None:
        """Apply again the edit the last :meth:`undo` took back; returns it (None: nothing to redo)."""
        if not self._redo:
            return None
        self._undo.append((list(self.placed), self._redo[-1][1]))
        self.placed, action = self._redo.pop()
        self._edited()
        return action

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def restore(self, placed: list[PlacedStation], counter: int) -> None:
        """Take up work kept from an earlier sitting: its placed stations and its id counter
        (the undo history starts afresh)."""
        self.placed = list(placed)
        self._counter = int(counter)
        self._taken_ids |= {p.id for p in placed}
        self._undo.clear()
        self._redo.clear()
        self._edited()

    @property
    def id_counter(self) -> int:
        """How many ids this session has handed out (kept with its work, see :meth:`restore`)."""
        return self._counter

    # ------------------------------------------------------------ coverage
    def _stations(self) -> tuple[np.ndarray, list[str]]:
        """Existing and placed stations' coordinates (a placed station stands on its node), and their ids."""
        placed = np.array([[p.x, p.y] for p in self.placed]).reshape(-1, 2)
        return np.vstack([self._existing_xy, placed]), self.existing["id"].astype(str).tolist() + [p.id for p in self.placed]

    def _nearest(self, ind: _IndicatorDemand, std: ServiceStandard) -> tuple[np.ndarray, np.ndarray]:
        """(cost to the nearest station in the standard's unit, its station index; -1 where none)."""
        stations, _ = self._stations()
        n = len(ind.snap.node)
        if len(stations) == 0:
            return np.full(n, np.inf), np.full(n, -1)
        cost = self.network.access_costs(ind.snap, stations, ind.target.profile, std.weight)
        best = np.argmin(cost, axis=1)
        value = cost[np.arange(n), best]
        best[~np.isfinite(value)] = -1
        return value, best

    def _capacities(self) -> np.ndarray:
        """Capacity of the existing and placed stations, the kind's unit (``inf`` where none is given)."""
        placed = np.array([p.capacity for p in self.placed], dtype=float)
        placed = np.where(np.isfinite(placed) & (placed > 0), placed, np.inf)
        return np.concatenate([facility_capacity(self.kind, self.existing), placed])

    def _allocated(self) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Covered share per demand point of each indicator, and each station's load and load turned
        away — the report's reading (:func:`geoplan.indicators.coverage.allocate_targets`, as
        :func:`~geoplan.indicators.coverage.kind_coverage` calls it), computed once per plan."""
        # keyed on what it depends on (baseline_coverage swaps the placed stations out for a moment)
        key = (tuple((p.id, p.node, p.capacity) for p in self.placed), self.standard, id(self.existing),
               len(self.existing))
        if self._reading is not None and self._reading[0] == key:
            return self._reading[1], self._reading[2], self._reading[3]
        stations, _ = self._stations()
        read = allocate_targets(
            [eligible_pairs(self.network, ind.snap, stations, ind.target.profile, self.standard_for(ind))
             for ind in self._indicators],
            [facility_load(self.kind, ind.target.demand_kind, ind.points, self.scenario.quantities)
             for ind in self._indicators],
            [ind.weight for ind in self._indicators], [ind.target.target for ind in self._indicators],
            self._capacities())
        shares = {ind.key: share for ind, share in zip(self._indicators, read.shares)}
        self._reading = (key, shares, read.site_load, read.turned_away)
        return shares, read.site_load, read.turned_away

    def covered(self, key: str | None = None) -> dict[str, np.ndarray]:
        """Per indicator key, a bool per demand point: wholly covered by a station within the
        standard that has room for it (see :meth:`_allocated`)."""
        shares, _, _ = self._allocated()
        return {k: v >= 1.0 - COVERED_TOLERANCE for k, v in shares.items() if key is None or k == key}

    def coverage(self) -> list[CoverageFigure]:
        """The kind's coverage indicators with the existing and placed stations."""
        figures = []
        covered = self.covered()
        shares, _, _ = self._allocated()
        for ind in self._indicators:
            ok = covered[ind.key]
            total = float(ind.weight.sum())
            actual = float(ind.weight @ shares[ind.key]) / total if total > 0 else 1.0
            figures.append(CoverageFigure(ind.key, ind.target.label, actual, ind.target.target, int(ok.sum()),
                                          len(ok), self.standard_for(ind)))
        return figures

    def baseline_coverage(self) -> list[CoverageFigure]:
        """:meth:`coverage` of the existing stations alone, at the current standard (computed once
        per standard and set of existing stations)."""
        key = (self.standard, id(self.existing), len(self.existing))
        if self._baseline is None or self._baseline[0] != key:
            placed, reading = self.placed, self._reading
            self.placed = []
            try:
                self._baseline = (key, tuple(self.coverage()))
            finally:
                self.placed, self._reading = placed, reading
        return list(self._baseline[1])

    def demand_status(self) -> dict[str, gpd.GeoDataFrame]:
        """Demand points per demand kind with ``covered``, ``nearest_facility_id`` and ``travel_m`` / ``travel_s``.

        A demand kind read by several indicators is shown once (the first indicator's standard).
        """
        out: dict[str, gpd.GeoDataFrame] = {}
        _, ids = self._stations()
        for ind in self._indicators:
            kind = ind.target.demand_kind
            if kind in out:
                continue
            std = self.standard_for(ind)
            value, best = self._nearest(ind, std)
            frame = ind.points.copy()
            frame["covered"] = value <= std.value
            frame["nearest_facility_id"] = [ids[b] if b >= 0 else None for b in best]
            frame["travel_m" if std.unit == "m" else "travel_s"] = np.round(value, 1)
            out[kind] = frame
        return out

    def district_table(self) -> pd.DataFrame:
        """Coverage per 街道/镇 for each indicator: ``indicator``, ``district``, ``units``,
        ``covered_units``, ``weight``, ``covered_weight``, ``coverage_rate``."""
        frames = []
        covered = self.covered()
        shares, _, _ = self._allocated()
        for ind in self._indicators:
            ok = covered[ind.key]
            frame = pd.DataFrame({"district": ind.district, "units": 1, "covered_units": ok.astype(int),
                                  "weight": ind.weight, "covered_weight": ind.weight * shares[ind.key]})
            table = frame.groupby("district", sort=False).sum()
            table["coverage_rate"] = np.where(table["weight"] > 0,
                                              table["covered_weight"] / table["weight"].where(table["weight"] > 0, 1),
                                              1.0)
            if self.districts is not None:
                names = list(self.districts["name"])
                table = table.loc[[n for n in names if n in table.index] + [n for n in table.index if n not in names]]
            frames.append(table.reset_index().assign(indicator=ind.target.label.split(" / ")[0]))
        out = pd.concat(frames, ignore_index=True)
        return out[["indicator", "district", "units", "covered_units", "weight", "covered_weight", "coverage_rate"]]

    # ------------------------------------------------------------ loads
    def loads(self) -> pd.DataFrame:
        """Load on each station as the report reads it: what it takes in of the demand within the
        standard, within its capacity (:meth:`_allocated`), and what it turns away.

        Returns
        -------
        DataFrame
            ``id``, ``name``, ``status``, ``capacity`` (inf where none is given), ``load``,
            ``turned_away``, ``unit``, ``load_ratio``, ``overloaded`` (turned some away).
        """
        _, ids = self._stations()
        _, load, turned = self._allocated()
        capacity = self._capacities()
        status = self.existing["status"].astype(str).tolist() + ["planned"] * len(self.placed)
        names = self.existing["name"].astype(str).tolist() + [p.name for p in self.placed]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(np.isfinite(capacity) & (capacity > 0), load / capacity, np.nan)
        return pd.DataFrame({
            "id": ids, "name": names, "status": status, "capacity": capacity, "load": np.round(load, 3),
            "turned_away": np.round(turned, 3), "unit": self._siting_demand.unit, "load_ratio": np.round(ratio, 3),
            "overloaded": turned > 0.005,
        })

    # ------------------------------------------------------------ the plan's state
    def state(self) -> PlanState:
        """The plan after the last edit, as one immutable snapshot (computed once per edit)."""
        if self._state is None:
            self._state = self._snapshot()
        return self._state

    def _snapshot(self) -> PlanState:
        stations, ids = self._stations()
        loads = self.loads()
        placed = self.plan_layer()
        crs = self.scenario.metric_epsg
        frames = [f.to_crs(crs) for f in (self.existing, placed) if len(f)]
        drawn = (gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs) if frames
                 else gpd.GeoDataFrame({"id": [], "name": [], "status": []}, geometry=[], crs=crs))
        by_id = loads.set_index("id")
        sid = drawn["id"].astype(str)
        drawn["load"] = sid.map(by_id["load"]).to_numpy()
        drawn["load_ratio"] = sid.map(by_id["load_ratio"]).to_numpy()
        drawn["overloaded"] = sid.map(by_id["overloaded"]).fillna(False).astype(bool).to_numpy()
        table = self.district_table()
        districts = None
        if self.districts is not None:
            first = table[table["indicator"] == table["indicator"].iloc[0]].rename(columns={"weight": "total_weight"})
            d = self.districts
            districts = d[["id", "name", d.geometry.name]].merge(first, left_on="name", right_on="district", how="left")
        placed_ids = {p.id for p in self.placed}
        return PlanState(
            kind=self.kind, version=self._version, standard=self.suggestion_standard(),
            profile=self._indicators[0].target.profile,
            station_ids=tuple(ids),
            station_nodes=tuple(int(n) for n in self.network.snap(stations, self._indicators[0].target.profile).node),
            stations=drawn, loads=loads, coverage=tuple(self.coverage()), baseline=tuple(self.baseline_coverage()),
            demand=self.demand_status(), district_table=table, districts=districts,
            candidates=self.candidates[~self.candidates["id"].astype(str).isin(placed_ids)],
            placed=tuple(self.placed), uploaded_candidates=any(u.startswith("候选") for u in self.uploads),
        )

    # ------------------------------------------------------------ optimiser
    def suggestion_standard(self) -> ServiceStandard:
        """The standard "suggest" covers within: the session's, else the kind's ``service_radius_m``."""
        return self.standard if self.standard is not None else ServiceStandard(self.default_radius_m(), "m")

    def suggest(self, k: int | None, time_limit_s: float | None = None, model: str = "mclp") -> Suggestion:
        """New sites chosen by a siting model among the candidates, existing and placed stations fixed.

        Demand is the kind's siting demand (:data:`APP_KINDS`), driven with the kind's siting
        profile. The cost is road metres under a distance standard and driving seconds under
        a travel-time standard, plus the snap stretch at both ends, exactly as the session's
        coverage counts it; the capacitated model weighs building cost against haulage in
        metres (:mod:`geoplan.siting.costs`). Nothing is applied: pass the result to :meth:`accept`.

        Parameters
        ----------
        k : int or None
            New sites to choose; required by ``mclp``, ``p-median`` and ``p-center``, optional
            for ``cflp`` and not used by ``lscp``.
        time_limit_s : float, optional
            Solver time limit, seconds; default ``[solver] time_limit_s`` of the scenario.
        model : str
            One of :data:`geoplan.siting.models.MODELS`.

        Raises
        ------
        GeoplanError
            An unknown model, a bad ``k``, or no candidate sites of the kind (neither in the
            scenario nor uploaded).
        """
        model = check_model(model, k)
        if k is not None and int(k) < 1:
            raise GeoplanError(f"k must be at least 1 new site, got {k!r}")
        std = self.suggestion_standard()
        sites = self.site_table()
        n_cand = int((sites["status"] == "candidate").sum())
        if n_cand == 0:
            spec = layers.get_kind(self.kind)
            raise GeoplanError(
                f"没有候选站点 no candidate sites for {spec.label_zh} ({self.kind}) — add candidate_sites with "
                f"facility_kind = {self.kind} to the scenario, or upload a candidate_sites layer"
            )
        table = self._siting_demand
        profile = SERVICE_PROFILES[self.kind]
        s = self.network.snap(sites, profile)
        within_cost = self.network.access_costs(self._siting_snap, s, profile, std.weight)
        priced = model == "cflp" and std.weight != "metres"
        costs = self.network.access_costs(self._siting_snap, s, profile, "metres") if priced else within_cost
        problem = SitingProblem(costs=costs, demand_weight=table.weight, site_ids=sites["id"].tolist(),
                                demand_ids=table.ids, site_status=sites["status"].to_numpy(),
                                fixed_cost=sites["fixed_cost_yuan"].to_numpy(dtype=float),
                                capacity=sites["capacity"].to_numpy(dtype=float))
        built = BuiltProblem(kind=self.kind, problem=problem, sites=sites, demand=table, profile=profile,
                             radius_m=std.value, cutoff_m=None if priced else std.value,
                             cost_per_unit=per_unit(table.unit, profile))
        within = within_cost <= std.value
        if model in ("lscp", "cflp"):  # as `geoplan site` does: cover what some site can reach
            leave_out_unreachable(built, within.any(axis=1), str(std))
        limit = float(self.scenario.time_limit_s if time_limit_s is None else time_limit_s)
        result = siting_models.solve(built, model, p=None if k is None else int(k), time_limit_s=limit,
                                     seed=self.scenario.seed)
        w = table.points["coverage_weight"].to_numpy(dtype=float)

        def share(mask: np.ndarray) -> float:
            if w.sum() <= 0:
                return 1.0
            return float(w[within[:, mask].any(axis=1)].sum() / w.sum())

        fixed = (sites["status"] == "existing").to_numpy()
        open_mask = fixed.copy()
        if result.is_feasible:
            open_mask[result.open_sites] = True
        index = {sid: j for j, sid in enumerate(sites["id"])}
        stations = []
        for sid in result.new_site_ids if result.is_feasible else []:
            j = index[sid]
            stations.append(self.station_at(int(s.node[j]), str(sid), str(sites["name"].iloc[j]),
                                             float(s.distance_m[j]), float(sites["capacity"].iloc[j]), "suggested"))
        if not result.is_feasible:
            built.notes.append(siting_models.why_no_plan(result.status.value, result.infeasibility_reason or "", limit)
                               .replace("--time-limit", "the time limit"))
        return Suggestion(stations, share(fixed), share(open_mask), result.status.value,
                          result.gap if result.is_feasible else None, std, n_cand, model, tuple(built.notes))

    def site_table(self) -> gpd.GeoDataFrame:
        """The optimiser's sites: existing and placed stations (``status`` existing, kept open), then
        the candidate sites (scenario's or uploaded) not yet placed.

        Columns ``id``, ``name``, ``status``, ``capacity`` (kind's unit, inf where unknown),
        ``fixed_cost_yuan`` (0 for the stations, 0 where a candidate gives none), geometry in the metric CRS.
        """
        crs = self.scenario.metric_epsg
        cap_field = layers.get_kind(self.kind).capacity_field
        ex = self.existing
        ex_cap = (pd.to_numeric(ex[cap_field], errors="coerce").to_numpy(dtype=float)
                  if cap_field and cap_field in ex else np.full(len(ex), np.nan))
        placed_ids = {p.id for p in self.placed}
        cands = self.candidates[~self.candidates["id"].astype(str).isin(placed_ids)]
        cand_cap = (pd.to_numeric(cands["capacity"], errors="coerce").to_numpy(dtype=float)
                    if "capacity" in cands else np.full(len(cands), np.nan))
        xy_ex = shapely.get_coordinates(ex.to_crs(crs).geometry.to_numpy()) if len(ex) else np.empty((0, 2))
        xy_c = shapely.get_coordinates(cands.to_crs(crs).geometry.to_numpy()) if len(cands) else np.empty((0, 2))
        out = gpd.GeoDataFrame({
            "id": ex["id"].astype(str).tolist() + [p.id for p in self.placed] + cands["id"].astype(str).tolist(),
            "name": ex["name"].astype(str).tolist() + [p.name for p in self.placed] + cands["name"].astype(str).tolist(),
            "status": ["existing"] * (len(ex) + len(self.placed)) + ["candidate"] * len(cands),
            "capacity": np.concatenate([ex_cap, [p.capacity for p in self.placed], cand_cap]).astype(float),
        }, geometry=gpd.points_from_xy(
            np.concatenate([xy_ex[:, 0], [p.x for p in self.placed], xy_c[:, 0]]),
            np.concatenate([xy_ex[:, 1], [p.y for p in self.placed], xy_c[:, 1]])), crs=crs)
        out["capacity"] = out["capacity"].fillna(np.inf)
        cand_cost = (pd.to_numeric(cands["fixed_cost_yuan"], errors="coerce").to_numpy(dtype=float)
                     if "fixed_cost_yuan" in cands else np.full(len(cands), np.nan))
        out["fixed_cost_yuan"] = np.nan_to_num(np.concatenate([np.zeros(len(ex) + len(self.placed)), cand_cost]))
        return out

    def accept(self, suggestion: Suggestion) -> list[PlacedStation]:
        """Add a suggestion's stations to the plan (one undo step); already placed ones are skipped."""
        have = {p.id for p in self.placed}
        new = [s for s in suggestion.stations if s.id not in have]
        if new:
            self._push(f"accept {', '.join(s.id for s in new)}")
            self.placed.extend(new)
        return new

    # ------------------------------------------------------------ uploaded layers
    def add_layer(self, kind: str, layer: gpd.GeoDataFrame, source: str = "upload") -> str:
        """Add a validated uploaded layer to the session.

        Parameters
        ----------
        kind : str
            ``candidate_sites`` — its rows with ``facility_kind`` equal to the session's kind
            become the sites :meth:`suggest` chooses from (replacing the scenario's); or the
            session's own kind — its existing and planned stations join the existing ones
            for coverage, loads and suggestions.
        layer : GeoDataFrame
            The layer as :func:`geoplan.app.upload.check_upload` returned it (validated).
        source : str
            File name shown to the planner.

        Returns
        -------
        str
            What was added, for the planner.

        Raises
        ------
        GeoplanError
            Another kind, no usable rows, or an id already used by a station of the session.
        """
        if kind not in (*UPLOADABLE, self.kind):
            spec = layers.get_kind(self.kind)
            raise GeoplanError(
                f"{source}: a {kind} layer cannot be added while siting {spec.label_zh} ({self.kind}) — "
                f"upload candidate_sites or {self.kind}"
            )
        frame = layer.to_crs(self.scenario.metric_epsg)
        if kind == "candidate_sites":
            rows = frame[frame["facility_kind"] == self.kind]
            if not len(rows):
                raise GeoplanError(f"{source}: no row has facility_kind = {self.kind} — "
                                   f"set facility_kind to {self.kind} on the candidate sites to use")
            self._check_new_ids(rows, source, ignore=set(self.candidates["id"].astype(str)))
            self.candidates = rows.reset_index(drop=True)
            note = f"候选站点 candidate sites: {len(rows)} from {source}"
        else:
            rows = frame[frame["status"].isin(("existing", "planned"))]
            if not len(rows):
                raise GeoplanError(f"{source}: no row has status existing or planned — nothing to add")
            self._check_new_ids(rows, source)
            self._set_existing(gpd.GeoDataFrame(pd.concat([self.existing.to_crs(self.scenario.metric_epsg), rows],
                                                          ignore_index=True), crs=self.scenario.metric_epsg))
            note = f"现状站点 existing stations: +{len(rows)} from {source}"
        self._taken_ids |= set(rows["id"].astype(str))
        self.uploads.append(note)
        self._edited()
        return note

    def _check_new_ids(self, rows: gpd.GeoDataFrame, source: str, ignore: set[str] = frozenset()) -> None:
        used = (set(self.existing["id"].astype(str)) | {p.id for p in self.placed}
                | set(self.candidates["id"].astype(str))) - set(ignore)
        clash = sorted(set(rows["id"].astype(str)) & used)
        if clash:
            raise GeoplanError(f"{source}: id {clash[0]!r} is already used by a station or candidate site "
                               f"of this plan ({len(clash)} such ids) — give the uploaded rows their own ids")

    # ------------------------------------------------------------ outputs
    def plan_layer(self) -> gpd.GeoDataFrame:
        """Placed stations as a layer of the facility kind, status planned, in the metric CRS."""
        spec = layers.get_kind(self.kind)
        out = gpd.GeoDataFrame({
            "id": [p.id for p in self.placed], "name": [p.name for p in self.placed], "status": "planned",
        }, geometry=gpd.points_from_xy([p.x for p in self.placed], [p.y for p in self.placed]),
            crs=self.scenario.metric_epsg)
        caps = np.array([p.capacity for p in self.placed], dtype=float)
        if spec.capacity_field:
            out[spec.capacity_field] = caps
        if self.kind == "transfer_stations":
            out["station_class"] = [layers.station_class(c) if np.isfinite(c) else None for c in caps]
        if self.kind == "film_recycling_stations":
            out["level"] = "township"
        out["origin"] = [p.origin for p in self.placed]
        out.attrs["kind"] = self.kind
        return out

    def save_alternative(self, name: str | None = None) -> Path:
        """Write the placed stations as a new plan alternative ``output/plans/<name>/`` (default
        ``app-<kind>``, ``-2`` … when taken): the adopted plan with this kind's layer replaced.
        The plan itself changes only when the planner adopts it (``geoplan plan adopt``)."""
        label = alternatives.free_name(self.scenario, name or f"app-{self.kind}")
        layer = self.plan_layer()
        whole = alternatives.plan_layers(self.scenario, {self.kind: layer}, {self.kind})
        sites = alternatives.site_records(whole)
        meta = {"command": f"geoplan app ({self.kind})", "kinds": [self.kind], "new_sites": len(sites),
                "cost_wan_yuan": round(sum(r["fixed_cost_yuan"] or 0.0 for r in sites) / 1e4, 1), "targets_met": "",
                "sites": sites}

        def fill(folder: Path) -> None:
            if whole:
                layers.write_layers(whole, folder / PLANNED_SITES_FILE)

        return alternatives.write_alternative(self.scenario, label, meta, fill)
