"""Read layers from GeoPackage, GeoJSON, Shapefile and CSV into validated GeoDataFrames."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from layers.crs import area_metric_crs, to_lonlat
from layers.encoding import detect_encoding, shapefile_encoding
from layers.errors import GeoplanError, Issue, LayerValidationError
from layers.formats import layer_format
from layers.schemas import LAYER_KINDS, get_kind
from layers.validation import validate_layer

LON_FIELD_NAMES = ("lon", "lng", "long", "longitude", "经度", "东经", "x坐标")
LAT_FIELD_NAMES = ("lat", "latitude", "纬度", "北纬", "y坐标")
"""Column names recognised as longitude / latitude in a CSV (any letter case)."""

def _find_column(columns: Iterable[str], wanted: str | None, names: tuple[str, ...], what: str,
                 file: str) -> str:
    columns = list(columns)
    if wanted is not None:
        if wanted not in columns:
            raise GeoplanError(f"{file}: 没有字段 {wanted!r} / no column {wanted!r} for {what}; "
                               f"columns are: {', '.join(map(str, columns))}")
        return wanted
    by_lower = {str(c).strip().lower(): c for c in columns}
    for name in names:
        if name in by_lower:
            return by_lower[name]
    raise GeoplanError(
        f"{file}: 找不到{('经度' if what == 'longitude' else '纬度')}字段 / no {what} column found among: "
        f"{', '.join(map(str, columns))}; name it {names[0]} or {names[-3]}, or pass "
        f"{'lon_field' if what == 'longitude' else 'lat_field'}="
    )


def _read_csv(path: Path, encoding: str | None, lon_field: str | None, lat_field: str | None) -> gpd.GeoDataFrame:
    raw = path.read_bytes()
    encoding = encoding or detect_encoding(raw)
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # Excel writes a byte-order mark
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise GeoplanError(f"{path}: 无法按 {encoding} 解码 / cannot decode as {encoding} ({exc}); "
                           f"pass encoding='gb18030' or 'utf-8'") from None
    # Every column as text: ids keep their leading zeros; validation types the rest.
    frame = pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    lon_col = _find_column(frame.columns, lon_field, LON_FIELD_NAMES, "longitude", str(path))
    lat_col = _find_column(frame.columns, lat_field, LAT_FIELD_NAMES, "latitude", str(path))
    lon = pd.to_numeric(frame[lon_col], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame[lat_col], errors="coerce").to_numpy(dtype=float)
    points = gpd.points_from_xy(lon, lat)
    points[~(np.isfinite(lon) & np.isfinite(lat))] = None
    gdf = gpd.GeoDataFrame(frame.drop(columns=[lon_col, lat_col]), geometry=points)
    gdf.attrs["coordinate_fields"] = (lon_col, lat_col)
    return gdf


def _read_raw(path: Path, kind: str, layer: str | None, encoding: str | None,
              lon_field: str | None, lat_field: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """The layer as stored, and the layer name used in messages."""
    if not path.exists():
        raise GeoplanError(f"{path}: 文件不存在 / file not found")
    fmt = layer_format(path)
    if fmt == "CSV":
        return _read_csv(path, encoding, lon_field, lat_field), layer or kind
    kwargs: dict[str, object] = {}
    if fmt == "GPKG":
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
        if layer is None:
            layer = kind if kind in names or len(names) != 1 else names[0]
        if layer not in names:
            raise GeoplanError(f"{path}: 没有图层 {layer!r} / no layer {layer!r}; the file holds: "
                               f"{', '.join(names) or '(none)'}; pass layer=")
        kwargs["layer"] = layer
    elif fmt == "ESRI Shapefile":
        encoding = encoding or shapefile_encoding(path)
    if encoding:
        kwargs["encoding"] = encoding
    try:
        gdf = pyogrio.read_dataframe(path, **kwargs)
    except pyogrio.errors.DataSourceError as exc:
        raise GeoplanError(f"{path}: 无法读取 / cannot read the file ({exc})") from None
    return gdf, layer or kind


def _read_checked(path: str | Path, kind: str, *, layer: str | None, crs: object, encoding: str | None,
                  lon_field: str | None, lat_field: str | None, max_issues: int) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Read, declare the CRS, validate; the layer stays in its own (lon/lat or projected) CRS."""
    path = Path(path)
    spec = get_kind(kind)
    raw, layer_name = _read_raw(path, spec.name, layer, encoding, lon_field, lat_field)
    notes: list[Issue] = []
    if raw.crs is None and crs is None and layer_format(path) == "CSV":
        crs = "EPSG:4326"
        notes.append(Issue(str(path), layer_name, None, "/".join(raw.attrs["coordinate_fields"]),
                           "CSV 坐标按 WGS84 读取 / CSV coordinates read as WGS84 (EPSG:4326)",
                           "pass crs='GCJ-02' if they come from AMap/Gaode or Tencent", "warning"))
    declared = to_lonlat(raw, crs, file=str(path))
    checked, issues = validate_layer(declared, spec, file=str(path), layer=layer_name, max_issues=max_issues)
    issues = notes + issues
    checked.attrs["issues"] = issues
    checked.attrs["source"] = str(path)
    return checked, issues


