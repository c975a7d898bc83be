"""Facility layers: one toggleable layer per kind, a symbol per status, a popup per site."""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd

import layers
from layers.errors import GeoplanError
from maps.base import map_tiles, to_map_crs
from maps.html import esc, fmt_share, fmt_value, is_missing, table_html
from maps.legend import add_legend
from maps.styles import colour
from maps.symbols import facility_icon, facility_svg

#: Columns holding a facility's load, in order of preference (same unit as its capacity).
LOAD_FIELDS = ("load_t_per_d", "load", "current_load_t_per_d")

#: Drawing order of symbols (Leaflet zIndexOffset): the many small drop-off points and
#: candidate sites go under the stations a planner looks for; overloaded sites on top.
Z_OFFSETS: dict[str, int] = {"candidate_sites": -2000, "dropoff_points": -1000, "transfer_stations": 1000,
                             "treatment_plants": 1000, "sorting_centers": 500, "film_recycling_stations": 500}
OVERLOAD_Z_OFFSET = 500

#: Kinds whose layers start hidden (toggle them on in the layer control).
HIDDEN_KINDS = frozenset({"candidate_sites"})


def _label(kind: str) -> str:
    spec = layers.get_kind(kind)
    return f"{spec.label_zh} / {spec.label_en}"


def _capacity_unit(kind: str) -> tuple[str | None, str | None]:
    spec = layers.get_kind(kind)
    field = spec.capacity_field
    if field is None:
        return None, None
    try:
        return field, spec.field(field).unit
    except KeyError:
        return field, None


def _station_class(kind: str, row) -> str | None:
    value = row.get("station_class")
    if not is_missing(value) and value != "":
        return str(value)
    cap = row.get("capacity_t_per_d")
    if kind == "transfer_stations" and not is_missing(cap):
        return layers.station_class(float(cap))
    return None


def facility_popup_rows(kind: str, row) -> list[tuple[str, str]]:
    """Popup rows of one facility: name, id, kind, status, capacity, load, class (plain text)."""
    status = row.get("status")
    status = "existing" if is_missing(status) or status == "" else str(status)
    cap_field, unit = _capacity_unit(kind)
    rows = [
        ("名称 / name", fmt_value(row.get("name"))),
        ("编号 / id", fmt_value(row.get("id"))),
        ("类型 / kind", _label(kind)),
        ("状态 / status", layers.STATUS_LABELS.get(status, status)),
    ]
    if cap_field and cap_field in row:
        rows.append(("设计规模 / capacity", fmt_value(row[cap_field], unit)))
    load_field = next((f for f in LOAD_FIELDS if f in row and not is_missing(row[f])), None)
    if load_field:
        rows.append(("负荷 / load", fmt_value(row[load_field], unit)))
    ratio = row.get("load_ratio")
    if is_missing(ratio) and load_field and cap_field and not is_missing(row.get(cap_field)) and float(row[cap_field]) > 0:
        ratio = float(row[load_field]) / float(row[cap_field])
    if not is_missing(ratio):
        rows.append(("负荷率 / load ratio", fmt_share(ratio)))
    if _is_overloaded(row, ratio):
        rows.append(("超负荷 / overloaded", "是 / yes"))
    klass = _station_class(kind, row)
    if klass:
        rows.append(("规模类别 / class", klass))
    for field in ("level", "plant_type", "opening_hours", "vehicle_count", "facility_kind"):
        if field in row and not is_missing(row[field]) and row[field] != "":
            try:
                fs = layers.get_kind(kind).field(field)
                rows.append((f"{fs.label_zh} / {fs.label_en}", fmt_value(row[field], fs.unit)))
            except KeyError:
                rows.append((field, fmt_value(row[field])))
    return rows


def _is_overloaded(row, ratio) -> bool:
    flag = row.get("overloaded")
    if not is_missing(flag):
        return bool(flag)
    return not is_missing(ratio) and float(ratio) > 1.0


