"""Interview findings: statements placed through the gazetteer, with a public geometry.

A statement names a place as people say it ("Ecke Hofsteder Straße / Amtsstraße"); we
resolve it against the quarter's gazetteer, record how precisely (method + confidence), flag
what could not be placed for review, and derive the public geometry — generalised when the
place is somebody's home address.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from shapely import wkb
from sqlalchemy import Connection, text

from mapservice.access import Viewer, finding_visibility, scope_sql
from mapservice.capture import revisions
from mapservice.capture.reasons import refuse
from mapservice.capture.retries import RetryConflict, differing
from mapservice.catalog import Catalog, LayerSource
from mapservice.errors import NotFound
from mapservice.georef.gazetteer import Gazetteer
from mapservice.georef.privacy import HomeGrid, generalise, grid_for_gazetteer
from mapservice.georef.redact import Redactor

KINDS = {"strength", "problem", "potential", "idea"}


@dataclass
class FindingRecord:
    statement: str
    kind: str
    quarter: str
    interview_id: uuid.UUID | str
    layer_ids: list[str] = field(default_factory=list)
    place_text: str = ""
    status: str = "draft"
    id: uuid.UUID | str | None = None
    synthetic: bool = False


def check_finding(catalog: Catalog, rec: FindingRecord) -> None:
    """Refuse a finding with an unknown layer or kind, or an empty statement."""
    if not rec.statement.strip():
        raise refuse("title_missing", "statement")
    if len(rec.statement) > 10_000 or len(rec.place_text) > 500:
        raise refuse("text_too_long")
    if "\x00" in rec.statement or "\x00" in rec.place_text:  # PostgreSQL cannot store it
        raise refuse("invalid_value", "NUL (\\u0000)")
    if rec.kind not in KINDS:
        raise refuse("unknown_kind", rec.kind[:40])
    observation_layers = {layer.id for layer in catalog.of_source(LayerSource.OBSERVATIONS)}
    unknown = [lid for lid in rec.layer_ids if lid not in observation_layers]
    if unknown or not rec.layer_ids:
        raise refuse("unknown_layer", ", ".join(unknown)[:200] or "layers")


@dataclass
class QuarterPrivacy:
    """What placing and publishing findings of one quarter needs: its gazetteer, the grid of
    public home points (k-anonymous, :mod:`mapservice.georef.privacy`) and the redactor of
    home house numbers (:mod:`mapservice.georef.redact`)."""

    quarter_id: int
    gazetteer: Gazetteer
    grid: HomeGrid
    redactor: Redactor

    @classmethod
    def load(cls, conn: Connection, quarter_id: int) -> QuarterPrivacy:
        gazetteer = Gazetteer.load(conn, quarter_id=quarter_id)
        quarter_entries = [e for e in gazetteer.entries if e.quarter_id == quarter_id]
        return cls(
            quarter_id, gazetteer, grid_for_gazetteer(quarter_entries),
            Redactor(gazetteer, quarter_id),
        )  # fmt: skip

    def public_geometry(self, geom: Any, method: str, from_home: bool | None) -> Any:
        if geom is None:
            return None
        return generalise(geom, method, from_home_address=from_home, grid=self.grid)


def _wkb(geom: Any) -> bytes | None:
    return wkb.dumps(geom) if geom is not None else None


def store_findings(
    conn: Connection, catalog: Catalog, records: Iterable[FindingRecord]
) -> list[dict[str, Any]]:
    """Georeference and insert findings (existing ids are left alone); returns placements."""
    quarters: dict[int, QuarterPrivacy] = {}
    quarter_ids: dict[str, int] = dict(conn.execute(text("SELECT slug, id FROM quarter")).all())
    placed: list[dict[str, Any]] = []
    for rec in records:
        check_finding(catalog, rec)
        quarter_id = quarter_ids.get(rec.quarter)
        if quarter_id is None:
            raise refuse("unknown_quarter", rec.quarter[:64])
        if quarter_id not in quarters:
            quarters[quarter_id] = QuarterPrivacy.load(conn, quarter_id)
        privacy = quarters[quarter_id]
        res = privacy.gazetteer.resolve(rec.place_text, quarter_id=quarter_id)
        geom = res.geometry
        public = privacy.public_geometry(geom, res.method, res.from_home_address)
        statement = rec.statement.strip()
        fid = rec.id or uuid.uuid4()
        conn.execute(
            text(
                "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, kind, "
                "place_text, geom, georef_method, georef_confidence, from_home_address, "
                "public_geom, needs_review, status, synthetic, public_statement, "
                "public_place_text) VALUES (:id, :iv, :q, :st, "
                ":layers, :kind, :place, ST_GeomFromWKB(:g, 4326), :method, :conf, :home, "
                "ST_GeomFromWKB(:pg, 4326), :review, :status, :syn, :pst, :ppl) "
                "ON CONFLICT (id, quarter_id) DO NOTHING"
            ),
            {
                "id": fid, "iv": rec.interview_id, "q": quarter_id, "st": statement,
                "layers": rec.layer_ids, "kind": rec.kind, "place": rec.place_text,
                "g": _wkb(geom), "method": res.method,
                "conf": round(float(res.confidence), 3), "home": res.from_home_address,
                "pg": _wkb(public), "review": res.needs_review, "status": rec.status,
                "syn": rec.synthetic, "pst": privacy.redactor.redact(statement)[0],
                "ppl": privacy.redactor.redact(rec.place_text)[0],
            },
        )  # fmt: skip
        placed.append({"id": str(fid), "method": res.method, "precision": res.precision,
                       "confidence": res.confidence})  # fmt: skip
    return placed


def republish(conn: Connection, quarter_id: int | None = None) -> int:
    """Recompute public geometry and redacted texts of stored findings (all, or one
    quarter's): after the privacy rule changed (migration 0004) or the gazetteer did."""
    rows = conn.execute(
        text(
            "SELECT id, quarter_id, statement, place_text, georef_method, from_home_address, "
            "ST_AsBinary(geom), from_home_address AND coalesce(ST_Equals(geom, public_geom), "
            "false) FROM finding "
            "WHERE CAST(:q AS integer) IS NULL OR quarter_id = :q ORDER BY quarter_id, id"
        ),
        {"q": quarter_id},
    ).all()
    quarters: dict[int, QuarterPrivacy] = {}
    for fid, qid, statement, place, method, home, geom, erased in rows:
        if qid not in quarters:
            quarters[qid] = QuarterPrivacy.load(conn, qid)
        privacy = quarters[qid]
        exact = wkb.loads(bytes(geom)) if geom is not None else None
        public = privacy.public_geometry(exact, method, home)
        # An erased home already sits at its public point (geom = public_geom, which never
        # happens otherwise): generalising that point again could bring it back near the house.
        conn.execute(
            text(
                "UPDATE finding SET public_geom = CASE WHEN :erased THEN public_geom "
                "ELSE ST_GeomFromWKB(:g, 4326) END, "
                "public_statement = :s, public_place_text = :p WHERE id = :id"
            ),
            {"g": _wkb(public), "s": privacy.redactor.redact(statement)[0],
             "p": privacy.redactor.redact(place or "")[0], "id": fid, "erased": erased},
        )  # fmt: skip
    return len(rows)


class FindingIn(BaseModel):
    """A statement from an interview; ``place_text`` as the person said it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "statement": "An der Ecke ist es abends sehr dunkel.",
                    "layers": ["sicherheit"],
                    "kind": "problem",
                    "place_text": "Ecke Hofsteder Straße / Amtsstraße",
                }
            ]
        },
    )
    id: uuid.UUID | None = None
    statement: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)
    ]
    layers: list[str] = Field(min_length=1, max_length=5)
    kind: Literal["strength", "problem", "potential", "idea"]
    place_text: str = Field(default="", max_length=500)
    status: Literal["draft", "review"] = "review"


FINDING_SELECT = """
SELECT f.id, {interview} q.slug AS quarter, {statement} AS statement, f.layer_ids AS layers,
       f.kind, {place} AS place_text, ST_AsGeoJSON({geom}, 7)::json AS geometry,
       f.georef_method, CASE f.georef_method WHEN 'crossing' THEN 'intersection'
       ELSE f.georef_method END AS georef_precision,
       f.georef_confidence, f.needs_review, f.status, i.participant_group,
       {created} AS created_at
  FROM finding f JOIN quarter q ON q.id = f.quarter_id JOIN interview i ON i.id = f.interview_id
"""


def finding_view(viewer: Viewer) -> tuple[str, str]:
    """SELECT and WHERE for the viewer (``access.finding_visibility``: the public gets the
    generalised geometry, no home address — shown here as an empty place —, the text without
    home house numbers, and neither the interview nor a creation time finer than the day,
    so statements cannot be grouped by the person who made them)."""
    view = finding_visibility(viewer, "f")
    return FINDING_SELECT.format(
        interview="f.interview_id," if view.linked else "",
        statement=view.statement,
        place=f"coalesce({view.place}, '')",
        geom=view.geom,
        created="f.created_at" if view.linked else "date_trunc('day', f.created_at)",
    ), view.visible


def finding_order(viewer: Viewer) -> str:
    """Planners read findings in the order they were made; the public by day, then id (in
    creation order, one person's statements would stand next to each other)."""
    if finding_visibility(viewer, "f").linked:
        return "f.created_at, f.id"
    return "date_trunc('day', f.created_at), f.id"


def fetch_finding(conn: Connection, viewer: Viewer, fid: uuid.UUID) -> dict[str, Any]:
    select, where = finding_view(viewer)
    row = conn.execute(text(f"{select} WHERE f.id = :id AND {where}"), {"id": fid})
    found = row.mappings().first()
    if found is None:
        raise NotFound(
            f"Aussage {fid} nicht gefunden.", f"Finding {fid} not found.", code="not_found"
        )
    return dict(found)


def list_findings(
    conn: Connection, viewer: Viewer, quarter: str | None, status: str | None,
    limit: int, offset: int,
) -> list[dict[str, Any]]:  # fmt: skip
    select, where = finding_view(viewer)
    if viewer.sees_everything and viewer.restricted:  # planner lists: only its own scope
        where = f"{where} AND {scope_sql(viewer, 'f', layer_array=True)}"
    rows = conn.execute(
        text(
            f"{select} WHERE {where} AND (CAST(:q AS text) IS NULL OR q.slug = :q) "
            "AND (CAST(:s AS text) IS NULL OR f.status = :s) "
            f"ORDER BY {finding_order(viewer)} LIMIT :limit OFFSET :offset"
        ),
        {"q": quarter, "s": status, "limit": limit, "offset": offset},
    ).mappings()
    return [dict(r) for r in rows]


def create_finding(
    conn: Connection, catalog: Catalog, viewer: Viewer, interview_id: uuid.UUID, body: FindingIn
) -> tuple[dict[str, Any], bool]:
    viewer.require("field", "planner", "admin")
    fid = body.id or uuid.uuid4()
    if conn.execute(text("SELECT 1 FROM finding WHERE id = :id"), {"id": fid}).first():
        stored = fetch_finding(conn, Viewer("planner"), fid)
        sent = {"interview_id": interview_id, **body.model_dump()}
        fields = differing(stored, sent, ("interview_id", "statement", "layers", "kind",
                                          "place_text"))  # fmt: skip
        if fields:
            raise RetryConflict(
                "Eine Aussage", "finding", stored,
                body.model_dump(mode="json", exclude_unset=True), fields,
            )  # fmt: skip
        return stored, False
    quarter = conn.execute(
        text("SELECT q.slug FROM interview i JOIN quarter q ON q.id = i.quarter_id "
             "WHERE i.id = :id"), {"id": interview_id},
    ).scalar()  # fmt: skip
    if quarter is None:
        raise NotFound(
            f"Interview {interview_id} nicht gefunden.", f"Interview {interview_id} not found.",
            code="not_found",
        )  # fmt: skip
    record = FindingRecord(
        id=fid, interview_id=interview_id, quarter=quarter, statement=body.statement,
        layer_ids=body.layers, kind=body.kind, place_text=body.place_text, status=body.status,
    )  # fmt: skip
    store_findings(conn, catalog, [record])
    return fetch_finding(conn, Viewer("planner"), fid), True


def moderate_finding(
    conn: Connection, viewer: Viewer, fid: uuid.UUID, status: str, note: str
) -> dict[str, Any]:
    """Planners move a finding (or its open revision) — the same rules as observations."""
    from mapservice.capture.observations import (
        PLANNER_MOVES,
        REVISION_PLANNER_MOVES,
        check_move,
    )

    viewer.require("planner", "admin")
    current = fetch_finding(conn, viewer, fid)
    if viewer.restricted:
        quarter_id = conn.execute(
            text("SELECT quarter_id FROM finding WHERE id = :id"), {"id": fid}
        ).scalar()
        viewer.require_scope(layers=current["layers"], quarter_id=quarter_id)
    pending = revisions.open_revision(conn, "finding", fid)
    before = current["status"] if pending is None else pending["state"]
    check_move(viewer, PLANNER_MOVES if pending is None else REVISION_PLANNER_MOVES, before, status)
    revisions.require_note(status, note)
    if pending is not None:
        if status == "published":
            revisions.apply(conn, ":rid", {"rid": pending["id"]})
        else:
            revisions.close(conn, ":rid", {"rid": pending["id"]}, status)
    else:
        conn.execute(
            text(
                "UPDATE finding SET status = :s, version = version + 1, updated_at = now() "
                "WHERE id = :id"
            ),
            {"s": status, "id": fid},
        )
    conn.execute(
        text(
            "INSERT INTO moderation_event (quarter_id, finding_id, from_status, to_status, "
            "account_id, note, revision_id) SELECT quarter_id, id, :f, :t, :a, :n, :r "
            "FROM finding WHERE id = :id"
        ),
        {"f": before, "t": status, "a": viewer.account_id, "n": note, "id": fid,
         "r": pending["id"] if pending else None},
    )  # fmt: skip
    return fetch_finding(conn, viewer, fid)
