"""``/health``: is the database reachable, the schema at head, which PostGIS runs.

"Reachable" means both ways the service talks to PostgreSQL: the SQLAlchemy engine (API,
pages) and the tile runtime's pool (tiles, OGC API). A 200 here therefore promises that
tiles work too — after an outage, the tile pool is renewed by this very check.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from mapservice.api.errors import retry_headers
from mapservice.db.migrate import current_revision, head_revision
from mapservice.db.outage import outage_of, unavailable
from mapservice.errors import DatabaseError

router = APIRouter(tags=["health"])


def _engine_state(engine: Engine) -> tuple[str, str | None]:
    with engine.connect() as conn:
        postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    return str(postgis), current_revision(engine)


@router.get("/health", summary="Betriebszustand / service health")
async def health(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    head = head_revision()
    try:
        postgis, schema = await run_in_threadpool(_engine_state, engine)
        await request.app.state.tiles.fetchone("SELECT 1", {}, prepare=False)
    except (SQLAlchemyError, DatabaseError) as exc:
        outage = outage_of(exc) or unavailable()
        body = {
            "status": "error",
            "database": "unreachable",
            "detail": str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            **outage.as_dict(),
        }
        return JSONResponse(body, status_code=503, headers=retry_headers(503))
    ok = schema == head
    body = {
        "status": "ok" if ok else "error",
        "database": "ok",
        "postgis": postgis,
        "schema": schema,
        "schema_head": head,
    }
    return JSONResponse(body, status_code=200 if ok else 503)
