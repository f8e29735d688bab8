"""Gazetteer import from CSV (incl. real Bochum open-data rows), GeoJSON and GeoPackage."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, Polygon, box
from sqlalchemy import Engine, text

from mapservice.errors import InvalidInput
from mapservice.georef.gazetteer import Gazetteer
from mapservice.georef.gazetteer_import import (
    BOCHUM_OPENDATA,
    CsvMapping,
    import_file,
    parse_other_tags,
    read_csv,
    reassign_quarters,
    replace_mapping,
)

GEOD = Geod(ellps="WGS84")
TO_UTM = Transformer.from_crs(4326, 25832, always_xy=True)
WEST = box(9.975, 53.560, 9.990, 53.575)  # two neighbouring test quarters north of the others
EAST = box(9.990, 53.560, 10.005, 53.575)

# A verbatim copy of five rows of bochum_schools.csv (City of Bochum open data, CC0) and its
# .prj, so the test does not depend on files outside the repository.
BOCHUM_SCHOOLS_CSV = (
    '"poi_id";"name";"str_hausnr";"plz_ort";"kategorie";"hauptkateg";"beschreib";"link";'
    '"bedeut_id";"bedeutung";"erstkateg";"angelegt";"geaendert";"kateg_id";"kateg_pfad";'
    '"rechts_utm";"hoch_utm";"abrufdatum"\n'
    '"611755";"Ersatzstandort Paul-Dohrmann-Schule";"Lenneplatz 21";"44807 Bochum";'
    '"Förderschulen";"Bildung";"Schulcontainer während der Renovierung des eigentlichen '
    'Schulstandorts.";"www.sfe.bobi.net";"3";"Örtlich";"1";"2023-07-18";"2023-09-08";"7";'
    '"Bildung/Förderschulen";"378173";"5706591";"2023-10-17"\n'
    '"611733";"Alice-Salomon-Berufskolleg für Ernährung, Erziehung und Gesundheit '
    'Teilstandort";"Von-der-Recke-Str. 53";"44809 Bochum";"Berufskollegs";"Bildung";"Das '
    "Alice-Salomon-Berufskolleg qualifiziert in den Berufsfeldern Ernährung und "
    'Hauswirtschaft, Sozial- und Gesundheitswesen sowie Körperpflege.";"";"3";"Örtlich";"1";'
    '"2023-07-04";"2023-08-22";"151";"Bildung/Berufsschulen/Berufskollegs";"374201";'
    '"5705976";"2023-10-17"\n'
    '"611146";"Web-Individualschule";"Gerard-Mortier-Platz 4";"44793 Bochum";"Sonstige '
    'Spezialschulen";"Bildung";"Fernschule";"www.web-individualschule.de";"1";"Überregional";'
    '"1";"2023-03-24";"2023-08-29";"203673";"Bildung/Spezialschulen/Sonstige Spezialschulen";'
    '"375050";"5704682";"2023-10-17"\n'
    '"358027";"Ausbildungsinstitut Lehrer für Pflegeberufe und Gesundheitsfachberufe";'
    '"Alsenstr. 19 a";"44795 Bochum";"Schulen im sozialen Bereich";"Bildung";'
    '"Berufsfortbildungswerk des DGB";"";"3";"Örtlich";"1";"2017-09-04";"2023-09-12";"57";'
    '"Bildung/Berufsschulen/Schulen im sozialen Bereich";"377074";"5704246";"2023-10-17"\n'
    '"358006";"Matthias-Claudius-Berufskolleg";"Weitmarer Str. 115 b";"44795 Bochum";'
    '"Berufskollegs";"Bildung";"Privates evangelisches Berufskolleg der Sekundarstufe II, '
    'Fachoberschule für Gesundheit und Soziales.";"www.mcs-bochum.de";"3";"Örtlich";"1";'
    '"2017-08-28";"2023-09-08";"151";"Bildung/Berufsschulen/Berufskollegs";"374144";"5702076";'
    '"2023-10-17"\n'
)
BOCHUM_PRJ = (
    'PROJCS["ETRS_1989_UTM_Zone_32N",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",'
    'SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",9.0],PARAMETER["Scale_Factor",0.9996],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


@pytest.fixture()
def quarters(engine: Engine) -> Iterator[dict[str, int]]:
    """Two adjacent test quarters (west, east) with unique slugs; removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        for side, shape in (("west", WEST), ("east", EAST)):
            ids[side] = conn.execute(
                text(
                    "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, :n, 'Hamburg', "
                    "ST_Multi(ST_GeomFromText(:w, 4326))) RETURNING id"
                ),
                {"s": f"georef-imp-{side}-{tag}", "n": f"Test {side}", "w": shape.wkt},
            ).scalar_one()
    ids["tag"] = tag  # type: ignore[assignment]
    yield ids
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM quarter WHERE id = ANY(:ids)"), {"ids": [ids["west"], ids["east"]]}
        )


