"""Big files go through in chunks, written while the next chunk is read: a refusal in a late
chunk, or an id given twice in different chunks, must still leave nothing behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mapservice.capture.imports import sources
from mapservice.catalog import Catalog
from tests.conftest import count
from tests.test_imports_support import (  # noqa: F401
    Place,
    assert_refused_file,
    assert_refused_rows,
    catalog_fixture,
    counts,
    csv_file,
    do_import,
    place_fixture,
)

HEADER = ["id", "lat", "lon", "title", "kind", "layer", "rating"]


@pytest.fixture(autouse=True)
def _small_chunks(place: Place, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "CHUNK_ROWS", 2)


def _rows(tag: str, n: int, start: int) -> list[list[object]]:
    rows = []
    for i in range(n):
        lon, lat = Place.point(start + i)
        rows.append([f"{tag}{i:x}".ljust(8, "0") + "-0000-4000-8000-000000000000", lat, lon,
                     f"{tag} {i}", "problem", "umwelt", -1])  # fmt: skip
    return rows


def test_a_refusal_in_the_last_chunk_undoes_the_earlier_chunks(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    rows = _rows("a", 7, 230)
    rows[5][6] = 9
    path = csv_file(tmp_path / "spaet.csv", HEADER, rows)
    assert_refused_rows(engine, catalog, path, {6: "rating_range"})


def test_an_id_given_twice_in_different_chunks(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    rows = _rows("b", 6, 240)
    rows[4][0] = rows[0][0]
    path = csv_file(tmp_path / "doppelt.csv", HEADER, rows)
    assert_refused_rows(engine, catalog, path, {1: "duplicate_id", 5: "duplicate_id"})
    result = do_import(engine, catalog, path, skip_invalid=True)
    assert result.written and result.report.inserted == 4
    assert count(engine, "observation", f"id = '{rows[0][0]}'") == 0  # written, then undone
    assert count(engine, "observation", "title LIKE 'b %'") == 4


def test_identical_rows_without_ids_in_different_chunks_are_stored_once(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    rows = [row[1:] for row in _rows("c", 5, 250)]
    rows.append(list(rows[0]))
    path = csv_file(tmp_path / "gleich.csv", HEADER[1:], rows)
    before = counts(engine)
    dry = do_import(engine, catalog, path, dry_run=True)
    assert (dry.new, dry.report.existing) == (5, 1) and counts(engine) == before
    result = do_import(engine, catalog, path)
    assert (result.report.inserted, result.report.existing) == (5, 1)
    again = do_import(engine, catalog, path)
    assert (again.report.inserted, again.report.existing) == (0, 6)


def _features(n: int, start: int, epsg: int = 4326) -> list[dict]:
    out = []
    for i in range(n):
        lon, lat = Place.point(start + i)
        x, y = (lon, lat) if epsg == 4326 else Place.utm(lon, lat, epsg)
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [x, y]},
                "properties": {"layer": "umwelt", "kind": "idea", "title": f"S{start + i}"},
            }
        )
    return out


def test_geojson_is_read_in_chunks_whatever_the_member_order(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "hinten.geojson"
    doc = {"features": _features(5, 260, 25832), "name": "Begehung",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
           "type": "FeatureCollection"}  # fmt: skip
    path.write_text(json.dumps(doc, indent=1))
    result = do_import(engine, catalog, path)
    assert result.written and result.crs == 25832 and result.report.inserted == 5
    single = tmp_path / "eins.geojson"
    single.write_text(json.dumps(_features(1, 266)[0]))
    assert do_import(engine, catalog, single).report.inserted == 1


def test_a_syntax_error_in_the_last_feature_undoes_the_earlier_chunks(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": _features(7, 270)}, indent=1)
    broken = text[: text.rindex('"title"')] + '"title": S276}}]}'
    path = tmp_path / "kaputt_hinten.geojson"
    path.write_text(broken)
    error = assert_refused_file(engine, catalog, path, "malformed_geojson")
    assert "Zeile/line" in error.message_de
