"""Which real database failures count as an outage (503), and the tile pool healing itself.

Each error here is produced for real — a refused port, a server that hangs up, a backend
terminated by an administrator, an exhausted pool, a statement timeout — and classified by
``mapservice.db.outage``; bugs and bad data must stay out of that class.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import create_engine, exc, text

from mapservice.db.cluster import Cluster, free_port
from mapservice.db.outage import outage_of
from mapservice.errors import DatabaseError
from mapservice.tiles.pool import HealingPool
from tests.conftest import FAST, make_temp_dir


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _code(error: BaseException) -> str | None:
    found = outage_of(error)
    return found.code if found else None


def _raised(fn) -> BaseException:  # type: ignore[no-untyped-def]
    try:
        fn()
    except Exception as error:  # the point is to look at it
        return error
    raise AssertionError("expected an error")


def test_connection_refused_is_unavailable() -> None:
    url = f"postgresql://karte@127.0.0.1:{free_port()}/karte"
    assert _code(_raised(lambda: psycopg.connect(url, connect_timeout=2))) == (
        "database_unavailable"
    )
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    error = _raised(lambda: engine.connect())
    assert isinstance(error, exc.OperationalError)
    assert _code(error) == "database_unavailable"


def test_server_that_hangs_up_is_unavailable() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def hang_up() -> None:
            conn, _ = server.accept()
            conn.close()

        threading.Thread(target=hang_up, daemon=True).start()
        error = _raised(lambda: psycopg.connect(f"postgresql://x@127.0.0.1:{port}/x"))
    assert "closed the connection" in str(error) or "server" in str(error)
    assert _code(error) == "database_unavailable"


def test_admin_shutdown_of_a_backend_is_unavailable(database_url: str) -> None:
    engine = create_engine(database_url, pool_pre_ping=False)
    with psycopg.connect(_libpq(database_url), autocommit=True) as admin:
        conn = engine.connect()
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.2)
        error = _raised(lambda: conn.execute(text("SELECT 1")))
        conn.close()
        raw = psycopg.connect(_libpq(database_url))
        admin.execute("SELECT pg_terminate_backend(%s)", (raw.info.backend_pid,))
        time.sleep(0.2)
        raw_error = _raised(lambda: raw.execute("SELECT 1"))
        raw.close()
    engine.dispose()
    assert isinstance(error, exc.OperationalError) and error.connection_invalidated
    assert _code(error) == "database_unavailable"
    assert isinstance(raw_error, psycopg.errors.AdminShutdown)
    assert _code(raw_error) == "database_unavailable"


def test_exhausted_pools_are_busy(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    with engine.connect():
        error = _raised(lambda: engine.connect())
    engine.dispose()
    assert isinstance(error, exc.TimeoutError) and _code(error) == "database_busy"

    async def exhaust() -> BaseException:
        pool = AsyncConnectionPool(_libpq(database_url), min_size=1, max_size=1, open=False)
        await pool.open(wait=True)
        try:
            async with pool.connection():
                try:
                    await pool.getconn(timeout=0.2)
                except PoolTimeout as timeout:
                    return timeout
        finally:
            await pool.close()
        raise AssertionError("the pool gave a second connection")

    assert _code(asyncio.run(exhaust())) == "database_busy"


def test_statement_timeout_is_a_query_timeout(database_url: str) -> None:
    with psycopg.connect(_libpq(database_url)) as conn:
        conn.execute("SET statement_timeout = 50")
        error = _raised(lambda: conn.execute("SELECT pg_sleep(2)"))
    assert _code(error) == "query_timeout"


@pytest.mark.parametrize(
    "sql", ["SELECT 1/0", "SELECT 'x'::int", "SELEKT 1", "SELECT * FROM no_such_table"]
)
def test_bugs_and_bad_data_are_not_an_outage(database_url: str, sql: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        error = _raised(lambda: conn.execute(text(sql)))
    engine.dispose()
    assert isinstance(error, exc.DBAPIError) and outage_of(error) is None


# -- the tile pool ---------------------------------------------------------------------------
def _healing(url: str, name: str) -> HealingPool:
    return HealingPool(
        _libpq(url),
        kwargs={"autocommit": True, "application_name": name},
        min_size=2,
        max_size=4,
        timeout=10,
        name=name,
    )


async def _select_one(pool: HealingPool) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT 1")
        row = await cur.fetchone()
        assert row is not None
        return int(row[0])


def test_terminated_pool_connections_are_replaced_without_an_error(database_url: str) -> None:
    async def run() -> int:
        pool = _healing(database_url, "healing-terminate")
        await pool.open(timeout=30)
        try:
            assert await _select_one(pool) == 1
            async with await psycopg.AsyncConnection.connect(
                _libpq(database_url), autocommit=True
            ) as admin:
                cur = await admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'healing-terminate'"
                )
                row = await cur.fetchone()
                assert row is not None and row[0] >= 1
            await asyncio.sleep(0.2)
            # Every pooled connection is dead: the next requests still get answers.
            assert [await _select_one(pool) for _ in range(6)] == [1] * 6
            return pool.renewals
        finally:
            await pool.close()

    assert asyncio.run(run()) == 1


@pytest.fixture()
def own_cluster() -> Iterator[Cluster]:
    base = make_temp_dir("karte-healing-")
    cluster = Cluster(base / "pg", options=FAST)
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(base, ignore_errors=True)


def test_tile_pool_fails_fast_while_down_and_heals_when_back(own_cluster: Cluster) -> None:
    url = own_cluster.url("postgres")

    async def run() -> dict[str, float]:
        pool = _healing(url, "healing-outage")
        await pool.open(timeout=30)
        try:
            assert await _select_one(pool) == 1
            await asyncio.to_thread(own_cluster.stop)
            timings = []
            for _ in range(5):
                started = time.monotonic()
                with pytest.raises(DatabaseError) as info:
                    await _select_one(pool)
                assert info.value.code == "database_unavailable"
                timings.append(time.monotonic() - started)
                await asyncio.sleep(0.1)
            await asyncio.to_thread(own_cluster.start)
            back = time.monotonic()
            while True:
                try:
                    assert await _select_one(pool) == 1
                    break
                except DatabaseError:
                    assert time.monotonic() - back < 5, "the pool did not heal within 5 s"
                    await asyncio.sleep(0.05)
            healed = time.monotonic() - back
            assert [await _select_one(pool) for _ in range(6)] == [1] * 6, "no stale 503"
            return {"slowest_503_s": max(timings), "healed_after_s": healed}
        finally:
            await pool.close()

    measured = asyncio.run(run())
    print("\ntile pool:", {k: round(v, 3) for k, v in measured.items()})
    # Without the breaker each request waited for the pool's 10 s timeout.
    assert measured["slowest_503_s"] < 1.0
    assert measured["healed_after_s"] < 1.0
