"""Every map kind opens in a real headless Chromium, offline, with its overlays, legend and panel.

The PNGs are written to pytest's tmp_path (run with ``--basetemp DIR`` to keep them).
"""

from __future__ import annotations

import itertools

from geoplan.publish import save_map
from maps import (
    add_coverage_choropleth,
    add_demand_coverage,
    add_facilities,
    add_indicator_panel,
    add_routes,
    add_service_areas,
    finish_map,
    layers_map,
    new_map,
)


def _boxes_overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def _render(render_html, m, tmp_path, name):
    html_path = save_map(m, tmp_path / f"{name}.html")
    head = html_path.read_text(encoding="utf-8").split("<body")[0]
    assert "https://cdn" not in head, "the page must not link CDN assets (self-contained)"
    errors, page = render_html(html_path, tmp_path / f"{name}.png")
    assert errors == []
    assert (tmp_path / f"{name}.png").stat().st_size > 20_000
    return page


def _assert_boxes_apart(page):
    """Title, legends, panel, layer control and scale bar are all visible and do not overlap."""
    selector = ".gp-box, .leaflet-control-layers, .leaflet-control-scale"
    boxes = [b for b in (el.bounding_box() for el in page.locator(selector).all()) if b]
    assert len(boxes) == page.locator(selector).count()
    for a, b in itertools.combinations(boxes, 2):
        assert not _boxes_overlap(a, b), f"boxes overlap: {a} {b}"
    for b in boxes:
        assert b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= 1400 and b["y"] + b["height"] <= 1000


def _visible_in_view(page, selector) -> int:
    return page.evaluate(
        """sel => [...document.querySelectorAll(sel)].filter(e => {
               const r = e.getBoundingClientRect();
               return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
                      && r.left < innerWidth && r.top < innerHeight; }).length""",
        selector,
    )


def test_facility_map_renders(render_html, tmp_path, demo, facilities):
    m = new_map([demo["districts"]], tiles="none", title="示范县 设施布局 / facilities")
    add_facilities(m, facilities)
    finish_map(m)
    page = _render(render_html, m, tmp_path, "facilities")
    n = sum(len(g) for g in facilities.values())
    assert page.locator(".leaflet-marker-pane .gp-icon").count() == n
    assert _visible_in_view(page, ".leaflet-marker-pane .gp-icon") == n
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any("垃圾中转站 / transfer station (7)" in t for t in labels)
    assert page.locator(".gp-legend").is_visible()
    _assert_boxes_apart(page)


def test_coverage_map_renders(render_html, tmp_path, demo, demand, districts, service_areas, facilities,
                              indicators):
    m = new_map([demo["districts"]], tiles="none", title="示范县 生活垃圾分类覆盖 / coverage")
    add_coverage_choropleth(m, districts, label="居民小区覆盖率 / community coverage")
    add_service_areas(m, service_areas)
    add_demand_coverage(m, demand)
    add_facilities(m, {"transfer_stations": facilities["transfer_stations"]}, legend=False)
    add_indicator_panel(m, indicators)
    finish_map(m)
    page = _render(render_html, m, tmp_path, "coverage")
    points = sum(len(g) for g in demand.values())
    polygons = len(districts) + len(service_areas)
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == points + polygons
    # District labels and the station symbols are markers.
    assert page.locator(".leaflet-marker-pane .gp-label").count() == len(districts)
    assert page.locator(".gp-legend").count() == 2  # coverage classes, demand
    panel = page.locator(".gp-panel")
    assert panel.is_visible()
    text = panel.inner_text()
    assert "85.3%" in text and "未达标" in text and "达标" in text
    assert panel.locator(".gp-not-met").count() == 2 and panel.locator(".gp-met").count() == 1
    _assert_boxes_apart(page)


def test_route_map_renders(render_html, tmp_path, demo, routes_and_stops):
    routes, stops = routes_and_stops
    m = new_map([routes, demo["districts"]], tiles="none", title="示范县 收运路线 / routes")
    add_routes(m, routes, stops)
    finish_map(m)
    page = _render(render_html, m, tmp_path, "routes")
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == len(routes)
    assert page.locator(".leaflet-marker-pane .gp-icon").count() == len(stops)
    colours = {p.get_attribute("stroke") for p in page.locator(".leaflet-overlay-pane path").all()}
    assert len(colours) == len(routes), "each route has its own colour"
    assert page.locator(".gp-legend").is_visible()
    _assert_boxes_apart(page)


def test_layers_map_renders(render_html, tmp_path, demo):
    m = layers_map(demo, title="示范县 / demo — 图层总览 / all layers", tiles="none")
    page = _render(render_html, m, tmp_path, "layers")
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any("垃圾中转站" in t for t in labels) and any("道路" in t for t in labels)
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() > len(demo["roads"])
    _assert_boxes_apart(page)


HOSTILE = '<img src=x onerror="window.__pwned=1">`${window.__pwned=2}`\\ 站'


def test_names_from_files_are_shown_as_text(render_html, tmp_path, demo, facilities, demand, districts):
    """Names with HTML, backticks and ``${}`` are shown literally and run nothing."""
    station = facilities["transfer_stations"].iloc[[0]].assign(name=HOSTILE)
    points = {"villages": demand["villages"].iloc[[0]].assign(name=HOSTILE, covered=False)}
    m = new_map([demo["districts"]], tiles="none", title=HOSTILE)
    add_coverage_choropleth(m, districts.assign(name=HOSTILE))
    add_demand_coverage(m, points)
    add_facilities(m, {"transfer_stations": station})
    finish_map(m)
    page = _render(render_html, m, tmp_path, "hostile")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("img[src=x]").count() == 0
    assert page.locator(".gp-title").inner_text() == HOSTILE
    page.locator(".leaflet-marker-pane .gp-icon").first.click()
    assert HOSTILE in page.locator(".leaflet-popup-content").inner_text()
    page.locator(".leaflet-overlay-pane path.leaflet-interactive").last.click(force=True)
    page.wait_for_timeout(300)  # the station's popup fades out
    popups = page.locator(".leaflet-popup-content").all_inner_texts()
    assert len(popups) == 1 and "未覆盖" not in HOSTILE and "否 / no" in popups[0] and HOSTILE in popups[0]
    assert page.evaluate("window.__pwned === undefined")
