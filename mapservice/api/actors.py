"""Actors API (``/api/actors``), their OGC collection ``akteure`` and their vector tiles.

Thin: parse, call :mod:`mapservice.programme.actors`, answer. Planners and admins write
(inside their quarters); everybody reads — the public only published actors, and of them
only the fields consented to. Registered before the catalogue's tile and OGC routers, so
``/tiles/akteure/…`` and ``/ogc/collections/akteure…`` are answered here.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from mapservice.api.deps import ConnDep, ViewerDep
from mapservice.api.measures import _upload
from mapservice.errors import InvalidInput
from mapservice.ogc.documents import GEOJSON, JSON
from mapservice.programme.actors import exports, imports, ogc, reads, tiles, writes
from mapservice.programme.actors.reads import ActorFilter
from mapservice.programme.actors.schemas import ActorConsentIn, ActorIn, ActorPatch
from mapservice.programme.actors.vocab import ActorKind

router = APIRouter()
#: tiles and OGC routes: registered before the catalogue's (/tiles/{layer}, /ogc/…/{cid})
early = APIRouter()
TAG = ["Akteure / actors"]
#: The reads are in /openapi.json; the writes and single-actor routes are not, for now: with
#: them in the spec, Swagger UI 5.35 stops rendering /docs after ~10 operations (no console
#: error; bisected to these operations, cause not found yet — see docs/actors.md).
WRITES_IN_SCHEMA = False
Lang = Annotated[Literal["de", "en"], Query(description="Sprache der Beschriftungen")]
Slug = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
#: Public answers are revalidated every time: a withdrawn consent must not live on in caches.
PUBLIC_CACHE = "public, max-age=0, must-revalidate"


def _json(doc: Any, status: int = 200, viewer: Any = None, **headers: str) -> JSONResponse:
    cache = PUBLIC_CACHE if viewer is not None and viewer.is_public else "private, no-store"
    return JSONResponse(
        jsonable_encoder(doc), status_code=status, headers={"Cache-Control": cache, **headers}
    )


@router.get(
    "/api/actors",
    tags=TAG,
    summary="Akteure & Angebote auflisten / list actors and offers",
    # with this operation in the spec Swagger UI 5.35 stops drawing after ten operations,
    # without an error (bisected: not its parameters, description or response schema)
    include_in_schema=False,
)
def list_actors(
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Slug = None,
    kind: ActorKind | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="sucht in Name und Angeboten")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    lang: Lang = "de",
) -> JSONResponse:
    """``q`` searches name, description and offers (what, for whom); each offer carries
    ``open_now`` (from its OSM ``opening_hours``, Europe/Berlin, German holidays)."""
    flt = ActorFilter(quarter=quarter, kind=kind, search=q or None, limit=limit, offset=offset)
    items, total = reads.list_actors(conn, viewer, flt, lang)
    return _json({"items": items, "total": total, "limit": limit, "offset": offset}, viewer=viewer)


@router.post(
    "/api/actors",
    tags=TAG,
    include_in_schema=WRITES_IN_SCHEMA,
    status_code=201,
    summary="Akteur anlegen (Planer*innen)",
)
def create_actor(body: ActorIn, conn: ConnDep, viewer: ViewerDep, lang: Lang = "de") -> Any:
    aid = writes.create(conn, viewer, body)
    return _json(reads.get_actor(conn, viewer, aid, lang), 201, Location=f"/api/actors/{aid}")


@router.get(
    "/api/actors/export.csv",
    tags=TAG,
    summary="Akteure als CSV (Format des Imports)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(conn: ConnDep, viewer: ViewerDep, quarter: Slug = None) -> Response:
    content = exports.export_csv(conn, viewer, quarter)
    name = f"akteure_{quarter}.csv" if quarter else "akteure.csv"
    cache = PUBLIC_CACHE if viewer.is_public else "private, no-store"
    return Response(
        content.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": cache},
    )


@router.get("/api/actors/export.geojson", tags=TAG, summary="Akteure als GeoJSON")
def export_geojson(conn: ConnDep, viewer: ViewerDep, quarter: Slug = None) -> Response:
    doc = exports.geojson_export(conn, viewer, quarter)
    body = json.dumps(doc, ensure_ascii=False, default=str)
    cache = PUBLIC_CACHE if viewer.is_public else "private, no-store"
    return Response(body.encode(), media_type=GEOJSON, headers={"Cache-Control": cache})


@router.post(
    "/api/actors/import",
    tags=TAG,
    include_in_schema=WRITES_IN_SCHEMA,
    summary="Akteure aus CSV, GeoJSON oder OSM-Extrakt importieren (Upsert, Planer*innen)",
    responses={400: {"description": "abgelehnt: Bericht je Zeile, nichts gespeichert"}},
)
async def import_actors(
    request: Request,
    conn: ConnDep,
    viewer: ViewerDep,
    quarter: Slug = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    filename: Annotated[str | None, Query(max_length=200, description="Dateiname (Endung)")] = None,
) -> JSONResponse:
    """OSM extracts (GeoJSON of overpass turbo or osmtogeojson) upsert by their OSM id, the
    rest by ``external_id``; without ``quarter`` each row goes to the quarter it lies in."""
    writes.require_writer(viewer)
    data = await _upload(request)
    report = await run_in_threadpool(
        imports.import_file,
        conn,
        viewer,
        data,
        filename=filename or "",
        quarter=quarter,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    body = report.as_dict()
    if report.refused and not skip_invalid:
        n = len(report.refused)
        return JSONResponse(
            {
                "code": "import_refused",
                "message_de": f"{n} Zeile(n) abgelehnt; nichts gespeichert.",
                "message_en": f"{n} row(s) refused; nothing written.",
                "report": body,
            },
            status_code=400,
        )
    return JSONResponse(body)


@router.get(
    "/api/actors/{aid}",
    tags=TAG,
    include_in_schema=WRITES_IN_SCHEMA,
    summary="Ein Akteur / one actor",
)
def get_actor(aid: uuid.UUID, conn: ConnDep, viewer: ViewerDep, lang: Lang = "de") -> Any:
    return _json(reads.get_actor(conn, viewer, aid, lang), viewer=viewer)


@router.patch(
    "/api/actors/{aid}",
    tags=TAG,
    include_in_schema=WRITES_IN_SCHEMA,
    summary="Akteur ändern (version: 409 bei Konflikt)",
)
def patch_actor(
    aid: uuid.UUID, body: ActorPatch, conn: ConnDep, viewer: ViewerDep, lang: Lang = "de"
) -> Any:
    writes.update(conn, viewer, aid, body)
    return _json(reads.get_actor(conn, viewer, aid, lang))


@router.delete(
    "/api/actors/{aid}",
    tags=TAG,
    include_in_schema=WRITES_IN_SCHEMA,
    status_code=204,
    summary="Akteur löschen",
)
def delete_actor(aid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> Response:
    writes.delete(conn, viewer, aid)
    return Response(status_code=204)


@router.put(
    "/api/actors/{aid}/consent",
    tags=TAG,
    include_in_schema=WRITES_IN_SCHEMA,
    summary="Einwilligung je Feld setzen/widerrufen",
)
def put_consent(aid: uuid.UUID, body: ActorConsentIn, conn: ConnDep, viewer: ViewerDep) -> Any:
    """The full list of fields that may be published; a field left out is withdrawn and
    gone from every public output (API, OGC, tiles, exports, maps) once this returns."""
    writes.set_consent(conn, viewer, aid, body.public_fields)
    return _json(reads.get_actor(conn, viewer, aid))


@router.get(
    "/api/actors/{aid}/consent",
    tags=TAG,
    include_in_schema=WRITES_IN_SCHEMA,
    summary="Einwilligungen: Verlauf (ohne Werte)",
)
def get_consent(aid: uuid.UUID, conn: ConnDep, viewer: ViewerDep) -> Any:
    writes.require_writer(viewer)
    actor = reads.get_actor(conn, viewer, aid)
    return _json(
        {"public_fields": actor["public_fields"], "events": reads.consent_history(conn, aid)}
    )


# --- OGC API Features: /ogc/collections/akteure ---------------------------------------


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _ogc(doc: object, media: str, viewer: Any) -> Response:
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    cache = PUBLIC_CACHE if viewer.is_public else "private, no-cache"
    return Response(body, media_type=media, headers={"Cache-Control": cache})


@early.get(
    "/ogc/collections/akteure",
    tags=["OGC API"],
    include_in_schema=False,
    summary="Sammlung Akteure",
)
def ogc_collection(request: Request, conn: ConnDep, viewer: ViewerDep) -> Response:
    query = dict(request.query_params.items())
    ogc.check_params({k: v for k, v in query.items() if k not in ogc.PARAMS - {"f"}})
    return _ogc(ogc.collection(_root(request), conn, viewer), JSON, viewer)


@early.get(
    "/ogc/collections/akteure/items",
    tags=["OGC API"],
    include_in_schema=False,
    summary="Akteure als Objekte",
)
def ogc_items(request: Request, conn: ConnDep, viewer: ViewerDep) -> Response:
    query = dict(request.query_params.items())
    return _ogc(ogc.items(conn, viewer, _root(request), query), GEOJSON, viewer)


@early.get(
    "/ogc/collections/akteure/items/{fid}",
    tags=["OGC API"],
    include_in_schema=False,
    summary="Ein Akteur",
)
def ogc_item(request: Request, fid: str, conn: ConnDep, viewer: ViewerDep) -> Response:
    ogc.check_params(dict(request.query_params.items()))
    return _ogc(ogc.item(conn, viewer, fid), GEOJSON, viewer)


# --- vector tiles: /tiles/akteure/{z}/{x}/{y}.mvt|.geojson ---------------------------


@early.get(
    "/tiles/akteure/tilejson.json",
    tags=["Kacheln / tiles"],
    include_in_schema=False,
    summary="TileJSON Akteure",
)
def actors_tilejson(request: Request, viewer: ViewerDep) -> Response:
    base = str(request.base_url).rstrip("/")
    doc = {
        "tilejson": "3.0.0",
        "name": ogc.TITLE,
        "tiles": [f"{base}/tiles/akteure/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": 0,
        "maxzoom": tiles.MAX_ZOOM,
        "vector_layers": [{"id": tiles.LAYER, "fields": {f: "String" for f in tiles.FIELDS}}],
    }
    return _ogc(doc, JSON, viewer)


@early.get(
    "/tiles/akteure/{z}/{x}/{y}.{fmt}",
    tags=["Kacheln / tiles"],
    include_in_schema=False,
    summary="Kachel Akteure (MVT oder GeoJSON)",
)
def actors_tile(
    request: Request,
    conn: ConnDep,
    viewer: ViewerDep,
    z: Annotated[int, Path(ge=0, le=tiles.MAX_ZOOM)],
    x: Annotated[int, Path(ge=0)],
    y: Annotated[int, Path(ge=0)],
    fmt: Literal["mvt", "pbf", "geojson"],
    quarter: Slug = None,
) -> Response:
    if x >= 2**z or y >= 2**z:
        raise InvalidInput(
            f"Kachel {z}/{x}/{y} gibt es nicht.",
            f"Tile {z}/{x}/{y} does not exist.",
            code="invalid_tile",
        )
    kind = "mvt" if fmt in ("mvt", "pbf") else "geojson"
    cache = getattr(getattr(request.app.state, "tiles", None), "cache", None)
    tile = tiles.serve(conn, cache, viewer, z, x, y, kind, quarter)
    etag = f'"akteure-{tiles.scope(viewer)}-{tile.version}-{kind}"'
    headers = {
        "ETag": etag,
        "X-Data-Version": tile.version,
        "Cache-Control": PUBLIC_CACHE if viewer.is_public else "private, no-cache",
        "Vary": "Accept-Encoding, Authorization",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if kind == "mvt" and tile.features == 0:
        return Response(status_code=204, headers=headers)
    media = "application/vnd.mapbox-vector-tile" if kind == "mvt" else "application/geo+json"
    return Response(tile.body, media_type=media, headers=headers)
