"""Files from field tools: GPX from a GPS app, ODK Central and KoboToolbox exports, interview
transcripts with place text — and that importing them twice adds nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from mapservice.catalog import Catalog
from tests.conftest import count
from tests.test_imports_support import (
    INSIDE,
    Place,
    catalog_fixture,  # noqa: F401 (fixture "catalog")
    csv_file,
    do_import,
    place_fixture,  # noqa: F401 (fixture "place")
)


@pytest.fixture(autouse=True)
def _quarter(place: Place) -> Place:
    """Every test here needs the import quarter, even when it does not name it."""
    return place


GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <metadata><name>Begehung Liststraße</name><time>2026-04-12T08:00:00Z</time></metadata>
  <wpt lat="{a[1]}" lon="{a[0]}"><time>2026-04-12T08:10:00Z</time><name>Müll am Spielplatz</name>
    <desc>Überquellende Papierkörbe</desc><type>Problem</type></wpt>
  <wpt lat="{b[1]}" lon="{b[0]}"><time>2026-04-12T08:20:00Z</time><name>Neue Bank</name>
    <type>Stärke</type></wpt>
  <trk><name>Route</name><trkseg>
    <trkpt lat="{a[1]}" lon="{a[0]}"><time>2026-04-12T08:00:00Z</time></trkpt>
    <trkpt lat="{b[1]}" lon="{b[0]}"><time>2026-04-12T08:30:00Z</time></trkpt>
    <trkpt lat="{c[1]}" lon="{c[0]}"><time>2026-04-12T09:00:00Z</time></trkpt>
  </trkseg></trk>
</gpx>
"""


def test_gpx_track_becomes_walkthrough_and_waypoints_its_observations(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    path = tmp_path / "begehung.gpx"
    path.write_text(GPX.format(a=Place.point(40), b=Place.point(41), c=Place.point(53)))
    result = do_import(engine, catalog, path, layer="umwelt")
    assert result.written and result.target == "walkthrough" and result.report.inserted == 2
    walk = result.walkthrough
    assert walk and walk["created"] and walk["track_points"] == 3 and walk["quarter"] == place.slug
    with engine.connect() as conn:
        track_type, title, started = conn.execute(
            text("SELECT GeometryType(track), title, started_at FROM walkthrough WHERE id = :w"),
            {"w": walk["id"]},
        ).one()
        linked = conn.execute(
            text("SELECT title, kind FROM observation WHERE walkthrough_id = :w ORDER BY title"),
            {"w": walk["id"]},
        ).all()
    assert track_type == "LINESTRING" and title == "Begehung Liststraße"
    assert started.isoformat().startswith("2026-04-12T08:00")
    assert [tuple(r) for r in linked] == [
        ("Müll am Spielplatz", "problem"),
        ("Neue Bank", "strength"),
    ]
    again = do_import(engine, catalog, path, layer="umwelt")
    assert again.report.inserted == 0 and again.report.existing == 2
    assert again.walkthrough and not again.walkthrough["created"]
    assert count(engine, "walkthrough", f"id = '{walk['id']}'") == 1


def test_odk_central_csv_with_geopoint(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    lon, lat = INSIDE
    submissions = [str(uuid.uuid4()) for _ in range(2)]
    header = [
        "SubmissionDate",
        "start",
        "end",
        "beobachtung-ort",
        "beobachtung-thema",
        "beobachtung-art",
        "beobachtung-titel",
        "beobachtung-notiz",
        "meta-instanceID",
        "SubmitterName",
        "KEY",
    ]
    rows = [
        [
            "2026-04-12T09:00:00.000Z",
            "2026-04-12T10:30:00.000+02:00",
            "",
            f"{lat} {lon} 120 5",
            "sicherheit",
            "problem",
            "Dunkle Ecke",
            "Keine Laterne",
            f"uuid:{submissions[0]}",
            "team-a",
            f"uuid:{submissions[0]}",
        ],
        [
            "2026-04-12T09:05:00.000Z",
            "2026-04-12T10:40:00.000+02:00",
            "",
            f"{lat + 0.001} {lon} 118 8.5",
            "sicherheit",
            "idea",
            "Mehr Licht",
            "",
            f"uuid:{submissions[1]}",
            "team-a",
            f"uuid:{submissions[1]}",
        ],
    ]
    path = csv_file(
        tmp_path / "odk_export.csv", header, [[f'"{v}"' for v in r] for r in rows], sep=","
    )
    result = do_import(engine, catalog, path)
    assert result.format == "odk" and result.written and result.report.inserted == 2
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_X(geom), ST_Y(geom), accuracy_m, author, layer_id, quarter_id "
                "FROM observation WHERE id = :id"
            ),
            {"id": submissions[0]},
        ).one()
    assert tuple(row) == pytest.approx((lon, lat, 5.0, "team-a", "sicherheit", place.id))
    assert do_import(engine, catalog, path).report.existing == 2


