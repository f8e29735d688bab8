"""Sign-in over real HTTP: passwords, tokens, the rate limit in the database, expiry, sign-out."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import Engine, text

from mapservice.config import Settings
from mapservice.workspace import auth
from tests.conftest import LiveServer, count
from tests.workspace.conftest import PASSWORD, WorkspaceTeam, add_member


def login(http: httpx.Client, **body: str) -> httpx.Response:
    return http.post("/api/auth/login", json=body)


def assert_error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code
    assert body["message_de"] and body["message_en"] and body["message_de"] != body["message_en"]
    return body


def test_wrong_password_is_refused_and_counted(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    member = add_member(engine, "planner")
    before = count(engine, "login_attempt", f"account_name = '{member.name}'")
    body = assert_error(
        login(http, account=member.name, password="falsch-falsch"), 401, "login_failed"
    )
    assert "Passwort" in body["message_de"] and "password" in body["message_en"]
    assert count(engine, "login_attempt", f"account_name = '{member.name}'") == before + 1
    # an unknown account gets the same answer (no hint which accounts exist)
    assert_error(login(http, account="gibt-es-nicht", password="x" * 12), 401, "login_failed")
    # a success clears the account's failures
    assert login(http, account=member.name.upper(), password=PASSWORD).status_code == 200
    assert count(engine, "login_attempt", f"account_name = '{member.name}'") == 0


def test_incomplete_sign_in_bodies_are_400(http: httpx.Client) -> None:
    assert_error(login(http, account="someone"), 400, "login_incomplete")
    assert_error(login(http, account="", password=""), 400, "login_incomplete")
    assert_error(http.post("/api/auth/login", json={}), 400, "login_incomplete")
    assert_error(login(http, token="   "), 400, "login_incomplete")
    assert_error(http.post("/api/auth/login", json={"user": "x"}), 400, "invalid_input")
    assert_error(login(http, account="a", password="p" * 2000), 400, "invalid_input")


def test_five_failures_lock_the_account_for_a_while(http: httpx.Client, engine: Engine) -> None:
    member = add_member(engine, "planner")
    for _ in range(auth.ACCOUNT_LIMIT):
        assert login(http, account=member.name, password="nicht-das-passwort").status_code == 401
    locked = login(http, account=member.name, password=PASSWORD)  # even the right one
    body = assert_error(locked, 429, "too_many_attempts")
    assert 60 <= int(locked.headers["retry-after"]) <= 15 * 60
    assert "Minuten" in body["message_de"] and "minutes" in body["message_en"]
    # the lock is in the database: once the failures are older than the window, it is gone
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE login_attempt SET at = at - interval '16 minutes' WHERE account_name = :a"
            ),
            {"a": member.name},
        )
    assert login(http, account=member.name, password=PASSWORD).status_code == 200


def test_failures_from_one_address_are_limited_across_accounts(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    clear = text("DELETE FROM login_attempt WHERE client = '127.0.0.1'")
    with engine.begin() as conn:
        conn.execute(clear)  # earlier tests' failures came from the same address
    try:
        for i in range(auth.CLIENT_LIMIT):
            r = login(http, account=f"unbekannt-{i}", password="raten-raten")
            assert r.status_code == 401
        assert_error(
            login(http, account=workspace_team.planner.name, password=PASSWORD),
            429,
            "too_many_attempts",
        )
        assert_error(login(http, token=workspace_team.planner.token), 429, "too_many_attempts")
    finally:
        with engine.begin() as conn:
            conn.execute(clear)
    assert login(http, account=workspace_team.planner.name, password=PASSWORD).status_code == 200


def test_token_sign_in_and_sign_out_keeps_api_tokens(
    http: httpx.Client, workspace_team: WorkspaceTeam
) -> None:
    field = workspace_team.field
    r = login(http, token=field.token)
    assert r.status_code == 200
    assert r.json()["token"] == field.token and r.json()["account"]["role"] == "field"
    assert r.json()["expires_at"]  # the API token's own expiry (1 day in the fixture)
    assert_error(login(http, token="karte_falsch"), 401, "token_invalid")
    out = http.post("/api/auth/logout", headers=field.auth)
    assert out.json() == {"revoked": False}  # an API token is not a sign-in: it stays valid
    assert http.get("/api/auth/me", headers=field.auth).status_code == 200
    assert_error(http.post("/api/auth/logout"), 401, "token_required")
    assert_error(http.get("/api/auth/me"), 401, "token_required")


def test_sign_in_tokens_expire_after_twelve_hours(http: httpx.Client, engine: Engine) -> None:
    member = add_member(engine, "planner")
    r = login(http, account=member.name, password=PASSWORD)
    token = r.json()["token"]
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT t.kind, t.expires_at - t.created_at AS life FROM token t JOIN account a "
                "ON a.id = t.account_id WHERE a.name = :n AND kind = 'session'"
            ),
            {"n": member.name},
        ).one()
    assert row.kind == "session" and abs(row.life.total_seconds() - 12 * 3600) < 5
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE token SET expires_at = now() - interval '1 second' WHERE kind = 'session' "
                "AND account_id = (SELECT id FROM account WHERE name = :n)"
            ),
            {"n": member.name},
        )
    assert_error(
        http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}), 401, "token_expired"
    )


def test_disabled_accounts_cannot_sign_in(http: httpx.Client, engine: Engine) -> None:
    member = add_member(engine, "planner")
    with engine.begin() as conn:
        conn.execute(text("UPDATE account SET disabled = true WHERE name = :n"), {"n": member.name})
    assert_error(login(http, account=member.name, password=PASSWORD), 401, "account_disabled")
    assert_error(login(http, token=member.token), 401, "account_disabled")


def test_last_use_is_noted_at_most_once_a_minute(http: httpx.Client, engine: Engine) -> None:
    member = add_member(engine, "planner")
    sql = text(
        "SELECT last_used_at FROM token WHERE account_id = "
        "(SELECT id FROM account WHERE name = :n) AND kind = 'api'"
    )
    with engine.connect() as conn:
        assert conn.execute(sql, {"n": member.name}).scalar() is None
    assert http.get("/api/auth/me", headers=member.auth).status_code == 200
    with engine.connect() as conn:
        first = conn.execute(sql, {"n": member.name}).scalar()
    assert first is not None
    assert http.get("/api/auth/me", headers=member.auth).status_code == 200
    with engine.connect() as conn:
        assert conn.execute(sql, {"n": member.name}).scalar() == first  # not written again


def test_set_password_on_the_cli(database_url: str, http: httpx.Client, engine: Engine) -> None:
    member = add_member(engine, "field")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTE_")}
    env["KARTE_DATABASE_URL"] = database_url

    def cli(password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "mapservice.cli",
                "accounts",
                "set-password",
                member.name,
                "--stdin",
            ],
            input=password + "\n",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    short = cli("kurz")
    assert short.returncode == 1 and "Traceback" not in short.stderr
    assert "mindestens 10 Zeichen" in short.stderr and "at least 10 characters" in short.stderr
    done = cli("ein-neues-Passwort")
    assert done.returncode == 0, done.stderr
    assert login(http, account=member.name, password="ein-neues-Passwort").status_code == 200
    assert login(http, account=member.name, password=PASSWORD).status_code == 401
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT password_hash FROM account WHERE name = :n"), {"n": member.name}
        ).scalar_one()
    assert stored.startswith("$argon2id$") and "ein-neues-Passwort" not in stored


def test_the_limit_holds_across_workers_and_parallel_guesses(
    http: httpx.Client, engine: Engine, settings: Settings
) -> None:
    """Two app instances (as two workers behind a load balancer) share one count; ten
    parallel guesses get exactly ``ACCOUNT_LIMIT`` answers 401 and the rest 429."""
    member = add_member(engine, "planner")
    with LiveServer(settings) as second, httpx.Client(base_url=second.url, timeout=30) as other:
        clients = [http, other]

        def guess(i: int) -> int:
            r = login(clients[i % 2], account=member.name, password=f"geraten-{i:04d}")
            return r.status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            codes = sorted(pool.map(guess, range(10)))
        assert codes == [401] * auth.ACCOUNT_LIMIT + [429] * (10 - auth.ACCOUNT_LIMIT)
        assert count(engine, "login_attempt", f"account_name = '{member.name}'") == 5
        assert login(other, account=member.name, password=PASSWORD).status_code == 429
