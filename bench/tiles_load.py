"""Load generators and server processes of the tile benchmark (``bench.bench_tiles``).

Three ways to put load on a tile source, all returning a ``LoadResult``:

* ``run_wrk`` — wrk (C, from Debian) with a Lua script that cycles through a URL list. It is
  the preferred client: on 2 cores a Python client needs about as much CPU as the server it
  measures, so it would report its own limit rather than the server's.
* ``run_python`` — asyncio + httpx with the same connections, used only when wrk is missing;
  the benchmark says so in its output.
* ``run_db`` — the tile SQL itself over N psycopg connections, no HTTP: the database ceiling.

``Server`` starts a server as a subprocess in its own process group (so the uvicorn workers
can be stopped with it) and reads the resident memory of its worker processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg


@dataclass
class LoadResult:
    """One measurement: completed requests over wall time, latency percentiles, body sizes."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_bytes: float
    max_bytes: int
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    #: tile/items queries the database ran per request, and their mean execution time
    #: (pg_stat_statements); None when not measured.
    db_calls_per_request: float | None = None
    db_mean_ms: float | None = None
    #: reads of the data versions (``layer_version``) per request: our server needs the
    #: current version even for a cache hit (it is part of the key and the ETag).
    version_reads_per_request: float | None = None
    #: CPU cores busy during the run: ours = this process tree (servers, client) and the
    #: PostgreSQL cluster; other = everything else on the machine (other users' jobs).
    cpu_ours: float | None = None
    cpu_other: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


# -- wrk ---------------------------------------------------------------------------------

#: Each wrk thread walks the list from its own starting point (thread i of n starts at
#: i/n of the list), so the connections of different threads do not ask for the same tile
#: at the same moment; response() tallies body sizes and statuses, done() prints JSON.
WRK_LUA = r"""
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  urls = {}
  for line in io.lines(args[1]) do
    if #line > 0 then urls[#urls + 1] = line end
  end
  local n = tonumber(args[2])
  pos = math.floor(#urls * tid / n)
  nbytes, maxbytes, nresp = 0, 0, 0
  codes = {}
end

function request()
  pos = pos % #urls + 1
  return wrk.format("GET", urls[pos])
end

function response(status, headers, body)
  local len = 0
  if body then len = #body end
  nbytes = nbytes + len
  nresp = nresp + 1
  if len > maxbytes then maxbytes = len end
  local key = tostring(status)
  codes[key] = (codes[key] or 0) + 1
end

function done(summary, latency, requests)
  local total, mx, resp = 0, 0, 0
  local codes_all = {}
  for _, t in ipairs(threads) do
    total = total + t:get("nbytes")
    resp = resp + t:get("nresp")
    local m = t:get("maxbytes")
    if m > mx then mx = m end
    local c = t:get("codes")
    for k, v in pairs(c) do codes_all[k] = (codes_all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(codes_all) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%f,"p99_us":%f,"bytes":%d,' ..
    '"responses":%d,"max":%d,"errors":%d,"codes":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    total, resp, mx, e.connect + e.read + e.write + e.timeout + e.status,
    table.concat(parts, ",")))
end
"""


def have_wrk() -> bool:
    """wrk on PATH (Debian: ``apt-get install -y wrk``)."""
    return shutil.which("wrk") is not None


def run_wrk(
    base: str, paths: Sequence[str], seconds: float, connections: int = 32, threads: int = 2
) -> LoadResult:
    """Run wrk against ``base`` + each path in turn for ``seconds``."""
    with tempfile.TemporaryDirectory(prefix="karte-wrk-") as tmp:
        script, listing = Path(tmp) / "cycle.lua", Path(tmp) / "urls.txt"
        script.write_text(WRK_LUA, encoding="utf-8")
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        cmd = [
            "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", "30s", "-s", str(script), base, "--", str(listing), str(threads),
        ]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 90)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    data = json.loads(line.removeprefix("WRKJSON "))
    responses = max(int(data["responses"]), 1)
    return LoadResult(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_bytes=data["bytes"] / responses,
        max_bytes=int(data["max"]),
        errors=int(data["errors"]),
        statuses={str(k): int(v) for k, v in data["codes"].items()},
    )


