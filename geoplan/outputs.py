"""Writing outputs so that a failed run leaves no half-written file, and no half-written set.

Each file is written beside its place and renamed onto it (:func:`atomic_path`). A command
that writes several files runs inside :func:`written_together`: if it fails at the fourth
file, the three before it go back to what they were.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from layers.errors import GeoplanError
from layers.files import damaged, readable_file
from layers.writers import atomic_path, written_together

__all__ = ["DOCUMENT_TIME", "atomic_path", "jsonable", "read_output_json", "read_output_table", "write_office_document", "write_text", "written_together"]

def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


#: The fixed time stamped in office documents (.xlsx, .docx): the same plan gives the same bytes.
DOCUMENT_TIME = (2000, 1, 1, 0, 0, 0)


def write_office_document(path: str | Path, raw: bytes) -> Path:
    """Write an Office Open XML document (a ZIP of XML parts) atomically, with every time in it fixed.

    openpyxl and python-docx stamp the save time in the ZIP entries and in
    ``docProps/core.xml``; both are set to :data:`DOCUMENT_TIME` here.
    """
    import io
    import re
    import zipfile

    stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % DOCUMENT_TIME
    with atomic_path(path) as tmp, zipfile.ZipFile(io.BytesIO(raw)) as src, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=DOCUMENT_TIME), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return Path(path)


def jsonable(value):
    """``value`` with NumPy scalars as Python numbers and non-finite floats as None (JSON has neither)."""
    import numpy as np

    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return jsonable(value.item())
    return value


def _damaged_output(path: Path, fmt: str, exc: Exception, remade_by: str) -> GeoplanError:
    return damaged(path, fmt, exc, remake=f"it was cut short or edited by hand: remove it, or restore it from a copy; "
                                          f"{remade_by} writes it again")


def read_output_json(path: str | Path, remade_by: str) -> dict:
    """A JSON object geoplan wrote, read back.

    Parameters
    ----------
    remade_by : str
        The command that writes the file again, named in the message.

    Raises
    ------
    GeoplanError
        The file is missing, damaged, or not a JSON object.
    """
    path = readable_file(path, fix=f"{remade_by} writes it")
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged_output(path, "JSON", exc, remade_by) from None
    if not isinstance(doc, dict):
        raise _damaged_output(path, "JSON", TypeError(f"a {type(doc).__name__}, not an object"), remade_by)
    return doc


def read_output_table(path: str | Path, remade_by: str, **read_csv) -> pd.DataFrame:
    """A CSV table geoplan wrote (UTF-8 with a byte-order mark), read back; a damaged one is named."""
    path = readable_file(path, fix=f"{remade_by} writes it")
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **read_csv)
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise _damaged_output(path, "CSV", exc, remade_by) from None