@pytest.fixture()
def source(engine: Engine) -> Iterator[str]:
    label = f"georef-test-{uuid.uuid4().hex[:8]}"
    yield label
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM gazetteer_entry WHERE source LIKE :s"), {"s": f"{label}%"})


def rows(engine: Engine, source: str) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT kind, name, street, housenumber, quarter_id, "
                    "ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat, "
                    "ST_GeometryType(geom) AS type, source "
                    "FROM gazetteer_entry WHERE source LIKE :s ORDER BY kind, name, quarter_id"
                ),
                {"s": f"{source}%"},
            ).mappings()
        ]


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def test_csv_with_lon_lat_columns(engine: Engine, quarters: dict, source: str, tmp_path: Path):
    path = tmp_path / "gazetteer.csv"
    path.write_text(
        "name,kind,street,housenumber,lon,lat\n"
        "Hofsteder Straße 12a,address,Hofsteder Straße,12 a,9.9801,53.5650\n"
        "Amtsplatz,place,,,9.9951,53.5652\n"
        "Kiosk am Markt,,,,9.9952,53.5653\n"
        "Hofsteder Str. 14,,,,9.9802,53.5651\n"
        "kaputt,place,,,abc,53.5\n"
        "Kein Quartier,place,,,9.5,53.0\n",
        encoding="utf-8",
    )
    with engine.connect() as conn:
        result = import_file(conn, path, source=source)
    assert result.counts == {"street": 0, "address": 2, "place": 3}
    assert result.outside == 1
    assert [s.row for s in result.skipped] == [6]
    got = {r["name"]: r for r in rows(engine, source)}
    assert got["Hofsteder Straße 12a"]["housenumber"] == "12a"
    assert got["Hofsteder Straße 12a"]["quarter_id"] == quarters["west"]
    assert got["Amtsplatz"]["quarter_id"] == quarters["east"]
    assert got["Hofsteder Str. 14"]["kind"] == "address"
    assert got["Hofsteder Str. 14"]["street"] == "Hofsteder Straße"
    assert got["Kein Quartier"]["quarter_id"] is None
    assert (got["Amtsplatz"]["lon"], got["Amtsplatz"]["lat"]) == (9.9951, 53.5652)


def test_csv_with_x_y_and_crs_semicolons_and_decimal_commas(
    engine: Engine, quarters: dict, source: str, tmp_path: Path
) -> None:
    x, y = TO_UTM.transform(9.9951, 53.5652)
    path = tmp_path / "utm.csv"
    x_german = f"{x:.2f}".replace(".", ",")  # Excel in German writes decimal commas
    path.write_text(
        f'"Bezeichnung";"Rechtswert";"Hochwert"\n"Amtsplatz";"{x_german}";"{y:.2f}"\n',
        encoding="utf-8",
    )
    mapping = CsvMapping(name="Bezeichnung", kind="place", x="Rechtswert", y="Hochwert")
    with pytest.raises(InvalidInput) as err, engine.connect() as conn:
        import_file(conn, path, source=source, csv_mapping=mapping)
    assert err.value.code == "crs_required"
    with engine.connect() as conn:
        result = import_file(conn, path, source=source, csv_mapping=mapping, crs="EPSG:25832")
    assert result.counts["place"] == 1
    (row,) = rows(engine, source)
    assert metres((row["lon"], row["lat"]), (9.9951, 53.5652)) < 0.05
    assert row["quarter_id"] == quarters["east"]


