"""Review states: changes requested, pending revisions of published entries, history.

- ``observation.status`` / ``finding.status`` learn ``changes_requested``: a planner sent the
  entry back to the field team with a note (the note is the ``moderation_event`` row).
- ``revision``: a change to a *published* entry (field PATCH, planner edit, re-import) is
  kept here, not written over the published row, so tiles, OGC, ``/api`` and exports keep
  showing the published version until a planner approves the change (the change is then
  applied to the row) or rejects it (the row stays as it is). ``changes`` holds the new values
  by column name, ``geom`` a moved geometry. At most one open revision per entry.
- ``moderation_event.revision_id``: which revision a transition decided (NULL: the entry).
- ``photo.revision_id``: a photo added to a published entry belongs to its revision and is
  not public until the revision is approved (rejecting it removes the photo).
- Partial indexes for the moderation queue (what waits is a small part of all entries).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NEW = "('draft', 'review', 'changes_requested', 'published', 'rejected')"
OLD = "('draft', 'review', 'published', 'rejected')"
OPEN = "('review', 'changes_requested')"


def _status_check(table: str, values: str) -> None:
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_status_known")
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_status_known CHECK (status IN {values})"
    )


def upgrade() -> None:
    _status_check("observation", NEW)
    _status_check("finding", NEW)
    op.execute(
        """
        CREATE TABLE revision (
          id bigserial PRIMARY KEY,
          quarter_id integer NOT NULL REFERENCES quarter (id) ON DELETE CASCADE,
          observation_id uuid REFERENCES observation (id) ON DELETE CASCADE,
          finding_id uuid REFERENCES finding (id) ON DELETE CASCADE,
          state text NOT NULL DEFAULT 'review',
          changes jsonb NOT NULL DEFAULT '{}',
          geom geometry(Geometry, 4326),
          author text,
          source text NOT NULL DEFAULT 'edit',
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          decided_at timestamptz,
          CONSTRAINT ck_revision_exactly_one_target
            CHECK ((observation_id IS NULL) <> (finding_id IS NULL)),
          CONSTRAINT ck_revision_state_known
            CHECK (state IN ('review', 'changes_requested', 'published', 'rejected')),
          CONSTRAINT ck_revision_source_known CHECK (source IN ('edit', 'import', 'photo')),
          CONSTRAINT ck_revision_geom_valid CHECK (geom IS NULL OR (ST_SRID(geom) = 4326
            AND ST_IsValid(geom) AND NOT ST_IsEmpty(geom)))
        )
        """
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_revision_open_observation ON revision (observation_id) "
        f"WHERE state IN {OPEN} AND observation_id IS NOT NULL"
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_revision_open_finding ON revision (finding_id) "
        f"WHERE state IN {OPEN} AND finding_id IS NOT NULL"
    )
    op.execute(f"CREATE INDEX ix_revision_open ON revision (state) WHERE state IN {OPEN}")
    op.execute(
        "ALTER TABLE moderation_event ADD COLUMN revision_id bigint "
        "REFERENCES revision (id) ON DELETE SET NULL"
    )
    op.execute(
        "ALTER TABLE photo ADD COLUMN revision_id bigint REFERENCES revision (id) ON DELETE CASCADE"
    )
    op.execute(
        "CREATE INDEX ix_observation_waiting ON observation (quarter_id, layer_id) "
        f"WHERE status IN {OPEN}"
    )
    op.execute(f"CREATE INDEX ix_finding_waiting ON finding (quarter_id) WHERE status IN {OPEN}")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_finding_waiting")
    op.execute("DROP INDEX IF EXISTS ix_observation_waiting")
    op.execute("DELETE FROM photo WHERE revision_id IS NOT NULL")  # never public: not kept
    op.execute("ALTER TABLE photo DROP COLUMN IF EXISTS revision_id")
    op.execute("ALTER TABLE moderation_event DROP COLUMN IF EXISTS revision_id")
    op.execute("DROP TABLE IF EXISTS revision")
    for table in ("observation", "finding"):
        op.execute(f"UPDATE {table} SET status = 'review' WHERE status = 'changes_requested'")
        _status_check(table, OLD)
