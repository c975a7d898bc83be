"""Every planner's siting session of one scenario on one app server: isolated, kept on disk, saved safely.

A :class:`Workspace` is what the web server calls; it holds no web code, so all of it is
tested as plain Python. Each browser tab opens its own session, which is

* **its own working alternative**: a code (``APP1``, ``APP2`` …) taken by creating the
  folder ``output/plans/.working/<code>/`` — an atomic step, so two tabs or two servers never
  get the same code — and the prefix of every station id it hands out, so ids never collide
  across sessions. After every edit the session's stations are written to
  ``session.json`` there, so closing the tab, a crash or a stopped server loses nothing:
  the work can be taken up again (:meth:`Workspace.open` with ``resume``).
* **saved only as a new plan alternative** (:func:`geoplan.planning.alternatives.write_alternative`,
  never under a name that exists). Adopting it as the plan checks that the plan is still
  the one the session started from; if another session or command changed it meanwhile,
  :class:`PlanChanged` says so and the planner decides.
* **bounded**: at most ``max_sessions`` open at once; one idle longer than
  ``idle_timeout_s`` (no heartbeat from its page) is closed and its memory released, its
  work staying on disk.

Edits of one session run one at a time, in the order they arrive, under one lock shared by
every session (the road network's cost caches are shared, and two cores gain little from
two edits at once).
"""

from __future__ import annotations

import json
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import layers
import maps
from layers.errors import GeoplanError
from geoplan.app.files import output_path, safe_file_name
from geoplan.app.map_view import MapView
from geoplan.app.page_view import BACKGROUND_LAYERS, PageView, changes, indicator_choices, standard_json, symbols
from geoplan.app.records import PlacedStation, Suggestion
from geoplan.app.session import APP_KINDS, SitingSession
from geoplan.outputs import read_output_json, write_text
from geoplan.planning import alternatives
from geoplan.scenario import Scenario
from geoplan.settings import ServiceStandard
from geoplan.siting.models import MODELS
from geoplan.standards import SERVICE_PROFILES
from maps.coverage import COVERAGE_BOUNDS, COVERAGE_COLOURS
from maps.styles import AREA_STYLES
from maps.tiles import TIANDITU_KEY_ENV

#: Folder of the sessions' working alternatives, inside ``output/plans`` (hidden: not an alternative).
WORKING_FOLDER = ".working"
#: A session's working record inside its folder.
SESSION_FILE = "session.json"
#: Folder of the files exported from the app, inside ``output/`` (never the plan's own files).
EXPORTS_FOLDER = "exports"
#: Sessions open at once, by default.
DEFAULT_MAX_SESSIONS = 8
#: A session whose page has not been heard from for this long is closed, seconds.
IDLE_TIMEOUT_S = 600.0
#: Edits one request may carry (a planner clicking 10 times a second sends far fewer).
MAX_EDITS_PER_REQUEST = 200
#: Models the page offers: the siting models, and planning to every target.
PLAN_TO_TARGETS = "plan"
EXPORT_FORMATS = {"gpkg": ("application/geopackage+sqlite3", ".gpkg"), "geojson": ("application/geo+json", ".geojson")}


class SessionGone(GeoplanError):
    """The session was closed (tab closed, idle too long or server restarted); the page must open a new one."""


class PlanChanged(GeoplanError):
    """What the planner asked for would replace work done meanwhile elsewhere; they must confirm."""


@dataclass
class OpenSession:
    """One tab's session on the server."""

    token: str
    code: str
    session: SitingSession
    folder: Path
    base_plan: str | None
    last_seen: float
    gcj02: bool = False
    sent: dict | None = None
    suggestion: Suggestion | None = None
    saved_as: list[str] = field(default_factory=list)


def _placed_json(p: PlacedStation) -> dict:
    return {"id": p.id, "name": p.name, "node": p.node, "x": p.x, "y": p.y, "lon": p.lon, "lat": p.lat,
            "moved_m": p.moved_m, "capacity": None if not np.isfinite(p.capacity) else p.capacity, "origin": p.origin}


