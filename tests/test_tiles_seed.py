"""Test data for the tile and OGC tests: a Berlin quarter with known features, and accounts.

Not a test module of its own: ``test_tiles*.py`` and ``test_ogc*.py`` call ``seed()`` from
a module fixture, each with its own square in Berlin (far from the other tests' quarters) and
its own layer, so the counts they assert are theirs alone.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token

KINDS = ("strength", "problem", "potential", "idea")


@dataclass
class World:
    """What ``seed`` created: ids to look for and tokens to ask with."""

    quarter: str
    box: tuple[float, float, float, float]
    layer: str
    published_point: str
    draft_point: str
    other_draft_point: str
    draft_corner: str
    area: str
    line: str
    walkthrough: str
    finding_home: str
    finding_draft: str
    reference: int
    cluster_points: int
    field_name: str
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _point(lon: float, lat: float) -> str:
    return f"SRID=4326;POINT({lon} {lat})"


def seed(engine: Engine, name: str, box: tuple[float, float, float, float], layer: str) -> World:
    """Insert a quarter covering ``box`` and a known set of features on ``layer``.

    Published points (clustered at low zoom) fill the south-west quarter of the box; the
    drafts lie in the north-east corner, so a public extent must stop short of them.
    """
    suffix = uuid.uuid4().hex[:6]
    slug = f"{name}-{suffix}"
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    ids = {k: str(uuid.uuid4()) for k in ("pub", "draft", "other", "corner", "area", "line")}
    walk, interview = str(uuid.uuid4()), str(uuid.uuid4())
    home, draft_finding = str(uuid.uuid4()), str(uuid.uuid4())
    rng = random.Random(name)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES "
                "(:s, :n, 'Berlin', ST_Multi(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)))"
            ),
            {"s": slug, "n": f"Testquartier {name}", "x0": x0, "y0": y0, "x1": x1, "y1": y1},
        )
        qid = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"), {"s": slug}).scalar()
        conn.execute(
            text(
                "INSERT INTO walkthrough (id, quarter_id, title, started_at, ended_at, team, "
                "residents, experts, track, author, notes) VALUES (:id, :q, 'Rundgang Nord', "
                "'2026-04-12T10:00:00Z', '2026-04-12T12:00:00Z', 'Geheimes Team', 7, 2, "
                "ST_GeomFromEWKT(:t), 'walker-secret', 'private Notiz')"
            ),
            {"id": walk, "q": qid, "t": f"SRID=4326;LINESTRING({x0 + w * 0.1} {y0 + h * 0.5}, "
             f"{x0 + w * 0.9} {y0 + h * 0.5})"},
        )  # fmt: skip
        rows = [
            (ids["pub"], "published", "feld-a", _point(x0 + w * 0.3, y0 + h * 0.3), "problem"),
            (ids["draft"], "draft", "feld-a", _point(x0 + w * 0.31, y0 + h * 0.31), "idea"),
            (ids["other"], "draft", "feld-b", _point(x0 + w * 0.32, y0 + h * 0.32), "idea"),
            (ids["corner"], "review", "feld-b", _point(x0 + w * 0.98, y0 + h * 0.98), "idea"),
            (ids["area"], "published", "feld-a",
             f"SRID=4326;POLYGON(({x0 + w * 0.6} {y0 + h * 0.6}, {x0 + w * 0.6} {y0 + h * 0.7}, "
             f"{x0 + w * 0.7} {y0 + h * 0.7}, {x0 + w * 0.7} {y0 + h * 0.6}, "
             f"{x0 + w * 0.6} {y0 + h * 0.6}))", "strength"),  # clockwise on purpose
            (ids["line"], "published", "feld-a",
             f"SRID=4326;LINESTRING({x0 + w * 0.05} {y0 + h * 0.8}, "
             f"{x0 + w * 0.95} {y0 + h * 0.82})",
             "potential"),
        ]  # fmt: skip
        for oid, status, author, geom, kind in rows:
            conn.execute(
                text(
                    "INSERT INTO observation (id, layer_id, kind, rating, title, description, "
                    "geom, status, author, observed_at, walkthrough_id) VALUES (:id, :l, :k, 1, "
                    ":t, 'Beschreibung', ST_GeomFromEWKT(:g), :st, :a, '2026-04-12T10:30:00Z', :w)"
                ),
                {"id": oid, "l": layer, "k": kind, "t": f"{status} {kind}", "g": geom,
                 "st": status, "a": author, "w": walk},
            )  # fmt: skip
        cluster_points = 0
        for i in range(400):
            status = "published" if i % 4 else "draft"
            cluster_points += status == "published"
            conn.execute(
                text(
                    "INSERT INTO observation (layer_id, kind, title, geom, status, observed_at) "
                    "VALUES (:l, :k, :t, ST_GeomFromEWKT(:g), :st, '2026-05-01T08:00:00Z')"
                ),
                {"l": layer, "k": KINDS[i % 4], "t": f"Punkt {i}", "st": status,
                 "g": _point(x0 + w * rng.uniform(0.02, 0.5), y0 + h * rng.uniform(0.02, 0.5))},
            )  # fmt: skip
        cluster_points += 1  # the published point above
        conn.execute(
            text(
                "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym) "
                "VALUES (:id, :q, '2026-03-03', 'residents', 'Frau Geheim')"
            ),
            {"id": interview, "q": qid},
        )
        conn.execute(
            text(
                "INSERT INTO interview_contact (interview_id, quarter_id, full_name, email) "
                "VALUES (:id, :q, 'Erika Musterfrau', 'erika@example.org')"
            ),
            {"id": interview, "q": qid},
        )
        for fid, status in ((home, "published"), (draft_finding, "draft")):
            conn.execute(
                text(
                    "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, "
                    "kind, place_text, geom, georef_method, georef_confidence, "
                    "from_home_address, public_geom, status) VALUES (:id, :i, :q, "
                    "'Vor meiner Haustür ist es laut.', ARRAY[:l], 'problem', 'Musterweg 5', "
                    "ST_GeomFromEWKT(:g), 'address', 0.9, true, ST_GeomFromEWKT(:pg), :st)"
                ),
                {"id": fid, "i": interview, "q": qid, "l": layer, "st": status,
                 "g": _point(x0 + w * 0.45, y0 + h * 0.45),
                 "pg": f"SRID=4326;POLYGON(({x0 + w * 0.4} {y0 + h * 0.4}, {x0 + w * 0.5} "
                       f"{y0 + h * 0.4}, {x0 + w * 0.5} {y0 + h * 0.5}, {x0 + w * 0.4} "
                       f"{y0 + h * 0.5}, {x0 + w * 0.4} {y0 + h * 0.4}))"},
            )  # fmt: skip
        ref = conn.execute(
            text(
                "INSERT INTO reference_feature (layer_id, quarter_id, geom, properties, source) "
                "VALUES ('referenz-kitas', :q, ST_GeomFromEWKT(:g), "
                '\'{"name": "Kita Sonnenschein", "category": "Kita"}\', \'Test\') RETURNING id'
            ),
            {"q": qid, "g": _point(x0 + w * 0.2, y0 + h * 0.6)},
        ).scalar_one()
        tokens = {}
        for role in ("field", "planner"):
            account = f"{name}-{role}-{suffix}"
            create_account(conn, account, role)
            tokens[role] = create_token(conn, account)
        field_name = f"{name}-field-{suffix}"
        conn.execute(
            text("UPDATE observation SET author = :a WHERE author = 'feld-a' AND layer_id = :l "
                 "AND quarter_id = :q"),
            {"a": field_name, "l": layer, "q": qid},
        )  # fmt: skip
    return World(
        quarter=slug, box=box, layer=layer, published_point=ids["pub"], draft_point=ids["draft"],
        other_draft_point=ids["other"], draft_corner=ids["corner"], area=ids["area"],
        line=ids["line"], walkthrough=walk, finding_home=home, finding_draft=draft_finding,
        reference=int(ref), cluster_points=cluster_points, field_name=field_name, tokens=tokens,
    )  # fmt: skip
