"""The Karten page (``/planung/karten``): an HTML shell around the quarter map.

The map itself is the real map page (``/maps/{quarter}``) in a frame: layers, kinds and
period are picked in its sidebar, with its URL parameters — so what a planner saves is
exactly what the share link opens. karten.js reads that state, adds external overlays and
dimensions, and saves through ``/api/workspace/views``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mapservice.access import PUBLIC
from mapservice.catalog import Dimension
from mapservice.tiles.sources import visible_layers
from mapservice.workspace.shell import BASE, page_lang, render

router = APIRouter(include_in_schema=False)


@router.get(f"{BASE}/karten", response_class=HTMLResponse)
def karten_page(request: Request) -> HTMLResponse:
    """Layers (with their dimension) and dimensions come from the catalogue: no API call."""
    lang = page_lang(request)
    catalog = request.app.state.catalog
    layers = {
        layer.id: {"dimension": layer.dimension.value, "title": layer.title(lang)}
        for layer in visible_layers(catalog, PUBLIC)
    }
    dimensions = [{"id": d.value, "label": d.label(lang)} for d in Dimension]
    return render(
        request,
        "karten.html",
        section="karten",
        dimensions=dimensions,
        layers_json=layers,
    )
