"""The workspace's own pages (start, sign-in), its static files and the start page's numbers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from mapservice.api.deps import ConnDep, ViewerDep
from mapservice.errors import NotFound
from mapservice.workspace.shell import BASE, page_lang, render, static_file, static_version
from mapservice.workspace.start import waiting_summary

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/workspace", tags=["Arbeitsbereich / workspace"])

IMMUTABLE = "public, max-age=31536000, immutable"


@pages.get(BASE, response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    return render(request, "start.html", section="start")


@pages.get(f"{BASE}/anmelden", response_class=HTMLResponse)
def signin_page(request: Request) -> HTMLResponse:
    return render(request, "anmelden.html", section="anmelden", roles=())


ROLE_LABELS = {
    "field": ("Erfassung (field)", "Field team (field)"),
    "planner": ("Planung (planner)", "Planner (planner)"),
    "admin": ("Verwaltung (admin)", "Admin (admin)"),
}


@pages.get(f"{BASE}/verwaltung", response_class=HTMLResponse)
def admin_page(request: Request) -> HTMLResponse:
    lang = page_lang(request)
    i = 1 if lang == "en" else 0
    catalog = request.app.state.catalog
    return render(
        request,
        "verwaltung.html",
        section="verwaltung",
        roles=("admin",),
        role_options=[{"id": r, "label": labels[i]} for r, labels in ROLE_LABELS.items()],
        layers=[{"id": layer.id, "title": layer.title(lang)} for layer in catalog],
    )


@pages.get(BASE + "/static/{name}")
def static(name: str, request: Request) -> Response:
    """Files of ``workspace/static``; immutable when asked for with the current ``?v=``."""
    found = static_file(name)
    if found is None:
        raise NotFound(
            f"Datei '{name[:64]}' gibt es nicht.", f"No file '{name[:64]}'.", code="no_file"
        )
    data, media = found
    fresh = request.query_params.get("v") == static_version(name)
    cache = IMMUTABLE if fresh else "no-cache"
    headers = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=media, headers=headers)


@api.get("/summary", summary="Wartende Einträge je Quartier / waiting entries per quarter")
def summary(conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return waiting_summary(conn, viewer)
