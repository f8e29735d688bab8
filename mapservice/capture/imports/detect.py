"""Which reader a file needs: from the caller's ``--format``, else its name and first bytes.

A CSV is told apart by its header: ODK Central writes ``SubmissionDate`` and ``KEY``,
KoboToolbox ``_uuid`` and ``_submission_time``, an interview transcript has a statement
column; anything else with a delimiter is a plain CSV of observations.
"""

from __future__ import annotations

from pathlib import Path

from mapservice.capture.imports.table import decode, sniff_delimiter

SUFFIXES = {
    ".geojson": "geojson", ".json": "geojson", ".gpx": "gpx", ".gpkg": "gpkg", ".shp": "shp",
    ".zip": "shp", ".csv": "csv", ".tsv": "csv", ".txt": "csv",
}  # fmt: skip
STATEMENT_COLUMNS = {"statement", "aussage", "zitat"}


def csv_flavour(head: bytes) -> str:
    """odk, kobo, findings or csv, from the header line."""
    text = decode(head)
    first = text.split("\n", 1)[0]
    sep = sniff_delimiter(first)
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
    by_name = SUFFIXES.get(Path(name).suffix.lower())
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
