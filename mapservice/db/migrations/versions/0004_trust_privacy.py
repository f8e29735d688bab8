"""Trust: interviewee privacy (generalised home places, erasure audit, tracks per device).

- ``finding.public_statement`` / ``public_place_text``: the texts the public reads, with home
  house numbers removed (``mapservice.georef.redact``). A statement changed by SQL without
  them gets them cleared by a trigger, so the public then reads the SQL fallback
  (``access.HOUSE_NUMBER_SQL``) instead of the old redacted text or the raw one.
- Existing findings get the new public geometry (``mapservice.georef.privacy``: ≥ 50 m from
  the home, ≥ k addresses per public point) and their redacted texts.
- ``erasure_event``: who erased which interviewee when, and which fields were changed.
- ``walkthrough_track``: one recording per device; ``walkthrough.track`` becomes their union
  (a LineString for one recording, a MultiLineString for several). Existing tracks become the
  recording ``bestand``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CLEAR_PUBLIC_TEXT = """
CREATE FUNCTION karte_finding_clear_public_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.statement IS DISTINCT FROM OLD.statement
     AND NEW.public_statement IS NOT DISTINCT FROM OLD.public_statement
     AND NEW.statement IS DISTINCT FROM NEW.public_statement THEN
    NEW.public_statement := NULL;
  END IF;
  IF NEW.place_text IS DISTINCT FROM OLD.place_text
     AND NEW.public_place_text IS NOT DISTINCT FROM OLD.public_place_text
     AND NEW.place_text IS DISTINCT FROM NEW.public_place_text THEN
    NEW.public_place_text := NULL;
  END IF;
  RETURN NEW;
END $$
"""


def upgrade() -> None:
    op.add_column("finding", sa.Column("public_statement", sa.Text(), nullable=True))
    op.add_column("finding", sa.Column("public_place_text", sa.Text(), nullable=True))
    op.execute(CLEAR_PUBLIC_TEXT)
    op.execute(
        "CREATE TRIGGER finding_clear_public_text BEFORE UPDATE OF statement, place_text "
        "ON finding FOR EACH ROW EXECUTE FUNCTION karte_finding_clear_public_text()"
    )
    op.create_table(
        "erasure_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("quarter_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("account_name", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("changes", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(
            ["quarter_id"],
            ["quarter.id"],
            ondelete="CASCADE",
            name=op.f("fk_erasure_event_quarter_id"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            ondelete="SET NULL",
            name=op.f("fk_erasure_event_account_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_event")),
    )
    op.execute("CREATE INDEX ix_erasure_event_interview ON erasure_event (interview_id)")
    op.create_table(
        "walkthrough_track",
        sa.Column("walkthrough_id", sa.UUID(), nullable=False),
        sa.Column("recording", sa.Text(), nullable=False),
        sa.Column("quarter_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("track", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "ST_SRID(track) = 4326 AND ST_IsValid(track) AND NOT ST_IsEmpty(track) "
            "AND GeometryType(track) = 'LINESTRING'",
            name=op.f("ck_walkthrough_track_track_valid"),
        ),
        sa.CheckConstraint(
            "char_length(recording) BETWEEN 1 AND 64",
            name=op.f("ck_walkthrough_track_recording_length"),
        ),
        sa.ForeignKeyConstraint(
            ["walkthrough_id"],
            ["walkthrough.id"],
            ondelete="CASCADE",
            name=op.f("fk_walkthrough_track_walkthrough_id"),
        ),
        sa.ForeignKeyConstraint(
            ["quarter_id"],
            ["quarter.id"],
            ondelete="CASCADE",
            name=op.f("fk_walkthrough_track_quarter_id"),
        ),
        sa.PrimaryKeyConstraint("walkthrough_id", "recording", name=op.f("pk_walkthrough_track")),
    )
    op.execute(
        "ALTER TABLE walkthrough ALTER COLUMN track TYPE geometry(Geometry, 4326) "
        "USING track::geometry(Geometry, 4326)"
    )
    op.execute(
        "ALTER TABLE walkthrough ADD CONSTRAINT ck_walkthrough_track_lines CHECK "
        "(track IS NULL OR GeometryType(track) IN ('LINESTRING', 'MULTILINESTRING'))"
    )
    op.execute(
        "INSERT INTO walkthrough_track (walkthrough_id, recording, quarter_id, author, track, "
        "points, ended_at) SELECT id, 'bestand', quarter_id, author, track, ST_NPoints(track), "
        "ended_at FROM walkthrough WHERE track IS NOT NULL"
    )
    _republish_findings()


def _republish_findings() -> None:
    """The new public geometry and redacted texts for every finding already stored."""
    from mapservice.capture.findings import republish

    republish(op.get_bind())


def downgrade() -> None:
    op.execute("ALTER TABLE walkthrough DROP CONSTRAINT ck_walkthrough_track_lines")
    # Several recordings cannot be one LineString: keep the longest.
    op.execute(
        "UPDATE walkthrough w SET track = (SELECT d.geom FROM ST_Dump(w.track) d "
        "ORDER BY ST_Length(d.geom) DESC LIMIT 1) "
        "WHERE GeometryType(w.track) = 'MULTILINESTRING'"
    )
    op.execute(
        "ALTER TABLE walkthrough ALTER COLUMN track TYPE geometry(LineString, 4326) "
        "USING track::geometry(LineString, 4326)"
    )
    op.drop_table("walkthrough_track")
    op.drop_table("erasure_event")
    op.execute("DROP TRIGGER IF EXISTS finding_clear_public_text ON finding")
    op.execute("DROP FUNCTION IF EXISTS karte_finding_clear_public_text()")
    op.drop_column("finding", "public_place_text")
    op.drop_column("finding", "public_statement")
