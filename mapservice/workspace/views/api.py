"""JSON routes of the Karten section: saved map views (``/api/workspace/views``).

Planners and admins only; the rights and checks live in :mod:`.store`. Bodies are plain
JSON objects whose *present* keys are changed (``PATCH {"name": …}`` renames), so the model
below fixes the keys only and every value is checked with a German and English message.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from mapservice.api.deps import CatalogDep, ConnDep, ViewerDep
from mapservice.workspace.views import store
from mapservice.workspace.views.overlays import check_overlay

router = APIRouter(prefix="/api/workspace/views", tags=["Ansichten (Arbeitsbereich / workspace)"])


class ViewIn(BaseModel):
    """A view: ``name``, ``quarter`` (slug), ``layers`` (ids), ``filters`` ({kinds,
    dimensions, from, to}), ``extent`` ({lat, lon, zoom} or null), ``overlays``
    ([{type: wms|wmts|oapif, url, title, layers (WMS), opacity}])."""

    model_config = ConfigDict(extra="forbid")
    name: Any = None
    quarter: Any = None
    layers: Any = None
    filters: Any = None
    extent: Any = None
    overlays: Any = None

    def given(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.model_fields_set}


class OverlayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    overlay: Any = None


@router.get("", summary="Eigene Ansichten (Admins: alle) / own saved views (admins: all)")
def list_views(
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    return {"views": store.list_views(conn, viewer, quarter)}


@router.post("", status_code=201, summary="Ansicht speichern / save a view")
def create_view(body: ViewIn, conn: ConnDep, catalog: CatalogDep, viewer: ViewerDep) -> Any:
    return store.create_view(conn, catalog, viewer, body.given())


@router.post("/check-overlay", summary="Externe Ebene prüfen / check an external overlay")
def check(body: OverlayIn, viewer: ViewerDep) -> dict[str, Any]:
    """The overlay as it would be saved (normalised), or the 400 saving it would give."""
    viewer.require("planner", "admin")
    overlay = check_overlay(body.overlay, 0)
    return {"overlay": {k: v for k, v in overlay.items() if k != "origin"}}


@router.get("/{view_id}", summary="Eine Ansicht / one view")
def get_view(view_id: str, conn: ConnDep, viewer: ViewerDep) -> Any:
    return store.get_view(conn, viewer, view_id)


@router.patch("/{view_id}", summary="Ansicht ändern oder umbenennen / change or rename a view")
def patch_view(
    view_id: str, body: ViewIn, conn: ConnDep, catalog: CatalogDep, viewer: ViewerDep
) -> Any:
    return store.update_view(conn, catalog, viewer, view_id, body.given())


@router.delete("/{view_id}", status_code=204, summary="Ansicht löschen / delete a view")
def delete_view(view_id: str, conn: ConnDep, viewer: ViewerDep) -> Response:
    store.delete_view(conn, viewer, view_id)
    return Response(status_code=204)
