"""Accounts, bearer tokens and who may see what.

A token is shown once when created; only its SHA-256 is stored, so a leaked database does not
leak working tokens. Callers without a token are the public: they see published data only.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from mapservice.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized

Role = Literal["public", "field", "planner", "admin"]
ROLES: tuple[Role, ...] = ("field", "planner", "admin")
TOKEN_PREFIX = "karte_"


@dataclass(frozen=True)
class Viewer:
    """The caller of a request: the public, or an account with a role."""

    role: Role = "public"
    account_id: int | None = None
    name: str | None = None
    layers: frozenset[str] | None = None  # None: every layer
    quarters: frozenset[int] | None = None  # None: every quarter

    @property
    def restricted(self) -> bool:
        """True when an admin limited this account to some layers and/or quarters."""
        return self.layers is not None or self.quarters is not None

    def may_see(
        self, *, layers: str | list[str] | None = None, quarter_id: int | None = None
    ) -> bool:
        """Whether one entry (its layer or layers, its quarter) lies inside the viewer's rights.

        A finding has several layers: it is inside when one of them is allowed.
        """
        if self.quarters is not None and quarter_id is not None and quarter_id not in self.quarters:
            return False
        if self.layers is not None and layers is not None:
            wanted = [layers] if isinstance(layers, str) else list(layers)
            if not any(layer in self.layers for layer in wanted):
                return False
        return True

    def require_scope(
        self, *, layers: str | list[str] | None = None, quarter_id: int | None = None
    ) -> None:
        """403 for an entry outside the layers/quarters this account is restricted to."""
        if not self.may_see(layers=layers, quarter_id=quarter_id):
            raise Forbidden(
                "Dieser Eintrag liegt außerhalb der Ebenen oder Quartiere, für die Ihr Konto "
                "freigeschaltet ist.",
                "This entry lies outside the layers or quarters your account may work on.",
                code="outside_scope",
            )

    @property
    def is_public(self) -> bool:
        return self.role == "public"

    @property
    def sees_everything(self) -> bool:
        """Planners and admins read drafts, reviews and exact geometry of everything."""
        return self.role in ("planner", "admin")

    def require(self, *roles: Role) -> None:
        if self.role in roles:
            return
        if self.is_public:
            raise Unauthorized(
                "Anmeldung erforderlich: Bearer-Token im Header Authorization mitsenden.",
                "Sign-in required: send a bearer token in the Authorization header.",
                code="token_required",
            )
        raise Forbidden(
            f"Die Rolle '{self.role}' darf das nicht (erlaubt: {', '.join(roles)}).",
            f"Role '{self.role}' may not do this (allowed: {', '.join(roles)}).",
            code="role_forbidden",
        )


PUBLIC = Viewer()


_LAYER_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def scope_sql(viewer: Viewer, alias: str, *, layer_array: bool = False, layers: bool = True) -> str:
    """The viewer's layer/quarter restriction as SQL with its values written in.

    For the shared visibility rules (API, tiles on psycopg, OGC), which are SQL text without
    bound parameters of their own. Safe to inline: quarter ids are ints, layer ids are checked
    against the catalogue's id pattern (anything else is dropped). ``"true"`` when unrestricted.
    ``layers=False`` for tables without layers (interviews): the quarters alone.
    """
    parts: list[str] = []
    if viewer.quarters is not None:
        ids = ", ".join(str(int(q)) for q in sorted(viewer.quarters))
        parts.append(f"{alias}.quarter_id IN ({ids})" if ids else "false")
    if layers and viewer.layers is not None:
        names = [f"'{lay}'" for lay in sorted(viewer.layers) if _LAYER_ID.fullmatch(lay)]
        if not names:
            parts.append("false")
        elif layer_array:
            parts.append(f"{alias}.layer_ids && ARRAY[{', '.join(names)}]::text[]")
        else:
            parts.append(f"{alias}.layer_id IN ({', '.join(names)})")
    return " AND ".join(parts) or "true"


def scope_key(viewer: Viewer) -> str:
    """A short stable text for the viewer's restriction, for cache keys ('' = none)."""
    if not viewer.restricted:
        return ""
    layers = ",".join(sorted(viewer.layers)) if viewer.layers is not None else "*"
    quarters = ",".join(map(str, sorted(viewer.quarters))) if viewer.quarters is not None else "*"
    return f"l={layers};q={quarters}"


