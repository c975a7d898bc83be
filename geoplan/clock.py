"""Clock times of shifts and opening hours: ``"HH:MM"`` text to seconds after midnight and back."""

from __future__ import annotations

import math

from layers.errors import GeoplanError

DAY_S = 24 * 3600.0


def parse_hhmm(text: str, *, where: str) -> float:
    """Seconds after midnight of ``"HH:MM"``; hours up to 48 allowed for night shifts.

    Raises
    ------
    GeoplanError
        Not ``HH:MM`` or out of range; the message starts with ``where``.
    """
    try:
        hh, mm = str(text).strip().split(":")
        h, m = int(hh), int(mm)
    except ValueError:
        raise GeoplanError(f"{where}: time {text!r} is not HH:MM, e.g. \"05:00\"") from None
    if not (0 <= h <= 48 and 0 <= m < 60):
        raise GeoplanError(f"{where}: time {text!r} is out of range; use 00:00–23:59")
    return h * 3600.0 + m * 60.0


def parse_window(start: str, end: str, *, where: str) -> tuple[float, float]:
    """(start, end) seconds of a daily window; an end before the start runs past midnight.

    Raises
    ------
    GeoplanError
        A time is not ``HH:MM``, or the window has no length (``08:00`` to ``08:00`` is
        refused rather than read as 24 hours).
    """
    a, b = parse_hhmm(start, where=where), parse_hhmm(end, where=where)
    if b == a:
        raise GeoplanError(f"{where}: the window {start}–{end} has no length — give an end time after the start")
    if b < a:
        b += DAY_S
    return a, b


def parse_hours(text: str, *, where: str) -> tuple[float, float]:
    """``"22:00-06:00"`` → (79200, 108000): a window ending before it starts runs past midnight."""
    try:
        a, b = str(text).replace("–", "-").split("-")
    except ValueError:
        raise GeoplanError(f"{where}: opening hours {text!r} are not like \"22:00-06:00\"") from None
    return parse_window(a, b, where=where)


def hhmm(seconds: float) -> str:
    """``"HH:MM"`` of seconds after midnight (times after midnight of the next day wrap)."""
    if not math.isfinite(seconds):
        return ""
    minutes = int(round(seconds / 60.0)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
