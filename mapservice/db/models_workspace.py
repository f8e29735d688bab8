"""Tables of the planner workspace (migration 0005) that are not columns of existing tables.

Kept apart from :mod:`mapservice.db.models` so parallel work on the schema merges cleanly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from mapservice.db.models import Base


class LoginAttempt(Base):
    """One failed sign-in: counted per account and per client address for the rate limit.

    In the database, not in a worker's memory, so every worker behind a load balancer sees the
    same count. Rows older than a day are deleted when new ones are written.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("login_attempt_account_at", "account_name", "at"),
        Index("login_attempt_client_at", "client", "at"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account_name: Mapped[str] = mapped_column(Text)
    client: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
