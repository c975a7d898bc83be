"""The embedded demo county: a deterministic, realistic county-scale scenario."""

from geoplan.demo.county import DEFAULT_SEED, build_demo_layers

__all__ = ["DEFAULT_SEED", "build_demo_layers"]
