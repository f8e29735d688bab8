"""One place that maps domain errors to HTTP: German + English message and a code.

Also the last line of defence (``ErrorBoundary``): whatever a route raises, the client gets
this JSON body — 503 with ``Retry-After`` when the database is away, 500 otherwise — and the
HTTP connection stays usable for its next request.
"""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mapservice.catalog import UnknownLayer
from mapservice.db.outage import RETRY_AFTER_S, outage_of
from mapservice.errors import KarteError, nul_refusal

log = logging.getLogger("mapservice.api")


def error_body(code: str, message_de: str, message_en: str, **extra: object) -> dict[str, object]:
    return {"code": code, "message_de": message_de, "message_en": message_en, **extra}


def retry_headers(status: int) -> dict[str, str]:
    """``Retry-After`` on every 503: the field app and HTTP caches wait, then ask again."""
    return {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else {}


def karte_response(exc: KarteError) -> JSONResponse:
    body: dict[str, object] = exc.as_dict()
    current = getattr(exc, "current", None)
    if current is not None:  # a version conflict shows the stored version to merge with
        body["current"] = jsonable_encoder(current)
    sent = getattr(exc, "sent", None)
    if sent is not None:  # a reused id with other content: what the client sent, too
        body["sent"] = jsonable_encoder(sent)
    return JSONResponse(body, status_code=exc.status, headers=retry_headers(exc.status))


class _Throttle:
    """One log line per ``every`` seconds: an outage under load is thousands of 503s."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.last = -every
        self.skipped = 0

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            return True
        self.skipped += 1
        return False

    def suppressed_note(self) -> str:
        skipped, self.skipped = self.skipped, 0
        return f" [{skipped} more since the last line]" if skipped else ""


_outage_log = _Throttle(every=5.0)


def failure_response(exc: Exception, scope: Scope) -> JSONResponse:
    """The answer to an exception no handler took: an outage is a 503, anything else a 500."""
    where = f"{scope.get('method', '')} {scope.get('path', '')}"
    outage = outage_of(exc)
    if outage is not None:
        if _outage_log.due():
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            log.warning(
                "%s: %s (%s: %s)%s", where, outage.code, type(exc).__name__, first,
                _outage_log.suppressed_note(),
            )  # fmt: skip
        return karte_response(outage)
    ref = uuid.uuid4().hex[:12]
    log.error("%s: unhandled error %s", where, ref, exc_info=exc)
    body = error_body(
        "internal_error",
        f"Interner Fehler (Kennung {ref}); bitte melden, falls er wieder auftritt.",
        f"Internal error (reference {ref}); please report it if it happens again.",
        reference=ref,
    )
    return JSONResponse(body, status_code=500)


class ErrorBoundary:
    """ASGI middleware: turns any exception into a JSON answer instead of a torn connection.

    Why: Starlette's ``ServerErrorMiddleware`` sends its plain-text 500 and then re-raises
    (always, even with a handler for ``Exception``); uvicorn, seeing the exception after the
    response started, closes the transport — the client's next request on that keep-alive
    connection meets a reset. Answering here, inside that middleware, without re-raising,
    keeps the connection. Only when the response had already started (a body cut short) is
    the exception passed on: then closing the connection is the only honest signal.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise
            await failure_response(exc, scope)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_middleware(ErrorBoundary)

    @app.exception_handler(KarteError)
    async def _karte(_: Request, exc: KarteError) -> JSONResponse:
        return karte_response(exc)

    @app.exception_handler(UnknownLayer)
    async def _layer(_: Request, exc: UnknownLayer) -> JSONResponse:
        body = error_body(exc.code, exc.message_de, exc.message_en, known=list(exc.known))
        return JSONResponse(body, status_code=404)

    async def _nul(_: Request, exc: Exception) -> JSONResponse:
        # A NUL that came in a file (CSV cell, GeoJSON string) reaches PostgreSQL, which cannot
        # store it; URLs and JSON bodies are refused before (mapservice.api.input_guard).
        refusal = nul_refusal(exc)
        if refusal is None:
            raise exc
        return JSONResponse(refusal.as_dict(), status_code=400)

    app.add_exception_handler(pg_errors.DataError, _nul)
    app.add_exception_handler(sa_exc.DataError, _nul)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # OGC API and our clients expect 400 for a bad parameter, not FastAPI's 422.
        details = [
            {"where": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]}
            for err in exc.errors()
        ]
        where = ", ".join(d["where"] for d in details)
        body = error_body(
            "invalid_input",
            f"Ungültige Eingabe: {where}.",
            f"Invalid input: {where}.",
            details=details,
        )
        return JSONResponse(body, status_code=400)
