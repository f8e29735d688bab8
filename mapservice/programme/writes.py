"""Writing measures: create, change, delete — with the checks that give clear refusals.

The database holds the last line (CHECKs, the no-cycle trigger, the unique external id);
the checks here come first so a planner reads *which* measure closes a cycle or which
quarter is unknown, in German and English, instead of a constraint name.
"""

from __future__ import annotations

import uuid
from typing import Any

from shapely import wkb
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from mapservice.access import Viewer
from mapservice.capture.geometry import check_world, ensure_valid, parse_geometry
from mapservice.catalog import Catalog
from mapservice.errors import Conflict, InvalidInput
from mapservice.programme.measures import not_found, visible_sql
from mapservice.programme.schemas import MeasureIn, MeasurePatch

GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
COLUMNS = (
    "external_id",
    "reference",
    "title",
    "description",
    "parent_id",
    "geom",
    "layer_ids",
    "dimensions",
    "responsible",
    "actor_id",
    "start_date",
    "end_date",
    "budget",
    "phase",
    "status",
    "progress",
    "weight",
    "published",
)


def require_writer(viewer: Viewer) -> None:
    viewer.require("planner", "admin")


def quarter_ids(conn: Connection, slugs: list[str]) -> list[int]:
    """Quarter ids of ``slugs`` (in order, without repeats); an unknown slug is refused."""
    wanted = list(dict.fromkeys(slugs))
    rows = dict(
        conn.execute(text("SELECT slug, id FROM quarter WHERE slug = ANY(:s)"), {"s": wanted}).all()
    )
    missing = [s for s in wanted if s not in rows]
    if missing:
        names = ", ".join(m[:64] for m in missing[:5])
        raise InvalidInput(
            f"Unbekanntes Quartier: {names}.", f"Unknown quarter: {names}.", code="unknown_quarter"
        )
    return [int(rows[s]) for s in wanted]


def check_layers(catalog: Catalog, layers: list[str]) -> list[str]:
    unknown = [lay for lay in layers if lay not in catalog]
    if unknown:
        names = ", ".join(u[:64] for u in unknown[:5])
        raise InvalidInput(
            f"Unbekannte Themenebene: {names}.", f"Unknown layer: {names}.", code="unknown_layer"
        )
    return list(dict.fromkeys(layers))


def geometry_wkb(data: Any) -> bytes | None:
    """A GeoJSON geometry (EPSG:4326) as WKB, refused when unreadable, invalid or a kind a
    measure cannot be (a GeometryCollection)."""
    if data is None:
        return None
    geom = parse_geometry(data)
    check_world(geom)
    geom = ensure_valid(geom)
    if geom.geom_type not in GEOMETRY_TYPES:
        raise InvalidInput(
            f"Geometrietyp {geom.geom_type} geht nicht; Punkt, Linie oder Fläche angeben.",
            f"Geometry type {geom.geom_type} is not possible; give a point, line or area.",
            code="geometry_type_not_allowed",
        )
    return wkb.dumps(geom)


def check_actor(conn: Connection, actor_id: uuid.UUID | None) -> uuid.UUID | None:
    """The responsible actor exists (drafts too: planners link before publishing)."""
    if actor_id is None:
        return None
    if conn.execute(text("SELECT 1 FROM actor WHERE id = :i"), {"i": actor_id}).first() is None:
        raise InvalidInput(
            f"Akteur {actor_id} gibt es nicht.",
            f"Actor {actor_id} does not exist.",
            code="unknown_actor",
        )
    return actor_id


def _title(conn: Connection, mid: Any) -> str:
    found = conn.execute(text("SELECT title FROM measure WHERE id = :i"), {"i": mid}).scalar()
    return f"„{found}“" if found else str(mid)


def check_parent(conn: Connection, viewer: Viewer, mid: uuid.UUID | None, parent: Any) -> None:
    """The parent exists (for this viewer) and is not the measure itself or below it."""
    if parent is None:
        return
    found = conn.execute(
        text(f"SELECT 1 FROM measure m WHERE m.id = :p AND {visible_sql(viewer)}"), {"p": parent}
    ).first()
    if found is None:
        raise InvalidInput(
            f"Übergeordnete Maßnahme {parent} gibt es nicht.",
            f"Parent measure {parent} does not exist.",
            code="unknown_parent",
        )
    if mid is None:
        return
    if parent == mid:
        raise cycle_error(_title(conn, mid), _title(conn, mid))
    chain = (
        conn.execute(
            text(
                "WITH RECURSIVE up(id, parent_id, depth) AS ("
                " SELECT id, parent_id, 1 FROM measure WHERE id = :p UNION ALL"
                " SELECT m.id, m.parent_id, up.depth + 1 FROM measure m JOIN up"
                " ON m.id = up.parent_id WHERE up.depth < 10000) SELECT id FROM up"
            ),
            {"p": parent},
        )
        .scalars()
        .all()
    )
    if mid in chain:
        raise cycle_error(_title(conn, mid), _title(conn, parent))


