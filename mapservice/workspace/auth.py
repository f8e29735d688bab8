"""Sign-in on /planung: passwords (argon2id), sign-in tokens, the rate limit of failures.

Why passwords *and* tokens: the existing accounts only have bearer tokens (made by the CLI
or an admin), and a field app or script keeps using those. People who work in the browser
every day get a password: they can remember it, and a sign-in yields a short-lived token
(12 h, ``token.kind = 'session'``) that sign-out revokes. A token can still be pasted on the
sign-in page, which is checked and used as it is (no new token is made).

Failed attempts are rows in ``login_attempt``, so the limit holds across workers: at most
``ACCOUNT_LIMIT`` failures per account and ``CLIENT_LIMIT`` per client address within
``WINDOW``. Checking, verifying and recording run under transaction-level advisory locks on
the account and the address, so parallel guesses are counted one after another.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, text

from mapservice.access import TOKEN_PREFIX, Viewer, hash_token, viewer_for_token
from mapservice.errors import InvalidInput, NotFound, TooManyRequests, Unauthorized

SESSION_HOURS = 12
WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 30
MIN_PASSWORD = 10
MAX_PASSWORD = 1024

#: argon2-cffi's defaults (argon2id, RFC 9106 "low memory" profile); ``check_needs_rehash``
#: upgrades stored hashes when these change.
HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so both cases take as long.

    Made on first use, not at import: hashing takes 64 MiB for a moment, and a worker that
    never sees a sign-in should not carry that peak in its RSS.
    """
    return HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class SignIn:
    token: str
    expires_at: datetime | None
    account: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "account": self.account,
        }


def check_password_rules(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"Das Passwort braucht mindestens {MIN_PASSWORD} Zeichen.",
            f"The password needs at least {MIN_PASSWORD} characters.",
            code="password_too_short",
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(
            f"Das Passwort darf höchstens {MAX_PASSWORD} Zeichen haben.",
            f"The password may have at most {MAX_PASSWORD} characters.",
            code="password_too_long",
        )


def set_password(conn: Connection, account: str, password: str) -> None:
    """Store an argon2id hash of ``password`` for ``account`` (the only place one is made)."""
    check_password_rules(password)
    done = conn.execute(
        text("UPDATE account SET password_hash = :h WHERE name = :n"),
        {"h": HASHER.hash(password), "n": account},
    )
    if done.rowcount != 1:
        raise NotFound(
            f"Konto '{account[:64]}' nicht gefunden.",
            f"Account '{account[:64]}' not found.",
            code="unknown_account",
        )


def account_info(viewer: Viewer, display_name: str = "") -> dict[str, Any]:
    """What ``/api/auth/me`` and the sign-in answer say about the caller."""
    return {
        "account": viewer.name,
        "display_name": display_name or viewer.name,
        "role": viewer.role,
        "layers": sorted(viewer.layers) if viewer.layers is not None else None,
        "quarters": None,  # slugs, filled by :func:`me`
        "quarter_ids": sorted(viewer.quarters) if viewer.quarters is not None else None,
    }


def me(conn: Connection, viewer: Viewer) -> dict[str, Any]:
    """The signed-in account with its role and rights (``quarters`` as slugs, None = all)."""
    viewer.require("field", "planner", "admin")
    row = conn.execute(
        text("SELECT display_name FROM account WHERE id = :i"), {"i": viewer.account_id}
    ).first()
    info = account_info(viewer, row.display_name if row else "")
    if viewer.quarters is not None:
        info["quarters"] = list(
            conn.execute(
                text("SELECT slug FROM quarter WHERE id = ANY(:ids) ORDER BY slug"),
                {"ids": sorted(viewer.quarters)},
            ).scalars()
        )
    return info


def _too_many(minutes: int) -> TooManyRequests:
    err = TooManyRequests(
        f"Zu viele fehlgeschlagene Anmeldeversuche. Bitte in {minutes} Minuten erneut versuchen.",
        f"Too many failed sign-in attempts. Please try again in {minutes} minutes.",
        code="too_many_attempts",
    )
    err.retry_after = minutes * 60
    return err


def _wrong() -> Unauthorized:
    return Unauthorized(
        "Anmeldung fehlgeschlagen: Konto oder Passwort stimmt nicht.",
        "Sign-in failed: account or password is wrong.",
        code="login_failed",
    )


def _lock(conn: Connection, key: str) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})


def _failures(conn: Connection, column: str, value: str) -> tuple[int, datetime | None]:
    row = conn.execute(
        text(
            f"SELECT count(*) AS n, min(at) AS first FROM login_attempt "
            f"WHERE {column} = :v AND at > now() - make_interval(secs => :w)"
        ),
        {"v": value, "w": WINDOW.total_seconds()},
    ).one()
    return int(row.n), row.first


