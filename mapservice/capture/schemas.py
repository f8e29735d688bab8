"""Request and response bodies of the field API (with examples for the OpenAPI page)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from geojson_pydantic.geometries import Geometry
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Kind = Literal["strength", "problem", "potential", "idea"]
Status = Literal["draft", "review", "published", "rejected"]

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
    rating: int | None = Field(default=None, ge=-2, le=2)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    geometry: Geometry
    crs: str = Field(default="EPSG:4326", max_length=32, description="CRS of the coordinates")
    repair: bool = Field(default=False, description="repair an invalid geometry (make_valid)")
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    observed_at: AwareDatetime | None = None
    walkthrough_id: uuid.UUID | None = None
    quarter: str | None = Field(default=None, max_length=64)
    status: Status | None = Field(
        default=None, description="field teams: draft or review (default review)"
    )


class ObservationPatch(BaseModel):
    """Changes to an observation. Send the ``version`` you edited (or ``If-Match``)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    layer: str | None = Field(default=None, max_length=64)
    kind: Kind | None = None
    rating: int | None = Field(default=None, ge=-2, le=2)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    geometry: Geometry | None = None
    crs: str = Field(default="EPSG:4326", max_length=32)
    repair: bool = False
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
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


class ObservationPage(BaseModel):
    items: list[ObservationOut]
    total: int
    limit: int
    offset: int
