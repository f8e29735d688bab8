"""Administration of accounts and tokens (``/planung/verwaltung``): the logic and its SQL.

Only admins call these. An admin cannot lock themself out (disable their own account or
take away their own admin role): the last way back would be the CLI. Rights restrictions
(``account.layers``/``quarters``, NULL = all; uMap #584) are validated against the layer
catalogue and the quarters that exist, so a typo never silently hides everything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import ROLES, Viewer, create_account, create_token, hash_token
from mapservice.catalog import Catalog
from mapservice.errors import Conflict, InvalidInput, NotFound
from mapservice.workspace.auth import check_password_rules, set_password

MAX_TOKEN_DAYS = 3650

ACCOUNTS = """
SELECT a.name, a.role, a.display_name, a.disabled, a.created_at,
       a.password_hash IS NOT NULL AS has_password, a.layers,
       (SELECT array_agg(q.slug ORDER BY q.slug) FROM quarter q WHERE q.id = ANY(a.quarters))
         AS quarter_slugs, a.quarters IS NOT NULL AS quarters_restricted,
       count(t.id) FILTER (WHERE t.revoked_at IS NULL
         AND (t.expires_at IS NULL OR t.expires_at > now())) AS active_tokens,
       max(t.last_used_at) AS last_used_at
  FROM account a LEFT JOIN token t ON t.account_id = a.id
"""


def _account(row: Any) -> dict[str, Any]:
    return {
        "name": row.name,
        "role": row.role,
        "display_name": row.display_name,
        "disabled": row.disabled,
        "has_password": row.has_password,
        "layers": sorted(row.layers) if row.layers is not None else None,
        "quarters": list(row.quarter_slugs or []) if row.quarters_restricted else None,
        "active_tokens": int(row.active_tokens),
        "created_at": row.created_at.isoformat(),
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
    }


def unknown_account(name: str) -> NotFound:
    return NotFound(
        f"Konto '{name[:64]}' nicht gefunden.",
        f"Account '{name[:64]}' not found.",
        code="unknown_account",
    )


def list_accounts(conn: Connection, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require("admin")
    rows = conn.execute(text(f"{ACCOUNTS} GROUP BY a.id ORDER BY a.name"))
    return [_account(r) for r in rows]


def get_account(conn: Connection, viewer: Viewer, name: str) -> dict[str, Any]:
    viewer.require("admin")
    row = conn.execute(text(f"{ACCOUNTS} WHERE a.name = :n GROUP BY a.id"), {"n": name}).first()
    if row is None:
        raise unknown_account(name)
    return _account(row)


def check_layers(catalog: Catalog, layers: list[str] | None) -> list[str] | None:
    if layers is None:
        return None
    unknown = sorted({layer for layer in layers if layer not in catalog})
    if unknown:
        raise InvalidInput(
            f"Unbekannte Ebene(n): {', '.join(unknown)[:200]}.",
            f"Unknown layer(s): {', '.join(unknown)[:200]}.",
            code="unknown_layer",
        )
    return sorted(set(layers))


def quarter_ids(conn: Connection, slugs: list[str] | None) -> list[int] | None:
    if slugs is None:
        return None
    wanted = sorted(set(slugs))
    rows = conn.execute(
        text("SELECT slug, id FROM quarter WHERE slug = ANY(:s)"), {"s": wanted}
    ).all()
    found = {r.slug: r.id for r in rows}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise InvalidInput(
            f"Unbekannte(s) Quartier(e): {', '.join(missing)[:200]}.",
            f"Unknown quarter(s): {', '.join(missing)[:200]}.",
            code="unknown_quarter",
        )
    return sorted(found.values())


def add_account(
    conn: Connection,
    viewer: Viewer,
    catalog: Catalog,
    *,
    name: str,
    role: str,
    display_name: str = "",
    password: str | None = None,
    layers: list[str] | None = None,
    quarters: list[str] | None = None,
) -> dict[str, Any]:
    """Create an account (and its password, rights) in one transaction: all or nothing."""
    viewer.require("admin")
    if password is not None:
        check_password_rules(password)  # before anything is written
    layer_ids, ids = check_layers(catalog, layers), quarter_ids(conn, quarters)
    create_account(conn, name, role, display_name.strip()[:200])
    if password is not None:
        set_password(conn, name, password)
    conn.execute(
        text("UPDATE account SET layers = :l, quarters = :q WHERE name = :n"),
        {"l": layer_ids, "q": ids, "n": name},
    )
    return get_account(conn, viewer, name)


UNSET: Any = object()


def update_account(
    conn: Connection,
    viewer: Viewer,
    catalog: Catalog,
    name: str,
    *,
    role: str | None = None,
    disabled: bool | None = None,
    display_name: str | None = None,
    layers: list[str] | None = UNSET,
    quarters: list[str] | None = UNSET,
) -> dict[str, Any]:
    """Change role, state, name or rights; ``layers``/``quarters`` None = all, UNSET = keep."""
    viewer.require("admin")
    current = get_account(conn, viewer, name)
    if role is not None and role not in ROLES:
        raise InvalidInput(
            f"Unbekannte Rolle '{role[:20]}' (erlaubt: field, planner, admin).",
            f"Unknown role '{role[:20]}' (allowed: field, planner, admin).",
            code="unknown_role",
        )
    if name == viewer.name and (disabled or (role is not None and role != "admin")):
        raise Conflict(
            "Das eigene Konto kann man nicht sperren oder herabstufen (sonst ist niemand mehr "
            "Admin). Das muss ein anderes Admin-Konto tun.",
            "You cannot disable or demote your own account (nobody might be admin any more). "
            "Another admin account has to do it.",
            code="self_lockout",
        )
    sets: list[str] = []
    params: dict[str, Any] = {"n": name}
    if role is not None:
        sets.append("role = :role")
        params["role"] = role
    if disabled is not None:
        sets.append("disabled = :disabled")
        params["disabled"] = disabled
    if display_name is not None:
        sets.append("display_name = :dn")
        params["dn"] = display_name.strip()[:200]
    if layers is not UNSET:
        sets.append("layers = :layers")
        params["layers"] = check_layers(catalog, layers)
    if quarters is not UNSET:
        sets.append("quarters = :quarters")
        params["quarters"] = quarter_ids(conn, quarters)
    if sets:
        conn.execute(text(f"UPDATE account SET {', '.join(sets)} WHERE name = :n"), params)
    if disabled and not current["disabled"]:
        # sign-ins end at once; API tokens stay (refused while disabled, valid again after)
        conn.execute(
            text(
                "UPDATE token SET revoked_at = now() FROM account a WHERE a.id = token.account_id "
                "AND a.name = :n AND token.kind = 'session' AND token.revoked_at IS NULL"
            ),
            {"n": name},
        )
    return get_account(conn, viewer, name)


def change_password(conn: Connection, viewer: Viewer, name: str, password: str) -> dict[str, Any]:
    viewer.require("admin")
    get_account(conn, viewer, name)
    set_password(conn, name, password)
    return get_account(conn, viewer, name)


TOKENS = """
SELECT t.id, a.name AS account, t.label, t.kind, t.created_at, t.expires_at, t.revoked_at,
       t.last_used_at,
       CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
            WHEN t.expires_at IS NOT NULL AND t.expires_at <= now() THEN 'expired'
            ELSE 'active' END AS state
  FROM token t JOIN account a ON a.id = t.account_id
