"""Assemble the demo county's layers as GeoDataFrames in EPSG:4549."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.demo import demand, facilities
from geoplan.demo.geography import (METRIC_EPSG, OLD_TOWN, county_boundary, district_polygons, river_area,
                                    shift_geometries)
from geoplan.demo.roads import demo_roads, rural_roads

DEFAULT_SEED = 20_26_11


def _rng(seed: int, part: str) -> np.random.Generator:
    # One independent stream per part, so changing one part leaves the others as they were.
    return np.random.default_rng([seed, sum(ord(c) * 31**i for i, c in enumerate(part)) % (1 << 31)])


def _points_frame(table: dict) -> gpd.GeoDataFrame:
    cols = {k: v for k, v in table.items() if k != "xy"}
    xy = np.asarray(table["xy"], dtype=float)
    geom = shift_geometries(list(shapely.points(xy)))
    return gpd.GeoDataFrame(pd.DataFrame(cols), geometry=list(geom), crs=METRIC_EPSG)


def build_demo_layers(seed: int = DEFAULT_SEED) -> dict[str, gpd.GeoDataFrame]:
    """All layers of the demo county, keyed by layer kind, in EPSG:4549.

    Parameters
    ----------
    seed : int
        Random seed; the same seed gives identical layers.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Demand, facility, candidate, district, road, restricted-zone and water layers.
    """
    boundary = county_boundary(_rng(seed, "boundary"))
    rural, rural_nodes = rural_roads(_rng(seed, "rural"), boundary)

    villages = demand.villages(_rng(seed, "villages"), rural_nodes, boundary)
    tables: dict[str, dict] = {
        "residential_communities": demand.residential_communities(_rng(seed, "communities")),
        "villages": villages,
        "agri_input_shops": demand.agri_input_shops(_rng(seed, "shops"), villages),
        "construction_sites": demand.construction_sites(_rng(seed, "sites")),
        "transfer_stations": facilities.transfer_stations(),
        "treatment_plants": facilities.treatment_plants(),
        "depots": facilities.depots(),
        "muck_disposal_sites": facilities.muck_disposal_sites(),
        "film_recycling_stations": facilities.film_recycling_stations(),
        **facilities.recycling_network(),
        "candidate_sites": facilities.candidate_sites(_rng(seed, "candidates"), villages["xy"]),
    }
    layers = {kind: _points_frame(t) for kind, t in tables.items()}
    layers["districts"] = _districts(boundary, layers)
    places = np.vstack([np.asarray(t["xy"], dtype=float) for t in tables.values()])
    layers["roads"] = _roads(demo_roads(boundary, rural, rural_nodes, places))
    zones = facilities.restricted_zones(OLD_TOWN)
    zones["geometry"] = list(shift_geometries(zones["geometry"]))
    layers["restricted_zones"] = gpd.GeoDataFrame(zones, geometry="geometry", crs=METRIC_EPSG)
    layers["water"] = gpd.GeoDataFrame({"id": ["W1"], "name": ["蔷薇河 / Qiangwei River"]},
                                       geometry=list(shift_geometries([river_area(boundary)])), crs=METRIC_EPSG)
    return layers


def _districts(boundary, layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    parts = district_polygons(boundary)
    geoms = list(shift_geometries([p for _, _, p in parts]))
    frame = gpd.GeoDataFrame(
        {
            "id": [f"DI{i + 1:02d}" for i in range(len(parts))],
            "name": [name for _, name, _ in parts],
            "district_type": [s.district_type for s, _, _ in parts],
            "urban": [bool(s.urban) for s, _, _ in parts],
        },
        geometry=geoms,
        crs=METRIC_EPSG,
    )
    people = pd.concat([layers["residential_communities"], layers["villages"]])[["population", "geometry"]]
    joined = gpd.sjoin(people, frame[["id", "geometry"]], predicate="within")
    frame["population"] = frame["id"].map(joined.groupby("id")["population"].sum()).fillna(0).astype(int)
    return frame


def _roads(roads) -> gpd.GeoDataFrame:
    geoms = list(shift_geometries([r.line for r in roads]))
    return gpd.GeoDataFrame(
        {
            "id": [f"RD{i + 1:05d}" for i in range(len(roads))],
            "name": [r.name for r in roads],
            "road_class": [r.road_class for r in roads],
            "speed_kmh": [np.nan if r.speed_kmh is None else r.speed_kmh for r in roads],
            "oneway": [bool(r.oneway) for r in roads],
        },
        geometry=geoms,
        crs=METRIC_EPSG,
    )
