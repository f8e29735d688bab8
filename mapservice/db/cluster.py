"""The embedded PostgreSQL + PostGIS cluster that runs in the data folder.

Why our own cluster: a new user must get from a fresh clone to a running service without
configuring a database server, and tests must never touch a server that happens to run on
the machine. The cluster uses the PostgreSQL binaries of the system, listens on 127.0.0.1
only (no unix socket, so no shared /var/run folder is needed), and trusts local connections.

The port is chosen once and kept in a file beside the cluster (``pg.port``): every later
start uses it again, so a running service finds the database where it left it after
``karte db stop``/``start`` or a crash. TCP rather than a unix socket in the data folder,
because a socket path may be at most 107 bytes (deep data folders would fail) and tools such
as ``psql``, QGIS or pgAdmin connect to a TCP port the same way on every platform.

``initdb`` and ``postgres`` refuse to run as root; when we are root (CI) the server runs as
the unprivileged ``postgres`` system user, who is given the cluster folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mapservice.errors import DatabaseError

SUPERUSER = "karte"
DATABASE = "karte"
SERVICE_USER = "postgres"


def find_bindir() -> Path:
    """Locate ``initdb``/``pg_ctl``: ``pg_config --bindir`` first, then the usual folders."""
    candidates: list[str] = []
    if shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=True
            )
            candidates.append(out.stdout.strip())
    versioned = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versioned
    candidates += sorted(glob.glob("/opt/homebrew/opt/postgresql@*/bin"), reverse=True)
    candidates += sorted(glob.glob("/usr/local/opt/postgresql@*/bin"), reverse=True)
    candidates += ["/usr/local/pgsql/bin"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise DatabaseError(
        "PostgreSQL-Server nicht gefunden (initdb fehlt). Installieren: "
        "'sudo apt-get install postgresql postgresql-15-postgis-3' (Debian/Ubuntu) bzw. "
        "'brew install postgresql@15 postgis' (macOS) – oder KARTE_DATABASE_URL auf einen "
        "vorhandenen PostGIS-Server setzen.",
        "PostgreSQL server not found (no initdb). Install it: "
        "'sudo apt-get install postgresql postgresql-15-postgis-3' (Debian/Ubuntu) or "
        "'brew install postgresql@15 postgis' (macOS) — or set KARTE_DATABASE_URL to an "
        "existing PostGIS server.",
        code="postgres_missing",
    )


def postgis_package_hint(bindir: Path) -> str:
    major = bindir.parent.name if bindir.parent.name.isdigit() else "15"
    return f"postgresql-{major}-postgis-3"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _port_is_bindable(port: int) -> bool:
    """Could PostgreSQL listen here? It sets SO_REUSEADDR, so TIME_WAIT does not count."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class ClusterStatus:
    initialised: bool
    running: bool
    pid: int | None
    port: int | None


