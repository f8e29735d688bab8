"""HTML pages of the service (start page). German first; ``?lang=en`` for English."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import text

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[1] / "templates"),
    autoescape=select_autoescape(["html"]),
)

router = APIRouter(include_in_schema=False)

QUARTERS_SQL = text(
    """
    SELECT q.slug, q.name, q.city, q.description, q.synthetic,
           round((ST_Area(ST_Transform(q.boundary, 25832)) / 1e6)::numeric, 2) AS area_km2,
           (SELECT count(*) FROM observation o WHERE o.quarter_id = q.id) AS observations,
           (SELECT count(*) FROM finding f WHERE f.quarter_id = q.id) AS findings,
           (SELECT count(*) FROM walkthrough w WHERE w.quarter_id = q.id) AS walkthroughs,
           (SELECT max(w.started_at) FROM walkthrough w WHERE w.quarter_id = q.id) AS last_walk
      FROM quarter q ORDER BY q.city, q.name
    """
)


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request, lang: str = "de") -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        quarters = conn.execute(QUARTERS_SQL).mappings().all()
    html = TEMPLATES.get_template("start.html").render(
        quarters=quarters, lang="en" if lang == "en" else "de"
    )
    return HTMLResponse(html)
