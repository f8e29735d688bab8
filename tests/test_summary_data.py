"""A small quarter in Munich with hand-counted figures, shared by the summary and start page
tests (no tests in here; ``build_figures_quarter`` is called by their fixtures).

Every number the tests expect can be checked by hand against the rows below: six
observations (three published), five findings (three published), two walkthroughs (one with
a 1.19 km track), three interviews. The second quarter is empty, to test empty figures.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pyproj import Geod
from shapely import from_wkt
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token

# ~1.5 km x 1.1 km around the Munich old town; other test modules keep away from it.
X0, Y0, X1, Y1 = 11.560, 48.135, 11.580, 48.145
BOUNDARY = f"MULTIPOLYGON((({X0} {Y0}, {X1} {Y0}, {X1} {Y1}, {X0} {Y1}, {X0} {Y0})))"
TRACK = "LINESTRING(11.562 48.140, 11.570 48.141, 11.578 48.140)"
TRACK_M = Geod(ellps="WGS84").geometry_length(from_wkt(TRACK))  # as PostGIS geography
P = "POINT(11.57 48.14)"


@dataclass(frozen=True)
class FiguresQuarter:
    slug: str
    name: str
    empty_slug: str
    field: str
    planner: str

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def build_figures_quarter(engine: Engine) -> FiguresQuarter:
    """Insert the two quarters with plain SQL and return slugs and tokens."""
    suffix = uuid.uuid4().hex[:6]
    slug, empty = f"muenchen-fig-{suffix}", f"muenchen-leer-{suffix}"
    field_name = f"fig-field-{suffix}"
    w1, w2 = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as conn:
        q = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary, synthetic, description) VALUES "
                "(:s, :n, 'München', ST_GeomFromText(:b, 4326), true, 'Testquartier') "
                "RETURNING id"
            ),
            {"s": slug, "n": f"Altstadt {suffix}", "b": BOUNDARY},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES "
                "(:s, :n, 'München', ST_GeomFromText(:b, 4326))"
            ),
            {"s": empty, "n": f"Leer {suffix}", "b": BOUNDARY},
        )
        create_account(conn, field_name, "field")
        create_account(conn, f"fig-planner-{suffix}", "planner")
        field = create_token(conn, field_name)
        planner = create_token(conn, f"fig-planner-{suffix}")
        conn.execute(
            text(
                "INSERT INTO walkthrough (id, quarter_id, title, started_at, residents, "
                "multipliers, experts, administration, track) VALUES "
                "(:w1, :q, 'Runde 1', '2026-04-12T10:00:00+02:00', 8, 2, 1, 0, "
                " ST_GeomFromText(:t, 4326)), "
                # 23:30 UTC on 3 May is 01:30 on 4 May in Munich: the card shows 04.05.2026
                "(:w2, :q, 'Runde 2', '2026-05-03T23:30:00+00:00', 5, 0, 0, 2, NULL)"
            ),
            {"w1": w1, "w2": w2, "q": q, "t": TRACK},
        )
        observations = [  # layer, kind, rating, status, author, walkthrough
            ("umwelt", "problem", -2, "published", None, w1),
            ("umwelt", "strength", 1, "published", None, w1),
            ("mobilitaet", "idea", None, "published", None, w1),
            ("wohnen", "problem", -1, "draft", field_name, w1),
            ("sicherheit", "potential", 2, "review", "someone-else", w2),
            ("leerstand", "problem", 0, "rejected", None, None),
        ]
        conn.execute(
            text(
                "INSERT INTO observation (id, quarter_id, walkthrough_id, layer_id, kind, rating, "
                "title, geom, status, author) VALUES (:id, :q, :w, :layer, :kind, :rating, "
                "'Test', ST_GeomFromText(:p, 4326), :status, :author)"
            ),
            [
                {"id": uuid.uuid4(), "q": q, "w": w, "layer": layer, "kind": kind,
                 "rating": rating, "p": P, "status": status, "author": author}
                for layer, kind, rating, status, author, w in observations
            ],
        )  # fmt: skip
        interviews = [uuid.uuid4() for _ in range(3)]
        conn.execute(
            text(
                "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym) "
                "VALUES (:id, :q, '2026-04-20', :g, 'P')"
            ),
            [{"id": i, "q": q, "g": g}
             for i, g in zip(interviews, ("residents", "residents", "experts"), strict=True)],
        )  # fmt: skip
        findings = [  # layers, kind, method, geometry, status
            (["umwelt", "wohnen"], "idea", "address", P, "published"),
            (["mobilitaet", "umwelt"], "problem", "street",
             "LINESTRING(11.565 48.138, 11.575 48.138)", "published"),
            (["gemeinwesen"], "strength", "quarter", P, "published"),
            (["bildung"], "problem", "crossing", P, "draft"),
            (["bildung"], "strength", "quarter", None, "review"),
        ]  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, kind, "
                "geom, public_geom, georef_method, status) VALUES (:id, :iv, :q, 'Aussage', "
                ":layers, :kind, ST_GeomFromText(:g, 4326), ST_GeomFromText(:g, 4326), :m, :s)"
            ),
            [
                {"id": uuid.uuid4(), "iv": interviews[0], "q": q, "layers": layers,
                 "kind": kind, "g": geom, "m": method, "s": status}
                for layers, kind, method, geom, status in findings
            ],
        )  # fmt: skip
    return FiguresQuarter(slug, f"Altstadt {suffix}", empty, field, planner)
