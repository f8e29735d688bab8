"""CSV and GeoJSON export of actors: what the viewer may read, in the import's columns.

The public gets only consented fields, through the same SQL fragments as every other output
(:mod:`.reads`); one row per offer, so the file reads back through the import unchanged.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.programme.actors.reads import field_sql, offers_sql, visible_sql
from mapservice.programme.actors.rows import COLUMNS


def _csv_cell(value: Any) -> str:
    out = "" if value is None else str(value)
    return "'" + out if out[:1] in ("=", "+", "-", "@", "\t", "\r") else out


def export_csv(conn: Connection, viewer: Viewer, quarter: str | None = None) -> str:
    """The actors the viewer may read, one row per offer, in the import's columns; the
    public gets only consented fields (the same rule as every other output)."""
    f = field_sql(viewer)
    where = visible_sql(viewer)
    params: dict[str, Any] = {}
    if quarter is not None:
        where += (
            " AND EXISTS (SELECT 1 FROM actor_quarter eq JOIN quarter eqq ON eqq.id = "
            "eq.quarter_id WHERE eq.actor_id = a.id AND eqq.slug = :q)"
        )
        params["q"] = quarter
    extra = (
        ", array_to_string(a.public_fields, ';') AS public_fields, a.published"
        if (viewer.sees_everything)
        else ""
    )
    rows = conn.execute(
        text(
            f"SELECT a.external_id, a.osm_id, {f['name']} AS name, a.kind, "
            f"{f['description']} AS description, ARRAY(SELECT q.slug FROM actor_quarter aq "
            "JOIN quarter q ON q.id = aq.quarter_id WHERE aq.actor_id = a.id ORDER BY q.slug) "
            "AS quarters, "
            f"{f['address']} AS address, ST_X({f['location']}) AS lon, "
            f"ST_Y({f['location']}) AS lat, "
            f"{f['phone']} AS phone, {f['email']} AS email, {f['website']} AS website, a.tags, "
            f"{offers_sql(viewer)} AS offers{extra} FROM actor a WHERE {where} "
            "ORDER BY a.external_id"
        ),
        params,
    ).mappings()
    columns = [
        c for c in COLUMNS if viewer.sees_everything or c not in ("public_fields", "published")
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        base = dict(r)
        base["quarters"] = ";".join(base["quarters"])
        base["tags"] = ";".join(f"{k}={v}" for k, v in sorted(base["tags"].items()))
        if "published" in base:
            base["published"] = "ja" if base["published"] else "nein"
        for col in ("lon", "lat"):
            base[col] = "" if base[col] is None else f"{base[col]:.7f}"
        offers = base.pop("offers") or [{}]
        for offer in offers:
            line = base | {
                "offer_what": offer.get("what"),
                "offer_for_whom": offer.get("for_whom"),
                "offer_opening_hours": offer.get("opening_hours"),
            }
            writer.writerow([_csv_cell(line.get(c)) for c in columns])
    return out.getvalue()


def geojson_export(conn: Connection, viewer: Viewer, quarter: str | None = None) -> dict:
    from mapservice.programme.actors.ogc import feature
    from mapservice.programme.actors.reads import ActorFilter, list_actors

    rows, _ = list_actors(conn, viewer, ActorFilter(quarter=quarter, located=True, limit=10_000))
    return {"type": "FeatureCollection", "features": [feature(a) for a in rows]}
