"""Connecting to the database the settings point at, with readable failures."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from mapservice.config import Settings
from mapservice.db.engine import database_url, ensure_postgis, make_engine, unreachable
from mapservice.db.migrate import current_revision, head_revision
from mapservice.errors import DatabaseError


def connect(settings: Settings, *, start: bool = True) -> Engine:
    """Engine for the configured database, checked to be reachable and to have PostGIS."""
    url = database_url(settings, start=start)
    ensure_postgis(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise unreachable(url, exc.orig or exc) from None
    return engine


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is not at the head revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise DatabaseError(
            f"Das Datenbankschema ist nicht aktuell (ist {current}, soll {head}). "
            "Ausführen: 'karte db upgrade'.",
            f"The database schema is not current (is {current}, should be {head}). "
            "Run: 'karte db upgrade'.",
            code="schema_outdated",
        )
