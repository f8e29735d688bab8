"""Which reader a file needs: from the caller's ``--format``, else its name and first bytes.

A CSV is told apart by its header: ODK Central writes ``SubmissionDate`` and ``KEY``,
KoboToolbox ``_uuid`` and ``_submission_time``, an interview transcript has a statement
column; anything else with a delimiter is a plain CSV of observations.
"""

from __future__ import annotations

import csv
from pathlib import Path

from mapservice.capture.imports.table import decode, sniff_delimiter
from mapservice.errors import InvalidInput

SUFFIXES = {
    ".geojson": "geojson", ".json": "geojson", ".gpx": "gpx", ".gpkg": "gpkg", ".shp": "shp",
    ".zip": "shp", ".csv": "csv", ".tsv": "csv", ".txt": "csv",
}  # fmt: skip
STATEMENT_COLUMNS = {"statement", "aussage", "zitat"}
# Parts of a Shapefile that are not the Shapefile: given alone they used to be read as a CSV
SHAPEFILE_PARTS = {".dbf", ".shx", ".prj", ".cpg", ".sbn", ".sbx", ".qix", ".qmd"}


def csv_flavour(head: bytes) -> str:
    """odk, kobo, findings or csv, from the header line."""
    text = decode(head)
    first = text.split("\n", 1)[0]
    try:
        sep = sniff_delimiter(first)
    except csv.Error as exc:  # binary content (a .dbf, an image) is no CSV header
        raise InvalidInput(
            f"Die Datei ist keine lesbare CSV-Datei ({exc}).",
            f"The file is not a readable CSV file ({exc}).",
            code="file_unreadable",
        ) from None
    header = {part.strip().strip('"').strip() for part in first.split(sep)}
    lower = {h.lower() for h in header}
    if {"SubmissionDate", "KEY"} <= header or "meta-instanceID" in header:
        return "odk"
    if "_uuid" in header and ("_submission_time" in header or "_id" in header):
        return "kobo"
    if lower & STATEMENT_COLUMNS:
        return "findings"
    return "csv"


def detect_format(name: str, head: bytes, requested: str = "auto") -> str:
    """The reader for a file called ``name`` starting with ``head``."""
    if requested != "auto":
        return requested
    suffix = Path(name).suffix.lower()
    if suffix in SHAPEFILE_PARTS:
        raise InvalidInput(
            f"{name} ist nur ein Teil eines Shapefiles: bitte die .shp-Datei (mit .shx und "
            ".dbf daneben) oder alle Teile als ZIP importieren.",
            f"{name} is only one part of a Shapefile: import the .shp file (with .shx and "
            ".dbf beside it) or all parts as a zip.",
            code="shapefile_part",
        )
    by_name = SUFFIXES.get(suffix)
    if by_name == "csv":
        return csv_flavour(head)
    if by_name:
        return by_name
    start = head.lstrip()[:64]
    if start.startswith(b"SQLite format 3"):
        return "gpkg"
    if start.startswith((b"{", b"[")):
        return "geojson"
    if start.startswith(b"<") and b"gpx" in head[:1000].lower():
        return "gpx"
    if start.startswith(b"PK"):
        return "shp"
    return csv_flavour(head)
