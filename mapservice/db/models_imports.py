"""Import jobs of the planner workspace (migration 0007).

A job row is the one place where the progress of an import started in the browser lives:
the worker thread that runs the import writes its phase and row counts there on a separate
connection, so a status request answered by any API worker sees the same numbers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Integer, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from mapservice.db.models import Base

JOB_STATES = ("queued", "running", "done", "refused", "failed")


class ImportJob(Base):
    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'running', 'done', 'refused', 'failed')", name="state_known"
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    account: Mapped[str | None] = mapped_column(Text)
    file: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text, server_default="queued")
    phase: Mapped[str] = mapped_column(Text, server_default="upload")
    done: Mapped[int] = mapped_column(Integer, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PlannerLayer(Base):
    """A reference layer a planner created in the workspace: the definition a layers/*.toml
    file would hold, validated by the same model (:class:`mapservice.catalog.Layer`)."""

    __tablename__ = "planner_layer"
    __table_args__ = (CheckConstraint("id ~ '^ref-[a-z0-9][a-z0-9-]{1,36}$'", name="id_format"),)
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
