"""Benchmark: one click in the siting app, against recomputing the indicators from scratch.

On the demo county, places ``--clicks`` transfer stations one after another (at road
nodes inside the districts, seeded) and after each measures:

* geoplan app: ``SitingSession.place`` + ``coverage`` + ``district_table`` + ``loads``
  (the network's cached reverse-Dijkstra columns, one per station);
* anchor: the same figures the way a report computes them — ``kind_coverage`` (the
  kind's indicators read together, each station counting for what its capacity takes in,
  and its loads), with every station snapped and no cached cost column.

It checks that both give the same coverage and prints median times, the ratio and
whether a click stays under the 1 s the app promises.

Usage::

    python benchmarks/app_click.py --clicks 10 --seed 0
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.app import SitingSession
from geoplan.demo.scenario_folder import write_demo_scenario
from geoplan.indicators.coverage import kind_coverage
from geoplan.network.access import CostColumns
from geoplan.scenario import load_scenario

KIND = "transfer_stations"


def anchor_figures(session: SitingSession) -> list[float]:
    """Coverage of the kind's indicators and the loads, computed from scratch as the report does."""
    sc = session.scenario
    stations = gpd.GeoDataFrame(pd.concat([session.existing, session.plan_layer()], ignore_index=True),
                                geometry="geometry", crs=sc.metric_epsg)
    targets = [t for t in sc.targets.values() if t.facility_kind == KIND]
    read = kind_coverage(sc.road_network, targets, sc.standards, {t.demand_kind: sc.layers[t.demand_kind]
                                                                  for t in targets}, stations, sc.quantities,
                         sc.layers["districts"])
    return [read.indicators[t.key].actual for t in targets]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        scenario = load_scenario(write_demo_scenario(Path(tmp) / "demo"))
        t0 = time.perf_counter()
        session = SitingSession(scenario, KIND)
        setup = time.perf_counter() - t0
        net = scenario.road_network
        area = shapely.union_all(scenario.layers["districts"].geometry.to_numpy())
        inside = np.flatnonzero(shapely.contains_xy(area, net.node_xy[:, 0], net.node_xy[:, 1]))
        rng = np.random.default_rng(args.seed)
        nodes = rng.choice(inside, size=args.clicks, replace=False)
        lonlat = gpd.GeoSeries(gpd.points_from_xy(net.node_xy[nodes, 0], net.node_xy[nodes, 1]),
                               crs=scenario.metric_epsg).to_crs(4326)
        ours, anchor = [], []
        for p in lonlat:
            t0 = time.perf_counter()
            session.place(p.x, p.y)
            figures = [f.actual for f in session.coverage()]
            session.district_table()
            session.loads()
            ours.append(time.perf_counter() - t0)
            # the anchor starts without the network's cached cost columns, as a report run does
            cached, net.cost_columns = net.cost_columns, CostColumns()
            t0 = time.perf_counter()
            expected = anchor_figures(session)
            anchor.append(time.perf_counter() - t0)
            net.cost_columns = cached
            if not np.allclose(figures, expected, rtol=0, atol=1e-9):
                raise SystemExit(f"coverage differs from the indicator module: {figures} vs {expected}")

    a, o = statistics.median(anchor), statistics.median(ours)
    print(f"demo county: {net.n_nodes} nodes; session set-up (snapping, network build) {setup:.2f} s")
    print(f"{args.clicks} clicks; coverage agrees with the report's reading (kind_coverage) on every click")
    print(f"{'method':<58}{'median s':>10}{'max s':>8}  ratio")
    print(f"{'anchor: kind_coverage (coverage + loads) from scratch':<58}{a:>10.3f}{max(anchor):>8.3f}  1.0×")
    print(f"{'geoplan app: place + coverage + district table + loads':<58}{o:>10.3f}{max(ours):>8.3f}  "
          f"{a / o:.1f}× faster")
    print(f"under 1 s per click: {'yes' if max(ours) < 1.0 else 'NO'} (slowest {max(ours):.3f} s)")


if __name__ == "__main__":
    main()
