"""The frame every /planung page shares: Jinja2 templates, language, navigation, static files.

Pages are HTML shells without data: the page's script loads everything from the JSON API with
the caller's bearer token (``sessionStorage['karte-token']``, the same key the map pages use).
The server does not know who is signed in when it renders a page (no cookies), so the
navigation carries every section with the roles that may use it; ``workspace.js`` hides what
the signed-in role may not do and shows a "no access" panel on a page the role may not open.
The real rights are enforced by the API, never by hiding.

Sections call :func:`render` with their own template (``{% extends "base.html" %}``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from mapservice.maps.headers import page_headers
from mapservice.maps.service import assets

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
BASE = "/planung"
STATIC_BASE = f"{BASE}/static"
TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html"])
)
STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
#: Who may open a page unless the page says otherwise.
STAFF = ("planner", "admin")


@dataclass(frozen=True)
class NavItem:
    section: str
    path: str
    de: str
    en: str
    roles: tuple[str, ...] = STAFF
    count: bool = False  # shows a count badge (#ws-count-<section>)


#: The sections of the workspace, in the order of the navigation.
NAV: tuple[NavItem, ...] = (
    NavItem("start", BASE, "Übersicht", "Overview"),
    NavItem("freigabe", f"{BASE}/freigabe", "Freigabe", "Review", count=True),
    NavItem("interviews", f"{BASE}/interviews", "Interviews", "Interviews"),
    NavItem("import", f"{BASE}/import", "Import", "Import"),
    NavItem("karten", f"{BASE}/karten", "Karten", "Maps"),
    NavItem("veraenderung", f"{BASE}/veraenderung", "Veränderung", "Change"),
    NavItem("akteure", f"{BASE}/akteure", "Akteure", "Actors"),
    NavItem("verwaltung", f"{BASE}/verwaltung", "Verwaltung", "Administration", ("admin",)),
)


def page_lang(request: Request) -> str:
    """``?lang=en`` gives English; anything else German (workspace.js remembers the choice)."""
    return "en" if request.query_params.get("lang") == "en" else "de"


_hashes: dict[str, tuple[float, str]] = {}


def static_version(name: str) -> str:
    """A short content hash of one static file (re-read when the file changes)."""
    path = STATIC_DIR / name
    mtime = path.stat().st_mtime
    cached = _hashes.get(name)
    if cached is None or cached[0] != mtime:
        cached = (mtime, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
        _hashes[name] = cached
    return cached[1]


def static_url(name: str) -> str:
    """``/planung/static/<name>?v=<hash>``: a new file gets a new URL, so caches never lie."""
    return f"{STATIC_BASE}/{name}?v={static_version(name)}"


def static_file(name: str) -> tuple[bytes, str] | None:
    """The bytes and media type of a file of ``static/``, or None (no sub-folders, no dots)."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    path = STATIC_DIR / name
    media = STATIC_TYPES.get(path.suffix)
    if media is None or not path.is_file():
        return None
    return path.read_bytes(), media


def link(path: str, lang: str, **query: str) -> str:
    """A workspace link that keeps the language."""
    params = dict(query)
    if lang == "en":
        params["lang"] = "en"
    return f"{path}?{urlencode(params)}" if params else path


def render(
    request: Request,
    template: str,
    section: str = "start",
    *,
    roles: tuple[str, ...] = STAFF,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``templates/<template>`` inside the shell and send it with the pages' CSP.

    ``roles``: who may use the page (``()`` = everyone, e.g. the sign-in page); others get
    the "no access" panel. ``context`` goes to the template as it is.
    """
    lang = page_lang(request)
    state = request.app.state
    store = assets(state)
    settings = state.settings

    def t(de: str, en: str) -> str:
        return en if lang == "en" else de

    other = "de" if lang == "en" else "en"
    query = dict(request.query_params)
    query["lang"] = other
    config = {
        "lang": lang,
        "section": section,
        "roles": list(roles),
        "base": BASE,
        "signin": f"{BASE}/anmelden",
        "assets": {"leaflet_js": store.url("leaflet.js"), "leaflet_css": store.url("leaflet.css")},
        "basemap": {"url": settings.basemap_url, "attribution": settings.basemap_attribution},
    }
    html = TEMPLATES.get_template(template).render(
        request=request,
        lang=lang,
        other_lang=other,
        lang_link=f"{request.url.path}?{urlencode(query)}",
        t=t,
        section=section,
        roles=roles,
        nav=[
            {
                "section": item.section,
                "href": link(item.path, lang),
                "label": t(item.de, item.en),
                "roles": " ".join(item.roles),
                "count": item.count,
                "current": item.section == section,
            }
            for item in NAV
        ],
        static=static_url,
        asset=store.url,
        link=lambda path, **q: link(path, lang, **q),
        config_json=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
        **context,
    )
    headers = page_headers(html, [settings.basemap_url], [], embed=False)
    return HTMLResponse(html, status_code=status_code, headers=headers)
