"""Writing actors: create, change, delete, consent — with the checks that give clear refusals.

Planners and admins write; an account kept to some quarters writes actors of those quarters
only (and may not move one out of them). The request's transaction holds the whole write:
a refused offer or quarter leaves nothing half-written. Consent changes are logged per
field (granted / withdrawn, by whom, when).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from shapely import wkb
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from mapservice.access import Viewer
from mapservice.capture.geometry import check_world, parse_geometry
from mapservice.errors import Conflict, InvalidInput
from mapservice.programme.actors.reads import full_sql, not_found
from mapservice.programme.actors.schemas import (
    ActorIn,
    ActorPatch,
    OfferIn,
    check_location,
    check_values,
)
from mapservice.programme.actors.vocab import FIELDS, default_public_fields
from mapservice.programme.writes import check_scope, quarter_ids

SCALARS = (
    "external_id",
    "osm_id",
    "name",
    "kind",
    "description",
    "address",
    "phone",
    "email",
    "website",
    "published",
)


def require_writer(viewer: Viewer) -> None:
    viewer.require("planner", "admin")


def point_wkb(data: Any) -> bytes | None:
    if data is None:
        return None
    check_location(data)
    geom = parse_geometry(data.model_dump() if hasattr(data, "model_dump") else data)
    check_world(geom)
    return wkb.dumps(geom)


def new_external_id() -> str:
    return f"A-{uuid.uuid4().hex[:10]}"


def _refusal(exc: DBAPIError) -> InvalidInput | Conflict | None:
    message = str(getattr(exc, "orig", exc))
    if "uq_actor_external_id" in message:
        return Conflict(
            "Diese externe Kennung ist schon vergeben.",
            "This external id is taken already.",
            code="external_id_taken",
        )
    if "uq_actor_osm_id" in message:
        return Conflict(
            "Diese OSM-Kennung gehört schon einem anderen Akteur.",
            "This OSM id belongs to another actor already.",
            code="osm_id_taken",
        )
    if "ck_actor" in message:
        name = message.split("ck_actor")[1].split('"')[0].strip("_")
        return InvalidInput(
            f"Ungültiger Wert ({name}).", f"Invalid value ({name}).", code="invalid_value"
        )
    return None


def _write(conn: Connection, aid: uuid.UUID | None, values: dict[str, Any]) -> uuid.UUID:
    exprs = {
        c: (
            "ST_GeomFromWKB(:geom, 4326)"
            if c == "geom"
            else "CAST(:tags AS jsonb)"
            if c == "tags"
            else "CAST(:public_fields AS text[])"
            if c == "public_fields"
            else f":{c}"
        )
        for c in values
    }
    try:
        with conn.begin_nested():
            if aid is None:
                return conn.execute(
                    text(
                        f"INSERT INTO actor ({', '.join(exprs)}) VALUES "
                        f"({', '.join(exprs.values())}) RETURNING id"
                    ),
                    values,
                ).scalar_one()
            sets = ", ".join(f"{c} = {e}" for c, e in exprs.items())
            conn.execute(
                text(f"UPDATE actor SET {sets}, version = version + 1 WHERE id = :aid"),
                {**values, "aid": aid},
            )
            return aid
    except DBAPIError as exc:
        refusal = _refusal(exc)
        if refusal is None:
            raise
        raise refusal from None


def set_quarters(conn: Connection, aid: uuid.UUID, quarters: list[int]) -> None:
    params = {"i": aid, "q": quarters}
    conn.execute(
        text(
            "DELETE FROM actor_quarter WHERE actor_id = :i "
            "AND NOT quarter_id = ANY(CAST(:q AS integer[]))"
        ),
        params,
    )
    conn.execute(
        text(
            "INSERT INTO actor_quarter (actor_id, quarter_id) SELECT :i, "
            "unnest(CAST(:q AS integer[])) ON CONFLICT DO NOTHING"
        ),
        params,
    )


def set_offers(conn: Connection, aid: uuid.UUID, offers: list[OfferIn]) -> None:
    """Replace the offers when they differ (an unchanged list writes nothing)."""
    wanted = [(o.what, o.for_whom, o.opening_hours, o.note) for o in offers]
    stored = [
        tuple(r)
        for r in conn.execute(
            text(
                "SELECT what, for_whom, opening_hours, note FROM actor_offer "
                "WHERE actor_id = :i ORDER BY position, id"
            ),
            {"i": aid},
        )
    ]
    if stored == wanted:
        return
    conn.execute(text("DELETE FROM actor_offer WHERE actor_id = :i"), {"i": aid})
    for pos, (what, for_whom, oh, note) in enumerate(wanted):
        conn.execute(
            text(
                "INSERT INTO actor_offer (actor_id, position, what, for_whom, opening_hours, "
                "note) VALUES (:i, :p, :w, :f, :o, :n)"
            ),
            {"i": aid, "p": pos, "w": what, "f": for_whom, "o": oh, "n": note},
        )


def log_consent(
    conn: Connection, aid: uuid.UUID, before: list[str], after: list[str], by: str | None
) -> None:
    for field in FIELDS:
        if (field in before) != (field in after):
            conn.execute(
                text(
                    "INSERT INTO actor_consent_event (actor_id, field, granted, by_account) "
                    "VALUES (:i, :f, :g, :b)"
                ),
                {"i": aid, "f": field, "g": field in after, "b": by},
            )


def create(conn: Connection, viewer: Viewer, body: ActorIn, source: str = "api") -> uuid.UUID:
    require_writer(viewer)
    values = check_values(body.model_dump() | {"offers": body.offers, "location": body.location})
    qids = quarter_ids(conn, body.quarters)
    check_scope(viewer, qids)
    public = list(
        dict.fromkeys(
            body.public_fields
            if body.public_fields is not None
            else default_public_fields(body.kind)
        )
    )
    row = {c: values[c] for c in SCALARS}
    row["external_id"] = row["external_id"] or new_external_id()
    row |= {
        "geom": point_wkb(body.location),
        "tags": json.dumps(values["tags"]),
        "public_fields": public,
        "source": source,
    }
    aid = _write(conn, None, row)
    set_quarters(conn, aid, qids)
    set_offers(conn, aid, values["offers"])
    log_consent(conn, aid, [], public, viewer.name)
    return aid


def _stored(conn: Connection, viewer: Viewer, aid: uuid.UUID) -> dict[str, Any]:
    row = (
        conn.execute(
            text(
                f"SELECT a.version, a.public_fields, {full_sql(viewer)} AS full_view "
                "FROM actor a WHERE a.id = :i FOR UPDATE"
            ),
            {"i": aid},
        )
        .mappings()
        .first()
    )
    if row is None or not row["full_view"]:
        raise not_found(aid)
    return dict(row)


def _version_check(stored: int, sent: int | None) -> None:
    if sent is not None and sent != stored:
        raise Conflict(
            f"Der Akteur wurde inzwischen geändert (Version {stored}, gesendet {sent}).",
            f"The actor was changed meanwhile (version {stored}, sent {sent}).",
            code="version_conflict",
        )


def update(conn: Connection, viewer: Viewer, aid: uuid.UUID, patch: ActorPatch) -> None:
    require_writer(viewer)
    stored = _stored(conn, viewer, aid)
    _version_check(stored["version"], patch.version)
    given = patch.model_dump(exclude_unset=True)
    given.pop("version", None)
    if "offers" in given:
        given["offers"] = patch.offers
    if "location" in given:
        given["location"] = patch.location
    check_values(given)
    row = {c: given[c] for c in SCALARS if c in given}
    if "location" in given:
        row["geom"] = point_wkb(patch.location)
    if "tags" in given:
        row["tags"] = json.dumps(given["tags"])
    if "public_fields" in given:
        row["public_fields"] = list(dict.fromkeys(given["public_fields"]))
    if "quarters" in given:
        qids = quarter_ids(conn, given["quarters"])
        check_scope(viewer, qids)
        set_quarters(conn, aid, qids)
    if "offers" in given:
        set_offers(conn, aid, given["offers"])
    if row:
        _write(conn, aid, row)
    elif "quarters" in given or "offers" in given:
        conn.execute(text("UPDATE actor SET version = version + 1 WHERE id = :i"), {"i": aid})
    if "public_fields" in row:
        log_consent(conn, aid, stored["public_fields"], row["public_fields"], viewer.name)


def set_consent(conn: Connection, viewer: Viewer, aid: uuid.UUID, fields: list[str]) -> None:
    """Replace the consent list; a withdrawn field is gone from every public output on
    commit (the UPDATE bumps the ``akteure`` version that keys every cached tile)."""
    require_writer(viewer)
    stored = _stored(conn, viewer, aid)
    after = list(dict.fromkeys(fields))
    _write(conn, aid, {"public_fields": after})
    log_consent(conn, aid, stored["public_fields"], after, viewer.name)


def delete(conn: Connection, viewer: Viewer, aid: uuid.UUID) -> None:
    require_writer(viewer)
    _stored(conn, viewer, aid)
    conn.execute(text("DELETE FROM actor WHERE id = :i"), {"i": aid})


def actor_exists(conn: Connection, aid: uuid.UUID) -> bool:
    return bool(
        conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM actor WHERE id = :i)"), {"i": aid}
        ).scalar_one()
    )
