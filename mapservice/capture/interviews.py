"""Interviews: who was asked (pseudonym, group), their contact data apart, and erasure.

Contact data lives in ``interview_contact`` and is only read or written by planners and
admins. Erasure (a data-protection request) deletes the contact row, replaces the pseudonym,
removes the person's place from the statements (home house numbers out of the text, the
exact home position replaced by its generalised one) and records an audit entry, while the
statements themselves — anonymous findings about places — stay in the quarter's map.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints
from sqlalchemy import Connection, text

from mapservice.access import Viewer, scope_sql
from mapservice.capture.findings import QuarterPrivacy
from mapservice.capture.reasons import refuse
from mapservice.capture.retries import RetryConflict, differing
from mapservice.capture.strict import refuse_future
from mapservice.errors import NotFound

Group = Literal["residents", "multipliers", "experts", "administration"]
Consent = Literal["given", "withdrawn"]


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=300)
    consent: str | None = Field(default=None, max_length=2000)


class InterviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "quarter": "bochum-hamme",
                    "held_on": "2026-03-13",
                    "participant_group": "residents",
                    "pseudonym": "B-13",
                }
            ]
        },
    )
    id: uuid.UUID | None = None
    quarter: str = Field(max_length=64)
    held_on: date
    participant_group: Group
    pseudonym: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    consent: Consent = "given"
    contact: ContactIn | None = None


class InterviewOut(BaseModel):
    id: uuid.UUID
    quarter: str
    held_on: date
    participant_group: Group
    pseudonym: str
    consent: Consent = "given"
    findings: int
    has_contact: bool


SELECT = """
SELECT i.id, q.slug AS quarter, i.quarter_id, i.held_on, i.participant_group, i.pseudonym,
       i.consent,
       (SELECT count(*) FROM finding f WHERE f.interview_id = i.id) AS findings,
       EXISTS (SELECT 1 FROM interview_contact c WHERE c.interview_id = i.id) AS has_contact
  FROM interview i JOIN quarter q ON q.id = i.quarter_id