def test_real_bochum_open_data_rows_with_their_prj(
    engine: Engine, source: str, tmp_path: Path
) -> None:
    path = tmp_path / "bochum_schools.csv"
    path.write_text(BOCHUM_SCHOOLS_CSV, encoding="utf-8")
    (tmp_path / "bochum_schools.prj").write_text(BOCHUM_PRJ, encoding="utf-8")
    mapping = replace_mapping(BOCHUM_OPENDATA, crs=None)  # the CRS must come from the .prj
    records, skipped = read_csv(path, mapping)
    assert not skipped
    assert [r.kind for r in records].count("place") == 5
    assert [r.kind for r in records].count("address") == 5
    by_name = {r.name: r for r in records}
    school = by_name["Matthias-Claudius-Berufskolleg"]
    assert (school.street, school.housenumber) == ("Weitmarer Straße", "115b")
    assert by_name["Alsenstraße 19a"].kind == "address"
    assert by_name["Von-der-Recke-Straße 53"].kind == "address"
    # Coordinates: back to UTM they must be the integers of the file, to the millimetre.
    e, n = TO_UTM.transform(school.geometry.x, school.geometry.y)
    assert abs(e - 374144) < 0.001 and abs(n - 5702076) < 0.001
    assert 7.1 < school.geometry.x < 7.4 and 51.4 < school.geometry.y < 51.6

    with engine.connect() as conn:
        result = import_file(conn, path, source=source, csv_mapping=mapping)
    assert result.counts == {"street": 0, "address": 5, "place": 5}
    stored = rows(engine, source)
    assert len(stored) == 10
    # A school's address resolves as "not a home" from the gazetteer built of these rows.
    with engine.connect() as conn:
        g = Gazetteer.load(conn)
    hit = g.resolve("Weitmarer Str. 115b")
    assert hit.method == "address" and not hit.from_home_address
    assert "Matthias-Claudius-Berufskolleg" in hit.matched


def test_geojson_with_slugs_is_idempotent(
    engine: Engine, quarters: dict, source: str, tmp_path: Path
) -> None:
    tag = quarters["tag"]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[9.978, 53.567], [9.988, 53.567]]},
            "properties": {
                "name": "Amtsstraße",
                "kind": "street",
                "quarter": f"georef-imp-west-{tag}",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [9.9801, 53.5671]},
            "properties": {
                "name": "Amtsstraße 3",
                "kind": "address",
                "street": "Amtsstraße",
                "housenumber": "3",
                "quarter": f"georef-imp-west-{tag}",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [9.9802, 53.5672]},
            "properties": {
                "name": "Grundschule Amtsstraße",
                "kind": "place",
                "address": "Amtsstr. 5 a",
                "quarter": None,
                "source": f"{source}-opendata",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[9.980, 53.570], [10.000, 53.570]]},
            "properties": {"name": "Grenzweg", "kind": "street"},
        },
    ]
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    for _ in range(2):
        with engine.connect() as conn:
            result = import_file(conn, path, source=source)
        # Grenzweg runs through both quarters: one row for each.
        assert result.counts == {"street": 3, "address": 1, "place": 1}
        assert len(rows(engine, source)) == 5
    assert result.source == source and result.deleted == 5  # the first run's rows
    got = rows(engine, source)
    assert {r["source"] for r in got} == {source, f"{source} | {source}-opendata"}
    grenzweg = [r for r in got if r["name"] == "Grenzweg"]
    assert {r["quarter_id"] for r in grenzweg} == {quarters["west"], quarters["east"]}
    school = next(r for r in got if r["kind"] == "place")
    assert (school["street"], school["housenumber"]) == ("Amtsstraße", "5a")
    assert school["quarter_id"] == quarters["west"]


