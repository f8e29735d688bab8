"""XYZ tiles and TileJSON: ``/tiles/{layer}/{z}/{x}/{y}.mvt|.geojson``, ``tilejson.json``.

Thin: parse, call ``mapservice.tiles``, wrap the bytes. The bodies come from PostGIS and
are passed through untouched (or their cached gzip form).
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from mapservice.access import PUBLIC, Viewer
from mapservice.api.deps import CatalogDep, get_viewer
from mapservice.errors import NotFound
from mapservice.tiles.extent import visible_extent
from mapservice.tiles.filters import FILTER_NAMES, NO_FILTERS, parse_filters, query_values
from mapservice.tiles.grid import TileAddress
from mapservice.tiles.http import Answer, accepts_gzip, tile_answer
from mapservice.tiles.queries import Format
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.service import TileJob, matches, serve_tile
from mapservice.tiles.sources import check_filters, source_for, tile_layer
from mapservice.tiles.tilejson import tilejson

router = APIRouter(prefix="/tiles", tags=["Kacheln / tiles"])
TILE_PARAMS = frozenset({*FILTER_NAMES, "v"})
FORMATS: dict[str, Format] = {"mvt": "mvt", "pbf": "mvt", "geojson": "geojson"}


async def tile_viewer(request: Request) -> Viewer:
    """The caller; the public costs nothing, a token is checked as everywhere else."""
    if "authorization" not in request.headers:
        return PUBLIC
    return await run_in_threadpool(get_viewer, request, request.app.state.engine)


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.tiles


TileViewer = Annotated[Viewer, Depends(tile_viewer)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# Declared for the OpenAPI page; the values are parsed (with bilingual 400s) by
# mapservice.tiles.filters, which also refuses parameters not listed here.
Quarter = Annotated[str | None, Query(description="Quartier-Kürzel / quarter slug")]
KindQ = Annotated[str | None, Query(description="strength | problem | potential | idea")]
#: The time filter of the maps (issue 15), spelled as OGC API Features' ``datetime``.
DATETIME_DOC = (
    "Zeitfilter wie OGC API Features / time filter as in OGC API Features (RFC 3339): ein "
    "Zeitpunkt oder Tag (2026-05-01), ein Zeitraum a/b, offen ../b oder a/.. – "
    "Beobachtungen nach observed_at, Aussagen nach Interviewdatum, Begehungen nach Dauer; "
    "Referenzdaten ignorieren ihn. Teil des Cache-Schlüssels und des ETags. / an instant or "
    "day, an interval a/b, open ../b or a/..; part of the cache key and the ETag. A round "
    "(Begehungsrunde) of the map's sidebar is sent as its period."
)
DatetimeQ = Annotated[str | None, Query(description=DATETIME_DOC)]
WalkthroughQ = Annotated[str | None, Query(description="UUID der Begehung / walkthrough")]
StatusQ = Annotated[str | None, Query(description="nur Planung / planners only")]


def to_response(answer: Answer) -> Response:
    return Response(content=answer.body, status_code=answer.status, headers=answer.headers)


async def tile_response(
    request: Request, rt: Runtime, job: TileJob, requested_version: str | None
) -> Response:
    """Serve ``job`` with caching headers: shared by the XYZ and the OGC tile routes."""
    gzip = accepts_gzip(request.headers.get("accept-encoding"))
    outcome = await serve_tile(rt, job, request.headers.get("if-none-match"), gzip=gzip)
    answer = tile_answer(
        outcome, job.fmt, job.viewer, rt.settings, gzip=gzip, requested_version=requested_version
    )
    return to_response(answer)


def _query_doc(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string"},
            "description": description}  # fmt: skip


def _path_doc(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"},
            "description": description}  # fmt: skip


#: The tile route reads its parameters itself (below), so they are documented here.
TILE_PARAMETER_DOCS = [
    _path_doc("layer", "Ebenen-ID / layer id"),
    _path_doc("z", "Zoomstufe 0–22 / zoom"),
    _path_doc("x", "Spalte / column"),
    _path_doc("y", "Zeile (von oben) / row (from the top)"),
    _path_doc("fmt", "mvt | pbf | geojson"),
    _query_doc("quarter", "Quartier-Kürzel / quarter slug"),
    _query_doc("kind", "strength | problem | potential | idea"),
    _query_doc("datetime", DATETIME_DOC),
    _query_doc("walkthrough", "UUID der Begehung / walkthrough"),
    _query_doc("status", "nur Planung / planners only"),
    _query_doc("v", "Datenversion aus TileJSON / data version from TileJSON"),
]


@router.get(
    "/{layer}/{z}/{x}/{y}.{fmt}",
    summary="Kachel (MVT oder GeoJSON) / tile",
    response_class=Response,
    responses={
        200: {"content": {"application/vnd.mapbox-vector-tile": {}, "application/geo+json": {}}},
        204: {"description": "leere MVT-Kachel / empty MVT tile"},
        304: {"description": "unverändert / not modified"},
    },
    openapi_extra={"parameters": TILE_PARAMETER_DOCS},
)
async def get_tile(request: Request) -> Response:
    """The hottest route: no declared parameters and no dependencies, so FastAPI does no
    validation work of its own (``TileAddress.parse`` and ``parse_filters`` check everything,
    with bilingual 400s) and nothing runs in the thread pool. A cache hit is a dictionary
    lookup away from its bytes."""
    path = request.path_params
    fmt = path["fmt"]
    if fmt not in FORMATS:
        raise NotFound(
            f"Unbekanntes Kachelformat .{fmt[:20]} (möglich: .mvt, .geojson).",
            f"Unknown tile format .{fmt[:20]} (possible: .mvt, .geojson).",
            code="unknown_format",
        )
    state = request.app.state
    viewer = await tile_viewer(request)
    the_layer = tile_layer(state.catalog, path["layer"], viewer)
    tile = TileAddress.parse(path["z"], path["x"], path["y"])
    query: dict[str, str] = {}
    filters = NO_FILTERS
    if request.scope["query_string"]:
        query = query_values(request.query_params.multi_items(), TILE_PARAMS)
        filters = parse_filters(query)
    job = TileJob(the_layer, viewer, tile, FORMATS[fmt], filters)
    return await tile_response(request, state.tiles, job, query.get("v"))


@router.get("/{layer}/tilejson.json", summary="TileJSON 3.0.0 einer Ebene / of a layer")
async def get_tilejson(
    request: Request,
    layer: str,
    catalog: CatalogDep,
    viewer: TileViewer,
    rt: RuntimeDep,
    quarter: Quarter = None,
    kind: KindQ = None,
    datetime: DatetimeQ = None,
    walkthrough: WalkthroughQ = None,
    status: StatusQ = None,
    format: Annotated[str, Query(pattern="^(mvt|geojson)$")] = "mvt",
    lang: Annotated[str, Query(pattern="^(de|en)$")] = "de",
) -> Response:
    the_layer = tile_layer(catalog, layer, viewer)
    query = query_values(request.query_params.multi_items(), {*FILTER_NAMES, "format", "lang"})
    filters = parse_filters(query)
    check_filters(the_layer, viewer, filters)
    extent = await visible_extent(rt, the_layer, viewer, filters)
    carried = {k: val for k, val in query.items() if k in FILTER_NAMES}
    doc: dict[str, Any] = tilejson(
        the_layer, source_for(the_layer, viewer, filters), extent, str(request.base_url),
        carried, format, lang,
    )  # fmt: skip
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, no-cache" if viewer.is_public else "private, no-cache",
        "Vary": "Authorization",
        "X-Data-Version": extent.version,
    }
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
