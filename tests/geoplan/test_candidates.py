"""Candidate sites generated on the road network: where they may and may not stand."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy.spatial.distance import pdist

from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario
from geoplan.siting.candidates import generate_candidates, write_candidates
from geoplan.standards import FACILITY_DEFAULTS
from layers.errors import GeoplanError


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(write_demo_scenario(tmp_path_factory.mktemp("candidates") / "demo"))


def test_generated_sites_keep_their_rules(scenario):
    sites = generate_candidates(scenario, "transfer_stations", spacing_m=1500.0)
    xy = shapely.get_coordinates(sites.geometry.to_numpy())
    assert len(sites) > 20
    assert pdist(xy).min() >= 1500.0
    existing = shapely.get_coordinates(scenario.layers["transfer_stations"].geometry.to_numpy())
    assert np.hypot(*(xy[:, None] - existing[None]).transpose(2, 0, 1)).min() >= 1500.0
    area = shapely.union_all(scenario.layers["districts"].geometry.to_numpy())
    zones = shapely.union_all(scenario.layers["restricted_zones"].geometry.to_numpy())
    assert shapely.contains_xy(area, xy[:, 0], xy[:, 1]).all()
    assert not shapely.contains_xy(zones, xy[:, 0], xy[:, 1]).any()
    # every one stands on a node its vehicle reaches, and costs the plan's figure
    assert (sites["fixed_cost_yuan"] == FACILITY_DEFAULTS["transfer_stations"]["fixed_cost_yuan"].value).all()
    assert (sites["origin"] == "generated").all() and sites["id"].is_unique
    costs = scenario.road_network.access_costs(sites.iloc[:5], sites.iloc[5:10], "small_collection_vehicle")
    assert np.isfinite(costs).all()
    again = generate_candidates(scenario, "transfer_stations", spacing_m=1500.0)
    assert again.geometry.equals(sites.geometry) and again["id"].tolist() == sites["id"].tolist()


def test_written_sites_join_the_scenario_and_are_not_overwritten_unasked(scenario):
    sites = generate_candidates(scenario, "film_recycling_stations", spacing_m=3000.0)
    write_candidates(scenario, sites)
    fresh = load_scenario(scenario.folder)
    cands = fresh.layers["candidate_sites"]
    assert set(sites["id"]) <= set(cands["id"]) and len(cands) == len(scenario.layers["candidate_sites"]) + len(sites)
    with pytest.raises(GeoplanError, match="already holds .* candidate sites of film_recycling_stations"):
        write_candidates(fresh, generate_candidates(fresh, "film_recycling_stations", spacing_m=2000.0))
    write_candidates(fresh, generate_candidates(fresh, "film_recycling_stations", spacing_m=2000.0), replace=True)
    (scenario.folder / "candidates.gpkg").unlink()


def test_bad_requests_are_refused(scenario):
    with pytest.raises(GeoplanError, match="no candidate sites can be generated for 'depots'"):
        generate_candidates(scenario, "depots")
    with pytest.raises(GeoplanError, match="--spacing-m must be a positive number"):
        generate_candidates(scenario, "transfer_stations", spacing_m=0)
