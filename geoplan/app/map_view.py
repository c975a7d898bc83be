"""The published map of a siting session's plan: one self-contained HTML file.

:meth:`MapView.full_map` draws a :class:`~geoplan.app.records.PlanState` as the folium maps
of the other commands are drawn — districts by coverage, service areas, demand,
stations, legends and the indicator panel — for the page's "download the map" button, a
file a planner forwards. (The page itself draws with Leaflet from
:mod:`geoplan.app.page_view`'s JSON.) Every layer comes from :mod:`maps`.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

import maps
from geoplan.app.page_view import PageView
from geoplan.app.records import PlanState
from maps.styles import colour

#: What the published map draws, in drawing order (later ones on top).
OVERLAYS = ("districts", "areas", "demand", "stations", "candidates")


class MapView:
    """Draws the plan states of one scenario's sessions as whole folium maps.

    Parameters
    ----------
    scenario : Scenario
    page : PageView, optional
        Whose cached service areas to draw (the app shares its own); default a new one.
    """

    def __init__(self, scenario, page: PageView | None = None):
        self.scenario = scenario
        self.page = page or PageView(scenario)
        self.districts = scenario.layers.get("districts")

    def _bounds(self, state: PlanState) -> list[gpd.GeoDataFrame]:
        if self.districts is not None and len(self.districts):
            return [self.districts]
        return [state.stations] if len(state.stations) else [self.page.network.edges_gdf()]

    def area_layer(self, state: PlanState, tiles: str = "osm") -> folium.GeoJson | None:
        """Service areas of every station at the state's standard, drawn as the roads they serve."""
        if not state.station_nodes:
            return None
        gcj02 = maps.needs_gcj02(tiles)
        features = [{"type": "Feature", "properties": {"id": sid},
                     "geometry": self.page.area(node, state.standard, state.profile, gcj02)}
                    for node, sid in zip(state.station_nodes, state.station_ids)]
        c = colour(state.kind)
        return folium.GeoJson({"type": "FeatureCollection", "features": features},
                              name=f"服务范围 / service areas ({state.standard})", interactive=False,
                              style_function=lambda f, c=c: {"color": c, "weight": 5, "opacity": 0.35,
                                                             "lineCap": "round", "lineJoin": "round"})

    def overlays(self, state: PlanState, tiles: str = "osm") -> list:
        """The map layers of the plan, in :data:`OVERLAYS` order."""
        drawn = []
        if state.districts is not None:
            drawn.append(maps.coverage_choropleth(state.districts, tiles, label="覆盖率 / coverage rate"))
        area = self.area_layer(state, tiles)
        drawn += [area] if area is not None else []
        drawn += maps.demand_coverage_layers(state.demand, tiles, popups=True)
        if len(state.stations):
            drawn += list(maps.facility_layers({state.kind: state.stations}, tiles).values())
        if len(state.candidates):
            drawn.append(maps.facility_layer("candidate_sites", state.candidates, tiles, show=False))
        return drawn

    def full_map(self, state: PlanState, tiles: str = "osm") -> folium.Map:
        """The whole map of the plan with its indicator panel, for a file that has no page around it."""
        m = maps.new_map(self._bounds(state), tiles=tiles,
                         title=f"{self.scenario.name} — 交互选址 / interactive siting")
        for element in self.overlays(state, tiles):
            element.add_to(m)
        if state.districts is not None:
            maps.add_colour_legend(m, "覆盖率 / coverage rate", maps.coverage_colormap())
        maps.add_legend(m, "需求点 / demand", maps.demand_legend_items())
        if len(state.stations):
            maps.add_legend(m, "设施 / facilities", maps.facility_legend_items([state.kind]))
        maps.add_indicator_panel(m, indicator_table(state), title="指标 / indicators — 交互规划 / interactive plan")
        return maps.finish_map(m)


def indicator_table(state: PlanState) -> pd.DataFrame:
    """The coverage figures as the indicator panel's table."""
    rows = [{"key": f.key, "label": f.label, "actual": round(f.actual, 4), "target": f.target,
             "gap": round(max(0.0, f.target - f.actual), 4), "unit": "share",
             "status": "达标" if f.met else "未达标", "covered_units": f.covered_units, "units": f.units}
            for f in state.coverage]
    return pd.DataFrame(rows)
