"""Resolving interview place text against a gazetteer, in memory and loaded from PostGIS.

The test quarter is a made-up piece of Hamburg (around 9.99° E, 53.55° N) with street names
borrowed from Bochum-Hamme, so nothing here collides with the demo data or other tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, box
from sqlalchemy import Engine, text

from mapservice.georef.gazetteer import Entry, Gazetteer, QuarterArea, Resolution
from mapservice.georef.gazetteer_import import GazetteerRecord, import_records

GEOD = Geod(ellps="WGS84")
CROSSING = (9.9900, 53.5500)  # where Hofsteder Straße and Amtsstraße cross
BOUNDARY = box(9.975, 53.540, 10.005, 53.560)


def metres(a: Point, b: tuple[float, float]) -> float:
    return GEOD.inv(a.x, a.y, b[0], b[1])[2]


def entries(quarter_id: int) -> list[Entry]:
    """Streets through CROSSING (which is no vertex of either), addresses, places."""
    q = quarter_id
    return [
        Entry("street", "Hofsteder Straße", LineString([(9.986, 53.5476), (9.994, 53.5524)]), q),
        Entry("street", "Amtsstraße", LineString([(9.986, 53.5530), (9.994, 53.5470)]), q),
        # ends about 10 m short of Amtsstraße
        Entry("street", "Haldenstraße", LineString([(9.982, 53.5515), (9.9878, 53.5515)]), q),
        # far from Hofsteder Straße's north end: no crossing at all
        Entry("street", "Lohstraße", LineString([(9.978, 53.542), (9.980, 53.541)]), q),
        Entry(
            "address", "Hofsteder Straße 10", Point(9.9870, 53.5483), q, "Hofsteder Straße", "10"
        ),
        Entry(
            "address", "Hofsteder Straße 12", Point(9.9874, 53.5485), q, "Hofsteder Straße", "12"
        ),
        Entry(
            "address", "Hofsteder Straße 12a", Point(9.9876, 53.5486), q, "Hofsteder Straße", "12a"
        ),
        Entry(
            "address", "Hofsteder Straße 14", Point(9.9879, 53.5487), q, "Hofsteder Straße", "14"
        ),
        Entry(
            "address", "Hofsteder Straße 11", Point(9.9873, 53.5480), q, "Hofsteder Straße", "11"
        ),
        Entry("place", "Grundschule Amtsstraße", Point(9.9921, 53.5486), q, "Amtsstraße", "7"),
        Entry("place", "Amtsplatz", Point(9.9885, 53.5522), q),
        Entry("place", "Herz-Jesu-Kirche", Point(9.9930, 53.5510), q),
        Entry("place", "Spielplatz an der Bärendorfer Straße", Point(9.9800, 53.5450), q),
    ]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    quarter = QuarterArea(1, "Testhamme", BOUNDARY.representative_point(), "Hamburg")
    return Gazetteer(entries(1), [quarter])


def resolve(gazetteer: Gazetteer, place_text: str) -> Resolution:
    return gazetteer.resolve(place_text, 1)


def test_exact_address_with_letter(gazetteer: Gazetteer) -> None:
    for spelling in ("Hofsteder Straße 12a", "Hofsteder Str. 12 A", "hofstederstr 12a"):
        r = resolve(gazetteer, spelling)
        assert r.method == "address", spelling
        assert r.confidence == 1.0 and not r.needs_review
        assert r.geometry is not None and r.geometry.equals(Point(9.9876, 53.5486))
        assert r.from_home_address
        assert r.matched == "Hofsteder Straße 12a"
        assert "Adresse" in r.explanation_de and "Address" in r.explanation_en
    assert resolve(gazetteer, "Hofsteder Straße 12").geometry.equals(Point(9.9874, 53.5485))


def test_missing_house_number_falls_back_with_lower_confidence(gazetteer: Gazetteer) -> None:
    near = resolve(gazetteer, "Hofsteder Straße 16")
    assert near.method == "address" and near.needs_review
    assert near.confidence < 1
    assert near.matched == "Hofsteder Straße 14"  # same (even) side of the street
    assert "nächstgelegene Hausnummer 14" in near.explanation_de
    assert near.from_home_address  # a neighbour's house is still somebody's home
    street = resolve(gazetteer, "Haldenstraße 3")  # no addresses known on that street
    assert street.method == "street" and street.needs_review
    assert street.confidence < near.confidence < 1
    assert street.geometry.geom_type == "LineString"
    assert not street.from_home_address
    assert "Hausnummer 3" in street.explanation_de and "House number 3" in street.explanation_en


def test_address_of_a_named_place_is_not_a_home(gazetteer: Gazetteer) -> None:
    r = resolve(gazetteer, "Amtsstraße 7")
    assert r.method == "address" and r.confidence == 1.0
    assert not r.from_home_address
    assert "Grundschule Amtsstraße" in r.matched
    assert "keine Wohnadresse" in r.explanation_de


@pytest.mark.parametrize(
    "place_text",
    [
        "Ecke Hofsteder Straße / Amtsstraße",
        "an der Ecke Hofsteder Str./Amtsstr.",
        "Hofsteder Straße/Amtsstraße",
        "Hofsteder Straße Ecke Amtsstraße",
        "Kreuzung Hofsteder Straße und Amtsstraße",
        "Amtsstraße & Hofsteder Straße",
        "Hofsteder Straße und Amtsstraße",
    ],
)
def test_crossing_lands_at_the_intersection(gazetteer: Gazetteer, place_text: str) -> None:
    r = resolve(gazetteer, place_text)
    assert r.method == "crossing", r.explanation_de
    assert metres(r.geometry, CROSSING) < 1.0
    assert r.confidence == 1.0 and not r.needs_review and not r.from_home_address
    assert set(r.matched.split(" / ")) == {"Hofsteder Straße", "Amtsstraße"}


def test_streets_that_nearly_meet_and_streets_that_do_not(gazetteer: Gazetteer) -> None:
    near = resolve(gazetteer, "Ecke Haldenstraße / Amtsstraße")
    assert near.method == "crossing"
    assert 0.5 <= near.confidence < 1
    assert "Abstand" in near.explanation_de
    end_of_halden = (9.9878, 53.5515)
    assert metres(near.geometry, end_of_halden) < 15
    apart = resolve(gazetteer, "Ecke Lohstraße / Amtsstraße")
    assert apart.method == "street" and apart.needs_review
    assert "kreuzen sich nicht" in apart.explanation_de


def test_fuzzy_typo(gazetteer: Gazetteer) -> None:
    r = resolve(gazetteer, "Hofstder Strase")
    assert r.method == "street"
    assert r.matched == "Hofsteder Straße"
    assert 0.5 < r.confidence < 1 and r.needs_review
    assert "unscharf" in r.explanation_de and "fuzzy" in r.explanation_en
    typo_address = resolve(gazetteer, "Hofstedr Str. 12a")
    assert typo_address.method == "address" and typo_address.confidence < 1
    assert typo_address.geometry.equals(Point(9.9876, 53.5486))
    crossing = resolve(gazetteer, "Ecke Hofstedr Straße / Amtstrasse")
    assert crossing.method == "crossing" and crossing.confidence < 1
    assert metres(crossing.geometry, CROSSING) < 1.0


def test_named_places_exact_contained_and_fuzzy(gazetteer: Gazetteer) -> None:
    exact = resolve(gazetteer, "Amtsplatz")
    assert exact.method == "place" and exact.confidence == 1.0
    assert exact.geometry.equals(Point(9.9885, 53.5522))
    spelled = resolve(gazetteer, "am Spielplatz an der Bärendorfer Str.")
    assert spelled.method == "place" and spelled.confidence == 1.0
    contained = resolve(gazetteer, "auf dem Amtsplatz, vor dem Kiosk")
    assert contained.method == "place" and contained.matched == "Amtsplatz"
    assert contained.confidence == pytest.approx(0.9)
    short = resolve(gazetteer, "Herz Jesu")
    assert short.method == "place" and short.matched == "Herz-Jesu-Kirche"
    assert short.confidence < 1 and short.needs_review
    typo = resolve(gazetteer, "Herz-Jesu-Kriche")
    assert typo.matched == "Herz-Jesu-Kirche" and typo.confidence < 1
    school = resolve(gazetteer, "gegenüber der Grundschule Amtsstraße")
    assert school.method == "place" and not school.from_home_address


def test_bare_street_returns_the_line(gazetteer: Gazetteer) -> None:
    r = resolve(gazetteer, "an der Amtsstraße")
    assert r.method == "street" and r.confidence == 1.0 and not r.needs_review
    assert r.geometry.geom_type == "LineString"


@pytest.mark.parametrize(
    "place_text",
    ["", "   ", None, "überall", "im ganzen Viertel", "im Quartier", "Testhamme", "ganz Testhamme"],
)
def test_quarter_wide_or_empty(gazetteer: Gazetteer, place_text: str | None) -> None:
    r = gazetteer.resolve(place_text, 1)
    assert r.method == "quarter" and r.needs_review
    assert r.geometry is not None and BOUNDARY.contains(r.geometry)
    assert r.quarter_id == 1 and not r.from_home_address
    assert "Quartier" in r.explanation_de and "quarter" in r.explanation_en


@pytest.mark.parametrize(
    "place_text",
    [
        "xyz blub",
        "auf der Straße",
        "an der Schule",
        "Kirche",
        "Mueller Strasse",
        "bei Tante Emma",
        "Bahnhofstraße 5",
        "Ecke Bahnhofstraße / Poststraße",
        "'; DROP TABLE gazetteer_entry; --",
        "x" * 5000,
    ],
)
def test_unresolvable_goes_to_the_quarter_for_review(gazetteer: Gazetteer, place_text: str) -> None:
    r = resolve(gazetteer, place_text)
    assert r.method == "quarter", (place_text, r.matched)
    assert r.confidence == 0.0 and r.needs_review
    assert "nicht im Ortsverzeichnis" in r.explanation_de
    assert len(r.explanation_de) < 400


def test_without_a_quarter_and_ambiguous_names() -> None:
    other = [
        Entry("street", "Amtsstraße", LineString([(7.19, 51.49), (7.20, 51.49)]), 2),
    ]
    g = Gazetteer(entries(1) + other, [QuarterArea(1, "Testhamme", Point(9.99, 53.55))])
    r = g.resolve("Amtsstraße")  # exists in two quarters
    assert r.method == "street" and r.needs_review
    assert "Mehrdeutig" in r.explanation_de
    unknown = g.resolve("nirgendwo")
    assert unknown.method == "quarter" and unknown.geometry is None
    assert g.resolve("Amtsstraße", 2).geometry.equals(other[0].geometry)
    assert not g.resolve("Amtsstraße", 2).needs_review


def test_as_dict_is_json_ready(gazetteer: Gazetteer) -> None:
    d = resolve(gazetteer, "Amtsplatz").as_dict()
    assert d["geometry"] == {"type": "Point", "coordinates": (9.9885, 53.5522)}
    assert d["method"] == "place" and d["confidence"] == 1.0


def big_gazetteer(n_streets: int = 200, per_street: int = 40) -> Gazetteer:
    """A quarter with n_streets streets of per_street houses plus 200 places."""
    items: list[Entry] = []
    for s in range(n_streets):
        y = 53.50 + s * 0.0005
        name = f"Teststraße {s}" if s % 2 else f"Beispielweg {s}"
        items.append(Entry("street", name, LineString([(9.9, y), (9.95, y)]), 1))
        for h in range(1, per_street + 1):
            items.append(
                Entry("address", f"{name} {h}", Point(9.9 + h * 0.001, y), 1, name, str(h))
            )
    for p in range(200):
        items.append(Entry("place", f"Treffpunkt Nummer {p}", Point(9.9, 53.5 + p * 1e-4), 1))
    return Gazetteer(items, [QuarterArea(1, "Gross", Point(9.92, 53.55))])


def test_a_hundred_mixed_statements_resolve() -> None:
    """A large quarter (2,060 entries) and 100 statements of every form; the timing of the
    same workload is printed by ``bench/bench_gazetteer.py``."""
    g = big_gazetteer(n_streets=60, per_street=30)
    results = g.resolve_many(BENCH_STATEMENTS, 1)
    assert len(results) == 100
    assert sum(r.method != "quarter" for r in results) >= 90


BENCH_STATEMENTS = (
    [f"Teststraße {s} {h}a" for s, h in zip(range(1, 60, 2), range(1, 31), strict=False)]
    + [f"Ecke Teststraße {s} / Beispielweg {s + 1}" for s in range(1, 40, 2)]
    + [f"Treffpunkt Nummer {p}" for p in range(20)]
    + ["Tesstraße 7", "Beispelweg 12", "irgendwo", "überall"] * 5
    + [f"Treffpunkt Numer {p}" for p in range(10)]
)[:100]


# -- from the database ------------------------------------------------------------------------


@pytest.fixture()
def db_quarter(engine: Engine) -> Iterator[tuple[int, str]]:
    slug = f"georef-gz-{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        quarter_id = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, 'Testhamme', "
                "'Hamburg', ST_Multi(ST_GeomFromText(:w, 4326))) RETURNING id"
            ),
            {"s": slug, "w": BOUNDARY.wkt},
        ).scalar_one()
    yield int(quarter_id), slug
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM quarter WHERE id = :q"), {"q": quarter_id})


def test_load_from_postgis_and_resolve(engine: Engine, db_quarter: tuple[int, str]) -> None:
    quarter_id, slug = db_quarter
    source = f"test-{slug}"
    records = [
        GazetteerRecord(e.kind, e.name, e.geometry, e.street, e.housenumber, slug, source)
        for e in entries(0)
    ]
    with engine.begin() as conn:
        result = import_records(conn, records, source=source)
    assert result.counts == {"street": 4, "address": 5, "place": 4}
    with engine.connect() as conn:
        g = Gazetteer.load(conn, quarter_id)
    assert len(g.entries) == 13 and g.quarters[quarter_id].name == "Testhamme"
    crossing = g.resolve("Ecke Hofsteder Straße / Amtsstraße", quarter_id)
    assert crossing.method == "crossing" and metres(crossing.geometry, CROSSING) < 1.0
    assert crossing.quarter_id == quarter_id
    address = g.resolve("Hofsteder Str. 12a", quarter_id)
    assert address.method == "address" and address.from_home_address
    fallback = g.resolve("Wo war das noch?", quarter_id)
    assert fallback.method == "quarter" and BOUNDARY.contains(fallback.geometry)
    with engine.connect() as conn:
        everything = Gazetteer.load(conn)
    assert everything.resolve("Herz-Jesu-Kirche", quarter_id).method == "place"


def test_names_without_the_quarter_name_synonyms_and_names_with_numbers() -> None:
    q = 1
    g = Gazetteer(
        [
            *entries(q),
            Entry("place", "Quartiersbüro Testhamme", Point(9.991, 53.551), q),
            Entry(
                "place",
                "Kath.Kindertageseinrichtung / Familienzentrum Herz-Jesu",
                Point(9.992, 53.552),
                q,
                "Amtsstraße",
                "9",
            ),
            Entry("place", "Martener Forum (Amtsstraße 2)", Point(9.993, 53.549), q),
        ],
        [QuarterArea(q, "Testhamme", Point(9.99, 53.55), "Hamburg")],
    )
    office = g.resolve("am Quartiersbüro", q)
    assert office.method == "place" and office.matched == "Quartiersbüro Testhamme"
    assert 0.9 < office.confidence < 1 and not office.needs_review
    kita = g.resolve("Kath. Kita/Familienzentrum Herz-Jesu", q)  # a "/" but no crossing
    assert kita.method == "place" and kita.confidence == 1.0
    forum = g.resolve("Martener Forum (Amtsstraße 2)", q)  # a name, not an address
    assert forum.method == "place" and forum.geometry.equals(Point(9.993, 53.549))
    # "Straße des 17. Juni 5": the first number belongs to the street name.
    juni = Gazetteer(
        [
            Entry("street", "Straße des 17. Juni", LineString([(9.98, 53.55), (9.99, 53.55)]), q),
            Entry("address", "Straße des 17. Juni 5", Point(9.981, 53.5501), q),
        ]
    )
    hit = juni.resolve("Str. des 17. Juni 5", q)
    assert hit.method == "address" and hit.geometry.equals(Point(9.981, 53.5501))
