"""The workspace page ``/planung/veraenderung``: planners confirm, split or join pairs.

A shell of the workspace (``mapservice.workspace.shell``) like every /planung page: the data
comes from ``/api/quarters/{q}/change`` and decisions go to ``…/change/matches``, both with
the planner's bearer token, so the rights are those of the API.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mapservice.workspace.shell import BASE, render

router = APIRouter(include_in_schema=False)


@router.get(f"{BASE}/veraenderung", response_class=HTMLResponse)
def change_workspace_page(request: Request) -> HTMLResponse:
    return render(request, "veraenderung.html", section="veraenderung")
