"""Facility and collection-point layers: schemas, readers and writers, CRS, validation.

Every layer kind (居民小区, 垃圾中转站, 道路 …) has a schema in :data:`LAYER_KINDS`;
:func:`read_layer` reads a file into a validated GeoDataFrame in a metric CRS and names the
file, layer, row id and field of every problem it finds.
"""

from layers.crs import area_metric_crs, check_input_crs, is_gcj02, metric_crs_for, to_lonlat
from layers.encoding import detect_encoding, shapefile_encoding
from layers.errors import GeoplanError, Issue, LayerValidationError
from layers.formats import layer_format
from layers.gcj02 import gcj02_to_wgs84, in_china, wgs84_to_gcj02
from layers.hierarchy import RECYCLING_LEVELS, RecyclingLevel, level_of, next_level
from layers.readers import read_layer, read_layers
from layers.schemas import (
    DEMAND_KINDS,
    FACILITY_KINDS,
    LAYER_KINDS,
    STATION_CLASSES,
    STATUS_LABELS,
    STATUS_VALUES,
    WASTE_FRACTIONS,
    FieldSpec,
    LayerKind,
    get_kind,
    station_class,
)
from layers.validation import validate_layer
from layers.writers import write_layer, write_layers

__all__ = [
    "DEMAND_KINDS",
    "FACILITY_KINDS",
    "LAYER_KINDS",
    "RECYCLING_LEVELS",
    "STATION_CLASSES",
    "STATUS_LABELS",
    "STATUS_VALUES",
    "WASTE_FRACTIONS",
    "FieldSpec",
    "GeoplanError",
    "Issue",
    "LayerKind",
    "LayerValidationError",
    "RecyclingLevel",
    "area_metric_crs",
    "check_input_crs",
    "detect_encoding",
    "gcj02_to_wgs84",
    "get_kind",
    "in_china",
    "is_gcj02",
    "layer_format",
    "level_of",
    "metric_crs_for",
    "next_level",
    "read_layer",
    "read_layers",
    "shapefile_encoding",
    "station_class",
    "to_lonlat",
    "validate_layer",
    "wgs84_to_gcj02",
    "write_layer",
    "write_layers",
]
