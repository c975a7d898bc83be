"""Plan alternatives: every ``plan`` and ``site`` run is kept under its own name; only ``adopt`` changes the plan.

An alternative is a folder ``output/plans/<name>/`` holding what the run proposes:
``planned_sites.gpkg`` (the whole plan it would make, one layer per facility kind),
``alternative.json`` (what made it, its cost, its indicators) and the run's own files. It is
written into a hidden folder beside and renamed into place in one step, so an alternative
is there whole or not at all, and a name once taken is never written again.

``output/planned_sites.gpkg`` — the plan the indicators, routes and maps read — changes only
through :func:`adopt`. A plan that is not an alternative yet (edited by hand, or from an older
geoplan) is kept as one before it is replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

import layers
from layers.errors import GeoplanError
from geoplan.indicators.report import PLANNED_SITES_FILE
from geoplan.outputs import atomic_path, jsonable, read_output_json, write_text
from geoplan.scenario import Scenario

PLANS_FOLDER = "plans"
META_FILE = "alternative.json"
ADOPTED_FILE = "adopted.json"
_NAME = re.compile(r"^[\w\-.\u4e00-\u9fff]{1,80}$")


def plans_dir(scenario: Scenario) -> Path:
    """``output/plans``: one folder per alternative."""
    return scenario.output_dir / PLANS_FOLDER


def check_name(name: str) -> str:
    """An alternative's name: letters, digits, ``_ - .`` or Chinese, at most 80, not starting with a dot."""
    if not isinstance(name, str) or not _NAME.match(name) or name.startswith("."):
        raise GeoplanError(f"alternative name {name!r}: use letters, digits, _ - . or Chinese characters "
                           "(no spaces or slashes), e.g. --name 方案A")
    return name


def check_free(scenario: Scenario, name: str) -> str:
    """``name`` if it is a valid name no alternative has, else GeoplanError (a name is never written twice)."""
    final = plans_dir(scenario) / check_name(name)
    if final.exists():
        raise GeoplanError(f"{final}: a plan alternative of that name exists and is kept — choose another --name")
    return name


def free_name(scenario: Scenario, base: str) -> str:
    """``base``, or ``base-2``, ``base-3`` … — the first name no alternative has."""
    check_name(base)
    folder = plans_dir(scenario)
    if not (folder / base).exists():
        return base
    n = 2
    while (folder / f"{base}-{n}").exists():
        n += 1
    return f"{base}-{n}"


def alternative_dir(scenario: Scenario, name: str) -> Path:
    """Folder of an existing alternative; GeoplanError naming those there when it is missing."""
    path = plans_dir(scenario) / check_name(name)
    if not (path / META_FILE).is_file():
        have = ", ".join(list_names(scenario)) or "none yet — run geoplan plan"
        raise GeoplanError(f"{scenario.folder}: no plan alternative {name!r} — alternatives: {have}")
    return path


def list_names(scenario: Scenario) -> list[str]:
    folder = plans_dir(scenario)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / META_FILE).is_file())


def write_alternative(scenario: Scenario, name: str, meta: dict, write: Callable[[Path], None]) -> Path:
    """Write a new alternative: ``write(folder)`` fills a hidden folder, which then takes ``name``.

    Raises
    ------
    GeoplanError
        An alternative of that name exists (it is never overwritten).
    """
    check_free(scenario, name)
    folder = plans_dir(scenario)
    final = folder / name
    layers.writable_folder(folder)
    try:
        if not folder.exists():
            folder.mkdir(parents=True)
            layers.note_created(folder)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder))
    except OSError as exc:
        raise GeoplanError(f"{folder}: cannot write plan alternatives there ({exc.strerror}) — "
                           f"{scenario.output_dir} must be a folder geoplan may write to") from None
    try:
        write(tmp)
        (tmp / META_FILE).write_text(json.dumps(jsonable({"name": name, **meta}), ensure_ascii=False, indent=2)
                                     + "\n", encoding="utf-8")
        try:
            os.rename(tmp, final)  # fails if another run took the name meanwhile
            layers.note_created(final)
        except OSError:
            raise GeoplanError(f"{final}: another run wrote an alternative of that name just now — "
                               "choose another --name") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return final


def read_meta(scenario: Scenario, name: str) -> dict:
    """The record (``alternative.json``) of alternative ``name``."""
    return read_output_json(alternative_dir(scenario, name) / META_FILE, "a new run of geoplan plan or geoplan site")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan_fingerprint(scenario: Scenario) -> str | None:
    """A digest of ``output/planned_sites.gpkg`` as it is now (None when there is no plan), so a
    change made meanwhile by another session or command can be told."""
    current = scenario.output_dir / PLANNED_SITES_FILE
    return _digest(current) if current.is_file() else None


def adopted_name(scenario: Scenario) -> str | None:
    """The alternative ``output/planned_sites.gpkg`` was adopted from, if it is still that one."""
    record = plans_dir(scenario) / ADOPTED_FILE
    current = scenario.output_dir / PLANNED_SITES_FILE
    if not record.is_file() or not current.is_file():
        return None
    doc = read_output_json(record, "geoplan plan adopt DIR NAME")
    return doc.get("name") if doc.get("sha256") == _digest(current) else None


