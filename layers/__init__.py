"""Facility and collection-point layers: schemas, readers and writers, CRS, validation.

Every layer kind (居民小区, 垃圾中转站, 道路 …) has a schema in :data:`LAYER_KINDS`;
:func:`read_layer` reads a file into a validated GeoDataFrame in a metric CRS and names the
file, layer, row id and field of every problem it finds.
"""

from layers.bd09 import bd09_to_gcj02, bd09_to_wgs84, gcj02_to_bd09, wgs84_to_bd09
from layers.crs import area_metric_crs, check_input_crs, is_gcj02, metric_crs_for, shifted_crs, to_lonlat
from layers.columns import FIELD_SYNONYMS, degrees, guess_fields
from layers.encoding import detect_encoding, shapefile_encoding
from layers.errors import GeoplanError, Issue, LayerValidationError
from layers.estimates import Estimate, EstimateRules, estimate_missing
from layers.formats import TABLE_FORMATS, layer_format
from layers.gcj02 import gcj02_to_wgs84, in_china, wgs84_to_gcj02
from layers.hierarchy import RECYCLING_LEVELS, RecyclingLevel, level_of, next_level
from layers.files import readable_file, reading, writable_file, writable_folder
from layers.readers import (LayerFile, check_layer, check_shapefile_parts, gpkg_layer_names, inspect_layer, read_layer, read_layers,
                            rename_fields)
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
from layers.writers import atomic_path, note_created, write_layer, write_layers, written_together

__all__ = [
    "DEMAND_KINDS",
    "Estimate",
    "EstimateRules",
    "FIELD_SYNONYMS",
    "FACILITY_KINDS",
    "LAYER_KINDS",
    "RECYCLING_LEVELS",
    "STATION_CLASSES",
    "STATUS_LABELS",
    "STATUS_VALUES",
    "TABLE_FORMATS",
    "WASTE_FRACTIONS",
    "FieldSpec",
    "GeoplanError",
    "Issue",
    "LayerFile",
    "LayerKind",
    "LayerValidationError",
    "RecyclingLevel",
    "area_metric_crs",
    "atomic_path",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "check_input_crs",
    "check_layer",
    "check_shapefile_parts",
    "degrees",
    "detect_encoding",
    "estimate_missing",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "get_kind",
    "gpkg_layer_names",
    "guess_fields",
    "in_china",
    "inspect_layer",
    "is_gcj02",
    "layer_format",
    "level_of",
    "metric_crs_for",
    "next_level",
    "note_created",
    "read_layer",
    "read_layers",
    "readable_file",
    "reading",
    "rename_fields",
    "shapefile_encoding",
    "shifted_crs",
    "station_class",
    "to_lonlat",
    "validate_layer",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
    "writable_file",
    "writable_folder",
    "write_layer",
    "write_layers",
    "written_together",
]
