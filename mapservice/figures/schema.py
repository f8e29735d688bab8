"""The quarter summary as JSON: the response model of ``/api/quarters/{quarter}/summary``.

Keys and values never depend on the language; only the ``label``/``title`` fields do, so a
client can switch ``?lang=`` without re-reading its own code. Counts respect the caller's
role (see ``scope``): the public sees figures of published entries only.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mapservice.programme.status import Implementation

Scope = Literal["public", "field", "all"]


class QuarterInfo(BaseModel):
    slug: str
    name: str
    city: str
    synthetic: bool = Field(description="Synthetic demo data, to be labelled 'Demo'")


class Totals(BaseModel):
    observations: int
    findings: int = Field(description="Interview findings (Aussagen)")
    items: int = Field(description="observations + findings")
    walkthroughs: int
    interviews: int


class KindCount(BaseModel):
    kind: Literal["strength", "problem", "potential", "idea"]
    label: str
    observations: int
    findings: int
    total: int


class DimensionCount(BaseModel):
    dimension: Literal["ökologisch", "ökonomisch", "sozial"]
    label: str
    observations: int
    findings: int = Field(description="A finding with layers of two dimensions counts in both")
    total: int
    by_kind: dict[str, int] = Field(description="kind → observations + findings")


class LayerCount(BaseModel):
    layer: str
    title: str
    dimension: str | None = Field(description="None for a layer no longer in the catalogue")
    observations: int
    findings: int = Field(description="Findings tagged with this layer")
    by_kind: dict[str, int] = Field(description="kind → observations + findings")


class RatingBalance(BaseModel):
    rated: int = Field(description="Observations with a rating")
    mean: float | None = Field(description="Mean rating −2…+2, None without ratings")
    counts: dict[str, int] = Field(description="'-2' … '2' → observations")


class GroupParticipation(BaseModel):
    group: Literal["residents", "multipliers", "experts", "administration"]
    label: str
    walkthrough_participants: int = Field(description="Sum over the quarter's walkthroughs")
    interviews: int


class PlacementLevel(BaseModel):
    level: Literal["precise", "street", "quarter", "unplaced"]
    label: str
    findings: int
    share: float | None = Field(description="0…1 of all findings; None without findings")


class Placement(BaseModel):
    findings: int
    levels: list[PlacementLevel]
    methods: dict[str, int] = Field(description="georef method → findings")


class Walking(BaseModel):
    walkthroughs_with_track: int
    length_m: float = Field(description="Sum of track lengths on the ellipsoid, metres")
    observations_on_tracks: int = Field(description="Observations of walkthroughs with a track")
    observations_per_km: float | None = Field(description="None when nothing was walked")


EXAMPLE: dict[str, object] = {
    "quarter": {"slug": "bochum-hamme", "name": "Hamme", "city": "Bochum", "synthetic": True},
    "lang": "de",
    "scope": "public",
    "totals": {"observations": 210, "findings": 41, "items": 251, "walkthroughs": 6,
               "interviews": 14},
    "walkthroughs": 6,
    "last_walkthrough": "2026-05-04",
    "kinds": [
        {"kind": "strength", "label": "Stärke", "observations": 58, "findings": 12, "total": 70},
        {"kind": "problem", "label": "Problem", "observations": 81, "findings": 15, "total": 96},
        {"kind": "potential", "label": "Potenzial", "observations": 40, "findings": 6,
         "total": 46},
        {"kind": "idea", "label": "Idee", "observations": 31, "findings": 8, "total": 39},
    ],
    "dimensions": [
        {"dimension": "ökologisch", "label": "ökologisch", "observations": 72, "findings": 9,
         "total": 81, "by_kind": {"strength": 22, "problem": 31, "potential": 16, "idea": 12}},
    ],
    "layers": [
        {"layer": "umwelt", "title": "Umwelt & Klima", "dimension": "ökologisch",
         "observations": 24, "findings": 3,
         "by_kind": {"strength": 5, "problem": 12, "potential": 6, "idea": 4}},
    ],
    "rating": {"rated": 198, "mean": -0.21,
               "counts": {"-2": 31, "-1": 52, "0": 40, "1": 49, "2": 26}},
    "participation": [
        {"group": "residents", "label": "Bewohner*innen", "walkthrough_participants": 41,
         "interviews": 6},
    ],
    "placement": {
        "findings": 41,
        "levels": [
            {"level": "precise", "label": "genau verortet", "findings": 19, "share": 0.463},
            {"level": "street", "label": "auf Straßenebene", "findings": 12, "share": 0.293},
            {"level": "quarter", "label": "auf Quartiersebene", "findings": 10, "share": 0.244},
            {"level": "unplaced", "label": "nicht verortet", "findings": 0, "share": 0.0},
        ],
        "methods": {"address": 5, "crossing": 7, "place": 7, "street": 12, "quarter": 10},
    },
    "walking": {"walkthroughs_with_track": 6, "length_m": 16962.5,
                "observations_on_tracks": 205, "observations_per_km": 12.09},
}  # fmt: skip


class QuarterSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    quarter: QuarterInfo
    lang: Literal["de", "en"]
    scope: Scope = Field(description="public: published only; field: plus own; all: everything")
    totals: Totals
    walkthroughs: int
    last_walkthrough: date | None = Field(description="Local date (Europe/Berlin)")
    kinds: list[KindCount]
    dimensions: list[DimensionCount]
    layers: list[LayerCount]
    rating: RatingBalance
    participation: list[GroupParticipation]
    placement: Placement
    walking: Walking
    implementation: Implementation | None = Field(
        default=None, description="Umsetzungsstand of the Handlungsprogramm (measures)"
    )
    over_time: list[dict[str, Any]] | None = Field(
        default=None,
        description="The figures per Begehungsrunde, oldest first (a time series: "
        "walkthroughs, participants per group, counts per dimension × kind, mean rating); "
        "what changed between rounds: /api/quarters/{q}/indicators",
    )
    sdg: list[Any] | None = Field(
        default=None,
        description="With gruppe=sdg: counts per UN Sustainable Development Goal "
        "(mapservice.figures.sdg.GoalCount: goal, title, layers, observations, findings, "
        "by_kind), summed over the layers tagged with the goal",
    )
