"""Refuse a NUL character anywhere in a request's URL or JSON body, once, for every route.

PostgreSQL cannot store U+0000 in ``text``; a NUL that reached a query used to end in a bare
500 on five list routes and two paths. Checking it in each route would be forgotten by the
next route, so a small ASGI middleware looks at the decoded path, the query string and JSON
bodies before any route runs, and answers 400 with the usual German/English error body.
Nothing is read from or written to the database for such a request.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mapservice.api.errors import error_body

NUL = b"\x00"
# JSON writes U+0000 as "\u0000"; the escape is checked by parsing (a literal "\\u0000" is fine)
NUL_ESCAPE = b"\\u0000"
MAX_SCANNED_BODY = 16 * 1024 * 1024  # larger JSON bodies are refused by their routes anyway


def _has_nul_string(value: Any) -> bool:
    """True when any key or string inside the parsed JSON value contains U+0000."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul_string(k) or _has_nul_string(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul_string(v) for v in value)
    return False


def body_has_nul(body: bytes) -> bool:
    """A raw NUL byte, or a JSON string that decodes to one."""
    if NUL in body:
        return True
    if NUL_ESCAPE not in body.lower():
        return False
    try:
        return _has_nul_string(json.loads(body))
    except ValueError:  # not JSON: the route says so with its own error
        return False


def url_has_nul(scope: Scope) -> bool:
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    query = scope.get("query_string", b"")
    return NUL in unquote_to_bytes(raw_path) or NUL in unquote_to_bytes(query.replace(b"+", b" "))


def _refusal(where_de: str, where_en: str) -> bytes:
    body = error_body(
        "nul_character",
        f"{where_de} enthält ein NUL-Zeichen (\\u0000); das ist nicht erlaubt.",
        f"{where_en} contains a NUL character (\\u0000), which is not allowed.",
    )
    return json.dumps(body, ensure_ascii=False).encode()


class InputGuard:
    """ASGI middleware: 400 for NUL in the URL (path or query) or in a JSON body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if url_has_nul(scope):
            await _answer(send, _refusal("Die Adresse", "The URL"))
            return
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([], message, receive, complete=True), send)
                return
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            more = message.get("more_body", False)
            if size > MAX_SCANNED_BODY:
                break
        body = b"".join(chunks)
        if not more and body_has_nul(body):
            await _answer(send, _refusal("Der JSON-Inhalt", "The JSON body"))
            return
        await self.app(scope, _replay(chunks, None, receive, complete=not more), send)


def _is_json(scope: Scope) -> bool:
    if scope.get("method") not in ("POST", "PUT", "PATCH"):
        return False
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            return kind in (b"application/json", b"application/geo+json", b"text/plain", b"")
    return True  # no content type: the routes read JSON anyway


def _replay(chunks: list[bytes], last: Message | None, rest: Receive, *, complete: bool) -> Receive:
    """A ``receive`` that hands the buffered body to the app, then the live stream again
    (the rest of a body too large to scan, or the client's disconnect)."""
    pending: list[Message] = [
        {"type": "http.request", "body": c, "more_body": True} for c in chunks
    ]
    if pending and complete:
        pending[-1]["more_body"] = False
    if last is not None:
        pending.append(last)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return await rest()

    return receive


async def _answer(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
