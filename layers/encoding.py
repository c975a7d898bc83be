"""Text encodings of Chinese input files.

Shapefiles without a .cpg and CSVs exported from Excel on Chinese Windows are usually
GBK/GB18030; read as Latin-1 their names come out garbled. UTF-8 is tried first because
its byte structure is strict (GBK text almost never decodes as UTF-8), then GB18030 (a
superset of GBK and GB2312), then charset-normalizer's guess.
"""

from __future__ import annotations

import struct
from pathlib import Path

import charset_normalizer


def detect_encoding(data: bytes) -> str:
    """Best encoding name for ``data``: ``"utf-8"``, ``"gb18030"`` or a detected one."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    return best.encoding if best is not None else "latin-1"


def dbf_text_bytes(dbf_path: str | Path) -> bytes:
    """The record area of a dBASE (.dbf) file, where a Shapefile's attribute text lives."""
    raw = Path(dbf_path).read_bytes()
    if len(raw) < 32:
        return b""
    n_records, header_len, record_len = struct.unpack("<IHH", raw[4:12])
    return raw[header_len : header_len + n_records * record_len]


def shapefile_encoding(shp_path: str | Path) -> str | None:
    """Encoding of a Shapefile's attributes.

    Returns None when a .cpg file declares it (GDAL honours the .cpg itself); otherwise the
    encoding detected from the .dbf bytes.
    """
    shp_path = Path(shp_path)
    for suffix in (".cpg", ".CPG"):
        if shp_path.with_suffix(suffix).exists():
            return None
    for suffix in (".dbf", ".DBF"):
        dbf = shp_path.with_suffix(suffix)
        if dbf.exists():
            return detect_encoding(dbf_text_bytes(dbf))
    return None
