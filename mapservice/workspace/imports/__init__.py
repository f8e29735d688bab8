"""The workspace's import section (issue 13, "Import"): preview, import jobs with progress,
per-row reports, and the page ``/planung/import``. Register with
``app.include_router(workspace_imports_router)``."""

from mapservice.workspace.imports.routes import router

__all__ = ["router"]
