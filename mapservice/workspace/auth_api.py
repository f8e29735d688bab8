"""``/api/auth``: sign in (password or token), who am I, sign out. Thin: see ``auth.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mapservice.api.deps import ConnDep, EngineDep, ViewerDep
from mapservice.errors import InvalidInput, TooManyRequests
from mapservice.workspace import auth

router = APIRouter(prefix="/api/auth", tags=["Anmeldung / sign-in"])


class LoginIn(BaseModel):
    """Either ``account`` + ``password`` or ``token``."""

    model_config = ConfigDict(extra="forbid")
    account: str | None = Field(default=None, max_length=100)
    password: str | None = Field(default=None, max_length=auth.MAX_PASSWORD)
    token: str | None = Field(default=None, max_length=200)


def client_address(request: Request) -> str:
    """The caller's address as uvicorn saw it (with ``--proxy-headers`` behind a proxy)."""
    return request.client.host if request.client else "unknown"


def bearer(request: Request) -> str:
    _, _, token = (request.headers.get("authorization") or "").partition(" ")
    return token.strip()


@router.post("/login", summary="Anmelden mit Passwort oder Token / sign in")
async def login(body: LoginIn, request: Request, engine: EngineDep) -> JSONResponse:
    client = client_address(request)
    try:
        if body.token is not None and body.password is None:
            result = await run_in_threadpool(auth.login_token, engine, body.token, client)
        elif body.account is not None and body.password is not None:
            result = await run_in_threadpool(
                auth.login_password, engine, body.account, body.password, client
            )
        else:
            raise InvalidInput(
                "Bitte Konto und Passwort oder ein Token angeben.",
                "Please give account and password, or a token.",
                code="login_incomplete",
            )
    except TooManyRequests as exc:
        return JSONResponse(
            exc.as_dict(), status_code=exc.status, headers={"Retry-After": str(exc.retry_after)}
        )
    return JSONResponse(result.as_dict(), headers={"Cache-Control": "no-store"})


@router.get("/me", summary="Angemeldetes Konto und seine Rechte / the signed-in account")
def get_me(conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return auth.me(conn, viewer)


@router.post("/logout", summary="Abmelden (widerruft das Anmelde-Token) / sign out")
def logout(request: Request, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return auth.logout(conn, viewer, bearer(request))
