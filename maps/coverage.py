"""Coverage on the map: demand points covered or not, service areas, districts by coverage rate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd
import pandas as pd
from branca.colormap import StepColormap

import layers
from layers.errors import GeoplanError
from maps.base import map_tiles, to_map_crs
from maps.html import esc, fmt_number, fmt_share, fmt_value, is_missing, popup_frame
from maps.legend import add_colour_legend, add_legend
from maps.styles import colour
from maps.symbols import dot_svg

COVERED_COLOUR = "#2e7d32"
UNCOVERED_COLOUR = "#d32f2f"

#: Class bounds of the coverage choropleth (shares); the classes straddle the usual plan
#: targets (40% rural, 85% → 100% urban) so a district just short of its target stands out.
COVERAGE_BOUNDS: tuple[float, ...] = (0.0, 0.4, 0.6, 0.8, 0.9, 0.95, 1.0)
#: Red → green (ColorBrewer RdYlGn, 6 classes).
COVERAGE_COLOURS: tuple[str, ...] = ("#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850")
#: The fill of a district without demand of the indicator (no rate to show).
NO_RATE_COLOUR = "#bdbdbd"

#: Leaflet zIndexOffset of the district name/rate labels (above every facility symbol).
LABEL_Z_OFFSET = 5000

#: Weight columns shown in demand popups when present.
WEIGHT_FIELDS = ("population", "households", "mulched_area_mu", "film_sales_kg_per_yr",
                 "pesticide_packaging_kg_per_yr", "muck_volume_m3", "weight")


def _field_label(kind: str, field: str) -> tuple[str, str | None]:
    try:
        fs = layers.get_kind(kind).field(field)
        return f"{fs.label_zh} / {fs.label_en}", fs.unit
    except KeyError:
        return ({"weight": "权重 / weight"}.get(field, field)), None


def demand_legend_items() -> list[tuple[str, str]]:
    """Legend rows of the demand points: covered and not covered."""
    return [(dot_svg(COVERED_COLOUR, 10), "已覆盖 / covered"), (dot_svg(UNCOVERED_COLOUR, 12), "未覆盖 / not covered")]


def demand_coverage_layers(demand: Mapping[str, gpd.GeoDataFrame], tiles: str = "osm",
                           popups: bool = True) -> list[folium.GeoJson]:
    """Demand points coloured covered (green) or not covered (red), two layers per demand kind,
    not yet on any map.

    Parameters
    ----------
    demand : dict of str to GeoDataFrame
        Points keyed by demand kind (``residential_communities`` …), with ``id``, ``name``,
        ``covered`` (bool) and optionally ``nearest_facility_id``, ``travel_m`` (metres of road)
        and weight columns (``population``, ``households`` …).
    tiles : str
        Tiles of the map they will be drawn on.
    popups : bool
        A popup table per point; without, only the name as a tooltip (a lighter layer, and
        a click on a point reaches the map).

    Returns
    -------
    list of folium.GeoJson
        Covered before not covered, so red points lie on top.
    """
    drawn = []
    for kind, gdf in demand.items():
        if "covered" not in gdf.columns:
            raise GeoplanError(f"demand layer {kind} has no 'covered' column — compute coverage before mapping it")
        if not len(gdf):
            continue
        frame = to_map_crs(gdf, tiles)
        covered = frame["covered"].fillna(False).astype(bool).to_numpy()
        label_zh = layers.get_kind(kind).label_zh if kind in layers.LAYER_KINDS else kind
        for is_covered, name, fill, radius in ((True, "已覆盖 / covered", COVERED_COLOUR, 3.5),
                                               (False, "未覆盖 / not covered", UNCOVERED_COLOUR, 5)):
            part = frame[covered == is_covered]
            if not len(part):
                continue
            columns = {"名称 / name": [fmt_value(v) for v in part.get("name", pd.Series([""] * len(part)))],
                       "编号 / id": [fmt_value(v) for v in part["id"]] if "id" in part else ["—"] * len(part),
                       "覆盖 / covered": ["是 / yes" if is_covered else "否 / no"] * len(part)}
            if "nearest_facility_id" in part:
                columns["最近设施 / nearest facility"] = [fmt_value(v) for v in part["nearest_facility_id"]]
            if "travel_m" in part:
                columns["路网距离 / road distance"] = [
                    "不可达 / unreachable" if is_missing(v) or v == float("inf") else f"{fmt_number(v, 0)} m"
                    for v in part["travel_m"]]
            for field in WEIGHT_FIELDS:
                if field in part:
                    alias, unit = _field_label(kind, field)
                    columns[alias] = [fmt_value(v, unit) for v in part[field]]
            if not popups:
                columns = {"名称 / name": columns["名称 / name"]}
            data, fields, aliases = popup_frame(part, columns)
            drawn.append(folium.GeoJson(
                data,
                name=f"{label_zh} · {name} ({len(part)})",
                marker=folium.CircleMarker(radius=radius, weight=1, color="#ffffff", fill=True,
                                           fill_color=fill, fill_opacity=0.9),
                popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False) if popups else None,
                tooltip=folium.GeoJsonTooltip(fields=[fields[0]], labels=False),
            ))
    return drawn


def add_demand_coverage(m: folium.Map, demand: Mapping[str, gpd.GeoDataFrame], tiles: str | None = None,
                        legend: bool = True) -> list[folium.GeoJson]:
    """:func:`demand_coverage_layers` added to ``m``, with their legend."""
    drawn = demand_coverage_layers(demand, map_tiles(m, tiles))
    for layer in drawn:
        layer.add_to(m)
    if legend and drawn:
        add_legend(m, "需求点 / demand", demand_legend_items())
    return drawn


def _cutoff_text(value, weight) -> str:
    if is_missing(value):
        return "—"
    if weight == "seconds":
        return f"{fmt_number(float(value) / 60.0, 1)} min"
    return f"{fmt_number(value, 0)} m"


def add_service_areas(m: folium.Map, areas: gpd.GeoDataFrame, tiles: str | None = None,
                      show: bool = True) -> list[folium.GeoJson]:
    """Service-area polygons, one toggleable layer per facility kind, in the kind's colour.

    Parameters
    ----------
    areas : GeoDataFrame
        Polygons with ``id`` (the facility), ``facility_kind``, ``cutoff`` (metres, or seconds
        where a ``weight`` column says ``"seconds"``) and ``area_m2``.
    """
    tiles = map_tiles(m, tiles)
    if not len(areas):
        return []
    frame = to_map_crs(areas, tiles)
    kinds = frame["facility_kind"].astype(str) if "facility_kind" in frame else pd.Series("", index=frame.index)
    drawn = []
    for kind in dict.fromkeys(kinds):
        part = frame[kinds == kind]
        label = layers.get_kind(kind).label_zh if kind in layers.LAYER_KINDS else kind
        weight = part["weight"] if "weight" in part else pd.Series("metres", index=part.index)
        cutoffs = sorted({_cutoff_text(c, w) for c, w in zip(part.get("cutoff", [None] * len(part)), weight)})
        columns = {
            "设施 / facility": [fmt_value(v) for v in part["id"]] if "id" in part else ["—"] * len(part),
            "类型 / kind": [label] * len(part),
            "服务范围 / cutoff": [_cutoff_text(c, w) for c, w in zip(part.get("cutoff", [None] * len(part)), weight)],
            "面积 / area": [f"{fmt_number(a / 1e6, 2)} km²" if not is_missing(a) else "—"
                           for a in (part["area_m2"] if "area_m2" in part else [None] * len(part))],
        }
        data, fields, aliases = popup_frame(part, columns)
        base = colour(kind)
        layer = folium.GeoJson(
            data,
            name=f"服务范围 / service areas · {label} ({', '.join(cutoffs)})",
            style_function=lambda f, c=base: {"color": c, "weight": 1, "opacity": 0.7, "fillColor": c, "fillOpacity": 0.12},
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False),
            show=show,
        )
        layer.add_to(m)
        drawn.append(layer)
    return drawn


def coverage_colormap(bounds: Sequence[float] = COVERAGE_BOUNDS,
                      colours: Sequence[str] = COVERAGE_COLOURS) -> StepColormap:
    """The step colour map of coverage rates (0–1), red (low) to green (full)."""
    if len(colours) != len(bounds) - 1:
        raise ValueError("need one colour per class: len(colours) == len(bounds) - 1")
    return StepColormap(list(colours), index=list(bounds), vmin=bounds[0], vmax=bounds[-1])


def coverage_choropleth(districts: gpd.GeoDataFrame, tiles: str = "osm", column: str = "coverage_rate",
                        label: str = "覆盖率 / coverage rate", labels_on_map: bool = True,
                        interactive: bool = True) -> folium.FeatureGroup:
    """Districts (街道/镇) filled by coverage rate, their rates written on them; not yet on any map.

    Parameters
    ----------
    districts : GeoDataFrame
        Polygons with ``name``, ``column`` (0–1) and optionally ``covered_weight``, ``total_weight``.
    column : str
        The rate to colour by.
    label : str
        Name of the rate in the layer control and legend (Chinese first), e.g.
        ``"城市居民小区生活垃圾分类覆盖率 / urban coverage"``.
    labels_on_map : bool
        Write each district's name and rate at its centre.
    interactive : bool
        Popups and tooltips on the districts; without, the polygons let clicks through to
        the map (the app places a station where the planner clicks).
    """
    if column not in districts.columns:
        raise GeoplanError(f"districts have no {column!r} column — compute coverage per district first")
    cmap = coverage_colormap()
    frame = to_map_crs(districts, tiles)
    rates = pd.to_numeric(frame[column], errors="coerce")
    names = frame["name"] if "name" in frame else frame.get("id", pd.Series(range(len(frame)), index=frame.index))
    columns = {"街道/镇 / district": [fmt_value(v) for v in names],
               f"{label}": [fmt_share(r) for r in rates]}
    for field, alias in (("covered_weight", "已覆盖 / covered"), ("total_weight", "总量 / total")):
        if field in frame:
            columns[alias] = [fmt_value(v) for v in frame[field]]
    data, fields, aliases = popup_frame(frame, columns)
    data["fill"] = [NO_RATE_COLOUR if is_missing(r) else cmap.rgb_hex_str(min(max(float(r), 0.0), 1.0)) for r in rates]
    group = folium.FeatureGroup(name=f"{label} · 街道/镇 / by district")
    style = lambda f: {"color": "#424242", "weight": 1.2, "fillColor": f["properties"]["fill"],  # noqa: E731
                       "fillOpacity": 0.45}
    if interactive:
        folium.GeoJson(
            data, style_function=style, highlight_function=lambda f: {"weight": 3, "fillOpacity": 0.75},
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False),
            tooltip=folium.GeoJsonTooltip(fields=fields[:2], aliases=aliases[:2], localize=False),
        ).add_to(group)
    else:
        folium.GeoJson(data, style_function=style, interactive=False).add_to(group)
    if labels_on_map:
        for geom, name, rate in zip(frame.geometry, names, rates):
            if geom is None or geom.is_empty:
                continue
            pt = geom.representative_point()
            text = f"{esc(fmt_value(name))}<br>{esc(fmt_share(rate))}"
            folium.Marker([pt.y, pt.x], icon=folium.DivIcon(
                html=f'<div style="transform:translate(-50%,-50%);text-align:center">{text}</div>',
                icon_size=(0, 0), class_name="gp-label"),
                # Above the facility symbols: the rate is what this layer is read for.
                z_index_offset=LABEL_Z_OFFSET).add_to(group)
    return group


def add_coverage_choropleth(m: folium.Map, districts: gpd.GeoDataFrame, tiles: str | None = None,
                            column: str = "coverage_rate", label: str = "覆盖率 / coverage rate",
                            labels_on_map: bool = True) -> folium.FeatureGroup:
    """:func:`coverage_choropleth` added to ``m``, with its colour legend."""
    group = coverage_choropleth(districts, map_tiles(m, tiles), column, label, labels_on_map)
    group.add_to(m)
    add_colour_legend(m, label, coverage_colormap())
    return group

