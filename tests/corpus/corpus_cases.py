"""The bad-input corpus: broken or unusual inputs built from the demo county, and what each must get.

Each :class:`Case` changes a copy of the demo scenario folder (``mutate``), runs one
``geoplan`` command on it and states the exit code and the words the message must hold
(the file, layer or sheet, row id and field, and the fix). The classes follow the kinds of
failure a planner meets:

- ``unreadable``: files that are broken, empty, of the wrong kind, or links to nowhere;
- ``settings``: values in scenario.toml of the wrong type, out of range or misplaced;
- ``no-result``: runs that cannot do their job (nothing to site, nothing covered, no vehicle);
- ``outputs``: output paths taken by a file or a folder of the wrong kind;
- ``implausible``: values outside what a county can hold, named as warnings by row;
- ``messages``: messages that must point at the fix.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

OSM = Path(__file__).resolve().parents[1] / "data" / "osm" / "beijing_haidian.osm"
LAYERS = "layers.gpkg"


@dataclass(frozen=True)
class Case:
    """One broken input and what geoplan must answer.

    Attributes
    ----------
    id : str
    group : str
        The class of failure (see the module docstring).
    args : tuple of str
        The command; ``{d}`` is the scenario folder.
    mutate : callable
        Changes the copied scenario folder ``d`` before the command runs.
    code : int
        Expected exit code: 0 done, 2 bad input, 3 no usable result.
    needles : tuple of str
        Words the output must hold (stderr and stdout together).
    """

    id: str
    group: str
    args: tuple[str, ...]
    mutate: Callable[[Path], None]
    code: int
    needles: tuple[str, ...]


# --------------------------------------------------------------------------- folder edits
def set_key(d: Path, section: str, key: str, value: str) -> None:
    """Set ``key = value`` (TOML text) in ``[section]`` of scenario.toml, adding the section if absent."""
    path = d / "scenario.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next((i for i, line in enumerate(lines) if re.match(rf"\[{re.escape(section)}\](\s|#|$)", line)), None)
    if header is None:
        lines += ["", f"[{section}]", f"{key} = {value}"]
    else:
        end = next((i for i in range(header + 1, len(lines)) if lines[i].startswith("[")), len(lines))
        at = next((i for i in range(header + 1, end) if re.match(rf"{re.escape(key)}\s*=", lines[i])), None)
        if at is None:
            lines.insert(header + 1, f"{key} = {value}")
        else:
            lines[at] = f"{key} = {value}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_layer(d: Path, layer: str, change: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> None:
    """Rewrite one layer of the scenario's GeoPackage through ``change``."""
    gdf = change(pyogrio.read_dataframe(d / LAYERS, layer=layer))
    pyogrio.write_dataframe(gdf, d / LAYERS, layer=layer, driver="GPKG", layer_options={"OVERWRITE": "YES"})


def set_value(layer: str, field: str, value, rows: slice | int = 0) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        def change(gdf):
            gdf[field] = gdf[field].astype(object)
            gdf.loc[gdf.index[rows], field] = value
            return gdf
        edit_layer(d, layer, change)
    return mutate


def villages_table(d: Path) -> pd.DataFrame:
    """The demo villages as a table with WGS84 longitude/latitude columns."""
    gdf = pyogrio.read_dataframe(d / LAYERS, layer="villages").to_crs(4326)
    table = pd.DataFrame(gdf.drop(columns="geometry"))
    table["lon"], table["lat"] = gdf.geometry.x.round(6), gdf.geometry.y.round(6)
    return table


def own_villages(d: Path, file: str, **keys: str) -> None:
    """Declare ``[layers.villages] file = …`` (and more keys)."""
    set_key(d, "layers.villages", "file", f'"{file}"')
    for key, value in keys.items():
        set_key(d, "layers.villages", key, value)


def villages_file(name: str, write: Callable[[Path, Path], None], **keys: str) -> Callable[[Path], None]:
    """The villages from their own file ``name``, as ``write(d, path)`` makes it."""
    def mutate(d: Path) -> None:
        write(d, d / name)
        own_villages(d, name, **keys)
    return mutate


