"""Layer kinds and their field schemas.

Each layer kind (居民小区, 垃圾中转站, 道路 …) has one :class:`LayerKind` with a Chinese and
English label, a role in the plan, the geometry it holds, and typed :class:`FieldSpec`
fields. Units are part of the field names (``capacity_t_per_d``, ``muck_volume_m3``) so a
column is never ambiguous once it leaves the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _dc_field
from types import MappingProxyType
from typing import Literal, Mapping

from layers.errors import GeoplanError

DType = Literal["str", "int", "float", "bool", "date", "hours", "list"]
Role = Literal["demand", "facility", "candidate", "area", "network"]

STATUS_VALUES: tuple[str, ...] = ("existing", "planned", "candidate")
"""Allowed ``status`` of a facility; absent or empty means ``existing``."""

STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {"existing": "现状 / existing", "planned": "规划 / planned", "candidate": "备选 / candidate"}
)

STATION_CLASSES: tuple[str, ...] = ("I", "II", "III", "IV", "V")

# Lower bounds in t/d of the transfer-station classes, CJJ/T 47-2016 (IV/V split unverified):
# I 1000–3000, II 450–1000, III 150–450, IV 50–150, V < 50.
_CLASS_LOWER_BOUNDS_T_PER_D: tuple[tuple[float, str], ...] = (
    (1000.0, "I"),
    (450.0, "II"),
    (150.0, "III"),
    (50.0, "IV"),
    (0.0, "V"),
)

WASTE_FRACTIONS: tuple[str, ...] = ("其他垃圾", "厨余垃圾", "可回收物", "有害垃圾")


@dataclass(frozen=True)
class FieldSpec:
    """One attribute field of a layer kind.

    Attributes
    ----------
    name : str
        Column name, with the unit in it where there is one.
    label_zh, label_en : str
        Labels a planner reads.
    dtype : {"str", "int", "float", "bool", "date", "hours", "list"}
        ``date`` is an ISO date (YYYY-MM-DD); ``hours`` a daily window such as
        ``"22:00-06:00"``; ``list`` a comma-separated list of names.
    required : bool
        Whether every row must have a value.
    unit : str or None
        Unit of a numeric field (e.g. ``"t/d"``, ``"m³"``).
    minimum : float or None
        Smallest allowed value; with ``exclusive_minimum`` the value must exceed it.
    plausible_max : float or None
        Largest value one row plausibly holds, in ``unit``; a value above it is kept but
        named in a warning (a slip of 万, of kg for t, or of a zero is the usual cause).
    choices : tuple of str or None
        Allowed values (for ``list`` fields: allowed items).
    aliases : mapping
        Other spellings accepted for a choice (e.g. ``"现状" -> "existing"``).
    default : object
        Value used when the field or a row's value is absent.
    """

    name: str
    label_zh: str
    label_en: str
    dtype: DType
    required: bool = False
    unit: str | None = None
    minimum: float | None = None
    exclusive_minimum: bool = False
    plausible_max: float | None = None
    choices: tuple[str, ...] | None = None
    aliases: Mapping[str, str] = _dc_field(default_factory=lambda: MappingProxyType({}))
    default: object = None

    @property
    def label(self) -> str:
        """Chinese label first, English beside, with the unit."""
        unit = f" ({self.unit})" if self.unit else ""
        return f"{self.label_zh} / {self.label_en}{unit}"


@dataclass(frozen=True)
class LayerKind:
    """The schema of one kind of layer.

    Attributes
    ----------
    name : str
        Kind name, also the default layer name inside a GeoPackage.
    label_zh, label_en : str
        Labels a planner reads.
    role : {"demand", "facility", "candidate", "area", "network"}
        What the layer is in a plan.
    geometry_types : tuple of str
        Accepted shapely geometry types.
    fields : tuple of FieldSpec
        All attribute fields, ``id`` first.
    capacity_field : str or None
        The field holding a facility's capacity, if the kind has one.
    """

    name: str
    label_zh: str
    label_en: str
    role: Role
    geometry_types: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    capacity_field: str | None = None

    @property
    def label(self) -> str:
        """Chinese label first, English beside."""
        return f"{self.label_zh} / {self.label_en}"

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``; ``KeyError`` if the kind has none."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


def station_class(capacity_t_per_d: float) -> str:
    """Transfer-station class from its design capacity.

    Parameters
    ----------
    capacity_t_per_d : float
        Design capacity in tonnes per day; must be positive.

    Returns
    -------
    str
        ``"I"`` (≥ 1000 t/d), ``"II"`` (450–1000), ``"III"`` (150–450), ``"IV"`` (50–150)
        or ``"V"`` (< 50), after CJJ/T 47-2016. Capacities above the standard's 3000 t/d
        ceiling are still class I.
    """
    cap = float(capacity_t_per_d)
    if not cap > 0:  # also refuses NaN
        raise GeoplanError(
            f"转运站规模必须为正数 / transfer-station capacity must be positive, got {capacity_t_per_d!r} t/d"
        )
    for lower, cls in _CLASS_LOWER_BOUNDS_T_PER_D:
        if cap >= lower:
            return cls
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------
# Field building blocks


def _id() -> FieldSpec:
    return FieldSpec("id", "编号", "id", "str", required=True)


def _name(required: bool = True) -> FieldSpec:
    return FieldSpec("name", "名称", "name", "str", required=required)


def _status() -> FieldSpec:
    return FieldSpec(
        "status",
        "状态",
        "status",
        "str",
        choices=STATUS_VALUES,
        aliases=MappingProxyType(
            {"现状": "existing", "已建": "existing", "规划": "planned", "新建": "planned", "备选": "candidate"}
        ),
        default="existing",
    )


def _qty(name: str, zh: str, en: str, unit: str, *, required: bool, positive: bool = False,
         dtype: DType = "float", plausible_max: float | None = None) -> FieldSpec:
    return FieldSpec(name, zh, en, dtype, required=required, unit=unit, minimum=0.0,
                     exclusive_minimum=positive, plausible_max=plausible_max)


# Plausible ceilings of one row (assumptions, each well above the largest such place or
# facility in China, so only a slip of unit or digits passes them): the largest single
# 小区 holds some 30 000 households; a 街道/镇 rarely 1 million people; the largest
# incineration plants take about 10 000 t/d; CJJ/T 47-2016 class I transfer stations
# end at 3000 t/d; 120 km/h is the highest speed limit on China's roads (road speeds above
# 150 km/h and weight limits above 200 t are read as slips too).
_MAX_DISTRICT_PERSONS = 3_000_000
_MAX_COMMUNITY_HOUSEHOLDS = 50_000
_MAX_COMMUNITY_PERSONS = 150_000
_MAX_VILLAGE_PERSONS = 50_000
_MAX_VILLAGE_HOUSEHOLDS = 20_000
_MAX_VILLAGE_MU = 500_000  # 亩: a very large village's farmland (333 km²)
_MAX_SHOP_KG_PER_YR = 1_000_000
_MAX_SITE_MUCK_M3 = 20_000_000  # the earthworks of an airport
_MAX_STATION_T_PER_D = 5_000
_MAX_PLANT_T_PER_D = 15_000
_MAX_FILM_STATION_T_PER_YR = 50_000
_MAX_DISPOSAL_M3 = 200_000_000
_MAX_CENTRE_T_PER_YR = 2_000_000
_MAX_DEPOT_VEHICLES = 3_000
_MAX_DROPOFF_T_PER_D = 50  # a kiosk or a 回收亭
_MAX_HUB_T_PER_D = 2_000
_MAX_DISPOSAL_M3_PER_D = 100_000
_MAX_MARKET_T_PER_YR = 5_000_000
_MAX_SITE_AREA_M2 = 2_000_000
_MAX_PROJECT_YUAN = 5e9  # 50 亿元: a whole incineration plant


def _fractions() -> FieldSpec:
    return FieldSpec(
        "fractions",
        "垃圾类别",
        "waste fractions",
        "list",
        choices=WASTE_FRACTIONS,
        aliases=MappingProxyType(
            {"residual": "其他垃圾", "other": "其他垃圾", "kitchen": "厨余垃圾", "food": "厨余垃圾",
             "recyclables": "可回收物", "recyclable": "可回收物", "hazardous": "有害垃圾",
             "湿垃圾": "厨余垃圾", "干垃圾": "其他垃圾"}
        ),
    )


_POINT = ("Point",)
_POLYGON = ("Polygon", "MultiPolygon")
_LINE = ("LineString", "MultiLineString")


def _facility(name: str, zh: str, en: str, *extra: FieldSpec, capacity_field: str | None = None) -> LayerKind:
    return LayerKind(name, zh, en, "facility", _POINT, (_id(), _name(), _status(), *extra), capacity_field)


_KINDS: list[LayerKind] = [
    LayerKind(
        "districts", "街道/镇", "district", "area", _POLYGON,
        (
            _id(), _name(),
            FieldSpec("district_type", "类型", "district type", "str", choices=("街道", "镇", "乡"),
                      aliases=MappingProxyType({"subdistrict": "街道", "town": "镇", "township": "乡"})),
            FieldSpec("urban", "城市地区", "urban", "bool"),
            _qty("population", "人口", "population", "persons", required=False, dtype="int",
                 plausible_max=_MAX_DISTRICT_PERSONS),
        ),
    ),
    LayerKind(
        "residential_communities", "居民小区", "residential community", "demand", _POINT,
        (
            _id(), _name(),
            _qty("households", "户数", "households", "households", required=True, dtype="int",
                 plausible_max=_MAX_COMMUNITY_HOUSEHOLDS),
            _qty("population", "人口", "population", "persons", required=True, dtype="int",
                 plausible_max=_MAX_COMMUNITY_PERSONS),
        ),
    ),
    LayerKind(
        "villages", "行政村", "village", "demand", _POINT,
        (
            _id(), _name(),
            _qty("population", "人口", "population", "persons", required=True, dtype="int",
                 plausible_max=_MAX_VILLAGE_PERSONS),
            _qty("households", "户数", "households", "households", required=True, dtype="int",
                 plausible_max=_MAX_VILLAGE_HOUSEHOLDS),
            _qty("mulched_area_mu", "覆膜面积", "mulched area", "亩 mu", required=True, plausible_max=_MAX_VILLAGE_MU),
            _qty("farmland_mu", "耕地面积", "farmland", "亩 mu", required=False, plausible_max=_MAX_VILLAGE_MU),
        ),
    ),
    LayerKind(
        "agri_input_shops", "农资经销店", "agri-input shop", "demand", _POINT,
        (
            _id(), _name(),
            _qty("film_sales_kg_per_yr", "农膜销售量", "film sales", "kg/yr", required=False,
                 plausible_max=_MAX_SHOP_KG_PER_YR),
            _qty("pesticide_packaging_kg_per_yr", "农药包装废弃物", "pesticide packaging", "kg/yr",
                 required=False, plausible_max=_MAX_SHOP_KG_PER_YR),
        ),
    ),
    LayerKind(
        "construction_sites", "工地", "construction site", "demand", _POINT,
        (
            _id(), _name(),
            _qty("muck_volume_m3", "渣土量", "muck volume", "m³", required=True, plausible_max=_MAX_SITE_MUCK_M3),
            FieldSpec("start_date", "开工日期", "start date", "date"),
            FieldSpec("end_date", "完工日期", "end date", "date"),
        ),
    ),
    _facility(
        "transfer_stations", "垃圾中转站", "transfer station",
        _qty("capacity_t_per_d", "设计规模", "capacity", "t/d", required=True, positive=True,
             plausible_max=_MAX_STATION_T_PER_D),
        FieldSpec("station_class", "规模类别", "station class", "str", choices=STATION_CLASSES,
                  aliases=MappingProxyType({"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V",
                                            "Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V"})),
        _fractions(),
        _qty("current_load_t_per_d", "现状转运量", "current load", "t/d", required=False,
             plausible_max=_MAX_STATION_T_PER_D),
        capacity_field="capacity_t_per_d",
    ),
    _facility(
        "film_recycling_stations", "农膜回收站", "film recycling station",
        _qty("capacity_t_per_yr", "回收能力", "capacity", "t/yr", required=True, positive=True,
             plausible_max=_MAX_FILM_STATION_T_PER_YR),
        FieldSpec("level", "层级", "level", "str", choices=("township", "village"),
                  aliases=MappingProxyType({"乡镇": "township", "镇": "township", "街道": "township",
                                            "村": "village", "村级": "village", "乡镇级": "township"})),
        capacity_field="capacity_t_per_yr",
    ),
    _facility(
        "muck_disposal_sites", "渣土消纳场", "muck disposal site",
        _qty("capacity_m3", "消纳容量", "capacity", "m³", required=True, positive=True,
             plausible_max=_MAX_DISPOSAL_M3),
        _qty("intake_m3_per_d", "日受纳能力", "daily intake", "m³/d", required=False, positive=True,
             plausible_max=_MAX_DISPOSAL_M3_PER_D),
        FieldSpec("opening_hours", "受纳时段", "opening hours", "hours"),
        capacity_field="capacity_m3",
    ),
    _facility(
        "muck_transfer_yards", "建筑垃圾转运调配场", "muck transfer yard",
        _qty("capacity_t_per_d", "设计规模", "capacity", "t/d", required=True, positive=True,
             plausible_max=_MAX_STATION_T_PER_D),
        capacity_field="capacity_t_per_d",
    ),
    _facility(
        "dropoff_points", "可回收物投放点", "recyclables drop-off point",
        _qty("capacity_t_per_d", "设计规模", "capacity", "t/d", required=False, positive=True,
             plausible_max=_MAX_DROPOFF_T_PER_D),
        capacity_field="capacity_t_per_d",
    ),
    _facility(
        "collection_hubs", "片区归集点", "collection hub",
        _qty("capacity_t_per_d", "设计规模", "capacity", "t/d", required=True, positive=True,
             plausible_max=_MAX_HUB_T_PER_D),
        capacity_field="capacity_t_per_d",
    ),
    _facility(
        "sorting_centers", "市级分拣中心", "sorting centre",
        _qty("capacity_t_per_yr", "分拣能力", "capacity", "t/yr", required=True, positive=True,
             plausible_max=_MAX_CENTRE_T_PER_YR),
        _qty("site_area_m2", "占地面积", "site area", "m²", required=False, positive=True,
             plausible_max=_MAX_SITE_AREA_M2),
        capacity_field="capacity_t_per_yr",
    ),
    _facility(
        "recycling_markets", "再生资源市场", "recycled-resource market",
        _qty("capacity_t_per_yr", "交易能力", "capacity", "t/yr", required=False, positive=True,
             plausible_max=_MAX_MARKET_T_PER_YR),
        capacity_field="capacity_t_per_yr",
    ),
    _facility(
        "treatment_plants", "处理厂", "treatment plant",
        _qty("capacity_t_per_d", "处理规模", "capacity", "t/d", required=True, positive=True,
             plausible_max=_MAX_PLANT_T_PER_D),
        FieldSpec("plant_type", "处理方式", "plant type", "str", required=True,
                  choices=("incineration", "kitchen_waste", "landfill", "recyclables"),
                  aliases=MappingProxyType({"焚烧": "incineration", "焚烧厂": "incineration",
                                            "厨余": "kitchen_waste", "厨余垃圾": "kitchen_waste",
                                            "填埋": "landfill", "填埋场": "landfill",
                                            "可回收物": "recyclables"})),
        _fractions(),
        capacity_field="capacity_t_per_d",
    ),
    _facility(
        "depots", "车辆停保场", "vehicle depot",
        _qty("vehicle_count", "车辆数", "vehicle count", "vehicles", required=False, dtype="int",
             plausible_max=_MAX_DEPOT_VEHICLES),
    ),
]

FACILITY_KINDS: tuple[str, ...] = tuple(k.name for k in _KINDS if k.role == "facility")
"""Names of the facility kinds (the ones with a ``status``)."""

DEMAND_KINDS: tuple[str, ...] = tuple(k.name for k in _KINDS if k.role == "demand")
"""Names of the demand kinds (what facilities serve)."""

_KINDS += [
    LayerKind(
        "candidate_sites", "备选站址", "candidate site", "candidate", _POINT,
        (
            _id(), _name(),
            FieldSpec("facility_kind", "设施类型", "facility kind", "str", required=True,
                      choices=FACILITY_KINDS),
            _qty("fixed_cost_yuan", "建设费用", "fixed cost", "元 yuan", required=True, plausible_max=_MAX_PROJECT_YUAN),
            # In the capacity unit of the facility kind named in facility_kind.
            _qty("capacity", "设计规模", "capacity", "unit of facility_kind", required=False,
                 positive=True),
            _qty("land_m2", "用地面积", "land", "m²", required=False, plausible_max=_MAX_SITE_AREA_M2),
            FieldSpec("origin", "来源", "origin", "str"),
        ),
        capacity_field="capacity",
    ),
    LayerKind(
        "roads", "道路", "road", "network", _LINE,
        (
            _id(), _name(required=False),
            FieldSpec("road_class", "道路等级", "road class", "str",
                      choices=("expressway", "arterial", "collector", "local", "track"),
                      aliases=MappingProxyType({"快速路": "expressway", "高速": "expressway",
                                                "主干路": "arterial", "次干路": "collector",
                                                "支路": "local", "机耕路": "track", "村道": "track"}),
                      default="local"),
            _qty("speed_kmh", "车速", "speed", "km/h", required=False, positive=True, plausible_max=150.0),
            FieldSpec("oneway", "单行", "one-way", "bool"),
            FieldSpec("elevated", "高架", "elevated", "bool"),
            FieldSpec("tunnel", "隧道", "tunnel", "bool"),
            _qty("max_weight_t", "限重", "weight limit", "t", required=False, positive=True, plausible_max=200.0),
        ),
    ),
    LayerKind(
        "water", "水域", "water", "area", _POLYGON,
        (_id(), _name(required=False)),
    ),
    LayerKind(
        "restricted_zones", "限行区", "restricted zone", "network", _POLYGON,
        (
            _id(), _name(),
            FieldSpec("barred_profiles", "禁行车型", "barred vehicle profiles", "list", required=True),
        ),
    ),
]

LAYER_KINDS: dict[str, LayerKind] = {k.name: k for k in _KINDS}
"""Every layer kind by name."""


def get_kind(name: str | LayerKind) -> LayerKind:
    """The layer kind called ``name``.

    Raises
    ------
    GeoplanError
        If there is no such kind; the message lists the valid ones.
    """
    if isinstance(name, LayerKind):
        return name
    try:
        return LAYER_KINDS[name]
    except KeyError:
        valid = ", ".join(f"{k} ({v.label_zh})" for k, v in LAYER_KINDS.items())
        raise GeoplanError(
            f"未知图层类型 / unknown layer kind {name!r}; use one of: {valid}"
        ) from None
