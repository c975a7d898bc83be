"""Missing attributes estimated from the ones given, never silently.

A bureau's list of 小区 often gives population but not households, or the other way round;
a village list gives farmland but not the mulched area. Each estimate fills only empty
values, by a stated rule, and is recorded with the rows it touched so the import report and
``validate`` can list it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class EstimateRules:
    """The rates estimates use (from the scenario's quantities).

    Attributes
    ----------
    persons_per_household : float
        Persons per household, to estimate households from population and back.
    mulched_share_of_farmland : float
        Share of a village's farmland under plastic mulch, to estimate its mulched area.
    """

    persons_per_household: float
    mulched_share_of_farmland: float


@dataclass(frozen=True)
class Estimate:
    """One field estimated in some rows of a layer.

    Attributes
    ----------
    field : str
        The field filled.
    rule : str
        How (Chinese first, English beside), with the rate used.
    row_ids : tuple of str
        Rows whose value was estimated.
    """

    field: str
    rule: str
    row_ids: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        shown = ", ".join(self.row_ids[:10]) + (f" … (+{len(self.row_ids) - 10})" if len(self.row_ids) > 10 else "")
        return f"{self.field}: {self.rule} — {len(self.row_ids)} rows: {shown}"


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce")


def _fill(frame: pd.DataFrame, target: str, source: str, factor: float, rule: str, integer: bool,
          out: list[Estimate]) -> pd.DataFrame:
    have, base = _number(frame, target), _number(frame, source)
    todo = have.isna() & base.notna()
    if not todo.any():
        return frame
    values = base[todo] * factor
    frame = frame.copy()
    if target not in frame.columns:
        frame[target] = None
    frame[target] = frame[target].astype(object)
    frame.loc[todo, target] = (values.round().astype("int64") if integer else values.round(2)).to_numpy()
    ids = frame["id"].astype(str) if "id" in frame.columns else pd.Series([f"row {i + 1}" for i in range(len(frame))],
                                                                           index=frame.index)
    out.append(Estimate(target, rule, tuple(ids[todo])))
    return frame


def estimate_missing(frame: pd.DataFrame, kind: str, rules: EstimateRules) -> tuple[pd.DataFrame, list[Estimate]]:
    """Fill the empty values of ``frame`` (a layer of ``kind``) that a rule can estimate.

    Returns
    -------
    frame : DataFrame
        A copy with the estimates filled in (the input is unchanged).
    estimates : list of Estimate
        What was filled, and in which rows.
    """
    out: list[Estimate] = []
    size = rules.persons_per_household
    if kind in ("residential_communities", "villages"):
        frame = _fill(frame, "households", "population", 1.0 / size,
                      f"户数 = 人口 ÷ {size:g} 人/户 / households = population ÷ {size:g} persons per household",
                      True, out)
        frame = _fill(frame, "population", "households", size,
                      f"人口 = 户数 × {size:g} / population = households × {size:g} persons per household",
                      True, out)
    if kind == "villages":
        share = rules.mulched_share_of_farmland
        frame = _fill(frame, "mulched_area_mu", "farmland_mu", share,
                      f"覆膜面积 = 耕地 × {share:g} / mulched area = farmland × {share:g}", False, out)
    return frame, out
