"""The API documentation at /docs: Swagger UI served from /assets, never from a CDN.

Why: FastAPI's default /docs page loads Swagger UI from jsdelivr, so it stays blank without
internet and makes every visitor's browser talk to a third party (DSGVO). The page is
FastAPI's own (``get_swagger_ui_html``) with the URLs of the pinned ``swagger-ui-dist`` npm
package that ``mapservice.assets`` serves. ReDoc is switched off (``redoc_url=None`` in
app.py): it would need a second bundle for the same content.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from mapservice.assets import DOCS_PACKAGES
from mapservice.maps.service import assets

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    store = assets(request.app.state)
    store.require(DOCS_PACKAGES)
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} – API",
        swagger_js_url=store.url("swagger-ui.js", f"{root}/assets"),
        swagger_css_url=store.url("swagger-ui.css", f"{root}/assets"),
        swagger_favicon_url=store.url("swagger-favicon.png", f"{root}/assets"),
        # no deep links: Swagger UI would put a link inside each operation's button
        # (nested interactive controls, which screen readers cannot operate)
        swagger_ui_parameters={"deepLinking": False},
    )
    # Swagger UI speaks English; without lang screen readers guess the language (WCAG 3.1.1)
    html = bytes(page.body).decode().replace("<html>", '<html lang="en">', 1)
    # our contrast fixes after Swagger UI's style sheet (mapservice/static/docs.css)
    css = store.url("docs.css", f"{root}/assets")
    ours = f'<link type="text/css" rel="stylesheet" href="{css}">'
    html = html.replace("<title>", ours + "\n    <title>", 1)
    return HTMLResponse(html)
