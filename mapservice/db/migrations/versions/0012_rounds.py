"""Rounds of walkthroughs (Begehungsrunden) and planners' decisions on repeat observations.

``walk_round``: a quarter's round with a label (e.g. "2024") and a period; a walkthrough
belongs to at most one round (``walkthrough.round_id``, NULL: assigned by its start date
falling in a round's period). ``change_match_decision``: a planner's confirmed pair or a
split (these two are not the same), kept across every recompute of the matching.

Revision ID: 0012
Revises: 0009 (rechained at merge)
Create Date: 2026-12-04 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "walk_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "quarter_id",
            sa.Integer(),
            sa.ForeignKey("quarter.id", ondelete="CASCADE", name="fk_walk_round_quarter_id"),
            nullable=False,
        ),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("quarter_id", "label", name="uq_walk_round_quarter_id_label"),
        sa.CheckConstraint("period_to >= period_from", name="ck_walk_round_period_order"),
        sa.CheckConstraint(
            "label ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'", name="ck_walk_round_label_format"
        ),
    )
    op.add_column(
        "walkthrough",
        sa.Column(
            "round_id",
            sa.Integer(),
            sa.ForeignKey("walk_round.id", ondelete="SET NULL", name="fk_walkthrough_round_id"),
            nullable=True,
        ),
    )
    op.create_index("ix_walkthrough_round_id", "walkthrough", ["round_id"])
    op.create_table(
        "change_match_decision",
        sa.Column(
            "quarter_id",
            sa.Integer(),
            sa.ForeignKey(
                "quarter.id", ondelete="CASCADE", name="fk_change_match_decision_quarter_id"
            ),
            primary_key=True,
        ),
        sa.Column(
            "earlier_id",
            UUID(),
            sa.ForeignKey(
                "observation.id", ondelete="CASCADE", name="fk_change_match_decision_earlier_id"
            ),
            primary_key=True,
        ),
        sa.Column(
            "later_id",
            UUID(),
            sa.ForeignKey(
                "observation.id", ondelete="CASCADE", name="fk_change_match_decision_later_id"
            ),
            primary_key=True,
        ),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey(
                "account.id", ondelete="SET NULL", name="fk_change_match_decision_account_id"
            ),
            nullable=True,
        ),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('confirmed', 'split')", name="ck_change_match_decision_decision_known"
        ),
        sa.CheckConstraint("earlier_id <> later_id", name="ck_change_match_decision_two_sides"),
    )
    op.create_index("ix_change_match_decision_later_id", "change_match_decision", ["later_id"])


def downgrade() -> None:
    op.drop_index("ix_change_match_decision_later_id", table_name="change_match_decision")
    op.drop_table("change_match_decision")
    op.drop_index("ix_walkthrough_round_id", table_name="walkthrough")
    op.drop_column("walkthrough", "round_id")
    op.drop_table("walk_round")
