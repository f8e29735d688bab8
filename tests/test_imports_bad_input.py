"""Bad files: each is refused with a code and a German and English message, and nothing of the
file is written (counted before and after)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mapservice.catalog import Catalog
from tests.test_imports_support import (
    INSIDE,
    Place,
    assert_refused_file,
    assert_refused_rows,
    catalog_fixture,  # noqa: F401 (fixture "catalog")
    csv_file,
    place_fixture,  # noqa: F401 (fixture "place")
)

HEADER = ["lat", "lon", "title", "kind", "layer", "rating", "date"]


@pytest.fixture(autouse=True)
def _quarter(place: Place) -> Place:
    """Every test here needs the import quarter, even when it does not name it."""
    return place


def _rows(n: int, start: int = 100) -> list[list[object]]:
    return [
        [lat, lon, f"Zeile {i + 1}", "problem", "umwelt", -1, "2026-04-12T10:00:00+02:00"]
        for i, (lon, lat) in enumerate(Place.point(start + i) for i in range(n))
    ]


def _geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _point(lon: float, lat: float, **props: object) -> dict:
    base = {"layer": "umwelt", "kind": "problem", "title": "Punkt"}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {**base, **props},
    }


def test_malformed_geojson(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "kaputt.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature",')
    error = assert_refused_file(engine, catalog, path, "malformed_geojson")
    assert "Zeile/line 1" in error.message_de


def test_geojson_that_is_not_a_feature_collection(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "geometrie.geojson"
    path.write_text('{"type": "Point", "coordinates": [9.17, 48.77]}')
    assert_refused_file(engine, catalog, path, "malformed_geojson")


def test_unreadable_feature_geometry_names_the_row(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    lon, lat = Place.point(110)
    broken = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[1, 2]]},
        "properties": {"layer": "umwelt", "kind": "problem", "title": "kaputt"},
    }
    path = _geojson(tmp_path / "teils.geojson", [_point(lon, lat), broken])
    assert_refused_rows(engine, catalog, path, {2: "geometry_malformed"})


def test_csv_with_missing_coordinate_columns(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "ohne.csv", ["titel", "art"], [["Bank", "Stärke"]])
    assert_refused_file(engine, catalog, path, "csv_columns_missing")
    path = csv_file(tmp_path / "falsch.csv", HEADER, _rows(1))
    error = assert_refused_file(
        engine, catalog, path, "csv_columns_missing", x="ost", y="nord", crs="25832"
    )
    assert "ost" in error.message_de and "lat" in error.message_en  # names missing and present


def test_non_numeric_coordinate_names_the_row(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    rows = _rows(3, 120)
    rows[1][1] = "8,68x"
    path = csv_file(tmp_path / "text.csv", HEADER, rows)
    result = assert_refused_rows(engine, catalog, path, {2: "geometry_malformed"})
    assert "lon='8,68x'" in result.refused[0].message_de


def test_swapped_lat_lon_lands_outside_the_quarter_with_a_hint(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    lon, lat = INSIDE
    path = _geojson(tmp_path / "vertauscht.geojson", [_point(lat, lon)])
    result = assert_refused_rows(engine, catalog, path, {1: "outside_quarter"})
    refusal = result.refused[0]
    assert "vertauscht" in refusal.message_de and "swapped" in refusal.message_en
    assert "nächstes Quartier" in refusal.message_de


def test_coordinates_outside_the_world(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    rows = _rows(2, 130)
    rows[0][0] = 95.0  # latitude
    path = csv_file(tmp_path / "welt.csv", HEADER, rows)
    assert_refused_rows(engine, catalog, path, {1: "outside_world"})


def test_gauss_krueger_file_declared_as_utm_is_refused_by_area_of_use(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    rows = [
        [*Place.utm(lon, lat, 31466), f"GK {i}", "problem", "umwelt"]
        for i, (lon, lat) in enumerate(Place.point(140 + i) for i in range(3))
    ]
    path = csv_file(tmp_path / "gk.csv", ["x", "y", "title", "kind", "layer"], rows)
    result = assert_refused_rows(
        engine,
        catalog,
        path,
        {1: "outside_crs_area", 2: "outside_crs_area", 3: "outside_crs_area"},
        x="x",
        y="y",
        crs="EPSG:25832",
    )
    assert "Koordinatensystem" in result.refused[0].message_de


def test_unknown_layer_in_a_row(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    rows = _rows(3, 150)
    rows[2][4] = "weltraum"
    path = csv_file(tmp_path / "ebene.csv", HEADER, rows)
    result = assert_refused_rows(engine, catalog, path, {3: "unknown_layer"})
    assert "weltraum" in result.refused[0].message_en


def test_geometry_type_the_layer_does_not_allow(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    line = {
        "type": "Feature",
        "geometry": {
            "type": "LineString",
            "coordinates": [list(Place.point(160)), list(Place.point(161))],
        },
        "properties": {"layer": "wohnen", "kind": "problem", "title": "Linie"},
    }
    path = _geojson(tmp_path / "linie.geojson", [line])
    assert_refused_rows(engine, catalog, path, {1: "geometry_type_not_allowed"})


def test_rating_nine(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    rows = _rows(2, 170)
    rows[1][5] = 9
    path = csv_file(tmp_path / "neun.csv", HEADER, rows)
    result = assert_refused_rows(engine, catalog, path, {2: "rating_range"})
    assert "9" in result.refused[0].message_de


def test_future_date(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    rows = _rows(2, 180)
    rows[0][6] = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    path = csv_file(tmp_path / "zukunft.csv", HEADER, rows)
    assert_refused_rows(engine, catalog, path, {1: "future_date"})


def test_unreadable_values_name_their_row(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    rows = _rows(3, 190)
    rows[0][6] = "gestern"
    rows[2][5] = "gut"
    path = csv_file(tmp_path / "werte.csv", HEADER, rows)
    result = assert_refused_rows(engine, catalog, path, {1: "invalid_value", 3: "invalid_value"})
    assert "gestern" in result.refused[0].message_de and "gut" in result.refused[1].message_en


def test_duplicate_ids_in_one_file(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    same = "6f1c1c3e-3d4e-4a53-9a0e-2f1f7f0d0b99"
    lon, lat = Place.point(200)
    path = _geojson(
        tmp_path / "doppelt.geojson",
        [_point(lon, lat, id=same), _point(lon, lat, id=same, title="B")],
    )
    assert_refused_rows(engine, catalog, path, {1: "duplicate_id", 2: "duplicate_id"})


def test_empty_files(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    for name, content in (
        ("leer.csv", ""),
        ("leer.geojson", "  "),
        ("kopf.csv", "lat;lon\r\n"),
        ("leer2.geojson", '{"type":"FeatureCollection","features":[]}'),
        ("leer.gpx", ""),
    ):
        path = tmp_path / name
        path.write_text(content)
        assert_refused_file(engine, catalog, path, "empty_file")


def test_unknown_quarter_layer_and_crs_options(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "ok.csv", HEADER, _rows(1, 210))
    assert_refused_file(engine, catalog, path, "unknown_quarter", quarter="nirgendwo")
    assert_refused_file(engine, catalog, path, "unknown_layer", layer="weltraum")
    assert_refused_file(engine, catalog, path, "unknown_crs", crs="EPSG:99999")


def test_sql_meta_characters_in_options(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "ok.csv", HEADER, _rows(1, 211))
    for option, value in (
        ("quarter", "x'; DROP TABLE observation;--"),
        ("layer", "umwelt' OR '1'='1"),
        ("status", "draft'--"),
        ("format", "csv; rm -rf /"),
        ("x", "a\nb"),
    ):
        extra = {"y": "b", "crs": "25832"} if option == "x" else {}
        error = assert_refused_file(
            engine, catalog, path, "invalid_option", **{option: value}, **extra
        )
        assert option in error.message_de
    assert_refused_file(engine, catalog, path, "unknown_crs", crs="4326; DROP TABLE quarter")


def test_a_refused_gpx_leaves_no_walkthrough(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    """The walkthrough made from the track is rolled back with the refused waypoints."""
    (lon, lat), (lon2, lat2) = Place.point(220), Place.point(221)
    path = tmp_path / "schlecht.gpx"
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t" '
        'xmlns="http://www.topografix.com/GPX/1/1">'
        f'<wpt lat="{lat}" lon="{lon}"><name>Ohne Art</name></wpt>'
        f'<trk><trkseg><trkpt lat="{lat}" lon="{lon}"/><trkpt lat="{lat2}" lon="{lon2}"/>'
        "</trkseg></trk></gpx>"
    )
    assert_refused_rows(engine, catalog, path, {1: "unknown_kind"}, layer="umwelt")


def test_findings_with_unknown_quarter_and_group(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    header = ["quartier", "pseudonym", "gruppe", "datum", "aussage", "ebene", "art", "ort"]
    rows = [
        ["atlantis", "A-1", "Bewohner*innen", "2026-03-01", "Text", "umwelt", "Idee", ""],
        [place.slug, "A-2", "Aliens", "2026-03-01", "Text", "umwelt", "Idee", ""],
        [place.slug, "A-3", "Verwaltung", "2026-03-01", "Text", "weltraum", "Idee", ""],
        [place.slug, "A-4", "Verwaltung", "2026-03-01", "Gut", "umwelt", "Idee", ""],
    ]
    path = csv_file(tmp_path / "aussagen_schlecht.csv", header, rows, sep=",")
    assert_refused_rows(
        engine, catalog, path, {1: "unknown_quarter", 2: "unknown_group", 3: "unknown_layer"}
    )


def test_self_intersecting_empty_and_overlong_rows(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    a, b, c, d = (list(Place.point(i)) for i in (280, 282, 306, 304))
    props = {"layer": "umwelt", "kind": "problem", "title": "Form"}
    bowtie = {"type": "Feature", "properties": props,
              "geometry": {"type": "Polygon", "coordinates": [[a, c, b, d, a]]}}  # fmt: skip
    empty = {"type": "Feature", "properties": props,
             "geometry": {"type": "Polygon", "coordinates": []}}  # fmt: skip
    lon, lat = Place.point(281)
    path = _geojson(tmp_path / "formen.geojson",
                    [bowtie, empty, _point(lon, lat, title="x" * 300)])  # fmt: skip
    result = assert_refused_rows(
        engine, catalog, path, {1: "geometry_invalid", 2: "geometry_empty", 3: "title_too_long"}
    )
    assert "Self-intersection[" in result.refused[0].message_de  # where the problem is
    assert "300 > 200" in result.refused[2].message_en
