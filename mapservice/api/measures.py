"""Measures API (``/api/measures``): Handlungsprogramm — thin: parse, call, answer.

Planners and admins write; everybody reads, the public published measures only (see
:mod:`mapservice.programme.measures`). Also which measures answer an observation or a
finding (``/api/observations/{id}/measures``, ``/api/findings/{id}/measures``).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from mapservice.api.deps import CatalogDep, ConnDep, ViewerDep
from mapservice.errors import InvalidInput
from mapservice.programme import bulk, csvio, evidence, measures, writes
from mapservice.programme.measures import MeasureFilter
from mapservice.programme.schemas import (
    BulkIn,
    LinkIn,
    MeasureIn,
    MeasurePatch,
    MilestoneIn,
    MilestonePatch,
)
from mapservice.programme.vocab import DimensionName, Phase, State

router = APIRouter(tags=["Maßnahmen / measures"])
Lang = Annotated[Literal["de", "en"], Query(description="Sprache der Beschriftungen")]
Slug = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


@router.get("/api/measures", summary="Maßnahmen auflisten / list measures")
def list_measures(
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Slug = None,
    phase: Phase | None = None,
    status: State | None = None,
    layer: Slug = None,
    dimension: DimensionName | None = None,
    parent: uuid.UUID | None = None,
    roots: bool = False,
    observation: uuid.UUID | None = None,
    finding: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    lang: Lang = "de",
) -> dict[str, Any]:
    """Without a token: published measures only. ``progress`` is the figure (by hand on
    leaves, from the children on parents: ``progress_basis``); ``weight`` is public."""
    flt = MeasureFilter(
        quarter=quarter,
        phase=phase,
        status=status,
        layer=layer,
        dimension=dimension,
        parent=parent,
        roots=roots,
        observation=observation,
        finding=finding,
        search=q,
        limit=limit,
        offset=offset,
    )
    items, total = measures.list_measures(conn, viewer, flt, lang)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.post("/api/measures", status_code=201, summary="Maßnahme anlegen (Planer*innen)")
def create_measure(
    body: MeasureIn, conn: ConnDep, catalog: CatalogDep, viewer: ViewerDep, lang: Lang = "de"
) -> JSONResponse:
    mid = writes.create(conn, catalog, viewer, body)
    row = measures.get_measure(conn, viewer, mid, lang)
    return JSONResponse(_json(row), status_code=201, headers={"Location": f"/api/measures/{mid}"})


@router.get("/api/measures/tree", summary="Maßnahmen als Baum / measures as a tree")
def measure_tree(
    conn: ConnDep, viewer: ViewerDep, quarter: Slug = None, lang: Lang = "de"
) -> dict[str, Any]:
    return {"items": measures.tree(conn, viewer, quarter, lang)}


@router.post("/api/measures/bulk", summary="Phase/Status/Termine für eine Auswahl ändern")
def bulk_change(body: BulkIn, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    """All or nothing: an unknown id or an end before a start refuses the whole change."""
    return bulk.bulk_change(conn, viewer, body)


@router.get(
    "/api/measures/export.csv",
    summary="Maßnahmen als CSV (dasselbe Format wie der Import)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_measures(conn: ConnDep, viewer: ViewerDep, quarter: Slug = None) -> Response:
    content = csvio.export_csv(conn, viewer, quarter)
    name = f"massnahmen_{quarter}.csv" if quarter else "massnahmen.csv"
    return Response(
        content.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "public, max-age=60" if viewer.is_public else "private, no-store",
        },
    )


async def _upload(request: Request) -> bytes:
    """The CSV as the raw body (``text/csv``) or as the field ``file`` of a form."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > csvio.MAX_BYTES:
        raise csvio.too_large()
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        try:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InvalidInput("Feld 'file' fehlt.", "Field 'file' is missing.", code="no_file")
            return await upload.read(csvio.MAX_BYTES + 1)
        finally:
            await form.close()
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > csvio.MAX_BYTES:
            break
    if not data.strip():
        raise InvalidInput(
            "Keine Datei gesendet (CSV als Body oder Feld 'file').",
            "No file sent (CSV as the body or the field 'file').",
            code="no_file",
        )
    return bytes(data)


@router.post(
    "/api/measures/import",
    summary="Maßnahmen aus CSV importieren, Upsert nach external_id (Planer*innen)",
    responses={400: {"description": "abgelehnt: Bericht je Zeile, nichts gespeichert"}},
)
async def import_measures(
    request: Request,
    conn: ConnDep,
    catalog: CatalogDep,
    viewer: ViewerDep,
    dry_run: bool = False,
) -> JSONResponse:
    """The file of ``export.csv``: importing it unchanged reports 0 changed; one edited row
    updates exactly that measure; one bad row refuses the file (line and reason each)."""
    writes.require_writer(viewer)
    data = await _upload(request)
    report = await run_in_threadpool(csvio.import_csv, conn, catalog, viewer, data, dry_run=dry_run)
    body = report.as_dict()
    if report.refused:
        n = len(report.refused)
        return JSONResponse(
            {
                "code": "import_refused",
                "message_de": f"{n} Zeile(n) abgelehnt; nichts gespeichert.",
                "message_en": f"{n} row(s) refused; nothing written.",
                "report": body,
            },
            status_code=400,
        )
    return JSONResponse(body)


