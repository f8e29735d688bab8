"""A small quarter with known items for the map tests (HTTP, export and browser).

Leipzig, about 400 m × 300 m — far from the other test modules' quarters — so that at the
fitted zoom every item is drawn as a single marker (no clusters) and the list view can be
compared one to one with the map. Built once per database with plain SQL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token

X0, Y0, X1, Y1 = 12.3700, 51.3400, 12.3760, 51.3428
BOUNDARY = f"MULTIPOLYGON((({X0} {Y0}, {X1} {Y0}, {X1} {Y1}, {X0} {Y1}, {X0} {Y0})))"
KNOWN_TITLE = "Gehweg an der Amtsstraße zugeparkt"
DRAFT_TITLE = "Entwurf: Ampel zu kurz"
QUARTER_STATEMENT = "Im ganzen Viertel fehlen Bäume."

#: (layer, kind, rating, title, lon, lat, status)
OBSERVATIONS = [
    ("mobilitaet", "problem", -1, KNOWN_TITLE, 12.3712, 51.3410, "published"),
    ("mobilitaet", "strength", 2, "Neue Radabstellanlage am Markt", 12.3725, 51.3415, "published"),
    ("mobilitaet", "idea", 1, "Tempo 30 vor der Schule", 12.3740, 51.3420, "published"),
    ("mobilitaet", "potential", 1, "Brache als Quartiersgarage", 12.3750, 51.3406, "published"),
    ("mobilitaet", "problem", -2, DRAFT_TITLE, 12.3731, 51.3424, "draft"),
    ("gruen-freiraum", "strength", 2, "Schattiger Spielplatz", 12.3705, 51.3422, "published"),
    ("gruen-freiraum", "potential", 1, "Innenhof entsiegeln", 12.3745, 51.3411, "published"),
    ("gruen-freiraum", "idea", 0, "Blühstreifen an der Bahn", 12.3755, 51.3425, "published"),
]


@dataclass
class MapQuarter:
    slug: str
    name: str
    planner: str
    known_id: str  # the observation titled KNOWN_TITLE
    published: dict[str, int] = field(default_factory=dict)  # per layer, what the public sees

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


_CACHE: dict[str, MapQuarter] = {}


def ensure_map_quarter(engine: Engine) -> MapQuarter:
    """Create the quarter and its items once per database (idempotent within a session)."""
    key = str(engine.url)
    if key in _CACHE:
        return _CACHE[key]
    suffix = uuid.uuid4().hex[:6]
    slug, name = f"kartentest-{suffix}", f"Kartentest {suffix}"
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary, description) VALUES "
                "(:s, :n, 'Leipzig', ST_GeomFromText(:b, 4326), 'Testquartier der Karten') "
                "RETURNING id"
            ),
            {"s": slug, "n": name, "b": BOUNDARY},
        ).scalar_one()
        walk = conn.execute(
            text(
                "INSERT INTO walkthrough (id, quarter_id, title, started_at, ended_at, residents, "
                "experts, track) VALUES (gen_random_uuid(), :q, 'Begehung Markt', "
                "'2026-04-12 10:00+02', '2026-04-12 12:00+02', 5, 2, ST_GeomFromText("
                "'LINESTRING(12.3702 51.3403, 12.3730 51.3412, 12.3752 51.3423)', 4326)) "
                "RETURNING id"
            ),
            {"q": qid},
        ).scalar_one()
        ids = {}
        for layer, kind, rating, title, lon, lat, status in OBSERVATIONS:
            ids[title] = conn.execute(
                text(
                    "INSERT INTO observation (id, quarter_id, walkthrough_id, layer_id, kind, "
                    "rating, title, description, geom, observed_at, status) VALUES "
                    "(gen_random_uuid(), :q, :w, :layer, :kind, :rating, :title, :desc, "
                    "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), '2026-04-12 10:35+02', :status) "
                    "RETURNING id::text"
                ),
                {
                    "q": qid,
                    "w": walk,
                    "layer": layer,
                    "kind": kind,
                    "rating": rating,
                    "title": title,
                    "lon": lon,
                    "lat": lat,
                    "status": status,
                    "desc": "Mit dem Kinderwagen muss man auf die Straße.",
                },
            ).scalar_one()
        interview = conn.execute(
            text(
                "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym) "
                "VALUES (gen_random_uuid(), :q, '2026-03-20', 'residents', 'B-01') RETURNING id"
            ),
            {"q": qid},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, kind, "
                "place_text, geom, public_geom, georef_method, georef_confidence, status) VALUES "
                "(gen_random_uuid(), :i, :q, 'Am Markt fehlt eine Bank zum Ausruhen.', "
                "ARRAY['gemeinwesen'], 'idea', 'Markt', ST_SetSRID(ST_MakePoint(12.3727, "
                "51.3417), 4326), ST_SetSRID(ST_MakePoint(12.3727, 51.3417), 4326), 'place', "
                "0.9, 'published')"
            ),
            {"i": interview, "q": qid},
        )
        conn.execute(
            text(
                "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, kind, "
                "place_text, geom, public_geom, georef_method, georef_confidence, needs_review, "
                "status) SELECT gen_random_uuid(), :i, q.id, :statement, ARRAY['gruen-freiraum'], "
                "'problem', 'im ganzen Viertel', ST_PointOnSurface(q.boundary), "
                "ST_PointOnSurface(q.boundary), 'quarter', 0.3, true, 'published' "
                "FROM quarter q WHERE q.id = :q"
            ),
            {"i": interview, "q": qid, "statement": QUARTER_STATEMENT},
        )
        conn.execute(
            text(
                "INSERT INTO reference_feature (layer_id, quarter_id, geom, properties, source) "
                "VALUES ('referenz-schulen', :q, ST_SetSRID(ST_MakePoint(12.3733, 51.3403), "
                '4326), \'{"name": "Grundschule am Markt", "category": "Grundschule"}\', '
                "'Test')"
            ),
            {"q": qid},
        )
        account = f"kartenplaner-{suffix}"
        create_account(conn, account, "planner")
        token = create_token(conn, account)
    published: dict[str, int] = {}
    for layer, *_rest, status in OBSERVATIONS:
        if status == "published":
            published[layer] = published.get(layer, 0) + 1
    published.update({"aussagen": 2, "begehungen": 1, "referenz-schulen": 1})
    _CACHE[key] = MapQuarter(slug, name, token, ids[KNOWN_TITLE], published)
    return _CACHE[key]
