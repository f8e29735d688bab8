"""The `karte` command: expected failures are one readable paragraph, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from mapservice.db.cluster import Cluster


def karte(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KARTE_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "mapservice.cli", *args],
        capture_output=True, text=True, env=environment, timeout=120,
    )  # fmt: skip


def assert_readable_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Fehler:" in result.stderr and "Error:" in result.stderr
    for needle in needles:
        assert needle in result.stderr


def test_bad_setting_names_the_variable() -> None:
    result = karte("db", "status", KARTE_PORT="achttausend")
    assert_readable_failure(result, "KARTE_PORT", "achttausend")


def test_bad_database_url_scheme() -> None:
    result = karte("db", "status", KARTE_DATABASE_URL="mysql://x@localhost/karte")
    assert_readable_failure(result, "KARTE_DATABASE_URL", "postgresql://")


def test_unreachable_database() -> None:
    result = karte("db", "upgrade", KARTE_DATABASE_URL="postgresql://karte@127.0.0.1:9/karte")
    assert_readable_failure(result, "nicht erreichbar", "unreachable", "KARTE_DATABASE_URL")


def test_database_without_postgis_and_no_right_to_create_it(pg_cluster: Cluster) -> None:
    admin = pg_cluster.url("postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS karte_nopostgis")
        conn.execute("DROP ROLE IF EXISTS weak")
        conn.execute("CREATE ROLE weak LOGIN")
        conn.execute("CREATE DATABASE karte_nopostgis OWNER weak")
    url = pg_cluster.url("karte_nopostgis").replace("karte@", "weak@")
    result = karte("db", "upgrade", KARTE_DATABASE_URL=url)
    assert_readable_failure(result, "PostGIS", "CREATE EXTENSION postgis")


def test_layer_file_with_a_typo(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[1] / "layers" / "umwelt.toml"
    (tmp_path / "umwelt.toml").write_text(
        source.read_text(encoding="utf-8").replace("dimension =", "dimenson ="), encoding="utf-8"
    )
    result = karte("layers", "check", KARTE_LAYERS_DIR=str(tmp_path))
    assert_readable_failure(result, "umwelt.toml", "dimenson")


def test_layers_check_passes_on_the_shipped_catalogue() -> None:
    result = karte("layers", "check")
    assert result.returncode == 0 and "Ebenen in Ordnung" in result.stdout


@pytest.mark.parametrize("name", ["Böse Name", "x"])
def test_account_names_are_checked(name: str, database_url: str) -> None:
    result = karte("accounts", "add", name, KARTE_DATABASE_URL=database_url)
    assert_readable_failure(result, "Kontoname")


def test_token_lifecycle_through_the_cli(database_url: str, http) -> None:  # type: ignore[no-untyped-def]
    assert karte("accounts", "add", "cli-planer", "--role", "planner",
                 KARTE_DATABASE_URL=database_url).returncode == 0  # fmt: skip
    created = karte("tokens", "create", "cli-planer", KARTE_DATABASE_URL=database_url)
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("karte_")
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get("/api/interviews", headers=headers).status_code == 200
    assert karte("tokens", "revoke", token, KARTE_DATABASE_URL=database_url).returncode == 0
    refused = http.get("/api/interviews", headers=headers)
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
