"""Planner endpoints: import a file (``POST /api/imports``) and export a quarter's layers
(``GET /api/exports/{quarter}/{layer}.{gpkg|geojson|csv}``).

The upload is read through a byte counter, so a file above the limit is answered 413 as soon
as the limit is passed (or at once, when ``Content-Length`` says so) — never buffered whole.
The import runs in a worker thread (it is CPU and database work) in its own transaction: a
refused file answers 400 with the per-row report and leaves nothing behind.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartParser

from mapservice.api.deps import CatalogDep, EngineDep, ViewerDep
from mapservice.capture.exports import FORMATS as EXPORT_FORMATS
from mapservice.capture.exports import collect, export_bytes
from mapservice.capture.imports import (
    ImportOptions,
    check_options,
    parse_flag,
    parse_walkthrough,
)
from mapservice.errors import InvalidInput, PayloadTooLarge

router = APIRouter(tags=["Import und Export / import and export"])

MAX_IMPORT_BYTES = 32 * 1024 * 1024
OPTION_FIELDS = ("format", "quarter", "layer", "crs", "x", "y", "lat", "lon", "walkthrough",
                 "dry_run", "skip_invalid", "status", "kind", "id_column", "address")  # fmt: skip
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def too_large() -> PayloadTooLarge:
    mb = MAX_IMPORT_BYTES // (1024 * 1024)
    return PayloadTooLarge(
        f"Datei ist größer als {mb} MB; bitte aufteilen oder per `karte import` laden.",
        f"File is larger than {mb} MB; split it or load it with `karte import`.",
        code="too_large",
    )


async def _limited(request: Request) -> AsyncGenerator[bytes, None]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise too_large()
        yield chunk


async def _form(request: Request) -> FormData:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_IMPORT_BYTES:
        raise too_large()
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput(
            "Erwartet wird multipart/form-data mit dem Feld 'file'.",
            "Expected multipart/form-data with the field 'file'.",
            code="no_file",
        )
    parser = MultiPartParser(request.headers, _limited(request), max_files=1, max_fields=20,
                             max_part_size=64 * 1024)  # fmt: skip
    return await parser.parse()


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return None
    return str(value).strip() or None


def _options(form: FormData, viewer_name: str | None) -> ImportOptions:
    unknown = [k for k in form if k != "file" and k not in OPTION_FIELDS]
    if unknown:
        raise InvalidInput(
            f"Unbekannte Felder: {', '.join(unknown)[:200]}.",
            f"Unknown fields: {', '.join(unknown)[:200]}.",
            code="invalid_option",
        )
    options = ImportOptions(
        format=_text(form, "format") or "auto", quarter=_text(form, "quarter"),
        layer=_text(form, "layer"), crs=_text(form, "crs"), x=_text(form, "x"),
        y=_text(form, "y"), lat=_text(form, "lat"), lon=_text(form, "lon"),
        walkthrough=parse_walkthrough(_text(form, "walkthrough")),
        dry_run=parse_flag("dry_run", _text(form, "dry_run")),
        skip_invalid=parse_flag("skip_invalid", _text(form, "skip_invalid")),
        status=_text(form, "status") or "draft", kind=_text(form, "kind"), author=viewer_name,
        id_column=_text(form, "id_column"), address=_text(form, "address"),
    )  # fmt: skip
    return check_options(options)


def _safe_name(filename: str | None) -> str:
    """The uploaded file's base name without control characters (it appears in reports)."""
    name = Path((filename or "upload").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return name or "upload"


@router.post(
    "/api/imports",
    summary="Datei importieren (Planer*innen): GeoJSON, CSV, GPX, GeoPackage, Shapefile (ZIP), "
    "ODK, Kobo, Interviewaussagen",
    responses={
        200: {"description": "Bericht: gelesen, neu, schon vorhanden, abgelehnt (je Zeile)"},
        400: {"description": "abgelehnt: Bericht je Zeile, nichts gespeichert"},
        401: {"description": "Token fehlt oder ungültig"},
        403: {"description": "Rolle darf nicht importieren"},
        413: {"description": "Datei zu groß"},
    },
)
async def post_import(
    request: Request, engine: EngineDep, catalog: CatalogDep, viewer: ViewerDep
) -> JSONResponse:
    """Multipart form: ``file`` plus the options of ``karte import`` as fields (``format``,
    ``quarter``, ``layer``, ``crs``, ``x``/``y`` or ``lat``/``lon``, ``walkthrough``, ``kind``,
    ``status``, ``dry_run``, ``skip_invalid``, ``id_column`` — the file's own key to update
    re-imported rows by, "-" for none, empty to detect it —, ``address`` — the address
    column(s) "Adresse" or "Straße+Hausnummer" for rows without coordinates)."""
    # the readers (pandas, GDAL) are loaded by the first import, not by every worker
    from mapservice.capture.imports import run_import

    viewer.require("planner", "admin")
    form = await _form(request)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("Feld 'file' fehlt.", "Field 'file' is missing.", code="no_file")
        options = _options(form, viewer.name)
        name = _safe_name(upload.filename)
        with tempfile.TemporaryDirectory(prefix="karte-import-") as folder:
            path = Path(folder) / f"upload{Path(name).suffix.lower()[:10]}"
            with open(path, "wb") as handle:
                while chunk := await upload.read(1024 * 1024):
                    handle.write(chunk)
            result = await run_in_threadpool(
                run_import, engine, catalog, path, options, viewer, name=name
            )
    finally:
        await form.close()
    body: dict[str, Any] = result.as_dict()
    if result.refused and not options.skip_invalid:
        n = len(result.refused)
        return JSONResponse(
            {
                "code": "import_refused",
                "message_de": f"{n} Zeile(n) abgelehnt; nichts gespeichert.",
                "message_en": f"{n} row(s) refused; nothing written.",
                "report": body,
            },
            status_code=400,
        )
    return JSONResponse(body, status_code=200)


@router.get(
    "/api/exports/{quarter}/{filename}",
    summary="Export eines Quartiers: {layer}.gpkg | .geojson | .csv (layer 'alle' = alle Ebenen)",
    responses={200: {"content": {t: {} for t in EXPORT_FORMATS.values()}}},
)
def get_export(
    quarter: str, filename: str, engine: EngineDep, catalog: CatalogDep, viewer: ViewerDep
) -> Response:
    """Planners and admins get every row with exact geometry; everybody else published rows,
    public geometry and no personal data (see :mod:`mapservice.capture.exports`)."""
    layer, _, fmt = filename.rpartition(".")
    if fmt not in EXPORT_FORMATS or not _SLUG.match(layer) or not _SLUG.match(quarter):
        raise InvalidInput(
            "Pfad: /api/exports/{quartier}/{ebene}.gpkg|geojson|csv.",
            "Path: /api/exports/{quarter}/{layer}.gpkg|geojson|csv.",
            code="invalid_option",
        )
    with engine.connect() as conn:
        exports = collect(conn, catalog, quarter, layer, viewer)
    content = export_bytes(exports, fmt)
    return Response(
        content,
        media_type=EXPORT_FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{quarter}_{layer}.{fmt}"',
            "Cache-Control": "public, max-age=300" if viewer.is_public else "private, no-store",
        },
    )
