"""Import actors from CSV, GeoJSON and OpenStreetMap extracts; export them as CSV.

One way in for all three: each file becomes rows of plain values, each row becomes an
``ActorIn`` and runs the same checks as the API (:func:`.schemas.check_values`). Rows are
upserted by ``osm_id`` (OSM objects, ``@id`` = ``node/123``) or ``external_id``: importing
the same file twice changes nothing (0 changed, no version bump), a changed row updates
that actor. One refused row refuses the file with line/feature number and reason in German
and English — nothing half-written — unless ``skip_invalid`` asks to write the rest.

Consent is never granted again by an import: an update leaves ``public_fields`` alone unless
the file has that column; a new organisation publishes all fields, a new person none.

- CSV: columns as ``export_csv`` writes them; several rows with the same ``external_id``
  add offers (``offer_what``, ``offer_for_whom``, ``offer_opening_hours``). ``;`` separates
  quarters and consent fields, ``key=value;…`` the tags.
- GeoJSON: the same names as properties, a point geometry.
- OSM (overpass-turbo / osmtogeojson): ``name``, ``amenity``, ``social_facility[:for]``,
  ``opening_hours``, ``contact:phone``/``phone``, ``contact:email``/``email``,
  ``website``/``contact:website``, ``addr:*``; a way's point is its polygon's inner point.
"""

from __future__ import annotations

import json
from typing import Any

import shapely
from pydantic import ValidationError
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.errors import KarteError
from mapservice.programme.actors.rows import Row, RowError, read_file, values_of
from mapservice.programme.actors.schemas import ActorIn, ActorPatch, check_values
from mapservice.programme.actors.writes import create, require_writer, update
from mapservice.programme.csvio import ImportReport, Refused
from mapservice.programme.writes import quarter_ids


def _stored(conn: Connection) -> dict[str, dict[str, Any]]:
    """Stored actors by osm_id and external_id, in the shape of a row's values."""
    rows = conn.execute(
        text(
            "SELECT a.id, a.external_id, a.osm_id, a.name, a.kind, a.description, a.address, "
            "a.phone, a.email, a.website, a.tags, a.public_fields, a.published, "
            "ST_AsGeoJSON(a.geom, 7)::json AS location, "
            "ARRAY(SELECT q.slug FROM actor_quarter aq JOIN quarter q ON q.id = aq.quarter_id "
            "WHERE aq.actor_id = a.id ORDER BY q.slug) AS quarters, "
            "coalesce((SELECT json_agg(json_build_object('what', o.what, 'for_whom', o.for_whom, "
            "'opening_hours', o.opening_hours, 'note', o.note) ORDER BY o.position, o.id) "
            "FROM actor_offer o WHERE o.actor_id = a.id), '[]'::json) AS offers FROM actor a"
        )
    ).mappings()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        row = dict(r)
        out[row["external_id"]] = row
        if row["osm_id"]:
            out[row["osm_id"]] = row
    return out


def _same(name: str, new: Any, old: Any) -> bool:
    if name == "location":
        if new is None or old is None:
            return new is None and old is None
        a = shapely.geometry.shape(new if isinstance(new, dict) else new.model_dump())
        return shapely.equals_exact(a, shapely.geometry.shape(old), tolerance=1e-7)
    if name == "offers":
        norm = [
            {
                "what": o.what,
                "for_whom": o.for_whom,
                "opening_hours": o.opening_hours,
                "note": o.note,
            }
            for o in new
        ]
        return norm == list(old)
    if name in ("quarters", "public_fields"):
        return sorted(new) == sorted(old)
    return new == old


def _quarters_by_place(conn: Connection, point: dict[str, Any] | None) -> list[str]:
    if point is None:
        return []
    found = conn.execute(
        text(
            "SELECT slug FROM quarter WHERE ST_Intersects(boundary, "
            "ST_SetSRID(ST_GeomFromGeoJSON(:g), 4326)) ORDER BY slug"
        ),
        {"g": json.dumps(point)},
    ).scalars()
    return list(found)


