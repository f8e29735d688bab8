"""Reading observation files into ``ObservationRecord``s (GeoJSON here; more formats beside).

Readers never refuse a row themselves: a row they cannot parse gets ``problem`` set, so the
bulk loader reports every bad row of a file at once, with its row number.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from shapely.geometry import shape

from mapservice.capture.bulk import ObservationRecord

# Field names people use for the same thing (German exports, ODK/Kobo, our own API).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "uuid", "_uuid", "meta/instanceID", "instanceID", "KEY"),
    "layer_id": ("layer", "layer_id", "ebene", "themenebene", "thema"),
    "kind": ("kind", "art"),
    "title": ("title", "titel", "name"),
    "description": ("description", "beschreibung", "text", "notiz", "note"),
    "rating": ("rating", "bewertung"),
    "quarter": ("quarter", "quartier"),
    "walkthrough_id": ("walkthrough", "walkthrough_id", "begehung"),
    "accuracy_m": ("accuracy_m", "accuracy", "genauigkeit"),
    "observed_at": ("observed_at", "datum", "date", "zeit", "start", "SubmissionDate"),
    "status": ("status", "freigabe"),
    "author": ("author", "autor", "team", "_submitted_by", "SubmitterName"),
}

KIND_WORDS = {
    "stärke": "strength", "staerke": "strength", "strength": "strength",
    "problem": "problem", "potenzial": "potential", "potential": "potential",
    "idee": "idea", "idea": "idea",
}  # fmt: skip


def pick(props: Mapping[str, Any], field: str) -> Any:
    for name in ALIASES[field]:
        value = props.get(name)
        if value not in (None, ""):
            return value
    return None


def record_from_properties(
    props: Mapping[str, Any], geometry: Any, row: int, defaults: Mapping[str, Any]
) -> ObservationRecord:
    """Map one row's properties to a record; unparseable values become a row problem."""
    rec = ObservationRecord(geometry=geometry, layer_id=None, kind=None, title=None, row=row)
    problems: list[str] = []
    for field in ("layer_id", "title", "description", "quarter", "status", "author"):
        value = pick(props, field)
        if value is None:
            value = defaults.get(field)
        if value is not None:
            setattr(rec, field, str(value))
    rec.description = rec.description or ""
    rec.status = rec.status or str(defaults.get("status", "draft"))
    kind = pick(props, "kind") or defaults.get("kind")
    rec.kind = KIND_WORDS.get(str(kind).strip().lower(), str(kind)) if kind is not None else None
    for field, cast in (("rating", _int), ("accuracy_m", float), ("observed_at", _datetime),
                        ("id", _uuid), ("walkthrough_id", _uuid)):  # fmt: skip
        value = pick(props, field)
        if value is None:
            continue
        try:
            setattr(rec, field, cast(value))
        except (TypeError, ValueError):
            problems.append(f"{field}={str(value)[:40]!r}")
    rec.synthetic = bool(props.get("synthetic", defaults.get("synthetic", False)))
    if problems:
        rec.problem = "invalid_value"
    return rec


def _int(value: Any) -> int:
    number = float(value)
    if number != int(number):
        raise ValueError(value)
    return int(number)


def _uuid(value: Any) -> uuid.UUID:
    text = str(value).strip().removeprefix("uuid:")
    return uuid.UUID(text)


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed


def read_geojson(path: Path | str, defaults: Mapping[str, Any] | None = None
                 ) -> Iterator[ObservationRecord]:  # fmt: skip
    """Features of a GeoJSON FeatureCollection (RFC 7946, lon/lat) as records."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    features = data.get("features", []) if isinstance(data, dict) else []
    for n, feature in enumerate(features, start=1):
        geometry = None
        problem = None
        try:
            geometry = shape(feature["geometry"]) if feature.get("geometry") else None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            problem = "geometry_malformed"
        rec = record_from_properties(feature.get("properties") or {}, geometry, n, defaults or {})
        if rec.id is None and feature.get("id") is not None:
            with contextlib.suppress(ValueError):
                rec.id = _uuid(feature["id"])
        rec.problem = problem or rec.problem
        yield rec