def scope_condition(
    viewer: Viewer, alias: str, *, layer_array: bool = False, prefix: str = "scope"
) -> tuple[str, dict[str, object]]:
    """The viewer's layer/quarter restriction as an SQL condition plus its bound parameters.

    ``alias`` names a table with ``quarter_id`` and ``layer_id`` (observations) or, with
    ``layer_array``, ``layer_ids`` (findings: inside when one of its layers is allowed).
    ``"true"`` and no parameters for an unrestricted viewer, so callers can always AND it in.
    """
    parts: list[str] = []
    params: dict[str, object] = {}
    if viewer.quarters is not None:
        parts.append(f"{alias}.quarter_id = ANY(CAST(:{prefix}_quarters AS integer[]))")
        params[f"{prefix}_quarters"] = sorted(viewer.quarters)
    if viewer.layers is not None:
        if layer_array:
            parts.append(f"{alias}.layer_ids && CAST(:{prefix}_layers AS text[])")
        else:
            parts.append(f"{alias}.layer_id = ANY(CAST(:{prefix}_layers AS text[]))")
        params[f"{prefix}_layers"] = sorted(viewer.layers)
    return (" AND ".join(parts) or "true"), params


def observation_visibility(viewer: Viewer, alias: str, placeholder: str) -> str:
    """The one rule for which observations a viewer reads, as an SQL condition.

    Planners and admins read everything, field teams published entries and their own, the
    public published entries only. ``placeholder`` is where the caller binds ``viewer.name``
    (``:viewer_name`` for SQLAlchemy, ``%(viewer)s`` for psycopg on the tile hot path).
    """
    if viewer.sees_everything:
        if viewer.restricted:  # inside its layers/quarters everything, elsewhere the public's
            return f"(({scope_sql(viewer, alias)}) OR {alias}.status = 'published')"
        return "true"
    if viewer.role == "field":
        return f"({alias}.status = 'published' OR {alias}.author = {placeholder})"
    return f"{alias}.status = 'published'"


@dataclass(frozen=True)
class FindingView:
    """SQL for what a viewer reads of interview findings (see ``finding_visibility``)."""

    geom: str
    place: str
    visible: str
    statement: str = ""
    #: whether the viewer may read ``interview_id`` (which links one person's statements)
    linked: bool = False
    #: first and last day the interview date may be (``i`` = the joined interview): the day
    #: for planners, its month for everyone else — one interview a day would make the day a
    #: key that groups a person's statements
    held_from: str = "i.held_on"
    held_to: str = "i.held_on"
    held_format: str = "YYYY-MM-DD"


#: For a row whose redacted text was not computed (``public_statement`` NULL, e.g. a
#: statement changed by SQL): every number after a street-like word is removed (PostgreSQL
#: regexp, flags 'gi'). Stored rows carry the gazetteer-checked text of
#: :mod:`mapservice.georef.redact`, which keeps numbers of named places.
HOUSE_NUMBER_SQL = (
    r"regexp_replace({col}, '((stra(ß|ss)e|str\.|weg|platz|allee|gasse|ring|damm)"
    r"\s*,?\s*)\d{{1,4}}(\s?[a-z]\M)?', '\1[Hausnummer entfernt]', 'gi')"
)


def _redacted(alias: str, column: str) -> str:
    raw = HOUSE_NUMBER_SQL.format(col=f"{alias}.{column}")
    return f"coalesce({alias}.public_{column}, {raw})"


