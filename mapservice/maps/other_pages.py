"""The share page (iframe snippet + live preview) and the German/English error pages."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from mapservice.maps.i18n import Lang, texts
from mapservice.maps.page import TEMPLATES, PageInput
from mapservice.maps.style import fa_class


def iframe_snippet(embed_url: str, title: str, width: str = "100%", height: str = "500") -> str:
    """The code a city pastes: lazy, no border, fullscreen and geolocation delegated.

    Only ``allow="fullscreen; …"``: with ``allowfullscreen`` as well, Chromium warns in the
    host page's console that ``allow`` takes precedence (the two say the same).
    """
    return (
        f'<iframe src="{escape(embed_url)}" title="{escape(title)}" width="{escape(width)}" '
        f'height="{escape(height)}" style="border:0;max-width:100%" loading="lazy" '
        'referrerpolicy="strict-origin-when-cross-origin" allow="fullscreen; geolocation">'
        "</iframe>"
    )


def render_share_page(page: PageInput, origin: str) -> str:
    """Share page: layer and size choice, the snippet, and the snippet itself as preview.

    With a saved view (``?ansicht=``) the snippet embeds the view — its filters, extent and
    overlays — and names layers only when they differ from the view's, so a later change of
    the view's layers in the workspace reaches every page that embeds it.
    """
    t = texts(page.lang)
    embed = origin + page.urls["embed"]
    view = page.view
    view_layers = view.active(page.layers) if view is not None else None
    lang = {"lang": "en"} if page.lang == "en" else {}
    choice = {"layers": ",".join(page.active)}
    if view is not None and page.active == view_layers:
        choice = {}
    ansicht = {"ansicht": view.id} if view is not None else {}
    query = {**ansicht, **choice, **lang}
    snippet = iframe_snippet(f"{embed}?{urlencode(query)}", f"{t['app']} – {page.quarter.name}")
    layers = [
        {
            "id": layer.id,
            "title": layer.title(page.lang),
            "icon": fa_class(layer.icon),
            "active": layer.id in page.active,
        }
        for layer in page.layers
    ]
    map_query = {**ansicht, "layers": ",".join(page.active), **lang}
    other = {**ansicht, "layers": map_query["layers"], **({} if lang else {"lang": "en"})}
    return TEMPLATES.get_template("share.html").render(
        t=t,
        lang=page.lang,
        q=page.quarter,
        layers=layers,
        snippet=snippet,
        embed_url=embed,
        view=view,
        view_layers=",".join(view_layers) if view_layers is not None else "",
        map_url=page.urls["full"] + "?" + urlencode(map_query),
        lang_url="?" + urlencode(other),
        css=page.assets.url("karte.css", page.asset_base),
        vendor_css=[
            page.assets.url(n, page.asset_base) for n in ("fontawesome.css", "fa-solid.css")
        ],
        share_js=page.assets.url("share.js", page.asset_base),
    )


def render_error_page(
    lang: Lang,
    *,
    title: str,
    message: str,
    items: list[dict[str, Any]] | None = None,
    items_title: str = "",
    css: str | None = None,
    start: str = "/",
) -> str:
    """A small error page in the visitor's language; never a bare JSON body in a browser."""
    return TEMPLATES.get_template("error.html").render(
        t=texts(lang),
        lang=lang,
        title=title,
        message=message,
        items=items or [],
        items_title=items_title,
        css=css,
        start=start,
    )
