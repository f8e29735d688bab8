"""The Interviews section of the planners' workspace (``/planung/interviews``).

``router`` carries the section's page and its JSON API (additions to ``/api/interviews``):
place suggestions while typing, statements with the chosen placement, transcripts split
into statements, consent, and the erasure preview.
"""

from __future__ import annotations

from fastapi import APIRouter

from mapservice.workspace.interviews.api import router as api_router
from mapservice.workspace.interviews.pages import router as pages_router

router = APIRouter()
router.include_router(api_router)
router.include_router(pages_router)

__all__ = ["router"]
