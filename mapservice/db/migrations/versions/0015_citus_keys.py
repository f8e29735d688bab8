"""Keys that Citus can shard: ``quarter_id`` in every key of the per-quarter tables.

Why: a state-wide programme outgrows one database, and the tables that grow with the field
work (walkthroughs, observations, photos, interviews, findings, revisions, …) split cleanly
by quarter. Citus distributes a table by one column and can enforce a primary key, a unique
constraint or a foreign key only when it contains that column — so the keys say it now,
on plain PostgreSQL too, instead of in a future migration under a full database.
``docs/citus.md`` names the tables of each kind; ``mapservice.db.citus`` holds the same
classification and ``tests/test_citus_schema.py`` checks the schema against both.

- Primary keys become ``(id, quarter_id)``: ``id`` first, so a lookup by id alone (the API
  addresses entries by id) still walks the primary-key index. Ids stay unique by how they
  are made (UUIDs, sequences); the service refuses an id that is stored in another quarter.
- Unique constraints and partial unique indexes gain ``quarter_id``; the ``ON CONFLICT``
  targets of the service name it too.
- Foreign keys between these tables become ``(quarter_id, x_id) → (quarter_id, id)``: a
  photo, revision or moderation event lives in its observation's quarter, a finding in its
  interview's, an observation of a walkthrough in the walkthrough's. ``ON DELETE SET NULL
  (x_id)`` (PostgreSQL 15) nulls the link and keeps ``quarter_id``. ``ON UPDATE CASCADE``
  carries a quarter change of an entry to what hangs off it; the links that reach a row by
  two paths (a photo of an observation and of its revision) are checked at commit, when
  both cascades are through.
- ``measure_link`` gets ``quarter_id`` (its observation's or finding's) to be co-located.
- ``cluster_cell`` (the grid of clustered tiles) gets ``quarter_id`` in its key, so its rows
  sit on the shard of the observations they count and the trigger that keeps it exact
  writes locally; a tile adds up the cells of every quarter it covers, as before.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from mapservice.db.cluster_sql import GridSQL
from mapservice.errors import KarteError

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: table → its primary key after this migration (tables that had quarter_id in it already
#: — change_match_decision, measure_quarter, actor_quarter — are not listed).
KEYS: dict[str, tuple[str, ...]] = {
    "walk_round": ("id", "quarter_id"),
    "walkthrough": ("id", "quarter_id"),
    "walkthrough_track": ("walkthrough_id", "recording", "quarter_id"),
    "observation": ("id", "quarter_id"),
    "photo": ("id", "quarter_id"),
    "revision": ("id", "quarter_id"),
    "moderation_event": ("id", "quarter_id"),
    "interview": ("id", "quarter_id"),
    "interview_contact": ("interview_id", "quarter_id"),
    "finding": ("id", "quarter_id"),
    "erasure_event": ("id", "quarter_id"),
    "map_view": ("id", "quarter_id"),
    "measure_link": ("id", "quarter_id"),
}

#: (table, column, parent, on delete, checked at commit): the links between per-quarter
#: tables, old form ``column → parent(id)``, new form with quarter_id on both sides.
LINKS: list[tuple[str, str, str, str, bool]] = [
    ("walkthrough", "round_id", "walk_round", "SET NULL (round_id)", False),
    ("observation", "walkthrough_id", "walkthrough", "SET NULL (walkthrough_id)", False),
    ("walkthrough_track", "walkthrough_id", "walkthrough", "CASCADE", False),
    ("photo", "observation_id", "observation", "CASCADE", False),
    ("photo", "revision_id", "revision", "CASCADE", True),
    ("revision", "observation_id", "observation", "CASCADE", False),
    ("revision", "finding_id", "finding", "CASCADE", False),
    ("moderation_event", "observation_id", "observation", "CASCADE", False),
    ("moderation_event", "finding_id", "finding", "CASCADE", False),
    ("moderation_event", "revision_id", "revision", "SET NULL (revision_id)", True),
    ("interview_contact", "interview_id", "interview", "CASCADE", False),
    ("finding", "interview_id", "interview", "CASCADE", False),
    ("measure_link", "observation_id", "observation", "CASCADE", False),
    ("measure_link", "finding_id", "finding", "CASCADE", False),
    ("change_match_decision", "earlier_id", "observation", "CASCADE", False),
    ("change_match_decision", "later_id", "observation", "CASCADE", True),
]

#: unique indexes (name, table, columns, WHERE) rebuilt with quarter_id
PARTIAL_UNIQUE: list[tuple[str, str, str, str]] = [
    (
        "uq_revision_open_observation", "revision", "observation_id",
        "state IN ('review', 'changes_requested') AND observation_id IS NOT NULL",
    ),
    (
        "uq_revision_open_finding", "revision", "finding_id",
        "state IN ('review', 'changes_requested') AND finding_id IS NOT NULL",
    ),
    ("uq_measure_link_observation", "measure_link", "measure_id, observation_id",
     "observation_id IS NOT NULL"),
    ("uq_measure_link_finding", "measure_link", "measure_id, finding_id",
     "finding_id IS NOT NULL"),
]  # fmt: skip


def _fk_name(table: str, column: str) -> str:
    return f"fk_{table}_{column}"


def _drop(table: str, which: str) -> str:
    """Drop the constraint of ``table`` matching ``which`` (SQL on pg_constraint), whatever an
    earlier migration called it."""
    return f"""
    DO $$ DECLARE c text; BEGIN
      SELECT conname INTO c FROM pg_constraint WHERE conrelid = '{table}'::regclass AND {which};
      IF c IS NOT NULL THEN EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', c); END IF;
    END $$"""


def _old_fk(table: str, column: str) -> str:
    return _drop(
        table,
        "contype = 'f' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute "
        f"WHERE attrelid = '{table}'::regclass AND attname = '{column}')]",
    )


GRID = GridSQL(extra=("quarter_id",))


def _replace(statement: str) -> str:
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


#: (table, column, parent): rows whose quarter_id is a copy of their parent's. Before 0015 a
#: quarter change of an entry (a planner dragging it across the boundary) left the copies
#: behind; they are brought up to date, not refused.
COPIES: list[tuple[str, str, str]] = [
    ("revision", "observation_id", "observation"),
    ("revision", "finding_id", "finding"),
    ("photo", "observation_id", "observation"),
    ("moderation_event", "observation_id", "observation"),
    ("moderation_event", "finding_id", "finding"),
    ("interview_contact", "interview_id", "interview"),
    ("walkthrough_track", "walkthrough_id", "walkthrough"),
]


def _update_copies() -> None:
    for table, column, parent in COPIES:
        op.execute(
            f"UPDATE {table} c SET quarter_id = p.quarter_id FROM {parent} p "
            f"WHERE p.id = c.{column} AND c.quarter_id <> p.quarter_id"
        )


def _refuse_rows_across_quarters() -> None:
    """Rows an older version could store that the new links forbid (an observation of a
    walkthrough lying in another quarter than the walkthrough, a finding in another quarter
    than its interview, a match decision of an observation moved away) stop the upgrade with what
    to change, in words, before any key is touched — the upgrade runs in one transaction, so
    nothing of it stays behind."""
    conn = op.get_bind()
    found: list[tuple[str, str, str, int, list[str]]] = []
    for table, column, parent, _delete, _late in LINKS:
        if table == "measure_link":
            continue  # its quarter is taken from the linked row below
        key = KEYS.get(table, ("earlier_id",))[0]  # the row's own id (a decision: its pair)
        rows = conn.execute(
            text(
                f"SELECT c.{key}::text || ' → ' || c.{column}::text FROM {table} c "
                f"JOIN {parent} p ON p.id = c.{column} WHERE p.quarter_id <> c.quarter_id "
                "ORDER BY 1"
            )
        ).scalars()
        values = list(rows)
        if values:
            found.append((table, column, parent, len(values), values[:3]))
    if not found:
        return
    de = "; ".join(
        f"{n} Zeile(n) in {t} liegen in einem anderen Quartier als ihr {p} ({t} → {c}: "
        f"{', '.join(v)}{' …' if n > 3 else ''})"
        for t, c, p, n, v in found
    )
    en = "; ".join(
        f"{n} row(s) of {t} lie in another quarter than their {p} ({t} → {c}: "
        f"{', '.join(v)}{' …' if n > 3 else ''})"
        for t, c, p, n, v in found
    )
    raise KarteError(
        f"Schema 0015 (Schlüssel je Quartier, docs/citus.md) nicht eingespielt: {de}. Die "
        "Einträge ins Quartier ihres Bezugs verschieben oder den Bezug leeren (z. B. UPDATE "
        "observation SET walkthrough_id = NULL WHERE …), dann karte db upgrade wiederholen.",
        f"Schema 0015 (keys per quarter, docs/citus.md) not applied: {en}. Move the entries "
        "into the quarter of what they refer to or clear the reference (e.g. UPDATE "
        "observation SET walkthrough_id = NULL WHERE …), then run karte db upgrade again.",
        code="migration_blocked",
    )


def upgrade() -> None:
    _update_copies()
    _refuse_rows_across_quarters()
    op.execute("ALTER TABLE measure_link ADD COLUMN quarter_id integer")
    op.execute(
        "UPDATE measure_link l SET quarter_id = coalesce("
        "(SELECT o.quarter_id FROM observation o WHERE o.id = l.observation_id), "
        "(SELECT f.quarter_id FROM finding f WHERE f.id = l.finding_id))"
    )
    op.execute("ALTER TABLE measure_link ALTER COLUMN quarter_id SET NOT NULL")
    op.execute(
        "ALTER TABLE measure_link ADD CONSTRAINT fk_measure_link_quarter_id "
        "FOREIGN KEY (quarter_id) REFERENCES quarter(id) ON DELETE CASCADE"
    )
    for table, column, _parent, _delete, _late in LINKS:
        op.execute(_old_fk(table, column))
    for table, columns in KEYS.items():
        op.execute(_drop(table, "contype = 'p'"))
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({', '.join(columns)})"
        )
    op.execute("ALTER TABLE photo DROP CONSTRAINT photo_once_per_observation")
    op.execute(
        "ALTER TABLE photo ADD CONSTRAINT photo_once_per_observation "
        "UNIQUE (observation_id, sha256, quarter_id)"
    )
    for name, table, columns, where in PARTIAL_UNIQUE:
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE UNIQUE INDEX {name} ON {table} ({columns}, quarter_id) WHERE {where}")
    for table, column, parent, delete, late in LINKS:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {_fk_name(table, column)} "
            f"FOREIGN KEY (quarter_id, {column}) REFERENCES {parent} (quarter_id, id) "
            f"ON DELETE {delete} ON UPDATE CASCADE"
            + (" DEFERRABLE INITIALLY DEFERRED" if late else "")
        )
    # The walkthrough link used to be served by the old single-column key's lookups.
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_measure_link_observation ON measure_link (observation_id)"
    )
    op.execute("CREATE INDEX IF NOT EXISTS ix_measure_link_finding ON measure_link (finding_id)")
    _cluster_grid(GRID)


def _cluster_grid(grid: GridSQL) -> None:
    """Re-key ``cluster_cell`` and refill it (one aggregated pass over the observations)."""
    op.execute("DELETE FROM cluster_cell")
    op.execute("ALTER TABLE cluster_cell DROP CONSTRAINT pk_cluster_cell")
    if grid.extra:
        op.execute("ALTER TABLE cluster_cell ADD COLUMN quarter_id integer NOT NULL")
    else:
        op.execute("ALTER TABLE cluster_cell DROP COLUMN quarter_id")
    key = ", ".join(("layer_id", "code", "status", "kind", *grid.extra))
    op.execute(f"ALTER TABLE cluster_cell ADD CONSTRAINT pk_cluster_cell PRIMARY KEY ({key})")
    op.execute(_replace(grid.sync_function()))
    op.execute(_replace(grid.rebuild_function()))
    op.execute(grid.backfill())
    op.execute("ANALYZE cluster_cell")


def downgrade() -> None:
    _cluster_grid(GridSQL())
    for table, column, _parent, _delete, _late in LINKS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_fk_name(table, column)}")
    for name, table, columns, where in PARTIAL_UNIQUE:
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE UNIQUE INDEX {name} ON {table} ({columns}) WHERE {where}")
    op.execute("ALTER TABLE photo DROP CONSTRAINT photo_once_per_observation")
    op.execute(
        "ALTER TABLE photo ADD CONSTRAINT photo_once_per_observation UNIQUE (observation_id, sha256)"
    )
    for table, columns in KEYS.items():
        old = [c for c in columns if c != "quarter_id"]
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pk_{table}")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({', '.join(old)})")
    for table, column, parent, delete, _late in LINKS:
        plain = delete.split(" (")[0]
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {_fk_name(table, column)} "
            f"FOREIGN KEY ({column}) REFERENCES {parent} (id) ON DELETE {plain}"
        )
    op.execute("DROP INDEX IF EXISTS ix_measure_link_observation")
    op.execute("DROP INDEX IF EXISTS ix_measure_link_finding")
    op.execute("ALTER TABLE measure_link DROP COLUMN quarter_id")
