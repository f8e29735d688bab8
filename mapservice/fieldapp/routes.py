"""Routes of the field app: the page, its service worker, manifest, catalogue and static files.

The page itself holds no data: everything a field team enters lives in the phone's IndexedDB
until the sync queue has sent it to the field API (``/api/observations``, ``/api/walkthroughs``,
``/api/observations/{id}/photos``). These routes only deliver the shell.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from mapservice.errors import NotFound
from mapservice.fieldapp.shell import (
    BASE,
    STATIC_TYPES,
    Shell,
    build_shell,
    catalog_payload,
    manifest,
)
from mapservice.maps.service import assets

router = APIRouter(include_in_schema=False)

# The HTML and the worker must be revalidated on every load, or a phone would keep an old
# worker forever; the versioned static files never change under their URL.
REVALIDATE = {"Cache-Control": "no-cache"}
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}


def get_shell(request: Request) -> Shell:
    """Built once per app (reads the static files) and kept on ``app.state``.

    The vendor URLs come from the same ``AssetStore`` the map pages use, so the phone caches
    one copy of Leaflet for both.
    """
    state = request.app.state
    shell = getattr(state, "fieldapp_shell", None)
    if shell is None:
        shell = state.fieldapp_shell = build_shell(state.settings, assets(state))
    return shell


@router.get(BASE, response_class=HTMLResponse)
def page(request: Request) -> HTMLResponse:
    return HTMLResponse(get_shell(request).html(), headers=REVALIDATE)


@router.get(f"{BASE}/")
def page_slash(request: Request) -> HTMLResponse:
    return page(request)


@router.get(f"{BASE}/sw.js")
def service_worker(request: Request) -> Response:
    # The worker lives under /erfassen/ but must control the page /erfassen itself.
    headers = {**REVALIDATE, "Service-Worker-Allowed": BASE}
    return Response(
        get_shell(request).worker(), media_type="text/javascript; charset=utf-8", headers=headers
    )


@router.get(f"{BASE}/manifest.webmanifest")
def web_manifest(request: Request) -> JSONResponse:
    return JSONResponse(
        manifest(get_shell(request)), media_type="application/manifest+json", headers=REVALIDATE
    )


@router.get(f"{BASE}/catalog.json")
def catalog(request: Request) -> dict[str, Any]:
    return catalog_payload(request.app.state.catalog)


@router.get(BASE + "/v/{version}/{name}")
def static_file(version: str, name: str, request: Request) -> Response:
    shell = get_shell(request)
    data = shell.files.get(name)
    suffix = name[name.rfind(".") :] if "." in name else ""
    if data is None or suffix not in STATIC_TYPES:
        raise NotFound(
            f"Datei {name} gibt es nicht.", f"File {name} does not exist.", code="not_found"
        )
    # An old page may still ask for an old version: serve the current file, but not for ever.
    headers = IMMUTABLE if version == shell.version else REVALIDATE
    return Response(data, media_type=STATIC_TYPES[suffix], headers=headers)
