"""Field types for request bodies that take a value only when it is what it claims to be.

Pydantic's lax mode turned ``"rating": true`` into +1 and ``"coordinates": ["7.2", "51.5"]``
into numbers; a phone that sends such a body has a bug we want it to see, not a stored row
with a value nobody typed. Route bodies arrive as parsed JSON (Python mode), so model-wide
``strict=True`` would also refuse ISO dates and UUIDs given as strings; the strictness is
therefore per field: numbers must be JSON numbers, flags JSON booleans, texts non-blank,
dates not more than a day ahead, coordinates numbers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar

from geojson_pydantic.geometries import Geometry
from pydantic import BaseModel, BeforeValidator, StringConstraints, model_validator

from mapservice.capture.reasons import refuse

FUTURE_SLACK = timedelta(days=1)  # a phone's clock or time zone may be a few hours ahead


def _numbers_only(value: Any, depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(value, list | tuple):
        for item in value:
            _numbers_only(item, depth + 1)
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            "Koordinaten müssen Zahlen sein (keine Texte oder Wahrheitswerte) / "
            "coordinates must be numbers (not strings or booleans)"
        )


def numeric_coordinates(value: Any) -> Any:
    """Refuse a GeoJSON geometry whose coordinates hold anything but JSON numbers."""
    if isinstance(value, dict):
        if "coordinates" in value:
            _numbers_only(value["coordinates"])
        parts = value.get("geometries")
        if isinstance(parts, list):  # anything else is for the geometry model to refuse
            for part in parts[:10_000]:
                numeric_coordinates(part)
    return value


def refuse_future(*values: date | datetime | None) -> None:
    """A walk, an interview or an observation did not happen more than a day from now
    (code ``future_date``, as the bulk import reports it)."""
    limit = datetime.now(UTC) + FUTURE_SLACK
    for value in values:
        if value is None:
            continue
        if value > limit if isinstance(value, datetime) else value > limit.date():
            raise refuse("future_date", value.isoformat())


StrictGeometry = Annotated[Geometry, BeforeValidator(numeric_coordinates)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class NoExplicitNull(BaseModel):
    """A PATCH body where ``null`` means "no change" only for fields that may be empty.

    ``{"title": null}`` used to reach the database's NOT NULL constraint as a 500. A field
    listed in ``NULLABLE`` may be cleared with ``null``; any other field refuses it.
    """

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _refuse_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [k for k, v in data.items() if v is None and k not in cls.NULLABLE]
            if nulls:
                raise ValueError(
                    f"null ist hier nicht erlaubt (Feld weglassen, um es nicht zu ändern): "
                    f"{', '.join(map(str, nulls))} / null is not allowed here (leave the field "
                    f"out to keep it): {', '.join(map(str, nulls))}"
                )
        return data
