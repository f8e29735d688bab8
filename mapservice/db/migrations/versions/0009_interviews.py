"""Interviews: the interviewee's consent (given / withdrawn) on the interview itself.

Consent is recorded even when no contact data is kept, and survives erasure (it says the
person withdrew, not who they were).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "interview", sa.Column("consent", sa.Text(), server_default="given", nullable=False)
    )
    op.create_check_constraint(
        op.f("ck_interview_consent_known"), "interview", "consent IN ('given', 'withdrawn')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_interview_consent_known"), "interview", type_="check")
    op.drop_column("interview", "consent")
