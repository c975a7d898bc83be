"""Chinese place names for the demo county.

Names are drawn from fixed word lists with the generator's own random state, so the
same seed gives the same names. They are invented: any likeness to a real place is
a coincidence of common words.
"""

from __future__ import annotations

import numpy as np

COUNTY_NAME = "东海湾示范县"
COUNTY_NAME_EN = "Donghaiwan Demo County"

_COMMUNITY_FIRST = list("锦绣华润翠阳光明和平安康宁泰金盛福瑞祥嘉禾丰新城东湖西苑南山北海春晖秋实滨河汇景凤凰紫荆兰桂")
_COMMUNITY_SUFFIX = ["花园", "小区", "新村", "家园", "名苑", "雅苑", "公寓", "佳苑", "府", "嘉园", "里", "社区"]
_SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
_VILLAGE_SUFFIX = ["庄村", "集村", "圩村", "湾村", "营村", "桥村", "河村", "岭村", "塘村", "港村", "沟村", "楼村"]
_SHOP_SUFFIX = ["农资经营部", "农资店", "农资超市", "种子化肥店", "农资服务站"]
_SITE_PREFIX = ["安置房", "商住楼", "学校扩建", "道路改造", "厂房", "棚户区改造", "综合体", "医院", "污水管网", "安居工程"]


def _pick(rng: np.random.Generator, words: list[str], k: int = 1) -> str:
    return "".join(words[i] for i in rng.integers(0, len(words), size=k))


def unique_names(make, n: int, rng: np.random.Generator) -> list[str]:
    """Draw ``n`` distinct names from ``make(rng)``, numbering repeats (二期, 三期 …)."""
    seen: dict[str, int] = {}
    out = []
    for _ in range(n):
        name = make(rng)
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}{_ordinal(count + 1)}期")
    return out


def _ordinal(k: int) -> str:
    digits = "零一二三四五六七八九"
    return digits[k] if k < 10 else f"十{digits[k - 10]}" if k < 20 else str(k)


def community_name(rng: np.random.Generator) -> str:
    return _pick(rng, _COMMUNITY_FIRST, 2) + _pick(rng, _COMMUNITY_SUFFIX)


def village_name(rng: np.random.Generator) -> str:
    return _pick(rng, _SURNAMES) + _pick(rng, _SURNAMES) + _pick(rng, _VILLAGE_SUFFIX)


def shop_name(rng: np.random.Generator) -> str:
    return _pick(rng, _SURNAMES) + "记" + _pick(rng, _SHOP_SUFFIX)


def construction_site_name(rng: np.random.Generator) -> str:
    return _pick(rng, _COMMUNITY_FIRST, 2) + _pick(rng, _SITE_PREFIX) + "项目"
