"""Write layers to GeoPackage, GeoJSON, Shapefile and CSV.

Every writer writes to a temporary path next to the target and renames it into place, so a
failed write leaves no half-written file (and an older file at the path stays intact).
GeoPackages carry a fixed timestamp (:data:`GPKG_TIMESTAMP`), so the same layers give the
same bytes on every run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from layers.errors import GeoplanError
from layers.files import writable_file, writable_folder
from layers.formats import layer_format

#: The ``last_change`` GDAL writes into a GeoPackage (it would write the clock's time, and
#: two runs on the same input would differ in bytes). Set for the whole process, once: a
#: setting switched on and off around each write would race with a write in another thread.
GPKG_TIMESTAMP = "2000-01-01T00:00:00.000Z"
pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})


def _plain(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy without ``attrs`` (they hold Python objects no file format can store)."""
    out = gdf.copy()
    out.attrs = {}
    return out


def _dates_as_text(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Date-time columns as ISO dates (YYYY-MM-DD): dBASE has no date-time field type."""
    for column in gdf.columns:
        if column != gdf.geometry.name and pd.api.types.is_datetime64_any_dtype(gdf[column]):
            gdf[column] = gdf[column].dt.strftime("%Y-%m-%d").astype(object).where(gdf[column].notna(), None)
    return gdf


def _temp_path(target: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{suffix}", dir=target.parent)
    os.close(fd)
    os.unlink(name)  # GDAL must create the file itself
    return Path(name)


#: What the writes of the innermost :func:`written_together` replaced: (path, its previous
#: content kept under a hidden name, or None when the path was new).
_JOURNAL: ContextVar[list[tuple[Path, Path | None]] | None] = ContextVar("geoplan_write_journal", default=None)


@contextmanager
def written_together(*folders: str | Path) -> Iterator[None]:
    """Let every file written in the block land, or none: a failure puts back what was there.

    Each file the block writes (through :func:`atomic_path` and the layer writers) is
    noted with a second name for what it replaced; when the block raises, the new files
    and folders are removed and the old files renamed back, and the error goes on.

    Parameters
    ----------
    folders : str or Path
        Output folders, checked before the block runs: none of them (or their parents)
        may be a file.

    Raises
    ------
    GeoplanError
        A file stands where one of ``folders`` should be.
    """
    for folder in folders:
        writable_folder(folder)
    journal: list[tuple[Path, Path | None]] = []
    token = _JOURNAL.set(journal)
    try:
        yield
    except BaseException:
        for path, kept in reversed(journal):
            if kept is not None:
                os.replace(kept, path)
            elif path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists() or path.is_symlink():
                path.unlink()
        raise
    else:
        for _path, kept in journal:
            if kept is not None and kept.exists():
                kept.unlink()
    finally:
        _JOURNAL.reset(token)


def note_created(path: Path) -> None:
    """Tell the enclosing :func:`written_together` that ``path`` (a file or a folder) was not there before."""
    journal = _JOURNAL.get()
    if journal is not None:
        journal.append((Path(path), None))


def _make_parents(target: Path) -> None:
    """The folders of ``target``, each one made noted so a failed set takes it away again."""
    missing = [p for p in reversed(target.parents) if not p.exists()]
    for folder in missing:
        folder.mkdir()
        note_created(folder)


def note_replacing(target: str | Path) -> None:
    """Keep what ``target`` holds now (or note it new) for the enclosing :func:`written_together`,
    before it is written — by this process, or by a worker process that has no journal of its own.
    Its missing folders are made (and noted) here."""
    target = Path(target)
    journal = _JOURNAL.get()
    if journal is None:
        return
    _make_parents(target)
    kept = None
    if target.exists():
        kept = _temp_path(target, ".undo")
        try:
            os.link(target, kept)  # a second name: no copy
        except OSError:
            shutil.copy2(target, kept)
    journal.append((target, kept))


def _replace(temp: Path, target: Path) -> None:
    """Rename ``temp`` onto ``target``, keeping what it replaces while a :func:`written_together` runs."""
    note_replacing(target)
    os.replace(temp, target)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    Raises
    ------
    GeoplanError
        Before anything is written: a file stands where a folder of ``path`` should be,
        or ``path`` is a folder.
    """
    target = writable_file(path)
    try:
        _make_parents(target)
        temp = _temp_path(target, target.suffix)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        yield temp
        _replace(temp, target)
    except OSError as exc:  # a full disk, a folder turned read-only: the planner's to fix, not a bug
        raise _cannot_write(target, exc) from None
    finally:
        if temp.exists():
            temp.unlink()


def _cannot_write(target: Path, exc: OSError) -> GeoplanError:
    return GeoplanError(f"{target}: 无法写入 / cannot be written ({exc.strerror or exc}) — free space on the disk or "
                        "let geoplan write to the folder (its permissions); the file was left as it was")


def _replace_atomically(target: Path, write) -> Path:
    """Call ``write(temp_path)`` and rename the result onto ``target``; clean up on failure."""
    with atomic_path(target) as temp:
        write(temp)
    return target


def _write_shapefile(gdf: gpd.GeoDataFrame, target: Path) -> Path:
    writable_file(target)
    try:
        _make_parents(target)
        temp_dir = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        with warnings.catch_warnings():
            # dBASE cuts field names to 10 characters; read_layer maps them back.
            warnings.filterwarnings("ignore", message="Normalized/laundered field name")
            # UTF-8 with a .cpg, so every reader decodes the names the same way.
            pyogrio.write_dataframe(gdf, temp_dir / target.name, driver="ESRI Shapefile", encoding="UTF-8")
        for part in sorted(temp_dir.iterdir()):
            _replace(part, target.with_suffix(part.suffix))
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    return target


def _write_csv(gdf: gpd.GeoDataFrame, target: Path) -> Path:
    geoms = gdf.geometry
    if len(gdf) and not (geoms.geom_type == "Point").all():
        raise GeoplanError(f"{target}: CSV 只能保存点图层 / CSV holds point layers only; write "
                           f"{gdf.attrs.get('kind', 'this layer')} to a GeoPackage (.gpkg)")
    lonlat = geoms.to_crs(4326) if gdf.crs is not None else geoms
    table = _dates_as_text(gdf).drop(columns=[geoms.name])
    table["lon"] = shapely.get_x(lonlat.values)
    table["lat"] = shapely.get_y(lonlat.values)
    # utf-8-sig: Excel on Chinese Windows then shows the names right.
    return _replace_atomically(target, lambda p: table.to_csv(p, index=False, encoding="utf-8-sig"))


def write_layer(gdf: gpd.GeoDataFrame, path: str | Path, layer: str | None = None) -> Path:
    """Write one layer; the format follows the suffix (.gpkg, .geojson, .shp, .csv).

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer, in any CRS.
    path : str or Path
        Target file. A GeoPackage keeps its other layers; the named layer is replaced.
    layer : str, optional
        Layer name inside a GeoPackage; default ``gdf.attrs["kind"]`` or the file stem.

    Notes
    -----
    GeoJSON is written in WGS84 (RFC 7946); CSV as WGS84 ``lon``/``lat`` columns, UTF-8
    with a byte-order mark; Shapefiles in UTF-8 with a .cpg (field names are cut to 10
    characters, which :func:`layers.read_layer` maps back).

    Returns
    -------
    Path
        The written file.
    """
    target = Path(path)
    fmt = layer_format(target)
    if fmt == "XLSX":
        raise GeoplanError(f"{target}: unsupported file type for writing a layer {target.suffix!r}; "
                           "write .gpkg, .geojson, .shp or .csv")
    plain = _plain(gdf)
    if fmt == "CSV":
        plain.attrs["kind"] = gdf.attrs.get("kind")
        return _write_csv(plain, target)
    if fmt == "ESRI Shapefile":
        return _write_shapefile(_dates_as_text(plain), target)
    if fmt == "GeoJSON":
        lonlat = plain.to_crs(4326) if plain.crs is not None else plain
        return _replace_atomically(target, lambda p: pyogrio.write_dataframe(lonlat, p, driver="GeoJSON"))
    name = layer or gdf.attrs.get("kind") or target.stem

    def write(temp: Path) -> None:
        if target.exists():
            shutil.copy2(target, temp)
        pyogrio.write_dataframe(plain, temp, layer=name, driver="GPKG", layer_options={"OVERWRITE": "YES"})

    return _replace_atomically(target, write)


def write_layers(layers: Mapping[str, gpd.GeoDataFrame], gpkg_path: str | Path) -> Path:
    """Write several layers as one new GeoPackage, one layer per key.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layer name (normally the kind name) → layer.
    gpkg_path : str or Path
        The GeoPackage to create; an existing file is replaced as a whole, and only once
        every layer has been written.
    """
    target = Path(gpkg_path)
    if layer_format(target) != "GPKG":
        raise GeoplanError(f"{target}: write_layers writes a GeoPackage (.gpkg)")

    def write(temp: Path) -> None:
        for name, gdf in layers.items():
            pyogrio.write_dataframe(_plain(gdf), temp, layer=name, driver="GPKG")

    return _replace_atomically(target, write)
