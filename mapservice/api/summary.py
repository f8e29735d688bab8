"""``/api/quarters/{quarter}/summary``: a quarter's figures as JSON (thin router)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from mapservice.api.deps import CatalogDep, ConnDep, ViewerDep
from mapservice.change.indicators import round_series
from mapservice.figures import QuarterSummary, quarter_summary
from mapservice.figures.schema import EXAMPLE
from mapservice.figures.sdg import goal_counts
from mapservice.programme.status import implementation

router = APIRouter(prefix="/api", tags=["Quartiere / quarters"])

NOT_FOUND_EXAMPLE = {
    "code": "unknown_quarter",
    "message_de": "Quartier 'nirgendwo' nicht gefunden.",
    "message_en": "Quarter 'nirgendwo' not found.",
}


@router.get(
    "/quarters/{quarter}/summary",
    response_model=QuarterSummary,
    summary="Zahlen eines Quartiers / figures of a quarter",
    description=(
        "Counts by layer, kind and dimension, rating balance, participation per group, "
        "how precisely interview findings are placed, observations per km walked, number and "
        "date of walkthroughs, the Umsetzungsstand of the measures (`implementation`: per "
        "phase and status, share started or done), the figures per Begehungsrunde as a time "
        "series (`over_time`). Without a token only published "
        "observations, findings and measures are counted; planners and admins see everything "
        "(`scope`). `lang=en` changes the labels only, never keys or numbers. `gruppe=sdg` "
        "adds `sdg`: the figures per UN Sustainable Development Goal, summed over the layers "
        "tagged with it (`layers/*.toml`: `sdg`)."
    ),
    responses={
        200: {"content": {"application/json": {"example": EXAMPLE}}},
        404: {
            "description": "Unknown quarter",
            "content": {"application/json": {"example": NOT_FOUND_EXAMPLE}},
        },
    },
)
def get_summary(
    quarter: Annotated[str, Path(max_length=64, examples=["bochum-hamme"])],
    conn: ConnDep,
    catalog: CatalogDep,
    viewer: ViewerDep,
    lang: Annotated[Literal["de", "en"], Query(description="Sprache der Beschriftungen")] = "de",
    gruppe: Annotated[
        Literal["sdg"] | None,
        Query(description="sdg: Zahlen auch je Nachhaltigkeitsziel / also per SDG"),
    ] = None,
) -> QuarterSummary:
    summary = quarter_summary(conn, catalog, viewer, quarter, lang)
    summary.implementation = implementation(conn, viewer, quarter, lang)
    summary.over_time = round_series(conn, catalog, viewer, quarter)[1]
    if gruppe == "sdg":
        summary.sdg = [g.model_dump() for g in goal_counts(summary.layers, catalog, lang)]
    return summary
