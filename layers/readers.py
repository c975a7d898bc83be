"""Read layers from GeoPackage, GeoJSON, Shapefile, CSV and Excel into validated GeoDataFrames.

A layer is read as stored, its columns renamed to the schema's fields (``fields``), empty
values estimated where a rule allows (``estimates``), its coordinates declared (including
GCJ-02 and BD-09) and then validated, with every problem named by file, layer or sheet,
row id and field.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from layers.columns import LAT_FIELD_NAMES, LON_FIELD_NAMES, degrees, find_coordinate_column
from layers.crs import area_metric_crs, to_lonlat
from layers.encoding import detect_encoding, shapefile_encoding
from layers.errors import GeoplanError, Issue, LayerValidationError
from layers.files import readable_file, reading
from layers.estimates import EstimateRules, estimate_missing
from layers.formats import TABLE_FORMATS, layer_format
from layers.schemas import LAYER_KINDS, get_kind
from layers.validation import validate_layer


def _coordinate_column(columns: Iterable[str], wanted: str | None, names: tuple[str, ...], what: str,
                       where: str) -> str:
    columns = list(columns)
    if wanted:
        if wanted not in columns:
            raise GeoplanError(f"{where}: 没有字段 {wanted!r} / no column {wanted!r} for {what}; "
                               f"columns are: {', '.join(map(str, columns))}")
        return wanted
    found = find_coordinate_column(columns, names)
    if found is None:
        key = "lon" if what == "longitude" else "lat"
        raise GeoplanError(
            f"{where}: 找不到{('经度' if what == 'longitude' else '纬度')}字段 / no {what} column found among: "
            f"{', '.join(map(str, columns))} — name it {names[0]} or {names[4]}, or write {key} = \"<column>\" "
            "in the layer's [layers.<kind>] section"
        )
    return found


def _decode(raw: bytes, encoding: str | None, path: Path) -> str:
    encoding = encoding or detect_encoding(raw)
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # Excel writes a byte-order mark
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise GeoplanError(f"{path}: 无法按 {encoding} 解码 / cannot decode as {encoding} ({exc}); "
                           f"write encoding = \"gb18030\" or \"utf-8\" in the layer's section") from None


def _read_sheet(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    """An Excel sheet as text columns (python-calamine), and the sheet's name."""
    from python_calamine import CalamineWorkbook

    with reading(path, "XLSX"):
        names = CalamineWorkbook.from_path(str(path)).sheet_names
    if sheet and sheet not in names:
        raise GeoplanError(f"{path}: 没有工作表 {sheet!r} / no sheet {sheet!r}; the workbook holds: "
                           f"{', '.join(names)} — set sheet = \"<name>\" in the layer's section")
    name = sheet or names[0]
    with reading(path, "XLSX"):
        frame = pd.read_excel(path, sheet_name=name, dtype=str, engine="calamine")
    return frame, name


