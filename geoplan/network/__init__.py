"""The road network: build from OSM or a roads layer, snap, travel costs, paths, service areas."""

from .costs import TravelCosts
from .graph import RoadNetwork
from .pruning import DroppedParts
from .osm import HIGHWAY_CLASSES, parse_maxspeed
from .paths import Path
from .profiles import (
    COMPRESSION_TRUCK,
    DEFAULT_PROFILES,
    FILM_VAN,
    MUCK_TRUCK,
    ROAD_CLASSES,
    SMALL_COLLECTION_VEHICLE,
    VehicleProfile,
)
from .snapping import SnapResult

__all__ = [
    "COMPRESSION_TRUCK",
    "DEFAULT_PROFILES",
    "FILM_VAN",
    "HIGHWAY_CLASSES",
    "MUCK_TRUCK",
    "ROAD_CLASSES",
    "SMALL_COLLECTION_VEHICLE",
    "DroppedParts",
    "Path",
    "RoadNetwork",
    "SnapResult",
    "TravelCosts",
    "VehicleProfile",
    "parse_maxspeed",
]
