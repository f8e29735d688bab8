"""One place that maps domain errors to HTTP: German + English message and a code."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc

from mapservice.catalog import UnknownLayer
from mapservice.errors import KarteError, nul_refusal


def error_body(code: str, message_de: str, message_en: str, **extra: object) -> dict[str, object]:
    return {"code": code, "message_de": message_de, "message_en": message_en, **extra}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(KarteError)
    async def _karte(_: Request, exc: KarteError) -> JSONResponse:
        body: dict[str, object] = exc.as_dict()
        current = getattr(exc, "current", None)
        if current is not None:  # a version conflict shows the stored version to merge with
            body["current"] = jsonable_encoder(current)
        sent = getattr(exc, "sent", None)
        if sent is not None:  # a reused id with other content: what the client sent, too
            body["sent"] = jsonable_encoder(sent)
        return JSONResponse(body, status_code=exc.status)

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
