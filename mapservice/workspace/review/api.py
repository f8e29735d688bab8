"""Routes of the moderation queue: ``/api/review/…`` (JSON) and the page ``/planung/freigabe``.

Thin: filters and bodies are parsed here, the work is in :mod:`.queue`, :mod:`.actions`,
:mod:`.detail` and :mod:`.mine`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mapservice.api.deps import CatalogDep, ConnDep, ViewerDep
from mapservice.catalog import LayerSource
from mapservice.errors import Conflict, InvalidInput
from mapservice.workspace.review import actions, detail, mine, queue
from mapservice.workspace.shell import BASE, render

router = APIRouter(tags=["Freigabe / review"])
pages = APIRouter(include_in_schema=False)
Type = Literal["observation", "finding"]


class FilterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quarter: str | None = Field(default=None, max_length=64)
    layer: str | None = Field(default=None, max_length=64)
    kind: str | None = Field(default=None, max_length=20)
    type: str | None = Field(default=None, max_length=20)
    walkthrough: uuid.UUID | None = None
    author: str | None = Field(default=None, max_length=64)
    since: date | None = None
    until: date | None = None
    state: str = Field(default=queue.WAITING, max_length=20)

    def to_filter(self, ids: list[uuid.UUID] | None = None) -> queue.QueueFilter:
        return queue.QueueFilter(**self.model_dump(), ids=ids or [])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: actions.Action
    note: str = Field(default="", max_length=2000)
    layer: str | None = Field(default=None, max_length=64)


class BulkIn(DecisionIn):
    """Either ``ids`` (a selection) or ``filter`` (everything it matches), not both."""

    ids: list[uuid.UUID] | None = Field(default=None, max_length=20_000)
    filter: FilterIn | None = None

    @model_validator(mode="after")
    def _one_target(self) -> BulkIn:
        if (self.ids is None) == (self.filter is None):
            raise ValueError("send either ids or filter / entweder ids oder filter senden")
        if self.ids is not None and not self.ids:
            raise ValueError("ids is empty / ids ist leer")
        return self


def _filter(
    quarter: str | None, layer: str | None, kind: str | None, type_: str | None,
    walkthrough: uuid.UUID | None, author: str | None, since: date | None, until: date | None,
    state: str,
) -> queue.QueueFilter:  # fmt: skip
    return FilterIn(
        quarter=quarter or None, layer=layer or None, kind=kind or None, type=type_ or None,
        walkthrough=walkthrough, author=author or None, since=since, until=until, state=state,
    ).to_filter()  # fmt: skip


Q = Annotated[str | None, Query(max_length=64)]


@router.get("/api/review", summary="Freigabe-Liste mit Filtern / moderation queue")
def list_review(
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Q = None,
    layer: Q = None,
    kind: Q = None,
    type: Q = None,
    walkthrough: uuid.UUID | None = None,
    author: Q = None,
    since: date | None = None,
    until: date | None = None,
    state: Annotated[str, Query(max_length=20)] = queue.WAITING,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    flt = _filter(quarter, layer, kind, type, walkthrough, author, since, until, state)
    return queue.list_queue(conn, viewer, flt, limit, offset)


@router.get("/api/review/counts", summary="Wartende je Quartier und Ebene / waiting counts")
def review_counts(conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return queue.waiting_counts(conn, viewer)


@router.get("/api/review/mine", summary="Freigabe eigener Einträge (Feldteams) / own entries")
def review_mine(
    conn: ConnDep,
    viewer: ViewerDep,
    ids: Annotated[list[uuid.UUID] | None, Query(max_length=1000)] = None,
) -> list[dict[str, Any]]:
    return mine.my_states(conn, viewer, ids)


@router.post("/api/review/bulk", summary="Sammelaktion / bulk decision")
def review_bulk(
    body: BulkIn, conn: ConnDep, catalog: CatalogDep, viewer: ViewerDep
) -> dict[str, Any]:
    flt = body.filter.to_filter() if body.filter else queue.QueueFilter(state="all", ids=body.ids)
    if body.ids is not None:
        flt.state = "all"  # a selection: whatever its entries' states, the action's rules apply
    outcome = actions.decide(conn, catalog, viewer, body.action, flt, body.note, body.layer)
    return outcome.as_dict()


@router.get("/api/review/{kind}/{eid}", summary="Ein Eintrag der Freigabe / one entry")
def review_detail(kind: Type, eid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> dict:
    return detail.detail(conn, viewer, kind, eid)


@router.patch("/api/review/{kind}/{eid}", summary="Vor der Freigabe bearbeiten / edit")
def review_edit(
    kind: Type, eid: uuid.UUID, body: detail.ReviewEdit, conn: ConnDep, catalog: CatalogDep,
    viewer: ViewerDep,
) -> dict:  # fmt: skip
    return detail.edit(conn, catalog, viewer, kind, eid, body)


@router.post("/api/review/{kind}/{eid}/decision", summary="Entscheiden / decide one entry")
def review_decide(
    kind: Type, eid: uuid.UUID, body: DecisionIn, conn: ConnDep, catalog: CatalogDep,
    viewer: ViewerDep,
) -> dict:  # fmt: skip
    current = detail.detail(conn, viewer, kind, eid)  # 404/403 outside the rights
    flt = queue.QueueFilter(state="all", type=kind, ids=[eid])
    outcome = actions.decide(conn, catalog, viewer, body.action, flt, body.note, body.layer)
    if outcome.moved == 0:
        if body.action == "assign_layer" and current["state"] in actions.FROM["assign_layer"]:
            raise InvalidInput(
                "Die Geometrie passt nicht zu dieser Themenebene.",
                "The geometry does not fit this layer.",
                code="geometry_type_not_allowed",
            )
        raise Conflict(
            f"Aktion {body.action} ist im Zustand {current['state']} nicht möglich.",
            f"Action {body.action} is not possible in state {current['state']}.",
            code="transition_forbidden",
        )
    return detail.detail(conn, viewer, kind, eid)


@pages.get(f"{BASE}/freigabe", response_class=HTMLResponse)
def review_page(request: Request) -> HTMLResponse:
    """The page shell; freigabe.js loads the queue with the planner's token."""
    catalog = request.app.state.catalog
    layers = [
        {"id": layer.id, "de": layer.title_de, "en": layer.title_en,
         "types": [str(t) for t in layer.geometry_types]}
        for layer in catalog.of_source(LayerSource.OBSERVATIONS)
    ]  # fmt: skip
    return render(request, "freigabe.html", section="freigabe", layers=layers)
