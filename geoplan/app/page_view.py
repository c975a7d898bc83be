"""What the app's page draws, as JSON: the layers that never change, and each plan state.

The page (``static/app.js``) loads the scenario's layers once (:meth:`PageView.layers`)
and then, after every edit, receives only what changed (:func:`changes`): the figures
and tables (small), the stations added, moved or edited, the service areas of those
stations, and the demand points whose covered flag flipped. That keeps an edit to a few
kilobytes however large the county is.

Coordinates are WGS84 longitude/latitude, or GCJ-02 when the page draws on AMap tiles
(:func:`maps.needs_gcj02`); the cache of each is separate.
"""

from __future__ import annotations

from collections import OrderedDict

import geopandas as gpd
import numpy as np
import shapely
import shapely.geometry

import layers
import maps
from geoplan.app.records import PlanState, Suggestion
from geoplan.settings import ServiceStandard
from geoplan.siting.candidates import water_areas
from geoplan.themes import roads_to_draw
from maps.styles import colour
from maps.symbols import facility_svg

#: Service areas kept drawn-ready, per (node, standard, profile, coordinates); least recently used go first.
MAX_CACHED_AREAS = 4096
#: Sets of candidate sites kept drawn-ready (each placed candidate makes a new set).
MAX_CACHED_CANDIDATE_SETS = 64
#: Outlines are simplified to this before they are sent, metres.
OUTLINE_TOLERANCE_M = 5.0
#: Served roads are simplified to this before they are sent, metres.
AREA_TOLERANCE_M = 8.0
#: Decimal places of longitude/latitude sent (1e-5° ≈ 1 m).
DEGREE_DECIMALS = 5
#: Background layers the page can show, with their labels (the plan's own overlays are in app.js).
BACKGROUND_LAYERS = {"roads": "道路 / roads", "water": "水系 / rivers and lakes",
                     "restricted_zones": "限行区 / restricted zones"}


def served_roads(network, node: int, standard: ServiceStandard, profile: str):
    """Roads from which a station at ``node`` is reached within ``standard``, as one multi-line (metric CRS).

    An edge counts when driving along it and on to the station stays within the standard
    — the same reverse costs the coverage figures use, so the drawing agrees with them.
    It takes milliseconds (the cost column is cached), where a buffered polygon takes
    a noticeable fraction of a second per new station.
    """
    to_station = network.costs_to_node(int(node), profile, standard.weight)
    reach = network.usable_edges(profile) & (to_station[network.edge_v] + network.edge_weight(profile, standard.weight)
                                             <= standard.value)
    lines = list(network.edge_geometry[reach])
    # a station on a short dead end under a tight standard may serve no whole road
    return shapely.multilinestrings(lines) if lines else shapely.MultiLineString()


def _tiles(gcj02: bool) -> str:
    return "amap" if gcj02 else "osm"


