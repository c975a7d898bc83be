"""Writing outputs so that a failed run leaves no half-written file, and no half-written set.

Each file is written beside its place and renamed onto it (:func:`atomic_path`). A command
that writes several files runs inside :func:`written_together`: if it fails at the fourth
file, the three before it go back to what they were.
"""

from __future__ import annotations

import math
from pathlib import Path

from layers.writers import atomic_path, written_together

__all__ = ["atomic_path", "jsonable", "write_text", "written_together"]

def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
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
