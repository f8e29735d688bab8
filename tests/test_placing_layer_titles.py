"""A CSV may name its layer as the UI shows it ("Grün & Freiraum", "Green & open space"),
in any case and with stray whitespace, as well as by id; both land on the layer's id."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from mapservice.catalog import Catalog
from tests.test_imports_support import (
    Place,
    assert_refused_rows,
    catalog_fixture,  # noqa: F401 (fixture "catalog")
    csv_file,
    do_import,
    place_fixture,  # noqa: F401 (fixture "place")
)


def test_observation_csv_accepts_layer_titles_german_and_english(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    values = ["Grün & Freiraum", "  green & OPEN space ", "gruen-freiraum",
              "MOBILITÄT", "Safety  &  cleanliness", "Gemeinwesen & Nachbarschaft"]  # fmt: skip
    rows = []
    for i, value in enumerate(values):
        lon, lat = Place.point(100 + i)
        rows.append([lat, lon, value, "Problem", f"Ebenentitel {i}", "2026-04-12T10:00:00+02:00"])
    header = ["lat", "lon", "ebene", "art", "titel", "datum"]
    path = csv_file(tmp_path / "titel.csv", header, rows)
    result = do_import(engine, catalog, path, quarter=place.slug)
    assert result.written and result.report.inserted == len(values), result.as_dict()
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                text("SELECT title, layer_id FROM observation WHERE title LIKE 'Ebenentitel %'")
            ).all()
        )
    assert stored == {
        "Ebenentitel 0": "gruen-freiraum",
        "Ebenentitel 1": "gruen-freiraum",
        "Ebenentitel 2": "gruen-freiraum",
        "Ebenentitel 3": "mobilitaet",
        "Ebenentitel 4": "sicherheit",
        "Ebenentitel 5": "gemeinwesen",
    }
    # The same file again: the titles map to the same ids, so nothing is added twice.
    again = do_import(engine, catalog, path, quarter=place.slug)
    assert (again.report.inserted, again.report.existing) == (0, len(values))


def test_an_unknown_title_is_still_refused_as_typed(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    lon, lat = Place.point(120)
    header = ["lat", "lon", "ebene", "art", "titel"]
    rows = [[lat, lon, "Grün und Freiraum", "Problem", "Falscher Titel"]]
    result = assert_refused_rows(
        engine, catalog, csv_file(tmp_path / "falsch.csv", header, rows), {1: "unknown_layer"},
        quarter=place.slug,
    )  # fmt: skip
    assert "Grün und Freiraum" in result.refused[0].message_de


def test_findings_csv_accepts_layer_titles(
    engine: Engine, catalog: Catalog, place: Place, tmp_path: Path
) -> None:
    header = ["pseudonym", "gruppe", "datum", "aussage", "ebene", "art", "ort"]
    rows = [
        ["T-01", "Bewohner*innen", "2026-03-10", "Die Wiese am Brunnen ist schön.",
         '"Grün & Freiraum, Gemeinwesen & Nachbarschaft"', "Stärke", "am Marktbrunnen"],
        ["T-01", "Bewohner*innen", "2026-03-10", "Auf der Liststraße wird zu schnell gefahren.",
         " mobility ", "Problem", "Liststraße"],
    ]  # fmt: skip
    path = csv_file(tmp_path / "aussagen-titel.csv", header, rows, sep=",")
    result = do_import(engine, catalog, path, quarter=place.slug)
    assert result.written and result.report.inserted == 2, result.as_dict()
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                text(
                    "SELECT statement, layer_ids FROM finding WHERE quarter_id = :q "
                    "AND interview_id IN (SELECT id FROM interview WHERE pseudonym = 'T-01')"
                ),
                {"q": place.id},
            ).all()
        )
    assert stored == {
        "Die Wiese am Brunnen ist schön.": ["gruen-freiraum", "gemeinwesen"],
        "Auf der Liststraße wird zu schnell gefahren.": ["mobilitaet"],
    }
