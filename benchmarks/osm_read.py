"""Benchmark: reading a county-sized OSM extract, geoplan against osmnx on the same data.

Writes a synthetic county (a jittered grid of streets with shape points, arterials every
tenth line, some one-way streets) of at least ``--nodes`` OSM nodes, once as PBF and once
as XML (pyosmium), then in one run and each in its own process:

* geoplan: ``RoadNetwork.from_osm_pbf`` — read, simplify, project, prune, ready to route;
* anchor: ``osmnx.graph_from_xml`` (osmnx reads no PBF) with its default simplification,
  on the XML of the same data.

It prints wall time and peak memory of each, the ratio, and whether geoplan stays under
60 s and 4 GB. ``--anchor-timeout`` stops an anchor that runs too long (reported as such).

Usage::

    python benchmarks/osm_read.py --nodes 1000000
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: Where the synthetic county lies (near the demo county, 119.2°E 34.6°N).
LON0, LAT0 = 119.0, 34.4
SPACING_DEG = 0.003  # about 300 m between junctions


def write_county(folder: Path, nodes: int, seed: int = 0) -> tuple[Path, Path, int]:
    """A grid county of at least ``nodes`` OSM nodes as PBF and XML; returns both paths and the node count."""
    import osmium
    from osmium.osm.mutable import Node, Way

    shape = 9  # shape points between junctions
    side = math.ceil(math.sqrt(nodes / (1 + 2 * shape)))
    rng = np.random.default_rng(seed)
    junction = np.arange(side * side).reshape(side, side) + 1
    jx = LON0 + np.arange(side)[None, :] * SPACING_DEG + rng.normal(0, SPACING_DEG * 0.1, (side, side))
    jy = LAT0 + np.arange(side)[:, None] * SPACING_DEG + rng.normal(0, SPACING_DEG * 0.1, (side, side))
    next_id = side * side + 1
    paths = [folder / "county.osm.pbf", folder / "county.osm"]
    writers = [osmium.SimpleWriter(str(p)) for p in paths]
    count = 0
    try:
        for i in range(side):
            for j in range(side):
                for w in writers:
                    w.add_node(Node(id=int(junction[i, j]), location=(float(jx[i, j]), float(jy[i, j]))))
                count += 1
        way_id = 1
        for horizontal in (True, False):
            for line in range(side):
                refs = []
                for k in range(side):
                    i, j = (line, k) if horizontal else (k, line)
                    refs.append(int(junction[i, j]))
                    if k == side - 1:
                        break
                    i2, j2 = (line, k + 1) if horizontal else (k + 1, line)
                    for s in range(1, shape + 1):
                        f = s / (shape + 1)
                        lon = jx[i, j] * (1 - f) + jx[i2, j2] * f + rng.normal(0, 1e-5)
                        lat = jy[i, j] * (1 - f) + jy[i2, j2] * f + rng.normal(0, 1e-5)
                        for w in writers:
                            w.add_node(Node(id=next_id, location=(float(lon), float(lat))))
                        refs.append(next_id)
                        next_id += 1
                        count += 1
                tags = {"highway": "primary" if line % 10 == 0 else "residential", "name": f"路{way_id}"}
                if line % 7 == 3:
                    tags["oneway"] = "yes"
                for w in writers:
                    w.add_way(Way(id=way_id, nodes=refs, tags=tags))
                way_id += 1
    finally:
        for w in writers:
            w.close()
    return paths[0], paths[1], count


def _measure(code: str, timeout: float) -> dict:
    """Run ``code`` in a fresh Python; its wall time and peak memory (or that it ran out of time)."""
    script = ("import json, resource, time\nt0 = time.perf_counter()\n" + code +
              "\nprint(json.dumps({'s': time.perf_counter() - t0, "
              "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'out': out}))")
    try:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--anchor-timeout", type=float, default=900.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        pbf, xml, count = write_county(Path(tmp), args.nodes)
        print(f"synthetic county: {count:,} OSM nodes; PBF {pbf.stat().st_size / 2**20:.0f} MB, "
              f"XML {xml.stat().st_size / 2**20:.0f} MB (written in {time.perf_counter() - t0:.0f} s)")
        ours = _measure(f"from geoplan.network import RoadNetwork\nnet = RoadNetwork.from_osm_pbf({str(pbf)!r})\n"
                        "out = [net.n_nodes, net.n_edges]", 600)
        anchor = _measure(f"import osmnx as ox\ng = ox.graph_from_xml({str(xml)!r})\n"
                          "out = [g.number_of_nodes(), g.number_of_edges()]", args.anchor_timeout)
    print(f"{'reader':<52}{'s':>8}{'peak MB':>10}  graph (nodes, edges)")
    for label, r in (("geoplan: RoadNetwork.from_osm_pbf (ready to route)", ours),
                     ("anchor: osmnx.graph_from_xml (simplified graph)", anchor)):
        if "s" in r:
            print(f"{label:<52}{r['s']:>8.1f}{r['peak_mb']:>10.0f}  {tuple(r['out'])}")
        else:
            print(f"{label:<52}  {'timed out after %.0f s' % r['timeout'] if 'timeout' in r else r['error']}")
    if "s" in ours and "s" in anchor:
        print(f"ratio: geoplan {anchor['s'] / ours['s']:.1f}× faster, {anchor['peak_mb'] / ours['peak_mb']:.1f}× less memory")
    if "s" in ours:
        ok = ours["s"] < 60 and ours["peak_mb"] < 4096
        print(f"target < 60 s and < 4 GB: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