def facility_layer(kind: str, gdf: gpd.GeoDataFrame, tiles: str = "osm", show: bool | None = None,
                   name: str | None = None) -> folium.FeatureGroup:
    """One facility kind as a toggleable layer of symbols with popups, not yet on any map.

    Parameters
    ----------
    kind : str
        Facility layer kind (``transfer_stations`` …) or ``candidate_sites``.
    gdf : GeoDataFrame
        Points with ``id``, ``name``, ``status`` and the kind's capacity field; optional
        ``load_t_per_d`` / ``load``, ``load_ratio``, ``overloaded`` and ``station_class``.
    tiles : str
        Tiles of the map it will be drawn on (overlays are shifted to GCJ-02 for AMap).
    show : bool, optional
        Whether the layer starts visible (default: all but candidate sites).
    name : str, optional
        Name in the layer control (default: the kind's label and the count).
    """
    for needed in ("id", "name"):
        if needed not in gdf.columns:
            raise GeoplanError(f"facility layer {kind} has no {needed!r} column — add it to draw the layer")
    frame = to_map_crs(gdf, tiles)
    base = colour(kind)
    group = folium.FeatureGroup(name=name or f"{_label(kind)} ({len(gdf)})",
                                show=kind not in HIDDEN_KINDS if show is None else show)
    for _, row in frame.iterrows():
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        pt = geom if geom.geom_type == "Point" else geom.representative_point()
        status = row.get("status")
        status = "candidate" if kind == "candidate_sites" else (
            "existing" if is_missing(status) or status == "" else str(status))
        rows = facility_popup_rows(kind, row)
        ratio = row.get("load_ratio")
        overloaded = _is_overloaded(row, ratio)
        folium.Marker(
            location=[pt.y, pt.x],
            icon=facility_icon(kind, base, status, overloaded),
            z_index_offset=Z_OFFSETS.get(kind, 0) + (OVERLOAD_Z_OFFSET if overloaded else 0),
            popup=folium.Popup(table_html(rows, title=str(row["name"])), max_width=340),
            tooltip=folium.Tooltip(esc(row["name"])),
        ).add_to(group)
    return group


def add_facility_layer(m: folium.Map, kind: str, gdf: gpd.GeoDataFrame, tiles: str | None = None,
                       show: bool | None = None) -> folium.FeatureGroup:
    """:func:`facility_layer` added to ``m`` (tiles default to those of :func:`maps.new_map`)."""
    group = facility_layer(kind, gdf, map_tiles(m, tiles), show)
    group.add_to(m)
    return group


def facility_layers(facilities: Mapping[str, gpd.GeoDataFrame], tiles: str = "osm") -> dict[str, folium.FeatureGroup]:
    """:func:`facility_layer` of every non-empty kind, not yet on any map."""
    return {kind: facility_layer(kind, gdf, tiles) for kind, gdf in facilities.items() if len(gdf)}


def add_facilities(m: folium.Map, facilities: Mapping[str, gpd.GeoDataFrame], tiles: str | None = None,
                   legend: bool = True) -> dict[str, folium.FeatureGroup]:
    """Each facility kind on its own toggleable layer, plus a legend of kinds and statuses.

    Parameters
    ----------
    facilities : dict of str to GeoDataFrame
        Facility layers keyed by kind, any CRS (see :func:`add_facility_layer`).
    tiles : str, optional
        Tiles the map was made with (default: those given to :func:`maps.new_map`).
    legend : bool
        Add the symbol legend (bottom right).

    Returns
    -------
    dict of str to folium.FeatureGroup
        The layer of each kind drawn (empty layers are skipped).
    """
    groups = facility_layers(facilities, map_tiles(m, tiles))
    for group in groups.values():
        group.add_to(m)
    if legend and groups:
        add_legend(m, "设施 / facilities", facility_legend_items(groups))
    return groups


def facility_legend_items(kinds) -> list[tuple[str, str]]:
    """Legend rows: one symbol per kind, then the three statuses and the overload ring."""
    items = [(facility_svg(k, colour(k), "candidate" if k == "candidate_sites" else "existing", 18),
              layers.get_kind(k).label_zh) for k in kinds]
    grey = "#616161"
    items += [
        (facility_svg("", grey, "existing", 18, glyph=""), layers.STATUS_LABELS["existing"]),
        (facility_svg("", grey, "planned", 18, glyph=""), layers.STATUS_LABELS["planned"]),
        (facility_svg("", grey, "candidate", 18, glyph=""), layers.STATUS_LABELS["candidate"]),
        (facility_svg("", grey, "existing", 18, overloaded=True, glyph=""), "超负荷 / overloaded"),
    ]
    return items
