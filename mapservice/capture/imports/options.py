"""What a caller may ask of an import, checked before any file is read.

Options come from the command line and from form fields of the planner endpoint, so they are
untrusted text: every one is checked against a strict pattern (a quarter slug, a layer id, an
EPSG code, a UUID) and refused with ``invalid_option`` otherwise — nothing a caller sends ever
reaches SQL text, and a typo is reported before a 100,000-row file is parsed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

from mapservice.capture.readers import KIND_WORDS
from mapservice.errors import InvalidInput
from mapservice.georef.crs import parse_epsg

FORMATS = ("auto", "geojson", "csv", "gpx", "gpkg", "shp", "odk", "kobo", "findings")
STATUSES = ("draft", "review", "changes_requested", "published", "rejected")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_LAYER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_COLUMN_MAX = 100


def invalid_option(name: str, value: object, de: str, en: str) -> InvalidInput:
    shown = str(value)[:60]
    return InvalidInput(
        f"Ungültige Option {name}={shown!r}: {de}",
        f"Invalid option {name}={shown!r}: {en}",
        code="invalid_option",
    )


@dataclass(frozen=True)
class ImportOptions:
    """One import: the file's format and how to read it, and where its rows belong."""

    format: str = "auto"
    quarter: str | None = None
    layer: str | None = None
    crs: str | None = None
    x: str | None = None
    y: str | None = None
    lat: str | None = None
    lon: str | None = None
    walkthrough: uuid.UUID | None = None
    dry_run: bool = False
    skip_invalid: bool = False
    status: str = "draft"
    kind: str | None = None
    author: str | None = None
    id_column: str | None = None  # the file's own key for upserts; "-" = none, None = detect
    address: str | None = None  # address column(s) for rows without coordinates: "A" or "A+B"

    @property
    def epsg(self) -> int | None:
        """The EPSG code given by the caller, None to use the file's own (or WGS 84)."""
        return parse_epsg(self.crs) if self.crs else None

    def defaults(self) -> dict[str, Any]:
        """Values for fields a file leaves empty."""
        values: dict[str, Any] = {"status": self.status}
        if self.layer:
            values["layer_id"] = self.layer
        if self.quarter:
            values["quarter"] = self.quarter
        if self.walkthrough:
            values["walkthrough_id"] = str(self.walkthrough)
        if self.kind:
            values["kind"] = self.kind
        if self.author:
            values["author"] = self.author
        return values


def _column(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > _COLUMN_MAX or any(ord(ch) < 32 for ch in value):
        raise invalid_option(name, value, "kein gültiger Spaltenname.", "not a valid column name.")
    return value


def check_options(options: ImportOptions) -> ImportOptions:
    """The options with empty strings as None, or ``invalid_option`` naming the bad one."""
    fmt = (options.format or "auto").strip().lower()
    if fmt not in FORMATS:
        raise invalid_option(
            "format", options.format, f"erlaubt: {', '.join(FORMATS)}.",
            f"allowed: {', '.join(FORMATS)}.",
        )  # fmt: skip
    quarter = options.quarter or None
    if quarter is not None and not _SLUG.match(quarter):
        raise invalid_option(
            "quarter", quarter, "Kürzel aus a–z, 0–9 und Bindestrich erwartet.",
            "expected a slug of a–z, 0–9 and hyphens.",
        )  # fmt: skip
    layer = options.layer or None
    if layer is not None and not _LAYER.match(layer):
        raise invalid_option(
            "layer", layer, "Ebenen-id aus a–z, 0–9, - und _ erwartet.",
            "expected a layer id of a–z, 0–9, - and _.",
        )  # fmt: skip
    crs = options.crs or None
    if crs is not None:
        parse_epsg(crs)  # unknown_crs with its own message
    kind = options.kind or None
    if kind is not None and kind.lower() not in KIND_WORDS:
        raise invalid_option(
            "kind", kind, "Stärke, Problem, Potenzial oder Idee (strength, problem, potential, "
            "idea).", "strength, problem, potential or idea.",
        )  # fmt: skip
    if options.status not in STATUSES:
        raise invalid_option(
            "status", options.status, f"erlaubt: {', '.join(STATUSES)}.",
            f"allowed: {', '.join(STATUSES)}.",
        )  # fmt: skip
    x, y = _column("x", options.x), _column("y", options.y)
    lat, lon = _column("lat", options.lat), _column("lon", options.lon)
    if (x is None) != (y is None) or (lat is None) != (lon is None):
        raise invalid_option(
            "x/y, lat/lon", f"{x or lat}", "Spalten nur paarweise angeben (--x mit --y, "
            "--lat mit --lon).", "give columns in pairs (--x with --y, --lat with --lon).",
        )  # fmt: skip
    if x is not None and lat is not None:
        raise invalid_option(
            "x/y, lat/lon", x, "entweder x/y oder lat/lon.", "either x/y or lat/lon."
        )
    id_column = _column("id_column", options.id_column)
    address = _column("address", options.address)
    return replace(options, format=fmt, quarter=quarter, layer=layer, crs=crs, x=x, y=y,
                   lat=lat, lon=lon, kind=KIND_WORDS[kind.lower()] if kind else None,
                   id_column=id_column, address=address)  # fmt: skip


def parse_walkthrough(value: str | None) -> uuid.UUID | None:
    """A walkthrough id from a form field or CLI option."""
    if value is None or not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise invalid_option("walkthrough", value, "UUID erwartet.", "expected a UUID.") from None


def parse_flag(name: str, value: str | bool | None) -> bool:
    """true/false from a form field ("true", "1", "ja", "false", "0", "nein", empty)."""
    if isinstance(value, bool):
        return value
    text = (value or "").strip().lower()
    if text in ("", "false", "0", "nein", "no", "off"):
        return False
    if text in ("true", "1", "ja", "yes", "on"):
        return True
    raise invalid_option(name, value, "true oder false erwartet.", "expected true or false.")