# -- Python client (fallback) --------------------------------------------------------------


def run_python(
    base: str, paths: Sequence[str], seconds: float, connections: int = 32
) -> LoadResult:
    """The same load with asyncio + httpx; slower than the servers it measures on 2 cores."""
    return asyncio.run(_python_load(base, list(paths), seconds, connections))


async def _python_load(base: str, paths: list[str], seconds: float, n: int) -> LoadResult:
    latencies: list[float] = []
    sizes: list[int] = []
    statuses: dict[str, int] = {}
    errors = 0
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker(i: int) -> None:
            nonlocal errors
            pos = len(paths) * i // n
            while time.perf_counter() < deadline:
                pos = (pos + 1) % len(paths)
                t0 = time.perf_counter()
                try:
                    resp = await client.get(paths[pos])
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                sizes.append(len(resp.content))
                key = str(resp.status_code)
                statuses[key] = statuses.get(key, 0) + 1
                errors += resp.status_code >= 400

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(n)))
        elapsed = time.perf_counter() - started
    return _summarise(latencies, sizes, elapsed, errors, statuses)


def _summarise(
    latencies: list[float], sizes: list[int], elapsed: float, errors: int, statuses: dict[str, int]
) -> LoadResult:
    if not latencies:
        return LoadResult(0, elapsed, 0.0, 0.0, 0.0, 0, errors, statuses)
    qs = statistics.quantiles(latencies, n=100, method="inclusive")
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=qs[98] * 1000,
        mean_bytes=sum(sizes) / len(sizes),
        max_bytes=max(sizes),
        errors=errors,
        statuses=statuses,
    )


def run_http(base: str, paths: Sequence[str], seconds: float, connections: int = 32) -> LoadResult:
    """wrk when installed, else the Python client."""
    if have_wrk():
        return run_wrk(base, paths, seconds, connections)
    return run_python(base, paths, seconds, connections)


# -- database ceiling ----------------------------------------------------------------------


def run_db(
    url: str,
    sql: str,
    param_sets: Sequence[dict[str, Any]],
    seconds: float,
    connections: int = 2,
    options: str = "",
) -> LoadResult:
    """Run ``sql`` (prepared, first column = body) for each parameter set in turn over
    ``connections`` psycopg connections, one thread each: what PostGIS alone can deliver."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    sizes: list[list[int]] = [[] for _ in range(connections)]
    deadline = time.perf_counter() + seconds
    failures: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            with psycopg.connect(url, autocommit=True, options=options) as conn:
                pos = len(param_sets) * i // connections
                while time.perf_counter() < deadline:
                    pos = (pos + 1) % len(param_sets)
                    t0 = time.perf_counter()
                    row = conn.execute(sql, param_sets[pos], prepare=True, binary=True).fetchone()
                    latencies[i].append(time.perf_counter() - t0)
                    sizes[i].append(len(row[0]) if row and row[0] is not None else 0)
        except BaseException as exc:  # reported by the caller, not lost in the thread
            failures.append(exc)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    if failures:
        raise failures[0]
    elapsed = time.perf_counter() - started
    flat_l = [x for part in latencies for x in part]
    flat_s = [x for part in sizes for x in part]
    return _summarise(flat_l, flat_s, elapsed, 0, {"rows": len(flat_l)})


# -- what the database did during a run (pg_stat_statements) --------------------------------


class StatementStats:
    """Counts calls and time of the tile/items statements between ``reset`` and ``read``.

    Tells whether a request cost one database query (or fewer, when concurrent requests for
    the same tile shared one) and how much of the latency is the database's.
    """

    def __init__(self, url: str) -> None:
        self.url = url

    def available(self) -> bool:
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                conn.execute("SELECT pg_stat_statements_reset()")
            return True
        except psycopg.Error:
            return False

    def reset(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_stat_statements_reset()")

    def read(self, pattern: str) -> tuple[int, float]:
        """(calls, total ms) of statements whose text matches the SQL LIKE ``pattern``."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0) "
                "FROM pg_stat_statements WHERE query LIKE %s AND query NOT LIKE %s",
                (pattern, "%pg_stat_statements%"),
            ).fetchone()
        assert row is not None
        return int(row[0]), float(row[1])


