"""Vehicle routes: one colour per route, a layer per vehicle type, numbered stops."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from layers.errors import GeoplanError
from maps.base import map_tiles, to_map_crs
from maps.html import esc, fmt_number, fmt_value, is_missing, table_html
from maps.legend import add_legend
from maps.symbols import line_svg, stop_icon

#: Qualitative palette for routes (ColorBrewer Dark2 + Set1, readable on light tiles).
ROUTE_PALETTE: tuple[str, ...] = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
    "#377eb8", "#e41a1c", "#984ea3", "#ff7f00", "#4daf4a", "#a65628", "#f781bf",
)

#: Vehicle types a planner reads, by type id or by the part of it before the first ``:``
#: (``compression_truck:其他垃圾:TS01`` → ``compression_truck``). A ``vehicle_type_label``
#: column of the routes wins over this table; an id found in neither is shown as given.
VEHICLE_TYPE_LABELS: dict[str, str] = {
    "compression_truck": "压缩式垃圾车 / compression truck",
    "kitchen_waste_truck": "餐厨垃圾车 / kitchen-waste truck",
    "small_collection_vehicle": "小型收集车 / small collection vehicle",
    "film_van": "农膜收集车 / farm-film van",
    "film_truck": "农膜收集车 / film truck",
    "muck_truck": "渣土车 / muck truck",
}

STOP_KIND_LABELS = {"depot": "车场 / depot", "job": "收集点 / stop", "unload": "卸料 / unload"}


def route_colours(route_ids) -> dict[str, str]:
    """A colour per route id, in the order the routes are given (repeats after 14 routes)."""
    return {str(r): ROUTE_PALETTE[i % len(ROUTE_PALETTE)] for i, r in enumerate(dict.fromkeys(map(str, route_ids)))}


def _text(row, field: str) -> str | None:
    if field in row and not is_missing(row[field]) and str(row[field]) != "":
        return str(row[field])
    return None


def vehicle_type_label(row) -> str:
    """The planner's name of a route's vehicle type: its ``vehicle_type_label``, the
    :data:`VEHICLE_TYPE_LABELS` entry of its ``vehicle_type``, its ``vehicle`` or the id itself."""
    if label := _text(row, "vehicle_type_label"):
        return label
    vtype = _text(row, "vehicle_type")
    if vtype is not None:
        label = VEHICLE_TYPE_LABELS.get(vtype) or VEHICLE_TYPE_LABELS.get(vtype.split(":")[0])
        if label:
            return label
    return _text(row, "vehicle") or vtype or "车辆 / vehicles"


def _vehicle_label(row) -> str:
    """The route's own vehicle (``vehicle_label``, e.g. a truck number), else its vehicle type."""
    return _text(row, "vehicle_label") or vehicle_type_label(row)


def route_legend_label(row) -> str:
    """``"collection-001 · 其他垃圾收运车 / residual-waste truck → TS01"`` (the unload site when given)."""
    text = f"{fmt_value(row.get('route_id'))} · {_vehicle_label(row)}"
    site = _text(row, "unload_site")
    return f"{text} → {site}" if site else text


def route_popup_rows(row) -> list[tuple[str, str]]:
    """Popup rows of a route: vehicle type, vehicle, fraction, unload site, load, km, hours, CO₂ (plain text)."""
    rows = [("路线 / route", fmt_value(row.get("route_id"))),
            ("车型 / vehicle type", vehicle_type_label(row))]
    vehicle = _text(row, "vehicle_label") or _text(row, "vehicle")
    if vehicle and vehicle != rows[-1][1]:
        rows.append(("车辆 / vehicle", vehicle))
    for field, label in (("fraction", "类别 / fraction"), ("unload_site", "卸料点 / unload site")):
        if text := _text(row, field):
            rows.append((label, text))
    for field, label, unit, digits in (("load_t", "载运量 / load", "t", 2), ("km", "里程 / distance", "km", 1),
                                       ("hours", "时长 / duration", "h", 2), ("co2_kg", "碳排放 / CO₂", "kg", 1)):
        if field in row and not is_missing(row[field]):
            rows.append((label, f"{fmt_number(row[field], digits)} {unit}"))
    return rows


