"""Layers uploaded in the browser: read and validated as ``geoplan validate`` does, never kept."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

import layers
from layers.errors import GeoplanError, Issue, LayerValidationError
from geoplan.app.files import safe_file_name
from geoplan.scenario import Scenario

#: File types a single upload can hold (a Shapefile needs its side files, so it is not offered).
UPLOAD_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv")


@dataclass
class UploadCheck:
    """What validating one uploaded layer found.

    Attributes
    ----------
    layer : GeoDataFrame or None
        The layer in the scenario's metric CRS, or None when it has errors.
    issues : list of Issue
        Row-level errors and warnings, naming the uploaded file as the planner named it,
        plus points farther than ``[network] max_snap_m`` from the roads.
    """

    layer: gpd.GeoDataFrame | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def check_upload(scenario: Scenario, data: bytes, file_name: str, kind: str) -> UploadCheck:
    """Validate an uploaded layer of ``kind`` against its schema and the road network.

    The bytes go to a private temporary folder that is removed afterwards; only the
    suffix of ``file_name`` is used, so the name cannot point anywhere.

    Raises
    ------
    GeoplanError
        Unknown kind or a file type other than :data:`UPLOAD_SUFFIXES`.
    """
    layers.get_kind(kind)
    suffix = Path(str(file_name)).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise GeoplanError(f"{file_name}: upload a {', '.join(UPLOAD_SUFFIXES)} file")
    shown = f"{safe_file_name(Path(str(file_name)).stem, 'upload')}{suffix}"
    with tempfile.TemporaryDirectory(prefix="geoplan-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            gdf = layers.read_layer(path, kind, to_crs=scenario.metric_epsg)
        except LayerValidationError as exc:
            return UploadCheck(None, [_rename(i, str(path), shown) for i in exc.issues])
        except GeoplanError as exc:
            return UploadCheck(None, [Issue(shown, kind, None, None, str(exc).replace(str(path), shown))])
    issues = [_rename(i, str(path), shown) for i in gdf.attrs.get("issues", [])]
    if len(gdf) and (gdf.geom_type == "Point").all():
        issues += scenario.road_network.snap_issues(gdf, file=shown, layer=kind,
                                                    max_snap_m=scenario.network_settings.max_snap_m)
    has_errors = any(i.severity == "error" for i in issues)
    return UploadCheck(None if has_errors else gdf, issues)


def _rename(issue: Issue, temp: str, shown: str) -> Issue:
    return Issue(shown if issue.file == temp else issue.file.replace(temp, shown), issue.layer, issue.row_id,
                 issue.field, issue.problem.replace(temp, shown), issue.fix, issue.severity)
