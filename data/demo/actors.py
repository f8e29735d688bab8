#!/usr/bin/env python3
"""Deterministic generator of Hamme's actors and offers (Akteure & Angebote) for the demo.

    .venv/bin/python data/demo/actors.py

Writes data/demo/actors.geojson in the import format of /api/actors/import (our own
property names). Two sources, each labelled:
- **synthetic** actors (external id ``HAM-AK-…``): invented, their description starts with
  "Synthetische Demodaten (erfunden)"; phones are in the fictional +49 234 000 range and
  e-mails/web sites on example.org. Two are persons (Kümmerer*innen): one consented to name
  and offers only, one to nothing (so the public never sees her).
- **real** facilities (``BO-POI-…``) from the City of Bochum's open data (CC0,
  data/bochum-opendata): name, address, web site and place as published; their offers are the
  city's category, without opening hours (the data has none — we invent none for real places).
No randomness: two runs give byte-identical files.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from pyproj import Transformer

HERE = Path(__file__).resolve().parent
OPEN_DATA = Path(os.environ.get("KARTE_BOCHUM_OPENDATA", HERE.parent / "bochum-opendata"))
QUARTER = "bochum-hamme"
SOURCE = "Stadt Bochum, Open Data (CC0)"
SYNTHETIC = "Synthetische Demodaten (erfunden): "

# (id, name, kind, address, lon, lat, phone, e-mail, web, tags, consent (None = all),
#  [(what, for whom, opening_hours)], measure "responsible" texts this actor answers for)
A = [
    (
        "QM",
        "Quartiersbüro Hamme",
        "qm_buero",
        "Amtsstraße 14, 44809 Bochum",
        7.1952,
        51.4917,
        "+49 234 000 1401",
        "quartiersbuero-hamme@example.org",
        "https://example.org/hamme",
        {"office": "association"},
        None,
        [
            (
                "Sprechstunde Quartiersmanagement",
                "alle Bewohner*innen",
                "Tu 10:00-12:00; Th 15:00-18:00",
            ),
            (
                "Verfügungsfonds: Beratung zu Kleinprojekten",
                "Initiativen, Vereine",
                "We 14:00-16:00",
            ),
            ("Quartierszeitung zum Mitnehmen", "alle", "Mo-Fr 09:00-16:00; PH off"),
        ],
        ["Quartiersbüro Hamme"],
    ),
    (
        "TIEFBAU",
        "Tiefbauamt – Bürgersprechstunde Hamme",
        "verwaltung",
        "Dorstener Straße 160, 44809 Bochum",
        7.1975,
        51.4911,
        "+49 234 000 6600",
        "tiefbau-sprechstunde@example.org",
        "https://example.org/tiefbau",
        {"office": "government"},
        None,
        [("Sprechstunde Straßen, Gehwege, Querungen", "Anwohner*innen", "Mo 14:00-16:00")],
        ["Tiefbauamt", "Straßenverkehrsamt", "Ordnungsamt"],
    ),
    (
        "GRUEN",
        "Grünflächenamt – Baumpatenschaften",
        "verwaltung",
        "Dorstener Straße 160, 44809 Bochum",
        7.1977,
        51.4913,
        "+49 234 000 6700",
        "baumpaten@example.org",
        "https://example.org/gruen",
        {"office": "government"},
        None,
        [
            ("Baumpatenschaft übernehmen", "alle", "Mo-Fr 09:00-12:00"),
            (
                "Beratung Hof- und Fassadenbegrünung",
                "Eigentümer*innen, Mieter*innen",
                "Th 15:00-17:00",
            ),
        ],
        ["Grünflächenamt", "Umweltamt"],
    ),
    (
        "WIFOE",
        "Wirtschaftsförderung – Ladenlokal-Börse",
        "verwaltung",
        "Hofsteder Straße 55, 44809 Bochum",
        7.2058,
        51.4952,
        "+49 234 000 7100",
        "ladenboerse@example.org",
        "https://example.org/laeden",
        {"office": "government"},
        None,
        [("Beratung Zwischennutzung leerer Läden", "Gründer*innen, Initiativen", "We 10:00-13:00")],
        ["Wirtschaftsförderung"],
    ),
    (
        "NACHBARN",
        "Nachbarschaftsverein Hamme e. V.",
        "verein",
        "Poststraße 21, 44809 Bochum",
        7.2012,
        51.4930,
        "+49 234 000 2101",
        "vorstand@nachbarn-hamme.example.org",
        "https://nachbarn-hamme.example.org",
        {"amenity": "community_centre", "community_centre:for": "senior;family"},
        None,
        [
            ("Seniorencafé", "Ältere", "We 14:30-17:00"),
            ("Repair-Café", "alle", "Sa[1] 11:00-15:00"),
            (
                "Nachbarschaftshilfe: Einkaufen, Begleitung",
                "Ältere, Menschen mit Behinderung",
                "Mo-Fr 10:00-12:00",
            ),
        ],
        [],
    ),
    (
        "SPORT",
        "Sportverein Hamme 1912 e. V.",
        "verein",
        "Feldsieper Straße 90, 44809 Bochum",
        7.2065,
        51.4942,
        "+49 234 000 2201",
        "info@sv-hamme.example.org",
        "https://sv-hamme.example.org",
        {"leisure": "sports_centre", "sport": "soccer"},
        None,
        [
            ("Offenes Fußballtraining", "Kinder 6–12 Jahre", "Tu,Th 16:30-18:00"),
            ("Rückenfit", "Erwachsene", "Mo 19:00-20:00"),
        ],
        [],
    ),
    (
        "MIGRA",
        "Interkultureller Frauentreff Hamme e. V.",
        "verein",
        "Gahlensche Straße 170, 44809 Bochum",
        7.1899,
        51.4925,
        "+49 234 000 2301",
        "treff@frauentreff-hamme.example.org",
        "",
        {
            "amenity": "social_facility",
            "social_facility": "outreach",
            "social_facility:for": "migrant;woman",
        },
        None,
        [
            ("Sprachcafé Deutsch", "Frauen, Zugewanderte", "We 10:00-12:00"),
            ("Begleitung zu Ämtern", "Zugewanderte", 'Mo-Fr unknown "nach Vereinbarung"'),
            ("Nähwerkstatt", "Frauen", "Fr 15:00-18:00"),
        ],
        [],
    ),
    (
        "TAFEL",
        "Lebensmittelausgabe Hamme (Verein)",
        "verein",
        "Haldenstraße 60, 44809 Bochum",
        7.2049,
        51.4914,
        "+49 234 000 2401",
        "ausgabe@example.org",
        "",
        {
            "amenity": "social_facility",
            "social_facility": "food_bank",
            "social_facility:for": "low_income",
        },
        None,
        [
            (
                "Lebensmittelausgabe",
                "Menschen mit wenig Geld (Berechtigungsschein)",
                "Tu,Fr 13:00-15:30",
            )
        ],
        [],
    ),
    (
        "GARTEN",
        "Initiative Gemeinschaftsgarten Park Hamme",
        "initiative",
        "Surweg, 44809 Bochum",
        7.1988,
        51.4888,
        "",
        "garten-hamme@example.org",
        "",
        {"leisure": "garden", "garden:type": "community"},
        None,
        [
            ("Gemeinsames Gärtnern", "alle", "Apr-Oct Sa 10:00-13:00"),
            ("Pflanzentausch", "alle", "May 1-May 31 Su 11:00-13:00"),
        ],
        [],
    ),
    (
        "RAD",
        "Initiative Radfahren in Hamme",
        "initiative",
        "Lohstraße 12, 44809 Bochum",
        7.1966,
        51.4940,
        "",
        "rad-hamme@example.org",
        "https://example.org/rad-hamme",
        {"club": "cycling"},
        None,
        [
            ("Selbsthilfe-Radwerkstatt", "alle", "Th 17:00-19:30"),
            ("Radfahrkurs für Erwachsene", "Erwachsene ohne Radpraxis", "Apr-Sep Sa 10:00-12:00"),
        ],
        [],
    ),
    (
        "ELTERN",
        "Elterninitiative Sichere Schulwege",
        "initiative",
        "Feldsieper Straße 94, 44809 Bochum",
        7.2072,
        51.4947,
        "",
        "schulweg@example.org",
        "",
        {},
        None,
        [("Laufbus zur Grundschule", "Grundschulkinder, Eltern", "Mo-Fr 07:35-07:55; SH off")],
        ["Schulen im Quartier"],
    ),
    (
        "JUGEND",
        "Jugendtreff Hamme",
        "einrichtung",
        "Hedwigstraße 40, 44809 Bochum",
        7.2060,
        51.4925,
        "+49 234 000 3101",
        "jugendtreff@example.org",
        "https://example.org/jugendtreff",
        {
            "amenity": "social_facility",
            "social_facility": "outreach",
            "social_facility:for": "juvenile",
        },
        None,
        [
            ("Offener Treff", "Jugendliche 12–18 Jahre", "Mo-Fr 14:00-20:00; PH off"),
            ("Hausaufgabenhilfe", "Schüler*innen", "Mo-Th 14:00-16:00; SH off"),
        ],
        [],
    ),
    (
        "BERATUNG",
        "Sozialberatung im Stadtteil",
        "einrichtung",
        "Dorstener Straße 190, 44809 Bochum",
        7.1930,
        51.4921,
        "+49 234 000 3201",
        "sozialberatung@example.org",
        "",
        {
            "amenity": "social_facility",
            "social_facility": "outreach",
            "social_facility:for": "low_income;senior",
        },
        None,
        [
            (
                "Beratung zu Wohngeld, Bürgergeld, Schulden",
                "alle",
                "Mo,We 09:00-12:00; Th 14:00-17:00",
            ),
            ("Mieterberatung", "Mieter*innen", "Tu 16:00-18:00"),
        ],
        [],
    ),
    (
        "CAFE",
        "Stadtteilcafé Amtsplatz",
        "unternehmen",
        "Amtsstraße 2, 44809 Bochum",
        7.1949,
        51.4914,
        "+49 234 000 4101",
        "",
        "https://example.org/cafe-amtsplatz",
        {"amenity": "cafe"},
        None,
        [
            ("Mittagstisch mit Sozialpreis", "alle, Bochum-Pass", "Mo-Fr 11:30-14:00"),
            ("Raum für Gruppentreffen", "Initiativen", "Mo-Sa 09:00-18:00"),
        ],
        [],
    ),
    (
        "KUEMMERIN",
        "Elif Demir (Kümmerin Hofsteder Straße)",
        "person",
        "Hofsteder Straße 102, 44809 Bochum",
        7.2049,
        51.4960,
        "+49 234 000 5101",
        "e.demir@example.org",
        "",
        {},
        ["name", "offers"],
        [("Ansprechpartnerin für die Hofsteder Straße", "Nachbar*innen", "Th 17:00-18:00")],
        [],
    ),
    (
        "KUEMMERER",
        "Jürgen Brandt (Kümmerer Lohstraße)",
        "person",
        "Lohstraße 30, 44809 Bochum",
        7.1960,
        51.4944,
        "+49 234 000 5201",
        "j.brandt@example.org",
        "",
        {},
        [],
        [("Müll- und Sperrgutpatenschaft", "Nachbar*innen", "Sa 10:00-11:00")],
        [],
    ),
]

# Real facilities (poi_id, file, what they offer according to the city's category)
REAL = [
    ("8039", "bochum_schools.csv", "Familienbildung: Kurse für Eltern und Kinder", "Familien"),
    ("23152", "bochum_daycare_centers.csv", "Kindertagesbetreuung, Familienberatung", "Familien"),
    ("23151", "bochum_daycare_centers.csv", "Kindertagesbetreuung, Familienberatung", "Familien"),
    ("21842", "bochum_daycare_centers.csv", "Kindertagesbetreuung, Familienberatung", "Familien"),
    ("186", "bochum_schools.csv", "Grundschule", "Kinder 6–10 Jahre"),
]


def _feature(props: dict, lon: float, lat: float) -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
    }


def synthetic() -> list[dict]:
    out = []
    for key, name, kind, address, lon, lat, phone, email, web, tags, consent, offers, _ in A:
        out.append(
            _feature(
                {
                    "external_id": f"HAM-AK-{key}",
                    "name": name,
                    "kind": kind,
                    "description": SYNTHETIC + f"{name} im Quartier Hamme.",
                    "quarters": QUARTER,
                    "address": address,
                    "phone": phone,
                    "email": email,
                    "website": web,
                    "tags": tags,
                    **({"public_fields": ";".join(consent)} if consent is not None else {}),
                    "published": "ja",
                    "offers": [
                        {"what": w, "for_whom": f, "opening_hours": h} for w, f, h in offers
                    ],
                },
                lon,
                lat,
            )
        )
    return out


def real() -> list[dict]:
    to_wgs84 = Transformer.from_crs(25832, 4326, always_xy=True)
    rows = {}
    for name in {r[1] for r in REAL}:
        with open(OPEN_DATA / name, encoding="utf-8", newline="") as handle:
            rows[name] = {r["poi_id"]: r for r in csv.DictReader(handle, delimiter=";")}
    out = []
    for poi, name, what, for_whom in REAL:
        r = rows[name][poi]
        lon, lat = to_wgs84.transform(float(r["rechts_utm"]), float(r["hoch_utm"]))
        link = r["link"].strip()
        web = link if link.startswith("http") or not link else f"https://{link}"
        tags = (
            {"amenity": "kindergarten"}
            if "daycare" in name
            else {"amenity": "school"}
            if "Grundschul" in r["kategorie"]
            else {"amenity": "social_facility", "social_facility:for": "family"}
        )
        out.append(
            _feature(
                {
                    "external_id": f"BO-POI-{poi}",
                    "name": r["name"],
                    "kind": "einrichtung",
                    "description": f"{SOURCE}, poi_id {poi}: {r['kategorie']}.",
                    "quarters": QUARTER,
                    "address": f"{r['str_hausnr']}, {r['plz_ort']}",
                    "website": web,
                    "tags": tags,
                    "published": "ja",
                    "offers": [{"what": what, "for_whom": for_whom, "opening_hours": ""}],
                },
                lon,
                lat,
            )
        )
    return out


def links() -> dict[str, str]:
    """Measure "responsible" text → actor external id (the demo links those measures)."""
    return {text: f"HAM-AK-{a[0]}" for a in A for text in a[12]}


def main() -> None:
    doc = {
        "type": "FeatureCollection",
        "links_by_responsible": links(),
        "features": synthetic() + real(),
    }
    (HERE / "actors.geojson").write_text(
        json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
