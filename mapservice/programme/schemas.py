"""Request bodies of the measures API, strict like the field API's (see capture.strict).

Numbers must be JSON numbers and flags JSON booleans; a ``null`` in a PATCH clears a field
only where clearing makes sense (dates, budget, geometry, parent, progress, weight).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mapservice.capture.strict import NoExplicitNull, StrictGeometry, Title
from mapservice.programme.vocab import DimensionName, Phase, State

ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$"),
]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
LayerId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Progress = Annotated[int, Field(ge=0, le=100, strict=True)]
Weight = Annotated[float, Field(gt=0, le=1000, strict=True)]
Budget = Annotated[float, Field(ge=0, le=1e12, strict=True)]

EXAMPLE = {
    "external_id": "HAM-2.1",
    "reference": "2.1",
    "title": "Sichere Schulwege an der Amtsstraße",
    "description": "Querungshilfen und Elterntaxi-Zonen an den Grundschulen.",
    "quarters": ["bochum-hamme"],
    "geometry": {"type": "Point", "coordinates": [7.2035, 51.4932]},
    "layers": ["mobilitaet"],
    "dimensions": ["sozial"],
    "responsible": "Stadt Bochum, Tiefbauamt",
    "start_date": "2026-03-01",
    "end_date": "2027-06-30",
    "budget": 120000,
    "phase": "umsetzung",
    "status": "verzoegert",
    "progress": 40,
    "weight": 2,
    "published": True,
}


class MeasureIn(BaseModel):
    """A new measure. ``external_id`` is the key CSV imports update by (made up when not
    given); ``parent_id`` puts it under a Projektfamilie or Projekt; ``progress`` is for
    measures without children (parents compute theirs); ``weight`` is its share in the
    parent's figure (none = 1)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    external_id: ExternalId | None = None
    reference: str = Field(default="", max_length=40)
    title: Title
    description: str = Field(default="", max_length=10_000)
    quarters: list[Slug] = Field(min_length=1, max_length=50)
    geometry: StrictGeometry | None = None
    layers: list[LayerId] = Field(default_factory=list, max_length=20)
    dimensions: list[DimensionName] = Field(default_factory=list, max_length=3)
    parent_id: uuid.UUID | None = None
    responsible: str = Field(default="", max_length=200)
    responsible_actor_id: uuid.UUID | None = None  # an actor of /api/actors; text stays
    start_date: date | None = None
    end_date: date | None = None
    budget: Budget | None = None
    phase: Phase = "idee"
    status: State = "laeuft"
    progress: Progress | None = None
    weight: Weight | None = None
    published: bool = Field(default=False, strict=True)


class MeasurePatch(NoExplicitNull):
    """Changes to a measure; send the ``version`` you edited to be told of a conflict."""

    model_config = ConfigDict(extra="forbid")
    NULLABLE = frozenset(
        {
            "version",
            "geometry",
            "parent_id",
            "responsible_actor_id",
            "start_date",
            "end_date",
            "budget",
            "progress",
            "weight",
        }
    )

    version: int | None = Field(default=None, ge=1, le=2**31 - 1, strict=True)
    external_id: ExternalId | None = None
    reference: str | None = Field(default=None, max_length=40)
    title: Title | None = None
    description: str | None = Field(default=None, max_length=10_000)
    quarters: list[Slug] | None = Field(default=None, min_length=1, max_length=50)
    geometry: StrictGeometry | None = None
    layers: list[LayerId] | None = Field(default=None, max_length=20)
    dimensions: list[DimensionName] | None = Field(default=None, max_length=3)
    parent_id: uuid.UUID | None = None
    responsible: str | None = Field(default=None, max_length=200)
    responsible_actor_id: uuid.UUID | None = None
    start_date: date | None = None
    end_date: date | None = None
    budget: Budget | None = None
    phase: Phase | None = None
    status: State | None = None
    progress: Progress | None = None
    weight: Weight | None = None
    published: bool | None = Field(default=None, strict=True)


class MilestoneIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "on_date": "2026-05-04",
                    "title": "Bürgerversammlung",
                    "text": "Entwürfe vorgestellt.",
                }
            ]
        },
    )

    on_date: date
    title: Title
    text: str = Field(default="", max_length=5000)


class MilestonePatch(NoExplicitNull):
    model_config = ConfigDict(extra="forbid")

    on_date: date | None = None
    title: Title | None = None
    text: str | None = Field(default=None, max_length=5000)


class LinkIn(BaseModel):
    """Evidence a measure answers: exactly one of ``observation_id`` / ``finding_id``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "observation_id": "6f1c1c3e-3d4e-4a53-9a0e-2f1f7f0d0b11",
                    "reason": "Gehweg zugeparkt: Anlass der Maßnahme",
                }
            ]
        },
    )

    observation_id: uuid.UUID | None = None
    finding_id: uuid.UUID | None = None
    reason: str = Field(default="", max_length=500)


class BulkIn(NoExplicitNull):
    """One change for a selection: phase, status and/or dates (``null`` clears a date)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ids": ["6f1c1c3e-3d4e-4a53-9a0e-2f1f7f0d0b11"],
                    "status": "verzoegert",
                    "end_date": "2027-12-31",
                }
            ]
        },
    )
    NULLABLE = frozenset({"start_date", "end_date"})

    ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    phase: Phase | None = None
    status: State | None = None
    start_date: date | None = None
    end_date: date | None = None
