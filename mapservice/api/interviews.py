"""Field API: interviews, their contact data (planners only) and findings."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from mapservice.api.deps import CatalogDep, ConnDep, ViewerDep
from mapservice.capture import findings, interviews, placing
from mapservice.capture.findings import FindingIn
from mapservice.capture.interviews import ContactIn, InterviewIn, InterviewOut
from mapservice.capture.schemas import ModerationIn

router = APIRouter(prefix="/api", tags=["Interviews und Aussagen / interviews and findings"])


@router.post("/interviews", response_model=InterviewOut, status_code=201,
             summary="Interview anlegen (Kontaktdaten optional, getrennt gespeichert)")  # fmt: skip
def create_interview(body: InterviewIn, conn: ConnDep, viewer: ViewerDep) -> JSONResponse:
    row, created = interviews.create(conn, viewer, body)
    payload = InterviewOut.model_validate(row).model_dump(mode="json")
    return JSONResponse(payload, status_code=201 if created else 200)


@router.get("/interviews", response_model=list[InterviewOut], summary="Interviews (Planung)")
def list_interviews(
    conn: ConnDep, viewer: ViewerDep, quarter: Annotated[str | None, Query(max_length=64)] = None
) -> Any:
    return interviews.list_interviews(conn, viewer, quarter)


@router.get("/interviews/{iid}", response_model=InterviewOut)
def get_interview(iid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> Any:
    return interviews.fetch(conn, viewer, iid)


@router.get("/interviews/{iid}/contact", summary="Kontaktdaten (nur Planung/Admin)")
def get_contact(iid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return interviews.get_contact(conn, viewer, iid)


@router.put("/interviews/{iid}/contact", summary="Kontaktdaten setzen (nur Planung/Admin)")
def put_contact(
    iid: uuid.UUID, body: ContactIn, conn: ConnDep, viewer: ViewerDep
) -> dict[str, Any]:
    return interviews.put_contact(conn, viewer, iid, body)


@router.delete(
    "/interviews/{iid}",
    status_code=204,
    summary="Person löschen: Kontaktdaten weg, Pseudonym ersetzt, Hausnummern aus den Aussagen "
    "entfernt, Wohnort nur noch verallgemeinert; protokolliert",
)
def erase_interview(iid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> Response:
    interviews.erase(conn, viewer, iid)
    return Response(status_code=204)


@router.get(
    "/interviews/{iid}/erasures",
    summary="Protokoll der Löschungen: wer, wann, welche Felder (Planung/Admin)",
)
def list_erasures(iid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    return interviews.erasures(conn, viewer, iid)


@router.post(
    "/interviews/{iid}/findings",
    status_code=201,
    summary="Aussage anlegen; der Ortsbezug wird über das Ortsverzeichnis verortet",
)
def create_finding(
    iid: uuid.UUID, body: FindingIn, conn: ConnDep, catalog: CatalogDep, viewer: ViewerDep
) -> JSONResponse:  # fmt: skip
    row, created = findings.create_finding(conn, catalog, viewer, iid, body)
    return JSONResponse(jsonable_encoder(row), status_code=201 if created else 200)


@router.get("/findings", summary="Aussagen (öffentlich: freigegeben, verallgemeinerter Ort)")
def list_findings(
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Annotated[str | None, Query(max_length=64)] = None,
    status: Literal["draft", "review", "changes_requested", "published", "rejected"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    return findings.list_findings(conn, viewer, quarter, status, limit, offset)


@router.get("/findings/{fid}")
def get_finding(fid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return findings.fetch_finding(conn, viewer, fid)


@router.post(
    "/findings/{fid}/placement",
    summary="Ort einer Aussage setzen oder „ganzes Quartier“ bestätigen (Planung)",
    description=(
        "Eine Aussage mit needs_review (Ort nicht gefunden) erscheint nirgends öffentlich, "
        "bis sie hier verortet oder bestätigt wurde. / A finding that needs review stays out "
        "of every public output until it is placed or confirmed here. Body: exactly one of "
        '`{"quarter_wide": true}`, `{"place_text": "…"}`, `{"geometry": GeoJSON}`.'
    ),
)
def place_finding(
    fid: uuid.UUID, body: placing.PlacementIn, conn: ConnDep, viewer: ViewerDep
) -> dict[str, Any]:
    return placing.place_finding(conn, viewer, fid, body)


@router.post("/findings/{fid}/moderation", summary="Freigabe einer Aussage (Planung)")
def moderate_finding(
    fid: uuid.UUID, body: ModerationIn, conn: ConnDep, viewer: ViewerDep
) -> dict[str, Any]:
    return findings.moderate_finding(conn, viewer, fid, body.status, body.note)
