import pytest

from layers import (
    DEMAND_KINDS,
    FACILITY_KINDS,
    LAYER_KINDS,
    RECYCLING_LEVELS,
    STATUS_VALUES,
    GeoplanError,
    get_kind,
    level_of,
    next_level,
    station_class,
)


def test_every_kind_has_id_and_labels():
    for name, kind in LAYER_KINDS.items():
        assert kind.name == name
        assert kind.fields[0].name == "id" and kind.fields[0].required
        assert "name" in kind.field_names
        assert kind.label_zh and kind.label_en
        assert all(f.label_zh and f.label_en for f in kind.fields)
        assert kind.role in {"demand", "facility", "candidate", "area", "network"}


def test_facilities_carry_status_defaulting_to_existing():
    assert STATUS_VALUES == ("existing", "planned", "candidate")
    assert "transfer_stations" in FACILITY_KINDS and "depots" in FACILITY_KINDS
    assert "villages" not in FACILITY_KINDS
    for kind in FACILITY_KINDS:
        status = get_kind(kind).field("status")
        assert status.choices == STATUS_VALUES and status.default == "existing"
    assert set(DEMAND_KINDS) == {"residential_communities", "villages", "agri_input_shops", "construction_sites"}


def test_candidate_sites_name_facility_kinds():
    assert get_kind("candidate_sites").field("facility_kind").choices == FACILITY_KINDS


def test_get_kind_lists_valid_kinds_on_a_bad_name():
    with pytest.raises(GeoplanError) as exc:
        get_kind("transfer_station")
    assert "transfer_stations" in str(exc.value) and "villages" in str(exc.value)


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [(1, "V"), (49.9, "V"), (50, "IV"), (149, "IV"), (150, "III"), (449, "III"), (450, "II"),
     (999, "II"), (1000, "I"), (3000, "I"), (5000, "I")],
)
def test_station_class_follows_cjj_t_47_2016(capacity, expected):
    assert station_class(capacity) == expected


@pytest.mark.parametrize("capacity", [0, -5, float("nan")])
def test_station_class_refuses_non_positive_capacity(capacity):
    with pytest.raises(GeoplanError):
        station_class(capacity)


def test_recycling_hierarchy_in_order():
    assert [lvl.kind for lvl in RECYCLING_LEVELS] == [
        "dropoff_points", "collection_hubs", "sorting_centers", "recycling_markets"]
    assert [lvl.order for lvl in RECYCLING_LEVELS] == [1, 2, 3, 4]
    assert RECYCLING_LEVELS[0].label_zh == "可回收物投放点"
    assert all(lvl.kind in LAYER_KINDS for lvl in RECYCLING_LEVELS)
    assert next_level("collection_hubs").kind == "sorting_centers"
    assert next_level("recycling_markets") is None
    with pytest.raises(GeoplanError):
        level_of("villages")