# -- who used the CPU during a run -------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _busy_ticks() -> int:
    """Busy time of all CPUs together (user, nice, system, irq, softirq, steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq + steal


def _tree_ticks(pid: int) -> int:
    """CPU ticks of ``pid`` and every live descendant, each with its reaped children."""
    total = 0
    for p in (pid, *_descendants(pid)):
        try:
            after_name = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += sum(int(x) for x in after_name[11:15])  # utime, stime, cutime, cstime
    return total


class CpuMeter:
    """Splits the machine's CPU time during a run into ours and everybody else's.

    The benchmark shares the machine with whatever else runs there; a figure measured while
    other jobs took a core is not a figure of our server. Ours is this process and its
    descendants (servers, workers, wrk) plus the PostgreSQL cluster (``postmaster``, whose
    backends are its children); the rest of the busy time is "other".
    """

    def __init__(self, postmaster_pid: int | None) -> None:
        self.roots = [os.getpid()] + ([postmaster_pid] if postmaster_pid else [])

    def snapshot(self) -> tuple[float, int, int]:
        return time.perf_counter(), _busy_ticks(), sum(_tree_ticks(p) for p in self.roots)

    @staticmethod
    def cores(before: tuple[float, int, int], after: tuple[float, int, int]) -> tuple[float, float]:
        """(ours, other) in CPU cores on average between two snapshots."""
        wall = max(after[0] - before[0], 1e-6)
        busy = (after[1] - before[1]) / _TICK
        mine = (after[2] - before[2]) / _TICK
        return mine / wall, max(busy - mine, 0.0) / wall


# -- server processes ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc, no extra dependency)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(x) for x in path.read_text().split()]
    except (OSError, ValueError):
        return []


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


def rss_mb(pid: int) -> float | None:
    """VmRSS of a process in MB, None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Server:
    """A server subprocess (our ``karte serve`` or tipg's uvicorn) on a local port."""

    def __init__(
        self, name: str, cmd: list[str], env: dict[str, str], port: int, cwd: Path, ready: str
    ) -> None:
        self.name, self.cmd, self.env, self.port, self.cwd = name, cmd, env, port, cwd
        self.ready_path = ready
        self.log = cwd / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> Server:
        """Start and wait until ``ready_path`` answers 200 (the workers have the catalogue
        loaded and a database connection open)."""
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                self.cmd, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.base, timeout=10) as client:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
                try:
                    if client.get(self.ready_path).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} did not start: {self.log_tail()}")
                time.sleep(0.3)
        time.sleep(1.0)  # let the second worker finish its start-up too
        return self

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def worker_rss_mb(self) -> dict[int, float]:
        """Resident memory of each worker process (the supervisor and multiprocessing's
        resource tracker are left out: they hold no tiles and serve no requests)."""
        if self.proc is None:
            return {}
        out = {}
        for pid in _descendants(self.proc.pid):
            if "resource_tracker" in _cmdline(pid):
                continue
            mb = rss_mb(pid)
            if mb is not None:
                out[pid] = mb
        return out

    def stop(self) -> None:
        """SIGTERM to the server's own process group (supervisor and its workers), then
        SIGKILL to that group if it has not gone after 15 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is our child's pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            return
        for _ in range(50):  # workers may outlive the supervisor for a moment
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
