"""scenario.toml becomes typed settings once, with the defaults merged and every value checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.errors import GeoplanError
from geoplan import standards
from geoplan.scenario import load_scenario, scenario_toml
from geoplan.settings import DEFAULT_FLEET, Quantities, RoutingSettings, ServiceStandard, standard_unit


def _scenario(tmp_path: Path, extra: str = "", *, base: bool = True) -> Path:
    folder = tmp_path / "s"
    folder.mkdir(exist_ok=True)
    head = scenario_toml("测试县", 4549, 1) if base else '[scenario]\nmetric_crs = "EPSG:4549"\n'
    (folder / "scenario.toml").write_text(head + "\n" + extra, encoding="utf-8")
    return folder


def test_default_file_reads_back_as_the_standards_table(tmp_path):
    sc = load_scenario(_scenario(tmp_path))
    for key, d in standards.QUANTITIES.items():
        assert getattr(sc.quantities, key) == d.value
    for kind, keys in standards.SERVICE_STANDARDS.items():
        for key, d in keys.items():
            assert sc.standards.value(kind, key) == d.value
    assert set(sc.targets) == set(standards.TARGETS)
    urban = sc.targets["urban_sorting_coverage"]
    assert (urban.target, urban.weight, urban.demand_kind) == (1.0, "households", "residential_communities")
    assert sc.fleet == dict(DEFAULT_FLEET) and sc.routing == RoutingSettings()


def test_partial_quantities_keep_the_other_defaults(tmp_path):
    """One key in [quantities] changes that key only (it used to drop every other default)."""
    sc = load_scenario(_scenario(tmp_path, "[quantities]\nfilm_kg_per_mu_yr = 4.0\n", base=False))
    assert sc.quantities.film_kg_per_mu_yr == 4.0
    assert sc.quantities.kitchen_waste_share == Quantities().kitchen_waste_share == 0.30
    assert sc.quantities.household_waste_kg_per_person_d == 0.49
    # no [targets] at all: the plan's default targets
    assert set(sc.targets) == set(standards.TARGETS)


def test_a_target_section_merges_over_its_default(tmp_path):
    sc = load_scenario(_scenario(tmp_path, "[targets.rural_sorting_coverage]\ntarget = 0.6\n", base=False))
    assert list(sc.targets) == ["rural_sorting_coverage"]
    rural = sc.targets["rural_sorting_coverage"]
    assert rural.target == 0.6 and rural.standard == "rural_service_radius_m" and rural.profile == "small_collection_vehicle"


def test_a_new_target_takes_its_kind_s_vehicle(tmp_path):
    extra = ('[standards.muck_disposal_sites]\nservice_time_s = 1800\n'
             '[targets.muck_by_time]\nfacility_kind = "muck_disposal_sites"\ndemand_kind = "construction_sites"\n'
             'standard = "service_time_s"\ntarget = 0.9\n')
    sc = load_scenario(_scenario(tmp_path, extra, base=False))
    t = sc.targets["muck_by_time"]
    assert t.profile == "muck_truck" and t.weight == "count" and t.label == "muck_by_time"
    assert sc.standards.service(t.facility_kind, t.standard) == ServiceStandard(1800.0, "s")


def test_the_unit_of_a_standard_is_decided_by_its_key():
    assert standard_unit("service_time_s") == "s"
    assert standard_unit("service_radius_m") == "m"
    assert ServiceStandard(600.0, "s").weight == "seconds"


@pytest.mark.parametrize("extra,named", [
    ('[network]\nmax_snap_m = "500 m"\n', r"\[network\] max_snap_m must be a number m, written without quotes"),
    ('[scenario]\nmetric_crs = "EPSG:4549"\nseed = "twenty"\n', r"\[scenario\] seed must be a whole number"),
    ("[quantities]\nkitchen_waste_share = 1.4\n", r"\[quantities\] kitchen_waste_share must be ≥ 0 and ≤ 1"),
    ("[quantities]\nkitchen_waste_share = 0.6\nrecyclables_share = 0.5\n", r"exceeds 1 — lower one of them"),
    ("[quantities]\nmuck_density = 1.7\n", r"\[quantities\]: unknown key 'muck_density' — valid keys: household"),
    ("[targets.x]\nfacility_kind = \"transfer_stations\"\n", r"\[targets\.x\]: needs demand_kind"),
    ("[targets.urban_sorting_coverage]\ntarget = 85.3\n", r"target must be > 0 and ≤ 1 \(share, 0\.95 = 95 %\)"),
    ("[targets.urban_sorting_coverage]\nweight = \"people\"\n", r"weight = 'people' is not a number field"),
    ("[targets.urban_sorting_coverage]\nprofile = \"bicycle\"\n", r"profile = 'bicycle': use one of"),
    ("[targets.urban_sorting_coverage]\nstandard = \"walk_time_s\"\n", r"no standard walk_time_s for transfer_stations"),
    ("[standards.transfer_stations]\nservice_radius_m = 0\n", r"service_radius_m must be > 0"),
    ("[standards.bus_stops]\nservice_radius_m = 300\n", r"\[standards\.bus_stops\]: unknown facility kind"),
    ("[solver]\ntime_limit_s = -1\n", r"\[solver\] time_limit_s must be > 0"),
    ('[fleet.muck_truck]\nshift_start = "08:00"\nshift_end = "08:00"\n', r"has no length"),
    ("[fleet.muck_truck]\ncount = 0\n", r"\[fleet\.muck_truck\] count must be ≥ 1"),
    ('[routing]\nmuck_sites = "future"\n', r"\[routing\] muck_sites = 'future': use one of"),
    ("[routing]\nmuck_working_days_per_week = 5\n", r"belongs in \[quantities\] now"),
    ("[targets.urban_sorting_coverage]\nmilestones = { 2024 = 0.9 }\n", r"milestones: 2024 is not before"),
    ("[targets.urban_sorting_coverage]\nmilestones = { next = 0.9 }\n", r"'next' is not a year"),
    ("[targets.urban_sorting_coverage]\nmilestones = { 2023 = 90 }\n", r"milestones 2023 must be ≥ 0 and ≤ 1"),
    ("[targets.urban_sorting_coverage]\nyear = 1999\n", r"year must be ≥ 2000"),
    ("[plan]\nbudget_yuan = { 2024 = -5 }\n", r"\[plan\] budget_yuan 2024 must be ≥ 0"),
    ("[plan]\nstart_year = 2024\nbudget_yuan = { 2023 = 5e6 }\n", r"2023 is before start_year 2024"),
    ("[plan]\nbudget = 5e6\n", r"\[plan\]: unknown key 'budget'"),
    ("[plan.implementers]\nbus_stops = \"交通局\"\n", r"'bus_stops' is not a facility kind"),
    ("[new_sites.transfer_stations]\ncapacity = 0\n", r"\[new_sites\.transfer_stations\] capacity must be > 0"),
    ("[new_sites.bus_stops]\ncapacity = 3\n", r"\[new_sites\.bus_stops\]: unknown facility kind"),
])
def test_bad_settings_name_file_section_and_key(tmp_path, extra, named):
    head = "" if extra.startswith("[scenario]") else '[scenario]\nmetric_crs = "EPSG:4549"\n'
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "scenario.toml").write_text(head + extra, encoding="utf-8")
    with pytest.raises(GeoplanError, match=named) as err:
        load_scenario(folder)
    assert str(folder / "scenario.toml") in str(err.value)


def test_geoplan_errors_are_value_errors():
    import geoplan

    assert issubclass(geoplan.GeoplanError, ValueError)
    assert geoplan.__version__[0].isdigit()


def test_plan_settings_years_budgets_and_new_site_costs(tmp_path):
    extra = ("[targets.urban_sorting_coverage]\nyear = 2025\nmilestones = { 2023 = 0.9, 2024 = 0.95 }\n"
             "[plan]\nstart_year = 2023\nbudget_yuan = { 2024 = 8e6 }\n[plan.implementers]\n"
             "transfer_stations = \"县住建局\"\n[new_sites.transfer_stations]\nfixed_cost_yuan = 4e6\n")
    sc = load_scenario(_scenario(tmp_path, extra, base=False))
    urban = sc.targets["urban_sorting_coverage"]
    assert [urban.share_in(y) for y in (2022, 2023, 2024, 2025, 2030)] == [0.0, 0.9, 0.95, 1.0, 1.0]
    assert urban.years == (2023, 2024, 2025)
    assert sc.plan.budget_in(2024) == 8e6 and sc.plan.budget_in(2025) == float("inf")
    assert sc.plan.implementers["transfer_stations"] == "县住建局"
    assert sc.plan.implementers["film_recycling_stations"] == standards.IMPLEMENTERS["film_recycling_stations"]
    ts = sc.new_sites["transfer_stations"]
    assert ts.fixed_cost_yuan == 4e6 and ts.capacity == standards.FACILITY_DEFAULTS["transfer_stations"]["capacity"].value
    assert "scenario.toml [new_sites.transfer_stations]" in ts.source and "20 t/d" in ts.source
    # the default file states every [plan] and [new_sites] value it reads back
    (tmp_path / "b").mkdir()
    sc2 = load_scenario(_scenario(tmp_path / "b", base=True))
    assert sc2.plan.start_year == standards.PLAN_START_YEAR
    assert sc2.new_sites["film_recycling_stations"].fixed_cost_yuan == 1.5e5
    # values the file repeats unchanged keep the standards table as their source
    assert "[new_sites" not in sc2.new_sites["transfer_stations"].source
    assert "502 万元" in sc2.new_sites["transfer_stations"].source


@pytest.mark.parametrize("value,warned", [(3, True), (3000, False), (250_000, True)])
def test_a_service_radius_outside_its_plausible_range_is_a_warning(tmp_path, value, warned):
    sc = load_scenario(_scenario(tmp_path, f"[standards.film_recycling_stations]\nservice_radius_m = {value}\n",
                                 base=False))
    assert sc.standards.value("film_recycling_stations", "service_radius_m") == value
    texts = [str(i) for i in sc.standards.warnings]
    assert bool(texts) == warned
    if warned:
        assert "[standards.film_recycling_stations] service_radius_m" in texts[0] and "metres" in texts[0]
