"""Every import format with real-looking input: what arrives in the database, and that a
second import of the same file adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon
from sqlalchemy import Engine, text

from mapservice.catalog import Catalog
from tests.conftest import count
from tests.test_imports_support import (
    Place,
    catalog_fixture,  # noqa: F401 (fixture "catalog")
    csv_file,
    do_import,
    place_fixture,  # noqa: F401 (fixture "place")
)

BOCHUM = Path(__file__).resolve().parents[1] / "data" / "bochum-opendata"


@pytest.fixture(autouse=True)
def _quarter(place: Place) -> Place:
    """Every test here needs the import quarter, even when it does not name it."""
    return place


def _feature(geometry: dict, **props: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def test_geojson_points_lines_polygons_and_reimport(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    p0, p1, p2 = Place.point(0), Place.point(1), Place.point(2)
    features = [
        _feature(
            {"type": "Point", "coordinates": list(p0)},
            layer="mobilitaet",
            art="Problem",
            titel="Zugeparkter Gehweg",
            bewertung=-1,
            datum="2026-04-12T10:35:00+02:00",
        ),
        _feature(
            {"type": "LineString", "coordinates": [list(p1), list(p2)]},
            layer="mobilitaet",
            kind="idea",
            title="Radweg durchgehend",
        ),
        _feature(
            {
                "type": "Polygon",
                "coordinates": [[list(p0), list(p1), list(Place.point(13)), list(p0)]],
            },
            layer="gruen-freiraum",
            kind="potential",
            title="Brache",
        ),
    ]
    path = tmp_path / "begehung.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    first = do_import(engine, catalog, path, quarter=place.slug)
    assert first.written and (first.report.inserted, first.report.existing) == (3, 0)
    assert first.format == "geojson" and first.target == "observations"
    again = do_import(engine, catalog, path, quarter=place.slug)
    assert (again.report.inserted, again.report.existing) == (0, 3)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT title, kind, rating, GeometryType(geom), status FROM observation "
                "WHERE quarter_id = :q AND title IN ('Zugeparkter Gehweg', 'Radweg durchgehend',"
                " 'Brache') ORDER BY title"
            ),
            {"q": place.id},
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Brache", "potential", None, "POLYGON", "draft"),
        ("Radweg durchgehend", "idea", None, "LINESTRING", "draft"),
        ("Zugeparkter Gehweg", "problem", -1, "POINT", "draft"),
    ]


def test_csv_with_lat_lon_german_headers_and_decimal_commas(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    rows = [
        [
            str(lat).replace(".", ","),
            str(lon).replace(".", ","),
            f"Bank {i}",
            "Stärke",
            "gemeinwesen",
            "2",
            "12.04.2026 10:30",
        ]
        for i, (lon, lat) in enumerate(Place.point(20 + i) for i in range(4))
    ]
    path = csv_file(
        tmp_path / "bänke.csv",
        ["Breite", "Länge", "Titel", "Art", "Ebene", "Bewertung", "Datum"],
        rows,
    )
    result = do_import(engine, catalog, path, quarter=place.slug)
    assert result.written and result.report.inserted == 4, result.as_dict()
    with engine.connect() as conn:
        lon, lat, kind, hour = conn.execute(
            text(
                "SELECT ST_X(geom), ST_Y(geom), kind, extract(hour FROM observed_at AT TIME "
                "ZONE 'Europe/Berlin') FROM observation WHERE title = 'Bank 0' AND quarter_id = :q"
            ),
            {"q": place.id},
        ).one()
    assert (lon, lat) == pytest.approx(Place.point(20)) and kind == "strength" and hour == 10


def test_csv_with_x_y_in_utm_32n(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    points = [Place.point(30 + i) for i in range(3)]
    rows = [
        [*Place.utm(lon, lat), f"Leerstand {i}", "problem"] for i, (lon, lat) in enumerate(points)
    ]
    path = csv_file(
        tmp_path / "leerstand.csv", ["rechtswert", "hochwert", "name", "art"], rows, sep=","
    )
    result = do_import(
        engine, catalog, path, layer="leerstand", crs="EPSG:25832", x="rechtswert", y="hochwert"
    )
    assert result.written and result.report.inserted == 3 and result.crs == 25832
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(geom), ST_Y(geom) FROM observation WHERE title = 'Leerstand 0' "
                "AND quarter_id = :q"
            ),
            {"q": place.id},
        ).one()
    assert (lon, lat) == pytest.approx(points[0], abs=1e-6)


def test_bochum_playgrounds_csv_as_reference_layer(engine: Engine, catalog: Catalog) -> None:
    """Real input: ``;``-separated, every field quoted, CRLF line ends, UTM 32N integers."""
    path = BOCHUM / "bochum_playgrounds.csv"
    options = {"layer": "referenz-spielplaetze", "crs": "25832", "x": "rechts_utm", "y": "hoch_utm"}
    first = do_import(engine, catalog, path, **options)
    assert first.ok and first.target == "reference" and first.report.read == 352
    where = "source = 'import:bochum_playgrounds.csv'"
    assert count(engine, "reference_feature", where) == 352
    again = do_import(engine, catalog, path, **options)
    assert (again.report.inserted, again.report.existing) == (0, 352)
    assert count(engine, "reference_feature", where) == 352  # replaced, not duplicated
    with engine.connect() as conn:
        name, lon, lat = conn.execute(
            text(
                f"SELECT properties->>'name', ST_X(geom), ST_Y(geom) FROM reference_feature "
                f"WHERE {where} AND properties->>'poi_id' = '611636'"
            )
        ).one()
    assert name == "Bolzplatz Neues Gymnasium Bochum"
    assert 7.0 < lon < 7.4 and 51.3 < lat < 51.6


def test_bochum_shapefile_with_its_prj_as_reference_layer(engine: Engine, catalog: Catalog) -> None:
    result = do_import(engine, catalog, BOCHUM / "bochum_schools.shp", layer="referenz-schulen")
    assert result.ok and result.format == "shp" and result.crs == 25832
    assert count(engine, "reference_feature", "source = 'import:bochum_schools.shp'") == 298


def test_geopackage_written_by_geopandas(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    lon, lat = Place.point(60)
    frame = gpd.GeoDataFrame(
        {
            "titel": ["Kiosk", "Schulhof"],
            "art": ["Stärke", "Potenzial"],
            "bewertung": [2, 1],
            "datum": ["2026-04-12T10:00:00+02:00", "2026-04-12T11:00:00+02:00"],
        },
        geometry=[
            Point(lon, lat),
            Polygon([(lon, lat), (lon + 0.002, lat), (lon + 0.002, lat + 0.001)]),
        ],
        crs=4326,
    ).to_crs(25832)
    path = tmp_path / "planung.gpkg"
    frame.to_file(path, layer="beobachtungen", driver="GPKG")
    result = do_import(engine, catalog, path, layer="lokale-wirtschaft", quarter=place.slug)
    assert result.written and result.report.inserted == 2 and result.crs == 25832
    with engine.connect() as conn:
        x, y = conn.execute(
            text(
                "SELECT ST_X(geom), ST_Y(geom) FROM observation WHERE title = 'Kiosk' "
                "AND quarter_id = :q"
            ),
            {"q": place.id},
        ).one()
    assert (x, y) == pytest.approx((lon, lat), abs=1e-6)


def test_dry_run_reports_but_writes_nothing(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    path = tmp_path / "probe.geojson"
    feature = _feature(
        {"type": "Point", "coordinates": list(Place.point(80))},
        layer="wohnen",
        kind="problem",
        title="Probelauf",
    )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = do_import(engine, catalog, path, dry_run=True)
    assert result.report.dry_run and not result.written and result.report.read == 1
    assert count(engine, "observation", "title = 'Probelauf'") == 0


def test_skip_invalid_writes_the_valid_rows(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    lon, lat = Place.point(81)
    rows = [
        [lat, lon, "Gut", "problem", "umwelt", 1],
        [lat, lon, "Schlecht", "problem", "umwelt", 9],
    ]
    path = csv_file(
        tmp_path / "teils.csv", ["lat", "lon", "title", "kind", "layer", "rating"], rows
    )
    result = do_import(engine, catalog, path, skip_invalid=True)
    assert result.written and result.report.inserted == 1
    assert [(r.row, r.code) for r in result.refused] == [(2, "rating_range")]


def test_sql_meta_characters_in_text_fields_are_stored_verbatim(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    title = "Robert'); DROP TABLE observation;-- \\x00 $$ %s"
    feature = _feature(
        {"type": "Point", "coordinates": list(Place.point(82))},
        layer="wohnen",
        kind="idea",
        title=title,
        description='"; DELETE FROM quarter; --',
    )
    path = tmp_path / "bobby.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = do_import(engine, catalog, path)
    assert result.written
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT title, description FROM observation WHERE quarter_id = :q "
                "AND kind = 'idea' AND layer_id = 'wohnen'"
            ),
            {"q": place.id},
        ).one()
    assert tuple(stored) == (title, '"; DELETE FROM quarter; --')
