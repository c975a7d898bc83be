"""Colours and sizes per layer kind, and the popup fields a planner wants to see."""

from __future__ import annotations

KIND_COLOURS: dict[str, str] = {
    "residential_communities": "#2e7d32",
    "villages": "#8d6e63",
    "agri_input_shops": "#f9a825",
    "construction_sites": "#6d4c41",
    "transfer_stations": "#c62828",
    "film_recycling_stations": "#00897b",
    "muck_disposal_sites": "#4e342e",
    "muck_transfer_yards": "#795548",
    "dropoff_points": "#1e88e5",
    "collection_hubs": "#1565c0",
    "sorting_centers": "#0d47a1",
    "recycling_markets": "#283593",
    "treatment_plants": "#b71c1c",
    "depots": "#455a64",
    "candidate_sites": "#9e9e9e",
}

ROAD_STYLES: dict[str, dict] = {
    "expressway": {"color": "#e65100", "weight": 4},
    "arterial": {"color": "#fb8c00", "weight": 3},
    "collector": {"color": "#9e9e9e", "weight": 1.6},
    "local": {"color": "#cfcfcf", "weight": 0.8},
}

#: Marker radius in pixels by layer role.
#: How area layers are drawn (Leaflet path options), on the theme maps and in the app alike.
AREA_STYLES: dict[str, dict] = {
    "districts": {"color": "#37474f", "weight": 2, "fillOpacity": 0.0},
    "restricted_zones": {"color": "#6a1b9a", "weight": 2, "fillOpacity": 0.12, "dashArray": "6 4"},
    "water": {"color": "#4a90d9", "weight": 1.5, "fillColor": "#a6cee3", "fillOpacity": 0.6},
}
ROLE_RADIUS = {"facility": 8, "demand": 4, "candidate": 4}

#: Popup fields per kind beyond ``id`` and ``name`` (those are always shown).
POPUP_FIELDS: dict[str, tuple[str, ...]] = {
    "residential_communities": ("households", "population"),
    "villages": ("population", "households", "mulched_area_mu"),
    "agri_input_shops": ("film_sales_kg_per_yr",),
    "construction_sites": ("muck_volume_m3", "start_date", "end_date"),
    "transfer_stations": ("status", "capacity_t_per_d", "station_class", "current_load_t_per_d", "fractions"),
    "film_recycling_stations": ("status", "capacity_t_per_yr", "level"),
    "muck_disposal_sites": ("status", "capacity_m3", "opening_hours"),
    "muck_transfer_yards": ("status", "capacity_t_per_d"),
    "dropoff_points": ("status", "capacity_t_per_d"),
    "collection_hubs": ("status", "capacity_t_per_d"),
    "sorting_centers": ("status", "capacity_t_per_yr", "site_area_m2"),
    "recycling_markets": ("status", "capacity_t_per_yr"),
    "treatment_plants": ("status", "plant_type", "capacity_t_per_d"),
    "depots": ("status", "vehicle_count"),
    "candidate_sites": ("facility_kind", "fixed_cost_yuan", "capacity"),
    "districts": ("district_type", "population"),
}


def colour(kind: str) -> str:
    """Map colour of a layer kind (grey for kinds without their own)."""
    return KIND_COLOURS.get(kind, "#757575")
