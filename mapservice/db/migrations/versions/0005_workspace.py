"""Planner workspace: passwords, sign-in attempts, per-layer/quarter rights, token last use.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # account: an optional argon2 password hash and the rights restriction (NULL = all).
    op.add_column("account", sa.Column("password_hash", sa.Text(), nullable=True))
    op.add_column("account", sa.Column("layers", postgresql.ARRAY(sa.Text()), nullable=True))
    op.add_column("account", sa.Column("quarters", postgresql.ARRAY(sa.Integer()), nullable=True))
    # token: 'api' (made by an admin or the CLI) or 'session' (a sign-in on /planung);
    # last_used_at is written at most once a minute per token.
    op.add_column("token", sa.Column("kind", sa.Text(), nullable=False, server_default="api"))
    op.add_column("token", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint("token_kind", "token", "kind IN ('api', 'session')")
    # Failed sign-in attempts: the rate limit lives in the database so every worker sees it.
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("account_name", sa.Text(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("login_attempt_account_at", "login_attempt", ["account_name", "at"])
    op.create_index("login_attempt_client_at", "login_attempt", ["client", "at"])


def downgrade() -> None:
    op.drop_index("login_attempt_client_at", table_name="login_attempt")
    op.drop_index("login_attempt_account_at", table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_constraint("token_kind", "token", type_="check")
    op.drop_column("token", "last_used_at")
    op.drop_column("token", "kind")
    op.drop_column("account", "quarters")
    op.drop_column("account", "layers")
    op.drop_column("account", "password_hash")
