"""Workspace Akteure (``/planung/akteure``): list, create/edit, consent per field, import.

An HTML shell like every workspace page: ``static/akteure.js`` loads and writes through
``/api/actors`` with the planner's token; the API enforces roles, quarters and consent.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mapservice.programme.actors.vocab import FIELD_LABELS, KINDS
from mapservice.workspace.shell import BASE, page_lang, render

router = APIRouter(include_in_schema=False)


@router.get(f"{BASE}/akteure", response_class=HTMLResponse)
def actors_page(request: Request) -> HTMLResponse:
    """Kinds and consent fields come from the vocabulary: the page needs no API call for them."""
    en = page_lang(request) == "en"
    kinds = [{"id": k, "label": v[1] if en else v[0]} for k, v in KINDS.items()]
    fields = [{"id": k, "label": v[1] if en else v[0]} for k, v in FIELD_LABELS.items()]
    return render(request, "akteure.html", section="akteure", kinds=kinds, fields=fields)
