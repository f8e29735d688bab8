"""Every write announces itself: ``NOTIFY karte_changes`` from the database, not only the app.

Why: the listener of each ``karte serve`` process (``mapservice.db.changes``) learns of the
web service's writes from the notification each write request publishes after its commit.
Writes that bypass the service — ``karte import``, ``karte demo load``, a planner's ``psql``
— bumped ``layer_version`` but were only seen at the listener's periodic re-read (1 s). A
statement-level trigger on ``layer_version`` now notifies on every bump, delivered at commit
like the app's own notification; the payload's client ``-`` means "no client to remember"
(the listener only re-reads the versions).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 03:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION karte_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('karte_changes', '- ' || pg_current_wal_insert_lsn()::text);
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER layer_version_notify AFTER INSERT OR UPDATE ON layer_version "
        "FOR EACH STATEMENT EXECUTE FUNCTION karte_notify_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS layer_version_notify ON layer_version")
    op.execute("DROP FUNCTION IF EXISTS karte_notify_change()")
