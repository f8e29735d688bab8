"""A saved view as the public map pages open it: ``/maps/{quarter}?ansicht=<id>``, ``/embed/…``.

The map pages are rendered for the public; a view only chooses *which* public things are
shown first (layers, kinds, period, extent) and which external overlays are drawn on top.
It carries no status filter and no rights, so whatever a view says, the public map shows
published entries only. Layers that stopped being public since the view was saved are left
out, not an error. The overlays' origins are checked again here (not read from the stored
``origin``): they become the page's CSP and must be exactly the hosts of this view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mapservice.catalog import Layer
from mapservice.errors import InvalidInput, KarteError, NotFound
from mapservice.workspace.views.overlays import check_url, origins

VIEW_ID = re.compile(r"[a-z0-9]{10}")
SQL = """
SELECT v.id, v.name, q.slug, v.layers, v.filters, v.center_lat, v.center_lon, v.zoom,
       v.overlays
  FROM map_view v JOIN quarter q ON q.id = v.quarter_id
 WHERE v.id = %(id)s::text
"""


class ViewNotFound(NotFound):
    """No such view (never saved, or deleted); ``quarter`` is set when it belongs elsewhere."""

    code = "unknown_view"

    def __init__(self, view_id: str, elsewhere: str | None = None) -> None:
        if elsewhere:
            super().__init__(
                f"Die Ansicht „{view_id}“ gehört zu einem anderen Quartier ({elsewhere}).",
                f'The view "{view_id}" belongs to another quarter ({elsewhere}).',
            )
        else:
            super().__init__(
                f"Die Ansicht „{view_id[:64]}“ gibt es nicht oder nicht mehr; sie wurde "
                "vielleicht gelöscht.",
                f'There is no view "{view_id[:64]}" (any more); it may have been deleted.',
            )
        self.view_id, self.elsewhere = view_id, elsewhere


class BadViewId(InvalidInput):
    code = "invalid_view_id"

    def __init__(self, view_id: str) -> None:
        super().__init__(
            f"„{view_id[:64]}“ ist keine Ansichts-Kennung (10 Zeichen aus a–z und 0–9).",
            f'"{view_id[:64]}" is not a view id (10 characters of a–z and 0–9).',
        )
        self.view_id = view_id


@dataclass(frozen=True)
class SharedView:
    id: str
    name: str
    quarter: str
    layers: list[str]
    filters: dict[str, Any]
    extent: dict[str, Any] | None
    overlays: list[dict[str, Any]] = field(default_factory=list)

    def active(self, visible: list[Layer]) -> list[str]:
        """The view's layers that are still public, narrowed by its dimension filter."""
        dims = self.filters.get("dimensions")
        return [
            layer.id
            for layer in visible
            if layer.id in self.layers and (not dims or layer.dimension.value in dims)
        ]

    def client(self, visible: list[Layer]) -> dict[str, Any]:
        """What the browser client needs (``cfg.view``): applied unless the URL says otherwise."""
        return {
            "id": self.id,
            "name": self.name,
            "layers": self.active(visible),
            "kinds": self.filters.get("kinds"),
            "from": self.filters.get("from", ""),
            "to": self.filters.get("to", ""),
            "extent": self.extent,
            "overlays": [
                {k: o[k] for k in ("type", "url", "title", "layers", "opacity") if k in o}
                for o in self.overlays
            ],
        }

    def csp_origins(self) -> dict[str, list[str]]:
        return origins(self.overlays)


def _checked_overlays(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for overlay in raw:
        try:
            overlay = {**overlay, "origin": check_url(overlay.get("url"))[1]}
        except KarteError:
            continue  # a row changed by hand past the API: drawn nowhere, allowed nowhere
        out.append(overlay)
    return out


async def load_shared_view(db: Any, view_id: str, quarter: str) -> SharedView:
    """The view ``view_id`` of ``quarter``; ``BadViewId`` (400) / ``ViewNotFound`` (404)."""
    view_id = view_id.strip()
    if not VIEW_ID.fullmatch(view_id):
        raise BadViewId(view_id)
    rows = await db.fetchall(SQL, {"id": view_id})
    if not rows:
        raise ViewNotFound(view_id)
    vid, name, slug, layers, filters, lat, lon, zoom, overlays = rows[0]
    if slug != quarter:
        raise ViewNotFound(view_id, elsewhere=slug)
    extent = None if zoom is None else {"lat": lat, "lon": lon, "zoom": int(zoom)}
    return SharedView(
        id=vid,
        name=name,
        quarter=slug,
        layers=list(layers),
        filters=dict(filters or {}),
        extent=extent,
        overlays=_checked_overlays(list(overlays or [])),
    )
