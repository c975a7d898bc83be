"""Plan indicators computed on the road network: coverage, loads, hauls, the 四级两网 chain."""

from geoplan.indicators.access import nearest_facility
from geoplan.indicators.coverage import STATUS_MET, STATUS_NOT_MET, CoverageIndicator, coverage_indicator
from geoplan.indicators.report import IndicatorReport, before_after, compute_indicators, facilities_for

__all__ = [
    "STATUS_MET",
    "STATUS_NOT_MET",
    "CoverageIndicator",
    "IndicatorReport",
    "before_after",
    "compute_indicators",
    "coverage_indicator",
    "facilities_for",
    "nearest_facility",
]
