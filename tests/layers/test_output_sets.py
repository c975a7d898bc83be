"""A set of outputs lands whole or not at all (layers.written_together)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

import layers
from geoplan.outputs import write_text
from layers.errors import GeoplanError


def _points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["A"], "name": ["站"]}, geometry=[Point(119.2, 34.5)], crs=4490)


def _state(folder):
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def test_a_failure_at_the_fourth_file_puts_the_first_three_back(tmp_path):
    out = tmp_path / "output"
    write_text(out / "a.csv", "old a\n")
    write_text(out / "b.json", "old b\n")
    layers.write_layer(_points(), out / "sites.shp")
    before = _state(out)
    with pytest.raises(RuntimeError, match="disk full"):
        with layers.written_together(out):
            write_text(out / "a.csv", "new a\n")
            write_text(out / "b.json", "new b\n")
            layers.write_layer(_points().assign(name="新站"), out / "sites.shp")
            write_text(out / "new" / "deeper" / "c.html", "<p>new</p>")
            layers.write_layers({"sites": _points()}, out / "d.gpkg")
            raise RuntimeError("disk full")
    assert _state(out) == before


def test_a_set_that_succeeds_leaves_only_its_files(tmp_path):
    out = tmp_path / "output"
    write_text(out / "a.csv", "old a\n")
    with layers.written_together(out):
        write_text(out / "a.csv", "new a\n")
        write_text(out / "b.csv", "new b\n")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv"]
    assert (out / "a.csv").read_text(encoding="utf-8") == "new a\n"


def test_a_folder_where_a_file_goes_is_named_and_the_set_undone(tmp_path):
    out = tmp_path / "output"
    write_text(out / "a.csv", "old a\n")
    (out / "summary.html").mkdir()
    before = _state(out)
    with pytest.raises(GeoplanError, match=r"summary\.html: .*is a folder"):
        with layers.written_together(out):
            write_text(out / "a.csv", "new a\n")
            write_text(out / "summary.html", "<p>x</p>")
    assert _state(out) == before


def test_a_file_where_the_output_folder_goes_stops_the_set_before_it_runs(tmp_path):
    (tmp_path / "output").write_text("notes", encoding="utf-8")
    ran = []
    with pytest.raises(GeoplanError, match=r"output: .*is a file"):
        with layers.written_together(tmp_path / "output"):
            ran.append(True)
    assert not ran and (tmp_path / "output").read_text(encoding="utf-8") == "notes"


def test_sets_nest_and_a_failed_inner_set_keeps_the_outer_writes(tmp_path):
    with layers.written_together(tmp_path):
        write_text(tmp_path / "outer.txt", "kept")
        with pytest.raises(ValueError):
            with layers.written_together(tmp_path):
                write_text(tmp_path / "inner.txt", "gone")
                raise ValueError("inner fails")
    assert (tmp_path / "outer.txt").exists() and not (tmp_path / "inner.txt").exists()
