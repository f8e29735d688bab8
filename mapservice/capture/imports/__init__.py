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

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mapservice.capture.imports.options import (
    FORMATS,
    ImportOptions,
    check_options,
    parse_flag,
    parse_walkthrough,
)
from mapservice.capture.imports.result import ImportResult

if TYPE_CHECKING:
    from mapservice.capture.imports.detect import detect_format
    from mapservice.capture.imports.runner import run_import

# The readers need pandas (and, for GeoPackage/Shapefile, GDAL through pyogrio): ~35 + 30 MB
# a server worker should only pay for when a file is imported. ``run_import`` and
# ``detect_format`` are therefore loaded on first use (``from mapservice.capture.imports
# import run_import`` still works).
_LAZY = {
    "detect_format": "mapservice.capture.imports.detect",
    "run_import": "mapservice.capture.imports.runner",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