def _raise_errors(issues: list[Issue]) -> None:
    if any(i.severity == "error" for i in issues):
        raise LayerValidationError(issues)


def read_layer(
    path: str | Path,
    kind: str,
    *,
    layer: str | None = None,
    crs: object = None,
    encoding: str | None = None,
    lon_field: str | None = None,
    lat_field: str | None = None,
    to_crs: object = None,
    max_issues: int = 50,
) -> gpd.GeoDataFrame:
    """Read one layer file, validate it against its kind and project it to a metric CRS.

    Parameters
    ----------
    path : str or Path
        A GeoPackage (.gpkg), GeoJSON (.geojson/.json), Shapefile (.shp) or CSV (.csv)
        with longitude/latitude columns.
    kind : str
        Layer kind, e.g. ``"villages"`` (see :data:`layers.LAYER_KINDS`).
    layer : str, optional
        Layer name inside a GeoPackage; defaults to the kind name (or the only layer).
    crs : optional
        The CRS of the data, overriding the file's: an EPSG code, ``"EPSG:4490"``, any
        pyproj-known projected CRS, or ``"GCJ-02"`` (shifted to WGS84 by geoplan's formula).
        Required when the file declares none; a CSV without it is read as WGS84.
    encoding : str, optional
        Text encoding of a Shapefile's .dbf or a CSV. By default a .cpg is honoured, and
        without one the encoding is detected (UTF-8, then GB18030).
    lon_field, lat_field : str, optional
        CSV coordinate columns; by default lon/lng/longitude/经度 and lat/latitude/纬度.
    to_crs : optional
        Output CRS; default the CGCS2000 Gauss-Krüger zone of the layer's centre.
    max_issues : int
        Maximum number of issues listed.

    Returns
    -------
    GeoDataFrame
        Typed schema columns, metric CRS; warnings on ``attrs["issues"]``.

    Raises
    ------
    LayerValidationError
        If any row has an error; ``.issues`` lists them with file, layer, row id and field.
    GeoplanError
        If the file is missing, unreadable or has no CRS.
    """
    gdf, issues = _read_checked(path, kind, layer=layer, crs=crs, encoding=encoding, lon_field=lon_field,
                                lat_field=lat_field, max_issues=max_issues)
    _raise_errors(issues)
    target = to_crs if to_crs is not None else area_metric_crs([gdf])
    return _project(gdf, target)


def _project(gdf: gpd.GeoDataFrame, target: object) -> gpd.GeoDataFrame:
    attrs = dict(gdf.attrs)
    out = gdf.to_crs(target)
    out.attrs = attrs
    return out


def read_layers(
    gpkg_path: str | Path,
    kinds: Iterable[str] | None = None,
    to_crs: object = None,
    *,
    max_issues: int = 50,
) -> dict[str, gpd.GeoDataFrame]:
    """Read the layers of a scenario GeoPackage (``layers.gpkg``), one layer per kind.

    Parameters
    ----------
    gpkg_path : str or Path
        The GeoPackage; its layers are named after the layer kinds.
    kinds : iterable of str, optional
        Read only these kinds (those present); default every known kind present.
        Layers with names that are not layer kinds are ignored.
    to_crs : optional
        Common output CRS; default the Gauss-Krüger zone of all layers' combined centre.

    Returns
    -------
    dict of str to GeoDataFrame
        Present kinds in :data:`LAYER_KINDS` order, all in one metric CRS.

    Raises
    ------
    LayerValidationError
        Listing the errors of every layer that has any.
    """
    gpkg_path = Path(gpkg_path)
    if layer_format(gpkg_path) != "GPKG":
        raise GeoplanError(f"{gpkg_path}: read_layers reads a GeoPackage (.gpkg)")
    if not gpkg_path.exists():
        raise GeoplanError(f"{gpkg_path}: 文件不存在 / file not found")
    wanted = [get_kind(k).name for k in kinds] if kinds is not None else list(LAYER_KINDS)
    present = {str(n) for n in pyogrio.list_layers(gpkg_path)[:, 0]}
    layers: dict[str, gpd.GeoDataFrame] = {}
    all_issues: list[Issue] = []
    for kind in LAYER_KINDS:
        if kind in wanted and kind in present:
            gdf, issues = _read_checked(gpkg_path, kind, layer=kind, crs=None, encoding=None, lon_field=None,
                                        lat_field=None, max_issues=max_issues)
            layers[kind] = gdf
            all_issues += issues
    _raise_errors(all_issues)
    if not layers:
        return {}
    target = to_crs if to_crs is not None else area_metric_crs(layers.values())
    return {kind: _project(gdf, target) for kind, gdf in layers.items()}
