"""geoplan."""
