"""The change map page ``/maps/{quarter}/veraenderung?von=2024&bis=2026`` and its files.

An HTML shell like the workspace pages: ``change.js`` loads the comparison from
``/api/quarters/{q}/change`` (with the bearer token in ``sessionStorage['karte-token']`` when
a planner is signed in, otherwise as the public: published observations only) and draws it
with Leaflet from /assets. Bad rounds get the German/English HTML error page, not JSON.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import text

from mapservice.change.classification import CLASSES, LABELS, WALKED_BUFFER_M
from mapservice.change.rounds import quarter_id, rounds_of
from mapservice.change.service import two_rounds
from mapservice.errors import KarteError
from mapservice.maps.headers import page_headers
from mapservice.maps.other_pages import render_error_page
from mapservice.maps.service import assets

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_BASE = "/assets-change"
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

#: Symbol of each class: shape AND colour (Okabe–Ito), so a grey-scale print still reads.
SYMBOLS = {
    "behoben": ("circle", "#009E73"),
    "besteht_weiter": ("square", "#E69F00"),
    "verschlechtert": ("triangle", "#D55E00"),
    "neu": ("diamond", "#0072B2"),
    "nicht_erneut_begangen": ("ring", "#595959"),
    "nicht_mehr_erfasst": ("cross", "#CC79A7"),
    "nicht_verglichen": ("dot", "#000000"),
}

router = APIRouter(include_in_schema=False)


def _version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"{STATIC_BASE}/{name}?v={_version(name)}"


@router.get(STATIC_BASE + "/{name}")
def static_file(name: str) -> Response:
    path = STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in TYPES or not path.is_file():
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(
        path.read_bytes(),
        media_type=TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/maps/{quarter}/veraenderung", response_class=HTMLResponse)
def change_page(
    request: Request,
    quarter: str,
    von: Annotated[str | None, Query(max_length=40)] = None,
    bis: Annotated[str | None, Query(max_length=40)] = None,
    lang: Annotated[str, Query(max_length=10)] = "de",
) -> HTMLResponse:
    lang = "en" if lang.lower().startswith("en") else "de"
    state = request.app.state
    store = assets(state)
    css = store.url("karte.css")

    def t(de: str, en: str) -> str:
        return en if lang == "en" else de

    with state.engine.connect() as conn:
        try:
            qid = quarter_id(conn, quarter)
            known = rounds_of(conn, qid)
            if von is None and bis is None and len(known) >= 2:
                von, bis = known[-2].label, known[-1].label
            if von is None or bis is None:
                raise KarteError(
                    "Zwei Begehungsrunden angeben: ?von=…&bis=… (vorhanden: "
                    f"{', '.join(r.label for r in known) or '—'}).",
                    "Give two rounds: ?von=…&bis=… (known: "
                    f"{', '.join(r.label for r in known) or '—'}).",
                    code="rounds_missing",
                )
            two_rounds(conn, qid, von, bis)
            name = conn.execute(
                text("SELECT name FROM quarter WHERE id = :q"), {"q": qid}
            ).scalar_one()
        except KarteError as exc:
            html = render_error_page(
                lang,  # type: ignore[arg-type]
                title=t("Veränderung nicht verfügbar", "Change not available"),
                message=exc.message_en if lang == "en" else exc.message_de,
                css=css,
            )
            return HTMLResponse(html, status_code=exc.status)
    other = "de" if lang == "en" else "en"
    config = {
        "lang": lang,
        "quarter": quarter,
        "von": von,
        "bis": bis,
        "api": f"/api/quarters/{quarter}/change?von={von}&bis={bis}&lang={lang}",
        "boundary": f"/api/quarters/{quarter}",
        "indicators": f"/api/quarters/{quarter}/indicators?lang={lang}",
        "basemap": {
            "url": state.settings.basemap_url,
            "attribution": state.settings.basemap_attribution,
        },
        "symbols": {k: {"shape": s, "colour": c} for k, (s, c) in SYMBOLS.items()},
    }
    html = TEMPLATES.get_template("veraenderung.html").render(
        lang=lang,
        t=t,
        name=name,
        quarter=quarter,
        von=von,
        bis=bis,
        rounds=[r.label for r in known],
        classes=[
            {"key": k, "label": t(*LABELS[k]), "shape": SYMBOLS[k][0], "colour": SYMBOLS[k][1]}
            for k in CLASSES
        ],
        buffer=f"{WALKED_BUFFER_M:g}",
        lang_link=f"?von={von}&bis={bis}&lang={other}",
        other_lang=other,
        map_link=f"/maps/{quarter}" + ("?lang=en" if lang == "en" else ""),
        csv_link=f"/api/quarters/{quarter}/indicators?format=csv",
        leaflet_css=store.url("leaflet.css"),
        leaflet_js=store.url("leaflet.js"),
        css=css,
        change_css=static_url("change.css"),
        change_js=static_url("change.js"),
        config_json=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
    )
    headers = page_headers(html, [state.settings.basemap_url], [], embed=False)
    return HTMLResponse(html, headers=headers)
