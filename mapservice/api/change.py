"""Rounds, the comparison of two rounds, planners' decisions on pairs, indicators per round.

    GET  /api/quarters/{q}/rounds                  rounds with their walkthroughs (public)
    POST /api/quarters/{q}/rounds                  new round (planners, admins)
    PUT  /api/quarters/{q}/rounds/{label}/walkthroughs   assign walkthroughs to a round
    DELETE /api/quarters/{q}/rounds/{label}        remove a round (walkthroughs stay)
    GET  /api/quarters/{q}/change?von=2024&bis=2026     pairs, singles, classes, counts
    PUT  /api/quarters/{q}/change/matches          confirm / split / reset a pair
    GET  /api/quarters/{q}/change/matches          the stored decisions
    GET  /api/quarters/{q}/indicators[?format=csv]  figures per round, change between rounds

    GET  /maps/{q}/veraenderung?von=2024&bis=2026   the change map page

Thin: parse, call ``mapservice.change``, wrap. Public reads see published observations only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from mapservice.api.deps import CatalogDep, ConnDep, ViewerDep
from mapservice.change import decisions, indicators, rounds, service
from mapservice.change.page import router as page_router
from mapservice.change.workspace_page import router as workspace_page_router

router = APIRouter()  # the API below and the change map page (mapservice.change.page)
api = APIRouter(prefix="/api", tags=["Veränderung / change over time"])
QuarterPath = Annotated[str, Path(max_length=64, examples=["bochum-hamme"])]
RoundQuery = Annotated[str, Query(min_length=1, max_length=40, examples=["2024"])]
Lang = Annotated[Literal["de", "en"], Query()]


@api.get("/quarters/{quarter}/rounds", summary="Begehungsrunden / rounds of a quarter")
def list_rounds(quarter: QuarterPath, conn: ConnDep) -> dict[str, Any]:
    return rounds.list_rounds(conn, quarter)


@api.post(
    "/quarters/{quarter}/rounds",
    status_code=201,
    summary="Begehungsrunde anlegen / create a round (planners, admins)",
)
def create_round(
    quarter: QuarterPath, body: rounds.RoundIn, conn: ConnDep, viewer: ViewerDep
) -> JSONResponse:
    viewer.require("planner", "admin")
    viewer.require_scope(quarter_id=rounds.quarter_id(conn, quarter))
    return JSONResponse(rounds.create_round(conn, quarter, body), status_code=201)


@api.put(
    "/quarters/{quarter}/rounds/{label}/walkthroughs",
    summary="Begehungen einer Runde zuordnen / assign walkthroughs to a round",
    description="`label` = `-` takes the walkthroughs out of every round (back to by date).",
)
def assign(
    quarter: QuarterPath,
    label: Annotated[str, Path(max_length=40)],
    body: rounds.AssignIn,
    conn: ConnDep,
    viewer: ViewerDep,
) -> dict[str, Any]:
    viewer.require("planner", "admin")
    viewer.require_scope(quarter_id=rounds.quarter_id(conn, quarter))
    return rounds.assign_walkthroughs(
        conn, quarter, None if label == "-" else label, body.walkthroughs
    )


@api.delete(
    "/quarters/{quarter}/rounds/{label}",
    summary="Begehungsrunde löschen / delete a round (planners, admins)",
    description="The walkthroughs stay; they fall back to assignment by their start date.",
)
def delete_round(
    quarter: QuarterPath,
    label: Annotated[str, Path(max_length=40)],
    conn: ConnDep,
    viewer: ViewerDep,
) -> dict[str, Any]:
    viewer.require("planner", "admin")
    viewer.require_scope(quarter_id=rounds.quarter_id(conn, quarter))
    return rounds.delete_round(conn, quarter, label)


@api.get(
    "/quarters/{quarter}/change",
    summary="Veränderung zwischen zwei Runden / change between two rounds",
    description=(
        "Pairs of observations seen in both rounds (one global assignment), observations left "
        "single, the class of each (behoben, besteht_weiter, verschlechtert, neu, "
        "nicht_erneut_begangen, nicht_mehr_erfasst, nicht_verglichen) and counts. Without a "
        "token only published observations take part."
    ),
)
def get_change(
    quarter: QuarterPath,
    von: RoundQuery,
    bis: RoundQuery,
    conn: ConnDep,
    catalog: CatalogDep,
    viewer: ViewerDep,
    lang: Lang = "de",
) -> dict[str, Any]:
    return service.change(conn, catalog, viewer, quarter, von, bis, lang)


@api.put(
    "/quarters/{quarter}/change/matches",
    summary="Paar bestätigen, trennen, zurücksetzen / confirm, split or reset a pair",
)
def put_decision(
    quarter: QuarterPath, body: decisions.DecisionIn, conn: ConnDep, viewer: ViewerDep
) -> dict[str, Any]:
    return decisions.decide(conn, viewer, quarter, body)


@api.get("/quarters/{quarter}/change/matches", summary="Gespeicherte Entscheidungen")
def get_decisions(quarter: QuarterPath, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return decisions.list_decisions(conn, viewer, quarter)


@api.get(
    "/quarters/{quarter}/indicators",
    summary="Kennzahlen je Begehungsrunde / indicators per round (JSON or CSV)",
    description=(
        "The quarter's figures per round (walkthroughs, participants per group, counts per "
        "dimension × kind, mean rating) and between consecutive rounds the share of earlier "
        "problems fixed (per layer and overall) and the mean rating change. `format=csv` "
        "gives the same numbers in long format (round, indicator, dimension, kind, layer, "
        "value). `gruppe=sdg` adds the same figures per UN Sustainable Development Goal "
        "(`sdg`: counts per kind, mean rating; between rounds the share of problems fixed), "
        'as the German "SDG-Indikatoren für Kommunen" group them; an observation counts '
        "for every goal of its layer. The CSV then has the columns round, indicator, sdg, "
        "sdg_title, kind, value."
    ),
)
def get_indicators(
    quarter: QuarterPath,
    conn: ConnDep,
    catalog: CatalogDep,
    viewer: ViewerDep,
    lang: Lang = "de",
    format: Annotated[Literal["json", "csv"], Query()] = "json",
    gruppe: Annotated[
        Literal["sdg"] | None, Query(description="sdg: je Nachhaltigkeitsziel")
    ] = None,
) -> Response:
    data = indicators.indicators(conn, catalog, viewer, quarter, lang, gruppe)
    if format == "csv":
        return Response(
            indicators.indicators_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{quarter}-kennzahlen-runden'
                + ("-sdg" if gruppe else "")
                + '.csv"'
            },
        )
    return JSONResponse(data)


router.include_router(api)
router.include_router(page_router)  # /maps/{quarter}/veraenderung, /assets-change/…
router.include_router(workspace_page_router)  # /planung/veraenderung
