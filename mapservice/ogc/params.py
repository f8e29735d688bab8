"""Query parameters of the OGC API: format negotiation, bbox, limit, offset, paging cursor.

OGC API Features requires a 400 for an invalid value *and* for a parameter the endpoint
does not know; every failure here says what was wrong and what would be right, in German
and English.
"""

from __future__ import annotations

import base64
import binascii
import math
import uuid
from dataclasses import dataclass

from mapservice.errors import InvalidInput, NotFound
from mapservice.ogc.crs import CRS84, BBox, OutputCrs, parse_box
from mapservice.tiles.filters import invalid

__all__ = ["CRS84", "Cursor", "negotiate", "parse_bbox", "parse_int"]
DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000


def negotiate(
    f: str | None, accept: str | None, allowed: tuple[str, ...] = ("json", "html")
) -> str:
    """``f=`` wins; otherwise a browser (``text/html`` before any JSON) gets HTML."""
    if f is not None:
        wanted = "json" if f in ("json", "geojson", "application/json") else f
        if wanted not in allowed:
            raise invalid(
                "f", f"erlaubt sind {', '.join(allowed)}.", f"allowed are {', '.join(allowed)}."
            )
        return wanted
    accept = (accept or "").lower()
    html, json_ = accept.find("text/html"), max(accept.find("json"), -1)
    if "html" in allowed and html >= 0 and (json_ < 0 or html < json_):
        return "html"
    return "json"


def parse_bbox(value: str, crs: OutputCrs) -> BBox:
    """``bbox`` as four (or six, heights ignored) numbers in the axis order of ``bbox-crs``."""
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) == 4 and all(math.isfinite(n) for n in numbers):
        try:
            return parse_box((numbers[0], numbers[1], numbers[2], numbers[3]), crs)
        except InvalidInput:
            if crs.uri != CRS84:
                raise
    raise invalid(
        "bbox",
        "erwartet werden vier Zahlen minLänge,minBreite,maxLänge,maxBreite in WGS 84 "
        "(Länge −180…180, Breite −90…90, min ≤ max), z. B. 13.39,52.51,13.41,52.53, "
        "oder mit bbox-crs ein anderes Koordinatensystem.",
        "expected four numbers minLon,minLat,maxLon,maxLat in WGS 84 "
        "(lon −180…180, lat −90…90, min ≤ max), e.g. 13.39,52.51,13.41,52.53, "
        "or another coordinate system with bbox-crs.",
    )


def parse_int(name: str, value: str | None, default: int, low: int, high: int) -> int:
    """A whole number in ``low``…``high``; OGC wants 400 for ``limit=abc`` and ``limit=10001``."""
    if value is None:
        return default
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or not low <= int(text) <= high:
        raise invalid(
            name,
            f"erwartet wird eine ganze Zahl von {low} bis {high}, nicht {value[:30]!r}.",
            f"expected a whole number from {low} to {high}, not {value[:30]!r}.",
        )
    return int(text)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the id ``after``, which is item number ``offset``."""

    offset: int
    after: str

    def encode(self) -> str:
        raw = f"{self.offset}:{self.after}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            offset, _, after = raw.partition(":")
            if not offset.isdigit() or not after or len(after) > 64:
                raise ValueError(raw)
            return cls(int(offset), after)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid(
                "cursor",
                "ungültig; bitte dem next-Link der vorigen Seite folgen.",
                "invalid; please follow the next link of the previous page.",
            ) from None


def feature_id(raw: str, id_type: str) -> str:
    """A feature id in the form its table uses; anything else cannot exist, so 404."""
    try:
        if id_type == "uuid":
            return str(uuid.UUID(raw))
        number = int(raw, 10)
        if not 0 < number < 2**63:
            raise ValueError(raw)
        return str(number)
    except ValueError:
        raise not_found_feature(raw) from None


def not_found_feature(raw: str) -> NotFound:
    return NotFound(
        f"Objekt {raw[:64]!r} gibt es in dieser Sammlung nicht (oder es ist nicht sichtbar).",
        f"Feature {raw[:64]!r} does not exist in this collection (or is not visible).",
        code="feature_not_found",
    )