def _blocked(conn: Connection, account: str, client: str) -> TooManyRequests | None:
    for column, value, limit in (
        ("account_name", account, ACCOUNT_LIMIT),
        ("client", client, CLIENT_LIMIT),
    ):
        n, first = _failures(conn, column, value)
        if n >= limit and first is not None:
            wait = first + WINDOW - datetime.now(UTC)
            return _too_many(max(1, int(wait.total_seconds() // 60) + 1))
    return None


def _record_failure(conn: Connection, account: str, client: str) -> None:
    conn.execute(
        text("INSERT INTO login_attempt (account_name, client) VALUES (:a, :c)"),
        {"a": account, "c": client},
    )
    conn.execute(text("DELETE FROM login_attempt WHERE at < now() - interval '1 day'"))


def _session_token(conn: Connection, account_id: int, client: str) -> tuple[str, datetime]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(hours=SESSION_HOURS)
    conn.execute(
        text(
            "INSERT INTO token (account_id, token_hash, label, expires_at, kind, last_used_at) "
            "VALUES (:a, :h, :l, :e, 'session', now())"
        ),
        {"a": account_id, "h": hash_token(token), "l": f"Anmeldung {client}"[:200], "e": expires},
    )
    return token, expires


def login_password(engine: Engine, account: str, password: str, client: str) -> SignIn:
    """Check ``password`` for ``account``; a new 12-hour sign-in token on success.

    Runs its own transactions: a failure must be recorded even though the request fails.
    """
    account = (account or "").strip().lower()[:100]
    if not account or not isinstance(password, str) or not password:
        raise InvalidInput(
            "Bitte Konto und Passwort angeben.",
            "Please enter account and password.",
            code="login_incomplete",
        )
    error: Exception | None = None
    with engine.begin() as conn:
        _lock(conn, "login-account:" + account)
        _lock(conn, "login-client:" + client)
        error = _blocked(conn, account, client)
        if error is None:
            row = conn.execute(
                text(
                    "SELECT id, name, role, disabled, password_hash, display_name "
                    "FROM account WHERE name = :n"
                ),
                {"n": account},
            ).first()
            stored = row.password_hash if row is not None and row.password_hash else None
            if _verify(stored or _dummy_hash(), password[:MAX_PASSWORD]) and stored and row:
                if row.disabled:
                    error = Unauthorized(
                        "Dieses Konto ist gesperrt.",
                        "This account is disabled.",
                        code="account_disabled",
                    )
                else:
                    if HASHER.check_needs_rehash(stored):
                        conn.execute(
                            text("UPDATE account SET password_hash = :h WHERE id = :i"),
                            {"h": HASHER.hash(password), "i": row.id},
                        )
                    conn.execute(
                        text("DELETE FROM login_attempt WHERE account_name = :a"), {"a": account}
                    )
                    token, expires = _session_token(conn, row.id, client)
                    return SignIn(token, expires, me(conn, viewer_for_token(conn, token)))
            else:
                _record_failure(conn, account, client)
                error = _wrong()
    raise error


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def login_token(engine: Engine, token: str, client: str) -> SignIn:
    """Check a pasted token (made by an admin or the CLI); it is used as it is."""
    token = (token or "").strip()
    if not token:
        raise InvalidInput(
            "Bitte ein Token angeben.", "Please enter a token.", code="login_incomplete"
        )
    error: Exception | None = None
    with engine.begin() as conn:
        _lock(conn, "login-client:" + client)
        n, first = _failures(conn, "client", client)
        if n >= CLIENT_LIMIT and first is not None:
            wait = first + WINDOW - datetime.now(UTC)
            error = _too_many(max(1, int(wait.total_seconds() // 60) + 1))
        else:
            try:
                viewer = viewer_for_token(conn, token[:200])
            except Unauthorized as exc:
                _record_failure(conn, "(token)", client)
                error = exc
            else:
                expires = conn.execute(
                    text("SELECT expires_at FROM token WHERE token_hash = :h"),
                    {"h": hash_token(token)},
                ).scalar()
                return SignIn(token, expires, me(conn, viewer))
    raise error


def logout(conn: Connection, viewer: Viewer, token: str) -> dict[str, Any]:
    """Revoke the caller's token when it is a sign-in token; an API token stays valid."""
    viewer.require("field", "planner", "admin")
    done = conn.execute(
        text(
            "UPDATE token SET revoked_at = now() WHERE token_hash = :h AND kind = 'session' "
            "AND revoked_at IS NULL"
        ),
        {"h": hash_token(token)},
    )
    return {"revoked": done.rowcount == 1}
