"""Unload sites of the existing network or of the plan, for every routing workflow.

Collection trucks tip at transfer stations and treatment plants, film vans at township
film stations, muck trucks at disposal sites and transfer yards. Each workflow routes to
either

* ``"existing"`` — the rows with status ``existing`` in ``layers.gpkg``, or
* ``"plan"`` — those, the rows with status ``planned`` and the sites ``geoplan site``
  wrote to ``output/planned_sites.gpkg``;

by default the plan when it adds a site of the workflow's kinds, so routes follow a
siting run without a setting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np

from layers.errors import GeoplanError
from geoplan.settings import SITE_CHOICES


@dataclass(frozen=True)
class SiteChoice:
    """The unload sites a workflow routes to.

    Attributes
    ----------
    used : {"existing", "plan"}
        Which network the sites come from.
    layers : dict of str to GeoDataFrame
        Rows used per facility kind (kinds without a row are left out).
    planned_ids : list of str
        Sites of the plan that are not existing (empty with ``"existing"``).
    sources : dict of (str, str) to str
        ``(kind, id)`` → the file the row was read from, for messages.
    """

    used: str
    layers: dict[str, gpd.GeoDataFrame]
    planned_ids: list[str] = field(default_factory=list)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        """Ids of every site used, kind by kind."""
        return [str(i) for gdf in self.layers.values() for i in gdf["id"]]

    def note(self, what: str) -> str:
        """One summary line naming the sites, e.g. ``"消纳场 sites used: 规划 plan (…): MD01, CA036 (planned: CA036)"``."""
        label = "规划 plan (existing + planned)" if self.used == "plan" else "现状 existing"
        line = f"{what} used: {label}: {', '.join(self.ids) or '—'}"
        return line + (f" (planned: {', '.join(self.planned_ids)})" if self.planned_ids else "")

    def details(self) -> dict:
        """The choice for the summary JSON."""
        return {"stations": self.used, "station_ids": self.ids, "planned_station_ids": list(self.planned_ids)}


def check_choice(choice: str, where: str = "--stations") -> str:
    """``choice`` if it is ``""``, ``"existing"`` or ``"plan"``; else a GeoplanError naming ``where``."""
    if choice not in ("", *SITE_CHOICES):
        raise GeoplanError(f"{where} {choice!r} is not known; use existing or plan")
    return choice


def choose_sites(scenario, kinds: Sequence[str], choice: str = "") -> SiteChoice:
    """The sites of ``kinds`` a workflow unloads at, from the existing network or the plan.

    Parameters
    ----------
    scenario : Scenario
    kinds : sequence of str
        Facility kinds, e.g. ``("muck_disposal_sites", "muck_transfer_yards")``.
    choice : {"existing", "plan", ""}
        ``""`` takes the plan when it adds a site of ``kinds`` to the existing network.

    Raises
    ------
    GeoplanError
        An unknown choice, or a planned-sites file whose rows do not validate.
    """
    from geoplan.indicators.report import PLANNED_SITES_FILE, facilities_for

    check_choice(choice)
    existing = facilities_for(scenario, "existing")
    # The existing network asked for by name does not read the plan (nor trip on its errors).
    plan = existing if choice == "existing" else facilities_for(scenario, "plan")
    have = {str(i) for k in kinds if k in existing for i in existing[k]["id"]}
    added = [str(i) for k in kinds if k in plan for i in plan[k]["id"] if str(i) not in have]
    used = choice or ("plan" if added else "existing")
    chosen = existing if used == "existing" else plan
    picked = {k: chosen[k] for k in kinds if k in chosen and len(chosen[k])}
    sources = {}
    for kind, gdf in picked.items():
        own = scenario.layers.get(kind)
        own_ids = set() if own is None else {str(i) for i in own["id"]}
        for i in gdf["id"].astype(str):
            sources[(kind, i)] = "layers.gpkg" if i in own_ids else f"output/{PLANNED_SITES_FILE}"
    return SiteChoice(used, picked, added if used == "plan" else [], sources)


def site_capacity(choice: SiteChoice, kind: str, capacity_field: str, unit: str) -> np.ndarray:
    """Capacity of every ``kind`` site in ``choice``; every site must have one.

    ``geoplan site`` writes the chosen capacity class (or the candidate's capacity) into
    the kind's capacity field, so a sited row has it; a row added by hand may not.

    Raises
    ------
    GeoplanError
        Naming the file, layer, row id and field of the first site without a positive capacity.
    """
    gdf = choice.layers.get(kind)
    if gdf is None or len(gdf) == 0:
        return np.zeros(0)
    values = gdf[capacity_field] if capacity_field in gdf.columns else [None] * len(gdf)
    out = []
    for sid, value in zip(gdf["id"].astype(str), values):
        try:
            cap = float(value)
        except (TypeError, ValueError):
            cap = math.nan
        if not (math.isfinite(cap) and cap > 0):
            source = choice.sources.get((kind, sid), "layers.gpkg")
            raise GeoplanError(f"{source}, layer {kind}, row {sid}, field {capacity_field}: no capacity — give the "
                               f"site's {capacity_field} in {unit} (or site it again with a capacity class) so "
                               "routes can be held to it")
        out.append(cap)
    return np.asarray(out, float)
