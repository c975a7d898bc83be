"""How bureaus name their columns: the Chinese and English names recognised for each schema field.

A planner's spreadsheet says 小区名称, 户数, 经度 where a layer kind's schema says ``name``,
``households``, ``lon``. :func:`guess_fields` maps what it recognises; ``geoplan init``
writes the mapping into ``scenario.toml`` for the planner to check, and a layer source's
``fields`` table overrides it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from layers.schemas import get_kind

#: Longitude / latitude column names recognised in a table (any letter case).
LON_FIELD_NAMES = ("lon", "lng", "long", "longitude", "经度", "东经", "x坐标", "x")
LAT_FIELD_NAMES = ("lat", "latitude", "纬度", "北纬", "y坐标", "y")

#: Other names of each schema field, besides the field's own name and its Chinese label.
FIELD_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "id": ("编号", "编码", "代码", "序号", "code", "no", "fid", "objectid"),
    "name": ("名称", "小区名称", "小区名", "村名", "村庄名称", "行政村", "站点名称", "设施名称", "店名", "工地名称",
             "项目名称", "街道名称", "乡镇名称", "镇名", "name", "title"),
    "households": ("户数", "住户数", "总户数", "居民户数", "hh", "households"),
    "population": ("人口", "人口数", "常住人口", "户籍人口", "居住人口", "人数", "pop", "population"),
    "mulched_area_mu": ("覆膜面积", "地膜覆盖面积", "覆膜面积(亩)", "覆膜面积亩", "mulched_mu"),
    "farmland_mu": ("耕地面积", "耕地面积(亩)", "耕地", "耕地亩数", "farmland"),
    "capacity_t_per_d": ("设计规模", "处理能力", "日处理能力", "规模(吨/日)", "转运能力", "capacity"),
    "status": ("状态", "现状/规划", "建设状态"),
    "muck_volume_m3": ("渣土量", "渣土方量", "出土量", "土方量", "muck_m3"),
    "start_date": ("开工日期", "开工时间", "start"),
    "end_date": ("完工日期", "竣工日期", "完工时间", "end"),
    "vehicle_count": ("车辆数", "车辆数量", "车数", "vehicles"),
    "film_sales_kg_per_yr": ("农膜销售量", "农膜销量", "地膜销量"),
    "fixed_cost_yuan": ("建设费用", "投资", "造价", "cost"),
    "facility_kind": ("设施类型", "类型"),
    "district_type": ("类型", "街镇类型"),
}


def _norm(text: object) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")


def guess_fields(columns: Iterable[object], kind: str) -> dict[str, str]:
    """Schema field → the column that holds it, for the columns recognised.

    A column matches a field by the field's name, its Chinese label or a name in
    :data:`FIELD_SYNONYMS` (spaces and letter case ignored); each column serves one field,
    the first field (in schema order) that claims it.
    """
    spec = get_kind(kind)
    by_norm = {_norm(c): str(c) for c in columns}
    taken: set[str] = set()
    out: dict[str, str] = {}
    for f in spec.fields:
        for name in (f.name, f.label_zh, *FIELD_SYNONYMS.get(f.name, ())):
            column = by_norm.get(_norm(name))
            if column is not None and column not in taken:
                out[f.name] = column
                taken.add(column)
                break
    return out


def find_coordinate_column(columns: Iterable[object], names: tuple[str, ...]) -> str | None:
    """The first column named like one of ``names`` (case and spaces ignored), or None."""
    by_norm = {_norm(c): str(c) for c in columns}
    for name in names:
        if _norm(name) in by_norm:
            return by_norm[_norm(name)]
    return None


# 119°14′30″E, 119°14'30.5", 119度14分30秒, 34°34.5′N: degrees, then minutes, then seconds
_DMS = re.compile(
    r"^\s*(?P<d>\d+(?:\.\d+)?)\s*[°度]\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*['′’分]\s*)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:[\"″”秒]|'')\s*)?"
    r"(?P<h>[NSEWnsew东西南北])?\s*$"
)


def degrees(text: object) -> float:
    """A coordinate as decimal degrees: a number, or degrees-minutes-seconds text.

    ``"119.2417"`` → 119.2417; ``"119°14′30″E"``, ``"119度14分30秒"`` → 119.2417; a
    hemisphere S/W (南/西) makes it negative. Anything else is NaN.
    """
    if text is None:
        return math.nan
    if isinstance(text, (int, float)):
        return float(text)
    raw = str(text).strip()
    try:
        return float(raw)
    except ValueError:
        pass
    m = _DMS.match(raw)
    if m is None:
        return math.nan
    value = float(m["d"]) + float(m["m"] or 0) / 60.0 + float(m["s"] or 0) / 3600.0
    return -value if (m["h"] or "").upper() in ("S", "W", "南", "西") else value