def adopt(scenario: Scenario, name: str) -> Path:
    """Make alternative ``name`` the plan: copy its ``planned_sites.gpkg`` to ``output/``.

    A current plan that is no alternative's is first kept as the alternative
    ``before-<name>`` (a planner's work is never lost). Returns the plan's path.
    """
    source = alternative_dir(scenario, name) / PLANNED_SITES_FILE
    current = scenario.output_dir / PLANNED_SITES_FILE
    if current.exists() and not current.is_file():
        raise GeoplanError(f"{current}: is a folder, not the plan's GeoPackage — move it away and adopt again")
    if current.is_file() and adopted_name(scenario) is None and not _is_some_alternative(scenario, current):
        keep = free_name(scenario, f"before-{name}")
        write_alternative(scenario, keep, {"command": "kept when adopting " + name,
                                           "note": "the plan that was in output/planned_sites.gpkg"},
                          lambda d: shutil.copy2(current, d / PLANNED_SITES_FILE))
    if source.is_file():
        with atomic_path(current) as tmp:
            shutil.copyfile(source, tmp)
    elif current.exists():
        current.unlink()  # an alternative that builds nothing: the plan has no new sites
    record = {"name": name, "sha256": _digest(current) if current.exists() else None}
    write_text(plans_dir(scenario) / ADOPTED_FILE, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return current


def _is_some_alternative(scenario: Scenario, path: Path) -> bool:
    digest = _digest(path)
    return any((plans_dir(scenario) / n / PLANNED_SITES_FILE).is_file()
               and _digest(plans_dir(scenario) / n / PLANNED_SITES_FILE) == digest for n in list_names(scenario))


def plan_layers(scenario: Scenario, new_layers: dict[str, gpd.GeoDataFrame], replaced: set[str]) -> dict:
    """The whole plan an alternative proposes: the adopted plan's layers, those of ``replaced``
    kinds swapped for ``new_layers`` (a kind with no new site drops out)."""
    current = scenario.output_dir / PLANNED_SITES_FILE
    keep: dict[str, gpd.GeoDataFrame] = {}
    if current.is_file():
        for name in layers.gpkg_layer_names(current):
            if name not in replaced:
                with layers.reading(current, "GPKG"):
                    keep[name] = pyogrio.read_dataframe(current, layer=name)
    keep.update({k: v for k, v in new_layers.items() if len(v)})
    return keep


def site_records(plan_layers_: dict[str, gpd.GeoDataFrame]) -> list[dict]:
    """Every site of a whole plan (its layers by kind) as ``kind``, ``id``, ``year``, ``fixed_cost_yuan``,
    for an alternative's ``alternative.json`` (what ``compare`` reads)."""
    out = []
    for kind, layer in plan_layers_.items():
        years = layer["year"] if "year" in layer else [None] * len(layer)
        costs = pd.to_numeric(layer["fixed_cost_yuan"], errors="coerce") if "fixed_cost_yuan" in layer \
            else [None] * len(layer)
        out += [{"kind": kind, "id": str(i), "year": None if y is None or pd.isna(y) else int(y),
                 "fixed_cost_yuan": None if c is None or pd.isna(c) else float(c)}
                for i, y, c in zip(layer["id"], years, costs)]
    return out


def list_alternatives(scenario: Scenario) -> pd.DataFrame:
    """One row per alternative: name, the command that made it, sites, cost, targets met, adopted."""
    adopted = adopted_name(scenario)
    rows = []
    for name in list_names(scenario):
        meta = read_meta(scenario, name)
        rows.append({"name": name, "adopted": "✓" if name == adopted else "", "command": meta.get("command", ""),
                     "new_sites": meta.get("new_sites"), "cost_wan_yuan": meta.get("cost_wan_yuan"),
                     "targets_met": meta.get("targets_met", "")})
    return pd.DataFrame(rows, columns=["name", "adopted", "command", "new_sites", "cost_wan_yuan", "targets_met"])


def compare(scenario: Scenario, a: str, b: str) -> dict[str, pd.DataFrame]:
    """Two alternatives side by side: ``indicators`` (each target's share per year), ``costs``
    (per kind: sites and 万元) and ``sites`` (the sites only one of them builds)."""
    ma, mb = read_meta(scenario, a), read_meta(scenario, b)

    def indicators(meta):
        return pd.DataFrame(meta.get("indicators", []), columns=["key", "year", "actual", "status"])

    ia, ib = indicators(ma), indicators(mb)
    ind = ia.merge(ib, on=["key", "year"], how="outer", suffixes=(f" {a}", f" {b}")).sort_values(["key", "year"])
    sa = pd.DataFrame(ma.get("sites", []), columns=["kind", "id", "year", "fixed_cost_yuan"])
    sb = pd.DataFrame(mb.get("sites", []), columns=["kind", "id", "year", "fixed_cost_yuan"])

    def per_kind(frame):
        return frame.groupby("kind").agg(sites=("id", "size"), cost_wan_yuan=("fixed_cost_yuan",
                                                                              lambda c: round(c.sum() / 1e4, 1)))

    costs = per_kind(sa).merge(per_kind(sb), how="outer", left_index=True, right_index=True,
                               suffixes=(f" {a}", f" {b}")).fillna(0).reset_index()
    keys_a, keys_b = set(zip(sa["kind"], sa["id"])), set(zip(sb["kind"], sb["id"]))
    only = [{"kind": k, "id": i, "in": a} for k, i in sorted(keys_a - keys_b)] + \
           [{"kind": k, "id": i, "in": b} for k, i in sorted(keys_b - keys_a)]
    return {"indicators": ind.reset_index(drop=True), "costs": costs,
            "sites": pd.DataFrame(only, columns=["kind", "id", "in"])}
