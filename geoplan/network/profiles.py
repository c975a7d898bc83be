"""Vehicle profiles: which roads a vehicle may use and how fast it drives on them.

A profile gives a planning speed per road class. An edge's own speed limit
(``speed_kmh`` of the roads layer, ``maxspeed`` in OSM) caps the profile speed, so a
truck never runs faster than the posted limit. Speeds are average operating speeds
for planning (including junctions and traffic), not top speeds.

Legal context for the defaults (Regulations for the Implementation of the Road
Traffic Safety Law of the PRC, 2017 revision): art. 45 caps roads without a centre
line at 30 km/h in cities and 40 km/h on highways, single-lane-each-way roads at
50 / 70 km/h; art. 78 caps trucks at 100 km/h on expressways and sets a 60 km/h
minimum there. The figures below stay well inside these caps; each is an assumption
a scenario may override.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from layers.errors import GeoplanError

#: Road classes of the ``roads`` layer, in the order used for integer codes. ``track`` is
#: the unpaved village and field road (OSM ``highway=track``, 机耕路) film vans use.
ROAD_CLASSES: tuple[str, ...] = ("expressway", "arterial", "collector", "local", "track")

#: Chinese labels of the road classes (planner-facing).
ROAD_CLASS_LABELS_ZH: Mapping[str, str] = MappingProxyType(
    {"expressway": "快速路/高速公路", "arterial": "主干路", "collector": "次干路", "local": "支路", "track": "机耕路/村道"}
)


@dataclass(frozen=True)
class VehicleProfile:
    """How one vehicle type uses the road network.

    Attributes
    ----------
    name : str
        Identifier used in scenarios and in ``barred_profiles`` of restricted zones.
    label_zh, label_en : str
        Planner-facing labels.
    speed_kmh : Mapping[str, float]
        Planning speed in km/h for each road class in :data:`ROAD_CLASSES`; a profile
        given without ``track`` drives tracks at half its local-street speed.
    barred_road_classes : frozenset of str
        Road classes this vehicle may not use at all.
    barred_tags : frozenset of str
        Road tags (:data:`~geoplan.network.edge_table.TAG_BITS`: elevated, tunnel, private,
        no_hgv) this vehicle may not use.
    gross_weight_t : float or None
        Loaded weight, tonnes: roads whose weight limit (``maxweight``) is lower are barred.
    """

    name: str
    label_zh: str
    label_en: str
    speed_kmh: Mapping[str, float]
    barred_road_classes: frozenset[str] = field(default_factory=frozenset)
    barred_tags: frozenset[str] = field(default_factory=frozenset)
    gross_weight_t: float | None = None

    def __post_init__(self) -> None:
        from .edge_table import TAG_BITS

        speeds = dict(self.speed_kmh)
        if "track" not in speeds and "local" in speeds:
            speeds["track"] = speeds["local"] / 2.0
        missing = [c for c in ROAD_CLASSES if c not in speeds]
        unknown = [c for c in speeds if c not in ROAD_CLASSES]
        bad_barred = [c for c in self.barred_road_classes if c not in ROAD_CLASSES]
        if missing or unknown or bad_barred:
            raise GeoplanError(
                f"vehicle profile {self.name!r}: speeds must be given for exactly the road classes "
                f"{', '.join(ROAD_CLASSES)} (missing {missing}, unknown {unknown + bad_barred})"
            )
        bad_tags = [t for t in self.barred_tags if t not in TAG_BITS]
        if bad_tags:
            raise GeoplanError(f"vehicle profile {self.name!r}: unknown road tags {bad_tags}; use {', '.join(TAG_BITS)}")
        slow = [c for c, v in speeds.items() if not v > 0]
        if slow:
            raise GeoplanError(
                f"vehicle profile {self.name!r}: speed_kmh must be > 0 km/h for {', '.join(slow)}"
            )
        object.__setattr__(self, "speed_kmh", MappingProxyType(speeds))
        object.__setattr__(self, "barred_road_classes", frozenset(self.barred_road_classes))
        object.__setattr__(self, "barred_tags", frozenset(self.barred_tags))

    @property
    def label(self) -> str:
        """Chinese label with the English one beside, e.g. ``"渣土车 (muck truck)"``."""
        return f"{self.label_zh} ({self.label_en})"

    @property
    def local_speed_kmh(self) -> float:
        """Speed on local roads in km/h (used for the last metres to a road)."""
        return float(self.speed_kmh["local"])

    def stretch_cost(self, metres, weight: str):
        """Cost of the straight stretch between a point and the road: its metres, or in seconds
        those metres driven at :attr:`local_speed_kmh` (a yard lane or the last metres of a street)."""
        if weight == "metres":
            return metres
        if weight == "seconds":
            return metres / (self.local_speed_kmh / 3.6)
        raise GeoplanError(f"unknown weight {weight!r}: use metres or seconds")


# All default speeds are assumptions (no national figure); see the module docstring
# for the legal caps they respect.
#: What collection vehicles keep off by default: 高架 (viaducts), tunnels (assumption: city
#: rules keep refuse vehicles off elevated roads and tunnels, where they cannot stop).
COLLECTION_BARRED_TAGS = frozenset({"elevated", "tunnel"})

COMPRESSION_TRUCK = VehicleProfile(
    name="compression_truck",
    label_zh="压缩式垃圾车",
    label_en="compression garbage truck",
    # Assumption: loaded 8–18 t rear loader stopping at collection points; urban
    # average speeds of heavy municipal trucks. Kept off expressways, viaducts and
    # tunnels (where it cannot stop), compound roads and roads closed to trucks;
    # 18 t loaded (an 8 t payload on a 10 t chassis).
    speed_kmh={"expressway": 60.0, "arterial": 35.0, "collector": 25.0, "local": 15.0, "track": 8.0},
    barred_road_classes=frozenset({"expressway", "track"}),
    barred_tags=COLLECTION_BARRED_TAGS | {"private", "no_hgv"},
    gross_weight_t=18.0,
)

SMALL_COLLECTION_VEHICLE = VehicleProfile(
    name="small_collection_vehicle",
    label_zh="小型收集车",
    label_en="small collection vehicle",
    # Assumption: small (often electric, low-speed) bin collection vehicles; many
    # cities keep them off expressways, viaducts and tunnels, hence the bars. They do
    # enter compound roads (access=private) to reach the bins.
    speed_kmh={"expressway": 40.0, "arterial": 30.0, "collector": 20.0, "local": 12.0, "track": 8.0},
    barred_road_classes=frozenset({"expressway"}),
    barred_tags=COLLECTION_BARRED_TAGS,
    gross_weight_t=4.5,
)

MUCK_TRUCK = VehicleProfile(
    name="muck_truck",
    label_zh="渣土车",
    label_en="muck truck",
    # Assumption: loaded dump truck driving at night on approved routes (lighter
    # traffic than daytime, but speed-limited by city rules on construction trucks);
    # 31 t, the GB 1589-2016 limit of a four-axle rigid truck.
    speed_kmh={"expressway": 60.0, "arterial": 40.0, "collector": 30.0, "local": 20.0, "track": 10.0},
    barred_tags=frozenset({"private", "no_hgv"}),
    gross_weight_t=31.0,
)

FILM_VAN = VehicleProfile(
    name="film_van",
    label_zh="农膜收集车",
    label_en="farm-film collection van",
    # Assumption: light van on rural county roads between villages and townships, on
    # village tracks too.
    speed_kmh={"expressway": 80.0, "arterial": 50.0, "collector": 40.0, "local": 25.0, "track": 15.0},
    barred_tags=frozenset({"private"}),
    gross_weight_t=3.5,
)

#: Default profiles by name.
DEFAULT_PROFILES: Mapping[str, VehicleProfile] = MappingProxyType(
    {p.name: p for p in (COMPRESSION_TRUCK, SMALL_COLLECTION_VEHICLE, MUCK_TRUCK, FILM_VAN)}
)


def resolve_profiles(
    profiles: Mapping[str, VehicleProfile] | list[VehicleProfile] | tuple[VehicleProfile, ...] | None,
) -> dict[str, VehicleProfile]:
    """Return profiles keyed by name; ``None`` gives :data:`DEFAULT_PROFILES`."""
    if profiles is None:
        return dict(DEFAULT_PROFILES)
    items = list(profiles.values()) if isinstance(profiles, Mapping) else list(profiles)
    if not items:
        raise GeoplanError("no vehicle profiles given: pass at least one VehicleProfile or None for the defaults")
    return {p.name: p for p in items}
