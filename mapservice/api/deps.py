"""Dependencies every router shares: the database connection and the caller.

The ones that only read ``app.state`` are ``async def``: FastAPI runs a plain ``def``
dependency in its thread pool, a thread hop per request for a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from mapservice.access import PUBLIC, Viewer, viewer_for_token
from mapservice.catalog import Catalog
from mapservice.config import Settings
from mapservice.db.replicas import PRIMARY, ROUTE
from mapservice.errors import Unauthorized


async def get_engine(request: Request) -> Engine:
    """The primary, or for a public read (``ReadRouting``) the replica it is routed to."""
    return read_engine(request)


def read_engine(request: Request) -> Engine:
    primary: Engine = request.app.state.engine
    route = ROUTE.get()
    runtime = getattr(request.app.state, "tiles", None)
    if route is None or not route.replica_ok or runtime is None:
        return primary
    target = route.target_in(runtime.replicas)
    if target == PRIMARY:
        return primary
    return runtime.replica_engine(target)


async def get_catalog(request: Request) -> Catalog:
    return request.app.state.catalog


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_primary(request: Request) -> Engine:
    return request.app.state.engine


def get_viewer(request: Request, engine: Annotated[Engine, Depends(get_primary)]) -> Viewer:
    """The caller; the token is checked on the primary (its last use is written there)."""
    header = request.headers.get("authorization")
    if not header:
        return PUBLIC
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Authorization-Header muss 'Bearer <token>' sein.",
            "The Authorization header must be 'Bearer <token>'.",
            code="token_malformed",
        )
    with engine.begin() as conn:  # begin: commits the token's last use (once a minute)
        return viewer_for_token(conn, token.strip())


def get_connection(
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    viewer: Annotated[Viewer, Depends(get_viewer)],
) -> Iterator[Connection]:
    """One transaction per request: committed when the route returns, rolled back on error.

    Depends on the viewer so the token is checked (and its pooled connection returned)
    before the transaction takes one: a request never holds two connections, which under
    16+ concurrent requests exhausted the pool.
    """
    with _transaction(request, engine) as conn:
        yield conn


@contextmanager
def _transaction(request: Request, engine: Engine) -> Iterator[Connection]:
    """``engine.begin()``; a replica that gives no connection is left for the primary."""
    primary: Engine = request.app.state.engine
    if engine is not primary:
        try:
            conn = engine.connect()  # pre-ping: a replica that went away fails here
        except OperationalError as exc:
            route = ROUTE.get()
            if route is not None:
                route.failed(request.app.state.tiles.replicas, str(exc.orig or exc))
                route.target = PRIMARY
        else:
            with conn, conn.begin():
                yield conn
            return
    with primary.begin() as conn:
        yield conn


EngineDep = Annotated[Engine, Depends(get_engine)]
# scope="function": commit before the response is sent, so a client that gets 201 and asks
# again at once (a phone syncing its queue) reads its own write.
ConnDep = Annotated[Connection, Depends(get_connection, scope="function")]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
