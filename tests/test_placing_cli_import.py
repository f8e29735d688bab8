"""``karte import`` tells scripts whether everything arrived: a non-zero exit status (with a
German and English line naming the refused rows) when rows were refused, unless
``--skip-invalid`` asked to skip them — then status 0 and how many were skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import count
from tests.test_cli import karte
from tests.test_imports_support import Place, csv_file, place_fixture  # noqa: F401


def _run(database_url: str, data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    return karte("import", *args, KARTE_DATABASE_URL=url, KARTE_DATA_DIR=str(data_dir),
                 COLUMNS="200")  # fmt: skip


def _file(tmp_path: Path, name: str, good: int, bad: int, start: int) -> Path:
    rows = []
    for i in range(good + bad):
        lon, lat = Place.point(start + i)
        layer = "mobilitaet" if i < good else "keine-ebene"
        rows.append([lat, lon, layer, "Problem", f"CLI-Test {name} {i}"])
    return csv_file(tmp_path / f"{name}.csv", ["lat", "lon", "ebene", "art", "titel"], rows)


def _observations(engine: Engine, name: str) -> int:
    return count(engine, "observation", f"title LIKE 'CLI-Test {name} %'")


@pytest.mark.parametrize(("good", "bad"), [(0, 3), (2, 1)])
def test_refused_rows_exit_non_zero_and_nothing_is_written(
    engine: Engine, database_url: str, data_dir: Path, place: Place, tmp_path: Path,
    good: int, bad: int,
) -> None:  # fmt: skip
    name = f"refused{good}"
    path = _file(tmp_path, name, good, bad, 140 + 10 * good)
    result = _run(database_url, data_dir, str(path), "--quarter", place.slug)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert _observations(engine, name) == 0
    assert f"{bad} von {good + bad} Zeilen abgelehnt" in out, out
    assert f"{bad} of {good + bad} rows refused" in out, out
    assert "nichts gespeichert" in out and "nothing written" in out


def test_skip_invalid_exits_zero_and_says_how_many_were_skipped(
    engine: Engine, database_url: str, data_dir: Path, place: Place, tmp_path: Path
) -> None:
    path = _file(tmp_path, "skip", 3, 2, 170)
    result = _run(database_url, data_dir, str(path), "--quarter", place.slug, "--skip-invalid")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert _observations(engine, "skip") == 3
    assert "2 abgelehnte Zeilen übersprungen" in out and "2 refused rows skipped" in out, out


def test_a_clean_file_exits_zero(
    engine: Engine, database_url: str, data_dir: Path, place: Place, tmp_path: Path
) -> None:
    path = _file(tmp_path, "clean", 2, 0, 180)
    result = _run(database_url, data_dir, str(path), "--quarter", place.slug)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _observations(engine, "clean") == 2