def _features(frame: gpd.GeoDataFrame, columns: list[str], gcj02: bool, tolerance_m: float = 0.0) -> dict:
    """A layer as a GeoJSON FeatureCollection with ``columns`` as properties, for the page."""
    if frame is None or not len(frame):
        return {"type": "FeatureCollection", "features": []}
    geom = frame.geometry.simplify(tolerance_m) if tolerance_m else frame.geometry
    shown = maps.to_map_crs(gpd.GeoDataFrame(frame[[c for c in columns if c in frame]], geometry=geom.to_numpy(),
                                             crs=frame.crs), _tiles(gcj02))
    shown = shown.set_geometry(shown.geometry.set_precision(10 ** -DEGREE_DECIMALS))
    features = []
    for row, g in zip(shown.drop(columns=shown.geometry.name).to_dict("records"), shown.geometry):
        props = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
        features.append({"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(g)})
    return {"type": "FeatureCollection", "features": features}


def _lonlat(lon: float, lat: float, gcj02: bool) -> list[float]:
    if gcj02:
        glon, glat = layers.wgs84_to_gcj02(np.array([lon]), np.array([lat]))
        lon, lat = float(glon[0]), float(glat[0])
    return [round(float(lon), 6), round(float(lat), 6)]


def _number(value) -> float | None:
    value = float(value)
    return round(value, 4) if np.isfinite(value) else None


def standard_json(standard: ServiceStandard) -> dict:
    return {"value": standard.value, "unit": standard.unit, "label": str(standard)}


class PageView:
    """Turns one scenario's plan states into the JSON its page draws.

    Parameters
    ----------
    scenario : Scenario
        Its road network and layers are read, never changed.
    max_areas : int
        Service areas kept drawn-ready; the least recently used go first.
    """

    def __init__(self, scenario, max_areas: int = MAX_CACHED_AREAS):
        self.scenario = scenario
        self.max_areas = int(max_areas)
        self.network = scenario.road_network
        self._layers: dict[tuple, dict] = {}
        self._areas: OrderedDict[tuple, dict] = OrderedDict()
        self._candidate_features: OrderedDict[tuple, dict] = OrderedDict()

    # ------------------------------------------------------------ what never changes
    def layers(self, kind: str, demand_kinds: list[str], gcj02: bool = False) -> dict:
        """The scenario's layers for a session of ``kind``: districts, demand points (in the order
        of the plan state's covered flags), candidate sites, roads, water, restricted zones."""
        key = (kind, tuple(demand_kinds), gcj02)
        if key not in self._layers:
            sc = self.scenario
            self._layers[key] = {
                "districts": _features(sc.layers.get("districts"), ["id", "name"], gcj02, OUTLINE_TOLERANCE_M),
                "demand": {k: _features(sc.layers.get(k), ["id", "name"], gcj02) for k in demand_kinds},
                "roads": maps.road_guide_geojson(roads_to_draw(sc), _tiles(gcj02)),
                "water": _features(water_areas(sc), ["name"], gcj02, OUTLINE_TOLERANCE_M),
                "restricted_zones": _features(sc.layers.get("restricted_zones"), ["name", "barred_profiles"], gcj02,
                                              OUTLINE_TOLERANCE_M),
            }
        return self._layers[key]

    def area(self, node: int, standard: ServiceStandard, profile: str, gcj02: bool) -> dict:
        """The roads a station at ``node`` serves within ``standard``, as a GeoJSON geometry (cached)."""
        key = (int(node), standard, profile, gcj02)
        if key in self._areas:
            self._areas.move_to_end(key)
            return self._areas[key]
        lines = served_roads(self.network, node, standard, profile).simplify(AREA_TOLERANCE_M)
        shape = maps.to_map_crs(gpd.GeoDataFrame(geometry=[lines], crs=self.network.crs), _tiles(gcj02)).geometry.iloc[0]
        self._areas[key] = shapely.geometry.mapping(shapely.set_precision(shape, 10 ** -DEGREE_DECIMALS))
        while len(self._areas) > self.max_areas:
            self._areas.popitem(last=False)
        return self._areas[key]

    @property
    def cached_areas(self) -> int:
        """Service areas held ready (at most ``max_areas``)."""
        return len(self._areas)

    # ------------------------------------------------------------ what follows the plan
    def view(self, state: PlanState, suggestion: Suggestion | None, gcj02: bool = False) -> dict:
        """Everything the page shows of ``state``, as JSON-ready values (see :func:`changes`)."""
        placed = {p.id for p in state.placed}
        stations = {}
        for row in state.stations.to_crs(4326).itertuples(index=False):
            sid = str(row.id)
            stations[sid] = {
                "id": sid, "name": str(row.name), "status": str(row.status), "xy": _lonlat(row.geometry.x, row.geometry.y, gcj02),
                "load": _number(row.load), "load_ratio": _number(row.load_ratio), "overloaded": bool(row.overloaded),
                "editable": sid in placed,
            }
        for row in state.loads.itertuples(index=False):
            if row.id in stations:
                stations[row.id]["capacity"] = _number(row.capacity)
                stations[row.id]["unit"] = row.unit
        areas = {sid: {"node": int(node), "geometry": None}
                 for sid, node in zip(state.station_ids, state.station_nodes)}
        return {
            "version": state.version,
            "kind": state.kind,
            "standard": standard_json(state.standard),
            "figures": [{"key": f.key, "label": f.label, "actual": round(f.actual, 6), "target": f.target,
                         "baseline": round(b.actual, 6), "covered_units": f.covered_units, "units": f.units,
                         "met": f.met, "standard": str(f.standard)} for f, b in zip(state.coverage, state.baseline)],
            "stations": stations,
            "areas": areas,
            "covered": {k: "".join("1" if c else "0" for c in frame["covered"]) for k, frame in state.demand.items()},
            "districts": self._district_rates(state),
            "district_table": state.district_table.assign(coverage_rate=state.district_table["coverage_rate"].round(4))
            .drop(columns=["weight", "covered_weight"]).to_dict("records"),
            "loads": [{k: (_number(v) if isinstance(v, float) else v) for k, v in row.items()}
                      for row in state.loads.drop(columns=["overloaded"]).to_dict("records")],
            "candidates": self._candidates(state, gcj02),
            "suggestion": self._suggestion(suggestion, gcj02),
        }

    def _candidates(self, state: PlanState, gcj02: bool) -> dict:
        """The candidate sites not placed yet, as features (made once per set of sites)."""
        key = (tuple(state.candidates["id"].astype(str)), state.uploaded_candidates, gcj02)
        if key not in self._candidate_features:
            self._candidate_features[key] = _features(state.candidates, ["id", "name"], gcj02)
            while len(self._candidate_features) > MAX_CACHED_CANDIDATE_SETS:
                self._candidate_features.popitem(last=False)
        return self._candidate_features[key]

    def _district_rates(self, state: PlanState) -> dict[str, dict[str, float]]:
        """Coverage rate per district name, per indicator label (the first part, as the table has it)."""
        out: dict[str, dict[str, float]] = {}
        for row in state.district_table.itertuples(index=False):
            out.setdefault(row.indicator, {})[row.district] = round(float(row.coverage_rate), 4)
        return out

    def _suggestion(self, suggestion: Suggestion | None, gcj02: bool) -> dict | None:
        if suggestion is None:
            return None
        return {"model": suggestion.model, "status": suggestion.status, "gap": suggestion.gap,
                "before": round(suggestion.coverage_before, 6), "after": round(suggestion.coverage_after, 6),
                "standard": str(suggestion.standard), "n_candidates": suggestion.n_candidates,
                "notes": list(suggestion.notes),
                "stations": [{"id": s.id, "name": s.name, "xy": _lonlat(s.lon, s.lat, gcj02),
                              "capacity": _number(s.capacity)} for s in suggestion.stations]}

    def fill_areas(self, view: dict, ids, state: PlanState, gcj02: bool) -> None:
        """Put the served-roads geometry into ``view["areas"]`` for the stations ``ids``."""
        for sid in ids:
            entry = view["areas"][sid]
            entry["geometry"] = self.area(entry["node"], state.standard, state.profile, gcj02)


def changes(before: dict | None, now: dict) -> tuple[dict, list[str]]:
    """What the page must change to go from view ``before`` to ``now``, and the stations whose
    service areas must be sent.

    Returns
    -------
    delta : dict
        ``now`` with ``stations`` holding only new or changed stations, ``removed`` the ids
        gone, ``areas`` only the stations whose node or standard changed, ``covered`` per
        demand kind the indices that flipped (``{"flip": [...]}``), and ``full`` False.
        With no ``before`` (or another kind), the whole view with ``full`` True.
    area_ids : list of str
        Stations whose service-area geometry the delta must carry.
    """
    if before is None or before["kind"] != now["kind"]:
        return {**now, "full": True, "removed": []}, list(now["areas"])
    same_standard = before["standard"] == now["standard"]
    stations = {sid: s for sid, s in now["stations"].items() if before["stations"].get(sid) != s}
    removed = [sid for sid in before["stations"] if sid not in now["stations"]]
    area_ids = [sid for sid, a in now["areas"].items()
                if not same_standard or before["areas"].get(sid, {}).get("node") != a["node"]]
    covered = {}
    for kind, flags in now["covered"].items():
        old = before["covered"].get(kind)
        if old is None or len(old) != len(flags):
            covered[kind] = flags
        else:
            covered[kind] = {"flip": [i for i, (a, b) in enumerate(zip(old, flags)) if a != b]}
    delta = {**now, "full": False, "stations": stations, "removed": removed,
             "areas": {sid: now["areas"][sid] for sid in area_ids}, "covered": covered}
    if before["candidates"] == now["candidates"]:
        delta["candidates"] = None  # unchanged: the page keeps what it has
    return delta, area_ids


def symbols(kind: str) -> dict[str, str]:
    """The SVG symbols the page draws stations with: per status, and overloaded; and the kind's colour."""
    c = colour(kind)
    out = {status: facility_svg(kind, c, status) for status in ("existing", "planned", "candidate")}
    out.update({f"{status}-overloaded": facility_svg(kind, c, status, overloaded=True)
                for status in ("existing", "planned")})
    out["candidate_sites"] = facility_svg("candidate_sites", colour("candidate_sites"), "candidate")
    out["colour"] = c
    return out


def indicator_choices(scenario) -> list[dict]:
    """The indicators the districts can be coloured by: every target of the scenario."""
    return [{"key": t.key, "label": t.label, "kind": t.facility_kind, "short": t.label.split(" / ")[0],
             "target": t.target} for t in scenario.targets.values()]
