"""JSON routes of the Interviews section: place suggestions, statements, transcripts, erasure.

Additions to the field API's ``/api/interviews`` (mapservice/api/interviews.py); the logic
lives in the services beside this module and in mapservice/capture/interviews.py.
Paths under ``/api/interviews/`` that are not an interview id have two or more segments
(``places/suggest``, ``transcript/split``) so they never collide with ``/{iid}``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, text

from mapservice.access import Viewer, scope_condition
from mapservice.api.deps import CatalogDep, ConnDep, ViewerDep
from mapservice.capture import interviews
from mapservice.capture.findings import fetch_finding
from mapservice.capture.interviews import Consent
from mapservice.capture.reasons import refuse
from mapservice.workspace.interviews import records, transcript
from mapservice.workspace.interviews.statements import StatementsIn, save_statements
from mapservice.workspace.interviews.suggest import CACHE, suggest

router = APIRouter(prefix="/api/interviews", tags=["Interviews (Arbeitsbereich / workspace)"])


def _quarter_id(conn: Connection, slug: str) -> int:
    found = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"), {"s": slug}).scalar()
    if found is None:
        raise refuse("unknown_quarter", slug[:64])
    return int(found)


@router.get("/places/suggest", summary="Ortsvorschläge aus dem Ortsverzeichnis (beim Tippen)")
def suggest_places(
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Annotated[str, Query(min_length=1, max_length=64)],
    q: Annotated[str, Query(max_length=500)] = "",
) -> dict[str, Any]:
    """Candidates (address / intersection / street / place / quarter) with coordinates."""
    viewer.require("field", "planner", "admin")
    quarter_id = _quarter_id(conn, quarter)
    viewer.require_scope(quarter_id=quarter_id)
    gazetteer = CACHE.get(conn, quarter_id)
    candidates = suggest(gazetteer, quarter_id, q)
    return {"quarter": quarter, "q": q, "candidates": [c.as_dict() for c in candidates]}


@router.post(
    "/{iid}/statements",
    status_code=201,
    summary="Aussagen speichern (eine oder viele, alle oder keine) mit gewähltem Ort",
)
def post_statements(
    iid: uuid.UUID, body: StatementsIn, conn: ConnDep, catalog: CatalogDep, viewer: ViewerDep
) -> JSONResponse:
    saved = save_statements(conn, catalog, viewer, iid, body)
    return JSONResponse({"findings": jsonable_encoder(saved)}, status_code=201)


@router.get("/{iid}/statements", summary="Aussagen eines Interviews (Planung)")
def list_statements(iid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    viewer.require("planner", "admin")
    interviews.fetch(conn, viewer, iid)
    scope, params = scope_condition(viewer, "f", layer_array=True)
    ids = conn.execute(
        text(
            f"SELECT id FROM finding f WHERE interview_id = :id AND {scope} ORDER BY created_at, id"
        ),
        {"id": iid, **params},
    ).scalars()
    return {"findings": [fetch_finding(conn, Viewer("planner"), fid) for fid in ids]}


class TranscriptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quarter: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=transcript.MAX_BYTES)


def _split(conn: Connection, viewer: Viewer, quarter: str, raw: str) -> dict[str, Any]:
    quarter_id = _quarter_id(conn, quarter)
    viewer.require_scope(quarter_id=quarter_id)
    pieces = transcript.split_transcript(raw)
    gazetteer = CACHE.get(conn, quarter_id)
    return {
        "quarter": quarter,
        "statements": transcript.with_suggestions(gazetteer, quarter_id, pieces),
    }


@router.post("/transcript/split", summary="Transkript in Aussagen zerlegen, mit Ortsvorschlägen")
def split_text(body: TranscriptIn, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    viewer.require("field", "planner", "admin")
    return _split(conn, viewer, body.quarter, body.text)


@router.post("/transcript/upload", summary="Transkript hochladen (.txt oder .docx) und zerlegen")
def split_upload(
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    viewer.require("field", "planner", "admin")
    data = file.file.read(transcript.MAX_BYTES + 1)
    raw = transcript.read_upload(file.filename or "", data)
    result = _split(conn, viewer, quarter, raw)
    result["text"] = raw
    return result


@router.get("/{iid}/erasure", summary="Was das Löschen der Person entfernt (Vorschau, DSGVO 17)")
def erasure_preview(iid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return records.erasure_preview(conn, viewer, iid)


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    consent: Consent


@router.put("/{iid}/consent", summary="Einwilligung erteilt / widerrufen")
def put_consent(iid: uuid.UUID, body: ConsentIn, conn: ConnDep, viewer: ViewerDep) -> Any:
    row = records.set_consent(conn, viewer, iid, body.consent)
    return interviews.InterviewOut.model_validate(row).model_dump(mode="json")
