"""Tables of interviewee privacy and per-device tracks (migration 0004).

``erasure_event`` records every erasure of an interviewee: who, when, and which fields of
which findings were changed — never the erased values themselves (that would keep what the
erasure removes). ``walkthrough_track`` keeps one GPS recording per device (phone) of a
walkthrough, so two phones walking the same route no longer overwrite each other; the
walkthrough's ``track`` is the union of its recordings.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from mapservice.db.models import Base


class ErasureEvent(Base):
    """One erasure of an interviewee (DELETE /api/interviews/{id})."""

    __tablename__ = "erasure_event"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    #: no foreign key: the audit entry outlives a later deletion of the interview row
    interview_id: Mapped[uuid.UUID] = mapped_column(UUID)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    account_name: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: {"contact": bool, "pseudonym": true, "findings": [{"id", "fields", "house_numbers"}]}
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class WalkthroughTrack(Base):
    """One device's GPS recording of a walkthrough; re-uploads of it replace it."""

    __tablename__ = "walkthrough_track"
    __table_args__ = (
        CheckConstraint(
            "ST_SRID(track) = 4326 AND ST_IsValid(track) AND NOT ST_IsEmpty(track) "
            "AND GeometryType(track) = 'LINESTRING'",
            name="track_valid",
        ),
        CheckConstraint("char_length(recording) BETWEEN 1 AND 64", name="recording_length"),
    )
    walkthrough_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("walkthrough.id", ondelete="CASCADE"), primary_key=True
    )
    recording: Mapped[str] = mapped_column(Text, primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    author: Mapped[str | None] = mapped_column(Text)
    track: Mapped[Any] = mapped_column(
        Geometry(geometry_type="LINESTRING", srid=4326, spatial_index=False)
    )
    points: Mapped[int] = mapped_column(Integer)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
