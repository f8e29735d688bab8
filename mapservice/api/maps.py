"""Map pages and their small JSON helpers; self-hosted assets under /assets.

    GET /maps/{quarter}               full map (planners can sign in with a token)
    GET /embed/{quarter}              public iframe map: published data only, no cookies
    GET /maps/{quarter}/share         iframe snippet with live preview
    GET /maps/{quarter}/counts.json   features per layer and kind for the page's filters
    GET /maps/{quarter}/features.json the list view (same visibility and filters as tiles)
    GET /maps/{quarter}/session.json  who the Authorization header belongs to (sign-in)
    GET /assets/{package@version}/{file}

Thin: parse, call ``mapservice.maps.service``, wrap. Browsers get HTML error pages in
German (English with ``?lang=en``), never a JSON body.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from mapservice.access import Viewer
from mapservice.api.deps import ViewerDep
from mapservice.assets import MEDIA_TYPES, AssetsMissing
from mapservice.catalog.sdg import parse_goal
from mapservice.errors import InvalidInput
from mapservice.maps.data import filters_for
from mapservice.maps.headers import page_headers
from mapservice.maps.i18n import norm_lang, texts
from mapservice.maps.other_pages import render_error_page, render_share_page
from mapservice.maps.page import basemaps, render_map_page
from mapservice.maps.service import (
    QuarterNotFound,
    UnknownLayers,
    assets,
    maps_data,
    page_input,
    parse_layers,
)
from mapservice.maps.timefilter import extra_texts
from mapservice.tiles.filters import parse_filters
from mapservice.tiles.sources import visible_layers
from mapservice.workspace.views.shared import BadViewId, ViewNotFound, load_shared_view

router = APIRouter(include_in_schema=False)
LangQuery = Annotated[str, Query(max_length=10)]
LayersQuery = Annotated[str | None, Query(max_length=2000)]
#: a saved view of the workspace (/planung/karten): ``?ansicht=<10-character id>``
ViewQuery = Annotated[str | None, Query(max_length=64)]


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _error_page(request: Request, lang: str, exc: Exception) -> HTMLResponse:
    """The HTML answer to an expected failure of a page request."""
    t, root = texts(lang), _root(request)
    css = None
    if not isinstance(exc, AssetsMissing):
        css = assets(request.app.state).url("karte.css")
    if isinstance(exc, QuarterNotFound):
        items = [
            {
                "href": f"{root}/maps/{s}" + ("?lang=en" if lang == "en" else ""),
                "label": f"{name} ({city})",
            }
            for s, name, city in exc.known
        ]
        html = render_error_page(
            lang,
            title=t["not_found"],
            message=t["quarter_unknown"].format(slug=exc.slug),
            items=items,
            items_title=t["known_quarters"],
            css=css,
            start=f"{root}/",
        )
        return HTMLResponse(html, status_code=404)
    if isinstance(exc, UnknownLayers):
        catalog = request.app.state.catalog
        items = [{"label": v, "note": catalog.get(v).title(lang)} for v in exc.valid]
        html = render_error_page(
            lang,
            title=t["bad_layers"],
            css=css,
            start=f"{root}/",
            message=t["bad_layers_text"].format(ids=", ".join(exc.unknown)),
            items=items,
            items_title=t["valid_layers"],
        )
        return HTMLResponse(html, status_code=400)
    if isinstance(exc, ViewNotFound | BadViewId):
        slug = request.path_params.get("quarter", "")
        suffix = "?lang=en" if lang == "en" else ""
        base = "/embed" if request.url.path.startswith(f"{root}/embed/") else "/maps"
        items = [{"href": f"{root}{base}/{slug}{suffix}", "label": t["view_plain"]}]
        if isinstance(exc, ViewNotFound) and exc.elsewhere:
            sep = "&" if suffix else "?"
            href = f"{root}{base}/{exc.elsewhere}{suffix}{sep}ansicht={exc.view_id}"
            items.insert(0, {"href": href, "label": t["view_elsewhere"]})
        not_found = isinstance(exc, ViewNotFound)
        html = render_error_page(
            lang,
            title=t["view_not_found"] if not_found else t["view_invalid"],
            message=exc.message_en if lang == "en" else exc.message_de,
            items=items,
            items_title=t["view_next"],
            css=css,
            start=f"{root}/",
        )
        return HTMLResponse(html, status_code=404 if not_found else 400)
    assert isinstance(exc, AssetsMissing)
    message = exc.message_en if lang == "en" else exc.message_de
    html = render_error_page(lang, title=t["unavailable"], message=message, start=f"{root}/")
    return HTMLResponse(html, status_code=503)


def _bad_input_page(request: Request, lang: str, exc: InvalidInput) -> HTMLResponse:
    """A 400 page for a bad query value (e.g. ``?sdg=18``), in the page's language."""
    root = _root(request)
    html = render_error_page(
        lang,
        title=extra_texts(lang)["bad_value"],
        message=exc.message_en if lang == "en" else exc.message_de,
        css=assets(request.app.state).url("karte.css"),
        start=f"{root}/",
    )
    return HTMLResponse(html, status_code=400)


