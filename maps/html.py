"""Escaping and small HTML building blocks shared by popups, legends and panels.

Names and labels come from the planner's files, so every user string is escaped before it
goes into a page. folium wraps popup and tooltip HTML in JavaScript template literals
(backtick strings), so a backtick, ``$`` or backslash must be escaped as well.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

#: Fonts with CJK glyphs, in order of preference (Windows, macOS, Linux).
CJK_FONTS = '"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif'

_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def esc(value: object) -> str:
    """``value`` as text that is safe inside HTML and inside a JavaScript template literal."""
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL)


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return False


def fmt_number(value: float, digits: int = 1) -> str:
    """A number for a planner: thousands separators, trailing zeros dropped."""
    if is_missing(value):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "是 / yes" if value else "否 / no"
    x = float(value)
    if math.isfinite(x) and x == round(x) and abs(x) < 1e15:
        return f"{int(round(x)):,}"
    return f"{x:,.{digits}f}"


def fmt_value(value: object, unit: str | None = None) -> str:
    """Any popup value as plain text (not yet escaped), with its unit."""
    if is_missing(value) or value == "":
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "是 / yes" if value else "否 / no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        text = fmt_number(value)
    else:
        text = str(value)
    return f"{text} {unit}" if unit else text


def fmt_share(value: float) -> str:
    """A share 0–1 as a percentage, one decimal."""
    return "—" if is_missing(value) else f"{100.0 * float(value):.1f}%"


def table_html(rows: Iterable[tuple[str, str]], title: str | None = None) -> str:
    """A two-column label/value table; labels and values are plain text and escaped here."""
    body = "".join(
        f'<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>' for label, value in rows
    )
    head = f'<div class="gp-popup-title">{esc(title)}</div>' if title else ""
    return f'{head}<table class="gp-popup">{body}</table>'


def popup_frame(frame: gpd.GeoDataFrame, columns: dict[str, list[str]]) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """Features for a ``folium.GeoJson`` whose popup shows ``columns`` (label → plain-text values).

    folium's GeoJSON popups insert property values as HTML, so the values and labels are
    escaped here; the columns are named ``f0, f1, …`` to keep odd labels out of the JSON keys.

    Returns
    -------
    (GeoDataFrame, fields, aliases)
        The features and the ``fields``/``aliases`` to give ``folium.GeoJsonPopup``.
    """
    out = gpd.GeoDataFrame(geometry=frame.geometry.values, crs=frame.crs, index=range(len(frame)))
    fields, aliases = [], []
    for i, (alias, values) in enumerate(columns.items()):
        out[f"f{i}"] = [esc(v) for v in values]
        fields.append(f"f{i}")
        aliases.append(esc(alias))
    return out, fields, aliases