def write_xlsx(d: Path, path: Path) -> None:
    villages_table(d).to_excel(path, sheet_name="村庄", index=False)


def write_csv(d: Path, path: Path, encoding: str = "utf-8-sig") -> None:
    villages_table(d).to_csv(path, index=False, encoding=encoding)


def write_geojson(d: Path, path: Path) -> None:
    pyogrio.write_dataframe(pyogrio.read_dataframe(d / LAYERS, layer="villages"), path, driver="GeoJSON")


def write_shp(d: Path, path: Path) -> None:
    pyogrio.write_dataframe(pyogrio.read_dataframe(d / LAYERS, layer="villages"), path, driver="ESRI Shapefile",
                            encoding="UTF-8")


def truncated(write: Callable[[Path, Path], None], share: float = 0.5) -> Callable[[Path, Path], None]:
    def go(d: Path, path: Path) -> None:
        write(d, path)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * share)])
    return go


def noise(size: int = 65_536, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def replace_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        (d / name).unlink(missing_ok=True)
        (d / name).write_bytes(data)
    return mutate


def truncate(name: str, share: float) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        data = (d / name).read_bytes()
        (d / name).write_bytes(data[: int(len(data) * share)])
    return mutate


def link(name: str, target: str) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        path = d / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        os.symlink(target, path)
    return mutate


def looping_link(name: str) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        (d / name).unlink()
        os.symlink("other.gpkg", d / name)
        os.symlink(name, d / "other.gpkg")
    return mutate


def folder_at(name: str) -> Callable[[Path], None]:
    """A folder where geoplan writes a file (a folder left from an unzip, say)."""
    def mutate(d: Path) -> None:
        path = d / name
        path.unlink(missing_ok=True)
        path.mkdir(parents=True)
        (path / "keep.txt").write_text("a planner's note\n", encoding="utf-8")
    return mutate


def file_at(name: str) -> Callable[[Path], None]:
    """A file where geoplan keeps a folder."""
    def mutate(d: Path) -> None:
        path = d / name
        if path.is_dir():
            shutil.rmtree(path)
        path.write_text("not a folder\n", encoding="utf-8")
    return mutate


def road_source(name: str, data: bytes | None = None, *, from_osm: float | None = None) -> Callable[[Path], None]:
    """``[network] source = name``, the file holding ``data`` or the first share of the OSM extract."""
    def mutate(d: Path) -> None:
        body = data if data is not None else OSM.read_bytes()[: int(OSM.stat().st_size * from_osm)]
        (d / name).write_bytes(body)
        set_key(d, "network", "source", f'"{name}"')
    return mutate


def roads_shapefile_without_prj(d: Path) -> None:
    roads = pyogrio.read_dataframe(d / LAYERS, layer="roads")
    pyogrio.write_dataframe(roads, d / "roads.shp", driver="ESRI Shapefile", encoding="UTF-8")
    (d / "roads.prj").unlink()
    set_key(d, "network", "source", '"roads.shp"')


def villages_shapefile_without_prj(d: Path) -> None:
    write_shp(d, d / "villages.shp")
    (d / "villages.prj").unlink()
    own_villages(d, "villages.shp")


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        for m in mutations:
            m(d)
    return mutate


def toml_text(transform: Callable[[str], str]) -> Callable[[Path], None]:
    def mutate(d: Path) -> None:
        path = d / "scenario.toml"
        path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")
    return mutate


def toml_gbk(d: Path) -> None:
    path = d / "scenario.toml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030", errors="replace"))


def empty_layer(layer: str) -> Callable[[Path], None]:
    return lambda d: edit_layer(d, layer, lambda gdf: gdf.iloc[:0])


def gcj02_shifted(layer: str) -> Callable[[Path], None]:
    """Every point of ``layer`` moved as GCJ-02 moves it, still declared CGCS2000."""
    def mutate(d: Path) -> None:
        import layers as gl

        def change(gdf):
            lon, lat = gl.wgs84_to_gcj02(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())
            return gdf.set_geometry(gpd.points_from_xy(lon, lat, crs=gdf.crs))
        edit_layer(d, layer, change)
    return mutate


