"""Shared set-up of the import and export tests: an own quarter (Stuttgart), a gazetteer in
it, helpers to run an import and to prove that nothing was written.

The quarter lies far from every other test module's data, so counts per quarter are exact.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from mapservice.access import Viewer
from mapservice.capture.imports import ImportOptions, ImportResult, run_import
from mapservice.catalog import Catalog, load_catalog
from mapservice.config import Settings
from mapservice.errors import KarteError
from mapservice.georef.crs import transformer
from tests.conftest import count

X0, Y0, X1, Y1 = 9.170, 48.770, 9.184, 48.779
INSIDE = (9.177, 48.7745)
TABLES = ("observation", "walkthrough", "interview", "finding", "reference_feature")
ADMIN = Viewer(role="admin", name="import-tests")


@dataclass
class Place:
    slug: str
    id: int

    @staticmethod
    def point(i: int) -> tuple[float, float]:
        """The i-th of a grid of points well inside the quarter (lon, lat)."""
        row = (i // 12) % 15
        return (round(X0 + 0.001 + (i % 12) * 0.001, 6), round(Y0 + 0.001 + row * 0.0005, 6))

    @staticmethod
    def utm(lon: float, lat: float, epsg: int = 25832) -> tuple[float, float]:
        x, y = transformer(4326, epsg).transform(lon, lat)
        return round(x, 2), round(y, 2)


_SHARED: dict[str, Any] = {}  # one quarter per test process, whichever module asks first


@pytest.fixture(scope="session", name="catalog")
def catalog_fixture(settings: Settings) -> Catalog:
    if "catalog" not in _SHARED:
        _SHARED["catalog"] = load_catalog(settings.layers_dir)
    return _SHARED["catalog"]


@pytest.fixture(scope="session", name="place")
def place_fixture(engine: Engine) -> Place:
    """A quarter in Stuttgart with a street and a named place in its gazetteer."""
    if "place" not in _SHARED:
        _SHARED["place"] = _make_place(engine)
    return _SHARED["place"]


def _make_place(engine: Engine) -> Place:
    slug = f"import-test-{uuid.uuid4().hex[:6]}"
    boundary = f"MULTIPOLYGON((({X0} {Y0}, {X1} {Y0}, {X1} {Y1}, {X0} {Y1}, {X0} {Y0})))"
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES "
                "(:s, 'Importquartier', 'Stuttgart', ST_GeomFromText(:b, 4326)) RETURNING id"
            ),
            {"s": slug, "b": boundary},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO gazetteer_entry (quarter_id, kind, name, street, geom, source) VALUES "
                "(:q, 'street', 'Liststraße', 'Liststraße', "
                "ST_GeomFromText('LINESTRING(9.172 48.772, 9.182 48.772)', 4326), 'import-tests'),"
                "(:q, 'place', 'Marktbrunnen', NULL, "
                "ST_GeomFromText('POINT(9.178 48.776)', 4326), 'import-tests')"
            ),
            {"q": qid},
        )
    return Place(slug, int(qid))


def do_import(engine: Engine, catalog: Catalog, path: Path, **options: Any) -> ImportResult:
    """Run an import as an admin (the CLI's identity) with the given options."""
    return run_import(engine, catalog, path, ImportOptions(**options), ADMIN)


def counts(engine: Engine) -> dict[str, int]:
    return {table: count(engine, table) for table in TABLES}


def assert_refused_file(
    engine: Engine, catalog: Catalog, path: Path, code: str, **options: Any
) -> KarteError:
    """The whole file is refused with ``code`` (German and English message), nothing written."""
    before = counts(engine)
    with pytest.raises(KarteError) as caught:
        do_import(engine, catalog, path, **options)
    error = caught.value
    assert error.code == code, error.as_dict()
    assert error.message_de and error.message_en and error.message_de != error.message_en
    assert counts(engine) == before
    return error


def assert_refused_rows(
    engine: Engine, catalog: Catalog, path: Path, expected: dict[int, str], **options: Any
) -> ImportResult:
    """Rows refused with the expected codes (row → code), nothing written."""
    before = counts(engine)
    result = do_import(engine, catalog, path, **options)
    got = {r.row: r.code for r in result.refused}
    assert got == expected, [vars(r) for r in result.refused]
    for refusal in result.refused:
        assert refusal.message_de and refusal.message_en
    assert not result.written
    assert counts(engine) == before
    return result


def csv_file(path: Path, header: list[str], rows: list[list[Any]], sep: str = ";") -> Path:
    lines = [sep.join(header), *(sep.join(str(v) for v in row) for row in rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path
