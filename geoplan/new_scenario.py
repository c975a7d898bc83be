"""``geoplan init``: a scenario folder written around a planner's own files.

The planner brings a road source (an OSM extract or a roads layer), a boundary (the
districts) and any layer files — a spreadsheet of 小区 with coordinates picked on AMap, a
GBK Shapefile of candidate sites, a CSV of depots. :func:`init_scenario` copies them into
``<folder>/data/``, recognises their columns (:func:`layers.guess_fields`), picks the
area's CGCS2000 3° zone, and writes ``scenario.toml`` with every standard and target and
the column mapping spelled out for the planner to correct, plus an import report (text and
JSON): per layer, the rows read, the fields mapped, the coordinates converted, the values
estimated and the rows refused, each with its row id.

Nothing is written unless every file can be read: the folder is assembled beside its
final place and moved there whole.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


import layers
from layers.errors import GeoplanError
from geoplan.outputs import write_text
from geoplan.scenario import SCENARIO_FILE, scenario_toml
from geoplan.settings import LayerSource, Quantities

DATA_DIR = "data"
REPORT_NAME = "import_report"
OSM_SUFFIXES = (".osm", ".xml", ".pbf")
#: Files that travel with a Shapefile.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx")


@dataclass
class LayerImport:
    """What the import did with one layer file (a section of the import report)."""

    kind: str
    file: str
    source: LayerSource
    rows: int
    fields: dict[str, str]
    unmapped: list[str]
    declared_crs: str
    crs_note: str
    estimates: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "file": self.file, "rows_read": self.rows, "fields_mapped": self.fields,
                "fields_not_found": self.unmapped, "coordinates": {"declared": self.declared_crs,
                                                                   "note": self.crs_note},
                "values_estimated": self.estimates, "rows_refused": self.refused, "warnings": self.warnings}

    def lines(self) -> list[str]:
        spec = layers.get_kind(self.kind)
        out = [f"[{self.kind}] {spec.label} ← {self.file}", f"  rows read 读取行数: {self.rows}",
               "  fields mapped 字段对应: " + (", ".join(f"{k} ← {v}" for k, v in self.fields.items()) or "—")]
        if self.unmapped:
            out.append("  fields not found 未找到字段: " + ", ".join(self.unmapped)
                       + f" — add them to fields = {{ … }} in [layers.{self.kind}]")
        out.append(f"  coordinates 坐标: {self.declared_crs} — {self.crs_note}")
        out += [f"  estimated 估算: {e['field']}: {e['rule']} ({len(e['row_ids'])} rows: "
                f"{', '.join(e['row_ids'][:10])}{' …' if len(e['row_ids']) > 10 else ''})" for e in self.estimates]
        out += [f"  refused 拒绝: row {r['row_id']}, field {r['field']}: {r['problem']}" for r in self.refused]
        out += [f"  warning 警告: {w}" for w in self.warnings]
        return out


@dataclass
class InitResult:
    """What :func:`init_scenario` wrote."""

    folder: Path
    metric_epsg: int
    network_source: str
    imports: list[LayerImport]
    files: list[Path]

    def report_dict(self) -> dict:
        return {"folder": str(self.folder), "metric_crs": f"EPSG:{self.metric_epsg}",
                "network_source": self.network_source, "layers": [i.to_dict() for i in self.imports]}

    def report_text(self) -> str:
        lines = [f"geoplan init — 导入报告 / import report: {self.folder}",
                 f"计算坐标系 metric CRS: EPSG:{self.metric_epsg} (CGCS2000 3° Gauss-Krüger zone of the area)",
                 f"路网 road source: {self.network_source}", ""]
        for imp in self.imports:
            lines += [*imp.lines(), ""]
        refused = sum(len(i.refused) for i in self.imports)
        lines.append(f"{refused} rows refused — correct the mapping or the rows, then run `geoplan validate "
                     f"{self.folder}`" if refused else f"next: `geoplan validate {self.folder}`")
        return "\n".join(lines)


def _copy_into(src: Path, data: Path) -> str:
    """Copy a layer file (a Shapefile with its parts) into ``data``; its path relative to the scenario."""
    layers.readable_file(src, fix="give the path of the file to import")
    data.mkdir(parents=True, exist_ok=True)
    target = data / src.name
    if target.exists():
        raise GeoplanError(f"{src}: two files named {src.name} — rename one so both fit in {DATA_DIR}/")
    if src.suffix.lower() == ".shp":
        for part in src.parent.glob(src.stem + ".*"):
            if part.suffix.lower() in SHAPEFILE_PARTS:
                shutil.copy2(part, data / part.name)
    else:
        shutil.copy2(src, target)
    return f"{DATA_DIR}/{src.name}"


def _split_option(text: str, what: str) -> tuple[str, str]:
    if "=" not in text:
        raise GeoplanError(f"{what} {text!r}: write KIND=VALUE, e.g. residential_communities=小区.xlsx")
    kind, value = text.split("=", 1)
    kind = kind.strip()
    layers.get_kind(kind)
    return kind, value.strip()


def parse_layer_options(items: list[str], what: str) -> dict[str, str]:
    """``["kind=value", …]`` of a command-line option as a dict, each kind checked."""
    out = {}
    for item in items:
        kind, value = _split_option(item, what)
        if kind in out:
            raise GeoplanError(f"{what}: {kind} given twice — give each layer kind once")
        out[kind] = value
    return out


def _import_layer(path: Path, kind: str, rel: str, sheet: str, crs: str, rules: layers.EstimateRules) -> LayerImport:
    """Inspect the planner's layer file, propose its mapping and read it as the scenario will
    (messages name the planner's own file); ``rel`` is where the scenario keeps its copy."""
    info = layers.inspect_layer(path, kind, sheet=sheet or None)
    spec = layers.get_kind(kind)
    fields = layers.guess_fields(info.columns, kind)
    # a field the file already holds under its own name needs no mapping line
    mapping = {f: c for f, c in fields.items() if c != f}
    unmapped = [f.name for f in spec.fields if f.required and f.name not in fields]
    if crs:
        note = {"GCJ-02": "GCJ-02 (AMap/Gaode, Tencent) shifted to WGS84 by geoplan's formula",
                "BD-09": "BD-09 (Baidu) shifted to GCJ-02, then to WGS84"}.get(layers.shifted_crs(crs) or "",
                                                                             "as declared")
        declared = crs
    elif info.crs:
        declared, note = info.crs, "the file's own CRS"
    else:
        declared = "EPSG:4326"
        note = ("no CRS in the file: read as WGS84 — if the coordinates were picked on AMap/Gaode or Tencent write "
                "crs = \"GCJ-02\", on Baidu \"BD-09\"")
    source = LayerSource(kind=kind, file=rel, sheet=info.layer if info.format == "XLSX" else "",
                         layer=info.layer if info.format == "GPKG" else "", crs=declared,
                         lon=info.lon, lat=info.lat, encoding=info.encoding if info.format == "CSV" else "",
                         fields=mapping)
    gdf, issues = layers.check_layer(path, kind, estimates=rules, **source.read_options())
    estimates = [{"field": e.field, "rule": e.rule, "row_ids": list(e.row_ids)} for e in gdf.attrs.get("estimates", [])]
    refused = [{"row_id": i.row_id, "field": i.field, "problem": i.problem, "fix": i.fix}
               for i in issues if i.severity == "error"]
    warnings = [f"{i.field or ''}: {i.problem}" for i in issues
                if i.severity == "warning" and not i.problem.startswith(("估算", "坐标按"))]
    return LayerImport(kind, rel, source, info.rows, fields, unmapped, declared, note, estimates, refused, warnings)


def _area_epsg(folder: Path, imports: list[LayerImport], network) -> int:
    """The CGCS2000 3° zone of the area: from the layers, else the roads (a RoadNetwork)."""
    frames = []
    for imp in imports:
        try:
            gdf, _ = layers.check_layer(folder / imp.file, imp.kind, **imp.source.read_options())
        except GeoplanError:
            continue
        frames.append(gdf)
    if not frames:
        return int(network.crs.to_epsg())
    return layers.area_metric_crs(frames)


def init_scenario(folder: str | Path, roads: str | Path, *, boundary: str | Path | None = None,
                  layer_files: dict[str, str] | None = None, crs: dict[str, str] | None = None,
                  sheets: dict[str, str] | None = None, name: str | None = None, seed: int = 0) -> InitResult:
    """Write a scenario folder around a planner's files (see the module docstring).

    Parameters
    ----------
    folder : path
        The new scenario folder; it must not exist yet, or be empty.
    roads : path
        OSM XML / PBF extract, or a roads layer file (GeoPackage, Shapefile, GeoJSON).
    boundary : path, optional
        The districts (街道/镇) polygons.
    layer_files : dict of kind to path
        Other layers.
    crs, sheets : dict of kind to str
        Declared coordinate systems (``"GCJ-02"``, ``"BD-09"``, ``"EPSG:4490"`` …) and Excel sheets.

    Raises
    ------
    GeoplanError
        The folder holds files already, a file is missing or unreadable, a kind is unknown.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise GeoplanError(f"{folder}: exists and is not empty — geoplan init writes a new scenario folder; "
                           "give a new folder name (an existing scenario is never overwritten)")
    files = dict(layer_files or {})
    if boundary is not None:
        if "districts" in files:
            raise GeoplanError("give the districts once: --boundary or --layer districts=…, not both")
        files["districts"] = str(boundary)
    unknown = (set(crs or {}) | set(sheets or {})) - set(files)
    if unknown:
        raise GeoplanError(f"--crs/--sheet name {sorted(unknown)[0]}, which is not among the layers given")
    rules = Quantities().estimate_rules
    from geoplan.network import RoadNetwork

    # the whole road source is read here, from the planner's own path: a damaged extract is named now
    network = RoadNetwork.from_file(layers.readable_file(roads, fix="give --roads the OSM extract or the roads file"))
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        data = staging / DATA_DIR
        roads_rel = _copy_into(Path(roads), data)
        imports = []
        for kind, src in files.items():
            rel = _copy_into(Path(src), data)
            imports.append(_import_layer(Path(src), kind, rel, (sheets or {}).get(kind, ""), (crs or {}).get(kind, ""),
                                         rules))
        epsg = _area_epsg(staging, imports, network)
        sources = [(imp.source, "recognised by geoplan init — correct the mapping if a column is wrong")
                   for imp in imports]
        network_source = roads_rel
        if Path(roads).suffix.lower() not in OSM_SUFFIXES:
            roads_source = LayerSource(kind="roads", file=roads_rel)
            sources.append((roads_source, "the road network"))
        text = scenario_toml(name or folder.name, epsg, seed, network_source=network_source, sources=tuple(sources),
                             demand_kinds=set(files))
        write_text(staging / SCENARIO_FILE, text)
        result = InitResult(folder, epsg, network_source, imports, [])
        write_text(staging / f"{REPORT_NAME}.json",
                   json.dumps(result.report_dict(), ensure_ascii=False, indent=2, default=str))
        write_text(staging / f"{REPORT_NAME}.txt", result.report_text())
        if folder.exists():
            folder.rmdir()  # empty, checked above
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    result.files = sorted(p for p in folder.rglob("*") if p.is_file())
    return result


__all__ = ["InitResult", "LayerImport", "init_scenario", "parse_layer_options"]
