"""Field API: photos of observations — upload, EXIF position, serving with caching, delete.

Uploads are parsed here from the raw request stream instead of ``request.form()``: Starlette
spools a whole file part to disk before the route sees it, so a 50 MB upload would be read in
full before it could be refused. Counting bytes as they arrive refuses it at the cap.
Image work (decoding, re-encoding) runs in the thread pool so the event loop keeps serving.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from mapservice.api.deps import ConnDep, EngineDep, SettingsDep, ViewerDep
from mapservice.capture import photo_images as images
from mapservice.capture import photos as service
from mapservice.errors import InvalidInput, NotFound, PayloadTooLarge

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["Fotos / photos"])

MULTIPART_SLACK = 64 * 1024  # boundaries, part headers and small fields around the file
MAX_PARTS = 16
#: Public photos must be revocable: an observation that is unpublished or rejected takes its
#: photos off the public web within PUBLIC_MAX_AGE seconds, in browsers and shared caches
#: alike. After that a cache has to revalidate (a cheap 304 while the entry stays public, a
#: 404 once it is not); ``immutable`` would have kept the photo for a year.
PUBLIC_MAX_AGE = 300
CACHE_PUBLISHED = f"public, max-age={PUBLIC_MAX_AGE}, must-revalidate"
CACHE_PRIVATE = "private, no-cache"
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "JPEG, PNG oder WebP; Typ wird am Inhalt erkannt",
                        }
                    },
                }
            }
        },
    }
}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "image_unreadable, no_file, empty_file, malformed_multipart"},
    401: {"description": "token_required, token_invalid, token_revoked, token_expired"},
    403: {"description": "not_own_entry"},
    404: {"description": "not_found"},
    413: {"description": "too_large (bytes) or too_many_pixels (decompression bomb)"},
    415: {"description": "unsupported_media_type (sniffed from the bytes)"},
}
IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {t: {} for t in images.FORMATS}, "description": "the image"},
    304: {"description": "If-None-Match matched the ETag (sha256)"},
    404: {"description": "not_found: no such photo, or its observation is not visible"},
}


class PositionOut(BaseModel):
    lon: float = Field(examples=[7.2093])
    lat: float = Field(examples=[51.4884])
    accuracy_m: float | None = Field(default=None, description="GPSHPositioningError, metres")


class PhotoOut(BaseModel):
    id: uuid.UUID
    observation_id: uuid.UUID
    media_type: str = Field(examples=["image/jpeg"])
    size_bytes: int
    width: int
    height: int
    sha256: str
    created_at: datetime
    url: str = Field(examples=["/api/photos/0b6f…"])
    thumbnail_url: str = Field(examples=["/api/photos/0b6f…/thumbnail"])


class PhotoUploadOut(PhotoOut):
    exif_position: PositionOut | None = Field(
        description="GPS position from the original's EXIF (before it was removed), "
        "to offer as the observation's position; never stored"
    )


class PositionResult(BaseModel):
    exif_position: PositionOut | None


def _out(row: dict[str, Any]) -> dict[str, Any]:
    url = f"/api/photos/{row['id']}"
    fields = {name: row[name] for name in PhotoOut.model_fields if name in row}
    return PhotoOut(**fields, url=url, thumbnail_url=f"{url}/thumbnail").model_dump(mode="json")


def _too_large(limit: int) -> PayloadTooLarge:
    size = f"{limit / 2**20:g} MB"
    return PayloadTooLarge(
        f"Das Foto ist größer als {size}.", f"The photo is larger than {size}.", code="too_large"
    )


class _FilePart:
    """Collects the part named ``file`` from python-multipart callbacks, up to ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data: bytearray | None = None
        self.parts = 0
        self._in_file = False
        self._name = b""
        self._value = b""
        self._disposition = b""

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise InvalidInput(
                f"Zu viele Formularfelder (höchstens {MAX_PARTS}).",
                f"Too many form parts (at most {MAX_PARTS}).",
                code="malformed_multipart",
            )
        self._disposition = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._name.lower() == b"content-disposition":
            self._disposition = self._value
        self._name = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._in_file = options.get(b"name") == b"file" and self.data is None
        if self._in_file:
            self.data = bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file and self.data is not None:
            self.data += memoryview(data)[start:end]
            if len(self.data) > self.limit:
                raise _too_large(self.limit)

    def _part_end(self) -> None:
        self._in_file = False