def _public_finding(alias: str) -> str:
    """Published, and placed: a statement the gazetteer found nothing for (no place, or an
    unknown one: ``needs_review`` with confidence 0) is held back until a planner placed it
    or confirmed it as quarter-wide (both clear ``needs_review``). A statement that names the
    whole quarter itself ("im ganzen Viertel", confidence 0.5) and fuzzy matches stay public,
    flagged for review as before."""
    return (
        f"({alias}.status = 'published' AND NOT ({alias}.needs_review "
        f"AND {alias}.georef_confidence = 0))"
    )


def finding_visibility(viewer: Viewer, alias: str) -> FindingView:
    """The one rule for interview findings, shared by the API, the tiles/OGC API, the map
    pages and the exports.

    Planners and admins read every finding with its exact geometry, place, text and
    interview. Everyone else, field teams included, reads published findings only — and
    never one the gazetteer could not place (``needs_review`` at confidence 0, e.g. "alter
    Kiosk hinterm Bunker", which would otherwise stand at the quarter's centre as if it
    concerned the whole quarter) until a planner placed or confirmed it
    (``capture.placing``) — at their
    generalised geometry (``public_geom``), with home house numbers removed from the text
    (``public_statement``, see :mod:`mapservice.georef.redact`), never a place that is
    somebody's home address (``place`` is then NULL), never the interview a statement came
    from, and the interview date only to the month (either would let anyone group
    statements by person).
    """
    if viewer.sees_everything and not viewer.restricted:
        return FindingView(
            f"{alias}.geom", f"{alias}.place_text", "true", f"{alias}.statement", linked=True
        )
    public_place = (
        f"CASE WHEN {alias}.from_home_address THEN NULL ELSE {_redacted(alias, 'place_text')} END"
    )
    if viewer.sees_everything:  # restricted: exact inside its scope, the public's elsewhere
        inside = scope_sql(viewer, alias, layer_array=True)
        return FindingView(
            geom=f"(CASE WHEN {inside} THEN {alias}.geom ELSE {alias}.public_geom END)",
            place=f"(CASE WHEN {inside} THEN {alias}.place_text ELSE {public_place} END)",
            visible=f"(({inside}) OR {_public_finding(alias)})",
            statement=f"(CASE WHEN {inside} THEN {alias}.statement "
            f"ELSE {_redacted(alias, 'statement')} END)",
            linked=True,
        )
    return FindingView(
        geom=f"{alias}.public_geom",
        place=public_place,
        visible=_public_finding(alias),
        statement=_redacted(alias, "statement"),
        held_from="date_trunc('month', i.held_on)::date",
        held_to="(date_trunc('month', i.held_on) + interval '1 month - 1 day')::date",
        held_format="YYYY-MM",
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_account(conn: Connection, name: str, role: str, display_name: str = "") -> int:
    if role not in ROLES:
        raise InvalidInput(
            f"Unbekannte Rolle '{role}' (erlaubt: field, planner, admin).",
            f"Unknown role '{role}' (allowed: field, planner, admin).",
            code="unknown_role",
        )
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,60}", name):
        raise InvalidInput(
            "Kontoname: 2–61 Zeichen aus a–z, 0–9, Punkt, Bindestrich, Unterstrich.",
            "Account name: 2–61 characters of a–z, 0–9, dot, hyphen, underscore.",
            code="invalid_account_name",
        )
    try:
        with conn.begin_nested():
            return int(
                conn.execute(
                    text(
                        "INSERT INTO account (name, role, display_name) "
                        "VALUES (:n, :r, :d) RETURNING id"
                    ),
                    {"n": name, "r": role, "d": display_name},
                ).scalar_one()
            )
    except IntegrityError:
        raise Conflict(
            f"Konto '{name}' gibt es schon.",
            f"Account '{name}' exists already.",
            code="account_exists",
        ) from None


