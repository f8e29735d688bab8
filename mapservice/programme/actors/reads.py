"""Reading actors: who sees which actor, and which of its fields (consent per field).

One rule for every output. ``field_sql`` gives, per field, the SQL that yields the value
or NULL: planners and admins (inside the quarters their account is kept to) read every
field; everybody else reads a field only when its name is in ``public_fields``. An actor is
visible to the public when it is published *and* consented to its name — so a person
without consent is not there at all. API, OGC items, tiles, exports and the quarter map all
select through these fragments, so withdrawing consent empties the field everywhere in the
same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.errors import NotFound
from mapservice.programme.actors import hours
from mapservice.programme.actors.vocab import FIELDS, kind_label

PUBLIC_ROW = "({a}.published AND 'name' = ANY({a}.public_fields))"
#: field → column (``location`` is the point, ``offers`` a sub-select)
COLUMNS = {
    "name": "name",
    "description": "description",
    "address": "address",
    "location": "geom",
    "phone": "phone",
    "email": "email",
    "website": "website",
}


def full_sql(viewer: Viewer, a: str = "a") -> str:
    """True where the viewer reads the whole actor (planners inside their quarters)."""
    if not viewer.sees_everything:
        return "false"
    if viewer.quarters is None:
        return "true"
    ids = ", ".join(str(int(q)) for q in sorted(viewer.quarters)) or "NULL"
    return (
        f"EXISTS (SELECT 1 FROM actor_quarter vq WHERE vq.actor_id = {a}.id "
        f"AND vq.quarter_id IN ({ids}))"
    )


def visible_sql(viewer: Viewer, a: str = "a") -> str:
    full = full_sql(viewer, a)
    public = PUBLIC_ROW.format(a=a)
    return "true" if full == "true" else f"({full} OR {public})"


def shown_sql(viewer: Viewer, field: str, a: str = "a") -> str:
    full = full_sql(viewer, a)
    consent = f"'{field}' = ANY({a}.public_fields)"
    return "true" if full == "true" else f"({full} OR {consent})"


def field_sql(viewer: Viewer, a: str = "a") -> dict[str, str]:
    """Field → SQL giving the value the viewer may read, or NULL."""
    out = {}
    for field, column in COLUMNS.items():
        shown = shown_sql(viewer, field, a)
        out[field] = (
            f"{a}.{column}" if shown == "true" else f"CASE WHEN {shown} THEN {a}.{column} END"
        )
    return out


def offers_sql(viewer: Viewer, a: str = "a") -> str:
    """The visible offers as a JSON array (empty without consent to ``offers``)."""
    return (
        "coalesce((SELECT json_agg(json_build_object('what', o.what, 'for_whom', o.for_whom, "
        "'opening_hours', o.opening_hours, 'note', o.note) ORDER BY o.position, o.id) "
        f"FROM actor_offer o WHERE o.actor_id = {a}.id AND {shown_sql(viewer, 'offers', a)}), "
        "'[]'::json)"
    )


def not_found(aid: object) -> NotFound:
    return NotFound(
        f"Akteur {str(aid)[:64]} nicht gefunden.",
        f"Actor {str(aid)[:64]} not found.",
        code="unknown_actor",
    )


def select_sql(viewer: Viewer) -> str:
    f = field_sql(viewer)
    planner = (
        ", a.public_fields, a.published, a.version, a.source, a.created_at, a.updated_at"
        if viewer.sees_everything
        else ""
    )
    return f"""