async def read_upload(request: Request, limit: int) -> bytes:
    """The bytes of the multipart field ``file``, refused with 413 the moment ``limit`` passes.

    Nothing beyond ``limit`` plus a little multipart overhead is ever read from the socket.
    """
    kind, params = parse_options_header(request.headers.get("content-type"))
    if kind != b"multipart/form-data" or not params.get(b"boundary"):
        raise InvalidInput(
            "Foto als multipart/form-data im Feld 'file' senden.",
            "Send the photo as multipart/form-data in the field 'file'.",
            code="multipart_required",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        raise _too_large(limit)
    part = _FilePart(limit)
    parser = MultipartParser(params[b"boundary"], part.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + MULTIPART_SLACK:
                raise _too_large(limit)
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        raise InvalidInput(
            "Das multipart-Formular ist fehlerhaft.",
            "The multipart form is malformed.",
            code="malformed_multipart",
        ) from None
    if part.data is None:
        raise InvalidInput("Feld 'file' fehlt.", "Field 'file' is missing.", code="no_file")
    if not part.data:
        raise InvalidInput("Die Datei ist leer.", "The file is empty.", code="empty_file")
    return bytes(part.data)


@router.post(
    "/observations/{oid}/photos",
    response_model=PhotoUploadOut,
    status_code=201,
    summary="Foto hochladen (EXIF wird entfernt; idempotent per Inhalt)",
    openapi_extra=UPLOAD_BODY,
    responses={200: {"description": "retry: this photo is attached already"}, **ERRORS},
)
async def upload_photo(
    oid: uuid.UUID, request: Request, engine: EngineDep, viewer: ViewerDep, settings: SettingsDep
) -> JSONResponse:
    # Refuse callers who may not touch the entry before reading a byte of the upload; the
    # database connection is only held while checking and while writing, never while a slow
    # phone is sending.
    await run_in_threadpool(service.check_can_attach, engine, viewer, oid)
    data = await read_upload(request, settings.max_photo_bytes)
    image = await run_in_threadpool(images.process, data)
    store = service.PhotoStore(settings.photo_dir)
    row, created = await run_in_threadpool(service.attach, engine, store, viewer, oid, image)
    position = image.position.as_dict() if image.position else None
    body = {**_out(row), "exif_position": position}
    return JSONResponse(
        body, status_code=201 if created else 200, headers={"Location": body["url"]}
    )


@router.post(
    "/photos/position",
    response_model=PositionResult,
    summary="GPS-Position aus den EXIF-Daten eines Fotos lesen (nichts wird gespeichert)",
    openapi_extra=UPLOAD_BODY,
    responses=ERRORS,
)
async def photo_position(request: Request, viewer: ViewerDep, settings: SettingsDep) -> Any:
    viewer.require("field", "planner", "admin")
    data = await read_upload(request, settings.max_photo_bytes)
    position = await run_in_threadpool(images.position_of, data)
    return {"exif_position": position.as_dict() if position else None}


@router.get(
    "/observations/{oid}/photos",
    response_model=list[PhotoOut],
    summary="Fotos einer Beobachtung",
)
def list_photos(oid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> Any:
    return [_out(row) for row in service.list_photos(conn, viewer, oid)]


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 prescribes for If-None-Match."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _serve(
    path: Path, media_type: str, tag: str, published: bool, if_none_match: str | None
) -> Response:
    # Published photos may be cached briefly (see PUBLIC_MAX_AGE), then revalidated; anything
    # else may change visibility at any moment, so private caches must ask again each time.
    etag = f'"{tag}"'
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_PUBLISHED if published else CACHE_PRIVATE,
        "Vary": "Authorization",
    }
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    if not path.is_file():
        log.error("photo file missing on disk: %s", path)
        raise NotFound(
            "Die Bilddatei fehlt auf dem Server.",
            "The image file is missing on the server.",
            code="photo_file_missing",
        )
    return FileResponse(path, media_type=media_type, headers=headers)


@router.get(
    "/photos/{pid}",
    response_class=FileResponse,
    responses=IMAGE_RESPONSES,
    summary="Foto (ohne Metadaten); ETag = sha256",
)
def get_photo(
    pid: uuid.UUID,
    engine: EngineDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    with engine.connect() as conn:  # not ConnDep: no connection held while the file streams
        row = service.fetch_photo(conn, viewer, pid)
    path = service.PhotoStore(settings.photo_dir).original(row["sha256"], row["media_type"])
    published = row["status"] == "published"
    return _serve(path, row["media_type"], row["sha256"], published, if_none_match)


@router.get(
    "/photos/{pid}/thumbnail",
    response_class=FileResponse,
    responses={**IMAGE_RESPONSES, 200: {"content": {"image/jpeg": {}}, "description": "JPEG"}},
    summary=f"Vorschaubild (JPEG, höchstens {images.THUMBNAIL_PX} px)",
)
def get_thumbnail(
    pid: uuid.UUID,
    engine: EngineDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    with engine.connect() as conn:
        row = service.fetch_photo(conn, viewer, pid)
    path = service.PhotoStore(settings.photo_dir).thumbnail(row["sha256"])
    published = row["status"] == "published"
    return _serve(path, "image/jpeg", f"{row['sha256']}-thumb", published, if_none_match)


@router.delete(
    "/photos/{pid}",
    status_code=204,
    summary="Foto löschen (Autor*in des Eintrags, Planer*innen)",
    responses={k: ERRORS[k] for k in (401, 403, 404)},
)
def delete_photo(
    pid: uuid.UUID, engine: EngineDep, viewer: ViewerDep, settings: SettingsDep
) -> Response:
    service.delete_photo(engine, service.PhotoStore(settings.photo_dir), viewer, pid)
    return Response(status_code=204)