def cycle_error(child: str, parent: str) -> InvalidInput:
    return InvalidInput(
        f"Zyklus: {parent} liegt schon unter {child}; {child} kann deshalb nicht unter "
        f"{parent} stehen.",
        f"Cycle: {parent} is already below {child}, so {child} cannot be placed under {parent}.",
        code="measure_cycle",
    )


def _has_children(conn: Connection, mid: uuid.UUID) -> bool:
    return conn.execute(
        text("SELECT EXISTS (SELECT 1 FROM measure WHERE parent_id = :i)"), {"i": mid}
    ).scalar_one()


def progress_on_parent() -> InvalidInput:
    return InvalidInput(
        "Diese Maßnahme hat Teilmaßnahmen: ihr Fortschritt wird aus ihnen berechnet und kann "
        "nicht von Hand gesetzt werden.",
        "This measure has sub-measures: its progress is computed from them and cannot be set "
        "by hand.",
        code="progress_computed",
    )


def check_dates(start: Any, end: Any) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            f"Ende ({end}) liegt vor dem Beginn ({start}).",
            f"End ({end}) lies before the start ({start}).",
            code="end_before_start",
        )


def check_scope(viewer: Viewer, quarters: list[int]) -> None:
    for qid in quarters:
        viewer.require_scope(quarter_id=qid)


def stored_quarters(conn: Connection, mid: uuid.UUID) -> list[int]:
    return list(
        conn.execute(
            text("SELECT quarter_id FROM measure_quarter WHERE measure_id = :i"), {"i": mid}
        ).scalars()
    )


def set_quarters(conn: Connection, mid: uuid.UUID, quarters: list[int]) -> None:
    conn.execute(
        text(
            "DELETE FROM measure_quarter WHERE measure_id = :i "
            "AND NOT quarter_id = ANY(CAST(:q AS integer[]))"
        ),
        {"i": mid, "q": quarters},
    )
    conn.execute(
        text(
            "INSERT INTO measure_quarter (measure_id, quarter_id) SELECT :i, "
            "unnest(CAST(:q AS integer[])) "
            "ON CONFLICT DO NOTHING"
        ),
        {"i": mid, "q": quarters},
    )


def new_external_id() -> str:
    return f"M-{uuid.uuid4().hex[:10]}"


def database_refusal(exc: DBAPIError) -> InvalidInput | Conflict | None:
    """A constraint the checks above did not catch (e.g. two writers at once), in words."""
    message = str(getattr(exc, "orig", exc))
    if "uq_measure_external_id" in message:
        return Conflict(
            "Diese externe Kennung ist schon vergeben.",
            "This external id is taken already.",
            code="external_id_taken",
        )
    if "measure_cycle" in message or "close a cycle" in message:
        return cycle_error("die Maßnahme", "die übergeordnete")
    if "ck_measure_" in message:
        name = message.split("ck_measure_")[1].split('"')[0]
        return InvalidInput(
            f"Ungültiger Wert ({name}).", f"Invalid value ({name}).", code="invalid_value"
        )
    return None


def write_row(conn: Connection, mid: uuid.UUID | None, values: dict[str, Any]) -> uuid.UUID:
    """INSERT (``mid`` None) or UPDATE the columns in ``values`` inside a savepoint."""
    geom = "ST_GeomFromWKB(:geom, 4326)"
    try:
        with conn.begin_nested():
            if mid is None:
                cols = list(values)
                exprs = [geom if c == "geom" else f":{c}" for c in cols]
                return conn.execute(
                    text(
                        f"INSERT INTO measure ({', '.join(cols)}) VALUES ({', '.join(exprs)}) "
                        "RETURNING id"
                    ),
                    values,
                ).scalar_one()
            sets = [f"{c} = {geom if c == 'geom' else ':' + c}" for c in values]
            conn.execute(
                text(
                    f"UPDATE measure SET {', '.join(sets)}, version = version + 1 WHERE id = :mid"
                ),
                {**values, "mid": mid},
            )
            return mid
    except (IntegrityError, DBAPIError) as exc:
        refusal = database_refusal(exc)
        if refusal is None:
            raise
        raise refusal from None


