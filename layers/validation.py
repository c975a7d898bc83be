"""Row-level validation of a layer against its kind's schema.

:func:`validate_layer` finds every problem (up to a cap) and says where it is — file,
layer, row id, field — and how to fix it. It also returns the layer with typed columns:
numbers as numbers, ``status`` filled in, a transfer station's class derived from its
capacity, repairable geometries repaired.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from layers.crs import metric_crs_for
from layers.errors import Issue
from layers.gcj02 import in_china
from layers.schemas import FieldSpec, LayerKind, get_kind, station_class

OUTLIER_SPREAD_FACTOR = 5.0
"""A feature is far outside the area when its distance from the layer's median centre
exceeds this many times the median distance (and :data:`OUTLIER_MIN_DISTANCE_M`)."""

OUTLIER_MIN_DISTANCE_M = 50_000.0
"""Never call a feature an outlier when it is closer than this (metres) to the centre."""

OUTLIER_MIN_FEATURES = 5
"""Layers with fewer valid features are not checked for outliers (no robust centre)."""

SHAPEFILE_NAME_LIMIT = 10  # dBASE field names are cut to 10 characters

_LIST_SEPARATORS = re.compile(r"[,，、;；]")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~～至到]\s*(\d{1,2}):(\d{2})\s*$")
_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?\s*$")
_TRUE = {"true", "t", "yes", "y", "1", "是", "对"}
_FALSE = {"false", "f", "no", "n", "0", "否", "不是"}

_BASE_TYPE = {"MultiPoint": "Point", "MultiLineString": "LineString", "MultiPolygon": "Polygon"}
_DIMENSION = {"Point": 0, "LineString": 1, "Polygon": 2}


class _Collector:
    """Issues of one layer, capped at ``cap``; counts what it leaves out."""

    def __init__(self, file: str, layer: str, cap: int):
        self.file, self.layer, self.cap = file, layer, max(1, int(cap))
        self.items: list[Issue] = []
        self.dropped_errors = 0
        self.dropped_warnings = 0

    def add(self, row_id: str | None, field: str | None, problem: str, fix: str,
            severity: str = "error") -> None:
        if len(self.items) < self.cap:
            self.items.append(Issue(self.file, self.layer, row_id, field, problem, fix, severity))
        elif severity == "error":
            self.dropped_errors += 1
        else:
            self.dropped_warnings += 1

    def result(self) -> list[Issue]:
        dropped = self.dropped_errors + self.dropped_warnings
        if not dropped:
            return list(self.items)
        more = Issue(
            self.file, self.layer, None, None,
            f"还有 {dropped} 个问题未列出 / {dropped} more problems not listed",
            "fix the problems above and read the layer again",
            "error" if self.dropped_errors else "warning",
        )
        return [*self.items, more]


def match_columns(columns: list[str], kind: LayerKind) -> dict[str, str]:
    """Renames that map a file's column names onto the kind's field names.

    Accepts the exact name, any letter case, the Shapefile-truncated name (first 10
    characters) and the Chinese label (e.g. ``人口`` for ``population``).
    """
    present = set(columns)
    lower = {c.lower(): c for c in columns if isinstance(c, str)}
    renames: dict[str, str] = {}
    for spec in kind.fields:
        if spec.name in present:
            continue
        for candidate in (spec.name.lower(), spec.name[:SHAPEFILE_NAME_LIMIT].lower(), spec.label_zh.lower()):
            source = lower.get(candidate)
            if source is not None and source not in renames and source != "geometry":
                renames[source] = spec.name
                break
    return renames


def _is_null(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _as_text(value: object) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _to_number(value: object) -> float | None:
    """Float value, or None when it is not a number (text, inf)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        number = float(str(value).strip().replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _to_bool(value: object) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = _as_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _to_date(value: object) -> pd.Timestamp | None:
    if isinstance(value, (pd.Timestamp, datetime, date, np.datetime64)):
        return pd.Timestamp(value).normalize()
    m = _DATE.match(str(value))
    if not m:
        return None
    try:
        return pd.Timestamp(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _to_hours(value: object) -> str | None:
    m = _HOURS.match(str(value))
    if not m:
        return None
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    for h, mi in ((h1, m1), (h2, m2)):
        if h > 24 or mi > 59 or (h == 24 and mi != 0):
            return None
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


def _choice(spec: FieldSpec, text: str) -> str | None:
    """The canonical choice for ``text``, or None if it is not allowed."""
    if spec.choices is None:
        return text
    if text in spec.choices:
        return text
    folded = text.lower()
    for choice in spec.choices:
        if choice.lower() == folded:
            return choice
    for alias, choice in spec.aliases.items():
        if alias.lower() == folded:
            return choice
    return None


def _coerce_field(values: pd.Series, spec: FieldSpec, labels: list[str], out: _Collector) -> pd.Series:
    """Typed column for ``spec``; reports wrong types, missing required values and range."""
    typed: list[object] = []
    for label, value in zip(labels, values):
        if _is_null(value):
            if spec.required:
                out.add(label, spec.name, f"缺少必填值 / missing value of {spec.label_zh} ({spec.label_en})",
                        f"fill in {spec.name}" + (f" in {spec.unit}" if spec.unit else ""))
            typed.append(spec.default)
            continue
        parsed: object
        if spec.dtype in ("int", "float"):
            number = _to_number(value)
            if number is None:
                out.add(label, spec.name,
                        f"{spec.label_zh}不是有效数字 / {spec.label_en} is not a finite number: {value!r}",
                        f"enter a number in {spec.unit}" if spec.unit else "enter a number")
                typed.append(None)
                continue
            if spec.dtype == "int" and not float(number).is_integer():
                out.add(label, spec.name, f"{spec.label_zh}应为整数 / {spec.label_en} must be a whole number: {value!r}",
                        "enter a whole number")
                typed.append(None)
                continue
            if spec.minimum is not None and (
                number <= spec.minimum if spec.exclusive_minimum else number < spec.minimum
            ):
                if spec.exclusive_minimum:
                    problem = f"{spec.label_zh}必须大于 {spec.minimum:g} / {spec.label_en} must be > {spec.minimum:g}: {number:g}"
                else:
                    problem = f"{spec.label_zh}为负数 / {spec.label_en} is negative: {number:g}"
                out.add(label, spec.name, problem,
                        f"enter a value {'>' if spec.exclusive_minimum else '≥'} {spec.minimum:g}"
                        + (f" {spec.unit}" if spec.unit else ""))
                typed.append(None)
                continue
            if spec.plausible_max is not None and number > spec.plausible_max:
                unit = f" {spec.unit}" if spec.unit else ""
                out.add(label, spec.name,
                        f"{spec.label_zh} {number:g}{unit} 超出合理范围 / {spec.label_en} {number:g}{unit} is more than "
                        f"one row plausibly holds (≤ {spec.plausible_max:,.0f}{unit}); the value is used as given",
                        "check the value and its unit (a slip of 万, of kg for t, or of a zero?)", "warning")
            parsed = int(number) if spec.dtype == "int" else number
        elif spec.dtype == "bool":
            parsed = _to_bool(value)
            if parsed is None:
                out.add(label, spec.name, f"{spec.label_zh}应为是/否 / {spec.label_en} must be true/false: {value!r}",
                        "use true/false, 1/0 or 是/否")
                typed.append(None)
                continue
        elif spec.dtype == "date":
            parsed = _to_date(value)
            if parsed is None:
                out.add(label, spec.name, f"{spec.label_zh}不是有效日期 / {spec.label_en} is not a date: {value!r}",
                        "write the date as YYYY-MM-DD")
                typed.append(None)
                continue
        elif spec.dtype == "hours":
            parsed = _to_hours(value)
            if parsed is None:
                out.add(label, spec.name, f"{spec.label_zh}格式错误 / {spec.label_en} is not a time window: {value!r}",
                        'write it as "HH:MM-HH:MM", e.g. "22:00-06:00"')
                typed.append(None)
                continue
        elif spec.dtype == "list":
            items = [s.strip() for s in _LIST_SEPARATORS.split(_as_text(value)) if s.strip()]
            canonical = [_choice(spec, s) for s in items]
            unknown = [s for s, c in zip(items, canonical) if c is None]
            if unknown:
                out.add(label, spec.name,
                        f"{spec.label_zh}含未知值 / unknown {spec.label_en}: {', '.join(unknown)}",
                        f"use a comma-separated list of: {', '.join(spec.choices or ())}")
                typed.append(None)
                continue
            if not canonical and spec.required:
                out.add(label, spec.name, f"缺少必填值 / missing value of {spec.label_zh} ({spec.label_en})",
                        f"fill in {spec.name}")
            parsed = ",".join(dict.fromkeys(c for c in canonical if c)) or None
        else:
            text = _as_text(value)
            parsed = _choice(spec, text)
            if parsed is None:
                out.add(label, spec.name, f"{spec.label_zh}取值无效 / unknown {spec.label_en}: {text!r}",
                        f"use one of: {', '.join(spec.choices or ())}")
                typed.append(None)
                continue
        typed.append(parsed)
    return _typed_series(typed, spec, values.index)


def _typed_series(values: list[object], spec: FieldSpec, index: pd.Index) -> pd.Series:
    if spec.dtype == "int":
        return pd.Series(pd.array(values, dtype="Int64"), index=index)
    if spec.dtype == "float":
        return pd.Series([np.nan if v is None else float(v) for v in values], index=index, dtype="float64")
    if spec.dtype == "bool":
        return pd.Series(pd.array(values, dtype="boolean"), index=index)
    if spec.dtype == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce").to_numpy(), index=index)
    return pd.Series(values, index=index, dtype="object")


def _check_ids(frame: pd.DataFrame, out: _Collector) -> list[str]:
    """Text ids as row labels; a row with no id is labelled ``row N`` (1-based)."""
    labels: list[str] = []
    if "id" not in frame.columns:
        out.add(None, "id", "缺少编号字段 / the layer has no id field",
                "add a text field 'id' with a unique value per feature")
        frame["id"] = pd.Series([None] * len(frame), index=frame.index, dtype="object")
        return [f"row {i + 1}" for i in range(len(frame))]
    ids: list[object] = []
    first_row: dict[str, int] = {}
    for i, value in enumerate(frame["id"]):
        if _is_null(value):
            label = f"row {i + 1}"
            out.add(label, "id", "缺少编号 / missing id", "give every feature a unique id")
            ids.append(None)
            labels.append(label)
            continue
        text = _as_text(value)
        ids.append(text)
        labels.append(text)
        if text in first_row:
            out.add(text, "id", f"编号重复 / duplicate id (also in row {first_row[text] + 1}, this is row {i + 1})",
                    "make every id unique")
        else:
            first_row[text] = i
    frame["id"] = pd.Series(ids, index=frame.index, dtype="object")
    return labels


def _station_classes(frame: pd.DataFrame, labels: list[str], out: _Collector) -> None:
    derived: list[object] = []
    for label, cap, given in zip(labels, frame["capacity_t_per_d"], frame["station_class"]):
        if pd.isna(cap):
            derived.append(given)
            continue
        cls = station_class(cap)
        if given is not None and not pd.isna(given) and given != cls:
            out.add(label, "station_class",
                    f"规模类别与设计规模不符 / station class {given} disagrees with capacity {cap:g} t/d "
                    f"(class {cls} per CJJ/T 47-2016); class {cls} is used",
                    "correct or remove station_class", "warning")
        derived.append(cls)
    frame["station_class"] = pd.Series(derived, index=frame.index, dtype="object")


def _check_dates(frame: pd.DataFrame, labels: list[str], out: _Collector) -> None:
    for label, start, end in zip(labels, frame["start_date"], frame["end_date"]):
        if pd.notna(start) and pd.notna(end) and end < start:
            out.add(label, "end_date",
                    f"完工日期早于开工日期 / end date {end:%Y-%m-%d} is before start date {start:%Y-%m-%d}",
                    "correct start_date or end_date")


def _check_geometries(gdf: gpd.GeoDataFrame, kind: LayerKind, labels: list[str], field: str,
                      out: _Collector) -> np.ndarray:
    """Repair what is safe to repair; return a mask of rows whose geometry is usable."""
    geoms = np.array(gdf.geometry.values, dtype=object)
    usable = np.zeros(len(geoms), dtype=bool)
    accepted = set(kind.geometry_types)
    wanted_dim = _DIMENSION[_BASE_TYPE.get(kind.geometry_types[0], kind.geometry_types[0])]
    expected = "/".join(kind.geometry_types)
    unreadable = gdf.attrs.get("unreadable_coordinates", {})
    for i, (label, geom) in enumerate(zip(labels, geoms)):
        if geom is None or geom.is_empty or not np.all(np.isfinite(shapely.get_coordinates(geom))):
            if i in unreadable:
                out.add(label, field, f"经纬度无法识别 / the coordinates {unreadable[i]!r} are not degrees",
                        "write decimal degrees (119.2417) or degrees-minutes-seconds (119°14′30″)")
            else:
                out.add(label, field, "缺少几何或坐标 / missing or empty geometry",
                        "give the feature a location (in a CSV: fill in lon and lat)")
            continue
        if geom.geom_type not in accepted and _BASE_TYPE.get(geom.geom_type) in accepted \
                and shapely.get_num_geometries(geom) == 1:
            geom = shapely.get_geometry(geom, 0)  # a one-part multi-geometry is the single one
        if geom.geom_type not in accepted:
            out.add(label, field,
                    f"几何类型错误 / wrong geometry type {geom.geom_type}; {kind.label_en} needs {expected}",
                    f"store {kind.name} as {expected} features")
            continue
        if not shapely.is_valid(geom):
            reason = shapely.is_valid_reason(geom)
            repaired = shapely.make_valid(geom)
            parts = [p for p in shapely.get_parts(repaired) if shapely.get_dimensions(p) == wanted_dim]
            repaired = shapely.union_all(parts) if parts else None
            if repaired is None or repaired.is_empty or repaired.geom_type not in accepted:
                out.add(label, field, f"几何无效且无法自动修复 / invalid geometry ({reason})",
                        "redraw the feature's outline")
                continue
            out.add(label, field, f"几何无效，已自动修复 / invalid geometry ({reason}) repaired with make_valid",
                    "check the repaired outline", "warning")
            geom = repaired
        geoms[i] = geom
        usable[i] = True
    gdf.geometry = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return usable


def _check_lonlat(gdf: gpd.GeoDataFrame, usable: np.ndarray, labels: list[str], field: str,
                  out: _Collector) -> None:
    """Swapped or out-of-range coordinates in a geographic layer; clears ``usable`` for them."""
    bounds = shapely.bounds(np.asarray(gdf.geometry.values))
    cx = (bounds[:, 0] + bounds[:, 2]) / 2.0
    cy = (bounds[:, 1] + bounds[:, 3]) / 2.0
    here = in_china(cx, cy)
    swapped = ~here & in_china(cy, cx)
    out_of_range = (np.abs(cx) > 180.0) | (np.abs(cy) > 90.0)
    for i in np.flatnonzero(usable & (swapped | out_of_range)):
        if swapped[i]:
            out.add(labels[i], field,
                    f"经纬度颠倒 / longitude and latitude look swapped (lon={cx[i]:.6g}, lat={cy[i]:.6g})",
                    "swap the longitude and latitude values")
        else:
            out.add(labels[i], field,
                    f"坐标超出经纬度范围 / coordinates ({cx[i]:.6g}, {cy[i]:.6g}) are not degrees",
                    "the data look projected: declare the layer's real CRS with crs=")
        usable[i] = False


def _metric_centroids(gdf: gpd.GeoDataFrame, usable: np.ndarray) -> np.ndarray | None:
    """(n, 2) centroids in metres of the usable rows, or None when no metric frame fits."""
    geoms = gdf.geometry[usable]
    crs = pyproj.CRS.from_user_input(gdf.crs)
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter"):
        metric = geoms
    else:
        lonlat = geoms.to_crs(4326) if not crs.is_geographic else geoms
        median_lon = float(np.median(shapely.get_coordinates(shapely.centroid(lonlat.values))[:, 0]))
        try:
            metric = lonlat.to_crs(metric_crs_for(median_lon))
        except Exception:  # the whole layer lies outside China; reported by the caller
            return None
    return shapely.get_coordinates(metric.centroid.values)


def _check_outliers(gdf: gpd.GeoDataFrame, usable: np.ndarray, labels: list[str], field: str,
                    out: _Collector) -> None:
    if usable.sum() < OUTLIER_MIN_FEATURES:
        return
    xy = _metric_centroids(gdf, usable)
    if xy is None:
        out.add(None, field, "图层不在中国范围内 / the layer lies outside China",
                "check the coordinates and the declared CRS")
        return
    centre = np.median(xy, axis=0)
    dist = np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1])
    limit = max(OUTLIER_SPREAD_FACTOR * float(np.median(dist)), OUTLIER_MIN_DISTANCE_M)
    rows = np.flatnonzero(usable)
    for j in np.flatnonzero(dist > limit):
        out.add(labels[rows[j]], field,
                f"位置远离其他要素 / feature lies {dist[j] / 1000:.0f} km from the centre of the layer "
                f"(the others are within {limit / 1000:.0f} km)",
                "check its coordinates (typo, wrong CRS, or a feature of another area)")


