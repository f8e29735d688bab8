"""Single observation create through the API: latency at 16 or 32 concurrent clients.

Target (issue 3): p99 under 50 ms on 2 cores. The service runs as ``karte serve --workers 2``
runs it (uvicorn in its own process), against a throw-away PostGIS cluster with default
settings; 16 clients each send ``POST /api/observations`` (a field account's bearer token, a
fresh client UUID, a point inside the quarter) one after another without pause (a closed
loop: the harshest reading of "16 concurrent clients"), after a warm-up. Latency is measured
in the client, from sending to the full response; the CPU the service and PostgreSQL spent
per create is read from /proc, so a figure taken on a busy machine can still be judged.

    .venv/bin/python -m bench.bench_api_create [--clients 16] [--requests 4000] [--workers 2]
        [--rate CREATES_PER_S]

``--rate`` switches to an open loop: creates arrive at random at that mean rate (many phones,
each sending when its user taps "Speichern"), which is how field teams load the service; the
closed loop is the saturation test, where latency is set by throughput (Little's law).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
from sqlalchemy import text

from bench import add_box_quarter, throwaway_database, verdict
from mapservice.access import create_account, create_token
from mapservice.db.cluster import free_port

TARGET_P99_MS = 50.0
BOX = (7.190, 51.480, 7.215, 51.497)


def body(rnd: random.Random) -> dict[str, object]:
    x0, y0, x1, y1 = BOX
    return {
        "id": str(uuid.uuid4()),
        "layer": rnd.choice(["mobilitaet", "umwelt", "wohnen", "gemeinwesen"]),
        "kind": rnd.choice(["strength", "problem", "potential", "idea"]),
        "rating": rnd.randint(-2, 2),
        "title": "Gehweg zugeparkt",
        "description": "Mit dem Kinderwagen muss man auf die Straße.",
        "geometry": {
            "type": "Point",
            "coordinates": [
                rnd.uniform(x0 + 0.001, x1 - 0.001),
                rnd.uniform(y0 + 0.001, y1 - 0.001),
            ],
        },
        "accuracy_m": 5,
        "observed_at": "2026-04-12T10:35:00+02:00",
    }


async def load(
    url: str, token: str, clients: int, requests: int
) -> tuple[list[float], float, list[str]]:
    """``requests`` creates over ``clients`` concurrent connections: latencies (ms), seconds,
    and what went wrong (a timeout or an error status counts with its full latency)."""
    latencies: list[float] = []
    errors: list[str] = []
    remaining = requests
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as http:

        async def client(seed: int) -> None:
            nonlocal remaining
            rnd = random.Random(seed)
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                try:
                    response = await http.post("/api/observations", json=body(rnd))
                    if response.status_code != 201:
                        errors.append(f"{response.status_code} {response.text[:80]}")
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        return latencies, time.perf_counter() - started, errors


async def load_open(
    url: str, token: str, clients: int, requests: int, rate: float
) -> tuple[list[float], float, list[str]]:
    """Open loop: ``requests`` creates arriving at ``rate`` per second on average (Poisson,
    as many phones sending on their own), over at most ``clients`` connections. Latency
    counts from the planned arrival, so a server that falls behind is charged for the queue
    it causes (no coordinated omission)."""
    latencies: list[float] = []
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    rnd = random.Random(7)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as http:

        async def send(planned: float) -> None:
            try:
                response = await http.post("/api/observations", json=body(rnd))
                if response.status_code != 201:
                    errors.append(f"{response.status_code} {response.text[:80]}")
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            latencies.append((time.perf_counter() - planned) * 1000)

        started = time.perf_counter()
        planned, tasks = started, []
        for _ in range(requests):
            planned += rnd.expovariate(rate)
            await asyncio.sleep(max(0.0, planned - time.perf_counter()))
            tasks.append(asyncio.create_task(send(planned)))
        await asyncio.gather(*tasks)
        return latencies, time.perf_counter() - started, errors


def _cpu(pid: int) -> float:
    """CPU seconds used by a process (and its finished children), from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its running children (uvicorn's worker processes)."""
    total = _cpu(pid)
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            children = [int(c) for c in handle.read().split()]
    except OSError:
        children = []
    return total + sum(_tree_cpu(child) for child in children)


def _server_cpu(engine: Any) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to the benchmark database."""
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                 "AND pid <> pg_backend_pid()")
        ).scalars()  # fmt: skip
        return {pid: _cpu(pid) for pid in pids}


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two readings (backends that came meanwhile count from zero)."""
    return sum(max(seconds - before.get(pid, 0.0), 0.0) for pid, seconds in after.items())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (2 cores: 2)")
    parser.add_argument(
        "--rate", type=float, default=0.0,
        help="open loop: creates per second arriving at random (default: closed loop)",
    )  # fmt: skip
    args = parser.parse_args()
    with throwaway_database() as (engine, url, folder):
        with engine.begin() as conn:
            add_box_quarter(conn, BOX)
            create_account(conn, "bench-field", "field")
            token = create_token(conn, "bench-field")
        port = free_port()
        env = {**os.environ, "KARTE_DATABASE_URL": url, "KARTE_DATA_DIR": str(folder)}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "mapservice.api.app:app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start")
                time.sleep(0.2)
            asyncio.run(load(base, token, args.clients, 300))  # warm-up
            before = _tree_cpu(server.pid), _server_cpu(engine)
            if args.rate > 0:
                measured = load_open(base, token, args.clients, args.requests, args.rate)
            else:
                measured = load(base, token, args.clients, args.requests)
            latencies, seconds, errors = asyncio.run(measured)
            service_ms = (_tree_cpu(server.pid) - before[0]) * 1000 / args.requests
            database_ms = _spent(before[1], _server_cpu(engine)) * 1000 / args.requests
        finally:
            server.terminate()
            server.wait(timeout=30)
    p50, p90, p99 = (percentile(latencies, q) for q in (50, 90, 99))
    loop = f"open loop at {args.rate:,.0f}/s" if args.rate > 0 else "closed loop"
    print(
        f"API create, {args.clients} clients ({loop}), {args.requests:,} requests, {args.workers} "
        f"worker(s): p50 {p50:.1f} ms, p90 {p90:.1f} ms, p99 {p99:.1f} ms, max "
        f"{max(latencies):.1f} ms, {args.requests / seconds:,.0f} creates/s"
    )
    if errors:
        print(f"   {len(errors)} requests failed, e.g. {errors[0]} (a timeout counts with its "
              "full latency)")  # fmt: skip
    print(f"   CPU per create: service {service_ms:.1f} ms, PostgreSQL {database_ms:.1f} ms; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    ceiling = (os.cpu_count() or 1) * 1000 / max(service_ms + database_ms, 0.001)
    if args.rate <= 0:  # Little's law: in a closed loop the mean latency is clients / rate
        needed = args.clients / (TARGET_P99_MS / 1000)
        print(
            f"   closed loop: a mean below {TARGET_P99_MS:.0f} ms at {args.clients} clients "
            f"needs > {needed:,.0f} creates/s; the CPU per create allows at most "
            f"{ceiling:,.0f}/s on {os.cpu_count()} cores (server and database alone)"
        )
    print(f"   target: p99 < {TARGET_P99_MS:.0f} ms {verdict(p99 < TARGET_P99_MS)}")


if __name__ == "__main__":
    main()