SELECT a.id, a.external_id, a.osm_id, a.kind, {f["name"]} AS name,
       {f["description"]} AS description, {f["address"]} AS address,
       ST_AsGeoJSON({f["location"]}, 7)::json AS geometry, {f["phone"]} AS phone,
       {f["email"]} AS email, {f["website"]} AS website, a.tags, a.synthetic,
       {offers_sql(viewer)} AS offers, {full_sql(viewer)} AS full_view,
       ARRAY(SELECT q.slug FROM actor_quarter aq JOIN quarter q ON q.id = aq.quarter_id
              WHERE aq.actor_id = a.id ORDER BY q.slug) AS quarters{planner}
  FROM actor a"""


@dataclass(frozen=True)
class ActorFilter:
    quarter: str | None = None
    kind: str | None = None
    search: str | None = None  # name, description, offers (what / for whom) — visible text
    located: bool = False
    bbox: tuple[float, float, float, float] | None = None
    limit: int = 1000
    offset: int = 0

    def sql(self, viewer: Viewer) -> tuple[str, dict[str, Any]]:
        parts, params = [visible_sql(viewer)], {}
        f = field_sql(viewer)
        if self.quarter is not None:
            parts.append(
                "EXISTS (SELECT 1 FROM actor_quarter fq JOIN quarter fqq ON fqq.id = "
                "fq.quarter_id WHERE fq.actor_id = a.id AND fqq.slug = :f_quarter)"
            )
            params["f_quarter"] = self.quarter
        if self.kind is not None:
            parts.append("a.kind = :f_kind")
            params["f_kind"] = self.kind
        if self.located:
            parts.append(f"{f['location']} IS NOT NULL")
        if self.bbox is not None:
            parts.append(f"{f['location']} && ST_MakeEnvelope(:b0, :b1, :b2, :b3, 4326)")
            params.update({f"b{i}": v for i, v in enumerate(self.bbox)})
        if self.search:
            # only text the viewer may read is searched: a withdrawn field never matches
            parts.append(
                f"({f['name']} ILIKE :f_q OR {f['description']} ILIKE :f_q OR EXISTS "
                "(SELECT 1 FROM actor_offer so WHERE so.actor_id = a.id AND "
                f"{shown_sql(viewer, 'offers')} AND (so.what ILIKE :f_q OR "
                "so.for_whom ILIKE :f_q OR so.note ILIKE :f_q)))"
            )
            escaped = self.search.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            params["f_q"] = f"%{escaped}%"
        return " AND ".join(f"({p})" for p in parts), params


def _shape(row: dict[str, Any], lang: str) -> dict[str, Any]:
    row = dict(row)
    row["kind_label"] = kind_label(row["kind"], lang)
    for offer in row["offers"]:
        offer.update(hours.state(offer["opening_hours"]))
    full = row.pop("full_view")
    if not full:  # the public never learns which fields exist but are withheld
        for key in ("description", "address", "phone", "email", "website"):
            if row.get(key) in (None, ""):
                row.pop(key, None)
    row["id"] = str(row["id"])
    return row


def list_actors(
    conn: Connection, viewer: Viewer, flt: ActorFilter, lang: str = "de"
) -> tuple[list[dict[str, Any]], int]:
    where, params = flt.sql(viewer)
    total = conn.execute(text(f"SELECT count(*) FROM actor a WHERE {where}"), params).scalar_one()
    rows = conn.execute(
        text(f"{select_sql(viewer)} WHERE {where} ORDER BY a.name, a.id LIMIT :lim OFFSET :off"),
        {**params, "lim": flt.limit, "off": flt.offset},
    ).mappings()
    return [_shape(r, lang) for r in rows], int(total)


def get_actor(conn: Connection, viewer: Viewer, aid: uuid.UUID, lang: str = "de") -> dict:
    row = (
        conn.execute(
            text(f"{select_sql(viewer)} WHERE a.id = :i AND {visible_sql(viewer)}"), {"i": aid}
        )
        .mappings()
        .first()
    )
    if row is None:
        raise not_found(aid)
    return _shape(row, lang)


def names(conn: Connection, viewer: Viewer, ids: set[Any]) -> dict[Any, str]:
    """Id → name of the actors among ``ids`` the viewer may see (for measures' links)."""
    if not ids:
        return {}
    rows = conn.execute(
        text(f"SELECT a.id, a.name FROM actor a WHERE a.id = ANY(:ids) AND {visible_sql(viewer)}"),
        {"ids": list(ids)},
    ).all()
    return {r.id: r.name for r in rows}


def consent_history(conn: Connection, aid: uuid.UUID) -> list[dict[str, Any]]:
    """Who granted or withdrew which field when (never the values)."""
    rows = conn.execute(
        text(
            "SELECT field, granted, by_account, at FROM actor_consent_event "
            "WHERE actor_id = :i ORDER BY at, id"
        ),
        {"i": aid},
    ).mappings()
    return [dict(r) for r in rows]


__all__ = ["FIELDS", "ActorFilter", "field_sql", "get_actor", "list_actors", "visible_sql"]
