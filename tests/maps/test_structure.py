"""The map HTML holds the expected layers, legends and panel; overlays follow the tiles' datum."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import shape

import layers
from layers.errors import GeoplanError
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
from maps.tiles import TIANDITU_KEY_ENV

_STRING = r'"(?:[^"\\]|\\.)*"'


def overlay_names(html: str) -> list[str]:
    """Names of the overlays in the page's layer control."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S).group(1)
    return [json.loads(s) for s in re.findall(rf"({_STRING})\s*:", block)]


def control_texts(html: str) -> list[str]:
    """The HTML of every geoplan box (title, legends, panel), decoded from the page's script."""
    return [json.loads(s) for s in re.findall(rf"div\.innerHTML = ({_STRING});", html)]


def _full_map(demo, facilities, demand, districts, service_areas, routes_and_stops, indicators, tiles="none"):
    routes, stops = routes_and_stops
    m = new_map([demo["districts"]], tiles=tiles, title="示范县 / demo")
    add_coverage_choropleth(m, districts, label="居民小区覆盖率 / community coverage")
    add_service_areas(m, service_areas)
    add_demand_coverage(m, demand)
    add_facilities(m, facilities)
    add_routes(m, routes, stops)
    add_indicator_panel(m, indicators)
    return finish_map(m)


def test_layer_control_legends_and_panel(demo, facilities, demand, districts, service_areas, routes_and_stops,
                                         indicators):
    m = _full_map(demo, facilities, demand, districts, service_areas, routes_and_stops, indicators)
    html = m.get_root().render()
    names = overlay_names(html)
    n_cov = int(demand["residential_communities"]["covered"].sum())
    n_unc = len(demand["residential_communities"]) - n_cov
    expected = [
        "居民小区覆盖率 / community coverage · 街道/镇 / by district",
        "服务范围 / service areas · 垃圾中转站 (3,000 m)",
        f"居民小区 · 已覆盖 / covered ({n_cov})",
        f"居民小区 · 未覆盖 / not covered ({n_unc})",
        "垃圾中转站 / transfer station (7)",
        "可回收物投放点 / recyclables drop-off point (60)",
        "路线 / routes · 压缩式垃圾车 / compression truck (3)",
    ]
    for name in expected:
        assert name in names, f"{name!r} not among {names}"
    # Layer control, scale bar and fullscreen button are on the page.
    assert "L.control.layers(" in html and "L.control.scale(" in html and "L.control.fullscreen(" in html
    texts = control_texts(html)
    title = [t for t in texts if t == "示范县 / demo"]
    legend = next(t for t in texts if "居民小区覆盖率 / community coverage</h4>" in t)
    # Classes top-down, the top one closed at 100%.
    assert legend.index("95%–100%") < legend.index("90% – &lt;95%") < legend.index("0% – &lt;40%")
    assert any("设施 / facilities" in t and "规划 / planned" in t and "超负荷 / overloaded" in t for t in texts)
    assert any("已覆盖 / covered" in t and "未覆盖 / not covered" in t for t in texts)
    assert any("R3 · 压缩车 3号" in t for t in texts)
    panel = next(t for t in texts if "指标 / indicators" in t)
    assert re.search(r"85\.3%</td><td>100\.0%</td><td>14\.7%</td>.*gp-not-met\">未达标", panel)
    assert re.search(r"41\.2%</td><td>40\.0%</td><td>0\.0%</td>.*gp-met\">达标", panel)
    assert "0.49 kg/(人·d)" in panel
    assert len(title) == 1


def test_district_colours_follow_the_classes(districts):
    m = new_map([districts], tiles="none")
    group = add_coverage_choropleth(m, districts.assign(coverage_rate=[0.0, 0.39, 0.4, 0.85, 0.9, 0.949, 0.95, 1.0, np.nan]))
    geojson = next(iter(group._children.values()))
    fills = [f["properties"]["fill"] for f in geojson.data["features"]]
    assert fills == ["#d73027", "#d73027", "#fc8d59", "#d9ef8b", "#91cf60", "#91cf60", "#1a9850", "#1a9850", "#bdbdbd"]


def _drawn_points(m):
    """(lat, lon) of every marker and every GeoJSON vertex drawn on ``m``, by layer."""
    out = []

    def walk(el):
        for child in el._children.values():
            if hasattr(child, "location") and child.location is not None and type(child).__name__ == "Marker":
                out.append((child.location[1], child.location[0]))
            if type(child).__name__ == "GeoJson":
                for f in child.data["features"] if "features" in child.data else [{"geometry": child.data}]:
                    geom = shape(f["geometry"])
                    out.extend(np.asarray(geom.exterior.coords if geom.geom_type == "Polygon" else geom.coords).tolist()
                               if geom.geom_type != "Point" else [(geom.x, geom.y)])
            walk(child)

    walk(m)
    return out


