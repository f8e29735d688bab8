"""Field API: quarters and walkthroughs (observations have their own router)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime
from starlette.datastructures import UploadFile

from mapservice.api.deps import CatalogDep, ConnDep, ViewerDep
from mapservice.capture import quarters, track_download, tracks, walkthroughs
from mapservice.capture.walkthroughs import WalkthroughIn, WalkthroughOut, WalkthroughPatch
from mapservice.errors import InvalidInput, PayloadTooLarge

router = APIRouter(prefix="/api")

MAX_TRACK_BYTES = 10 * 1024 * 1024


@router.get("/quarters", tags=["Quartiere / quarters"], summary="Alle Quartiere (GeoJSON)")
def list_quarters(conn: ConnDep) -> dict[str, Any]:
    return quarters.list_quarters(conn)


@router.get("/quarters/{slug}", tags=["Quartiere / quarters"], summary="Ein Quartier")
def get_quarter(slug: str, conn: ConnDep) -> dict[str, Any]:
    return quarters.get_quarter(conn, slug)


@router.put(
    "/quarters/{slug}", tags=["Quartiere / quarters"], summary="Quartier anlegen/ersetzen (Admin)"
)
def put_quarter(
    slug: str, body: quarters.QuarterIn, conn: ConnDep, viewer: ViewerDep
) -> JSONResponse:
    feature, created = quarters.put_quarter(conn, viewer, slug, body)
    return JSONResponse(feature, status_code=201 if created else 200)


@router.post(
    "/walkthroughs",
    response_model=WalkthroughOut,
    status_code=201,
    tags=["Begehungen / walkthroughs"],
    summary="Begehung anlegen (idempotent per id)",
)
def create_walkthrough(body: WalkthroughIn, conn: ConnDep, viewer: ViewerDep) -> JSONResponse:
    row, created = walkthroughs.create(conn, viewer, body)
    payload = WalkthroughOut.model_validate(row).model_dump(mode="json")
    return JSONResponse(payload, status_code=201 if created else 200)


@router.get(
    "/walkthroughs",
    response_model=list[WalkthroughOut],
    tags=["Begehungen / walkthroughs"],
    summary="Begehungen auflisten",
)
def list_walkthroughs(
    conn: ConnDep, viewer: ViewerDep, quarter: Annotated[str | None, Query(max_length=64)] = None
) -> Any:
    return walkthroughs.list_walkthroughs(conn, quarter, viewer)


@router.get(
    "/walkthroughs/{wid}", response_model=WalkthroughOut, tags=["Begehungen / walkthroughs"]
)
def get_walkthrough(wid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> Any:
    return walkthroughs.fetch(conn, wid, viewer)


@router.patch(
    "/walkthroughs/{wid}", response_model=WalkthroughOut, tags=["Begehungen / walkthroughs"]
)
def patch_walkthrough(
    wid: uuid.UUID, body: WalkthroughPatch, conn: ConnDep, viewer: ViewerDep
) -> Any:
    return walkthroughs.update(conn, viewer, wid, body)


@router.get(
    "/walkthroughs/{wid}/track",
    tags=["Begehungen / walkthroughs"],
    summary="GPS-Track herunterladen: GeoJSON (Standard) oder GPX (?format=gpx)",
    description=(
        "Eine LineString-Feature bzw. ein GPX-<trk> je Aufzeichnung. Planung: alle "
        "Begehungen mit Aufzeichnungskennungen; Feldteams: die eigenen ebenso; alle anderen "
        "nur, wenn die Begehungsebene öffentlich ist, und nur den Track der Karte. / One "
        "feature or GPX track per recording; planners: all walkthroughs with recording ids; "
        "field teams: their own; everyone else only when the walkthrough layer is public, "
        "and only the track the map shows. `Accept: application/gpx+xml` also asks for GPX."
    ),
    responses={
        200: {
            "content": {
                track_download.GEOJSON_TYPE: {},
                track_download.GPX_TYPE: {},
            }
        }
    },
)
def get_track(
    wid: uuid.UUID,
    conn: ConnDep,
    catalog: CatalogDep,
    viewer: ViewerDep,
    format: Annotated[str | None, Query(max_length=20, description="geojson | gpx")] = None,
    accept: Annotated[str | None, Header(max_length=500)] = None,
) -> Response:
    wanted = track_download.wanted_format(format, accept)
    download = track_download.track_download(conn, catalog, viewer, wid)
    name = f"begehung-{wid}.{wanted}"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store" if viewer.role != "public" else "no-cache",
        "Vary": "Accept, Authorization",
    }
    if wanted == "gpx":
        return Response(download.gpx(), media_type=track_download.GPX_TYPE, headers=headers)
    return JSONResponse(download.geojson(), media_type=track_download.GEOJSON_TYPE, headers=headers)


@router.put(
    "/walkthroughs/{wid}/track",
    response_model=WalkthroughOut,
    tags=["Begehungen / walkthroughs"],
    summary="GPS-Track setzen: GeoJSON-LineString (JSON) oder GPX-Datei (multipart)",
)
async def put_track(
    wid: uuid.UUID,
    request: Request,
    conn: ConnDep,
    viewer: ViewerDep,
    recording: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Kennung der Aufzeichnung (Gerät); je Aufzeichnung "
            "ein Track, die Begehung zeigt alle / recording (device) id",
        ),
    ] = None,
    ended_at: Annotated[
        AwareDatetime | None,
        Query(
            description="Ende der Aufzeichnung (setzt das Ende der Begehung) / end of the "
            "recording (sets the walkthrough's end)"
        ),
    ] = None,
) -> Any:
    content_type = request.headers.get("content-type", "")
    if int(request.headers.get("content-length") or 0) > MAX_TRACK_BYTES:
        raise _too_large()
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("Feld 'file' fehlt.", "Field 'file' is missing.", code="no_file")
        data = await upload.read(MAX_TRACK_BYTES + 1)
        if len(data) > MAX_TRACK_BYTES:
            raise _too_large()
        track: Any = walkthroughs.track_from_gpx(data)
        crs = "EPSG:4326"
        ended_at = ended_at or tracks.gpx_end(data)
    else:
        try:
            body = await request.json()
        except ValueError:
            raise InvalidInput(
                "Kein gültiges JSON.", "Not valid JSON.", code="malformed_json"
            ) from None
        if not isinstance(body, dict):
            raise InvalidInput("GeoJSON erwartet.", "GeoJSON expected.", code="malformed_json")
        crs = str(body.pop("crs", "EPSG:4326"))[:32]
        track = body.get("geometry", body) if body.get("type") == "Feature" else body
    return walkthroughs.set_track(
        conn, viewer, wid, track, crs, recording=recording, ended_at=ended_at
    )


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        "Datei ist größer als 10 MB.", "File is larger than 10 MB.", code="too_large"
    )