def _read_table(path: Path, fmt: str, sheet: str | None, encoding: str | None, lon_field: str | None,
                lat_field: str | None, layer: str) -> tuple[gpd.GeoDataFrame, str]:
    """A CSV or Excel sheet with longitude/latitude columns as points (no CRS yet)."""
    if fmt == "XLSX":
        frame, layer = _read_sheet(path, sheet)
        where = f"{path}, sheet {layer}"
    else:
        # every column as text: ids keep their leading zeros; validation types the rest
        text = _decode(path.read_bytes(), encoding, path)
        with reading(path, "CSV"):
            frame = _csv_frame(text)
        where = str(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = _below_title_rows(frame.dropna(how="all"), lon_field, lat_field)
    lon_col = _coordinate_column(frame.columns, lon_field, LON_FIELD_NAMES, "longitude", where)
    lat_col = _coordinate_column(frame.columns, lat_field, LAT_FIELD_NAMES, "latitude", where)
    lon = frame[lon_col].map(degrees).to_numpy(dtype=float)
    lat = frame[lat_col].map(degrees).to_numpy(dtype=float)
    points = gpd.points_from_xy(lon, lat)
    no_point = ~(np.isfinite(lon) & np.isfinite(lat))
    points[no_point] = None
    gdf = gpd.GeoDataFrame(frame.drop(columns=[lon_col, lat_col]).reset_index(drop=True), geometry=points)
    gdf.attrs["coordinate_fields"] = (lon_col, lat_col)
    # coordinates written but not readable as degrees, by row position: the row's error quotes them
    texts = frame[[lon_col, lat_col]].fillna("").astype(str).to_numpy()
    gdf.attrs["unreadable_coordinates"] = {int(i): f"{texts[i, 0]}, {texts[i, 1]}" for i in np.flatnonzero(no_point)
                                           if (texts[i, 0] + texts[i, 1]).strip()}
    return gdf, layer


#: Separators of CSV files saved by European or tab-separated exports.
_OTHER_SEPARATORS = (";", "\t", "|")


def _csv_frame(text: str) -> pd.DataFrame:
    """The CSV as text columns; a file with one column whose name holds ``;``, a tab or ``|`` is read by that."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
    if len(frame.columns) == 1:
        head = str(frame.columns[0])
        for sep in _OTHER_SEPARATORS:
            if sep in head:
                return pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True, sep=sep)
    return frame


#: How far down a sheet the header row may sit under titles (a bureau's 某区小区名录 line).
_HEADER_SEARCH_ROWS = 10


def _names_coordinates(names, lon_field: str | None, lat_field: str | None) -> bool:
    """Whether a header row names a longitude and a latitude column."""
    names = [str(n).strip() for n in names]
    lon = lon_field in names if lon_field else find_coordinate_column(names, LON_FIELD_NAMES)
    lat = lat_field in names if lat_field else find_coordinate_column(names, LAT_FIELD_NAMES)
    return bool(lon and lat)


def _header_row(frame: pd.DataFrame, lon_field: str | None, lat_field: str | None) -> int | None:
    """Where the header naming the coordinates is: -1 for the frame's own columns, the row
    position when title lines stand above it, None when no row within reach names them."""
    if _names_coordinates(frame.columns, lon_field, lat_field):
        return -1
    for i in range(min(_HEADER_SEARCH_ROWS, len(frame))):
        if _names_coordinates(frame.iloc[i].fillna("").astype(str), lon_field, lat_field):
            return i
    return None


def _below_title_rows(frame: pd.DataFrame, lon_field: str | None, lat_field: str | None) -> pd.DataFrame:
    """The table under its header row, when title lines stand above it; else ``frame`` as it is."""
    at = _header_row(frame, lon_field, lat_field)
    if at is None or at < 0:
        return frame
    row = frame.iloc[at]
    below = frame.iloc[at + 1:].copy()
    below.columns = [str(v).strip() if pd.notna(v) else f"column {k + 1}" for k, v in enumerate(row)]
    return below.dropna(how="all")


def _read_raw(path: Path, kind: str, layer: str | None, sheet: str | None, encoding: str | None,
              lon_field: str | None, lat_field: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """The layer as stored, and the layer (or sheet) name used in messages."""
    fmt = layer_format(path)
    readable_file(path)
    if fmt in TABLE_FORMATS:
        return _read_table(path, fmt, sheet, encoding, lon_field, lat_field, layer or kind)
    kwargs: dict[str, object] = {}
    if fmt == "GPKG":
        names = gpkg_layer_names(path)
        if layer is None:
            layer = kind if kind in names or len(names) != 1 else names[0]
        if layer not in names:
            raise GeoplanError(f"{path}: 没有图层 {layer!r} / no layer {layer!r}; the file holds: "
                               f"{', '.join(names) or '(none)'}; pass layer=")
        kwargs["layer"] = layer
    elif fmt == "ESRI Shapefile":
        check_shapefile_parts(path)
        encoding = encoding or shapefile_encoding(path)
    if encoding:
        kwargs["encoding"] = encoding
    with reading(path, fmt):
        gdf = pyogrio.read_dataframe(path, **kwargs)
    return gdf, layer or kind


def gpkg_layer_names(path: Path) -> list[str]:
    """The layer names of a GeoPackage, or one GeoplanError saying why the file cannot be read."""
    with reading(readable_file(path), "GPKG"):
        return [str(n) for n in pyogrio.list_layers(path)[:, 0]]


def check_shapefile_parts(path: Path) -> None:
    """A Shapefile is several files: its .shx (the index) and .dbf (the attributes) must lie beside the .shp."""
    for suffix, what in ((".shx", "index"), (".dbf", "attributes")):
        if not any(path.with_suffix(s).exists() for s in (suffix, suffix.upper())):
            raise GeoplanError(f"{path}: 缺少 {path.with_suffix(suffix).name} / the Shapefile's {suffix} (its {what}) "
                               f"is missing — copy {path.with_suffix(suffix).name} next to {path.name}, or send the "
                               "layer as a GeoPackage")


@dataclass(frozen=True)
class LayerFile:
    """What a layer file holds, before any mapping: for ``geoplan init`` to propose one.

    Attributes
    ----------
    path : Path
    format : str
        ``GPKG``, ``GeoJSON``, ``ESRI Shapefile``, ``CSV`` or ``XLSX``.
    layer : str
        The GeoPackage layer or Excel sheet read ("" for other formats).
    columns : list of str
        Attribute columns (coordinate columns of a table not included).
    lon, lat : str
        Coordinate columns of a table ("" for other formats).
    crs : str
        The CRS the file declares ("" when it declares none: a table, a Shapefile without .prj).
    rows : int
    encoding : str
        The encoding detected for a CSV or Shapefile without .cpg ("" otherwise).
    """

    path: Path
    format: str
    layer: str
    columns: list[str]
    lon: str
    lat: str
    crs: str
    rows: int
    encoding: str = ""


def _sheet_with_coordinates(path: Path, lon_field: str | None, lat_field: str | None) -> str | None:
    """The first sheet of a workbook with longitude and latitude columns (None: let the reader say why not)."""
    from python_calamine import CalamineWorkbook

    try:
        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # noqa: BLE001 — the reader names the broken workbook
        return None
    for name in names:
        with reading(path, "XLSX"):
            top = pd.read_excel(path, sheet_name=name, dtype=str, engine="calamine", nrows=_HEADER_SEARCH_ROWS)
        if _header_row(top, lon_field, lat_field) is not None:
            return name
    return None


def inspect_layer(path: str | Path, kind: str, *, layer: str | None = None, sheet: str | None = None,
                  encoding: str | None = None, lon_field: str | None = None,
                  lat_field: str | None = None) -> LayerFile:
    """Read a layer file as stored and say what it holds (:class:`LayerFile`).

    Without ``sheet``, an Excel workbook's first sheet with coordinate columns is read.

    Raises
    ------
    GeoplanError
        The file is missing, unreadable, of an unknown type, or a table without
        recognisable coordinate columns.
    """
    path = Path(path)
    fmt = layer_format(path) if path.exists() else ""
    if fmt == "XLSX" and sheet is None:
        sheet = _sheet_with_coordinates(path, lon_field, lat_field)
    raw, name = _read_raw(path, get_kind(kind).name, layer, sheet, encoding, lon_field, lat_field)
    lon, lat = raw.attrs.get("coordinate_fields", ("", ""))
    detected = ""
    if fmt == "ESRI Shapefile" and encoding is None:
        detected = shapefile_encoding(path) or ""
    elif fmt == "CSV":
        detected = encoding or detect_encoding(path.read_bytes())
    columns = [str(c) for c in raw.columns if c != raw.geometry.name]
    return LayerFile(path, fmt, name if fmt in ("GPKG", "XLSX") else "", columns, lon, lat,
                     raw.crs.to_string() if raw.crs is not None else "", len(raw), detected)


def rename_fields(raw: gpd.GeoDataFrame, kind: str, fields: Mapping[str, str] | None, where: str) -> gpd.GeoDataFrame:
    """The layer with its columns renamed to schema fields: ``fields`` maps field → column.

    Raises
    ------
    GeoplanError
        A field the kind does not have, or a column the file does not hold; the message
        names the file and lists what there is.
    """
    if not fields:
        return raw
    spec = get_kind(kind)
    known = [f.name for f in spec.fields]
    renames = {}
    for target, column in fields.items():
        if target not in known:
            raise GeoplanError(f"{where}: fields: {target!r} is not a field of {kind} — use one of {', '.join(known)}")
        if column not in raw.columns:
            raise GeoplanError(f"{where}: fields: {target} = {column!r} — the file has no such column; its "
                               f"columns are: {', '.join(map(str, raw.columns.drop(raw.geometry.name, errors='ignore')))}")
        renames[column] = target
    # a column already named like a target field gives way to the mapped one
    clash = [t for c, t in renames.items() if t in raw.columns and t not in renames]
    out = raw.drop(columns=clash).rename(columns=renames)
    out.attrs = dict(raw.attrs)
    return out


def _read_checked(path: str | Path, kind: str, *, layer: str | None, crs: object, encoding: str | None,
                  lon_field: str | None, lat_field: str | None, max_issues: int, sheet: str | None = None,
                  fields: Mapping[str, str] | None = None,
                  estimates: EstimateRules | None = None) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Read, rename, estimate, declare the CRS, validate; the layer stays in its own (lon/lat or projected) CRS."""
    path = Path(path)
    spec = get_kind(kind)
    raw, layer_name = _read_raw(path, spec.name, layer, sheet, encoding, lon_field, lat_field)
    raw = rename_fields(raw, spec.name, fields, f"{path}, layer {layer_name}")
    notes: list[Issue] = []
    done = []
    if estimates is not None:
        raw, done = estimate_missing(raw, spec.name, estimates)
        notes += [Issue(str(path), layer_name, None, e.field, f"估算 estimated in {len(e.row_ids)} rows: {e.rule}",
                        "give the values in the file to replace the estimate", "warning") for e in done]
    if raw.crs is None and crs is None and layer_format(path) in TABLE_FORMATS:
        crs = "EPSG:4326"
        notes.append(Issue(str(path), layer_name, None, "/".join(raw.attrs["coordinate_fields"]),
                           "坐标按 WGS84 读取 / coordinates read as WGS84 (EPSG:4326)",
                           "declare crs = \"GCJ-02\" if they come from AMap/Gaode or Tencent, \"BD-09\" from Baidu",
                           "warning"))
    declared = to_lonlat(raw, crs, file=str(path), layer=layer_name)
    checked, issues = validate_layer(declared, spec, file=str(path), layer=layer_name, max_issues=max_issues)
    issues = notes + issues
    checked.attrs["issues"] = issues
    checked.attrs["source"] = str(path)
    checked.attrs["layer_name"] = layer_name
    checked.attrs["estimates"] = done
    checked.attrs["declared_crs"] = str(crs) if crs is not None else (raw.crs.to_string() if raw.crs else "")
    return checked, issues


def check_layer(path: str | Path, kind: str, *, layer: str | None = None, sheet: str | None = None,
                crs: object = None, encoding: str | None = None, lon_field: str | None = None,
                lat_field: str | None = None, fields: Mapping[str, str] | None = None,
                estimates: EstimateRules | None = None, max_issues: int = 200) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Read and validate a layer as :func:`read_layer` does, returning every issue instead of raising on rows.

    The layer stays in its own (lon/lat or projected) CRS; the rows with errors are in it,
    as read. File-level problems (missing, unreadable, no CRS) still raise GeoplanError.
    """
    return _read_checked(path, kind, layer=layer, crs=crs, encoding=encoding, lon_field=lon_field,
                         lat_field=lat_field, max_issues=max_issues, sheet=sheet, fields=fields, estimates=estimates)


def _raise_errors(issues: list[Issue]) -> None:
    if any(i.severity == "error" for i in issues):
        raise LayerValidationError(issues)


def read_layer(
    path: str | Path,
    kind: str,
    *,
    layer: str | None = None,
    sheet: str | None = None,
    crs: object = None,
    encoding: str | None = None,
    lon_field: str | None = None,
    lat_field: str | None = None,
    fields: Mapping[str, str] | None = None,
    estimates: EstimateRules | None = None,
    to_crs: object = None,
    max_issues: int = 50,
) -> gpd.GeoDataFrame:
    """Read one layer file, validate it against its kind and project it to a metric CRS.

    Parameters
    ----------
    path : str or Path
        A GeoPackage (.gpkg), GeoJSON (.geojson/.json), Shapefile (.shp), or a CSV (.csv)
        or Excel workbook (.xlsx) with longitude/latitude columns.
    kind : str
        Layer kind, e.g. ``"villages"`` (see :data:`layers.LAYER_KINDS`).
    layer : str, optional
        Layer name inside a GeoPackage; defaults to the kind name (or the only layer).
    sheet : str, optional
        Sheet of an Excel workbook; default the first.
    crs : optional
        The CRS of the data, overriding the file's: an EPSG code, ``"EPSG:4490"``, any
        pyproj-known projected CRS, ``"GCJ-02"`` (AMap/Gaode, Tencent) or ``"BD-09"``
        (Baidu), both shifted to WGS84 by geoplan's formulas. Required when the file
        declares none; a CSV or Excel sheet without it is read as WGS84, with a warning.
    encoding : str, optional
        Text encoding of a Shapefile's .dbf or a CSV. By default a .cpg is honoured, and
        without one the encoding is detected (UTF-8, then GB18030).
    lon_field, lat_field : str, optional
        Coordinate columns of a table; by default lon/lng/longitude/经度 and lat/latitude/纬度.
    fields : mapping of str to str, optional
        Schema field → the file's column holding it (e.g. ``{"name": "小区名称"}``).
    estimates : EstimateRules, optional
        Fill empty values a rule can estimate (households from population …); each
        estimate becomes a warning on ``attrs["issues"]`` and a record on ``attrs["estimates"]``.
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
                                lat_field=lat_field, max_issues=max_issues, sheet=sheet, fields=fields,
                                estimates=estimates)
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
    estimates: EstimateRules | None = None,
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
        raise GeoplanError(f"{gpkg_path}: read_layers reads a GeoPackage (.gpkg); read a {layer_format(gpkg_path)} "
                           "file with read_layer, one layer kind at a time")
    wanted = [get_kind(k).name for k in kinds] if kinds is not None else list(LAYER_KINDS)
    present = set(gpkg_layer_names(gpkg_path))
    layers: dict[str, gpd.GeoDataFrame] = {}
    all_issues: list[Issue] = []
    for kind in LAYER_KINDS:
        if kind in wanted and kind in present:
            gdf, issues = _read_checked(gpkg_path, kind, layer=kind, crs=None, encoding=None, lon_field=None,
                                        lat_field=None, max_issues=max_issues, estimates=estimates)
            layers[kind] = gdf
            all_issues += issues
    _raise_errors(all_issues)
    if not layers:
        return {}
    target = to_crs if to_crs is not None else area_metric_crs(layers.values())
    return {kind: _project(gdf, target) for kind, gdf in layers.items()}
