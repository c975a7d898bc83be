"""Every reader of a planner's files, fed random bytes, truncated files and flipped bytes.

Each reader either reads the file or raises one GeoplanError that names the file; no other
exception gets out (the command line would show it as a traceback).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pyogrio
import pytest

import layers
from layers.errors import GeoplanError

OSM = Path(__file__).resolve().parents[1] / "data" / "osm" / "beijing_haidian.osm"
SHARES = (0.0005, 0.01, 0.1, 0.33, 0.5, 0.9, 0.999)


def variants(good: bytes, seed: int) -> list[tuple[str, bytes]]:
    """Random bytes of several lengths, the file cut at several points, and bytes flipped in it."""
    rng = random.Random(seed)
    out = [(f"random-{n}", rng.randbytes(n)) for n in (1, 16, 100, 4096, 70_000)]
    out += [(f"cut-{share}", good[: max(1, int(len(good) * share))]) for share in SHARES]
    for k in range(4):
        data = bytearray(good)
        for _ in range(8):
            at = rng.randrange(len(data))
            data[at] = rng.randrange(256)
        out.append((f"flipped-{k}", bytes(data)))
    out.append(("head-of-file-only", good[:64] + rng.randbytes(2048)))
    return out


def check(read: Callable[[Path], object], path: Path) -> None:
    try:
        read(path)
    except GeoplanError as exc:
        assert path.name in str(exc), str(exc)


@pytest.fixture(scope="module")
def villages(tmp_path_factory):
    from geoplan.demo.scenario_folder import write_demo_scenario

    folder = tmp_path_factory.mktemp("fuzz") / "demo"
    write_demo_scenario(folder, seed=202611)
    gdf = pyogrio.read_dataframe(folder / "layers.gpkg", layer="villages")
    return gdf.iloc[:40].copy()


def _write(villages, folder: Path, suffix: str) -> Path:
    path = folder / f"villages{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        table = villages.to_crs(4326)
        frame = table.drop(columns="geometry").assign(lon=table.geometry.x, lat=table.geometry.y)
        frame.to_excel(path, index=False)
    else:
        layers.write_layer(villages, path, layer="villages")
    return path


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv", ".xlsx", ".shp"])
def test_layer_readers_never_leak_an_exception(villages, tmp_path, suffix):
    good_path = _write(villages, tmp_path / "good", suffix)
    assert len(layers.read_layer(good_path, "villages")) == 40
    part = good_path.with_suffix(".dbf") if suffix == ".shp" else good_path
    good = part.read_bytes()
    for name, data in variants(good, seed=len(suffix)):
        folder = tmp_path / name
        path = _write(villages, folder, suffix)
        (folder / part.name).write_bytes(data)
        check(lambda p: layers.read_layer(p, "villages"), path)
        check(lambda p: layers.inspect_layer(p, "villages"), path)


@pytest.mark.parametrize("part", [".shp", ".shx"])
def test_shapefile_geometry_parts_never_leak_an_exception(villages, tmp_path, part):
    good = _write(villages, tmp_path / "good", ".shp").with_suffix(part).read_bytes()
    for name, data in variants(good, seed=3):
        path = _write(villages, tmp_path / name, ".shp")
        path.with_suffix(part).write_bytes(data)
        check(lambda p: layers.read_layer(p, "villages"), path)


def _pbf(tmp_path: Path) -> Path:
    import osmium

    path = tmp_path / "haidian.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for obj in osmium.FileProcessor(str(OSM)):
            writer.add(obj)
    return path


@pytest.mark.parametrize("suffix", [".osm", ".osm.pbf"])
def test_osm_readers_never_leak_an_exception(tmp_path, suffix):
    from geoplan.network import RoadNetwork
    from geoplan.network.osm import water_from_osm

    good_path = OSM if suffix == ".osm" else _pbf(tmp_path)
    assert RoadNetwork.from_file(good_path).info()["edges"] > 100
    good = good_path.read_bytes()
    for name, data in variants(good, seed=11):
        path = tmp_path / f"{name}{suffix}"
        path.write_bytes(data)
        check(RoadNetwork.from_file, path)
        check(lambda p: water_from_osm(p, 4549), path)


def test_scenario_reader_never_leaks_an_exception(tmp_path):
    from geoplan.demo.scenario_folder import write_demo_scenario
    from geoplan.scenario import SCENARIO_FILE, load_scenario

    folder = tmp_path / "demo"
    write_demo_scenario(folder, seed=202611)
    good = (folder / SCENARIO_FILE).read_bytes()
    for name, data in variants(good, seed=5):
        (folder / SCENARIO_FILE).write_bytes(data)
        try:
            load_scenario(folder)
        except GeoplanError as exc:
            assert SCENARIO_FILE in str(exc), (name, str(exc))
