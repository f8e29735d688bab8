"""Per request: may its reads go to a replica, and which position must that replica have?

A pure ASGI middleware, so every route keeps its code: it sets the request's ``Route``
(``mapservice.db.replicas``) in a context variable that the tile runtime and ``ConnDep``
read. Reads of the public kinds (``READ_PATHS``: tiles, OGC, maps, figures, exports) may
go to a replica; everything else, and every write, goes to the primary.

After a write request succeeds (its transaction committed before the response starts —
``ConnDep`` commits at the end of the route), the position is published for the client
(``mapservice.db.changes.publish``): recorded here, and by the listeners of all other
processes, so the client's next reads go where its write already is.

A request whose reads went to a replica and that fails (5xx, or an exception before the
response started: a replica stopped or crashed mid-query) is not answered with that
failure: the replica is skipped and the request (a GET or HEAD, without body) runs once
more on the primary.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mapservice.db.changes import publish
from mapservice.db.replicas import ROUTE, Route

log = logging.getLogger(__name__)

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
#: Reads that may come from a replica: nothing under them writes.
READ_PATHS = ("/tiles/", "/ogc", "/maps/", "/embed/", "/api/exports/")


def public_read(path: str) -> bool:
    """Tiles, OGC items, maps, figures (``/api/quarters/{q}/summary``) and exports."""
    return path.startswith(READ_PATHS) or (
        path.startswith("/api/quarters/") and path.endswith("/summary")
    )


def client_key(scope: Scope) -> str | None:
    """A short hash of the bearer token: the client whose writes a read must see."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return hashlib.blake2b(token.strip().encode(), digest_size=10).hexdigest()
    return None


class ReadRouting:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime = _runtime(scope)
        if scope["type"] != "http" or runtime is None:
            await self.app(scope, receive, send)
            return
        client = client_key(scope)
        if scope["method"] in SAFE:
            route = Route(
                replica_ok=runtime.replicas is not None and public_read(str(scope["path"])),
                min_lsn=runtime.writes.min_lsn(client),
            )
            token = ROUTE.set(route)
            try:
                await self._read(scope, receive, send, route)
            finally:
                ROUTE.reset(token)
            return
        token = ROUTE.set(Route())
        try:
            await self.app(scope, receive, self._publishing(send, runtime, client))
        finally:
            ROUTE.reset(token)

    async def _read(self, scope: Scope, receive: Receive, send: Send, route: Route) -> None:
        if not route.replica_ok:
            await self.app(scope, receive, send)
            return
        started = False
        swallowed = False

        async def guarded(message: Message) -> None:
            nonlocal started, swallowed
            if message["type"] == "http.response.start" and not started:
                if route.used_replica and message["status"] >= 500:
                    swallowed = True
                    return
                started = True
            if not swallowed:
                await send(message)

        try:
            await self.app(scope, receive, guarded)
        except Exception:
            if started or not route.used_replica:
                raise
            swallowed = True
        if swallowed:  # the replica failed mid-request: once more, on the primary
            if route.target:
                route.failed(_runtime(scope).replicas, "failed during a request")
            route.target, route.replica_ok = None, False
            await self.app(scope, _empty_body(receive), send)

    def _publishing(self, send: Send, runtime: Any, client: str | None) -> Send:
        async def publishing(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                try:
                    async with runtime.pool.connection() as conn:
                        lsn = await publish(conn, client)
                    if client:
                        runtime.writes.record(client, lsn)
                except Exception as exc:  # the write stands; others see it by their poll
                    log.warning("could not publish a write: %s", exc)
            await send(message)

        return publishing


def _runtime(scope: Scope) -> Any:
    app = scope.get("app")
    state = getattr(app, "state", None)
    return getattr(state, "tiles", None) if state is not None else None


def _empty_body(receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return again
