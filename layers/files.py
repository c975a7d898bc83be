"""Opening a planner's files: one check before any reader touches a file, one message when a reader fails.

Every reader of a user's file (GeoPackage, Shapefile, GeoJSON, CSV, Excel, OSM XML / PBF,
scenario.toml) first calls :func:`readable_file`, and wraps the third-party call that parses
the file in :func:`reading`. A link to nowhere, a folder, an empty file, a file of another
kind or one cut short then gets one :class:`~layers.errors.GeoplanError` naming the file and
the fix, never the parser's own exception.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from layers.errors import GeoplanError

#: The first bytes of the formats that have a signature (OSM PBF, CSV, GeoJSON and
#: Shapefiles have none that all writers keep).
_MAGIC = {
    "GPKG": (b"SQLite format 3\x00",),
    "XLSX": (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"),  # .xlsx is a ZIP archive, .xls an OLE2 file
}
#: How a planner makes the file again, per format.
_REMAKE = {
    "GPKG": "export it again from your GIS (QGIS: Export → Save Features As → GeoPackage)",
    "ESRI Shapefile": "export it again with its .shp, .shx, .dbf and .prj side by side",
    "GeoJSON": "export it again as GeoJSON",
    "CSV": "save it again from Excel as CSV (UTF-8 or GBK)",
    "XLSX": "open it in Excel and save it again as .xlsx",
    "OSM": "download the extract again (e.g. Geofabrik or the OSM export), or give the other of .osm / .osm.pbf",
    "TOML": "restore scenario.toml from a copy, or write a new one with geoplan init",
}
_NAMES = {"GPKG": "GeoPackage", "ESRI Shapefile": "Shapefile", "GeoJSON": "GeoJSON", "CSV": "CSV file",
          "XLSX": "Excel workbook (.xlsx)", "OSM": "OSM file", "TOML": "TOML file", "JSON": "JSON file"}


def readable_file(path: str | Path, fix: str = "") -> Path:
    """``path`` once it is known to be a file that can be opened and holds bytes.

    Parameters
    ----------
    path : str or Path
        The file as the user named it (links are followed).
    fix : str
        What to do when the file is not there, e.g. which setting names it.

    Raises
    ------
    GeoplanError
        A link that loops or points nowhere, a missing file, a folder, an empty file, or
        one the system will not let geoplan read; the message names ``path`` and the fix.
    """
    path = Path(path)
    hint = f" — {fix}" if fix else ""
    if path.is_symlink():
        try:
            path.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise GeoplanError(f"{path}: 链接循环 / is a link that loops back on itself ({path} → "
                                   f"{os.readlink(path)} → …) — replace the link by the file itself") from None
            raise GeoplanError(f"{path}: 链接失效 / is a link to {os.readlink(path)}, which does not exist — "
                               "point the link at the file, or copy the file here") from None
    if not path.exists():
        raise GeoplanError(f"{path}: 文件不存在 / file not found{hint}")
    if path.is_dir():
        raise GeoplanError(f"{path}: 是文件夹 / is a folder, not a file — name the file itself"
                           f"{' (' + fix + ')' if fix else ''}")
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise GeoplanError(f"{path}: 无法打开 / cannot be opened ({exc.strerror}) — check the file's permissions") from None
    if size == 0:
        raise GeoplanError(f"{path}: 文件为空 / is empty (0 bytes): the copy or download did not finish — "
                           "copy the file again")
    return path


def looks_like(path: Path, fmt: str) -> bool:
    """Whether the file starts as a file of ``fmt`` does (formats without a signature always do)."""
    signatures = _MAGIC.get(fmt, ())
    if not signatures:
        return True
    with open(path, "rb") as fh:
        head = fh.read(max(len(s) for s in signatures))
    return any(head.startswith(s) for s in signatures)


def what_it_is(path: Path) -> str:
    """A planner's guess at what a file is, from its first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith(b"SQLite format 3"):
        return "an SQLite database"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive (an .xlsx, .docx or zipped Shapefile?)"
    if head.lstrip().startswith((b"<html", b"<!DOCTYPE", b"<!doctype")):
        return "a web page (a download that failed?)"
    if head.lstrip().startswith(b"<"):
        return "an XML file"
    if head.lstrip().startswith((b"{", b"[")):
        return "a JSON file"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("gb18030")
        except UnicodeDecodeError:
            return "binary data of an unknown kind"
    return "a text file"


def not_a(path: Path, fmt: str) -> GeoplanError:
    """The error for a file that is not of the format its name says."""
    return GeoplanError(f"{path}: 不是{_NAMES.get(fmt, fmt)} / is not a {_NAMES.get(fmt, fmt)} — it looks like "
                        f"{what_it_is(path)}; {_REMAKE.get(fmt, 'save it again in the right format')}")


def damaged(path: Path, fmt: str, detail: object, remake: str | None = None) -> GeoplanError:
    """The error for a file of the right kind that its reader could not read to the end.

    ``remake`` says how to make the file again; default the format's usual way.
    """
    text = " ".join(str(detail).split())
    text = re.sub(r"sqlite3_\w+\(.*?\) failed: ", "", text)[:200]  # GDAL quotes the SQL it ran; the planner needs the why
    return GeoplanError(f"{path}: 文件损坏 / is damaged or cut short ({_NAMES.get(fmt, fmt)}: {text}) — "
                        f"{remake or _REMAKE.get(fmt, 'make the file again')}")


@contextmanager
def reading(path: Path, fmt: str) -> Iterator[None]:
    """Run a third-party reader on ``path``; whatever it raises becomes one GeoplanError naming the file.

    A file that does not start as ``fmt`` files do is called what it looks like; one that
    does is called damaged. A :class:`GeoplanError` raised inside passes unchanged.
    """
    if not looks_like(path, fmt):
        raise not_a(path, fmt)
    try:
        yield
    except GeoplanError:
        raise
    except MemoryError:
        raise GeoplanError(f"{path}: 文件过大 / too large to read in this computer's memory — cut the file to the "
                           "planning area") from None
    except Exception as exc:  # noqa: BLE001 — every parser failure on a user's file is the file's
        raise damaged(path, fmt, exc) from None


def writable_file(path: str | Path) -> Path:
    """``path`` once geoplan may put a file there: its folders are folders and it is not a folder itself.

    Raises
    ------
    GeoplanError
        A file stands where a folder of the path should be, or a folder where the file goes.
    """
    path = Path(path)
    writable_folder(path.parent)
    if path.is_dir():
        raise GeoplanError(f"{path}: 是文件夹 / is a folder, but geoplan writes a file there — move or rename the "
                           "folder (nothing was written)")
    return path


def writable_folder(folder: str | Path) -> Path:
    """``folder`` once geoplan may write into it: it and its parents are folders, or not there yet.

    Raises
    ------
    GeoplanError
        A file stands where the folder, or one of its parents, should be.
    """
    folder = Path(folder)
    for path in (*reversed(folder.parents), folder):
        if path.exists() and not path.is_dir():
            raise GeoplanError(f"{path}: 是文件 / is a file, but geoplan keeps a folder there — move or rename the "
                               "file (nothing was written)")
    return folder

