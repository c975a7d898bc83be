"""The siting app's page (Streamlit). Run it with ``geoplan app [SCENARIO]``.

Everything the page does goes through :class:`geoplan.app.SitingSession`; this file
only lays out widgets and forwards clicks and buttons.

The map is mounted once and then only its overlays are swapped
(``st_folium(feature_group_to_add=...)``), so the planner's zoom and pan stay where they
were. A click on the map is handled in the map's change callback, before the page is
drawn again, so one rerun shows the new figures and the new overlays together.

``?map=remount`` in the page address draws the whole map afresh after every edit, as
the page did before; ``benchmarks/app_browser.py`` measures against it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import layers
from layers.errors import GeoplanError
from geoplan.app.map_view import DEFAULT_OVERLAYS, OVERLAYS, MapView, legend_html, offline_links
from geoplan.app.session import APP_KINDS, UPLOADABLE, SitingSession
from geoplan.app.upload import UPLOAD_SUFFIXES, check_upload
from geoplan.scenario import load_scenario
from geoplan.settings import ServiceStandard

#: Map height; with the figures above it, it fits a 1280×800 window without scrolling.
MAP_HEIGHT_PX = 560
#: Less empty space above the figures than Streamlit's default, so the map fits the window.
PAGE_CSS = """<style>
.block-container { padding-top: 2.2rem; padding-bottom: 1rem; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
</style>"""


def _scenario_folder() -> Path:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if not args:
        st.error("没有方案文件夹 no scenario folder — start the app with `geoplan app SCENARIO`")
        st.stop()
    return Path(args[0]).resolve()


@st.cache_resource(show_spinner="读取方案 loading the scenario…")
def _scenario(folder: str):
    scenario = load_scenario(folder)
    _ = scenario.road_network  # build once for every browser tab
    return scenario


@st.cache_resource
def _view(folder: str) -> MapView:
    """One map view per scenario, shared by every tab: it caches only what no edit changes."""
    scenario = _scenario(folder)
    return MapView(scenario, scenario.road_network, scenario.layers.get("districts"))


def _kind_label(kind: str) -> str:
    spec = layers.get_kind(kind)
    return f"{spec.label_zh} / {spec.label_en}"


def _session(scenario, kind: str) -> SitingSession:
    sessions = st.session_state.setdefault("sessions", {})
    if kind not in sessions:
        sessions[kind] = SitingSession(scenario, kind)
    return sessions[kind]


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("flash", []).append((kind, text))


def _show_flash() -> None:
    for kind, text in st.session_state.pop("flash", []):
        (st.error if kind == "error" else st.success)(text)


def _run(action, ok_text=None):
    """Run a session action; a GeoplanError becomes a message, not a traceback."""
    try:
        result = action()
    except GeoplanError as exc:
        _flash("error", str(exc))
        return None
    if ok_text:
        _flash("success", ok_text(result) if callable(ok_text) else ok_text)
    return result


def _sidebar(scenario, session: SitingSession, view: MapView) -> None:
    sb = st.sidebar
    sb.subheader("服务标准 / service standard")
    by_time = sb.radio("标准 / standard", ["距离 / distance (m)", "时间 / travel time (min)"], horizontal=True,
                       key=f"std_type_{session.kind}") != "距离 / distance (m)"
    if by_time:
        minutes = sb.number_input("车程 / travel time (min)", min_value=0.5, max_value=240.0, value=10.0, step=0.5,
                                  key=f"std_min_{session.kind}")
        session.set_standard(ServiceStandard(float(minutes) * 60.0, "s"))
    else:
        metres = sb.number_input("服务半径 / service radius (m)", min_value=10.0, max_value=100_000.0,
                                 value=float(session.default_radius_m()), step=100.0, key=f"std_m_{session.kind}")
        session.set_standard(ServiceStandard(float(metres), "m"))

    sb.subheader("编辑 / edit")
    ids = [p.id for p in session.placed]
    mode = sb.radio("点击地图 / a map click", ["新建 / place", "移动 / move"], horizontal=True, key="mode")
    st.session_state["move_id"] = sb.selectbox("移动哪个站点 / station to move", ids, key="move_pick") \
        if mode == "移动 / move" and ids else None
    remove_id = sb.selectbox("删除站点 / station to remove", ids, key="remove_pick") if ids else None
    c1, c2 = sb.columns(2)
    if c1.button("删除 / remove", disabled=remove_id is None, width="stretch"):
        _run(lambda: session.remove(remove_id), lambda s: f"已删除 removed {s.id}")
        st.rerun()
    if c2.button("撤销 / undo", disabled=not session.can_undo, width="stretch"):
        _run(session.undo, lambda a: f"已撤销 undone: {a}")
        st.rerun()

    sb.subheader("优化建议 / optimiser")
    k = sb.number_input("新增站点数 k / new sites", min_value=1, max_value=50, value=2, step=1)
    n_cand = int((session.site_table()["status"] == "candidate").sum())
    sb.caption(f"从 {n_cand} 个候选站点中选 / chooses from {n_cand} candidate sites"
               + (" (上传 uploaded)" if any(u.startswith("候选") for u in session.uploads) else ""))
    if sb.button("建议最优 k 个站点 / suggest the best k", width="stretch"):
        with st.spinner("求解中 solving…"):
            st.session_state["suggestion"] = _run(lambda: session.suggest(int(k)))
        st.rerun()

    sb.subheader("输出 / outputs")
    name = sb.text_input("文件名 / file name", value=f"app_plan_{session.kind}", key=f"name_{session.kind}")
    fmt = sb.selectbox("格式 / format", ["gpkg", "geojson"], key="fmt")
    if sb.button("导出方案 / export plan", width="stretch"):
        _run(lambda: session.export(fmt, name=name), lambda p: f"已导出 exported: {p.name} (output/)")
        st.rerun()
    if sb.button("发布地图 / publish map (HTML)", width="stretch"):
        with st.spinner("生成地图 writing the map…"):
            _run(lambda: view.publish(session.state(), name=f"{name}_map"),
                 lambda p: f"已发布 published: {p.name} (output/)")
        st.rerun()
    if sb.button("保存为方案 / save as a plan alternative", width="stretch"):
        _run(session.save_alternative,
             lambda p: f"已保存方案 saved as alternative {p.name} ({len(session.placed)} 个站点 sites) — "
                       f"采用 adopt: geoplan plan adopt {scenario.folder} {p.name}")
        st.rerun()

    _upload_panel(scenario, session)


def _upload_panel(scenario, session: SitingSession) -> None:
    sb = st.sidebar
    sb.subheader("上传图层 / upload a layer")
    kinds = list(layers.LAYER_KINDS)
    up_kind = sb.selectbox("图层类型 / layer kind", kinds, index=kinds.index(session.kind), format_func=_kind_label)
    upload = sb.file_uploader("文件 / file", type=[s.lstrip(".") for s in UPLOAD_SUFFIXES])
    if upload is not None and sb.button("检查 / validate", width="stretch"):
        check = _run(lambda: check_upload(scenario, upload.getvalue(), upload.name, up_kind))
        st.session_state["upload_check"] = (upload.name, up_kind, check) if check is not None else None
    held = st.session_state.get("upload_check")
    if not held:
        return
    name, kind, check = held
    if check.errors:
        sb.error(f"{name}: {len(check.errors)} 个错误 errors — 修改下列行 fix the rows below")
    else:
        sb.success(f"{name}: 通过 valid, {len(check.layer)} 行 rows")
    for issue in check.issues[:30]:
        sb.caption(f"{'错误 error' if issue.severity == 'error' else '警告 warning'}: {issue}")
    if check.layer is not None and kind in (*UPLOADABLE, session.kind):
        what = "作为候选站点 as candidate sites" if kind == "candidate_sites" else "作为现状站点 as existing stations"
        if sb.button(f"加入方案 / add to the plan ({what})", width="stretch"):
            _run(lambda: session.add_layer(kind, check.layer, name), lambda note: f"已加入 added — {note}")
            st.session_state["upload_check"] = None
            st.rerun()
    elif check.layer is not None:
        sb.caption(f"只能加入候选站点或{layers.get_kind(session.kind).label_zh} — only candidate_sites or "
                   f"{session.kind} can be added to this plan")


def _on_map_change(session: SitingSession) -> None:
    """The map reported a click: place a station there, or move the chosen one."""
    value = st.session_state.get("map") or {}
    clicked = value.get("last_clicked")
    if not clicked:
        return
    click = (round(float(clicked["lng"]), 7), round(float(clicked["lat"]), 7))
    if st.session_state.get("last_click") == click:
        return  # the same click reported again
    st.session_state["last_click"] = click
    move_id = st.session_state.get("move_id")
    if move_id:
        _run(lambda: session.move(move_id, *click), lambda s: f"已移动 moved {s.id} ({s.moved_m:.0f} m 至道路 to the road)")
    else:
        _run(lambda: session.place(*click), lambda s: f"已新建 placed {s.id} ({s.moved_m:.0f} m 至道路 to the road)")


def _figures(session: SitingSession) -> None:
    state = session.state()
    figs = state.coverage
    base = {f.key: f.actual for f in state.baseline}
    cols = st.columns(len(figs))
    for col, f in zip(cols, figs):
        delta = f.actual - base.get(f.key, f.actual)
        # always a delta line, so the map below does not move down when the first station is placed
        col.metric(f"{f.label.split(' / ')[0]}（{f.standard}）", f"{f.actual:.1%}", delta=f"{delta:+.1%}",
                   delta_color="normal" if abs(delta) > 1e-12 else "off",
                   help=f"{f.label}; 目标 target {f.target:.0%}; {f.covered_units}/{f.units} 个 units; "
                        "变化相对现状 change against the existing stations")


def _suggestion(session: SitingSession) -> None:
    sug = st.session_state.get("suggestion")
    if not sug:
        return
    if not sug.stations:
        st.warning(f"没有建议 no suggestion ({sug.status}) — raise the time limit or check the candidate sites")
        return
    st.info(f"建议 suggestion ({sug.status}, {sug.n_candidates} 个候选 candidates): "
            f"{', '.join(s.name for s in sug.stations)} — 选址需求覆盖 siting-demand coverage "
            f"{sug.coverage_before:.1%} → {sug.coverage_after:.1%}（{sug.standard}）")
    c1, c2 = st.columns(2)
    if c1.button("采纳 / accept", type="primary", width="stretch"):
        session.accept(sug)
        st.session_state["suggestion"] = None
        _flash("success", f"已采纳 accepted {len(sug.stations)} 个站点 sites")
        st.rerun()
    if c2.button("放弃 / reject", width="stretch"):
        st.session_state["suggestion"] = None
        st.rerun()


def _map(session: SitingSession, view: MapView, shown: list[str]) -> None:
    sug = st.session_state.get("suggestion")
    state = session.state()
    if st.query_params.get("map") == "remount":
        m = view.base_map()
        for group in view.overlay_groups(state, show=shown, suggestion=sug):
            group.add_to(m)
        st_folium(offline_links(m), key="map", height=MAP_HEIGHT_PX, use_container_width=True,
                  returned_objects=["last_clicked"], on_change=lambda: _on_map_change(session))
        return
    # Only clicks come back: the mounted map keeps its own view, and returning zoom and
    # centre would rerun the page on every pan (and three times as it loads). The view is
    # moved once, to a new suggestion's sites, so the planner sees what to accept.
    centre = None
    if sug is not None and sug.stations:
        centre = (round(sum(s.lat for s in sug.stations) / len(sug.stations), 6),
                  round(sum(s.lon for s in sug.stations) / len(sug.stations), 6))
    st_folium(view.base_map(), key="map", height=MAP_HEIGHT_PX, use_container_width=True,
              feature_group_to_add=view.overlay_groups(state, show=shown, suggestion=sug), center=centre,
              returned_objects=["last_clicked"], on_change=lambda: _on_map_change(session))


def _tables(session: SitingSession) -> None:
    state = session.state()
    st.markdown("**各街道/镇覆盖率 / coverage by district**")
    table = state.district_table.copy()
    table["coverage_rate"] = (table["coverage_rate"] * 100).round(1)
    st.dataframe(table.rename(columns={"indicator": "指标", "district": "街道/镇", "units": "单位数",
                                       "covered_units": "覆盖数", "coverage_rate": "覆盖率 %"})
                 .drop(columns=["weight", "covered_weight"]), hide_index=True, width="stretch", height=220)
    st.markdown("**站点负荷 / station loads**")
    loads = state.loads
    st.dataframe(loads.assign(load_ratio=(loads["load_ratio"] * 100).round(0)).rename(
        columns={"name": "名称", "status": "状态", "capacity": "能力", "load": "负荷", "turned_away": "能力不足未收",
                 "unit": "单位", "load_ratio": "负荷率 %", "overloaded": "超负荷"}), hide_index=True, width="stretch",
        height=220)
    if state.placed:
        st.markdown("**规划站点 / planned stations**")
        st.dataframe(pd.DataFrame([{"id": p.id, "名称": p.name, "经度 lon": round(p.lon, 6),
                                    "纬度 lat": round(p.lat, 6), "移至道路 m": round(p.moved_m),
                                    "来源": p.origin} for p in state.placed]),
                     hide_index=True, width="stretch")
    for note in session.uploads:
        st.caption(f"已加入 added: {note}")


def main() -> None:
    st.set_page_config(page_title="geoplan 交互选址 / siting", layout="wide")
    st.html(PAGE_CSS)
    folder = _scenario_folder()
    try:
        scenario = _scenario(str(folder))
    except GeoplanError as exc:
        st.error(str(exc))
        st.stop()
    kinds = [k for k in APP_KINDS if any(t.facility_kind == k for t in scenario.targets.values())]
    st.sidebar.title("geoplan 交互选址")
    st.sidebar.caption(scenario.name)
    kind = st.sidebar.selectbox("设施类型 / facility kind", kinds, format_func=_kind_label)
    try:
        session = _session(scenario, kind)
    except GeoplanError as exc:
        st.error(str(exc))
        st.stop()
    view = _view(str(folder))
    _sidebar(scenario, session, view)

    _figures(session)
    left, right = st.columns([3, 2])
    with right:
        shown = st.pills("图层 / layers", list(OVERLAYS), selection_mode="multi", default=list(DEFAULT_OVERLAYS),
                         format_func=OVERLAYS.get, key="overlays", width="stretch", wrap=True)
        st.html(legend_html(session.state(), shown))
    with left:
        # before the tables: the map's update reaches the browser as early as it can
        _map(session, view, shown)
    with right:
        _show_flash()
        _suggestion(session)
        _tables(session)


main()
