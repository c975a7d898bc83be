"""The app's map: one base map whose script never changes, overlays that follow the plan."""

from __future__ import annotations

import folium
import geopandas as gpd
import pytest
from streamlit_folium import _get_map_string, generate_js_hash

from geoplan.app import ServiceStandard, SitingSession
from geoplan.app.map_view import DEFAULT_OVERLAYS, OVERLAYS, base_map, legend_html, overlay_groups, served_roads
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(write_demo_scenario(tmp_path_factory.mktemp("mapview") / "demo"))


def _centre(scenario, i: int = 0) -> tuple[float, float]:
    d = scenario.layers["districts"]
    p = gpd.GeoSeries(d.geometry.representative_point(), crs=d.crs).to_crs(4326).iloc[i]
    return p.x, p.y


def _base_hash(session: SitingSession) -> str:
    """The key the map component is mounted under: a new key means a new map in the page."""
    m = base_map(session)
    m.get_root().render()
    return generate_js_hash(_get_map_string(m), "map", False)


def _markers(group: folium.FeatureGroup) -> int:
    def walk(e):
        yield e
        for c in getattr(e, "_children", {}).values():
            yield from walk(c)
    return sum(isinstance(e, folium.Marker) for e in walk(group))


def test_base_map_is_the_same_after_edits_and_across_kinds(scenario):
    session = SitingSession(scenario, "transfer_stations")
    first = _base_hash(session)
    session.place(*_centre(scenario))
    session.set_standard(ServiceStandard(600.0, "s"))
    assert _base_hash(session) == first
    assert _base_hash(SitingSession(scenario, "film_recycling_stations")) == first


def test_overlays_follow_the_plan(scenario):
    session = SitingSession(scenario, "transfer_stations")
    n = len(session.existing)
    groups = {g.layer_name: g for g in overlay_groups(session)}
    assert list(groups) == [OVERLAYS[k] for k in DEFAULT_OVERLAYS]
    assert _markers(groups[OVERLAYS["stations"]]) == n
    session.place(*_centre(scenario))
    groups = {g.layer_name: g for g in overlay_groups(session)}
    assert _markers(groups[OVERLAYS["stations"]]) == n + 1
    only = overlay_groups(session, show=["candidates"])
    assert [g.layer_name for g in only] == [OVERLAYS["candidates"]]
    assert _markers(only[0]) == len(session.candidates)

    sug = session.suggest(1, time_limit_s=20)
    last = overlay_groups(session, suggestion=sug)[-1]
    assert "suggested" in last.layer_name and _markers(last) == 1


def test_served_roads_agree_with_coverage(scenario):
    """Every demand point the session counts as covered by a lone station lies near a road drawn as served."""
    session = SitingSession(scenario, "transfer_stations")
    session.existing = session.existing.iloc[0:0]
    session._existing_node = session._existing_node[:0]
    session._existing_snap = session._existing_snap[:0]
    std = ServiceStandard(2000.0, "m")
    session.set_standard(std)
    station = session.place(*_centre(scenario))
    ind = session._indicators[0]
    roads = served_roads(session, station.node, std, ind.profile)
    covered = session.covered(ind.key)[ind.key]
    assert covered.any() and not covered.all()
    pts = ind.points.geometry.to_numpy()[covered]
    # a covered point is its snap distance from its node, which a served edge ends at
    gap = roads.distance(gpd.GeoSeries(pts, crs=ind.points.crs).to_numpy())
    assert (gap <= ind.snap_m[covered] + 1.0).all()


def test_legend_has_no_bare_svg(scenario):
    """The page's HTML sanitiser drops <svg>; the legend's symbols are images."""
    session = SitingSession(scenario, "transfer_stations")
    html = legend_html(session, list(OVERLAYS))
    assert "<svg" not in html and html.count("<img") >= 6
    assert "3000 m" in html
