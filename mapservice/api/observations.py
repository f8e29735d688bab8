"""Field API: observations (create, list, get, update, moderate, delete)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from mapservice.api.deps import CatalogDep, ConnDep, EngineDep, SettingsDep, ViewerDep
from mapservice.capture import observations as service
from mapservice.capture.listing import ObservationFilter, list_observations, parse_bbox
from mapservice.capture.photos import PhotoStore
from mapservice.capture.photos import collect as collect_photo_files
from mapservice.capture.schemas import (
    Kind,
    ModerationIn,
    ObservationIn,
    ObservationOut,
    ObservationPage,
    ObservationPatch,
    Status,
)
from mapservice.errors import InvalidInput

router = APIRouter(prefix="/api/observations", tags=["Beobachtungen / observations"])


def _etag(row: dict[str, Any]) -> str:
    return f'"{row["version"]}"'


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    cleaned = value.strip().removeprefix("W/").strip('"')
    # versions are int4 in the database; 5,000 digits used to overflow int() into a 500
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 10:
        raise InvalidInput(
            'If-Match muss die Versionsnummer sein, z. B. "3".',
            'If-Match must be the version number, e.g. "3".',
            code="invalid_if_match",
        )
    return int(cleaned)


@router.post(
    "",
    response_model=ObservationOut,
    status_code=201,
    summary="Beobachtung anlegen (idempotent per id)",
    responses={200: {"description": "retry: the observation with this id already exists"}},
)
def create_observation(
    body: ObservationIn, conn: ConnDep, catalog: CatalogDep, viewer: ViewerDep
) -> JSONResponse:
    row, created = service.create(conn, catalog, viewer, body)
    payload = ObservationOut.model_validate(row).model_dump(mode="json")
    return JSONResponse(
        payload,
        status_code=201 if created else 200,
        headers={"ETag": _etag(row), "Location": f"/api/observations/{row['id']}"},
    )


@router.get("", response_model=ObservationPage, summary="Beobachtungen auflisten")
def get_observations(
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Annotated[str | None, Query(max_length=64)] = None,
    layer: Annotated[str | None, Query(max_length=64)] = None,
    kind: Kind | None = None,
    status: Status | None = None,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
    bbox: Annotated[str | None, Query(max_length=200, examples=["7.19,51.48,7.22,51.50"])] = None,
    walkthrough: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ObservationPage:
    flt = ObservationFilter(
        quarter=quarter, layer=layer, kind=kind, status=status, since=since, until=until,
        bbox=parse_bbox(bbox), walkthrough=walkthrough, limit=limit, offset=offset,
    )  # fmt: skip
    rows, total = list_observations(conn, viewer, flt)
    return ObservationPage(
        items=[ObservationOut.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{oid}", response_model=ObservationOut, summary="Eine Beobachtung")
def get_observation(oid: uuid.UUID, conn: ConnDep, viewer: ViewerDep, response: Response) -> Any:
    row = service.fetch(conn, oid, viewer)
    response.headers["ETag"] = _etag(row)
    return row


@router.patch(
    "/{oid}",
    response_model=ObservationOut,
    summary="Beobachtung ändern (If-Match: Version; 409 bei Konflikt)",
)
def patch_observation(
    oid: uuid.UUID,
    body: ObservationPatch,
    conn: ConnDep,
    catalog: CatalogDep,
    viewer: ViewerDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> Any:
    row = service.update(conn, catalog, viewer, oid, body, _if_match(if_match))
    response.headers["ETag"] = _etag(row)
    return row


@router.post("/{oid}/moderation", response_model=ObservationOut, summary="Freigabe ändern")
def moderate_observation(
    oid: uuid.UUID, body: ModerationIn, conn: ConnDep, viewer: ViewerDep
) -> Any:
    return service.moderate(conn, viewer, oid, body)


@router.get("/{oid}/moderation", summary="Verlauf der Freigabe (Planer*innen)")
def moderation_history(oid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> list[dict]:
    service.fetch(conn, oid, viewer)
    return service.moderation_history(conn, viewer, oid)


@router.delete("/{oid}", status_code=204, summary="Beobachtung löschen (mit ihren Fotos)")
def delete_observation(
    oid: uuid.UUID, engine: EngineDep, settings: SettingsDep, viewer: ViewerDep
) -> Response:
    with engine.begin() as conn:
        photos = conn.execute(
            text("SELECT sha256, media_type FROM photo WHERE observation_id = :id"), {"id": oid}
        ).all()
        service.delete(conn, viewer, oid)
    # The rows went with the observation (ON DELETE CASCADE); now that this is committed the
    # files follow, unless another observation holds the same picture.
    store = PhotoStore(settings.photo_dir)
    for sha256, media_type in photos:
        collect_photo_files(engine, store, sha256, media_type)
    return Response(status_code=204)
