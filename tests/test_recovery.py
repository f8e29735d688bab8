"""The running service survives its embedded PostgreSQL being stopped and being killed.

A real ``karte serve`` process on the embedded default (no ``KARTE_DATABASE_URL``) and its
own cluster in a temporary data folder — never the session cluster. Eight writers post
observations with client ids and retry every 503, as the field app's sync queue does. The
database is stopped with ``karte db stop`` and, later, its postmaster is killed with SIGKILL;
both times ``karte db start`` brings it back. Measured and required:

- healthy again (``/health`` 200, which covers the tile pool too) ≤ 5 s after the database
  accepts connections again, without restarting ``karte serve``;
- during the outage every route answers 503 with ``Retry-After`` and the bilingual body, on
  a keep-alive connection that stays open across outage and recovery; never a 500;
- no acknowledged write lost, none stored twice.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import morecantile
import psycopg
import pytest
from sqlalchemy import text

from mapservice.access import create_account, create_token
from mapservice.db.cluster import DATABASE, Cluster, free_port
from mapservice.db.engine import ensure_database, ensure_postgis, make_engine
from mapservice.db.migrate import upgrade
from tests.capture_fixtures import BOUNDARY, INSIDE, observation_body
from tests.conftest import make_temp_dir
from tests.one_connection import OneConnection

WRITERS = 8
TARGET_S = 5.0
SLUG = "recovery-frankfurt"
LAYER = "mobilitaet"


def _env(base: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTE_")}
    env.update(KARTE_DATA_DIR=str(base), KARTE_PORT=str(port), KARTE_LOG_LEVEL="WARNING")
    return env


@dataclass
class Service:
    """``karte serve`` on the embedded cluster in ``base``."""

    base: Path
    port: int
    process: subprocess.Popen[bytes]
    field: str
    planner: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cluster(self) -> Cluster:
        return Cluster(self.base / "pg")

    def karte(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mapservice.cli", *args],
            capture_output=True, text=True, env=_env(self.base, self.port), timeout=120,
        )  # fmt: skip

    def libpq(self) -> str:
        port = self.cluster.saved_port()
        return f"postgresql://karte@127.0.0.1:{port}/karte"


@pytest.fixture(scope="module")
def service(request: pytest.FixtureRequest) -> Iterator[Service]:
    failed_before = request.session.testsfailed
    base = make_temp_dir("karte-recovery-")
    port = free_port()
    log = base / "serve.log"
    process = None
    try:
        # Set up in-process (the slow part: initdb, migrations); the service and the
        # outages below go through the real `karte` commands. fsync is off in the cluster's
        # own configuration (so `karte db start` uses it too) to keep the test fast; commits
        # stay synchronous, so an acknowledged write has reached the kernel and survives a
        # killed postmaster, just as it would survive it with fsync on.
        cluster = Cluster(base / "pg")
        cluster.start()
        ensure_database(cluster.url("postgres"), DATABASE)
        ensure_postgis(cluster.url())
        libpq = cluster.url().replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(libpq, autocommit=True) as admin:
            admin.execute("ALTER SYSTEM SET fsync = off")
            admin.execute("ALTER SYSTEM SET full_page_writes = off")
            admin.execute("SELECT pg_reload_conf()")
        engine = make_engine(cluster.url())
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO quarter (slug, name, city, boundary) VALUES "
                    "(:s, 'Wiederanlauf', 'Frankfurt', ST_GeomFromText(:b, 4326))"
                ),
                {"s": SLUG, "b": BOUNDARY},
            )
            create_account(conn, "recovery-field", "field")
            create_account(conn, "recovery-planner", "planner")
            field_token = create_token(conn, "recovery-field")
            planner_token = create_token(conn, "recovery-planner")
        engine.dispose()
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "mapservice.cli", "serve"],
                env=_env(base, port), stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        svc = Service(base, port, process, field_token, planner_token, log)
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(svc.url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        published = httpx.post(
            svc.url + "/api/observations",
            json=observation_body(title="recovery seed", status="published"),
            headers={"Authorization": f"Bearer {planner_token}"},
        )
        assert published.status_code == 201, published.text
        yield svc
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        Cluster(base / "pg").stop()
        if log.exists() and request.session.testsfailed > failed_before:
            sys.stderr.write("karte serve log (tail):\n" + log.read_text()[-3000:])
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class Record:
    """What the writers and pollers saw; lists are appended from threads (atomic in CPython)."""

    acked: dict[str, str] = field(default_factory=dict)  # id -> title
    attempted: dict[str, str] = field(default_factory=dict)
    answers_503: int = 0
    bad_503: list[str] = field(default_factory=list)
    unexpected: list[tuple[int, str]] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    acks_at: list[float] = field(default_factory=list)
    health: list[tuple[float, int]] = field(default_factory=list)
    db_up: list[tuple[float, bool]] = field(default_factory=list)


def _is_outage_answer(status: int, headers: httpx.Headers | dict[str, str], body: object) -> bool:
    return (
        status == 503
        and headers.get("retry-after", "").isdigit()
        and isinstance(body, dict)
        and body.get("code") in ("database_unavailable", "database_busy")
        and bool(body.get("message_de"))
        and bool(body.get("message_en"))
    )


def _writer(svc: Service, n: int, stop: threading.Event, rec: Record) -> None:
    headers = {"Authorization": f"Bearer {svc.field}"}
    with httpx.Client(base_url=svc.url, headers=headers, timeout=30) as client:
        seq = 0
        while not stop.is_set():
            body = observation_body(id=str(uuid.uuid4()), title=f"recovery w{n} #{seq}")
            rec.attempted[str(body["id"])] = str(body["title"])
            deadline = time.monotonic() + 45
            while time.monotonic() < deadline:
                try:
                    reply = client.post("/api/observations", json=body)
                except httpx.TransportError as exc:
                    rec.transport_errors.append(repr(exc))
                    time.sleep(0.1)
                    continue
                if reply.status_code in (200, 201):
                    rec.acked[str(body["id"])] = str(body["title"])
                    rec.acks_at.append(time.monotonic())
                    break
                if reply.status_code == 503:
                    rec.answers_503 += 1
                    if not _is_outage_answer(503, reply.headers, reply.json()):
                        rec.bad_503.append(reply.text[:300])
                    time.sleep(0.1)  # the field app backs off longer; the test keeps it busy
                    continue
                rec.unexpected.append((reply.status_code, reply.text[:300]))
                break
            seq += 1


def _poll_health(svc: Service, stop: threading.Event, rec: Record) -> None:
    with httpx.Client(base_url=svc.url, timeout=30) as client:
        while not stop.is_set():
            try:
                status = client.get("/health").status_code
            except httpx.TransportError as exc:
                rec.transport_errors.append("health: " + repr(exc))
                status = -1
            rec.health.append((time.monotonic(), status))
            time.sleep(0.05)


def _poll_database(svc: Service, stop: threading.Event, rec: Record) -> None:
    """When does the database itself accept connections? The clock of 'the database is back'."""
    url = svc.libpq()
    while not stop.is_set():
        try:
            with psycopg.connect(url, connect_timeout=1) as conn:
                conn.execute("SELECT 1")
            up = True
        except psycopg.OperationalError:
            up = False
        rec.db_up.append((time.monotonic(), up))
        time.sleep(0.05)


def _tile_paths() -> list[str]:
    quad = morecantile.tms.get("WebMercatorQuad")
    paths = []
    for z in range(10, 16):
        t = quad.tile(INSIDE[0], INSIDE[1], z)
        paths.append(f"/tiles/{LAYER}/{t.z}/{t.x}/{t.y}.geojson")
    return paths


def _outage_routes(svc: Service) -> list[tuple[str, str, bytes, dict[str, str]]]:
    field = {"Authorization": f"Bearer {svc.field}"}
    planner = {"Authorization": f"Bearer {svc.planner}"}
    tile = _tile_paths()[-1]
    body = httpx.Request("POST", "/", json=observation_body(title="während / during")).content
    return [
        ("GET", "/api/quarters", b"", {}),
        ("GET", f"/api/quarters/{SLUG}/summary", b"", {}),
        ("GET", f"/api/observations?quarter={SLUG}", b"", planner),
        ("POST", "/api/observations", body, {**field, "Content-Type": "application/json"}),
        ("GET", "/api/walkthroughs", b"", field),
        ("GET", "/api/findings", b"", {}),
        ("GET", tile, b"", {}),
        ("GET", tile.replace(".geojson", ".mvt"), b"", planner),
        ("GET", f"/ogc/collections/{LAYER}/items?limit=5", b"", {}),
        ("GET", f"/maps/{SLUG}", b"", {}),
        ("GET", f"/embed/{SLUG}", b"", {}),
    ]


def _check_outage(svc: Service, conn: OneConnection) -> list[str]:
    """Every route during the outage, on the kept connection: 503 + Retry-After + body."""
    wrong = []
    for method, path, body, headers in _outage_routes(svc):
        reply = conn.request(method, path, body, headers)
        try:
            parsed = reply.json()
        except ValueError:
            parsed = None
        if not _is_outage_answer(reply.status, reply.headers, parsed):
            wrong.append(f"{method} {path}: {reply.status} {reply.body[:200]!r}")
    health = conn.request("GET", "/health")
    if health.status != 503 or "retry-after" not in health.headers:
        wrong.append(f"/health: {health.status} {health.body[:200]!r}")
    elif not (health.json()["message_de"] and health.json()["database"] == "unreachable"):
        wrong.append(f"/health body: {health.body[:200]!r}")
    return wrong


def _while_warm(conn: OneConnection, command: list[str], svc: Service) -> str:
    """Run a ``karte`` command while the kept connection keeps asking (uvicorn closes a
    connection idle for 5 s — that is not the failure this test looks for)."""
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    worker = threading.Thread(target=lambda: done.setdefault("r", svc.karte(*command)))
    worker.start()
    while worker.is_alive():
        reply = conn.request("GET", "/health")
        assert reply.status in (200, 503), reply.body[:200]
        worker.join(timeout=1.0)
    result = done["r"]
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _wait_for_writes(rec: Record, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(rec.acked) < count:
        assert time.monotonic() < deadline, f"only {len(rec.acked)} writes acknowledged"
        time.sleep(0.05)


def _first(samples: list[tuple[float, object]], after: float, want: object) -> float | None:
    return next((t for t, value in list(samples) if t >= after and value == want), None)


def _wait_for(samples: list[tuple[float, object]], after: float, want: object) -> float:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = _first(samples, after, want)
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {want!r} within 30 s")


def _after_recovery(svc: Service, conn: OneConnection) -> list[str]:
    """Right after /health is OK: tiles, items and the API answer at once (no stale 503)."""
    planner = {"Authorization": f"Bearer {svc.planner}"}
    wrong = []
    for path in _tile_paths():
        reply = conn.request("GET", path, headers=planner)
        if reply.status != 200 or not reply.json()["features"]:
            wrong.append(f"{path}: {reply.status} {reply.body[:120]!r}")
    items = conn.request("GET", f"/ogc/collections/{LAYER}/items?limit=5")
    if items.status != 200 or items.json()["numberReturned"] < 1:
        wrong.append(f"items: {items.status} {items.body[:120]!r}")
    listing = conn.request("GET", f"/api/observations?quarter={SLUG}&limit=1", headers=planner)
    if listing.status != 200:
        wrong.append(f"observations: {listing.status} {listing.body[:120]!r}")
    return wrong


def test_service_recovers_from_stop_and_crash_under_concurrent_writes(service: Service) -> None:
    svc, rec, stop = service, Record(), threading.Event()
    port_before = svc.cluster.saved_port()
    conn = OneConnection(svc.port)
    assert conn.request("GET", "/health").status == 200
    threads = [threading.Thread(target=_writer, args=(svc, n, stop, rec)) for n in range(WRITERS)]
    pollers_stop = threading.Event()
    pollers = [
        threading.Thread(target=_poll_health, args=(svc, pollers_stop, rec)),
        threading.Thread(target=_poll_database, args=(svc, pollers_stop, rec)),
    ]
    for thread in threads + pollers:
        thread.start()
    phases: dict[str, dict[str, float]] = {}
    try:
        for phase in ("stop", "kill"):
            _wait_for_writes(rec, len(rec.acked) + 2 * WRITERS)
            acked_before = len(rec.acked)
            down_at = time.monotonic()
            if phase == "stop":
                assert "Angehalten" in _while_warm(conn, ["db", "stop"], svc)
            else:
                svc.cluster.kill()  # SIGKILL of the postmaster, pid file left behind
                time.sleep(0.3)  # its backends notice and exit
            wrong = _check_outage(svc, conn)
            assert not wrong, f"{phase}: outage answers:\n" + "\n".join(wrong)
            time.sleep(0.5)
            started = _while_warm(conn, ["db", "start"], svc)
            assert f":{port_before}/" in started, "the cluster came back on its port"
            went_down = _wait_for(rec.db_up, down_at, False)
            back = _wait_for(rec.db_up, went_down, True)
            healthy = _wait_for(rec.health, back, 200)
            wrong = _after_recovery(svc, conn)
            assert not wrong, f"{phase}: right after /health OK:\n" + "\n".join(wrong)
            first_ack = next(t for t in list(rec.acks_at) if t >= back)
            phases[phase] = {
                "outage_s": back - went_down,
                "healthy_after_s": healthy - back,
                "first_write_after_s": max(0.0, first_ack - back),
                "acked_before": acked_before,
            }
        _wait_for_writes(rec, len(rec.acked) + WRITERS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        pollers_stop.set()
        for thread in pollers:
            thread.join(timeout=10)
        conn.close()

    print("\nrecovery:", {p: {k: round(v, 2) for k, v in m.items()} for p, m in phases.items()})
    print(
        f"writes acknowledged {len(rec.acked)}, 503 answers to writers {rec.answers_503}, "
        f"health samples {len(rec.health)} "
        f"({sum(1 for _, s in rec.health if s == 503)} × 503)"
    )
    assert svc.process.poll() is None, "karte serve was not restarted and is still running"
    assert not rec.unexpected, rec.unexpected[:5]
    assert not rec.bad_503, rec.bad_503[:3]
    assert not rec.transport_errors, rec.transport_errors[:5]
    assert {s for _, s in rec.health} <= {200, 503}, "no 500 from /health"
    assert rec.answers_503 > 0, "the writers did meet the outages"
    for phase, m in phases.items():
        assert m["healthy_after_s"] <= TARGET_S, (phase, m)
        assert m["first_write_after_s"] <= TARGET_S, (phase, m)

    assert all(not t.is_alive() for t in threads)
    assert set(rec.acked) == set(rec.attempted), "every write was acknowledged in the end"
    with psycopg.connect(svc.libpq()) as db:
        stored = dict(
            db.execute(
                "SELECT id::text, title FROM observation WHERE title LIKE 'recovery w%%'"
            ).fetchall()
        )
        twice = db.execute(
            "SELECT title, count(*) FROM observation WHERE title LIKE 'recovery w%%' "
            "GROUP BY title HAVING count(*) > 1"
        ).fetchall()
    lost = set(rec.acked) - set(stored)
    assert not lost, f"{len(lost)} acknowledged writes lost"
    assert not twice, f"stored twice: {twice[:5]}"
    assert stored == rec.acked