MAX_TOKEN_DAYS = 3650


def create_token(conn: Connection, account: str, days: int = 180, label: str = "") -> str:
    """Create a token for ``account``; the secret is returned once and never stored."""
    if not 0 <= days <= MAX_TOKEN_DAYS:  # -5 used to make a token that never expires
        raise InvalidInput(
            f"Gültigkeit in Tagen: 0 (unbegrenzt) bis {MAX_TOKEN_DAYS}, nicht {days}.",
            f"Validity in days: 0 (unlimited) to {MAX_TOKEN_DAYS}, not {days}.",
            code="invalid_days",
        )
    account_id = conn.execute(
        text("SELECT id FROM account WHERE name = :n"), {"n": account}
    ).scalar()
    if account_id is None:
        raise NotFound(
            f"Konto '{account}' nicht gefunden.",
            f"Account '{account}' not found.",
            code="unknown_account",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days) if days > 0 else None
    conn.execute(
        text(
            "INSERT INTO token (account_id, token_hash, label, expires_at) VALUES (:a, :h, :l, :e)"
        ),
        {"a": account_id, "h": hash_token(token), "l": label, "e": expires},
    )
    return token


def revoke_token(conn: Connection, token: str) -> bool:
    result = conn.execute(
        text("UPDATE token SET revoked_at = now() WHERE token_hash = :h AND revoked_at IS NULL"),
        {"h": hash_token(token)},
    )
    return result.rowcount == 1


def revoke_account_tokens(conn: Connection, account: str) -> int:
    result = conn.execute(
        text(
            "UPDATE token SET revoked_at = now() FROM account a "
            "WHERE token.account_id = a.id AND a.name = :n AND token.revoked_at IS NULL"
        ),
        {"n": account},
    )
    return int(result.rowcount)


#: ``token.last_used_at`` is written at most this often per token: one UPDATE a minute, not
#: one per request (tiles ask dozens of times a second).
LAST_USE_PRECISION = timedelta(minutes=1)


def viewer_for_token(conn: Connection, token: str) -> Viewer:
    """Resolve a bearer token; a wrong, expired or revoked token is refused (never public).

    The account's restriction to some layers/quarters (``account.layers``/``quarters``,
    NULL = all) travels in the viewer; admins are never restricted. Notes the token's last use
    when the stored one is older than a minute (the caller commits ``conn``).
    """
    row = conn.execute(
        text(
            "SELECT a.id, a.name, a.role, a.disabled, a.layers, a.quarters, "
            "t.id AS token_id, t.expires_at, t.revoked_at, t.last_used_at "
            "FROM token t JOIN account a ON a.id = t.account_id WHERE t.token_hash = :h"
        ),
        {"h": hash_token(token)},
    ).first()
    if row is None:
        raise Unauthorized("Unbekanntes Token.", "Unknown token.", code="token_invalid")
    if row.revoked_at is not None:
        raise Unauthorized(
            "Dieses Token wurde widerrufen.", "This token was revoked.", code="token_revoked"
        )
    if row.expires_at is not None and row.expires_at <= datetime.now(UTC):
        raise Unauthorized(
            "Dieses Token ist abgelaufen; bitte ein neues erstellen lassen.",
            "This token has expired; ask for a new one.",
            code="token_expired",
        )
    if row.disabled:
        raise Unauthorized(
            "Dieses Konto ist gesperrt.", "This account is disabled.", code="account_disabled"
        )
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_PRECISION:
        conn.execute(
            text("UPDATE token SET last_used_at = now() WHERE id = :i"), {"i": row.token_id}
        )
    admin = row.role == "admin"
    return Viewer(
        role=row.role,
        account_id=row.id,
        name=row.name,
        layers=None if admin or row.layers is None else frozenset(row.layers),
        quarters=None if admin or row.quarters is None else frozenset(row.quarters),
    )