def _placed_from(row: dict) -> PlacedStation:
    cap = row.get("capacity")
    return PlacedStation(str(row["id"]), str(row["name"]), int(row["node"]), float(row["x"]), float(row["y"]),
                         float(row["lon"]), float(row["lat"]), float(row.get("moved_m", 0.0)),
                         float("nan") if cap is None else float(cap), str(row.get("origin", "click")))


class Workspace:
    """The siting sessions of one scenario.

    Parameters
    ----------
    scenario : Scenario
    max_sessions : int
        Sessions open at once.
    idle_timeout_s : float
        A session not heard from for this long is closed (its work stays on disk), seconds.
    clock : callable
        Seconds, monotonic; tests pass their own.
    """

    def __init__(self, scenario: Scenario, *, max_sessions: int = DEFAULT_MAX_SESSIONS,
                 idle_timeout_s: float = IDLE_TIMEOUT_S, clock=time.monotonic):
        self.scenario = scenario
        self.max_sessions = int(max_sessions)
        self.idle_timeout_s = float(idle_timeout_s)
        self._clock = clock
        self._open: dict[str, OpenSession] = {}
        self._lock = threading.RLock()
        self.page = PageView(scenario)
        self.map_view = MapView(scenario, self.page)
        self.kinds = [k for k in APP_KINDS if any(t.facility_kind == k for t in scenario.targets.values())]
        self._rates: dict[tuple, dict] = {}

    def warm(self) -> None:
        """Build once what every session of each kind reads (snapped demand, the existing stations'
        road costs, the layers the page draws), so the first page opens as fast as the next."""
        with self._lock:
            for kind in self.kinds:
                state = SitingSession(self.scenario, kind).state()
                self.page.layers(kind, list(state.demand))
                view = self.page.view(state, None)
                self.page.fill_areas(view, list(view["areas"]), state, False)

    # ------------------------------------------------------------ what the page starts from
    def describe(self) -> dict:
        """The scenario as the page first needs it: names, kinds, indicators, basemaps, models."""
        sc = self.scenario
        key = maps.tianditu_key()
        tiles = {}
        for name in maps.TILE_PROVIDERS:
            if name == "tianditu" and not key:
                continue
            tiles[name] = {"label": maps.TILE_LABELS[name], "gcj02": maps.needs_gcj02(name),
                           "sources": [vars(s) for s in maps.tile_sources(name, key)]}
        districts = sc.layers.get("districts")
        bounds = districts.to_crs(4326).total_bounds if districts is not None and len(districts) \
            else self.scenario.road_network.edges_gdf().to_crs(4326).total_bounds
        return {
            "name": sc.name,
            "kinds": [{"kind": k, "label": layers.get_kind(k).label, "symbols": symbols(k)} for k in self.kinds],
            "indicators": indicator_choices(sc),
            "tiles": tiles,
            "tianditu_env": TIANDITU_KEY_ENV,
            "background": BACKGROUND_LAYERS,
            "models": {**MODELS, PLAN_TO_TARGETS: "规划达标 plan to the targets: least-cost sites that meet every "
                                                  "target by its year (written as a plan alternative)"},
            "bounds": [float(v) for v in bounds],
            "coverage_classes": {"bounds": list(COVERAGE_BOUNDS), "colours": list(COVERAGE_COLOURS)},
            "area_styles": AREA_STYLES,
            "working": self.resumable(),
        }

    def resumable(self) -> list[dict]:
        """Working alternatives not open now that hold placed stations, the latest first: ``code``, ``kind``,
        ``stations``, ``updated``, ``saved_as``."""
        folder = alternatives.plans_dir(self.scenario) / WORKING_FOLDER
        if not folder.is_dir():
            return []
        open_codes = {h.code for h in self._open.values()}
        out = []
        for path in sorted(folder.glob(f"*/{SESSION_FILE}")):
            try:
                record = read_output_json(path, "nothing: it is a session's working copy")
            except GeoplanError:
                continue
            if record.get("code") in open_codes or not record.get("placed"):
                continue
            out.append({"code": record["code"], "kind": record["kind"], "stations": len(record["placed"]),
                        "updated": record.get("updated", ""), "saved_as": record.get("saved_as", [])})
        return sorted(out, key=lambda r: r["updated"], reverse=True)

    # ------------------------------------------------------------ opening and closing
    def open(self, kind: str, resume: str | None = None, gcj02: bool = False, takeover: bool = False) -> dict:
        """Open a session of ``kind`` (or take up working alternative ``resume``); returns its token,
        code and full view.

        ``takeover`` lets a reloaded tab take up its own work while the server still holds the
        session the tab had before the reload (that one is closed; its edits are all on disk).

        Raises
        ------
        GeoplanError
            An unknown kind, too many open sessions, or ``resume`` unknown or open in another tab.
        """
        with self._lock:
            self.sweep()
            if kind not in self.kinds:
                raise GeoplanError(f"the app sites {', '.join(self.kinds)} in this scenario; got {kind!r}")
            if len(self._open) >= self.max_sessions:
                raise GeoplanError(f"已打开 {len(self._open)} 个会话 {len(self._open)} sessions are open, the most this "
                                   "server keeps — close another tab (its work is kept) or start geoplan app with "
                                   "a higher --max-sessions")
            if resume and takeover:
                for token, h in list(self._open.items()):
                    if h.code == resume:
                        del self._open[token]
            record = self._read_working(resume) if resume else None
            if record is not None and record["kind"] != kind:
                kind = record["kind"]
            code = record["code"] if record else self._new_code()
            folder = alternatives.plans_dir(self.scenario) / WORKING_FOLDER / code
            session = SitingSession(self.scenario, kind, id_prefix=code)
            if record:
                session.restore([_placed_from(r) for r in record["placed"]], record.get("id_counter", 0))
                if record.get("standard"):
                    session.set_standard(ServiceStandard(record["standard"]["value"], record["standard"]["unit"]))
            handle = OpenSession(secrets.token_urlsafe(16), code, session, folder,
                                 alternatives.plan_fingerprint(self.scenario), self._clock(), gcj02,
                                 saved_as=list(record.get("saved_as", [])) if record else [])
            self._open[handle.token] = handle
            self._keep(handle)
            return {"token": handle.token, "code": code, "kind": kind, **self._full(handle)}

    def _new_code(self) -> str:
        root = alternatives.plans_dir(self.scenario) / WORKING_FOLDER
        layers.writable_folder(root)
        root.mkdir(parents=True, exist_ok=True)
        n = 1
        while True:
            try:
                (root / f"APP{n}").mkdir()  # fails when taken: by this server or another
                return f"APP{n}"
            except FileExistsError:
                n += 1

    def _read_working(self, code: str) -> dict:
        if any(h.code == code for h in self._open.values()):
            raise GeoplanError(f"{code} is open in another tab — switch to that tab, or close it first")
        path = alternatives.plans_dir(self.scenario) / WORKING_FOLDER / safe_file_name(code) / SESSION_FILE
        if not path.is_file():
            have = ", ".join(r["code"] for r in self.resumable()) or "none"
            raise GeoplanError(f"no kept work {code!r} to take up — kept: {have}")
        return read_output_json(path, "nothing: it is a session's working copy")

    def _keep(self, handle: OpenSession) -> None:
        """Write the session's stations to its working alternative (atomically)."""
        s = handle.session
        record = {"code": handle.code, "kind": s.kind, "updated": time.strftime("%Y-%m-%d %H:%M:%S"),
                  "id_counter": s.id_counter, "standard": standard_json(s.standard) if s.standard else None,
                  "placed": [_placed_json(p) for p in s.placed], "saved_as": handle.saved_as}
        handle.folder.mkdir(parents=True, exist_ok=True)
        write_text(handle.folder / SESSION_FILE, json.dumps(record, ensure_ascii=False, indent=1) + "\n")

    def get(self, token: str) -> OpenSession:
        """The open session of ``token``, marked as heard from; SessionGone when it is closed."""
        handle = self._open.get(str(token))
        if handle is None:
            raise SessionGone("会话已结束 this session has ended (closed, idle, or the server restarted) — reload the "
                              "page; its work is kept and can be taken up again")
        handle.last_seen = self._clock()
        return handle

    def close(self, token: str) -> None:
        """End a session: its memory is released, its work stays in its working alternative."""
        with self._lock:
            self._open.pop(str(token), None)

    def sweep(self) -> list[str]:
        """Close the sessions idle longer than ``idle_timeout_s``; returns their codes."""
        with self._lock:
            now = self._clock()
            gone = [t for t, h in self._open.items() if now - h.last_seen > self.idle_timeout_s]
            return [self._open.pop(t).code for t in gone]

    @property
    def open_codes(self) -> list[str]:
        return sorted(h.code for h in self._open.values())

    # ------------------------------------------------------------ views
    def _demand_kinds(self, handle: OpenSession) -> list[str]:
        return list(handle.session.state().demand)

    def layers(self, token: str, gcj02: bool = False) -> dict:
        """The layers that never change in the session (see :meth:`PageView.layers`)."""
        with self._lock:
            handle = self.get(token)
            return self.page.layers(handle.session.kind, self._demand_kinds(handle), gcj02)

    def _full(self, handle: OpenSession) -> dict:
        handle.sent = None  # against nothing sent, the delta is the whole view
        return self._delta(handle, [])

    def _extras(self, view: dict, handle: OpenSession) -> dict:
        s = handle.session
        return {**view, "code": handle.code, "undo": s.can_undo, "redo": s.can_redo, "saved_as": handle.saved_as,
                "gcj02": handle.gcj02, "default_radius_m": s.default_radius_m()}

    def view(self, token: str, gcj02: bool | None = None) -> dict:
        """The session's whole view (after a reload, or a change of basemap coordinates)."""
        with self._lock:
            handle = self.get(token)
            if gcj02 is not None:
                handle.gcj02 = bool(gcj02)
            return self._full(handle)

    def _delta(self, handle: OpenSession, messages: list[dict]) -> dict:
        state = handle.session.state()
        now = self.page.view(state, handle.suggestion, handle.gcj02)
        delta, area_ids = changes(handle.sent, now)
        self.page.fill_areas(now, area_ids, state, handle.gcj02)  # the delta holds the same area entries
        handle.sent = now
        return self._extras({**delta, "messages": messages}, handle)

    # ------------------------------------------------------------ edits
    def edit(self, token: str, edits: list[dict], base: int | None = None) -> dict:
        """Apply ``edits`` in order; returns what changed since the view the page has.

        Each edit is a dict with ``op`` — ``place`` (``lon``, ``lat``), ``move`` (``id``, ``lon``,
        ``lat``), ``remove`` (``id``), ``rename`` (``id``, ``name``), ``capacity`` (``id``,
        ``capacity``), ``undo``, ``redo``, ``standard`` (``value``, ``unit``; none: the
        scenario's), ``accept`` or ``reject`` (the suggestion) — and an optional ``seq``
        the page numbers its edits with. Longitude and latitude are in the page's
        coordinates (GCJ-02 on AMap tiles). An edit that cannot be applied (a click off the
        roads) is reported in ``messages`` with its ``seq``; the others still apply.

        Parameters
        ----------
        base : int, optional
            The view version the page holds; another one gets the whole view back.
        """
        if not isinstance(edits, list) or len(edits) > MAX_EDITS_PER_REQUEST:
            raise GeoplanError(f"send a list of at most {MAX_EDITS_PER_REQUEST} edits")
        with self._lock:
            handle = self.get(token)
            if base is not None and (handle.sent is None or handle.sent["version"] != base):
                handle.sent = None
            messages = []
            for edit in edits:
                seq = edit.get("seq") if isinstance(edit, dict) else None
                try:
                    messages.append({"seq": seq, "ok": self._apply(handle, edit)})
                except GeoplanError as exc:
                    messages.append({"seq": seq, "error": str(exc)})
            self._keep(handle)
            return self._delta(handle, messages)

    def _wgs84(self, handle: OpenSession, edit: dict) -> tuple[float, float]:
        try:
            lon, lat = float(edit["lon"]), float(edit["lat"])
        except (KeyError, TypeError, ValueError):
            raise GeoplanError("点击位置无效 an edit needs lon and lat in degrees") from None
        if handle.gcj02:
            wlon, wlat = layers.gcj02_to_wgs84(np.array([lon]), np.array([lat]))
            lon, lat = float(wlon[0]), float(wlat[0])
        return lon, lat

    def _apply(self, handle: OpenSession, edit: dict) -> str:
        s = handle.session
        op = edit.get("op") if isinstance(edit, dict) else None
        if op == "place":
            p = s.place(*self._wgs84(handle, edit))
            return f"已新建 placed {p.id} ({p.moved_m:.0f} m 至道路 to the road)"
        if op == "move":
            p = s.move(str(edit.get("id")), *self._wgs84(handle, edit))
            return f"已移动 moved {p.id} ({p.moved_m:.0f} m 至道路 to the road)"
        if op == "remove":
            return f"已删除 removed {s.remove(str(edit.get('id'))).id}"
        if op == "rename":
            return f"已改名 renamed {s.rename(str(edit.get('id')), edit.get('name')).id}"
        if op == "capacity":
            return f"已改能力 capacity of {s.set_capacity(str(edit.get('id')), edit.get('capacity')).id} set"
        if op == "undo":
            done = s.undo()
            return f"已撤销 undone: {done}" if done else "没有可撤销的 nothing to undo"
        if op == "redo":
            done = s.redo()
            return f"已重做 redone: {done}" if done else "没有可重做的 nothing to redo"
        if op == "standard":
            s.set_standard(self._standard(edit))
            return f"服务标准 standard: {s.suggestion_standard()}"
        if op == "accept":
            if handle.suggestion is None:
                raise GeoplanError("没有建议 there is no suggestion to accept — run a model first")
            new = s.accept(handle.suggestion)
            handle.suggestion = None
            return f"已采纳 accepted {len(new)} 个站点 sites"
        if op == "reject":
            handle.suggestion = None
            return "已放弃建议 suggestion dropped"
        raise GeoplanError(f"unknown edit {op!r} — use place, move, remove, rename, capacity, undo, redo, "
                           "standard, accept or reject")

    @staticmethod
    def _standard(edit: dict) -> ServiceStandard | None:
        if edit.get("value") is None:
            return None
        try:
            value = float(edit["value"])
        except (TypeError, ValueError):
            value = float("nan")
        unit = edit.get("unit")
        if unit not in ("m", "s") or not (np.isfinite(value) and value > 0):
            raise GeoplanError(f"服务标准 a standard is a number above 0 in m or s, got {edit.get('value')!r} "
                               f"{unit!r} — type a radius in metres or a time in minutes")
        return ServiceStandard(value, unit)

    # ------------------------------------------------------------ models
    def suggest(self, token: str, model: str, k: int | None = None, time_limit_s: float | None = None) -> dict:
        """Run a siting model (or plan to the targets) for the session; the suggestion is shown, not applied."""
        limit = self._limit(time_limit_s)
        with self._lock:
            handle = self.get(token)
            if model == PLAN_TO_TARGETS:
                handle.suggestion = self._plan_to_targets(handle, limit)
            else:
                handle.suggestion = handle.session.suggest(None if k in (None, "") else int(k), limit, model=model)
            sug = handle.suggestion
            if not sug.stations:
                text = f"没有建议 no new sites ({sug.status})" + (f": {sug.notes[-1]}" if sug.notes else "")
            else:
                text = f"建议 {len(sug.stations)} 个站点 {len(sug.stations)} sites suggested ({sug.status})"
            return self._delta(handle, [{"seq": None, "ok": text}])

    def _limit(self, time_limit_s) -> float:
        limit = float(self.scenario.time_limit_s if time_limit_s in (None, "") else time_limit_s)
        if not (np.isfinite(limit) and 0 < limit <= 3600):
            raise GeoplanError(f"time limit must be above 0 and at most 3600 s, got {time_limit_s!r}")
        return limit

    def _plan_to_targets(self, handle: OpenSession, limit: float) -> Suggestion:
        """The least-cost plan to every target, written as a new alternative; its sites of the kind as a suggestion."""
        from geoplan.planning.run import run_plan

        s = handle.session
        outcome = run_plan(self.scenario, name=alternatives.free_name(self.scenario, f"{handle.code}-plan"),
                           time_limit_s=limit, seed=self.scenario.seed, command=f"geoplan app ({handle.code})")
        sites = outcome.plan.new_sites
        sites = sites[sites["kind"] == s.kind]
        snap = s.network.snap(sites.to_crs(s.network.crs), SERVICE_PROFILES[s.kind]) if len(sites) else None
        stations = [s.station_at(int(snap.node[i]), str(r.id), str(r.name), float(snap.distance_m[i]),
                                 float(r.capacity) if pd.notna(r.capacity) else float("nan"), "plan")
                    for i, r in enumerate(sites.itertuples(index=False))]
        before = s.coverage()[0].actual
        status = f"{outcome.plan.result.status.value} — {outcome.name}"
        return Suggestion(stations, before, before, status, None, s.suggestion_standard(), len(stations),
                          PLAN_TO_TARGETS)

    # ------------------------------------------------------------ saving and exporting
    def save(self, token: str, name: str | None = None, adopt: bool = False, force: bool = False) -> dict:
        """Save the session's stations as a new plan alternative, and adopt it as the plan if asked.

        Raises
        ------
        PlanChanged
            ``adopt`` without ``force`` while the plan is no longer the one the session began
            from (another session or command adopted a plan meanwhile).
        GeoplanError
            ``name`` taken by an alternative (none is ever overwritten), or invalid.
        """
        with self._lock:
            handle = self.get(token)
            now = alternatives.plan_fingerprint(self.scenario)
            if adopt and not force and now != handle.base_plan:
                current = alternatives.adopted_name(self.scenario)
                raise PlanChanged(
                    "方案已被修改 the plan was changed after this session began"
                    + (f" (now: alternative {current!r})" if current else "")
                    + " — adopting replaces it; it stays kept as a plan alternative. Adopt anyway, or save as an "
                      "alternative only"
                )
            if name:
                alternatives.check_free(self.scenario, name)
            path = handle.session.save_alternative(name or None)
            handle.saved_as.append(path.name)
            if adopt:
                alternatives.adopt(self.scenario, path.name)
                handle.base_plan = alternatives.plan_fingerprint(self.scenario)
            self._keep(handle)
            return {"name": path.name, "adopted": bool(adopt), "folder": str(path)}

    def export(self, token: str, fmt: str, name: str) -> Path:
        """Write the session's stations to ``output/exports/<name>.<fmt>``; a file of that name is
        never replaced (the plan's own files live elsewhere)."""
        with self._lock:
            handle = self.get(token)
            if fmt not in EXPORT_FORMATS:
                raise GeoplanError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
            path = output_path(self.scenario.output_dir / EXPORTS_FOLDER, name, EXPORT_FORMATS[fmt][1])
            if path.exists():
                raise PlanChanged(f"{path.name} exists in output/{EXPORTS_FOLDER} and is kept — choose another name")
            layer = handle.session.plan_layer()
            if not len(layer):
                raise GeoplanError("还没有规划站点 no planned stations yet — click on the map to place one")
            layers.writable_folder(path.parent)
            path.parent.mkdir(parents=True, exist_ok=True)
            return layers.write_layer(layer, path, layer=handle.session.kind)

    def download(self, token: str, what: str) -> tuple[bytes, str, str]:
        """(bytes, file name, media type) of the session's stations (``gpkg``, ``geojson``) or its map (``html``),
        made in memory or a private temporary folder: nothing lands in the scenario."""
        with self._lock:
            handle = self.get(token)
            s = handle.session
            stem = f"{handle.code}_{s.kind}"
            if what == "html":
                html = maps.page_html(self.map_view.full_map(s.state()))
                return html.encode("utf-8"), f"{stem}_map.html", "text/html; charset=utf-8"
            if what not in EXPORT_FORMATS:
                raise GeoplanError(f"download gpkg, geojson or html, got {what!r}")
            layer = s.plan_layer()
            if not len(layer):
                raise GeoplanError("还没有规划站点 no planned stations yet — click on the map to place one")
            media, suffix = EXPORT_FORMATS[what]
            with tempfile.TemporaryDirectory(prefix="geoplan-download-") as tmp:
                path = layers.write_layer(layer, Path(tmp) / f"{stem}{suffix}", layer=s.kind)
                return path.read_bytes(), path.name, media

    # ------------------------------------------------------------ on request
    def lines(self, token: str) -> list[list[float]]:
        """A straight line from each demand point to the station nearest it within reach:
        ``[lon, lat, lon, lat]`` in the page's coordinates."""
        with self._lock:
            handle = self.get(token)
            state = handle.session.state()
            where = {sid: s["xy"] for sid, s in handle.sent["stations"].items()} if handle.sent else {}
            out = []
            for frame in state.demand.values():
                shown = maps.to_map_crs(frame[[frame.geometry.name]], "amap" if handle.gcj02 else "osm")
                for g, sid in zip(shown.geometry, frame["nearest_facility_id"]):
                    if sid in where:
                        out.append([round(g.x, 5), round(g.y, 5), *where[sid]])
            return out

    def district_rates(self, key: str) -> dict[str, float]:
        """Coverage rate per district of target ``key`` with the existing stations and the adopted plan."""
        with self._lock:
            target = self.scenario.targets.get(key)
            if target is None:
                raise GeoplanError(f"no target {key!r} in scenario.toml — targets: {', '.join(self.scenario.targets)}")
            cache = (key, alternatives.plan_fingerprint(self.scenario))
            if cache not in self._rates:
                table = SitingSession(self.scenario, target.facility_kind).state().district_table
                short = target.label.split(" / ")[0]
                rows = table[table["indicator"] == short]
                self._rates[cache] = {str(d): round(float(r), 4) for d, r in zip(rows["district"], rows["coverage_rate"])}
            return self._rates[cache]

    def upload(self, token: str, kind: str, data: bytes, file_name: str) -> dict:
        """Validate an uploaded layer and, when it has no errors, add it to the session."""
        from geoplan.app.upload import check_upload

        with self._lock:
            handle = self.get(token)
            check = check_upload(self.scenario, data, file_name, kind)
            issues = [{"severity": i.severity, "text": str(i)} for i in check.issues[:50]]
            if check.layer is None:
                return {**self._delta(handle, [{"seq": None, "error": f"{file_name}: {len(check.errors)} 个错误 "
                                                                      "errors — fix the rows listed"}]),
                        "issues": issues}
            note = handle.session.add_layer(kind, check.layer, file_name)
            return {**self._delta(handle, [{"seq": None, "ok": f"已加入 added — {note}"}]), "issues": issues}