@dataclass
class Cluster:
    """A PostgreSQL data folder we own. All methods are safe to call in any state."""

    directory: Path
    port: int | None = None
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.directory = Path(self.directory).absolute()

    # -- paths and identity ------------------------------------------------------------------
    @property
    def lock_path(self) -> Path:
        return self.directory.parent / f".{self.directory.name}.lock"

    @property
    def pid_file(self) -> Path:
        return self.directory / "postmaster.pid"

    @property
    def log_file(self) -> Path:
        return self.directory / "server.log"

    @property
    def port_file(self) -> Path:
        """The port chosen at the first start, kept beside the cluster for every later one."""
        return self.directory.parent / f"{self.directory.name}.port"

    def saved_port(self) -> int | None:
        try:
            port = int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return port if 0 < port < 65536 else None

    def _save_port(self, port: int) -> None:
        if self.saved_port() == port:
            return
        scratch = self.port_file.with_name(self.port_file.name + ".tmp")
        scratch.write_text(f"{port}\n")
        scratch.replace(self.port_file)  # atomic: a reader sees the old or the new port

    def _choose_port(self) -> int:
        """An explicit port (KARTE_PG_PORT) wins; else the kept one; else a new free one."""
        port = self.port or self.saved_port() or free_port()
        if not _port_is_bindable(port):
            raise self._port_taken(port)
        self._save_port(port)
        return port

    def _port_taken(self, port: int) -> DatabaseError:
        where = "KARTE_PG_PORT" if self.port else str(self.port_file)
        return DatabaseError(
            f"Port {port} der eingebetteten Datenbank ({where}) ist von einem anderen "
            "Programm belegt. Dieses Programm beenden – oder einen anderen Port wählen "
            f"(KARTE_PG_PORT setzen oder {self.port_file} löschen); ein laufendes "
            "'karte serve' muss danach neu gestartet werden.",
            f"Port {port} of the embedded database ({where}) is taken by another program. "
            "Stop that program – or choose another port (set KARTE_PG_PORT or delete "
            f"{self.port_file}); a running 'karte serve' must be restarted afterwards.",
            code="port_taken",
        )

    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    def _cmd(self, *args: str) -> list[str]:
        if self.as_root:
            return ["runuser", "-u", SERVICE_USER, "--", *args]
        return list(args)

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(*args), capture_output=True, text=True, timeout=timeout, check=False
        )

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise init/start/stop between processes (two `karte` commands at once)."""
        self._ensure_parent()
        with open(self.lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ensure_parent(self) -> None:
        parent = self.directory.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            raise self._not_writable(parent) from None
        if not os.access(parent, os.W_OK | os.X_OK):
            raise self._not_writable(parent)

    def _not_writable(self, folder: Path) -> DatabaseError:
        return DatabaseError(
            f"Datenordner {folder} ist nicht beschreibbar. KARTE_DATA_DIR auf einen Ordner "
            "setzen, in den dieser Benutzer schreiben darf.",
            f"Data folder {folder} is not writable. Set KARTE_DATA_DIR to a folder this user "
            "may write to.",
            code="data_dir_not_writable",
        )

    # -- state -------------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.directory / "PG_VERSION").exists()

    def _read_pid_file(self) -> tuple[int, int] | None:
        try:
            lines = self.pid_file.read_text().splitlines()
            return int(lines[0]), int(lines[3])
        except (OSError, IndexError, ValueError):
            return None

    def status(self) -> ClusterStatus:
        info = self._read_pid_file()
        if info and _pid_alive(info[0]) and not _port_is_free(info[1]):
            return ClusterStatus(self.initialised, True, info[0], info[1])
        return ClusterStatus(self.initialised, False, None, None)

    def url(self, database: str = DATABASE) -> str:
        status = self.status()
        if not status.running:
            raise DatabaseError(
                "Die eingebettete Datenbank läuft nicht. Starten mit 'karte db start'.",
                "The embedded database is not running. Start it with 'karte db start'.",
                code="database_not_running",
            )
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{status.port}/{database}"

    # -- lifecycle ---------------------------------------------------------------------------
    def init(self) -> None:
        """Run initdb once; a folder that already holds a cluster is left alone."""
        with self.locked():
            self._init_unlocked()

    def _init_unlocked(self) -> None:
        if self.initialised:
            return
        bindir = find_bindir()
        self.directory.mkdir(parents=True, exist_ok=True)
        if any(self.directory.iterdir()):
            raise DatabaseError(
                f"{self.directory} ist nicht leer, enthält aber keinen PostgreSQL-Cluster. "
                "Ordner leeren oder KARTE_DATA_DIR ändern.",
                f"{self.directory} is not empty but holds no PostgreSQL cluster. "
                "Empty it or change KARTE_DATA_DIR.",
                code="data_dir_not_empty",
            )
        self._hand_to_service_user()
        result = self._run(
            str(bindir / "initdb"),
            "-D",
            str(self.directory),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
        )
        if result.returncode != 0:
            raise DatabaseError(
                f"initdb ist fehlgeschlagen: {result.stderr.strip()[-600:]}",
                f"initdb failed: {result.stderr.strip()[-600:]}",
                code="initdb_failed",
            )

    def _hand_to_service_user(self) -> None:
        if not self.as_root:
            return
        try:
            entry = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise DatabaseError(
                f"Als root braucht der eingebettete Cluster den Systembenutzer "
                f"'{SERVICE_USER}' (kommt mit dem Paket postgresql).",
                f"Running as root, the embedded cluster needs the system user "
                f"'{SERVICE_USER}' (it comes with the postgresql package).",
                code="no_service_user",
            ) from None
        os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        self.directory.chmod(0o700)
        probe = self._run("test", "-w", str(self.directory))
        if probe.returncode != 0:
            raise DatabaseError(
                f"Der Benutzer '{SERVICE_USER}' erreicht {self.directory} nicht; die "
                "übergeordneten Ordner brauchen das Recht x für alle (chmod o+x).",
                f"User '{SERVICE_USER}' cannot reach {self.directory}; its parent folders "
                "need the x permission for others (chmod o+x).",
                code="data_dir_not_reachable",
            )

    def start(self) -> int:
        """Start the server (initialising it first) and return its port (always the same)."""
        with self.locked():
            self._init_unlocked()
            current = self.status()
            if current.running and current.port:
                return current.port
            self._remove_stale_pid_file()
            port = self._choose_port()
            bindir = find_bindir()
            opts = " ".join(
                [
                    f"-p {port}",
                    "-c listen_addresses=127.0.0.1",
                    "-c unix_socket_directories=''",
                    *self.options,
                ]
            )
            for attempt in range(3):
                result = self._run(
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(self.directory),
                    "-l",
                    str(self.log_file),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                if result.returncode == 0:
                    return port
                if "Address already in use" in self._log_tail(lines=8):
                    raise self._port_taken(port)
                # After a crash, children of the old postmaster may still hold shared memory
                # for a moment; wait and retry before giving up.
                time.sleep(1.0 + attempt)
                self._remove_stale_pid_file()
            raise DatabaseError(
                f"PostgreSQL startet nicht: {self._log_tail()}",
                f"PostgreSQL does not start: {self._log_tail()}",
                code="start_failed",
            )

    def _log_tail(self, lines: int = 4) -> str:
        try:
            text = self.log_file.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(kein Log / no log)"
        return " | ".join(text[-lines:])

    def _remove_stale_pid_file(self) -> None:
        """A postmaster.pid left by a crash names a dead (or recycled) pid: remove it."""
        info = self._read_pid_file()
        if info is None:
            if self.pid_file.exists():
                self.pid_file.unlink()
            return
        pid = info[0]
        alive = _pid_alive(pid)
        if alive:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                cmdline = b"postgres"
            alive = b"postgres" in cmdline or b"postmaster" in cmdline
        if not alive:
            self.pid_file.unlink(missing_ok=True)

    def stop(self) -> bool:
        """Stop the server; returns False when it was not running."""
        with self.locked():
            if not self.status().running:
                self._remove_stale_pid_file()
                return False
            bindir = find_bindir()
            result = self._run(
                str(bindir / "pg_ctl"), "-D", str(self.directory), "-m", "fast", "-w", "stop"
            )
            if result.returncode != 0:
                raise DatabaseError(
                    f"PostgreSQL hält nicht an: {result.stderr.strip()}",
                    f"PostgreSQL does not stop: {result.stderr.strip()}",
                    code="stop_failed",
                )
            return True

    def kill(self) -> None:
        """Simulate a crash (tests only): SIGKILL the postmaster, leaving its pid file."""
        info = self._read_pid_file()
        if info:
            os.kill(info[0], signal.SIGKILL)
            for _ in range(100):
                if not _pid_alive(info[0]):
                    break
                time.sleep(0.05)