@pytest.mark.parametrize("tiles, shifted", [("amap", True), ("osm", False)])
def test_overlays_follow_the_tiles_datum(tiles, shifted, facilities, demand, service_areas, routes_and_stops):
    """Each kind of overlay, drawn alone: its first coordinate is the input's WGS84 point, shifted to GCJ-02 on AMap."""
    routes, stops = routes_and_stops
    station = facilities["transfer_stations"].iloc[[0]]
    community = demand["residential_communities"].iloc[[0]]
    cases = [
        (lambda m: add_facilities(m, {"transfer_stations": station}), station.geometry.iloc[0].coords[0]),
        (lambda m: add_demand_coverage(m, {"residential_communities": community}, legend=False),
         community.geometry.iloc[0].coords[0]),
        (lambda m: add_service_areas(m, service_areas.iloc[[0]]), service_areas.geometry.iloc[0].exterior.coords[0]),
        (lambda m: add_routes(m, routes.iloc[[0]], legend=False), routes.geometry.iloc[0].coords[0]),
    ]
    to_lonlat = Transformer.from_crs(station.crs, 4326, always_xy=True)
    for add, (x, y) in cases:
        m = new_map([station], tiles=tiles)
        add(m)
        drawn = _drawn_points(m)
        lon, lat = to_lonlat.transform(x, y)
        if shifted:
            lon, lat = layers.wgs84_to_gcj02(lon, lat)
        assert drawn[0] == pytest.approx((float(lon), float(lat)), abs=1e-9)
    # The shift is the 300–700 m one of eastern China, not a no-op or a unit slip.
    lon, lat = to_lonlat.transform(*station.geometry.iloc[0].coords[0])
    glon, glat = layers.wgs84_to_gcj02(lon, lat)
    offset_m = np.hypot((glon - lon) * 111_320 * np.cos(np.radians(lat)), (glat - lat) * 110_574)
    assert 300 < offset_m < 700


def test_amap_map_opens_on_the_shifted_extent(demo):
    import shapely

    m = new_map([demo["districts"]], tiles="amap")
    coords = shapely.get_coordinates(demo["districts"].to_crs(4326).geometry.values)
    glon, glat = layers.wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    html = m.get_root().render()
    fit = re.search(r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\]", html)
    drawn = [float(g) for g in fit.groups()]
    assert drawn == pytest.approx([glat.min(), glon.min(), glat.max(), glon.max()], abs=1e-9)


def test_tianditu_needs_a_key(monkeypatch, demo):
    monkeypatch.delenv(TIANDITU_KEY_ENV, raising=False)
    with pytest.raises(GeoplanError, match=TIANDITU_KEY_ENV):
        new_map([demo["districts"]], tiles="tianditu")
    monkeypatch.setenv(TIANDITU_KEY_ENV, "envkey123")
    assert "tk=envkey123" in new_map([demo["districts"]], tiles="tianditu").get_root().render()
    html = new_map([demo["districts"]], tiles="tianditu", tianditu_key="argkey456").get_root().render()
    assert "tk=argkey456" in html and "envkey123" not in html


def test_unknown_tiles_and_missing_columns_are_user_errors(demo, demand, districts, indicators):
    with pytest.raises(GeoplanError, match="choose one of"):
        new_map([demo["districts"]], tiles="google")
    m = new_map([demo["districts"]], tiles="none")
    with pytest.raises(GeoplanError, match="covered"):
        add_demand_coverage(m, {"villages": demo["villages"]})
    with pytest.raises(GeoplanError, match="coverage_rate"):
        add_coverage_choropleth(m, demo["districts"])
    with pytest.raises(GeoplanError, match="status"):
        add_indicator_panel(m, indicators.drop(columns="status"))
    with pytest.raises(GeoplanError, match="empty"):
        new_map([demo["districts"].iloc[:0]], tiles="none")


def test_layers_map_keeps_every_kind(demo):
    html = layers_map(demo, title="示范县", tiles="none").get_root().render()
    names = overlay_names(html)
    for kind, gdf in demo.items():
        label = layers.get_kind(kind).label_zh
        assert any(n.startswith(label) for n in names), f"{kind} missing from {names}"