"""


def _not_found(iid: object) -> NotFound:
    return NotFound(
        f"Interview {iid} nicht gefunden.", f"Interview {iid} not found.", code="not_found"
    )


def fetch(conn: Connection, viewer: Viewer, iid: uuid.UUID) -> dict[str, Any]:
    viewer.require("field", "planner", "admin")
    # a restricted planner: its quarters only
    scope = scope_sql(viewer, "i", layers=False) if viewer.sees_everything else "true"
    row = conn.execute(text(f"{SELECT} WHERE i.id = :id AND {scope}"), {"id": iid})
    found = row.mappings().first()
    if found is None:
        raise _not_found(iid)
    return dict(found)


def list_interviews(conn: Connection, viewer: Viewer, quarter: str | None) -> list[dict]:
    viewer.require("planner", "admin")
    rows = conn.execute(
        text(
            f"{SELECT} WHERE (CAST(:q AS text) IS NULL OR q.slug = :q) "
            f"AND {scope_sql(viewer, 'i', layers=False)} ORDER BY i.held_on"
        ),
        {"q": quarter},
    ).mappings()
    return [dict(r) for r in rows]


def create(conn: Connection, viewer: Viewer, body: InterviewIn) -> tuple[dict[str, Any], bool]:
    viewer.require("field", "planner", "admin")
    iid = body.id or uuid.uuid4()
    if conn.execute(text("SELECT 1 FROM interview WHERE id = :id"), {"id": iid}).first():
        stored = fetch(conn, viewer, iid)
        names = ("quarter", "held_on", "participant_group", "pseudonym")
        fields = differing(stored, body.model_dump(), names)
        if fields:
            sent = body.model_dump(mode="json", exclude_unset=True, exclude={"contact"})
            raise RetryConflict("Ein Interview", "interview", stored, sent, fields)
        return stored, False
    refuse_future(body.held_on)
    quarter_id = conn.execute(
        text("SELECT id FROM quarter WHERE slug = :s"), {"s": body.quarter}
    ).scalar()
    if quarter_id is None:
        raise refuse("unknown_quarter", body.quarter)
    if viewer.sees_everything:
        viewer.require_scope(quarter_id=quarter_id)
    conn.execute(
        text(
            "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym, "
            "consent) VALUES (:id, :q, :d, :g, :p, :c)"
        ),
        {"id": iid, "q": quarter_id, "d": body.held_on, "g": body.participant_group,
         "p": body.pseudonym.strip(), "c": body.consent},
    )  # fmt: skip
    if body.contact is not None:
        _write_contact(conn, iid, int(quarter_id), body.contact)
    return fetch(conn, viewer, iid), True


def _write_contact(conn: Connection, iid: uuid.UUID, quarter_id: int, contact: ContactIn) -> None:
    conn.execute(
        text(
            "INSERT INTO interview_contact (interview_id, quarter_id, full_name, email, phone, "
            "address, consent) VALUES (:id, :q, :full_name, :email, :phone, :address, :consent) "
            "ON CONFLICT (interview_id, quarter_id) DO UPDATE SET full_name = EXCLUDED.full_name, "
            "email = EXCLUDED.email, phone = EXCLUDED.phone, address = EXCLUDED.address, "
            "consent = EXCLUDED.consent"
        ),
        {"id": iid, "q": quarter_id, **contact.model_dump()},
    )


def get_contact(conn: Connection, viewer: Viewer, iid: uuid.UUID) -> dict[str, Any]:
    viewer.require("planner", "admin")
    fetch(conn, viewer, iid)
    row = (
        conn.execute(
            text(
                "SELECT full_name, email, phone, address, consent FROM interview_contact "
                "WHERE interview_id = :id"
            ),
            {"id": iid},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(
            "Keine Kontaktdaten gespeichert.", "No contact data stored.", code="no_contact"
        )
    return dict(row)


def put_contact(conn: Connection, viewer: Viewer, iid: uuid.UUID, contact: ContactIn) -> dict:
    viewer.require("planner", "admin")
    quarter_id = conn.execute(
        text("SELECT quarter_id FROM interview WHERE id = :id"), {"id": iid}
    ).scalar()
    if quarter_id is None:
        raise _not_found(iid)
    _write_contact(conn, iid, int(quarter_id), contact)
    return get_contact(conn, viewer, iid)


def erase(conn: Connection, viewer: Viewer, iid: uuid.UUID) -> int:
    """Erase the person; returns the findings kept (anonymous, as ``erasure`` records).

    Contact data is deleted and the pseudonym replaced. The statements stay, but without the
    person's place: home house numbers are removed from statement and place text (planners
    then read the redacted text too), and an exact home position is replaced by its public,
    generalised one. An ``erasure_event`` records who did it, when, and which fields of
    which findings changed — never the erased values.
    """
    viewer.require("planner", "admin")
    fetch(conn, viewer, iid)
    quarter_id = int(
        conn.execute(text("SELECT quarter_id FROM interview WHERE id = :id"), {"id": iid})
        .scalar_one()
    )  # fmt: skip
    contact = conn.execute(
        text("DELETE FROM interview_contact WHERE interview_id = :id"), {"id": iid}
    ).rowcount
    conn.execute(
        text("UPDATE interview SET pseudonym = :p WHERE id = :id"),
        {"p": f"gelöscht-{secrets.token_hex(4)}", "id": iid},
    )
    rows = conn.execute(
        text(
            "SELECT id, statement, place_text, from_home_address, "
            "geom IS NOT NULL AND (public_geom IS NULL OR NOT ST_Equals(geom, public_geom)) "
            "FROM finding WHERE interview_id = :id ORDER BY id FOR UPDATE"
        ),
        {"id": iid},
    ).all()
    privacy = QuarterPrivacy.load(conn, quarter_id) if rows else None
    changed: list[dict[str, Any]] = []
    for fid, statement, place, home, exact in rows:
        assert privacy is not None
        new_statement, n_statement = privacy.redactor.redact(statement)
        new_place, n_place = privacy.redactor.redact(place or "")
        fields = [name for name, n in (("statement", n_statement), ("place_text", n_place)) if n]
        move = bool(home and exact)
        if move:
            fields.append("geom")
        if not fields:
            continue
        conn.execute(
            text(
                "UPDATE finding SET statement = :s, public_statement = :s, place_text = :p, "
                "public_place_text = :p, geom = CASE WHEN :move THEN public_geom ELSE geom END, "
                "version = version + 1 WHERE id = :id"
            ),
            {"s": new_statement, "p": new_place, "move": move, "id": fid},
        )
        changed.append({"id": str(fid), "fields": fields, "house_numbers": n_statement + n_place})
    audit = {"contact": contact > 0, "pseudonym": True, "findings": changed}
    conn.execute(
        text(
            "INSERT INTO erasure_event (quarter_id, interview_id, account_id, account_name, "
            "changes) VALUES (:q, :iv, :a, :n, CAST(:c AS jsonb))"
        ),
        {"q": quarter_id, "iv": iid, "a": viewer.account_id, "n": viewer.name,
         "c": json.dumps(audit)},
    )  # fmt: skip
    return len(rows)


def erasures(conn: Connection, viewer: Viewer, iid: uuid.UUID) -> list[dict[str, Any]]:
    """The audit entries of an interview's erasures (planners and admins)."""
    viewer.require("planner", "admin")
    fetch(conn, viewer, iid)  # 404 for an interview that does not exist
    rows = conn.execute(
        text(
            "SELECT at, account_name AS by, changes FROM erasure_event "
            "WHERE interview_id = :id ORDER BY at, id"
        ),
        {"id": iid},
    ).mappings()
    return [dict(r) for r in rows]
