"""Alembic environment: runs on the connection or URL handed over by mapservice.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mapservice.db import (
    models_change,  # noqa: F401  (walk_round, change_match_decision, migration 0012)
    models_privacy,  # noqa: F401  (erasure_event, walkthrough_track)
    models_workspace,  # noqa: F401  (login_attempt, migration 0005)
)
from mapservice.db.models import Base

config = context.config
target_metadata = Base.metadata

POSTGIS_TABLES = {"spatial_ref_sys", "geometry_columns", "geography_columns"}


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # PostGIS's own tables are not ours to migrate.
    return not (type_ == "table" and name in POSTGIS_TABLES)


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as conn:
            _migrate(conn)
        return
    _migrate(connection)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
