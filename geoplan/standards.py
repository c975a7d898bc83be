"""The standards table: every default service standard, quantity and plan target, with its source.

These are the defaults ``geoplan demo`` writes into ``scenario.toml``; a scenario may
override any of them (:mod:`geoplan.settings` merges the overrides in once, when the
scenario loads). "assumption" marks a default that no standard or plan gives.

Sources named here:

- GB 55013-2021 《市容环卫工程项目规范》 §3.2.2 — collection points, mandatory since 2022-01-01.
- CJJ 47-2006 《生活垃圾转运站技术规范》 §2.2.7 — transfer-station service radius by collection mode;
  CJJ/T 47-2016 — transfer-station classes I–V by t/d (the IV/V split is not verified).
- GB/T 51435-2021 — rural domestic-waste collection radius (not verified against the text).
- SB/T 10719 and Beijing practice — recyclables drop-off density.
- The national standard draft for sorting centres (2024) — ≥ 3000 m², ≥ 30 000 t/yr.
- The 无废城市 implementation plan of the Lianyungang Economic-Technological Development
  Zone (2023–2025) — indicator baselines and targets, 0.49 kg/(person·d) of household waste.
- Film use: national agricultural film use divided by mulched area, 2016–2023 (China
  Rural Statistical Yearbook) — about 5.1 kg per mu (666.7 m²) and year.
- Diesel: 3.096 kg CO₂ per kg of diesel (the national greenhouse-gas accounting method
  for enterprises); at about 0.84 kg/L that is about 2.6 kg CO₂ per litre.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Default:
    """A default value with its unit, source and the range a scenario may set.

    Attributes
    ----------
    value : float or str
    unit : str
    source : str
        The standard or plan it comes from, or ``"assumption: …"``.
    minimum, maximum : float or None
        Plausible range of a number (inclusive); None where unbounded.
    """

    value: float | str
    unit: str
    source: str
    minimum: float | None = None
    maximum: float | None = None


#: The range a service standard plausibly lies in: a road distance in metres (the
#: shortest standard, GB 55013's 120 m to a collection point; the longest, a county-wide
#: 40 km), a driving time in seconds (1 min to 4 h). Outside it a warning asks whether the
#: unit slipped (3 for 3 km); the value is still used.
PLAUSIBLE_STANDARD_M = (50.0, 100_000.0)
PLAUSIBLE_STANDARD_S = (60.0, 14_400.0)

#: Service standards per facility kind: the network distance (m) within which a demand unit counts as served.
SERVICE_STANDARDS: dict[str, dict[str, Default]] = {
    "transfer_stations": {
        "service_radius_m": Default(3000.0, "m", "CJJ 47-2006 §2.2.7: small collection vehicles ≤ 3 km preferred"),
        "max_service_radius_m": Default(5000.0, "m", "CJJ 47-2006 §2.2.7: small collection vehicles ≤ 5 km max"),
        "rural_service_radius_m": Default(3000.0, "m", "GB/T 51435-2021 (unverified): rural small vehicles ≤ 3 km"),
    },
    "dropoff_points": {
        "service_radius_m": Default(500.0, "m", "assumption: 5–8 min walk; SB/T 10719 density 1 per 1000–2000 households"),
        "households_per_point_urban": Default(1500.0, "households", "SB/T 10719 / Beijing practice: 1000–2000",
                                              1.0, 100_000.0),
        "households_per_point_rural": Default(2250.0, "households", "SB/T 10719 / Beijing practice: 2000–2500",
                                              1.0, 100_000.0),
    },
    "collection_hubs": {
        "service_radius_m": Default(3000.0, "m", "assumption: one hub per 片区 within a short truck run"),
    },
    "sorting_centers": {
        "service_radius_m": Default(30000.0, "m", "assumption: county-wide"),
        "min_site_area_m2": Default(3000.0, "m²", "national standard draft 2024: integrated sorting centre ≥ 3000 m²",
                                    0.0, 2_000_000.0),
        "min_capacity_t_per_yr": Default(30000.0, "t/yr", "national standard draft 2024: ≥ 30 000 t/yr", 0.0,
                                         2_000_000.0),
    },
    "recycling_markets": {
        "service_radius_m": Default(40000.0, "m", "assumption: county-wide"),
    },
    "film_recycling_stations": {
        "service_radius_m": Default(5000.0, "m", "assumption: township station reachable by a tractor or van run"),
        "min_per_township": Default(1.0, "stations", "plans: each 街道/镇 at least one 废旧农膜代贮回收站", 0.0, 20.0),
    },
    "muck_disposal_sites": {
        "service_radius_m": Default(20000.0, "m", "assumption: haul distance a county muck fleet accepts"),
    },
    "residential_collection_points": {
        "service_radius_m": Default(120.0, "m", "GB 55013-2021 §3.2.2 (mandatory since 2022-01-01)"),
    },
}

#: Quantities that turn demand attributes into tonnes, with the range a scenario may set.
QUANTITIES: dict[str, Default] = {
    "household_waste_kg_per_person_d": Default(0.49, "kg/(person·d)", "Lianyungang ETDZ plan, 2022", 0.05, 5.0),
    "film_kg_per_mu_yr": Default(5.1, "kg/(mu·yr)", "national film use ÷ mulched area, 2016–2023", 0.1, 50.0),
    "muck_density_t_per_m3": Default(1.7, "t/m³", "assumption: 1.6–1.9 loose soil / demolition rubble", 0.5, 3.0),
    "recyclables_share": Default(0.12, "share of household waste", "assumption", 0.0, 1.0),
    "kitchen_waste_share": Default(0.30, "share of household waste", "assumption", 0.0, 1.0),
    "diesel_co2_kg_per_l": Default(2.6, "kg CO₂/L", "3.096 kg CO₂/kg diesel × 0.84 kg/L (national accounting method)",
                                   1.0, 5.0),
    "muck_working_days_per_week": Default(6.0, "d/week", "assumption: muck is hauled six nights a week", 0.5, 7.0),
    "persons_per_household": Default(2.62, "persons/household",
                                     "7th national population census (2020): 2.62 persons per household", 1.0, 10.0),
    "mulched_share_of_farmland": Default(0.14, "share of farmland",
                                         "assumption: national plastic-mulched area (about 1.7 × 10⁷ ha) ÷ cultivated "
                                         "land (about 1.28 × 10⁸ ha, 3rd national land survey)", 0.0, 1.0),
}

#: What a new site of each kind costs, holds and needs, for sites geoplan generates (each a
#: stated default the planner edits in the candidate layer). Unit costs from the Lianyungang
#: ETDZ plan's project list (2023–2025) where it gives one; capacity in the kind's capacity unit.
FACILITY_DEFAULTS: dict[str, dict[str, Default]] = {
    "transfer_stations": {
        "fixed_cost_yuan": Default(5.02e6, "yuan", "Lianyungang ETDZ plan: 青口盐场 new 20 t/d transfer station, 502 万元"),
        "capacity": Default(20.0, "t/d", "Lianyungang ETDZ plan: 20 t/d (a class V station, CJJ/T 47-2016)"),
        "land_m2": Default(1000.0, "m²", "assumption: a class V station's site (CJJ/T 47-2016 land table, unverified)"),
    },
    "film_recycling_stations": {
        "fixed_cost_yuan": Default(1.5e5, "yuan", "assumption: one township 代贮回收站 at the 15 万元 the Lianyungang ETDZ "
                                                  "plan gives its whole film network"),
        "capacity": Default(50.0, "t/yr", "assumption"),
        "land_m2": Default(200.0, "m²", "assumption: a storage shed"),
    },
    "muck_disposal_sites": {
        "fixed_cost_yuan": Default(2.0e6, "yuan", "Lianyungang ETDZ plan: 工程渣土消纳场, 1 site, 200 万元"),
        "capacity": Default(2.0e5, "m³", "assumption"),
        "land_m2": Default(2.0e4, "m²", "assumption"),
    },
    "muck_transfer_yards": {
        "fixed_cost_yuan": Default(7.5e5, "yuan", "Lianyungang ETDZ plan: 建筑垃圾转运调配场 20 t/d, 75 万元"),
        "capacity": Default(20.0, "t/d", "Lianyungang ETDZ plan: 20 t/d"),
        "land_m2": Default(2000.0, "m²", "assumption"),
    },
    "dropoff_points": {
        "fixed_cost_yuan": Default(2.0e4, "yuan", "assumption: a 可回收物投放点 kiosk"),
        "capacity": Default(0.5, "t/d", "assumption"),
        "land_m2": Default(10.0, "m²", "assumption"),
    },
    "collection_hubs": {
        "fixed_cost_yuan": Default(5.0e5, "yuan", "assumption: the 50 万元 of the Lianyungang ETDZ plan's 两网融合 refit"),
        "capacity": Default(10.0, "t/d", "assumption"),
        "land_m2": Default(500.0, "m²", "assumption"),
    },
    "sorting_centers": {
        "fixed_cost_yuan": Default(3.5e6, "yuan", "Lianyungang ETDZ plan: 大件分拣中心, 350 万元"),
        "capacity": Default(3.0e4, "t/yr", "national standard draft 2024: integrated sorting centre ≥ 30 000 t/yr"),
        "land_m2": Default(3000.0, "m²", "national standard draft 2024: ≥ 3000 m²"),
    },
    "recycling_markets": {
        "fixed_cost_yuan": Default(5.0e6, "yuan", "assumption"),
        "capacity": Default(5.0e4, "t/yr", "assumption"),
        "land_m2": Default(1.0e4, "m²", "assumption"),
    },
}
#: Least distance between two generated candidate sites, metres (assumption: a planner's first sketch).
CANDIDATE_SPACING_M = 500.0

#: Vehicle profile that drives between a facility kind's demand and its sites (assumption:
#: small vehicles bring household waste and recyclables in, vans collect film, muck trucks haul muck).
SERVICE_PROFILES: dict[str, str] = {
    "transfer_stations": "small_collection_vehicle",
    "film_recycling_stations": "film_van",
    "muck_disposal_sites": "muck_truck",
    "muck_transfer_yards": "muck_truck",
    "dropoff_points": "small_collection_vehicle",
    "collection_hubs": "small_collection_vehicle",
    "sorting_centers": "small_collection_vehicle",
    "recycling_markets": "small_collection_vehicle",
    "treatment_plants": "compression_truck",
}

#: Years of the plan (the Lianyungang ETDZ 无废城市 implementation plan runs 2023–2025).
PLAN_START_YEAR = 2023
PLAN_END_YEAR = 2025
PLAN_SOURCE = "Lianyungang ETDZ 无废城市 plan, 2023–2025"

#: 实施主体 of each kind's projects in the project list (assumption: the county bureau that
#: usually builds them; the Lianyungang ETDZ list names 城管 for refuse, 农业农村 for film).
IMPLEMENTERS: dict[str, str] = {
    "transfer_stations": "区城市管理局",
    "film_recycling_stations": "区农业农村局",
    "muck_disposal_sites": "区城市管理局",
    "muck_transfer_yards": "区城市管理局",
    "dropoff_points": "区商务局（供销社）",
    "collection_hubs": "区商务局（供销社）",
    "sorting_centers": "区商务局（供销社）",
    "recycling_markets": "区商务局（供销社）",
}

#: What each kind's project is called in the project list (项目名称 ends with it) and what
#: it builds (工程建设内容), in the words of the Lianyungang ETDZ list.
PROJECT_NAMES: dict[str, tuple[str, str]] = {
    "transfer_stations": ("垃圾中转站新建工程", "新建生活垃圾中转站"),
    "film_recycling_stations": ("废旧农膜代贮回收站建设", "新建废旧农膜代贮回收站"),
    "muck_disposal_sites": ("工程渣土消纳场建设", "新建工程渣土消纳场"),
    "muck_transfer_yards": ("建筑垃圾转运调配场建设", "新建建筑垃圾转运调配场"),
    "dropoff_points": ("可回收物投放点建设", "新建可回收物投放点"),
    "collection_hubs": ("再生资源归集点建设", "新建再生资源片区归集点"),
    "sorting_centers": ("再生资源分拣中心建设", "新建再生资源分拣中心"),
    "recycling_markets": ("再生资源市场建设", "新建再生资源交易市场"),
    "refit": ("垃圾中转站两网融合功能性改造", "增设可回收物、有害垃圾、厨余垃圾功能区，兼作再生资源归集点"),
}
#: A 两网融合 refit of a transfer station into a recyclables hub (Lianyungang ETDZ plan:
#: 中云垃圾中转站功能性改造, recyclables, hazardous and kitchen areas, 50 万元, 2023–2024).
REFIT_COST = Default(5.0e5, "yuan", "Lianyungang ETDZ plan: 中云垃圾中转站功能性改造 (两网融合), 50 万元")
#: Years from the start of works to service (建设期限), per kind (assumption: a transfer
#: station takes two years as in the Lianyungang list, smaller works one).
BUILD_YEARS: dict[str, int] = {"transfer_stations": 2, "muck_disposal_sites": 2, "sorting_centers": 2,
                               "recycling_markets": 2}

#: Plan indicators with a spatial reading (Lianyungang ETDZ 无废城市 plan targets). Each is the
#: share of ``demand_kind`` (by count, or weighted by a column) whose network distance, driven
#: with vehicle ``profile``, to a ``facility_kind`` is within ``[standards.<facility_kind>] <standard>``.
TARGETS: dict[str, dict[str, object]] = {
    "urban_sorting_coverage": {
        "label": "城市居民小区生活垃圾分类覆盖率 / urban residential sorting coverage",
        "year": 2024, "target": 1.00, "baseline_2022": 0.853, "facility_kind": "transfer_stations",
        "demand_kind": "residential_communities", "standard": "service_radius_m", "weight": "households",
        "profile": "small_collection_vehicle", "source": "Lianyungang ETDZ plan: 85.3% (2022) → 100% (2024)",
    },
    "rural_sorting_coverage": {
        "label": "农村地区生活垃圾分类覆盖率 / rural sorting coverage",
        "year": 2025, "target": 0.40, "baseline_2022": 0.375, "facility_kind": "transfer_stations",
        "demand_kind": "villages", "standard": "rural_service_radius_m", "weight": "count",
        "profile": "small_collection_vehicle", "source": "Lianyungang ETDZ plan: 37.5% (2022) → 40% (2025)",
    },
    "pesticide_packaging_coverage": {
        "label": "农药包装废弃物回收覆盖率 / pesticide-packaging collection coverage",
        "year": 2025, "target": 1.00, "baseline_2022": 1.00, "facility_kind": "film_recycling_stations",
        "demand_kind": "agri_input_shops", "standard": "service_radius_m", "weight": "count",
        "profile": "film_van", "source": "Lianyungang ETDZ plan: 100% → 100%",
    },
    "film_recovery_coverage": {
        "label": "废旧农膜回收网络覆盖率 / waste-film collection coverage",
        "year": 2025, "target": 0.95, "baseline_2022": None, "facility_kind": "film_recycling_stations",
        "demand_kind": "villages", "standard": "service_radius_m", "weight": "mulched_area_mu",
        "profile": "film_van", "source": "Lianyungang ETDZ plan: film recovery > 95%; weighted by mulched area",
    },
    "recyclables_dropoff_coverage": {
        "label": "可回收物投放点服务覆盖率 / recyclables drop-off coverage",
        "year": 2025, "target": 1.00, "baseline_2022": None, "facility_kind": "dropoff_points",
        "demand_kind": "residential_communities", "standard": "service_radius_m", "weight": "households",
        "profile": "small_collection_vehicle",
        "source": "assumption: level 1 of 四级两网 follows the 100% urban sorting-coverage target",
    },
    "muck_disposal_compliance": {
        "label": "工程渣土消纳场所规范设置率 / compliant muck disposal sites",
        "year": 2025, "target": 1.00, "baseline_2022": 0.0, "facility_kind": "muck_disposal_sites",
        "demand_kind": "construction_sites", "standard": "service_radius_m", "weight": "muck_volume_m3",
        "profile": "muck_truck",
        "source": "Lianyungang ETDZ plan: 0% (2022) → 100%; read as muck volume with a disposal site in haul range",
    },
}
