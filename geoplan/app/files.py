"""File names that come from the browser, kept inside the scenario's output folder."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from layers.errors import GeoplanError

#: Longest file stem kept from a name typed in the browser (characters).
MAX_STEM = 80
_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)


def safe_file_name(name: str, default: str = "plan") -> str:
    """A file stem made of letters (any script), digits, ``-`` and ``_`` only.

    Path separators, dots, drive letters and control characters are replaced, so the
    result can never name a parent folder, an absolute path or a hidden file.

    Parameters
    ----------
    name : str
        What the planner typed, e.g. ``"../../etc/passwd"`` or ``"新站方案 A"``.
    default : str
        Stem used when nothing usable is left.
    """
    text = unicodedata.normalize("NFKC", str(name or ""))
    stem = _UNSAFE.sub("_", text).strip("_")[:MAX_STEM].strip("_")
    return stem or default


def output_path(output_dir: str | Path, name: str, suffix: str) -> Path:
    """``output_dir / <safe name><suffix>``, checked to lie inside ``output_dir``.

    Raises
    ------
    GeoplanError
        If the suffix is not a plain extension such as ``.gpkg``.
    """
    if not re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix):
        raise GeoplanError(f"file suffix {suffix!r} is not a plain extension like .gpkg")
    root = Path(output_dir).resolve()
    target = (root / f"{safe_file_name(name)}{suffix}").resolve()
    # defence in depth: the sanitised stem cannot escape, but a symlinked output folder could
    if target.parent != root:
        raise GeoplanError(f"{name!r} does not name a file inside {root} — use a plain file name")
    return target
