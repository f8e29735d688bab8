"""The FastAPI application: built by ``create_app(settings)``, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mapservice.api.actors import early as actors_early_router
from mapservice.api.actors import router as actors_router
from mapservice.api.change import router as change_router
from mapservice.api.docs import router as docs_router
from mapservice.api.errors import install_error_handlers
from mapservice.api.field import router as field_router
from mapservice.api.health import router as health_router
from mapservice.api.imports import router as imports_router
from mapservice.api.input_guard import InputGuard
from mapservice.api.interviews import router as interviews_router
from mapservice.api.maps import router as maps_router
from mapservice.api.measures import router as measures_router
from mapservice.api.measures_ogc import router as measures_ogc_router
from mapservice.api.observations import router as observations_router
from mapservice.api.ogc import router as ogc_router
from mapservice.api.pages import router as pages_router
from mapservice.api.photos import router as photos_router
from mapservice.api.read_routing import ReadRouting
from mapservice.api.summary import router as summary_router
from mapservice.api.tiles import router as tiles_router
from mapservice.catalog import load_catalog
from mapservice.config import Settings, load_settings
from mapservice.db.engine import read_urls
from mapservice.db.session import connect
from mapservice.fieldapp import router as fieldapp_router
from mapservice.maps.project_map import router as project_map_router
from mapservice.tiles.runtime import open_runtime
from mapservice.workspace import router as workspace_router
from mapservice.workspace.actors import router as actors_workspace_router
from mapservice.workspace.imports import router as workspace_imports_router
from mapservice.workspace.imports.layers import install as install_planner_layers
from mapservice.workspace.interviews import router as interviews_workspace_router
from mapservice.workspace.review import router as review_router
from mapservice.workspace.views import router as views_workspace_router


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the database engine and layer catalogue live in ``app.state``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.catalog = load_catalog(settings.layers_dir)
        app.state.engine = connect(settings, start=False)
        install_planner_layers(app.state.catalog, app.state.engine)  # workspace imports
        # Tiles + OGC API: psycopg pool, tile LRU, layer versions (mapservice.tiles.runtime)
        # Public reads may go to streaming replicas (mapservice.db.replicas, ReadRouting)
        app.state.tiles = await open_runtime(
            app.state.engine,
            read_urls=read_urls(settings),
            max_lag_s=settings.replica_max_lag_s,
            check_s=settings.replica_check_s,
        )
        yield
        await app.state.tiles.close()
        app.state.engine.dispose()

    app = FastAPI(
        title="Karte der Nachhaltigkeit",
        description="Quartiersbegehungen, Beobachtungen und Interviewaussagen als Karten, "
        "Kacheln und OGC API.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # /docs is ours (mapservice/api/docs.py): Swagger UI without a CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_middleware(ReadRouting)  # primary or replica per request; publishes writes
    app.add_middleware(InputGuard)  # 400 for NUL in URL or JSON body, before any route
    # Tiles first: Starlette tries routes in order, and tiles are most of the traffic.
    app.include_router(actors_early_router)  # /tiles/akteure, /ogc/…/akteure: before layers
    app.include_router(tiles_router)
    app.include_router(health_router)
    app.include_router(pages_router)
    app.include_router(field_router)
    app.include_router(summary_router)
    app.include_router(change_router)  # rounds, /change, indicators (issue 15)
    app.include_router(observations_router)
    app.include_router(photos_router)
    app.include_router(interviews_router)
    app.include_router(measures_router)  # /api/measures, …/observations/{id}/measures
    app.include_router(actors_router)  # /api/actors (Akteure & Angebote)
    app.include_router(measures_ogc_router)  # /ogc/collections/massnahmen, before ogc_router
    app.include_router(ogc_router)
    app.include_router(project_map_router)  # /maps[/{q}]/massnahmen, before maps_router
    app.include_router(maps_router)  # /maps, /embed, /maps/{q}/share, /assets
    app.include_router(fieldapp_router)
    app.include_router(imports_router)  # /api/imports, /api/exports
    app.include_router(workspace_router)  # /planung, /api/auth, /api/workspace, /api/admin
    app.include_router(interviews_workspace_router)  # /planung/interviews, /api/interviews/…
    app.include_router(review_router)  # /planung/freigabe, /api/review/…
    app.include_router(workspace_imports_router)  # /planung/import, /api/imports/{preview,jobs}
    app.include_router(views_workspace_router)  # /planung/karten, /api/workspace/views
    app.include_router(actors_workspace_router)  # /planung/akteure (Akteure & Angebote)
    app.include_router(docs_router)  # /docs with self-hosted Swagger UI
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers (``karte serve``): settings come from ``KARTE_*``."""
    return create_app(load_settings())
