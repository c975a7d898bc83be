"""The 四级两网 recycling hierarchy.

Recyclables move up four levels: 可回收物投放点 (drop-off point, in the community) →
片区归集点 (district collection hub) → 市级分拣中心 (city sorting centre) →
再生资源市场 (recycled-resource market). Each level is one layer kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from layers.errors import GeoplanError


@dataclass(frozen=True)
class RecyclingLevel:
    """One level of the recycling network.

    Attributes
    ----------
    order : int
        1 for the lowest level (drop-off points) up to 4 (markets).
    kind : str
        The layer kind holding this level's facilities.
    label_zh, label_en : str
        Labels a planner reads.
    """

    order: int
    kind: str
    label_zh: str
    label_en: str

    @property
    def label(self) -> str:
        return f"{self.label_zh} / {self.label_en}"


RECYCLING_LEVELS: tuple[RecyclingLevel, ...] = (
    RecyclingLevel(1, "dropoff_points", "可回收物投放点", "drop-off point"),
    RecyclingLevel(2, "collection_hubs", "片区归集点", "collection hub"),
    RecyclingLevel(3, "sorting_centers", "市级分拣中心", "city sorting centre"),
    RecyclingLevel(4, "recycling_markets", "再生资源市场", "recycled-resource market"),
)
"""The four levels, lowest first."""


def level_of(kind: str) -> RecyclingLevel:
    """The recycling level held by layer kind ``kind``."""
    for level in RECYCLING_LEVELS:
        if level.kind == kind:
            return level
    valid = ", ".join(level.kind for level in RECYCLING_LEVELS)
    raise GeoplanError(f"{kind!r} 不属于四级回收网络 / is not a recycling level; use one of: {valid}")


def next_level(kind: str) -> RecyclingLevel | None:
    """The level that ``kind`` delivers to, or None for the top level (markets)."""
    order = level_of(kind).order
    return RECYCLING_LEVELS[order] if order < len(RECYCLING_LEVELS) else None
