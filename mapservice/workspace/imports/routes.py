"""The workspace's import section: preview a file, start an import job, follow its progress,
download its per-row report — and the page ``/planung/import`` that does all of it.

Routes stay thin: the upload handling is the one of ``POST /api/imports`` (byte limit while
the body arrives, the same option fields), the work is in :mod:`.preview` and :mod:`.jobs`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import Engine, text
from starlette.datastructures import FormData, UploadFile

from mapservice.access import Viewer
from mapservice.api.deps import CatalogDep, EngineDep, ViewerDep
from mapservice.api.imports import _form, _options, _safe_name
from mapservice.capture.imports import ImportOptions
from mapservice.catalog import Catalog, LayerSource
from mapservice.errors import Forbidden, InvalidInput
from mapservice.workspace.imports.choices import offered_crs
from mapservice.workspace.imports.jobs import create_job, get_job, report_csv, start_job
from mapservice.workspace.imports.layers import PREFIX, create_layer, load_layers
from mapservice.workspace.shell import render

router = APIRouter(tags=["Arbeitsbereich: Import / workspace: import"])


@router.get("/planung/import", include_in_schema=False, response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    """The page; it loads its data from the API below with the planner's token."""
    return render(request, "import.html", section="import")


async def _upload(form: FormData, folder: Path) -> tuple[Path, str]:
    """The uploaded file, written to ``folder`` chunk by chunk; returns its path and name."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput("Feld 'file' fehlt.", "Field 'file' is missing.", code="no_file")
    name = _safe_name(upload.filename)
    path = folder / f"upload{Path(name).suffix.lower()[:10]}"
    with open(path, "wb") as handle:
        while chunk := await upload.read(1024 * 1024):
            handle.write(chunk)
    return path, name


def check_rights(engine: Engine, viewer: Viewer, options: ImportOptions) -> None:
    """Planners restricted to some layers or quarters import only into those (403)."""
    viewer.require("planner", "admin")
    if viewer.layers is not None and (options.layer is None or options.layer not in viewer.layers):
        raise Forbidden(
            "Ihr Konto darf nur in bestimmte Ebenen importieren; bitte eine davon wählen.",
            "Your account may import into certain layers only; choose one of them.",
            code="layer_forbidden",
        )
    if viewer.quarters is not None:
        with engine.connect() as conn:
            qid = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"),
                               {"s": options.quarter or ""}).scalar()  # fmt: skip
        if qid is None or int(qid) not in viewer.quarters:
            raise Forbidden(
                "Ihr Konto darf nur in bestimmte Quartiere importieren; bitte eines wählen.",
                "Your account may import into certain quarters only; choose one of them.",
                code="quarter_forbidden",
            )


def check_targets(engine: Engine, catalog: Catalog, options: ImportOptions) -> None:
    """An unknown layer or quarter is refused before the upload is accepted as a job."""
    from mapservice.capture.imports.runner import _check_targets

    with engine.connect() as conn:
        _check_targets(conn, catalog, options)


@router.post("/api/imports/preview", summary="Vorschau einer Datei vor dem Import / preview")
async def post_preview(request: Request, viewer: ViewerDep) -> dict[str, Any]:
    """Multipart ``file`` (+ optional ``format``, ``crs``, ``x``/``y``, ``lat``/``lon``,
    ``address``): columns, first rows, coordinate columns, CRS (detected or guessed),
    encoding, delimiter, the file's id column. Writes nothing."""
    from mapservice.workspace.imports.preview import preview_file

    viewer.require("planner", "admin")
    form = await _form(request)
    try:
        options = _options(form, viewer.name)
        with tempfile.TemporaryDirectory(prefix="karte-preview-") as folder:
            path, name = await _upload(form, Path(folder))
            return await run_in_threadpool(preview_file, path, name, options)
    finally:
        await form.close()


@router.post("/api/imports/jobs", status_code=202,
             summary="Import als Auftrag starten / start an import job")  # fmt: skip
