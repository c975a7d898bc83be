"""Layer file formats, recognised by file suffix."""

from __future__ import annotations

from pathlib import Path

from layers.errors import GeoplanError

_FORMATS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile",
            ".csv": "CSV", ".txt": "CSV", ".xlsx": "XLSX", ".xlsm": "XLSX", ".xls": "XLSX"}
#: Formats read as a table with longitude/latitude columns.
TABLE_FORMATS = frozenset({"CSV", "XLSX"})


def layer_format(path: str | Path) -> str:
    """The format of a layer file: ``GPKG``, ``GeoJSON``, ``ESRI Shapefile``, ``CSV`` or ``XLSX`` (Excel)."""
    suffix = Path(path).suffix.lower()
    try:
        return _FORMATS[suffix]
    except KeyError:
        raise GeoplanError(
            f"{path}: 不支持的文件格式 / unsupported file type {suffix!r}; use .gpkg, .geojson, .shp, .csv or .xlsx"
        ) from None
