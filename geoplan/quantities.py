"""Each physical quantity of a plan, defined once: household waste and its fractions, waste film, muck.

Siting, routing and the indicators all take their tonnes and m³ from these functions, so a
station's load, a truck's pick-up and an indicator's weight describe the same waste. Every
rate comes from the scenario's :class:`~geoplan.settings.Quantities`; every result carries
its unit in its name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import layers
from geoplan.settings import Quantities

#: The sorted household-waste fractions collected apart (GB/T 19095-2019 categories; the
#: fourth, 有害垃圾, is dropped off, not collected by truck).
OTHER, KITCHEN, RECYCLABLES = layers.WASTE_FRACTIONS[:3]

#: Calendar days a construction site's muck is spread over when its start or end date is
#: missing (assumption: one year of works).
DEFAULT_MUCK_DAYS = 365


def accepted_fractions(value: object) -> tuple[str, ...]:
    """The fractions a station's ``fractions`` field names (comma-separated, full-width commas too);
    a station that names none takes 其他垃圾."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() in ("", "None", "nan"):
        return (OTHER,)
    return tuple(p.strip() for p in str(value).replace("，", ",").split(",") if p.strip()) or (OTHER,)


def numeric_field(frame: pd.DataFrame, field: str) -> np.ndarray:
    """The values of a numeric column as float64; a missing column or a missing value counts 0."""
    if field not in frame.columns:
        return np.zeros(len(frame))
    return pd.to_numeric(frame[field], errors="coerce").fillna(0.0).to_numpy(dtype=float)


def household_waste_t_per_d(demand: pd.DataFrame, quantities: Quantities) -> np.ndarray:
    """Daily household waste of each community or village, t/d: population × per-capita rate."""
    return numeric_field(demand, "population") * quantities.household_waste_kg_per_person_d / 1000.0


def fraction_t_per_d(demand: pd.DataFrame, quantities: Quantities) -> dict[str, np.ndarray]:
    """Daily tonnes of each sorted fraction (其他垃圾, 厨余垃圾, 可回收物) of each community or village."""
    total = household_waste_t_per_d(demand, quantities)
    return {OTHER: total * quantities.other_waste_share,
            KITCHEN: total * quantities.kitchen_waste_share,
            RECYCLABLES: total * quantities.recyclables_share}


def recyclables_t_per_d(demand: pd.DataFrame, quantities: Quantities) -> np.ndarray:
    """Daily recyclables of each community or village, t/d (the 可回收物 fraction)."""
    return fraction_t_per_d(demand, quantities)[RECYCLABLES]


def village_film_t_per_yr(villages: pd.DataFrame, quantities: Quantities) -> np.ndarray:
    """Waste film of each village, t/yr: mulched area (mu) × film per mu and year."""
    return numeric_field(villages, "mulched_area_mu") * quantities.film_kg_per_mu_yr / 1000.0


def shop_film_t_per_yr(shops: pd.DataFrame) -> np.ndarray:
    """Waste film coming back through each agri-input shop's collection box, t/yr: the film it
    sells (assumption: film sold comes back as waste film)."""
    return numeric_field(shops, "film_sales_kg_per_yr") / 1000.0


def muck_working_days(sites: pd.DataFrame, quantities: Quantities) -> np.ndarray:
    """Working days (= nights of haulage) of each construction site between its start and end date.

    Both dates count; a week has ``muck_working_days_per_week`` working days. A site
    without valid dates works :data:`DEFAULT_MUCK_DAYS` calendar days. At least one day.
    """
    days = np.full(len(sites), float(DEFAULT_MUCK_DAYS))
    if "start_date" in sites.columns and "end_date" in sites.columns:
        start = pd.to_datetime(sites["start_date"], errors="coerce")
        end = pd.to_datetime(sites["end_date"], errors="coerce")
        span = ((end - start).dt.days + 1).to_numpy(dtype=float)
        ok = np.isfinite(span) & (span > 0)
        days[ok] = span[ok]
    return np.maximum(1.0, days * quantities.muck_working_days_per_week / 7.0)


def muck_m3_per_working_day(sites: pd.DataFrame, quantities: Quantities) -> np.ndarray:
    """Muck each construction site sends out per working day (night), m³: its volume over its working days."""
    return numeric_field(sites, "muck_volume_m3") / muck_working_days(sites, quantities)


def muck_t_per_working_day(sites: pd.DataFrame, quantities: Quantities) -> np.ndarray:
    """The same flow in tonnes per working day, at the scenario's muck density."""
    return muck_m3_per_working_day(sites, quantities) * quantities.muck_density_t_per_m3


def facility_load(facility_kind: str, demand_kind: str, demand: pd.DataFrame, quantities: Quantities) -> np.ndarray:
    """What each demand point brings to a facility of ``facility_kind``, in that kind's capacity unit.

    Transfer stations take household waste (t/d), drop-off points and hubs recyclables
    (t/d; sorting centres and markets t/yr), film stations waste film (t/yr), muck
    disposal sites muck volume (m³) and transfer yards muck per working day (t/d).
    Points of a kind a facility does not take bring 0.
    """
    unit = layers.get_kind(facility_kind).capacity_field or ""
    per_year = 365.0 if unit.endswith("_per_yr") else 1.0
    if facility_kind == "transfer_stations" and demand_kind in ("residential_communities", "villages"):
        return household_waste_t_per_d(demand, quantities)
    if facility_kind in ("dropoff_points", "collection_hubs", "sorting_centers", "recycling_markets") \
            and demand_kind in ("residential_communities", "villages"):
        return recyclables_t_per_d(demand, quantities) * per_year
    if facility_kind == "film_recycling_stations":
        if demand_kind == "villages":
            return village_film_t_per_yr(demand, quantities)
        if demand_kind == "agri_input_shops":
            return shop_film_t_per_yr(demand)
    if demand_kind == "construction_sites":
        if facility_kind == "muck_disposal_sites":
            return numeric_field(demand, "muck_volume_m3")
        if facility_kind == "muck_transfer_yards":
            return muck_t_per_working_day(demand, quantities)
    return np.zeros(len(demand))


def facility_capacity(facility_kind: str, facilities: pd.DataFrame) -> np.ndarray:
    """Capacity of each facility in its kind's unit; ``inf`` where the layer gives none (no limit)."""
    field = layers.get_kind(facility_kind).capacity_field
    cap = numeric_field(facilities, field) if field and field in facilities.columns else np.zeros(len(facilities))
    given = pd.to_numeric(facilities[field], errors="coerce").notna().to_numpy() if field in facilities.columns \
        else np.zeros(len(facilities), dtype=bool)
    return np.where(given & (cap > 0), cap, np.inf)