def test_geopackage_osm_extract_in_utm(
    engine: Engine, quarters: dict, source: str, tmp_path: Path
) -> None:
    def utm(lon: float, lat: float) -> tuple[float, float]:
        return TO_UTM.transform(lon, lat)

    lines = gpd.GeoDataFrame(
        {
            "osm_id": ["1", "2", "3"],
            "name": ["Hofsteder Straße", None, "Schmechtingbach"],
            "highway": ["residential", "service", None],
        },
        geometry=[
            LineString([utm(9.978, 53.566), utm(9.988, 53.566)]),
            LineString([utm(9.978, 53.567), utm(9.988, 53.567)]),
            LineString([utm(9.978, 53.568), utm(9.988, 53.568)]),
        ],
        crs="EPSG:25832",
    )
    points = gpd.GeoDataFrame(
        {
            "osm_id": ["10", "11", "12", "13"],
            "name": [None, "Bäckerei Kruse", None, "Herz-Jesu-Kirche"],
            "other_tags": [
                '"addr:street"=>"Hofsteder Straße","addr:housenumber"=>"12a"',
                '"addr:street"=>"Hofsteder Straße","addr:housenumber"=>"14","shop"=>"bakery"',
                '"amenity"=>"bench"',
                '"amenity"=>"place_of_worship"',
            ],
        },
        geometry=[
            Point(utm(9.9801, 53.5661)),
            Point(utm(9.9803, 53.5661)),
            Point(utm(9.9805, 53.5661)),
            Point(utm(9.9951, 53.5662)),
        ],
        crs="EPSG:25832",
    )
    polygons = gpd.GeoDataFrame(
        {
            "osm_id": ["20"],
            "name": [None],
            "addr:street": ["Amtsstraße"],
            "addr:housenumber": ["7"],
        },
        geometry=[Polygon([utm(9.981, 53.563), utm(9.9812, 53.563), utm(9.9812, 53.5632)])],
        crs="EPSG:25832",
    )
    path = tmp_path / "osm.gpkg"
    lines.to_file(path, layer="lines", driver="GPKG")
    points.to_file(path, layer="points", driver="GPKG")
    polygons.to_file(path, layer="multipolygons", driver="GPKG")
    with engine.connect() as conn:
        result = import_file(conn, path, source=source)
    assert result.counts == {"street": 1, "address": 2, "place": 3}
    assert len(result.skipped) == 2  # the unnamed service road and the bench
    got = {(r["kind"], r["name"]): r for r in rows(engine, source)}
    assert got[("street", "Hofsteder Straße")]["quarter_id"] == quarters["west"]
    address = got[("address", "Hofsteder Straße 12a")]
    assert address["housenumber"] == "12a"
    assert metres((address["lon"], address["lat"]), (9.9801, 53.5661)) < 0.05
    bakery = got[("place", "Bäckerei Kruse")]
    assert (bakery["street"], bakery["housenumber"]) == ("Hofsteder Straße", "14")
    assert got[("place", "Herz-Jesu-Kirche")]["quarter_id"] == quarters["east"]
    assert got[("place", "Schmechtingbach")]["type"] == "ST_LineString"
    assert got[("address", "Amtsstraße 7")]["type"] == "ST_Point"  # building → its point