def import_file(
    conn: Connection,
    viewer: Viewer,
    data: bytes,
    *,
    filename: str = "",
    quarter: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportReport:
    """Check every row, then write all, none, or (``skip_invalid``) the valid ones."""
    require_writer(viewer)
    fmt, raws = read_file(data, filename)
    stored = _stored(conn)
    report = ImportReport(read=len(raws), dry_run=dry_run)
    merged: dict[str, Row] = {}
    for number, raw in raws:
        key = ""
        try:
            values = values_of(fmt, raw)
            key = values.get("osm_id") or values.get("external_id") or ""
            if not key:
                raise RowError(
                    "missing_id",
                    "external_id oder osm_id fehlt",
                    "external_id or osm_id is missing",
                )
            if key in merged:
                if fmt != "csv" or not values.get("offers"):
                    raise RowError(
                        "duplicate_id",
                        f"{key} steht schon in Zeile {merged[key].number}",
                        f"{key} occurs already in line {merged[key].number}",
                    )
                merged[key].values.setdefault("offers", []).extend(values["offers"])
                continue
            merged[key] = Row(number, key, values, set(values))
        except RowError as exc:
            report.refused.append(Refused(number, key[:80], exc.code, exc.de, exc.en))
    plan: list[tuple[dict[str, Any] | None, Row, Any]] = []
    for row in merged.values():
        old = stored.get(row.key)
        try:
            plan.append((old, row, _check(conn, row, old, quarter, fmt)))
        except RowError as exc:
            report.refused.append(Refused(row.number, row.key[:80], exc.code, exc.de, exc.en))
    report.refused.sort(key=lambda r: r.row)
    if report.refused and not skip_invalid:
        return report
    writes = []
    for old, _row, body in plan:
        if old is None:
            report.created += 1
            writes.append((None, body))
            continue
        changed = {
            k: v
            for k, v in body.model_dump(exclude_unset=True).items()
            if k not in ("external_id", "osm_id") and not _same(k, getattr(body, k), old.get(k))
        }
        if changed:
            report.updated += 1
            writes.append(
                (
                    old["id"],
                    ActorPatch.model_validate(
                        {k: body.model_dump(mode="json")[k] for k in changed}
                    ),
                )
            )
        else:
            report.unchanged += 1
    if dry_run:
        return report
    for aid, body in writes:
        with conn.begin_nested():
            if aid is None:
                create(conn, viewer, body, source=fmt)
            else:
                update(conn, viewer, aid, body)
    report.written = True
    return report


def _check(
    conn: Connection, row: Row, old: dict[str, Any] | None, quarter: str | None, fmt: str
) -> Any:
    """The row as a validated ``ActorIn`` (new) or as the fields it sets (update)."""
    values = dict(row.values)
    if "quarters" not in values:
        if quarter:
            values["quarters"] = [quarter]
        elif old is not None:
            values["quarters"] = list(old["quarters"])
        else:
            values["quarters"] = _quarters_by_place(conn, values.get("location"))
        if not values["quarters"]:
            raise RowError(
                "outside_quarter",
                "liegt in keinem Quartier (quarter angeben)",
                "lies in no quarter (give quarter)",
            )
    if old is not None:
        base = {k: old[k] for k in ("name", "kind")}
        values = base | values
        values.setdefault("external_id", old["external_id"])
        if "public_fields" not in row.fields:
            values.pop("public_fields", None)  # an import never grants consent again
    try:
        body = ActorIn.model_validate(values)
        check_values(body.model_dump() | {"offers": body.offers, "location": body.location})
        with conn.begin_nested():
            quarter_ids(conn, body.quarters)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise RowError(
            "invalid_value",
            f"{where}: ungültig ({err['msg'][:120]})",
            f"{where}: invalid ({err['msg'][:120]})",
        ) from None
    except KarteError as exc:
        raise RowError(exc.code, exc.message_de, exc.message_en) from None
    if old is not None:
        keep = set(row.fields) | ({"quarters"} if "quarters" in values else set())
        body = ActorIn.model_validate(
            {
                k: v
                for k, v in body.model_dump().items()
                if k in keep or k in ("name", "kind", "quarters")
            }
        )
    return body
