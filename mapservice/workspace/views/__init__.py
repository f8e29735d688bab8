"""The Karten section of the planners' workspace (``/planung/karten``, issue 13).

Saved map views ("Ansichten"): catalogue layers, filters (kinds, period, dimensions), extent
and external overlays (WMS, WMTS/XYZ, OGC API Features) under a name, shared as
``/maps/{quarter}?ansicht=<id>`` and ``/embed/{quarter}?ansicht=<id>``. ``router`` carries
the page and ``/api/workspace/views``; :mod:`.shared` is what the map pages use to open one.
"""

from __future__ import annotations

from fastapi import APIRouter

from mapservice.workspace.views.api import router as api_router
from mapservice.workspace.views.pages import router as pages_router

router = APIRouter()
router.include_router(api_router)
router.include_router(pages_router)

__all__ = ["router"]
