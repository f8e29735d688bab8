"""Request and response bodies of the field API (with examples for the OpenAPI page)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from mapservice.capture.strict import NoExplicitNull, StrictGeometry, Title

Kind = Literal["strength", "problem", "potential", "idea"]
Status = Literal["draft", "review", "changes_requested", "published", "rejected"]

POINT_EXAMPLE = {"type": "Point", "coordinates": [7.2035, 51.4932]}


class ObservationIn(BaseModel):
    """A new observation. Send your own ``id`` (a UUID made on the phone): a retried upload
    then returns the row already stored instead of creating a second one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c1c3e-3d4e-4a53-9a0e-2f1f7f0d0b11",
                    "layer": "mobilitaet",
                    "kind": "problem",
                    "rating": -1,
                    "title": "Gehweg an der Amtsstraße zugeparkt",
                    "description": "„Mit dem Kinderwagen muss man auf die Straße.“",
                    "geometry": POINT_EXAMPLE,
                    "accuracy_m": 6,
                    "observed_at": "2026-04-12T10:35:00+02:00",
                }
            ]
        },
    )

    id: uuid.UUID | None = None
    layer: str = Field(max_length=64)
    kind: Kind
    rating: int | None = Field(default=None, ge=-2, le=2, strict=True)
    title: Title
    description: str = Field(default="", max_length=10_000)
    geometry: StrictGeometry
    crs: str = Field(default="EPSG:4326", max_length=32, description="CRS of the coordinates")
    repair: bool = Field(
        default=False, strict=True, description="repair an invalid geometry (make_valid)"
    )
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, strict=True)
    observed_at: AwareDatetime | None = None
    walkthrough_id: uuid.UUID | None = None
    quarter: str | None = Field(default=None, max_length=64)
    status: Status | None = Field(
        default=None, description="field teams: draft or review (default review)"
    )


class ObservationPatch(NoExplicitNull):
    """Changes to an observation. Send the ``version`` you edited (or ``If-Match``).
    ``null`` clears ``rating``, ``accuracy_m`` or ``observed_at``; other fields refuse it."""

    model_config = ConfigDict(extra="forbid")
    NULLABLE = frozenset({"version", "rating", "accuracy_m", "observed_at"})

    version: int | None = Field(default=None, ge=1, le=2**31 - 1, strict=True)
    layer: str | None = Field(default=None, max_length=64)
    kind: Kind | None = None
    rating: int | None = Field(default=None, ge=-2, le=2, strict=True)
    title: Title | None = None
    description: str | None = Field(default=None, max_length=10_000)
    geometry: StrictGeometry | None = None
    crs: str = Field(default="EPSG:4326", max_length=32)
    repair: bool = Field(default=False, strict=True)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, strict=True)
    observed_at: AwareDatetime | None = None


class ModerationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "published", "note": "ok"}]}
    )

    status: Status
    note: str = Field(default="", max_length=2000)


class ObservationOut(BaseModel):
    id: uuid.UUID
    quarter: str
    layer: str
    kind: Kind
    rating: int | None
    title: str
    description: str
    geometry: dict[str, Any]
    accuracy_m: float | None
    observed_at: datetime | None
    walkthrough_id: uuid.UUID | None
    status: Status
    author: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    #: a change to this published entry waiting for review (author and planners only):
    #: ``state`` (review / changes_requested) and the changed fields; the values above stay
    #: the published ones until a planner approves
    pending: dict[str, Any] | None = None


class ObservationPage(BaseModel):
    items: list[ObservationOut]
    total: int
    limit: int
    offset: int
