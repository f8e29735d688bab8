"""``/health``: is the database reachable, the schema at head, which PostGIS runs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mapservice.db.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


@router.get("/health", summary="Betriebszustand / service health")
def health(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    head = head_revision()
    try:
        with engine.connect() as conn:
            postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
        schema = current_revision(engine)
    except SQLAlchemyError as exc:
        body = {"status": "error", "database": "unreachable", "detail": str(exc).splitlines()[0]}
        return JSONResponse(body, status_code=503)
    ok = schema == head
    body = {
        "status": "ok" if ok else "error",
        "database": "ok",
        "postgis": postgis,
        "schema": schema,
        "schema_head": head,
    }
    return JSONResponse(body, status_code=200 if ok else 503)