async def _page(
    request: Request,
    quarter: str,
    lang: str,
    layers: str | None,
    mode: str,
    ansicht: str | None = None,
) -> HTMLResponse:
    state, lang = request.app.state, norm_lang(lang)
    try:
        goal = parse_goal(request.query_params.get("sdg"))  # ?sdg=11: that goal's layers
    except InvalidInput as exc:
        return _bad_input_page(request, lang, exc)
    try:
        view = None
        if ansicht is not None and await maps_data(state).quarter(quarter) is not None:
            view = await load_shared_view(maps_data(state).db, ansicht, quarter)
        page = await page_input(
            state,
            quarter,
            mode="maps" if mode == "share" else mode,  # type: ignore[arg-type]
            lang=lang,
            layers_param=layers,
            root=_root(request),
            view=view,
            sdg=goal,
        )
    except (QuarterNotFound, UnknownLayers, AssetsMissing, ViewNotFound, BadViewId) as exc:
        return _error_page(request, lang, exc)
    if mode == "share":
        origin = str(request.base_url).rstrip("/")
        html = render_share_page(page, origin)
    else:
        html = render_map_page(page)
    settings = state.settings
    urls = [b.url for b in basemaps(settings, page.mode, texts(lang))]
    headers = page_headers(
        html,
        urls,
        settings.allowed_origins,
        embed=mode == "embed",
        # the share page draws no overlay itself: its preview is our embed, with its own CSP
        overlay_origins=page.view.csp_origins() if page.view and mode != "share" else None,
    )
    return HTMLResponse(html, headers=headers)


@router.get("/maps/{quarter}", response_class=HTMLResponse)
async def map_page(
    request: Request,
    quarter: str,
    lang: LangQuery = "de",
    layers: LayersQuery = None,
    ansicht: ViewQuery = None,
) -> HTMLResponse:
    return await _page(request, quarter, lang, layers, "maps", ansicht)


@router.get("/embed/{quarter}", response_class=HTMLResponse)
async def embed_page(
    request: Request,
    quarter: str,
    lang: LangQuery = "de",
    layers: LayersQuery = None,
    ansicht: ViewQuery = None,
) -> HTMLResponse:
    return await _page(request, quarter, lang, layers, "embed", ansicht)


@router.get("/maps/{quarter}/share", response_class=HTMLResponse)
async def share_page(
    request: Request,
    quarter: str,
    lang: LangQuery = "de",
    layers: LayersQuery = None,
    ansicht: ViewQuery = None,
) -> HTMLResponse:
    return await _page(request, quarter, lang, layers, "share", ansicht)


async def _quarter_and_filters(request: Request, quarter: str, viewer: Viewer) -> Any:
    data = maps_data(request.app.state)
    found = await data.quarter(quarter)
    if found is None:
        raise QuarterNotFound(quarter, [])
    query = {k: v for k, v in request.query_params.items() if k in ("datetime", "status")}
    filters = parse_filters({**query, "quarter": found.slug})
    if filters.status is not None:
        viewer.require("planner", "admin")
    return data, filters


@router.get("/maps/{quarter}/counts.json")
async def counts_json(request: Request, quarter: str, viewer: ViewerDep) -> JSONResponse:
    data, filters = await _quarter_and_filters(request, quarter, viewer)
    layers = visible_layers(request.app.state.catalog, viewer)
    for layer in layers:
        filters_for(layer, viewer, filters)
    counts = await data.counts(layers, viewer, filters)
    return JSONResponse(counts, headers={"Cache-Control": "private, no-cache"})


@router.get("/maps/{quarter}/features.json")
async def features_json(
    request: Request,
    quarter: str,
    viewer: ViewerDep,
    layers: LayersQuery = None,
    kinds: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> JSONResponse:
    data, filters = await _quarter_and_filters(request, quarter, viewer)
    catalog = request.app.state.catalog
    visible = visible_layers(catalog, viewer)
    try:
        ids = parse_layers(layers, catalog, visible)
    except UnknownLayers as exc:
        raise InvalidInput(exc.message_de, exc.message_en, code=exc.code) from None
    chosen = [layer for layer in visible if layer.id in ids]
    kind_list = None if kinds is None else [k for k in kinds.split(",") if k]
    rows, total = await data.list_rows(chosen, viewer, filters, limit, kind_list)
    return JSONResponse(
        {"rows": rows, "total": total, "limit": limit},
        headers={"Cache-Control": "private, no-cache"},
    )


@router.get("/maps/{quarter}/session.json")
async def session_json(viewer: ViewerDep) -> JSONResponse:
    viewer.require("field", "planner", "admin")
    body = {"role": viewer.role, "name": viewer.name, "sees_everything": viewer.sees_everything}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/assets/{spec}/{file:path}")
async def asset(request: Request, spec: str, file: str) -> Response:
    path = assets(request.app.state).resolve(spec, file)
    if path is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Access-Control-Allow-Origin": "*",
        },
    )
