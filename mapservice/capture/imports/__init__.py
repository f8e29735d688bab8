"""Imports of whole files: GeoJSON, CSV (x/y or lat/lon + CRS), ODK Central and KoboToolbox
exports, GPX (track → walkthrough, waypoints → observations), GeoPackage and Shapefile,
interview findings with place text, and planners' reference layers.

Every file is one transaction with a report of accepted, already present and refused rows
(row number and reason in German and English); ``dry_run`` writes nothing. Observations are
staged with COPY and checked in SQL over all rows at once (:mod:`mapservice.capture.bulk`).

    >>> from mapservice.capture.imports import ImportOptions, run_import
    >>> result = run_import(engine, catalog, Path("begehung.csv"),
    ...                     ImportOptions(quarter="bochum-hamme", layer="mobilitaet"), viewer)
    >>> result.summary()[0]
    '120 gelesen, 120 neu, 0 schon vorhanden, 0 abgelehnt'
"""

from mapservice.capture.imports.detect import detect_format
from mapservice.capture.imports.options import (
    FORMATS,
    ImportOptions,
    check_options,
    parse_flag,
    parse_walkthrough,
)
from mapservice.capture.imports.result import ImportResult
from mapservice.capture.imports.runner import run_import

__all__ = [
    "FORMATS",
    "ImportOptions",
    "ImportResult",
    "check_options",
    "detect_format",
    "parse_flag",
    "parse_walkthrough",
    "run_import",
]
