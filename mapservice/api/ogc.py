"""OGC API Features (Part 1) and OGC API Tiles under ``/ogc`` — thin: parse, call, wrap.

Every endpoint refuses unknown query parameters with 400, as OGC API Features requires;
visibility by role comes from ``mapservice.tiles.sources`` like everywhere else.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from mapservice.access import Viewer
from mapservice.api.deps import CatalogDep
from mapservice.api.tiles import RuntimeDep, TileViewer, tile_response
from mapservice.catalog import Layer
from mapservice.catalog.sdg import parse_goal
from mapservice.errors import InvalidInput, NotFound
from mapservice.ogc import documents, html, schema, tilesets
from mapservice.ogc.crs import OutputCrs, parse_crs
from mapservice.ogc.documents import GEOJSON, HTML, JSON, OPENAPI_30, link
from mapservice.ogc.filter_params import FILTER_PARAMS, items_condition, parameter_names
from mapservice.ogc.items import ItemsQuery, Page, items_page, one_item, page_body
from mapservice.ogc.openapi import openapi_30
from mapservice.ogc.params import DEFAULT_LIMIT, MAX_LIMIT, Cursor, negotiate, parse_bbox, parse_int
from mapservice.ogc.queryables import property_schemas, queryables_document, queryables_for
from mapservice.programme.actors.ogc import collection as actors_collection
from mapservice.programme.ogc import collection as measures_collection
from mapservice.tiles.extent import visible_extent
from mapservice.tiles.filters import FILTER_NAMES, parse_filters, query_values
from mapservice.tiles.grid import TMS_ID, TileAddress
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.service import TileJob
from mapservice.tiles.sources import (
    source_for,
    tile_layer,
    visible_layer,
    visible_layers,
)
from mapservice.tiles.tilejson import vector_fields

router = APIRouter(prefix="/ogc", tags=["OGC API"])
ITEMS_PARAMS = {*FILTER_NAMES, *FILTER_PARAMS, "bbox", "bbox-crs", "crs", "limit", "offset",
                "cursor", "f"}  # fmt: skip


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _query(request: Request, allowed: set[str] | frozenset[str]) -> dict[str, str]:
    return query_values(request.query_params.multi_items(), allowed)


def _format(request: Request, query: dict[str, str]) -> str:
    return negotiate(query.get("f"), request.headers.get("accept"))


def _cache_control(viewer: Viewer, rt: Runtime) -> dict[str, str]:
    if viewer.is_public:
        return {"Cache-Control": f"public, max-age={rt.settings.max_age}", "Vary": "Accept"}
    return {"Cache-Control": "private, no-cache", "Vary": "Accept, Authorization"}


def _content_crs(crs: OutputCrs) -> dict[str, str]:
    """OGC API Features Part 2: the CRS of the coordinates, as a URI in angle brackets."""
    return {"Content-Crs": f"<{crs.uri}>"}


def _answer(
    fmt: str, doc: Any, page: str, title: str, root: str, media: str = JSON, **extra: Any
) -> Response:
    if fmt == "html":
        body = html.render(page, title=title, root=root, doc=doc, **extra)
        return Response(body, media_type="text/html; charset=utf-8")
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, media_type=media)


def _tms(tms_id: str) -> None:
    if tms_id != TMS_ID:
        raise NotFound(
            f"Unbekanntes Kachelschema {tms_id[:40]!r} (möglich: {TMS_ID}).",
            f"Unknown tile matrix set {tms_id[:40]!r} (possible: {TMS_ID}).",
            code="unknown_tile_matrix_set",
        )


@router.get("", summary="Startseite / landing page")
@router.get("/", include_in_schema=False)
async def landing(request: Request) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    title = "Karte der Nachhaltigkeit – OGC API"
    return _answer(_format(request, query), documents.landing_page(root), "landing", title, root)


@router.get("/conformance", summary="Konformitätsklassen / conformance")
async def conformance(request: Request) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    title = "Konformität / conformance"
    return _answer(_format(request, query), documents.conformance(), "conformance", title, root)


@router.get("/api", summary="OpenAPI 3.0 der OGC API")
async def api_description(request: Request, catalog: CatalogDep, viewer: TileViewer) -> Response:
    query = _query(request, {"f"})
    ids = [layer.id for layer in visible_layers(catalog, viewer)]
    doc = openapi_30(str(request.base_url), ids)
    if _format(request, query) == "html":
        return Response(html.render_json("OpenAPI 3.0", _root(request), doc), media_type=HTML)
    return Response(json.dumps(doc, ensure_ascii=False).encode(), media_type=OPENAPI_30)


@router.get("/api.html", summary="OpenAPI 3.0 als HTML", include_in_schema=False)
async def api_page(request: Request, catalog: CatalogDep, viewer: TileViewer) -> Response:
    _query(request, set())
    ids = [layer.id for layer in visible_layers(catalog, viewer)]
    doc = openapi_30(str(request.base_url), ids)
    return Response(html.render_json("OpenAPI 3.0", _root(request), doc), media_type=HTML)


async def _collection_doc(
    request: Request, rt: Runtime, layer: Layer, viewer: Viewer
) -> dict[str, Any]:
    extent = await visible_extent(rt, layer, viewer)
    return documents.collection(_root(request), layer, extent)


@router.get("/collections", summary="Sammlungen / collections")
async def collections(
    request: Request, catalog: CatalogDep, viewer: TileViewer, rt: RuntimeDep
) -> Response:
    query, root = _query(request, {"f", "sdg"}), _root(request)
    goal = parse_goal(query.get("sdg"))  # ?sdg=11: only the layers tagged with goal 11
    chosen = [lay for lay in visible_layers(catalog, viewer) if goal is None or goal in lay.sdg]
    docs = [await _collection_doc(request, rt, lay, viewer) for lay in chosen]
    if goal is None:
        docs.append(measures_collection(root))  # Handlungsprogramm (api.measures_ogc)
        docs.append(actors_collection(root))  # Akteure & Angebote (mapservice.api.actors)
    doc = documents.collections(root, docs)
    response = _answer(
        _format(request, query), doc, "collections", "Sammlungen / collections", root
    )
    response.headers.update(_cache_control(viewer, rt))
    return response


@router.get("/collections/{cid}", summary="Eine Sammlung / one collection")
async def collection(
    request: Request, cid: str, catalog: CatalogDep, viewer: TileViewer, rt: RuntimeDep
) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    layer = visible_layer(catalog, cid, viewer)
    doc = await _collection_doc(request, rt, layer, viewer)
    response = _answer(_format(request, query), doc, "collection", layer.title(), root)
    response.headers.update(_cache_control(viewer, rt))
    return response


@router.get("/collections/{cid}/queryables", summary="Filterbare Eigenschaften / queryables")
async def queryables(
    request: Request, cid: str, catalog: CatalogDep, viewer: TileViewer, rt: RuntimeDep
) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    layer = visible_layer(catalog, cid, viewer)
    types = await _geometry_types(rt, layer, viewer)
    found = queryables_for(layer, viewer, source_for(layer, viewer))
    doc = queryables_document(root, layer, found, geometry_types=types)
    fmt = negotiate(query.get("f"), request.headers.get("accept"))
    response = _answer(fmt, doc, "json", "Queryables", root, media="application/schema+json",
                       pretty=json.dumps(doc, ensure_ascii=False, indent=2))  # fmt: skip
    response.headers.update(_cache_control(viewer, rt))
    return response


async def _geometry_types(rt: Runtime, layer: Layer, viewer: Viewer) -> list[str]:
    extent = await visible_extent(rt, layer, viewer)
    return schema.geometry_types(layer, extent.geometry_types)


@router.get("/collections/{cid}/schema", summary="Schema der Objekte / feature schema (Part 5)")
async def feature_schema(
    request: Request, cid: str, catalog: CatalogDep, viewer: TileViewer, rt: RuntimeDep
) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    layer = visible_layer(catalog, cid, viewer)
    types = await _geometry_types(rt, layer, viewer)
    found = queryables_for(layer, viewer, source_for(layer, viewer))
    doc = schema.schema_document(root, layer, property_schemas(found, types))
    fmt = negotiate(query.get("f"), request.headers.get("accept"))
    response = _answer(fmt, doc, "json", "Schema", root, media="application/schema+json",
                       pretty=json.dumps(doc, ensure_ascii=False, indent=2))  # fmt: skip
    response.headers.update(_cache_control(viewer, rt))
    return response


@router.get(
    "/collections/{cid}/schema.xsd",
    summary="GML-Anwendungsschema mit dem Geometrietyp / GML application schema (for GDAL)",
)
async def feature_schema_xsd(
    request: Request, cid: str, catalog: CatalogDep, viewer: TileViewer, rt: RuntimeDep
) -> Response:
    _query(request, set())
    layer = visible_layer(catalog, cid, viewer)
    types = await _geometry_types(rt, layer, viewer)
    response = Response(schema.xsd_document(layer, types), media_type="application/xml")
    response.headers.update(_cache_control(viewer, rt))
    return response


def _items_links(
    request: Request, q: ItemsQuery, page: Page, query: dict[str, str]
) -> list[dict[str, Any]]:
    base = f"{_root(request)}/collections/{q.layer.id}"
    keep = {k: v for k, v in query.items() if k not in ("f", "offset", "cursor")}

    def url(fmt: str, **extra: Any) -> str:
        return f"{base}/items?" + urlencode({**keep, **extra, "f": fmt})

    current = {"cursor": query["cursor"]} if "cursor" in query else {"offset": str(q.offset)}
    links = [
        link(url("json", **current), "self", GEOJSON, "Diese Seite / this page"),
        link(url("html", **current), "alternate", HTML, "Als HTML / as HTML"),
        link(base, "collection", JSON, q.layer.title()),
    ]
    if page.more and page.last is not None:
        cursor = Cursor(page.offset + page.returned, page.last).encode()
        links += [link(url(f, cursor=cursor), "next", t, "Nächste Seite / next page")
                  for f, t in (("json", GEOJSON), ("html", HTML))]  # fmt: skip
    if page.offset > 0:
        prev = str(max(0, page.offset - q.limit))
        links += [link(url(f, offset=prev), "prev", t, "Vorige Seite / previous page")
                  for f, t in (("json", GEOJSON), ("html", HTML))]  # fmt: skip
    return links


@router.get("/collections/{cid}/items", summary="Objekte / features")
async def items(
    request: Request, cid: str, catalog: CatalogDep, viewer: TileViewer, rt: RuntimeDep
) -> Response:
    layer = visible_layer(catalog, cid, viewer)
    queryables = queryables_for(layer, viewer, source_for(layer, viewer))
    query, root = _query(request, ITEMS_PARAMS | parameter_names(queryables)), _root(request)
    fmt = negotiate(query.get("f"), request.headers.get("accept"), ("json", "html"))
    cursor = Cursor.decode(query["cursor"]) if "cursor" in query else None
    if "bbox-crs" in query and "bbox" not in query:
        raise InvalidInput(
            "bbox-crs ohne bbox: bitte auch bbox angeben.",
            "bbox-crs without bbox: please give bbox too.",
            code="invalid_bbox-crs",
        )
    bbox_crs = parse_crs("bbox-crs", query.get("bbox-crs"))
    q = ItemsQuery(
        layer=layer,
        viewer=viewer,
        filters=parse_filters(query),
        bbox=parse_bbox(query["bbox"], bbox_crs) if "bbox" in query else None,
        limit=parse_int("limit", query.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=parse_int("offset", query.get("offset"), 0, 0, 10**9),
        cursor=cursor,
        crs=parse_crs("crs", query.get("crs")),
        condition=items_condition(query, queryables),
    )
    page = await items_page(rt, q)
    body = page_body(page, _items_links(request, q, page, query))
    headers = {**_cache_control(viewer, rt), "X-Data-Version": page.version,
               **_content_crs(q.crs)}  # fmt: skip
    if fmt == "html":
        doc = json.loads(body)
        columns = [*source_for(layer, viewer).fields(), "sdg"]
        base = f"{root}/collections/{layer.id}"
        page_html = html.render(
            "items", title=layer.title(), root=root, doc=doc, columns=columns, base=base
        )
        return Response(page_html, media_type="text/html; charset=utf-8", headers=headers)
    return Response(body, media_type=GEOJSON, headers=headers)


@router.get("/collections/{cid}/items/{fid}", summary="Ein Objekt / one feature")
async def item(
    request: Request, cid: str, fid: str, catalog: CatalogDep, viewer: TileViewer, rt: RuntimeDep
) -> Response:
    query, root = _query(request, {"f", "crs"}), _root(request)
    layer = visible_layer(catalog, cid, viewer)
    crs = parse_crs("crs", query.get("crs"))
    feature = await one_item(rt, layer, viewer, fid, crs)
    base = f"{root}/collections/{layer.id}"
    feature["links"] = [
        link(f"{base}/items/{fid}?f=json", "self", GEOJSON),
        link(f"{base}/items/{fid}?f=html", "alternate", HTML),
        link(base, "collection", JSON, layer.title()),
    ]
    fmt = _format(request, query)
    geometry = json.dumps(feature["geometry"], indent=1)
    response = _answer(fmt, feature, "item", layer.title(), root, media=GEOJSON, base=base,
                       layer_title=layer.title(), geometry_json=geometry)  # fmt: skip
    response.headers.update({**_cache_control(viewer, rt), **_content_crs(crs)})
    return response


@router.get("/collections/{cid}/tiles", summary="Kachelsätze / tilesets")
async def collection_tilesets(
    request: Request, cid: str, catalog: CatalogDep, viewer: TileViewer
) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    layer = tile_layer(catalog, cid, viewer)  # also the measures
    doc = tilesets.tilesets(root, layer)
    return _answer(_format(request, query), doc, "json", "Kachelsätze / tilesets", root,
                   pretty=json.dumps(doc, ensure_ascii=False, indent=2))  # fmt: skip


@router.get("/collections/{cid}/tiles/{tms}", summary="Kachelsatz / tileset")
async def collection_tileset(
    request: Request, cid: str, tms: str, catalog: CatalogDep, viewer: TileViewer, rt: RuntimeDep
) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    layer = tile_layer(catalog, cid, viewer)  # also the measures
    _tms(tms)
    extent = await visible_extent(rt, layer, viewer)
    fields = vector_fields(layer, source_for(layer, viewer))
    doc = tilesets.tileset(root, layer, fields, extent)
    return _answer(_format(request, query), doc, "json", layer.title(), root,
                   pretty=json.dumps(doc, ensure_ascii=False, indent=2))  # fmt: skip


@router.get(
    "/collections/{cid}/tiles/{tms}/{tile_matrix}/{tile_row}/{tile_col}",
    summary="Vektorkachel (MVT) / vector tile",
    response_class=Response,
)
async def collection_tile(
    request: Request,
    cid: str,
    tms: str,
    tile_matrix: str,
    tile_row: str,
    tile_col: str,
    catalog: CatalogDep,
    viewer: TileViewer,
    rt: RuntimeDep,
) -> Response:
    layer = tile_layer(catalog, cid, viewer)  # also the measures
    _tms(tms)
    query = _query(request, {*FILTER_NAMES, "f", "v"})
    if query.get("f", "mvt") != "mvt":
        raise NotFound("Nur MVT (f=mvt).", "MVT only (f=mvt).", code="unknown_format")
    tile = TileAddress.parse(tile_matrix, tile_col, tile_row)  # row is y, column is x
    job = TileJob(layer, viewer, tile, "mvt", parse_filters(query))
    return await tile_response(request, rt, job, query.get("v"))


@router.get("/tileMatrixSets", summary="Kachelschemata / tile matrix sets")
async def tile_matrix_sets(request: Request) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    doc = tilesets.tile_matrix_sets(root)
    return _answer(_format(request, query), doc, "json", "Kachelschemata", root,
                   pretty=json.dumps(doc, ensure_ascii=False, indent=2))  # fmt: skip


@router.get("/tileMatrixSets/{tms}", summary="WebMercatorQuad")
async def tile_matrix_set(request: Request, tms: str) -> Response:
    query, root = _query(request, {"f"}), _root(request)
    _tms(tms)
    doc = tilesets.tile_matrix_set()
    return _answer(_format(request, query), doc, "json", TMS_ID, root,
                   pretty=json.dumps(doc, ensure_ascii=False, indent=2))  # fmt: skip
