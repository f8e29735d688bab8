"""Handlungsprogramm: measures (Maßnahmen) with quarters, milestones and links to evidence.

A measure has a phase and, within it, a status (two lists, not one: the French national
project schema split them after users objected); progress is stored on leaves only, parents
compute theirs from the children when read (:mod:`mapservice.programme.progress`). The tree
may be of any depth; a trigger refuses a parent that would close a cycle, so a CSV import
or a hand-written UPDATE obeys the rule as much as the API does. Links to observations and
findings live in their own table: linking never touches the linked row (its moderation
status stays as it is). Measures may span several quarters (``measure_quarter``), so for a
sharded deployment they are a reference table, like quarters and layers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PHASES = ("idee", "planung", "umsetzung", "abgeschlossen")
STATES = ("laeuft", "verzoegert", "pausiert", "blockiert", "abgebrochen", "erledigt")
DIMENSIONS = ("ökologisch", "ökonomisch", "sozial")


def _list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


UP = [
    f"""
    CREATE TABLE measure (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      external_id text NOT NULL,
      reference text NOT NULL DEFAULT '',
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      parent_id uuid REFERENCES measure (id),
      geom geometry(Geometry, 4326),
      layer_ids text[] NOT NULL DEFAULT '{{}}',
      dimensions text[] NOT NULL DEFAULT '{{}}',
      responsible text NOT NULL DEFAULT '',
      start_date date,
      end_date date,
      budget numeric(14, 2),
      phase text NOT NULL DEFAULT 'idee',
      status text NOT NULL DEFAULT 'laeuft',
      progress smallint,
      weight real,
      published boolean NOT NULL DEFAULT false,
      synthetic boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1,
      CONSTRAINT uq_measure_external_id UNIQUE (external_id),
      CONSTRAINT ck_measure_external_id_format
        CHECK (external_id ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{{0,79}}$'),
      CONSTRAINT ck_measure_title_length CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
      CONSTRAINT ck_measure_text_length CHECK (char_length(description) <= 10000
        AND char_length(reference) <= 40 AND char_length(responsible) <= 200),
      CONSTRAINT ck_measure_phase_known CHECK (phase IN ({_list(PHASES)})),
      CONSTRAINT ck_measure_status_known CHECK (status IN ({_list(STATES)})),
      CONSTRAINT ck_measure_dimensions_known
        CHECK (dimensions <@ ARRAY[{_list(DIMENSIONS)}]::text[]),
      CONSTRAINT ck_measure_progress_range CHECK (progress BETWEEN 0 AND 100),
      CONSTRAINT ck_measure_weight_positive CHECK (weight > 0 AND weight <= 1000),
      CONSTRAINT ck_measure_budget_positive CHECK (budget >= 0),
      CONSTRAINT ck_measure_time_span CHECK (end_date IS NULL OR start_date IS NULL
        OR end_date >= start_date),
      CONSTRAINT ck_measure_not_own_parent CHECK (parent_id IS DISTINCT FROM id),
      CONSTRAINT ck_measure_geom_valid CHECK (geom IS NULL OR (ST_SRID(geom) = 4326
        AND ST_IsValid(geom) AND NOT ST_IsEmpty(geom)
        AND GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT',
                                   'MULTILINESTRING', 'MULTIPOLYGON')))
    )
    """,
    "CREATE INDEX ix_measure_parent_id ON measure (parent_id)",
    "CREATE INDEX ix_measure_geom ON measure USING gist (geom)",
    """
    CREATE TABLE measure_quarter (
      measure_id uuid NOT NULL REFERENCES measure (id) ON DELETE CASCADE,
      quarter_id integer NOT NULL REFERENCES quarter (id) ON DELETE CASCADE,
      CONSTRAINT pk_measure_quarter PRIMARY KEY (measure_id, quarter_id)
    )
    """,
    "CREATE INDEX ix_measure_quarter_quarter_id ON measure_quarter (quarter_id)",
    """
    CREATE TABLE measure_milestone (
      id bigserial PRIMARY KEY,
      measure_id uuid NOT NULL REFERENCES measure (id) ON DELETE CASCADE,
      on_date date NOT NULL,
      title text NOT NULL,
      body text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT ck_measure_milestone_title_length
        CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
      CONSTRAINT ck_measure_milestone_body_length CHECK (char_length(body) <= 5000)
    )
    """,
    "CREATE INDEX ix_measure_milestone_measure_id ON measure_milestone (measure_id, on_date)",
    """
    CREATE TABLE measure_link (
      id bigserial PRIMARY KEY,
      measure_id uuid NOT NULL REFERENCES measure (id) ON DELETE CASCADE,
      observation_id uuid REFERENCES observation (id) ON DELETE CASCADE,
      finding_id uuid REFERENCES finding (id) ON DELETE CASCADE,
      reason text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT ck_measure_link_exactly_one_target
        CHECK ((observation_id IS NULL) <> (finding_id IS NULL)),
      CONSTRAINT ck_measure_link_reason_length CHECK (char_length(reason) <= 500)
    )
    """,
    "CREATE UNIQUE INDEX uq_measure_link_observation ON measure_link (measure_id, observation_id)"
    " WHERE observation_id IS NOT NULL",
    "CREATE UNIQUE INDEX uq_measure_link_finding ON measure_link (measure_id, finding_id)"
    " WHERE finding_id IS NOT NULL",
    "CREATE INDEX ix_measure_link_observation_id ON measure_link (observation_id)",
    "CREATE INDEX ix_measure_link_finding_id ON measure_link (finding_id)",
    # No cycles: walk up from the new parent; meeting the row itself refuses the write. The
    # advisory lock serialises parent changes, so two concurrent moves (A under B, B under A)
    # cannot each pass on the other's old tree.
    """
    CREATE FUNCTION karte_measure_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.parent_id IS NULL THEN
        RETURN NEW;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtext('karte_measure_tree'));
      IF EXISTS (
        WITH RECURSIVE up(id, parent_id, depth) AS (
          SELECT m.id, m.parent_id, 1 FROM measure m WHERE m.id = NEW.parent_id
          UNION ALL
          SELECT m.id, m.parent_id, up.depth + 1 FROM measure m JOIN up ON m.id = up.parent_id
           WHERE up.depth < 10000
        ) SELECT 1 FROM up WHERE up.id = NEW.id
      ) THEN
        RAISE EXCEPTION 'measure parent would close a cycle'
          USING ERRCODE = 'check_violation', HINT = 'measure_cycle';
      END IF;
      RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER measure_no_cycle BEFORE INSERT OR UPDATE OF parent_id ON measure "
    "FOR EACH ROW EXECUTE FUNCTION karte_measure_no_cycle()",
    "CREATE TRIGGER measure_touch BEFORE UPDATE ON measure FOR EACH ROW "
    "EXECUTE FUNCTION karte_touch()",
    # Every write to measures bumps the 'massnahmen' layer version (OGC items' data version).
    *(
        f"CREATE TRIGGER {t}_bump_{o.lower()} AFTER {o} ON {t} {ref} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION karte_bump_from_rows('''massnahmen''')"
        for t in ("measure", "measure_quarter")
        for o, ref in (
            ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
            ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
        )
    ),
]

DOWN = [
    "DROP TABLE IF EXISTS measure_link",
    "DROP TABLE IF EXISTS measure_milestone",
    "DROP TABLE IF EXISTS measure_quarter",
    "DROP TABLE IF EXISTS measure",
    "DROP FUNCTION IF EXISTS karte_measure_no_cycle()",
    "DELETE FROM layer_version WHERE layer_id = 'massnahmen'",
]


def upgrade() -> None:
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWN:
        op.execute(statement)
