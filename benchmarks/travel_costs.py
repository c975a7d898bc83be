"""Benchmark: travel-cost matrices, geoplan's CSR Dijkstra against networkx.

Builds a perturbed street grid of about ``--nodes`` nodes (arterials, an expressway,
one-way and missing local streets) as a roads layer, then computes a
``--sources`` × ``--targets`` distance matrix three ways in the same run:

* networkx: one ``single_source_dijkstra_path_length(G, s, weight="length")`` per
  source (the engine behind OSMnx's shortest paths), read out at the targets;
* geoplan: ``RoadNetwork.travel_costs`` (metres and seconds along the same path);
* geoplan with a ``--cutoff-m`` cutoff (sparse result).

It checks that the matrices agree to 1e-6 relative and prints times and ratios.

Usage::

    python benchmarks/travel_costs.py --nodes 50000 --sources 200 --targets 5000 --seed 0
"""

from __future__ import annotations

import argparse
import math
import time

import networkx as nx
import numpy as np

from geoplan.network import RoadNetwork
from geoplan.network.synthetic import grid_roads


def networkx_matrix(net: RoadNetwork, sources: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float]:
    """Distance matrix with networkx single-source Dijkstra; returns (matrix, seconds of queries)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(net.n_nodes))
    for a, b, length in zip(net.edge_u.tolist(), net.edge_v.tolist(), net.edge_length_m.tolist()):
        if a != b and (not graph.has_edge(a, b) or graph[a][b]["length"] > length):
            graph.add_edge(a, b, length=length)
    target_list = targets.tolist()
    out = np.empty((len(sources), len(targets)))
    start = time.perf_counter()
    for i, s in enumerate(sources.tolist()):
        lengths = nx.single_source_dijkstra_path_length(graph, s, weight="length")
        out[i] = [lengths.get(t, math.inf) for t in target_list]
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=50_000, help="approximate network size (nodes)")
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--targets", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cutoff-m", type=float, default=5000.0, help="cutoff for the sparse run, metres")
    args = parser.parse_args()

    side = math.ceil(math.sqrt(args.nodes))
    t0 = time.perf_counter()
    roads = grid_roads(side, side, seed=args.seed)
    net = RoadNetwork.from_roads(roads)
    net.cost_graph("compression_truck", "metres")  # CSR built once, outside the timed queries
    build_s = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    sources = rng.choice(net.n_nodes, size=min(args.sources, net.n_nodes), replace=False)
    targets = rng.choice(net.n_nodes, size=min(args.targets, net.n_nodes), replace=False)
    print(
        f"network: {net.n_nodes} nodes, {net.n_edges} directed edges, {net.info()['total_km']:.0f} km "
        f"(dropped {net.dropped.nodes} nodes outside the largest SCC); build {build_s:.2f} s"
    )
    print(f"matrix: {len(sources)} sources × {len(targets)} targets, profile compression_truck, weight metres")

    t0 = time.perf_counter()
    ours = net.travel_costs(sources, targets, weight="metres")
    ours_s = time.perf_counter() - t0

    reference, nx_s = networkx_matrix(net, sources, targets)
    finite = np.isfinite(reference)
    assert np.array_equal(finite, np.isfinite(ours.metres)), "reachability differs from networkx"
    worst = float(np.max(np.abs(ours.metres[finite] - reference[finite]) / np.maximum(reference[finite], 1e-12)))
    assert worst <= 1e-6, f"distances differ from networkx: max relative error {worst:.2e}"

    t0 = time.perf_counter()
    cut = net.travel_costs(sources, targets, cutoff_m=args.cutoff_m)
    cut_s = time.perf_counter() - t0
    dense_cut, _ = cut.to_dense()
    within = reference <= args.cutoff_m
    assert np.array_equal(np.isfinite(dense_cut), within), "cutoff entries differ from networkx"
    assert np.allclose(dense_cut[within], reference[within], rtol=1e-6)

    rows = [
        ("networkx single-source Dijkstra", nx_s, "1.0×"),
        ("geoplan travel_costs (metres + seconds)", ours_s, f"{nx_s / ours_s:.1f}× faster than networkx"),
        (
            f"geoplan travel_costs, cutoff {args.cutoff_m / 1000:g} km ({cut.metres.nnz} pairs)",
            cut_s,
            f"{nx_s / cut_s:.0f}× faster than networkx, {ours_s / cut_s:.1f}× faster than no cutoff",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"max relative difference vs networkx: {worst:.1e}")
    print(f"{'method':<{width}}  {'time s':>8}  ratio")
    for name, seconds, ratio in rows:
        print(f"{name:<{width}}  {seconds:>8.3f}  {ratio}")


if __name__ == "__main__":
    main()