def station_on_a_dropped_dead_end(d: Path) -> None:
    """TS04 moved to the end of a 1.8 km one-way road that leads out of the network.

    No truck can reach the station on the roads it may use: every command must say so
    (as validate does), not snap the station somewhere else.
    """
    import shapely
    from shapely.geometry import LineString, Point

    roads = pyogrio.read_dataframe(d / LAYERS, layer="roads")
    ends = shapely.get_coordinates(roads.geometry.boundary.explode().to_numpy())
    start = ends[np.argmax(ends[:, 1])]
    end = (start[0], start[1] + 0.0162)  # 1.8 km north
    spur = gpd.GeoDataFrame({"id": ["RD_SPUR"], "name": ["断头单行路"], "road_class": ["local"], "speed_kmh": [30.0],
                             "oneway": [True]}, geometry=[LineString([tuple(start), end])], crs=roads.crs)
    pyogrio.write_dataframe(gpd.GeoDataFrame(pd.concat([roads, spur], ignore_index=True), crs=roads.crs),
                            d / LAYERS, layer="roads", driver="GPKG", layer_options={"OVERWRITE": "YES"})

    def move(gdf):
        gdf.loc[gdf["id"] == "TS04", "geometry"] = Point(end)
        return gdf
    edit_layer(d, "transfer_stations", move)


def nothing(d: Path) -> None:
    """The demo as written."""


def run_args(*words: str) -> tuple[str, ...]:
    return tuple(words)


V = run_args("validate", "{d}")
SITE_FILM = ("site", "{d}", "--kind", "film_recycling_stations", "--model", "p-median")
SITE_TS = ("site", "{d}", "--kind", "transfer_stations")
ROUTE_FILM = ("route", "{d}", "--workflow", "film", "--iterations", "50")
REPORT = ("report", "{d}", "--tiles", "none")
INIT_VILLAGES = ("init", "{d}/new", "--roads", str(OSM), "--layer", "villages={d}/村庄.xlsx")

