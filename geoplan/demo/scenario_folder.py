"""Write the demo county as a scenario folder."""

from __future__ import annotations

from pathlib import Path

import layers
from geoplan.demo.county import DEFAULT_SEED, build_demo_layers
from geoplan.demo.geography import METRIC_EPSG
from geoplan.demo.names import COUNTY_NAME, COUNTY_NAME_EN
from geoplan.outputs import write_text
from geoplan.scenario import SCENARIO_FILE, scenario_toml

#: Layers are stored as planners usually receive them: CGCS2000 geographic coordinates.
STORAGE_EPSG = 4490
#: The demo county's expressways are county highways (高速/国道), which its compression
#: trucks take to the plant; a city's 城市快速路 keep the default bar.
COUNTY_PROFILES = """
[profiles.compression_truck]
barred_road_classes = ["track"]  # default also bars expressway: here the expressways are county highways
"""


def write_demo_scenario(folder: str | Path, seed: int = DEFAULT_SEED) -> Path:
    """Write ``scenario.toml`` and ``layers.gpkg`` (roads included) of the demo county.

    Returns
    -------
    pathlib.Path
        The scenario folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    demo = build_demo_layers(seed)
    layers.write_layers({k: g.to_crs(STORAGE_EPSG) for k, g in demo.items()}, folder / "layers.gpkg")
    write_text(folder / SCENARIO_FILE, scenario_toml(f"{COUNTY_NAME} {COUNTY_NAME_EN}", METRIC_EPSG, seed)
               + COUNTY_PROFILES)
    return folder