def create(
    conn: Connection, catalog: Catalog, viewer: Viewer, body: MeasureIn, *, synthetic: bool = False
) -> uuid.UUID:
    """Store a new measure; returns its id."""
    require_writer(viewer)
    quarters = quarter_ids(conn, body.quarters)
    check_scope(viewer, quarters)
    check_parent(conn, viewer, None, body.parent_id)
    check_dates(body.start_date, body.end_date)
    values: dict[str, Any] = {
        "external_id": body.external_id or new_external_id(),
        "reference": body.reference.strip(),
        "title": body.title,
        "description": body.description,
        "parent_id": body.parent_id,
        "geom": geometry_wkb(body.geometry),
        "layer_ids": check_layers(catalog, body.layers),
        "dimensions": list(dict.fromkeys(body.dimensions)),
        "responsible": body.responsible.strip(),
        "actor_id": check_actor(conn, body.responsible_actor_id),
        "start_date": body.start_date,
        "end_date": body.end_date,
        "budget": body.budget,
        "phase": body.phase,
        "status": body.status,
        "progress": body.progress,
        "weight": body.weight,
        "published": body.published,
    }
    if values["geom"] is None:
        del values["geom"]
    if synthetic:
        values["synthetic"] = True
    mid = write_row(conn, None, values)
    set_quarters(conn, mid, quarters)
    return mid


def _stored(conn: Connection, viewer: Viewer, mid: uuid.UUID) -> Any:
    row = conn.execute(
        text(f"SELECT m.* FROM measure m WHERE m.id = :i AND {visible_sql(viewer)} FOR UPDATE"),
        {"i": mid},
    ).first()
    if row is None:
        raise not_found(mid)
    return row


def update(
    conn: Connection, catalog: Catalog, viewer: Viewer, mid: uuid.UUID, patch: MeasurePatch
) -> None:
    """Apply the fields ``patch`` sets; 409 when ``version`` is not the stored one."""
    require_writer(viewer)
    row = _stored(conn, viewer, mid)
    check_scope(viewer, stored_quarters(conn, mid))
    sent = patch.model_fields_set
    if patch.version is not None and patch.version != row.version:
        raise Conflict(
            f"Die Maßnahme wurde inzwischen geändert (Version {row.version}, nicht "
            f"{patch.version}); bitte neu laden.",
            f"The measure was changed meanwhile (version {row.version}, not {patch.version}); "
            "please reload.",
            code="version_conflict",
        )
    values: dict[str, Any] = {}
    for name in (
        "external_id",
        "reference",
        "title",
        "description",
        "responsible",
        "start_date",
        "end_date",
        "budget",
        "phase",
        "status",
        "progress",
        "weight",
        "published",
        "parent_id",
    ):
        if name in sent:
            value = getattr(patch, name)
            values[name] = value.strip() if name in ("reference", "responsible") else value
    if "responsible_actor_id" in sent:
        values["actor_id"] = check_actor(conn, patch.responsible_actor_id)
    if "geometry" in sent:
        values["geom"] = geometry_wkb(patch.geometry)
    if "layers" in sent and patch.layers is not None:
        values["layer_ids"] = check_layers(catalog, patch.layers)
    if "dimensions" in sent and patch.dimensions is not None:
        values["dimensions"] = list(dict.fromkeys(patch.dimensions))
    if "parent_id" in sent:
        check_parent(conn, viewer, mid, patch.parent_id)
    if values.get("progress") is not None and _has_children(conn, mid):
        raise progress_on_parent()
    check_dates(values.get("start_date", row.start_date), values.get("end_date", row.end_date))
    quarters = None
    if "quarters" in sent and patch.quarters is not None:
        quarters = quarter_ids(conn, patch.quarters)
        check_scope(viewer, quarters)
    if values.get("geom", b"") is None:  # cleared: NULL, not ST_GeomFromWKB(NULL)
        del values["geom"]
        conn.execute(text("UPDATE measure SET geom = NULL WHERE id = :i"), {"i": mid})
    if values:
        write_row(conn, mid, values)
    elif quarters is not None or "geometry" in sent:
        _bump(conn, mid)
    if quarters is not None:
        set_quarters(conn, mid, quarters)


def _bump(conn: Connection, mid: uuid.UUID) -> None:
    conn.execute(text("UPDATE measure SET version = version + 1 WHERE id = :i"), {"i": mid})


def delete(conn: Connection, viewer: Viewer, mid: uuid.UUID) -> None:
    """Delete a measure with its milestones and links; refused while it has sub-measures."""
    require_writer(viewer)
    _stored(conn, viewer, mid)
    check_scope(viewer, stored_quarters(conn, mid))
    if _has_children(conn, mid):
        raise Conflict(
            "Die Maßnahme hat Teilmaßnahmen; diese zuerst löschen oder umhängen.",
            "The measure has sub-measures; delete or move them first.",
            code="measure_has_children",
        )
    conn.execute(text("DELETE FROM measure WHERE id = :i"), {"i": mid})


def require_measure(conn: Connection, viewer: Viewer, mid: uuid.UUID) -> None:
    """404 unless the measure exists and the viewer may read it."""
    found = conn.execute(
        text(f"SELECT 1 FROM measure m WHERE m.id = :i AND {visible_sql(viewer)}"), {"i": mid}
    ).first()
    if found is None:
        raise not_found(mid)