async def post_job(
    request: Request, engine: EngineDep, catalog: CatalogDep, viewer: ViewerDep
) -> JSONResponse:
    """The fields of ``POST /api/imports``; answers 202 with the job at once. Follow it with
    ``GET /api/imports/jobs/{id}``; the report is at ``…/report.csv``."""
    viewer.require("planner", "admin")
    form = await _form(request)
    folder = Path(tempfile.mkdtemp(prefix="karte-job-"))
    started = False
    try:
        options = _options(form, viewer.name)
        check_rights(engine, viewer, options)
        await run_in_threadpool(check_targets, engine, catalog, options)
        path, name = await _upload(form, folder)
        job_id = await run_in_threadpool(create_job, engine, viewer, name, options)
        start_job(engine, catalog, job_id, path, options, viewer, name)
        started = True
    finally:
        await form.close()
        if not started:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    body = await run_in_threadpool(get_job, engine, viewer, str(job_id))
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/imports/jobs/{job_id}"})


@router.get("/api/imports/jobs/{job_id}", summary="Stand eines Imports / import job status")
def get_job_status(job_id: str, engine: EngineDep, viewer: ViewerDep) -> JSONResponse:
    viewer.require("planner", "admin")
    return JSONResponse(get_job(engine, viewer, job_id), headers={"Cache-Control": "no-store"})


@router.get("/api/imports/jobs/{job_id}/report.csv",
            summary="Bericht je Zeile als CSV / per-row report as CSV")  # fmt: skip
def get_job_report(job_id: str, engine: EngineDep, viewer: ViewerDep) -> Response:
    viewer.require("planner", "admin")
    job = get_job(engine, viewer, job_id)
    stem = Path(job["file"]).stem or "import"
    return Response(
        report_csv(job).encode("utf-8"), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bericht_{stem}.csv"',
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip


@router.get("/api/imports/targets", summary="Ziele eines Imports / import targets")
def get_targets(engine: EngineDep, catalog: CatalogDep, viewer: ViewerDep) -> dict[str, Any]:
    """Layers (thematic and reference) and quarters the caller may import into, the CRSs
    offered, and the kinds — what the page's selects are filled with."""
    viewer.require("planner", "admin")
    return targets(engine, catalog, viewer)


@router.post("/api/imports/layers", status_code=201,
             summary="Neue Referenzebene anlegen / create a reference layer")  # fmt: skip
def post_layer(
    body: dict[str, Any], engine: EngineDep, catalog: CatalogDep, viewer: ViewerDep
) -> dict[str, Any]:
    """``{"title_de": "Sportstätten", "title_en": "Sports facilities", "attribution":
    "Stadt Bochum", "public": false}`` → the new layer (id ``ref-sportstaetten``)."""
    layer = create_layer(engine, catalog, viewer, body)
    return _layer_json(layer)


def _layer_json(layer: Any) -> dict[str, Any]:
    return {"id": layer.id, "title_de": layer.title("de"), "title_en": layer.title("en"),
            "source": str(layer.source.value), "public": layer.public,
            "own": layer.id.startswith(PREFIX)}  # fmt: skip


def targets(engine: Engine, catalog: Catalog, viewer: Viewer) -> dict[str, Any]:
    load_layers(engine, catalog)  # planner layers another worker created
    layers = [
        _layer_json(layer)
        for layer in catalog
        if layer.source in (LayerSource.OBSERVATIONS, LayerSource.REFERENCE)
        and (viewer.layers is None or layer.id in viewer.layers)
    ]  # fmt: skip
    with engine.connect() as conn:
        quarters = [
            {"id": r.id, "slug": r.slug, "name": r.name, "city": r.city}
            for r in conn.execute(text("SELECT id, slug, name, city FROM quarter ORDER BY name"))
            if viewer.quarters is None or r.id in viewer.quarters
        ]
    kinds = [{"id": k, "de": de, "en": en} for k, de, en in (
        ("strength", "Stärke", "Strength"), ("problem", "Problem", "Problem"),
        ("potential", "Potenzial", "Potential"), ("idea", "Idee", "Idea"))]  # fmt: skip
    return {"layers": layers, "quarters": quarters, "crs": offered_crs(), "kinds": kinds}
