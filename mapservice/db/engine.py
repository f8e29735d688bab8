"""Where the database is and how we connect to it.

With ``KARTE_DATABASE_URL`` we use that server; without it we start the embedded cluster.
Either way the database must have PostGIS; we create the extension when we may, and say
which package is missing when the server lacks it.
"""

from __future__ import annotations

from functools import lru_cache

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from mapservice.config import Settings
from mapservice.db.cluster import DATABASE, Cluster, find_bindir, postgis_package_hint
from mapservice.errors import DatabaseError


def embedded_cluster(settings: Settings) -> Cluster:
    return Cluster(settings.pg_dir, port=settings.pg_port)


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and always use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def database_url(settings: Settings, *, start: bool = True) -> str:
    """The SQLAlchemy URL to use; starts the embedded cluster when there is no external one."""
    if settings.database_url:
        return normalise_url(settings.database_url)
    cluster = embedded_cluster(settings)
    if start:
        cluster.start()
        ensure_database(cluster.url("postgres"), DATABASE)
    return cluster.url()


def read_urls(settings: Settings) -> list[str]:
    """The replicas for public reads: KARTE_DATABASE_READ_URLS, else the embedded ones that
    run now (``karte db start --replicas N``), else none."""
    if settings.database_read_urls:
        return [normalise_url(url) for url in settings.database_read_urls]
    if settings.database_url:
        return []
    from mapservice.db.replica_cluster import running_replica_urls

    return running_replica_urls(settings.pg_dir, DATABASE)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_database(admin_url: str, name: str) -> None:
    """Create database ``name`` on the embedded server if it does not exist yet."""
    with psycopg.connect(_libpq(admin_url), autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def ensure_postgis(url: str) -> str:
    """Create the PostGIS extension when missing; return its version."""
    try:
        with psycopg.connect(_libpq(url), autocommit=True, connect_timeout=10) as conn:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.errors.FeatureNotSupported as exc:
                raise _postgis_missing(str(exc)) from None
            except psycopg.errors.UndefinedFile as exc:
                raise _postgis_missing(str(exc)) from None
            except psycopg.errors.InsufficientPrivilege:
                pass  # an external server whose admin manages extensions; checked below
            row = conn.execute(
                "SELECT extversion FROM pg_extension WHERE extname = 'postgis'"
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise unreachable(url, exc) from None
    if not row:
        raise _postgis_missing("extension postgis is not installed in this database")
    return str(row[0])


def _postgis_missing(detail: str) -> DatabaseError:
    try:
        package = postgis_package_hint(find_bindir())
    except DatabaseError:
        package = "postgresql-15-postgis-3"
    return DatabaseError(
        f"Die Datenbank hat kein PostGIS ({detail.strip()}). Installieren: "
        f"'sudo apt-get install {package}' (Debian/Ubuntu) oder 'brew install postgis' (macOS); "
        "auf einem fremden Server: 'CREATE EXTENSION postgis' als Administrator.",
        f"The database has no PostGIS ({detail.strip()}). Install it: "
        f"'sudo apt-get install {package}' (Debian/Ubuntu) or 'brew install postgis' (macOS); "
        "on an external server: 'CREATE EXTENSION postgis' as an administrator.",
        code="postgis_missing",
    )


def unreachable(url: str, exc: Exception) -> DatabaseError:
    safe = make_url(url).render_as_string(hide_password=True)
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DatabaseError(
        f"Datenbank {safe} ist nicht erreichbar ({reason}). KARTE_DATABASE_URL prüfen "
        "oder leer lassen, um die eingebettete Datenbank zu nutzen.",
        f"Database {safe} is unreachable ({reason}). Check KARTE_DATABASE_URL or unset it "
        "to use the embedded database.",
        code="database_unreachable",
    )


#: Seconds a new connection may take before the request answers 503.
CONNECT_TIMEOUT_S = 5


@lru_cache(maxsize=8)
def make_engine(url: str, pool_size: int = 10) -> Engine:
    """One engine per URL and process; pool below the server's max_connections.

    ``pool_pre_ping`` finds a connection the server closed (stop, crash, restart) before a
    request uses it, and invalidates the whole pool with it, so after an outage the first
    request already runs on a fresh connection; ``connect_timeout`` bounds how long a
    request waits for a server that does not answer (a refused connection fails at once).
    """
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=5,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )


def postgis_version(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT postgis_lib_version()")).scalar_one())
