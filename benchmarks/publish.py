"""Print-map cost on the demo county: one theme sheet (A4) as PDF and as 300 dpi PNG, against the
same sheet drawn the plain way in the same run (anchor: matplotlib's default font subsets of 256
glyphs and GeoPandas drawing every road as its own path).

    python benchmarks/publish.py [--repeat 3]

Prints seconds per sheet for each and the ratio anchor / geoplan.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt


def sheet_seconds(draw, fmt: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        pm = draw()
        t = time.perf_counter()
        pm.save(io.BytesIO(), fmt)
        times.append(time.perf_counter() - t)
        pm.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from geoplan.demo.scenario_folder import write_demo_scenario
    from geoplan.indicators import compute_indicators
    from geoplan.print_maps import sheet_context, theme_sheet
    from geoplan.scenario import load_scenario
    from geoplan.themes import edition, published_themes, theme_content
    from maps.print_map import PrintMap

    folder = Path(tempfile.mkdtemp()) / "demo"
    write_demo_scenario(folder, seed=202611)
    scenario = load_scenario(folder)
    plan = compute_indicators(scenario, "existing")
    content = theme_content(scenario, published_themes(plan)[0], plan)
    ctx = sheet_context(scenario, edition(scenario))

    def geoplan_sheet():
        return theme_sheet(ctx, content, "A4")

    def anchor_sheet():
        plain_lines = PrintMap.add_lines

        def per_line(self, gdf, label, *, color="#9e9e9e", linewidth=0.6, alpha=1.0, zorder=2):
            plain_lines(self, gdf, label, color=[color] * len(gdf) if gdf is not None else color,
                        linewidth=linewidth, alpha=alpha, zorder=zorder)

        PrintMap.add_lines = per_line
        try:
            pm = theme_sheet(ctx, content, "A4")
        finally:
            PrintMap.add_lines = plain_lines
        plt.rcParams["ps.fonttype"] = 3  # matplotlib's default: PDF font subsets of 256 glyphs
        return pm

    rows = []
    for fmt in ("pdf", "png"):
        anchor = sheet_seconds(anchor_sheet, fmt, args.repeat)
        ours = sheet_seconds(geoplan_sheet, fmt, args.repeat)
        rows.append((fmt, anchor, ours))
    print(f"theme sheet {content.theme.key}, A4, median of {args.repeat}")
    print(f"{'format':<8}{'anchor s':>10}{'geoplan s':>11}{'ratio':>8}")
    for fmt, anchor, ours in rows:
        print(f"{fmt:<8}{anchor:>10.2f}{ours:>11.2f}{anchor / ours:>8.2f}")


if __name__ == "__main__":
    main()
