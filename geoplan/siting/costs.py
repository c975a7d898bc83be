"""Haulage prices that make assignment cost comparable with a site's building cost (yuan).

A capacitated plan adds building cost (one-off, yuan) to haulage cost (weight × metres).
Haulage is priced per tonne-km and counted over a planning horizon; all figures are
assumptions a scenario may change by passing its own ``cost_per_unit``.
"""

from __future__ import annotations

#: Years of haulage weighed against one-off building cost (assumption: a 10-year plan period).
PLANNING_YEARS = 10.0
#: Haulage price, yuan per tonne-km, by vehicle (assumption: typical county contract prices).
HAUL_YUAN_PER_T_KM = {
    "small_collection_vehicle": 3.0,
    "film_van": 2.0,
    "muck_truck": 2.0,
}


def per_t_per_d(profile: str) -> float:
    """Yuan per (t/d × m): daily tonnage hauled every day of the planning horizon."""
    return HAUL_YUAN_PER_T_KM[profile] / 1000.0 * 365.0 * PLANNING_YEARS


def per_t_per_yr(profile: str) -> float:
    """Yuan per (t/yr × m): yearly tonnage hauled over the planning horizon."""
    return HAUL_YUAN_PER_T_KM[profile] / 1000.0 * PLANNING_YEARS


def per_m3(profile: str, density_t_per_m3: float) -> float:
    """Yuan per (m³ × m): a one-off volume (construction muck) hauled once."""
    return HAUL_YUAN_PER_T_KM[profile] / 1000.0 * density_t_per_m3


def per_unit(unit: str, profile: str, density_t_per_m3: float = 1.7) -> float:
    """Yuan per (demand unit × m) for a demand table's unit (``t/d``, ``t/yr`` or ``m³``)."""
    if unit == "t/d":
        return per_t_per_d(profile)
    if unit == "t/yr":
        return per_t_per_yr(profile)
    if unit == "m³":
        return per_m3(profile, density_t_per_m3)
    raise ValueError(f"no haulage price for demand unit {unit!r}")