def test_wrong_crs_refuses_the_whole_file_and_keeps_the_old_rows(
    engine: Engine, quarters: dict, source: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("name,lon,lat\nAmtsplatz,9.9951,53.5652\n", encoding="utf-8")
    with engine.connect() as conn:
        import_file(conn, good, source=source)
    bad = tmp_path / "bad.csv"
    # Gauß-Krüger zone 2 numbers declared as UTM 32N in row 3.
    bad.write_text("name;x;y\nA;566000;5934000\nB;2580000;5707000\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err, engine.connect() as conn:
        import_file(conn, bad, source=source, crs=25832)
    assert err.value.code == "outside_crs_area"
    assert "Zeile/row 3" in err.value.message_de
    assert [r["name"] for r in rows(engine, source)] == ["Amtsplatz"]


def test_bad_files(engine: Engine, source: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    no_coords = tmp_path / "nocoords.csv"
    no_coords.write_text("name;strasse\nA;B\n", encoding="utf-8")
    wrong_type = tmp_path / "data.xlsx"
    wrong_type.write_bytes(b"PK\x03\x04")
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    expected = {
        empty: "csv_empty",
        no_coords: "csv_columns",
        wrong_type: "file_type",
        broken: "file_unreadable",
        tmp_path / "missing.csv": "file_missing",
    }
    for path, code in expected.items():
        with pytest.raises(InvalidInput) as err, engine.connect() as conn:
            import_file(conn, path, source=source)
        assert err.value.code == code, path
        assert err.value.message_de and err.value.message_en


def test_entries_outside_can_be_dropped_or_reassigned_later(
    engine: Engine, source: str, tmp_path: Path
) -> None:
    path = tmp_path / "far.csv"
    path.write_text("name,lon,lat\nFernort,9.70,53.70\n", encoding="utf-8")
    with engine.connect() as conn:
        dropped = import_file(conn, path, source=source, keep_outside=False)
    assert dropped.total == 0 and dropped.outside == 1
    with engine.connect() as conn:
        kept = import_file(conn, path, source=source)
    assert kept.total == 1 and kept.outside == 1
    slug = f"georef-far-{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        quarter_id = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, 'Fern', 'Hamburg', "
                "ST_Multi(ST_MakeEnvelope(9.69, 53.69, 9.71, 53.71, 4326))) RETURNING id"
            ),
            {"s": slug},
        ).scalar_one()
    try:
        with engine.connect() as conn:
            assert reassign_quarters(conn) >= 1
        assert rows(engine, source)[0]["quarter_id"] == quarter_id
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM quarter WHERE id = :q"), {"q": quarter_id})


def test_other_tags_parser() -> None:
    tags = parse_other_tags('"addr:street"=>"Am \\"Markt\\"","addr:housenumber"=>"4 a"')
    assert tags == {"addr:street": 'Am "Markt"', "addr:housenumber": "4 a"}
    assert parse_other_tags(None) == {}


def test_labels_keep_files_apart_and_appending_twice_adds_nothing(
    engine: Engine, quarters: dict, source: str, tmp_path: Path
) -> None:
    # Two files whose rows carry the same attribution (one generator wrote both).
    streets, places = tmp_path / "streets.csv", tmp_path / "places.csv"
    streets.write_text(
        "name;kind;source;wkt\n"
        'Amtsstraße;street;synthetisch;"LINESTRING (9.978 53.567, 9.988 53.567)"\n',
        encoding="utf-8",
    )
    places.write_text(
        "name;source;lon;lat\nAmtsplatz;synthetisch;9.9801;53.5671\n", encoding="utf-8"
    )
    with engine.connect() as conn:
        import_file(conn, streets, source=f"{source}-streets")
        import_file(conn, places, source=f"{source}-places")
        again = import_file(conn, places, source=f"{source}-places")  # replace: only its own rows
        appended = import_file(conn, streets, source=f"{source}-streets", replace=False)
    assert again.deleted == 1
    assert appended.total == 0 and appended.existing == 1
    got = rows(engine, source)
    assert sorted((r["kind"], r["source"]) for r in got) == [
        ("place", f"{source}-places | synthetisch"),
        ("street", f"{source}-streets | synthetisch"),
    ]


def test_real_bochum_shapefile(engine: Engine, source: str) -> None:
    """The city's Shapefile (real .prj, field str_hausnr) as shipped in data/."""
    shp = Path(__file__).resolve().parents[1] / "data/bochum-opendata/bochum_schools.shp"
    with engine.connect() as conn:
        result = import_file(conn, shp, source=source, also_address=True)
    assert result.counts["place"] == 298
    assert 250 < result.counts["address"] <= 298  # every school with a house number
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT street, housenumber, ST_X(geom), ST_Y(geom) FROM gazetteer_entry "
                "WHERE source = :s AND kind = 'place' AND name = 'Matthias-Claudius-Berufskolleg'"
            ),
            {"s": source},
        ).one()
    assert (row[0], row[1]) == ("Weitmarer Straße", "115b")
    e, n = TO_UTM.transform(row[2], row[3])
    assert abs(e - 374144) < 1.0 and abs(n - 5702076) < 1.0
