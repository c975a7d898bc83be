"""Errors a user can cause and fix.

Every error that comes from input (a file, a layer, a scenario setting) is a
:class:`GeoplanError`. The command line prints its message as one line and exits
with code 2; it never shows a traceback for these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


class GeoplanError(ValueError):
    """A problem in the user's input, with a message that says what to fix.

    A :class:`ValueError`, so ``except ValueError`` catches a bad argument too.
    """


class NoResult(GeoplanError):
    """The input is fine but the run finds no usable result (e.g. no plan meets the targets).

    The command line prints the reason and exits with code 3, writing nothing.
    """


@dataclass(frozen=True)
class Issue:
    """One problem found in one row (or in the whole layer when ``row_id`` is None).

    Attributes
    ----------
    file : str
        The file the layer was read from (as the user named it).
    layer : str
        Layer kind or layer name inside the file, or the ``[section]`` of a setting.
    row_id : str or None
        Value of the row's ``id`` field, or ``"row N"`` when the id itself is missing.
    field : str or None
        The field at fault, or None for geometry-free layer-wide problems.
    problem : str
        What is wrong.
    fix : str
        How to fix it.
    severity : {"error", "warning"}
        Errors stop the run; warnings are reported (e.g. a geometry that was repaired).
    """

    file: str
    layer: str
    row_id: str | None
    field: str | None
    problem: str
    fix: str = ""
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        if self.layer.startswith("["):  # a scenario setting: [section] key
            where = [self.file, f"{self.layer} {self.field}" if self.field else self.layer]
        else:
            where = [self.file, f"layer {self.layer}"]
            if self.row_id is not None:
                where.append(f"row {self.row_id}" if not self.row_id.startswith("row ") else self.row_id)
            if self.field is not None:
                where.append(f"field {self.field}")
        text = f"{': '.join([', '.join(where), self.problem])}"
        return f"{text} — {self.fix}" if self.fix else text


class LayerValidationError(GeoplanError):
    """A layer failed validation; ``issues`` lists every error found (up to a cap)."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        first = errors[0] if errors else self.issues[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}")
