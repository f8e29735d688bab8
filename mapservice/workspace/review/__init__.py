"""The moderation queue "Freigabe" (``/planung/freigabe``, ``/api/review``)."""

from fastapi import APIRouter

from mapservice.workspace.review.api import pages
from mapservice.workspace.review.api import router as api_router

router = APIRouter()
router.include_router(pages)
router.include_router(api_router)

__all__ = ["router"]