"""


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _token(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "account": row.account,
        "label": row.label,
        "kind": row.kind,
        "state": row.state,
        "created_at": _iso(row.created_at),
        "expires_at": _iso(row.expires_at),
        "revoked_at": _iso(row.revoked_at),
        "last_used_at": _iso(row.last_used_at),
    }


def list_tokens(
    conn: Connection, viewer: Viewer, account: str | None = None, include_old: bool = False
) -> list[dict[str, Any]]:
    """Tokens (never their secret), newest first; without ``include_old`` only active ones."""
    viewer.require("admin")
    where, params = ["true"], {}
    if account:
        where.append("a.name = :a")
        params["a"] = account
    if not include_old:
        where.append("t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())")
    rows = conn.execute(
        text(f"{TOKENS} WHERE {' AND '.join(where)} ORDER BY t.created_at DESC, t.id DESC"),
        params,
    )
    return [_token(r) for r in rows]


def new_token(
    conn: Connection, viewer: Viewer, account: str, days: int, label: str = ""
) -> dict[str, Any]:
    """An API token for ``account``; the answer holds the secret, shown this once."""
    viewer.require("admin")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(
            f"Gültigkeit: 1 bis {MAX_TOKEN_DAYS} Tage.",
            f"Validity: 1 to {MAX_TOKEN_DAYS} days.",
            code="token_days",
        )
    secret = create_token(conn, account, days=days, label=label.strip()[:200])
    row = conn.execute(text(f"{TOKENS} WHERE t.token_hash = :h"), {"h": hash_token(secret)}).one()
    return {**_token(row), "token": secret}


def revoke(conn: Connection, viewer: Viewer, token_id: int) -> dict[str, Any]:
    viewer.require("admin")
    row = conn.execute(text(f"{TOKENS} WHERE t.id = :i FOR UPDATE OF t"), {"i": token_id}).first()
    if row is None:
        raise NotFound(
            f"Token {token_id} nicht gefunden.",
            f"Token {token_id} not found.",
            code="unknown_token",
        )
    conn.execute(
        text("UPDATE token SET revoked_at = now() WHERE id = :i AND revoked_at IS NULL"),
        {"i": token_id},
    )
    return _token(conn.execute(text(f"{TOKENS} WHERE t.id = :i"), {"i": token_id}).one())
