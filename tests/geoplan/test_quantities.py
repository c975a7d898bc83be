"""Each physical quantity has one definition: siting, routing and the indicators use the same tonnes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geoplan import quantities as q
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.scenario import load_scenario
from geoplan.settings import Quantities
from geoplan.siting import demand


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(write_demo_scenario(tmp_path_factory.mktemp("quantities") / "demo"))


def test_muck_per_working_day_by_hand():
    """A 10 000 m³ site working every day of 2026 at six days a week: 10 000 / (365 × 6/7) m³ a day."""
    site = pd.DataFrame({"muck_volume_m3": [10_000.0], "start_date": ["2026-01-01"], "end_date": ["2026-12-31"]})
    qs = Quantities()
    per_day_m3 = 10_000.0 / (365 * 6 / 7)
    assert q.muck_m3_per_working_day(site, qs)[0] == pytest.approx(per_day_m3)
    assert q.muck_t_per_working_day(site, qs)[0] == pytest.approx(per_day_m3 * 1.7)
    assert q.muck_t_per_working_day(site, qs)[0] == pytest.approx(54.3, abs=0.05)
    # no dates: a year of works, the same rule
    undated = site.drop(columns=["start_date", "end_date"])
    assert q.muck_m3_per_working_day(undated, qs)[0] == pytest.approx(per_day_m3)


def test_fractions_add_up_to_the_household_waste():
    frame = pd.DataFrame({"population": [1000.0, np.nan, 250.0]})
    qs = Quantities(kitchen_waste_share=0.4, recyclables_share=0.1)
    total = q.household_waste_t_per_d(frame, qs)
    np.testing.assert_allclose(total, [0.49, 0.0, 0.1225])
    parts = q.fraction_t_per_d(frame, qs)
    np.testing.assert_allclose(sum(parts.values()), total)
    np.testing.assert_allclose(parts[q.KITCHEN], 0.4 * total)
    np.testing.assert_allclose(q.recyclables_t_per_d(frame, qs), 0.1 * total)


def test_siting_and_routing_haul_the_same_muck(scenario):
    from geoplan.routing.muck import prepare_muck

    sites = scenario.layers["construction_sites"]
    per_day_t = q.muck_t_per_working_day(sites, scenario.quantities)
    np.testing.assert_allclose(demand.muck_daily(scenario).weight, per_day_t)
    night = prepare_muck(scenario, time_limit_s=5).details
    by_id = dict(zip(sites["id"].astype(str), q.muck_m3_per_working_day(sites, scenario.quantities)))
    # the trucks haul whole m³: the night's volume of each working site, rounded up
    assert night["nightly_m3"] == [float(np.ceil(by_id[s] - 1e-9)) for s in night["sites"]]


def test_siting_routing_and_loads_count_the_same_household_waste(scenario):
    from geoplan.indicators.loads import facility_loads
    from geoplan.routing.collection import prepare_collection

    communities = scenario.layers["residential_communities"]
    table = demand.household_waste(scenario)
    from_communities = table.points["source_kind"] == "residential_communities"
    expected = q.household_waste_t_per_d(communities, scenario.quantities)
    np.testing.assert_allclose(table.weight[from_communities.to_numpy()], expected)
    routed = prepare_collection(scenario, time_limit_s=5).details["tonnes_per_d"]
    assert sum(routed.values()) == pytest.approx(expected.sum(), abs=0.01)
    # one station far away takes all the waste it can reach: the load is the same tonnes
    station = gpd.GeoDataFrame({"id": ["S"], "name": ["S"], "status": ["existing"], "capacity_t_per_d": [1e6]},
                               geometry=[Point(communities.geometry.union_all().centroid)], crs=communities.crs)
    loads = facility_loads(scenario.road_network, station, "transfer_stations",
                           {"residential_communities": (communities, expected)}, "compression_truck")
    reachable = np.isfinite(scenario.road_network.access_costs(communities, station, "compression_truck")[:, 0])
    assert loads["load"].iloc[0] == pytest.approx(expected[reachable].sum(), abs=0.01)


def test_siting_and_routing_collect_the_same_film(scenario):
    from geoplan.routing.film import prepare_film

    villages = scenario.layers["villages"]
    per_year = q.village_film_t_per_yr(villages, scenario.quantities)
    table = demand.film(scenario)
    np.testing.assert_allclose(table.weight[(table.points["source_kind"] == "villages").to_numpy()], per_year)
    run = prepare_film(scenario)
    days = scenario.routing.film_period_days
    village_ids = set(villages["id"].astype(str))
    routed = {j.id: sum(j.demand_t.values()) for j in run.problem.jobs if j.id in village_ids}
    want = dict(zip(villages["id"].astype(str), per_year * days / 365.0))
    assert routed and all(t == pytest.approx(want[i]) for i, t in routed.items())