def validate_layer(
    gdf: gpd.GeoDataFrame,
    kind: str | LayerKind,
    *,
    file: str,
    layer: str | None = None,
    max_issues: int = 50,
) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Check a layer against its kind's schema and return it with typed columns.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer as read (with a CRS). Columns may use truncated Shapefile names,
        other letter case or the Chinese labels; they are renamed to the field names.
    kind : str or LayerKind
        Layer kind, e.g. ``"transfer_stations"``.
    file : str
        The file name, named in every issue.
    layer : str, optional
        The layer name inside the file (default: the kind name).
    max_issues : int
        Stop listing after this many issues (one more issue says how many were left out).

    Returns
    -------
    (GeoDataFrame, list of Issue)
        The layer with schema columns first (``id``, ``name``, fields …), other columns
        kept after them, and geometry last; and every issue found, errors and warnings.
        The issues are also stored on ``gdf.attrs["issues"]``.
    """
    spec_kind = get_kind(kind)
    layer = layer or spec_kind.name
    out = _Collector(file, layer, max_issues)
    frame = gdf.copy().reset_index(drop=True)
    frame = frame.rename(columns=match_columns([c for c in frame.columns if c != frame.geometry.name], spec_kind))
    coord_fields = gdf.attrs.get("coordinate_fields")
    geom_field = "/".join(coord_fields) if coord_fields else "geometry"

    labels = _check_ids(frame, out)
    for spec in spec_kind.fields:
        if spec.name == "id":
            continue
        if spec.name not in frame.columns:
            if spec.required:
                out.add(None, spec.name,
                        f"缺少必填字段 / missing required field {spec.name} ({spec.label_zh})",
                        f"add a field '{spec.name}'" + (f" in {spec.unit}" if spec.unit else ""))
            frame[spec.name] = _typed_series([spec.default] * len(frame), spec, frame.index)
            continue
        frame[spec.name] = _coerce_field(frame[spec.name], spec, labels, out)

    if spec_kind.name == "transfer_stations":
        _station_classes(frame, labels, out)
    if spec_kind.name == "construction_sites":
        _check_dates(frame, labels, out)

    usable = _check_geometries(frame, spec_kind, labels, geom_field, out)
    if frame.crs is not None:
        if pyproj.CRS.from_user_input(frame.crs).is_geographic:
            _check_lonlat(frame, usable, labels, geom_field, out)
        _check_outliers(frame, usable, labels, geom_field, out)

    schema = list(spec_kind.field_names)
    geometry = frame.geometry.name
    extras = [c for c in frame.columns if c not in schema and c != geometry]
    result = gpd.GeoDataFrame(frame[schema + extras + [geometry]], geometry=geometry, crs=frame.crs)
    issues = out.result()
    result.attrs = {**gdf.attrs, "kind": spec_kind.name, "issues": issues}
    return result, issues
