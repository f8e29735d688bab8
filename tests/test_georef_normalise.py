"""Normalisation of German place text: spellings people use must meet in one key."""

from __future__ import annotations

import pytest

from mapservice.georef.normalise import (
    display_street,
    fold,
    match_key,
    normalise,
    parse_housenumber,
    split_address,
)

SAME = [
    ("Hofsteder Str.", "Hofsteder Straße", "hofsteder strasse", "Hofsteder-Str", "HOFSTEDER STR"),
    ("Hofstederstraße", "Hofsteder Straße", "Hofsteder-Straße", "hofstederstr."),
    ("Müllerstraße", "Muellerstrasse", "Müller-Str.", "MÜLLERSTR."),
    ("Große Straße", "Grosse Strasse", "große str."),
    ("Amtsplatz", "Amtspl.", "Amts-Platz"),
    ("Marktplatz", "Markt Pl."),
    ("St.-Marien-Kirche", "Sankt Marien Kirche", "St. Marien-Kirche"),
    ("Café Ölmühle", "Cafe Oelmuehle"),
    ("Kath.Kindertageseinrichtung / Familienzentrum", "Kath. Kita/Familienzentrum"),
    ("Bushaltestelle Amtsstraße", "Haltestelle Amtsstr.", "Hst. Amtsstraße"),
    ("Spielplatz an der Bärendorfer Straße", "am Spielplatz Bärendorfer Str."),
    ("Ecke Hofsteder Straße", "an der Ecke Hofsteder Str.", "gegenüber der Hofsteder Straße"),
    ("vor dem Jugendzentrum", "im Jugendzentrum", "bei der Jugendzentrum", "Jugendzentrum"),
]


@pytest.mark.parametrize("spellings", SAME)
def test_spellings_share_one_key(spellings: tuple[str, ...]) -> None:
    keys = {match_key(s) for s in spellings}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hofsteder Str.", "hofsteder strasse"),
        ("Hofsteder Straße", "hofsteder strasse"),
        ("Griesenbruchstr.", "griesenbruchstrasse"),
        ("Amtspl.", "amtsplatz"),
        ("Gerard-Mortier-Pl.", "gerard mortier platz"),
        ("Müller", "mueller"),
        ("Mueller", "mueller"),
        ("Weiß", "weiss"),
        ("in der Nähe vom Hbf", "vom hauptbahnhof"),
        ("  an   der  Ecke   Amtsstraße ", "amtsstrasse"),
        ("Von-der-Recke-Str. 53", "von recke strasse 53"),
        ("am", "am"),  # only filler words: keep them rather than return nothing
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_fold_keeps_distinct_words_distinct() -> None:
    assert fold("Straße") == "strasse" and fold("ÄÖÜ") == "aeoeue"
    assert match_key("Hofsteder Straße") != match_key("Hofsteder Weg")
    assert match_key("Amtsstraße") != match_key("Amtsplatz")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12"),
        ("12a", "12a"),
        ("12 A", "12a"),
        ("4 a", "4a"),
        ("23 - 25", "23"),
        ("12-14", "12"),
        ("19 a-c", "19a"),
        ("007", "7"),
        ("abc", None),
        ("", None),
        (None, None),
        ("12 am", None),
    ],
)
def test_parse_housenumber(text: str | None, expected: str | None) -> None:
    assert parse_housenumber(text) == expected


@pytest.mark.parametrize(
    ("text", "street", "number"),
    [
        ("Von-der-Recke-Str. 53", "Von-der-Recke-Straße", "53"),
        ("Suttner-Nobel-Allee 4 a", "Suttner-Nobel-Allee", "4a"),
        ("In der Schornau 23 - 25", "In der Schornau", "23"),
        ("Alsenstr. 19 a", "Alsenstraße", "19a"),
        ("Weitmarer Str. 115 b", "Weitmarer Straße", "115b"),
        ("Querenburger Str.", "Querenburger Straße", None),
        ("Straße des 17. Juni 5", "Straße des 17. Juni", "5"),
        ("Hauptstr.12", "Hauptstraße", "12"),
        ("Amtsplatz", "Amtsplatz", None),
    ],
)
def test_split_address(text: str, street: str, number: str | None) -> None:
    assert split_address(text) == (street, number)


def test_display_street_keeps_case() -> None:
    assert display_street("Von-der-Recke-Str.") == "Von-der-Recke-Straße"
    assert display_street("Griesenbruchstr.") == "Griesenbruchstraße"
    assert display_street("Am Amtspl.") == "Am Amtsplatz"
