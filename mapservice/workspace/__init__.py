"""The planners' workspace at ``/planung`` (issue 13): shell, sign-in, administration.

Sections (review, interviews, imports, views) live in sub-packages with their own routers;
this package owns the frame they render into (:func:`mapservice.workspace.shell.render`,
``static/workspace.js`` with ``window.Planung``) and the routes every section relies on.
"""

from __future__ import annotations

from fastapi import APIRouter

from mapservice.workspace.admin_api import router as admin_router
from mapservice.workspace.auth_api import router as auth_router
from mapservice.workspace.routes import api as workspace_api
from mapservice.workspace.routes import pages as workspace_pages

router = APIRouter()
router.include_router(auth_router)
router.include_router(admin_router)
router.include_router(workspace_api)
router.include_router(workspace_pages)

__all__ = ["router"]
