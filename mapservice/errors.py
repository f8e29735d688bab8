"""Expected failures as types, each with a German and an English message and a code.

Domain code raises these; only the API layer maps them to HTTP statuses and only the CLI
prints them — so a user never sees a traceback for a mistake they can fix.
"""

from __future__ import annotations


class KarteError(Exception):
    """A failure the user can act on. ``str()`` gives German first, then English."""

    status: int = 400
    code: str = "error"

    def __init__(self, message_de: str, message_en: str, *, code: str | None = None) -> None:
        super().__init__(f"{message_de}\n{message_en}")
        self.message_de = message_de
        self.message_en = message_en
        if code:
            self.code = code

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_de": self.message_de, "message_en": self.message_en}


class ConfigError(KarteError):
    code = "config"


class DatabaseError(KarteError):
    """The database cannot be started, reached or used."""

    status = 503
    code = "database"


class NotFound(KarteError):
    status = 404
    code = "not_found"


class InvalidInput(KarteError):
    status = 400
    code = "invalid_input"


class Conflict(KarteError):
    status = 409
    code = "conflict"


class Unauthorized(KarteError):
    status = 401
    code = "unauthorized"


class Forbidden(KarteError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(KarteError):
    status = 413
    code = "too_large"


class TooManyRequests(KarteError):
    """Refused for a while (sign-in rate limit); ``retry_after`` is in seconds."""

    status = 429
    code = "too_many_requests"
    retry_after: int = 60
