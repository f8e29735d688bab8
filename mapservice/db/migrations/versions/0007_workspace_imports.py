"""Workspace imports: how precisely a row was placed, upsert keys, and import jobs.

- ``observation.georef_method`` / ``reference_feature.georef_method``: NULL when the file gave
  coordinates, else how the gazetteer placed the row's address (address, street, crossing,
  place) — a planner must see that "Surweg 12" sits on the street, not at the door.
- ``reference_feature.source_key``: the value of the file's own id column, unique per layer
  and source, so re-importing a file updates its features instead of duplicating them.
  (Observations need no key column: their id is derived from the source and the key.)
- ``planner_layer``: reference layers planners create in the workspace ("Sportstätten"),
  stored as the same definition a ``layers/*.toml`` file holds and added to the catalogue.
- ``import_job``: one row per import started from the workspace, with its phase and progress
  (written from the worker thread on its own connection, so any API worker can report it)
  and the final report.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

METHODS = "('address', 'crossing', 'street', 'place', 'quarter', 'manual', 'coordinates')"


def upgrade() -> None:
    op.execute("ALTER TABLE observation ADD COLUMN georef_method text")
    op.execute(
        "ALTER TABLE observation ADD CONSTRAINT ck_observation_georef_method_known "
        f"CHECK (georef_method IS NULL OR georef_method IN {METHODS})"
    )
    op.execute("ALTER TABLE reference_feature ADD COLUMN georef_method text")
    op.execute(
        "ALTER TABLE reference_feature ADD CONSTRAINT ck_reference_feature_georef_method_known "
        f"CHECK (georef_method IS NULL OR georef_method IN {METHODS})"
    )
    op.execute("ALTER TABLE reference_feature ADD COLUMN source_key text")
    op.execute(
        "CREATE UNIQUE INDEX uq_reference_feature_layer_id_source_source_key "
        "ON reference_feature (layer_id, source, source_key) WHERE source_key IS NOT NULL"
    )
    op.execute(
        """
        CREATE TABLE import_job (
          id uuid PRIMARY KEY,
          account text,
          file text NOT NULL,
          state text NOT NULL DEFAULT 'queued',
          phase text NOT NULL DEFAULT 'upload',
          done integer NOT NULL DEFAULT 0,
          total integer,
          options jsonb NOT NULL DEFAULT '{}',
          result jsonb,
          error jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT ck_import_job_state_known
            CHECK (state IN ('queued', 'running', 'done', 'refused', 'failed'))
        )
        """
    )
    op.execute("CREATE INDEX ix_import_job_created_at ON import_job (created_at)")
    op.execute(
        """
        CREATE TABLE planner_layer (
          id text PRIMARY KEY,
          definition jsonb NOT NULL,
          created_by text,
          created_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT ck_planner_layer_id_format CHECK (id ~ '^ref-[a-z0-9][a-z0-9-]{1,36}$')
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS planner_layer")
    op.execute("DROP TABLE IF EXISTS import_job")
    op.execute("DROP INDEX IF EXISTS uq_reference_feature_layer_id_source_source_key")
    op.execute("ALTER TABLE reference_feature DROP COLUMN IF EXISTS source_key")
    op.execute("ALTER TABLE reference_feature DROP COLUMN IF EXISTS georef_method")
    op.execute("ALTER TABLE observation DROP COLUMN IF EXISTS georef_method")
