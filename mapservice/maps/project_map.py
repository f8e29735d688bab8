"""The public project map of the Handlungsprogramm (nordwärts' "Projektleuchtfeuerkarte").

    GET /maps/{quarter}/massnahmen     one quarter's measures
    GET /maps/massnahmen               across quarters (with a quarter filter)
    GET /embed/{quarter}/massnahmen    the same for an iframe (compact header)
    GET /embed/massnahmen

An HTML shell like the change map (mapservice/change/page.py): the server renders the
frame, the filters and the Umsetzungsstand; ``projektkarte.js`` loads the published measures
from ``/api/measures`` (always as the public, without a token: this page is what a city
shows its residents) and draws them with Leaflet from /assets. Measures with a place are on
the map (point, line or area, each with one keyboard-reachable marker), the others are in
the list only, and the page says so. The CSP is the map pages' (mapservice.maps.headers)
with ``style-src 'self'``: the page has no inline script and no inline style at all.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from mapservice.access import PUBLIC
from mapservice.assets import AssetsMissing
from mapservice.catalog import LayerSource
from mapservice.maps.headers import page_headers
from mapservice.maps.i18n import norm_lang
from mapservice.maps.other_pages import render_error_page
from mapservice.maps.page import TEMPLATES
from mapservice.maps.service import assets
from mapservice.programme.measures import visible_sql
from mapservice.programme.status import implementation
from mapservice.programme.vocab import DIMENSIONS, PHASES, STATES, phase_label, state_label
from mapservice.tiles.sources import visible_layers

router = APIRouter(include_in_schema=False)
LangQuery = Annotated[str, Query(max_length=10)]
ALL = "massnahmen"  # /maps/massnahmen: the cross-quarter map (shadows a quarter of that slug)
FINDINGS = LayerSource.FINDINGS
_DIMENSION_EN = {"ökologisch": "ecological", "ökonomisch": "economic", "sozial": "social"}


def strict_headers(html: str, basemap: str, allowed_origins: list[str], embed: bool) -> dict:
    """The map pages' headers, with inline styles refused too (this page has none)."""
    headers = page_headers(html, [basemap], allowed_origins, embed=embed)
    csp = headers["Content-Security-Policy"].replace(
        "style-src 'self' 'unsafe-inline'", "style-src 'self'"
    )
    return {**headers, "Content-Security-Policy": csp}


def _quarters(conn: Any) -> list[dict[str, str]]:
    rows = conn.execute(text("SELECT slug, name, city FROM quarter ORDER BY city, name")).all()
    return [{"slug": r.slug, "name": r.name, "city": r.city} for r in rows]


def _located(conn: Any, slug: str | None) -> tuple[int, int]:
    """(published measures, those with a place) — what the page says beside the list."""
    where = visible_sql(PUBLIC)  # the public's rule, as everywhere: published only
    if slug is not None:
        where += (
            " AND EXISTS (SELECT 1 FROM measure_quarter mq JOIN quarter q ON q.id = mq.quarter_id"
            " WHERE mq.measure_id = m.id AND q.slug = :slug)"
        )
    row = conn.execute(
        text(f"SELECT count(*), count(m.geom) FROM measure m WHERE {where}"), {"slug": slug}
    ).one()
    return int(row[0]), int(row[1])


