"""The indicator panel: the plan's targets against the actual values, on the map."""

from __future__ import annotations

import folium
import pandas as pd

from layers.errors import GeoplanError
from maps.controls import HtmlControl
from maps.html import esc, fmt_number, fmt_share, is_missing

#: Status values that count as met (others show red).
MET = "达标"
#: Units meaning "a share 0–1", shown as percentages.
SHARE_UNITS = frozenset({"share", "%", "ratio", "rate", ""})

REQUIRED_COLUMNS = ("label", "actual", "target", "status")


def _value(value, unit) -> str:
    if is_missing(value):
        return "—"
    unit = "" if is_missing(unit) else str(unit)
    if unit in SHARE_UNITS:
        return fmt_share(value)
    return f"{fmt_number(value, 2)} {unit}"


def panel_html(indicators: pd.DataFrame, title: str = "指标 / indicators") -> str:
    """HTML of the panel: one row per indicator with actual, target, gap and a coloured status."""
    rows = []
    for _, row in indicators.iterrows():
        unit = row.get("unit", "share")
        met = str(row["status"]).startswith(MET)
        status_text = str(row["status"]) if not is_missing(row["status"]) else "—"
        gap = row.get("gap")
        rows.append(
            "<tr>"
            f"<td>{esc(row['label'])}</td>"
            f"<td>{esc(_value(row['actual'], unit))}</td>"
            f"<td>{esc(_value(row['target'], unit))}</td>"
            f"<td>{esc(_value(gap, unit)) if not is_missing(gap) else '—'}</td>"
            f'<td><span class="gp-status {"gp-met" if met else "gp-not-met"}">{esc(status_text)}</span></td>'
            "</tr>"
        )
    head = ("<thead><tr><th>指标 / indicator</th><th>现状 / actual</th><th>目标 / target</th>"
            "<th>差距 / gap</th><th>状态 / status</th></tr></thead>")
    return f"<h4>{esc(title)}</h4><table>{head}<tbody>{''.join(rows)}</tbody></table>"


def add_indicator_panel(m: folium.Map, indicators: pd.DataFrame, title: str = "指标 / indicators",
                        position: str = "side") -> HtmlControl:
    """Add the indicator panel (in the side panel by default) to ``m``.

    Parameters
    ----------
    indicators : DataFrame
        Columns ``label`` (Chinese / English), ``actual`` and ``target`` (0–1 shares, or numbers
        in ``unit``), ``gap``, ``unit`` (``"share"`` for shares) and ``status`` (达标 / 未达标).
    title : str
        Heading of the panel.
    position : {"side", "bottomleft", "bottomright", "topleft", "topright"}
        The side panel beside the map (default) or a map corner.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in indicators.columns]
    if missing:
        raise GeoplanError(f"indicator table lacks columns {', '.join(missing)} — compute the indicators first")
    control = HtmlControl(panel_html(indicators, title), position=position, css_class="gp-box gp-panel")
    control.add_to(m)
    return control
