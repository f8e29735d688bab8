"""The Interviews page: an HTML shell; interviews.js loads and saves through the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mapservice.catalog import LayerSource
from mapservice.workspace.shell import BASE, render

router = APIRouter(include_in_schema=False)


@router.get(f"{BASE}/interviews", response_class=HTMLResponse)
def interviews_page(request: Request) -> HTMLResponse:
    """Layers for the statement forms come from the catalogue (no API call needed)."""
    catalog = request.app.state.catalog
    layers = [
        {"id": layer.id, "de": layer.title_de, "en": layer.title_en}
        for layer in catalog.of_source(LayerSource.OBSERVATIONS)
    ]
    return render(request, "interviews.html", section="interviews", layers=layers)
