"""OGC API Features collection ``massnahmen`` under ``/ogc`` (measures with a geometry).

Included before the catalogue's OGC router, so ``/ogc/collections/massnahmen…`` is answered
here; ``/ogc/collections`` lists it beside the layers (mapservice.api.ogc).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from mapservice.api.deps import ConnDep, ViewerDep
from mapservice.ogc.documents import GEOJSON, JSON
from mapservice.programme import ogc
from mapservice.programme.queryables import queryables_document

router = APIRouter(prefix="/ogc/collections/massnahmen", tags=["OGC API"])


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _answer(doc: object, media: str, public: bool) -> Response:
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    cache = "public, max-age=60" if public else "private, no-cache"
    return Response(body, media_type=media, headers={"Cache-Control": cache})


@router.get("", summary="Sammlung Maßnahmen / measures collection")
def measures_collection(request: Request, conn: ConnDep, viewer: ViewerDep) -> Response:
    query = dict(request.query_params.items())
    ogc.check_params({k: v for k, v in query.items() if k not in ogc.PARAMS - {"f"}})
    return _answer(ogc.collection(_root(request), conn, viewer), JSON, viewer.is_public)


@router.get("/queryables", summary="Filterbare Eigenschaften / queryables (Part 3)")
def measures_queryables(request: Request) -> Response:
    """What ``filter`` (CQL2 text or JSON) may name: phase, status, progress, dimension …"""
    ogc.check_params({k: v for k, v in request.query_params.items() if k != "f"})
    return _answer(queryables_document(_root(request)), "application/schema+json", True)


@router.get("/items", summary="Maßnahmen als Objekte / measures as features")
def measures_items(request: Request, conn: ConnDep, viewer: ViewerDep) -> Response:
    query = dict(request.query_params.items())
    return _answer(ogc.items(conn, viewer, _root(request), query), GEOJSON, viewer.is_public)


@router.get("/items/{fid}", summary="Eine Maßnahme / one measure")
def measures_item(request: Request, fid: str, conn: ConnDep, viewer: ViewerDep) -> Response:
    ogc.check_params(dict(request.query_params.items()))
    return _answer(ogc.item(conn, viewer, fid), GEOJSON, viewer.is_public)