def add_routes(m: folium.Map, routes: gpd.GeoDataFrame, stops: gpd.GeoDataFrame | None = None,
               tiles: str | None = None, legend: bool = True) -> dict[str, folium.FeatureGroup]:
    """Routes as lines coloured per route, one toggleable layer per vehicle type.

    Parameters
    ----------
    routes : GeoDataFrame
        One LineString per route with ``route_id``, ``vehicle_type`` (and optionally its
        planner's name ``vehicle_type_label``), ``vehicle_label`` (or ``vehicle``), and
        optionally ``fraction``, ``unload_site``, ``load_t`` (t), ``km``, ``hours`` and ``co2_kg``.
    stops : GeoDataFrame, optional
        Points with ``route_id``, ``sequence``, ``kind`` (depot / job / unload), ``name``,
        ``arrival`` and ``load_after`` (t), drawn as small numbered markers on their route's layer.
    tiles : str, optional
        Tiles the map was made with (default: those given to :func:`maps.new_map`).
    legend : bool
        Add a legend of the routes (bottom right).

    Returns
    -------
    dict of str to folium.FeatureGroup
        The layer of each vehicle type, keyed by its label (:func:`vehicle_type_label`).
    """
    tiles = map_tiles(m, tiles)
    if "route_id" not in routes.columns:
        raise GeoplanError("routes have no 'route_id' column — one row per route is expected")
    frame = to_map_crs(routes, tiles)
    colours = route_colours(frame["route_id"])
    # One layer per vehicle type as the planner names it: the solver's per-station type ids
    # (compression_truck:其他垃圾:TS01, …:TS02) share a layer.
    types = pd.Series([vehicle_type_label(row) for _, row in frame.iterrows()], index=frame.index, dtype=object)
    stop_frame = None
    if stops is not None and len(stops):
        stop_frame = to_map_crs(stops, tiles)
        stop_frame = stop_frame.assign(route_id=stop_frame["route_id"].astype(str))
        if "sequence" in stop_frame:
            stop_frame = stop_frame.sort_values(["route_id", "sequence"], kind="stable")
    groups: dict[str, folium.FeatureGroup] = {}
    for label in dict.fromkeys(types):
        part = frame[types == label]
        group = folium.FeatureGroup(name=f"路线 / routes · {label} ({len(part)})")
        for _, row in part.iterrows():
            rid = str(row["route_id"])
            if row.geometry is None or row.geometry.is_empty:
                continue
            rows = route_popup_rows(row)
            folium.GeoJson(
                row.geometry.__geo_interface__,
                style_function=lambda f, c=colours[rid]: {"color": c, "weight": 4, "opacity": 0.85},
                highlight_function=lambda f: {"weight": 7, "opacity": 1.0},
                popup=folium.Popup(table_html(rows, title=f"路线 / route {rid}"), max_width=320),
                tooltip=folium.Tooltip(esc(route_legend_label(row))),
            ).add_to(group)
            if stop_frame is not None:
                _add_stops(group, stop_frame[stop_frame["route_id"] == rid], colours[rid])
        group.add_to(m)
        groups[label] = group
    if legend and len(frame):
        items = [(line_svg(colours[str(row["route_id"])], 4), route_legend_label(row))
                 for _, row in frame.iterrows()][:12]
        if len(frame) > 12:
            items.append(("", f"… 共 {len(frame)} 条 / {len(frame)} routes"))
        add_legend(m, "路线 / routes", items)
    return groups


def _add_stops(group: folium.FeatureGroup, stops: gpd.GeoDataFrame, colour: str) -> None:
    for n, (_, stop) in enumerate(stops.iterrows(), start=1):
        geom = stop.geometry
        if geom is None or geom.is_empty:
            continue
        kind = str(stop.get("kind", "job"))
        seq = stop.get("sequence", n)
        rows = [("序号 / sequence", fmt_value(seq)),
                ("类型 / kind", STOP_KIND_LABELS.get(kind, kind)),
                ("名称 / name", fmt_value(stop.get("name")))]
        if "arrival" in stop:
            rows.append(("到达 / arrival", fmt_value(stop["arrival"])))
        load = next((stop[f] for f in ("load_after", "load_after_t") if f in stop and not is_missing(stop[f])), None)
        if load is not None:
            rows.append(("车上载量 / load after", f"{fmt_number(load, 2)} t"))
        folium.Marker(
            [geom.y, geom.x],
            icon=stop_icon(kind, colour, fmt_value(seq)),
            popup=folium.Popup(table_html(rows), max_width=280),
        ).add_to(group)