def render(request: Request, slug: str | None, lang: str, embed: bool) -> HTMLResponse:
    """The page for one quarter (``slug``) or for all quarters (``None``)."""
    state, lang = request.app.state, norm_lang(lang)
    en = lang == "en"

    def t(de: str, english: str) -> str:
        return english if en else de

    try:
        store = assets(state)
        store.require()
    except AssetsMissing as exc:
        html = render_error_page(lang, title=t("Nicht verfügbar", "Unavailable"),
                                 message=exc.message_en if en else exc.message_de)  # fmt: skip
        return HTMLResponse(html, status_code=503)
    with state.engine.connect() as conn:
        quarters = _quarters(conn)
        quarter = next((q for q in quarters if q["slug"] == slug), None)
        if slug is not None and quarter is None:
            suffix = "?lang=en" if en else ""
            items = [
                {"href": f"/maps/{q['slug']}/massnahmen{suffix}", "label": q["name"]}
                for q in quarters
            ]
            html = render_error_page(
                lang,
                title=t("Nicht gefunden", "Not found"),
                message=t(f"Das Quartier „{slug}“ gibt es nicht.", f"No quarter “{slug}”."),
                items=items,
                items_title=t("Bekannte Quartiere", "Known quarters"),
                css=store.url("karte.css"),
                start="/",
            )
            return HTMLResponse(html, status_code=404)
        impl = implementation(conn, PUBLIC, slug, lang)
        total, located = _located(conn, slug)
    base = "/embed" if embed else "/maps"
    path = f"{base}/{slug}/massnahmen" if slug else f"{base}/{ALL}"
    full = (f"/maps/{slug}/massnahmen" if slug else f"/maps/{ALL}") + ("?lang=en" if en else "")
    api = "/api/measures?limit=1000" + (f"&quarter={slug}" if slug else "") + f"&lang={lang}"
    public_layers = visible_layers(state.catalog, PUBLIC)
    layers = [{"id": la.id, "title": la.title(lang)} for la in public_layers]
    config = {
        "lang": lang,
        "quarter": quarter,
        "api": api,
        "boundary": f"/api/quarters/{slug}" if slug else None,
        "links": "/api/measures/{id}/links",
        "item": "/ogc/collections/{layer}/items/{id}",
        "basemap": {
            "url": state.settings.basemap_url,
            "attribution": state.settings.basemap_attribution,
        },
        "phases": {p: phase_label(p, lang) for p in PHASES},
        "statuses": {s: state_label(s, lang) for s in STATES},
        "layers": {la["id"]: la["title"] for la in layers},
        "dimensions": {d: (_DIMENSION_EN[d] if en else d) for d in DIMENSIONS},
        "quarters": {q["slug"]: q["name"] for q in quarters},
        "findings": next((la.id for la in public_layers if la.source == FINDINGS), None),
    }
    name = quarter["name"] if quarter else t("alle Quartiere", "all quarters")
    html = TEMPLATES.get_template("massnahmen.html").render(
        t=t,
        lang=lang,
        en=en,
        mode="embed" if embed else "maps",
        name=name,
        quarter=quarter,
        quarters=quarters,
        impl=impl,
        project_link=None,
        total=total,
        located=located,
        phases=config["phases"],
        statuses=config["statuses"],
        layers=layers,
        dimensions=config["dimensions"],
        lang_link=path + ("" if en else "?lang=en"),
        other_lang="de" if en else "en",
        full_link=full if embed else None,
        map_link=(f"/maps/{slug}" + ("?lang=en" if en else "")) if slug else None,
        all_link=None if slug is None else f"/maps/{ALL}" + ("?lang=en" if en else ""),
        leaflet_css=store.url("leaflet.css"),
        leaflet_js=store.url("leaflet.js"),
        css=store.url("karte.css"),
        own_css=store.url("projektkarte.css"),
        own_js=store.url("projektkarte.js"),
        config_json=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
    )
    settings = state.settings
    headers = strict_headers(html, settings.basemap_url, settings.allowed_origins, embed)
    return HTMLResponse(html, headers=headers)


@router.get("/maps/massnahmen", response_class=HTMLResponse)
def all_quarters(request: Request, lang: LangQuery = "de") -> HTMLResponse:
    return render(request, None, lang, embed=False)


@router.get("/embed/massnahmen", response_class=HTMLResponse)
def all_quarters_embed(request: Request, lang: LangQuery = "de") -> HTMLResponse:
    return render(request, None, lang, embed=True)


@router.get("/maps/{quarter}/massnahmen", response_class=HTMLResponse)
def one_quarter(request: Request, quarter: str, lang: LangQuery = "de") -> HTMLResponse:
    return render(request, quarter[:64], lang, embed=False)


@router.get("/embed/{quarter}/massnahmen", response_class=HTMLResponse)
def one_quarter_embed(request: Request, quarter: str, lang: LangQuery = "de") -> HTMLResponse:
    return render(request, quarter[:64], lang, embed=True)