@router.get("/api/measures/{mid}", summary="Eine Maßnahme / one measure")
def get_measure(mid: uuid.UUID, conn: ConnDep, viewer: ViewerDep, lang: Lang = "de") -> Any:
    return measures.get_measure(conn, viewer, mid, lang)


@router.patch("/api/measures/{mid}", summary="Maßnahme ändern (version: 409 bei Konflikt)")
def patch_measure(
    mid: uuid.UUID,
    body: MeasurePatch,
    conn: ConnDep,
    catalog: CatalogDep,
    viewer: ViewerDep,
    lang: Lang = "de",
) -> Any:
    writes.update(conn, catalog, viewer, mid, body)
    return measures.get_measure(conn, viewer, mid, lang)


@router.delete("/api/measures/{mid}", status_code=204, summary="Maßnahme löschen")
def delete_measure(mid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> Response:
    writes.delete(conn, viewer, mid)
    return Response(status_code=204)


@router.get("/api/measures/{mid}/milestones", summary="Meilensteine (Sachstand)")
def get_milestones(mid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    return evidence.milestones(conn, viewer, mid)


@router.post("/api/measures/{mid}/milestones", status_code=201, summary="Meilenstein anlegen")
def post_milestone(
    mid: uuid.UUID, body: MilestoneIn, conn: ConnDep, viewer: ViewerDep
) -> dict[str, Any]:
    return evidence.add_milestone(conn, viewer, mid, body)


@router.patch("/api/measures/{mid}/milestones/{msid}", summary="Meilenstein ändern")
def patch_milestone(
    mid: uuid.UUID,
    msid: int,
    body: MilestonePatch,
    conn: ConnDep,
    viewer: ViewerDep,
) -> dict[str, Any]:
    return evidence.update_milestone(conn, viewer, mid, _id(msid), body)


@router.delete(
    "/api/measures/{mid}/milestones/{msid}", status_code=204, summary="Meilenstein löschen"
)
def delete_milestone(mid: uuid.UUID, msid: int, conn: ConnDep, viewer: ViewerDep) -> Response:
    evidence.delete_milestone(conn, viewer, mid, _id(msid))
    return Response(status_code=204)


@router.get("/api/measures/{mid}/links", summary="Belege: verknüpfte Beobachtungen, Aussagen")
def get_links(mid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return evidence.evidence(conn, viewer, mid)


@router.post(
    "/api/measures/{mid}/links",
    status_code=201,
    summary="Mit Beobachtung oder Aussage verknüpfen (ändert deren Freigabe nie)",
    responses={200: {"description": "schon verknüpft: nur die Begründung geändert"}},
)
def post_link(mid: uuid.UUID, body: LinkIn, conn: ConnDep, viewer: ViewerDep) -> JSONResponse:
    row, created = evidence.link(conn, viewer, mid, body)
    return JSONResponse(_json(row), status_code=201 if created else 200)


@router.delete("/api/measures/{mid}/links/{link_id}", status_code=204, summary="Verknüpfung lösen")
def delete_link(mid: uuid.UUID, link_id: int, conn: ConnDep, viewer: ViewerDep) -> Response:
    evidence.unlink(conn, viewer, mid, _id(link_id))
    return Response(status_code=204)


@router.get(
    "/api/observations/{oid}/measures",
    tags=["Beobachtungen / observations"],
    summary="Maßnahmen, die diese Beobachtung beantworten",
)
def observation_measures(
    oid: uuid.UUID, conn: ConnDep, viewer: ViewerDep, lang: Lang = "de"
) -> dict[str, Any]:
    evidence.require_observation(conn, viewer, oid)
    items, total = measures.list_measures(conn, viewer, MeasureFilter(observation=oid), lang)
    return {"items": items, "total": total}


@router.get(
    "/api/findings/{fid}/measures",
    tags=["Interviews"],
    summary="Maßnahmen, die diese Aussage beantworten",
)
def finding_measures(
    fid: uuid.UUID, conn: ConnDep, viewer: ViewerDep, lang: Lang = "de"
) -> dict[str, Any]:
    evidence.require_finding(conn, viewer, fid)
    items, total = measures.list_measures(conn, viewer, MeasureFilter(finding=fid), lang)
    return {"items": items, "total": total}


def _id(value: int) -> int:
    """Row ids are bigint: a larger number is no id (and would overflow into a 500)."""
    if not 1 <= value <= 2**62:
        raise InvalidInput("Ungültige Kennung.", "Invalid id.", code="invalid_id")
    return value


def _json(row: dict[str, Any]) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(row)
