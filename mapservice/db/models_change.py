"""Tables of change over time (migration 0012): rounds and planners' pair decisions.

Kept apart from :mod:`mapservice.db.models` so parallel work on the schema merges cleanly;
``walkthrough.round_id`` is declared on :class:`mapservice.db.models.Walkthrough`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mapservice.db.models import Base


class WalkRound(Base):
    """A round (Begehungsrunde): a quarter's walkthroughs of one period, e.g. "2024"."""

    __tablename__ = "walk_round"
    __table_args__ = (
        UniqueConstraint("quarter_id", "label", name="uq_walk_round_quarter_id_label"),
        CheckConstraint("period_to >= period_from", name="period_order"),
        CheckConstraint("label ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'", name="label_format"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(Text)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChangeMatchDecision(Base):
    """A planner's word on a pair: ``confirmed`` (kept by every recompute) or ``split``."""

    __tablename__ = "change_match_decision"
    __table_args__ = (
        CheckConstraint("decision IN ('confirmed', 'split')", name="decision_known"),
        CheckConstraint("earlier_id <> later_id", name="two_sides"),
    )
    quarter_id: Mapped[int] = mapped_column(
        ForeignKey("quarter.id", ondelete="CASCADE"), primary_key=True
    )
    earlier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE"), primary_key=True
    )
    later_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    decision: Mapped[str] = mapped_column(Text)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
