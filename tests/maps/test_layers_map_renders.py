"""The demo's layer map opens in a real browser, offline, with every overlay drawn."""

from __future__ import annotations

from geoplan.demo import build_demo_layers
from geoplan.publish import save_map
from maps import layers_map


def test_layer_map_renders_offline_without_errors(render_html, tmp_path):
    demo = build_demo_layers(3)
    m = layers_map(demo, title="示范县 / demo", tiles="none")
    html_path = save_map(m, tmp_path / "map.html")
    html = html_path.read_text(encoding="utf-8")
    assert "https://cdn" not in html.split("<body")[0], "head must not link CDN assets (self-contained)"
    errors, page = render_html(html_path, tmp_path / "map.png")
    assert errors == []
    # Overlays are drawn: one canvas/SVG path layer plus a checkbox per layer in the control.
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any("垃圾中转站" in t for t in labels) and any("道路" in t for t in labels)
    assert page.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg").count() >= 1
    assert (tmp_path / "map.png").stat().st_size > 20_000