CASES: list[Case] = [
    # ---------------------------------------------------------------- unreadable files
    Case("gpkg-truncated", "unreadable", V, truncate(LAYERS, 0.4), 2, (LAYERS, "damaged", "export it again")),
    Case("gpkg-empty", "unreadable", V, replace_bytes(LAYERS, b""), 2, (LAYERS, "empty")),
    Case("gpkg-random-bytes", "unreadable", V, replace_bytes(LAYERS, noise()), 2, (LAYERS, "not a GeoPackage")),
    Case("gpkg-is-text", "unreadable", V, replace_bytes(LAYERS, "id,name\nRC1,小区\n".encode()), 2,
         (LAYERS, "not a GeoPackage")),
    Case("gpkg-link-to-folder", "unreadable", V, link(LAYERS, "."), 2, (LAYERS, "folder")),
    Case("gpkg-is-folder", "unreadable", V, folder_at(LAYERS), 2, (LAYERS, "folder")),
    Case("gpkg-dangling-link", "unreadable", V, link(LAYERS, "gone/layers.gpkg"), 2,
         (LAYERS, "link", "gone/layers.gpkg")),
    Case("gpkg-looping-link", "unreadable", V, looping_link(LAYERS), 2, (LAYERS, "link", "loop")),
    Case("osm-truncated", "unreadable", V, road_source("roads.osm", from_osm=0.5), 2, ("roads.osm", "damaged")),
    Case("osm-empty", "unreadable", V, road_source("roads.osm", b""), 2, ("roads.osm", "empty")),
    Case("osm-not-xml", "unreadable", V, road_source("roads.osm", b"<html><body>404</body></html>"), 2,
         ("roads.osm", "OSM")),
    Case("pbf-garbage", "unreadable", V, road_source("roads.osm.pbf", noise()), 2, ("roads.osm.pbf", "damaged")),
    Case("pbf-truncated-xml", "unreadable", V, road_source("roads.osm.pbf", from_osm=0.3), 2, ("roads.osm.pbf",)),
    Case("roads-shp-without-prj", "unreadable", V, roads_shapefile_without_prj, 2,
         ("roads.shp", "layer roads", "no CRS", ".prj")),
    Case("roads-shp-random", "unreadable", V, road_source("roads.shp", noise(4096)), 2, ("roads.shp",)),
    Case("toml-gbk", "unreadable", V, toml_gbk, 2, ("scenario.toml", "UTF-8")),
    Case("toml-random-bytes", "unreadable", V, replace_bytes("scenario.toml", noise(2048)), 2, ("scenario.toml",)),
    Case("toml-is-folder", "unreadable", V, folder_at("scenario.toml"), 2, ("scenario.toml", "folder")),
    Case("toml-syntax", "unreadable", V, toml_text(lambda t: t.replace("[solver]", "[solver")), 2,
         ("scenario.toml", "line")),
    Case("xlsx-random-bytes", "unreadable", V, villages_file("villages.xlsx", lambda d, p: p.write_bytes(noise())),
         2, ("villages.xlsx", "workbook")),
    Case("xlsx-truncated", "unreadable", V, villages_file("villages.xlsx", truncated(write_xlsx)), 2,
         ("villages.xlsx", "workbook")),
    Case("xlsx-empty", "unreadable", V, villages_file("villages.xlsx", lambda d, p: p.write_bytes(b"")), 2,
         ("villages.xlsx", "empty")),
    Case("xlsx-missing-sheet", "unreadable", V, villages_file("villages.xlsx", write_xlsx, sheet='"村"'), 2,
         ("villages.xlsx", "村庄", "sheet")),
    Case("csv-empty", "unreadable", V, villages_file("villages.csv", lambda d, p: p.write_bytes(b"")), 2,
         ("villages.csv", "empty")),
    Case("csv-random-bytes", "unreadable", V, villages_file("villages.csv", lambda d, p: p.write_bytes(noise(8192))),
         2, ("villages.csv",)),
    Case("csv-gbk-declared-utf8", "unreadable", V,
         villages_file("villages.csv", lambda d, p: write_csv(d, p, "gb18030"), encoding='"utf-8"'), 2,
         ("villages.csv", "gb18030")),
    Case("geojson-truncated", "unreadable", V, villages_file("villages.geojson", truncated(write_geojson)), 2,
         ("villages.geojson", "damaged")),
    Case("geojson-empty", "unreadable", V, villages_file("villages.geojson", lambda d, p: p.write_bytes(b"")), 2,
         ("villages.geojson", "empty")),
    Case("shp-without-dbf", "unreadable", V,
         villages_file("villages.shp", lambda d, p: (write_shp(d, p), p.with_suffix(".dbf").unlink())), 2,
         ("villages", ".dbf")),
    Case("layer-file-missing", "unreadable", V, lambda d: own_villages(d, "村庄.xlsx"), 2,
         ("村庄.xlsx", "not found", "[layers.villages] file")),
    Case("adopted-record-damaged", "unreadable", REPORT, replace_bytes("output/plans/adopted.json", b"{not json"), 2,
         ("output/plans/adopted.json", "damaged", "geoplan plan adopt")),
    Case("alternative-record-damaged", "unreadable", ("plan", "list", "{d}"),
         replace_bytes("output/plans/site-film_recycling_stations-p-median/alternative.json", noise(300)), 2,
         ("alternative.json", "damaged")),
    Case("routes-summary-damaged", "unreadable", REPORT, replace_bytes("output/routes_film.json", b"[1, 2"), 2,
         ("output/routes_film.json", "damaged", "geoplan route DIR --workflow film")),
    Case("planned-sites-damaged", "unreadable", REPORT, truncate("output/planned_sites.gpkg", 0.3), 2,
         ("output/planned_sites.gpkg", "damaged")),
    Case("routes-gpkg-damaged", "unreadable", REPORT, truncate("output/routes_film.gpkg", 0.3), 2,
         ("output/routes_film.gpkg", "damaged")),
    # ---------------------------------------------------------------- settings
    Case("max-snap-with-unit", "settings", V, lambda d: set_key(d, "network", "max_snap_m", '"500 m"'), 2,
         ("[network] max_snap_m", "without quotes or unit", "'500 m'")),
    Case("seed-in-words", "settings", V, lambda d: set_key(d, "scenario", "seed", '"twenty"'), 2,
         ("[scenario] seed", "whole number")),
    Case("unknown-section", "settings", V, toml_text(lambda t: t + "\n[stations]\nx = 1\n"), 2,
         ("unknown section [stations]", "valid: fleet, layers, network")),
    Case("unknown-network-key", "settings", V, lambda d: set_key(d, "network", "max_snap", "500"), 2,
         ("[network]", "unknown key 'max_snap'", "max_snap_m")),
    Case("road-source-missing", "settings", V, lambda d: set_key(d, "network", "source", '"roads.osm"'), 2,
         ("roads.osm", "[network] source")),
    Case("time-limit-zero", "settings", V, lambda d: set_key(d, "solver", "time_limit_s", "0"), 2,
         ("[solver] time_limit_s", "> 0")),
    Case("metric-crs-words", "settings", V, lambda d: set_key(d, "scenario", "metric_crs", '"Gauss zone 39"'), 2,
         ("[scenario] metric_crs", "EPSG:4549")),
    Case("target-above-one", "settings", V, lambda d: set_key(d, "targets.urban_sorting_coverage", "target", "95"),
         2, ("[targets.urban_sorting_coverage] target", "0.95")),
    Case("shift-of-no-length", "settings", V,
         both(lambda d: set_key(d, "fleet.compression_truck", "shift_start", '"08:00"'),
              lambda d: set_key(d, "fleet.compression_truck", "shift_end", '"08:00"')), 2,
         ("[fleet.compression_truck]", "no length")),
    Case("shift-in-words", "settings", V, lambda d: set_key(d, "fleet.compression_truck", "shift_start", '"8am"'), 2,
         ("[fleet.compression_truck]", "8am", "HH:MM")),
    Case("fleet-count-zero", "settings", V, lambda d: set_key(d, "fleet.compression_truck", "count", "0"), 2,
         ("[fleet.compression_truck] count", "≥ 1")),
    Case("payload-with-unit", "settings", V, lambda d: set_key(d, "fleet.muck_truck", "capacity_t", '"30 t"'), 2,
         ("[fleet.muck_truck] capacity_t", "without quotes")),
    Case("negative-radius", "settings", V,
         lambda d: set_key(d, "standards.transfer_stations", "service_radius_m", "-3000"), 2,
         ("[standards.transfer_stations] service_radius_m",)),
    Case("radius-in-km", "settings", V,
         lambda d: set_key(d, "standards.transfer_stations", "service_radius_m", "3"), 0,
         ("[standards.transfer_stations] service_radius_m", "3 m", "metres")),
    Case("layer-crs-unknown", "settings", V,
         villages_file("villages.csv", write_csv, crs='"EPSG:99999"'), 2, ("[layers.villages] crs", "EPSG:99999")),
    Case("layer-field-unknown-column", "settings", V,
         villages_file("villages.csv", write_csv, fields='{ population = "人口数" }'), 2,
         ("villages.csv", "人口数", "no such column")),
    Case("budget-negative", "settings", V, lambda d: set_key(d, "plan", "budget_yuan", "{ 2024 = -5.0 }"), 2,
         ("[plan] budget_yuan", "2024", "≥ 0")),
    Case("iterations-zero", "settings", V, lambda d: set_key(d, "routing", "iterations", "0"), 2,
         ("[routing] iterations", "≥ 1")),
    Case("seed-huge", "settings", V, lambda d: set_key(d, "scenario", "seed", "1e308"), 2, ("[scenario] seed",)),
    Case("name-not-text", "settings", V, lambda d: set_key(d, "scenario", "name", "[]"), 2,
         ("[scenario] name", "in quotes")),
    Case("snap-limit-switched-off", "settings", V, lambda d: set_key(d, "network", "max_snap_m", "1e9"), 2,
         ("[network] max_snap_m", "≤ 5000")),
    Case("target-zero", "settings", V, lambda d: set_key(d, "targets.rural_sorting_coverage", "target", "0"), 2,
         ("[targets.rural_sorting_coverage] target", "> 0")),
    Case("new-site-capacity-huge", "settings", V,
         lambda d: set_key(d, "new_sites.transfer_stations", "capacity", "1e15"), 2,
         ("[new_sites.transfer_stations] capacity", "≤ 5000 t/d")),
    Case("points-per-household-zero", "settings", V,
         lambda d: set_key(d, "standards.dropoff_points", "households_per_point_urban", "0"), 2,
         ("[standards.dropoff_points] households_per_point_urban", "≥ 1")),
    Case("waste-rate-in-tonnes", "settings", V,
         lambda d: set_key(d, "quantities", "household_waste_kg_per_person_d", "490"), 2,
         ("[quantities] household_waste_kg_per_person_d", "kg/(person·d)")),
    Case("layers-file-is-csv", "messages", V,
         both(lambda d: write_csv(d, d / "layers.csv"), lambda d: set_key(d, "scenario", "layers", '"layers.csv"')),
         2, ("layers.csv", "[scenario] layers", "GeoPackage", "[layers.<kind>]")),
    # ---------------------------------------------------------------- runs without a usable result
    Case("p-zero", "no-result", (*SITE_FILM, "--p", "0"), nothing, 2, ("--p must be ≥ 1",)),
    Case("p-negative", "no-result", (*SITE_FILM, "--p", "-2"), nothing, 2, ("--p must be ≥ 1",)),
    Case("p-above-candidates", "no-result", (*SITE_FILM, "--p", "5000"), nothing, 2, ("--p", "candidate")),
    Case("radius-zero", "no-result", (*SITE_TS, "--model", "lscp", "--radius-m", "0"), nothing, 2, ("--radius-m",)),
    Case("lscp-covers-nothing", "no-result", (*SITE_TS, "--model", "lscp", "--radius-m", "1"), nothing, 3,
         ("no demand point has a site within 1 m", "--radius-m")),
    Case("mclp-covers-nothing", "no-result", (*SITE_TS, "--model", "mclp", "--p", "2", "--radius-m", "1"), nothing, 3,
         ("cover no demand within 1 m", "--radius-m")),
    Case("cflp-demand-above-capacity", "no-result", (*SITE_TS, "--model", "cflp"),
         set_value("residential_communities", "population", 100_000, slice(None)), 3,
         ("capacity", "nothing was written")),
    Case("time-limit-negative", "no-result", (*SITE_FILM, "--p", "5", "--time-limit", "-1"), nothing, 2,
         ("--time-limit",)),
    Case("seed-negative", "no-result", (*SITE_FILM, "--p", "5", "--seed", "-1"), nothing, 2, ("--seed must be ≥ 0",)),
    Case("route-seed-negative", "no-result", (*ROUTE_FILM, "--seed", "-3"), nothing, 2, ("--seed must be ≥ 0",)),
    Case("cflp-time-limit-too-short", "no-result", (*SITE_TS, "--model", "cflp", "--time-limit", "0.001"), nothing, 3,
         ("within the 0.001 s time limit", "raise --time-limit")),
    Case("plan-time-limit-too-short", "no-result", ("plan", "{d}", "--time-limit", "0.01", "--tiles", "none"), nothing,
         3, ("within the 0.01 s time limit", "raise --time-limit", "nothing was written")),
    Case("demand-all-zero", "no-result", (*SITE_FILM, "--p", "5"),
         both(set_value("villages", "mulched_area_mu", 0.0, slice(None)),
              set_value("agri_input_shops", "film_sales_kg_per_yr", 0.0, slice(None)),
              set_value("agri_input_shops", "pesticide_packaging_kg_per_yr", 0.0, slice(None))), 3,
         ("adds up to 0", "nothing to site")),
    Case("unknown-model", "no-result", (*SITE_TS, "--model", "kmeans"), nothing, 2, ("kmeans", "lscp")),
    Case("unknown-kind", "no-result", ("site", "{d}", "--kind", "toilets", "--model", "lscp"), nothing, 2,
         ("toilets", "transfer_stations")),
    Case("depot-without-vehicles", "no-result", ("route", "{d}", "--workflow", "collection", "--iterations", "10"),
         set_value("depots", "vehicle_count", 0, slice(None)), 2, ("depots", "vehicle_count", "DE01")),
    Case("unknown-workflow", "no-result", ("route", "{d}", "--workflow", "bins"), nothing, 2, ("bins", "collection")),
    Case("unknown-engine", "no-result", (*ROUTE_FILM, "--engine", "gurobi"), nothing, 2, ("gurobi", "pyvrp")),
    Case("unknown-stations", "no-result", (*ROUTE_FILM, "--stations", "all"), nothing, 2, ("--stations", "existing")),
    Case("route-time-limit-zero", "no-result", (*ROUTE_FILM, "--time-limit", "0"), nothing, 2, ("--time-limit",)),
    Case("plan-budget-too-small", "no-result", ("plan", "{d}", "--time-limit", "10"),
         lambda d: set_key(d, "plan", "budget_yuan", "{ 2023 = 1000.0, 2024 = 1000.0, 2025 = 1000.0 }"), 3, ("budget", "nothing was written")),
    Case("adopt-unknown", "no-result", ("plan", "adopt", "{d}", "best"), nothing, 2, ("no plan alternative 'best'", "alternatives: site-film")),
    Case("plan-name-path", "no-result", ("plan", "{d}", "--name", "../x"), nothing, 2, ("../x", "name")),
    Case("plan-name-taken", "no-result", ("plan", "{d}", "--name", "site-film_recycling_stations-p-median"), nothing,
         2, ("site-film_recycling_stations-p-median", "exists and is kept", "another --name")),
    Case("plan-too-many-words", "no-result", ("plan", "{d}", "extra", "words"), nothing, 2,
         ("geoplan plan: expected 1 argument(s) (DIR), got 3", "geoplan plan --help")),
    Case("unknown-tiles", "no-result", ("report", "{d}", "--tiles", "google"), nothing, 2, ("google", "osm")),
    Case("spacing-zero", "no-result", ("candidates", "{d}", "--kind", "transfer_stations", "--spacing-m", "0"),
         nothing, 2, ("--spacing-m",)),
    Case("empty-demand-layer", "no-result", REPORT, empty_layer("residential_communities"), 2,
         ("residential_communities", "no rows", "urban_sorting_coverage")),
    # ---------------------------------------------------------------- output paths
    Case("output-is-a-file", "outputs", (*SITE_FILM, "--p", "5"), file_at("output"), 2,
         ("output", "is a file")),
    Case("plans-is-a-file", "outputs", (*SITE_FILM, "--p", "5"), file_at("output/plans"), 2,
         ("output/plans", "is a file")),
    Case("report-file-is-a-folder", "outputs", REPORT, folder_at("output/indicators.json"), 2,
         ("output/indicators.json", "folder")),
    Case("summary-is-a-folder", "outputs", REPORT, folder_at("output/summary.html"), 2,
         ("output/summary.html", "folder")),
    Case("route-map-is-a-folder", "outputs", ROUTE_FILM, folder_at("output/map_routes_film.html"), 2,
         ("output/map_routes_film.html", "folder")),
    Case("routes-gpkg-is-a-folder", "outputs", ROUTE_FILM, folder_at("output/routes_film.gpkg"), 2,
         ("output/routes_film.gpkg", "folder")),
    Case("layers-map-is-a-folder", "outputs", ("map", "{d}", "--tiles", "none"), folder_at("output/map_layers.html"),
         2, ("output/map_layers.html", "folder")),
    Case("planned-sites-is-a-folder", "outputs", ("plan", "adopt", "{d}", "site-film_recycling_stations-p-median"),
         folder_at("output/planned_sites.gpkg"), 2, ("output/planned_sites.gpkg", "folder")),
    # ---------------------------------------------------------------- implausible values (warnings, exit 0)
    Case("population-1e12", "implausible", V, set_value("residential_communities", "population", 10 ** 12), 0,
         ("layer residential_communities", "row RC0001", "field population", "persons")),
    Case("capacity-1e15", "implausible", V, set_value("transfer_stations", "capacity_t_per_d", 1e15), 0,
         ("layer transfer_stations", "row TS01", "field capacity_t_per_d", "t/d")),
    Case("muck-1e12", "implausible", V, set_value("construction_sites", "muck_volume_m3", 1e12), 0,
         ("layer construction_sites", "row CS001", "field muck_volume_m3", "m³")),
    Case("mulched-area-1e10", "implausible", V, set_value("villages", "mulched_area_mu", 1e10), 0,
         ("layer villages", "row VL0001", "field mulched_area_mu", "亩")),
    Case("vehicles-1e6", "implausible", V, set_value("depots", "vehicle_count", 10 ** 6), 0,
         ("layer depots", "row DE01", "field vehicle_count")),
    Case("gcj02-villages-declared-cgcs2000", "implausible", V, gcj02_shifted("villages"), 2,
         ("layer villages", "looks like GCJ-02", 'crs = "GCJ-02"')),
    Case("gcj02-shops-declared-cgcs2000", "implausible", V, gcj02_shifted("agri_input_shops"), 0,
         ("layer agri_input_shops", "looks like GCJ-02", 'crs = "GCJ-02"')),
    Case("station-on-dropped-dead-end", "implausible", ("route", "{d}", "--workflow", "collection", "--iterations", "10"),
         station_on_a_dropped_dead_end, 2, ("layer transfer_stations", "row TS04", "field geometry", "cannot reach")),
    Case("station-on-dropped-dead-end-site", "implausible", (*SITE_TS, "--model", "lscp"),
         station_on_a_dropped_dead_end, 2, ("layer transfer_stations", "row TS04", "cannot reach")),
    Case("population-negative", "implausible", V, set_value("residential_communities", "population", -5), 2,
         ("layer residential_communities", "row RC0001", "field population")),
    Case("capacity-zero", "implausible", V, set_value("transfer_stations", "capacity_t_per_d", 0.0), 2,
         ("layer transfer_stations", "row TS01", "field capacity_t_per_d")),
    Case("duplicate-ids", "implausible", V, set_value("villages", "id", "VL0002", 0), 2,
         ("layer villages", "VL0002", "field id")),
    # ---------------------------------------------------------------- geoplan init on broken files
    Case("init-truncated-workbook", "unreadable", INIT_VILLAGES,
         lambda d: (write_xlsx(d, d / "村庄.xlsx"), truncate("村庄.xlsx", 0.5)(d)), 2, ("村庄.xlsx", "workbook")),
    Case("init-dangling-link", "unreadable", INIT_VILLAGES, link("村庄.xlsx", "U盘/村庄.xlsx"), 2,
         ("村庄.xlsx", "link", "U盘/村庄.xlsx")),
    Case("init-truncated-osm", "unreadable", ("init", "{d}/new", "--roads", "{d}/cut.osm"),
         lambda d: (d / "cut.osm").write_bytes(OSM.read_bytes()[: OSM.stat().st_size // 3]), 2,
         ("cut.osm", "damaged")),
    Case("init-into-a-file", "outputs", ("init", "{d}/scenario.toml", "--roads", str(OSM)), nothing, 2,
         ("scenario.toml", "not empty")),
    # ---------------------------------------------------------------- messages that point at the fix
    Case("layer-shp-without-prj", "messages", V, villages_shapefile_without_prj, 2,
         ("villages.shp", "layer villages", "no CRS", "crs =")),
    Case("app-on-a-broken-county", "messages", ("app", "{d}", "--port", "8599"), truncate(LAYERS, 0.4), 2,
         (LAYERS, "damaged")),
    Case("scenario-is-a-file", "messages", ("validate", "{d}/scenario.toml"), nothing, 2,
         ("scenario.toml", "is a file, not a scenario folder", "the folder that holds")),
    Case("scenario-folder-missing", "messages", ("report", "{d}/county-2", "--tiles", "none"), nothing, 2,
         ("county-2", "not found", "geoplan init")),
    Case("layer-no-coordinates", "messages", V,
         villages_file("villages.csv", lambda d, p: villages_table(d).drop(columns=["lon", "lat"]).to_csv(p, index=False)),
         2, ("villages.csv", "longitude", "lon =")),
]