def test_kobo_csv_with_geopoint_text_and_split_columns(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    lon, lat = Place.point(70)
    header = [
        "start",
        "end",
        "ort",
        "_ort_latitude",
        "_ort_longitude",
        "_ort_altitude",
        "_ort_precision",
        "thema",
        "art",
        "titel",
        "_id",
        "_uuid",
        "_submission_time",
        "_submitted_by",
    ]
    kobo_id = str(uuid.uuid4())
    rows = [
        [
            "2026-04-12T10:30:00.000+02:00",
            "2026-04-12T10:35:00.000+02:00",
            f"{lat} {lon} 120 5",
            lat,
            lon,
            120,
            5,
            "nahversorgung",
            "Stärke",
            "Bäckerei",
            "1",
            kobo_id,
            "2026-04-12T08:40:00",
            "kobo-team",
        ]
    ]
    path = csv_file(tmp_path / "kobo.csv", header, rows)
    result = do_import(engine, catalog, path)
    assert result.format == "kobo" and result.written and result.report.inserted == 1
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_X(geom), ST_Y(geom), accuracy_m, kind, author FROM observation "
                "WHERE id = :id"
            ),
            {"id": kobo_id},
        ).one()
    assert tuple(row) == pytest.approx((lon, lat, 5.0, "strength", "kobo-team"))


def test_findings_csv_places_statements_through_the_gazetteer(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    header = ["pseudonym", "gruppe", "datum", "aussage", "ebene", "art", "ort", "email"]
    rows = [
        [
            "S-01",
            "Bewohner*innen",
            "2026-03-10",
            "Am Brunnen sitzen abends alle zusammen.",
            "gemeinwesen",
            "Stärke",
            "am Marktbrunnen",
            "s01@example.org",
        ],
        [
            "S-01",
            "Bewohner*innen",
            "2026-03-10",
            "Auf der Liststraße wird gerast.",
            "mobilitaet",
            "Problem",
            "Liststraße",
            "",
        ],
        [
            "S-02",
            "Verwaltung",
            "2026-03-11",
            "Es fehlt ein Treffpunkt für Jugendliche.",
            "gemeinwesen",
            "Idee",
            "",
            "",
        ],
    ]
    path = csv_file(tmp_path / "aussagen.csv", header, rows, sep=",")
    result = do_import(engine, catalog, path, quarter=place.slug)
    assert result.format == "findings" and result.written, result.as_dict()
    assert result.report.inserted == 3
    assert result.georef == {"place": 1, "street": 1, "quarter": 1}
    assert result.needs_review >= 1
    assert result.notes and "email" in result.notes[0][0]
    assert count(engine, "interview", f"quarter_id = {place.id} AND pseudonym = 'S-01'") == 1
    assert count(engine, "interview_contact", f"quarter_id = {place.id}") == 0
    again = do_import(engine, catalog, path, quarter=place.slug)
    assert (again.report.inserted, again.report.existing) == (0, 3)
