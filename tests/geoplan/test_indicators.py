"""Indicators on hand-computed small cases: network distance decides, not the straight line."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from geoplan.indicators.coverage import STATUS_MET, STATUS_NOT_MET, coverage_indicator
from geoplan.indicators.loads import facility_loads, recycling_chain
from geoplan.network import RoadNetwork
from geoplan.settings import ServiceStandard, Target

CRS = 4549
X0, Y0 = 500_000.0, 3_800_000.0


def _roads() -> gpd.GeoDataFrame:
    """A U-shaped road: two 1 km prongs joined at the bottom, 200 m apart at the top."""
    pts = lambda *xy: [(X0 + x, Y0 + y) for x, y in xy]  # noqa: E731
    lines = [
        LineString(pts((0, 1000), (0, 500))), LineString(pts((0, 500), (0, 0))),
        LineString(pts((0, 0), (200, 0))),
        LineString(pts((200, 0), (200, 500))), LineString(pts((200, 500), (200, 1000))),
    ]
    return gpd.GeoDataFrame({"id": [f"R{i}" for i in range(5)], "road_class": "local", "oneway": False},
                            geometry=lines, crs=CRS)


@pytest.fixture
def network():
    return RoadNetwork.from_roads(_roads())


def _target(weight: str = "count", target: float = 1.0) -> Target:
    return Target("k", "k", target, "transfer_stations", "residential_communities", weight=weight,
                  profile="compression_truck")


def _points(ids, xy, **cols):
    return gpd.GeoDataFrame({"id": ids, "name": ids, **cols},
                            geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs=CRS)


def test_coverage_uses_network_distance(network):
    station = _points(["S"], [(0, 1000)], status="existing", capacity_t_per_d=[10.0])
    # A sits 200 m from S in a straight line but 2.2 km away by road; B is 500 m down S's prong.
    demand = _points(["A", "B"], [(200, 1000), (0, 500)], households=[300, 100], population=[900, 300])
    districts = gpd.GeoDataFrame({"name": ["west", "east"]},
                                 geometry=[box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 1100),
                                           box(X0 + 100, Y0 - 100, X0 + 300, Y0 + 1100)], crs=CRS)
    ind = coverage_indicator(network, _target("households", 0.5), ServiceStandard(1000.0), demand, station,
                             districts)
    assert ind.demand["travel_m"].tolist() == pytest.approx([2200.0, 500.0])
    assert ind.demand["covered"].tolist() == [False, True]
    assert ind.actual == pytest.approx(100 / 400)
    assert ind.status == STATUS_NOT_MET and ind.gap == pytest.approx(0.25)
    by = ind.by_district.set_index("district")
    assert by.loc["west", "coverage_rate"] == 1.0 and by.loc["east", "coverage_rate"] == 0.0
    assert ind.uncovered["id"].tolist() == ["A"]
    # A larger standard reaches A too.
    wide = coverage_indicator(network, _target(), ServiceStandard(2500.0), demand, station)
    assert wide.actual == 1.0 and wide.status == STATUS_MET


def test_no_facility_means_nothing_covered(network):
    demand = _points(["A"], [(0, 500)], households=[10], population=[30])
    ind = coverage_indicator(network, _target(), ServiceStandard(1e6), demand, demand.iloc[:0])
    assert ind.actual == 0.0 and not ind.demand["covered"].any()


def test_station_load_is_the_waste_of_its_nearest_demand(network):
    stations = _points(["S1", "S2"], [(0, 1000), (200, 1000)], status="existing", capacity_t_per_d=[1.0, 5.0],
                       current_load_t_per_d=[np.nan, 0.5])
    demand = _points(["A", "B", "C"], [(0, 700), (0, 100), (200, 600)], population=[1000, 2000, 4000])
    quantity = np.array([1.0, 2.0, 4.0])
    loads = facility_loads(network, stations, "transfer_stations",
                           {"residential_communities": (demand, quantity)}, "compression_truck")
    # B at (0,100): 900 m to S1, 100+200+900 = 1200 m to S2 → S1. C → S2 (400 m).
    assert loads["load"].tolist() == pytest.approx([3.0, 4.0])
    assert loads["overloaded"].tolist() == [True, False]


def test_recycling_chain_link_reaches_within_standard(network):
    facilities = {
        "dropoff_points": _points(["D1", "D2"], [(0, 900), (200, 900)]),
        "collection_hubs": _points(["H"], [(0, 1000)]),
        "sorting_centers": _points(["C"], [(0, 0)]),
        "recycling_markets": _points(["M"], [(200, 0)]),
    }
    radius = {"dropoff_points": 500.0, "collection_hubs": 500.0, "sorting_centers": 1000.0,
              "recycling_markets": 100.0}
    chain = recycling_chain(network, facilities, radius, "compression_truck").set_index("from_kind")
    # D1 is 100 m from H, D2 is 2.1 km by road: half the drop-off points link within 500 m.
    assert chain.loc["dropoff_points", "linked"] == 1 and not chain.loc["dropoff_points", "complete"]
    assert chain.loc["collection_hubs", "complete"]  # 1000 m to C within 1000 m
    assert not chain.loc["sorting_centers", "complete"]  # 200 m to M, standard 100 m


def test_coverage_by_driving_time(network):
    station = _points(["S"], [(0, 1000)], status="existing")
    demand = _points(["A", "B"], [(200, 1000), (0, 500)], households=[1, 1], population=[1, 1])
    speed_mps = network.profiles["compression_truck"].speed_kmh["local"] / 3.6
    # B is 500 m of local street from S; A is 2200 m. A standard of 1000 m worth of driving covers B only.
    ind = coverage_indicator(network, _target(), ServiceStandard(1000.0 / speed_mps, "s"), demand, station)
    assert ind.demand["travel_s"].tolist() == pytest.approx([2200.0 / speed_mps, 500.0 / speed_mps])
    assert ind.demand["covered"].tolist() == [False, True]


def test_a_station_counts_only_for_what_its_capacity_takes(network):
    """Urban and rural targets share one station of 1 t/d: the shares due that year come first."""
    from pathlib import Path

    from geoplan.indicators.coverage import kind_coverage
    from geoplan.settings import Quantities, parse_standards

    station = _points(["S"], [(0, 1000)], status="existing", capacity_t_per_d=[1.0])
    # 0.49 kg/(person·d): A brings 0.49 t/d, B 0.98 t/d, the village V 0.49 t/d — 1.96 t/d for 1 t/d of room
    communities = _points(["A", "B"], [(0, 900), (0, 700)], households=[100, 300], population=[1000, 2000])
    villages = _points(["V"], [(0, 800)], population=[1000], households=[200])
    urban = Target("urban", "urban", 0.5, "transfer_stations", "residential_communities", weight="households",
                   profile="compression_truck", year=2024)
    rural = Target("rural", "rural", 1.0, "transfer_stations", "villages", standard="rural_service_radius_m",
                   profile="compression_truck", year=2025)
    stds = parse_standards({}, Path("scenario.toml"))
    demand = {"residential_communities": communities, "villages": villages}
    tonnes = {"A": 0.49, "B": 0.98, "V": 0.49}

    def taken(read):
        return sum(tonnes[i] * c for ind in read.indicators.values()
                   for i, c in zip(ind.demand["id"], ind.demand["covered_share"]))

    # 2024: only urban's 50 % is due — it is reached, though the village would cover more per tonne
    y24 = kind_coverage(network, [urban, rural], stds, demand, station, Quantities(), year=2024)
    assert y24.indicators["urban"].actual + 1e-6 >= 0.5
    load = y24.loads.set_index("id").loc["S"]
    assert load["load"] == pytest.approx(1.0, abs=1e-6) == pytest.approx(taken(y24), abs=1e-6)
    assert load["turned_away"] == pytest.approx(1.96 - 1.0, abs=1e-6) and bool(load["overloaded"])
    # 2025: both are due and 1 t/d cannot hold both (urban's half needs 0.65 t/d at the least, the
    # village 0.49): the most of the shares due is taken — the whole village, then urban's rest
    y25 = kind_coverage(network, [urban, rural], stds, demand, station, Quantities(), year=2025)
    assert y25.indicators["rural"].actual == pytest.approx(1.0, abs=1e-6)
    assert y25.indicators["urban"].actual == pytest.approx(0.51 / 0.98 * 300 / 400, abs=1e-4)
    assert taken(y25) == pytest.approx(1.0, abs=1e-6)
    # the uncapacitated reading would call everything covered
    free_station = station.drop(columns="capacity_t_per_d")
    assert coverage_indicator(network, urban, stds.service("transfer_stations", "service_radius_m"), communities,
                              free_station).actual == 1.0
    free = kind_coverage(network, [urban, rural], stds, demand, free_station, Quantities())
    assert free.indicators["urban"].actual == 1.0 and free.indicators["rural"].actual == 1.0
