"""Trust: bad input refused by the schema too (lengths of a quarter's name and city).

The API refuses a quarter name outside 1–120 characters (after trimming) and a city longer
than 120; the CHECK constraints keep every other writer (imports, psql, a future admin page)
to the same rule. Existing over-long values are cut to 120 characters first, blank names
become the slug, so the upgrade cannot fail on old data.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NAME_MAX = 120


def upgrade() -> None:
    op.execute(
        f"UPDATE quarter SET name = left(btrim(name), {NAME_MAX}) "
        f"WHERE char_length(name) > {NAME_MAX} OR name <> btrim(name)"
    )
    op.execute("UPDATE quarter SET name = slug WHERE name = ''")
    op.execute(
        f"UPDATE quarter SET city = left(city, {NAME_MAX}) WHERE char_length(city) > {NAME_MAX}"
    )
    op.create_check_constraint(
        op.f("ck_quarter_name_length"),
        "quarter",
        f"char_length(btrim(name)) BETWEEN 1 AND {NAME_MAX}",
    )
    op.create_check_constraint(
        op.f("ck_quarter_city_length"), "quarter", f"char_length(city) <= {NAME_MAX}"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_quarter_city_length"), "quarter", type_="check")
    op.drop_constraint(op.f("ck_quarter_name_length"), "quarter", type_="check")
