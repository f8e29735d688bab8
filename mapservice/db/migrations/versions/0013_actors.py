"""Akteure & Angebote: actors (who organises/advises in a quarter) and their offers.

An actor has a kind (QM-Büro … Person als Kümmerer*in), quarters (n:m), an address and/or a
point, contact data, OSM-compatible tags and **publication consent per field**
(``public_fields``): a public output shows a field only when its name is in that list, and
an actor whose ``name`` is not in it is not public at all. Withdrawing consent is one UPDATE
of that list; the statement triggers bump the ``akteure`` layer version, which is part of
every tile's cache key and ETag, so cached tiles and items of the old state are never
served again. Offers (what, for whom, when in OSM ``opening_hours`` syntax) live in their
own table. Measures get an optional link to their responsible actor (the free-text
``responsible`` stays for CSV compatibility). Every consent change is logged
(``actor_consent_event``: which field, granted or withdrawn, by whom, when — never values).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 02:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

KINDS = (
    "qm_buero",
    "verein",
    "initiative",
    "einrichtung",
    "verwaltung",
    "unternehmen",
    "person",
)
FIELDS = ("name", "description", "address", "location", "phone", "email", "website", "offers")


def _list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


UP = [
    f"""
    CREATE TABLE actor (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      external_id text NOT NULL,
      osm_id text,
      name text NOT NULL,
      kind text NOT NULL,
      description text NOT NULL DEFAULT '',
      address text NOT NULL DEFAULT '',
      geom geometry(Point, 4326),
      phone text NOT NULL DEFAULT '',
      email text NOT NULL DEFAULT '',
      website text NOT NULL DEFAULT '',
      tags jsonb NOT NULL DEFAULT '{{}}'::jsonb,
      public_fields text[] NOT NULL DEFAULT '{{}}',
      published boolean NOT NULL DEFAULT false,
      synthetic boolean NOT NULL DEFAULT false,
      source text NOT NULL DEFAULT 'api',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1,
      CONSTRAINT uq_actor_external_id UNIQUE (external_id),
      CONSTRAINT uq_actor_osm_id UNIQUE (osm_id),
      CONSTRAINT ck_actor_external_id_format
        CHECK (external_id ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{{0,79}}$'),
      CONSTRAINT ck_actor_osm_id_format
        CHECK (osm_id IS NULL OR osm_id ~ '^(node|way|relation)/[0-9]{{1,15}}$'),
      CONSTRAINT ck_actor_name_length CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
      CONSTRAINT ck_actor_kind_known CHECK (kind IN ({_list(KINDS)})),
      CONSTRAINT ck_actor_text_length CHECK (char_length(description) <= 5000
        AND char_length(address) <= 300 AND char_length(phone) <= 40
        AND char_length(email) <= 254 AND char_length(website) <= 500),
      CONSTRAINT ck_actor_public_fields_known
        CHECK (public_fields <@ ARRAY[{_list(FIELDS)}]::text[]),
      CONSTRAINT ck_actor_source_known CHECK (source IN ('api', 'csv', 'geojson', 'osm', 'demo')),
      CONSTRAINT ck_actor_tags_object CHECK (jsonb_typeof(tags) = 'object'
        AND pg_column_size(tags) <= 8000),
      CONSTRAINT ck_actor_geom_valid CHECK (geom IS NULL OR (ST_SRID(geom) = 4326
        AND NOT ST_IsEmpty(geom)))
    )
    """,
    "CREATE INDEX ix_actor_geom ON actor USING gist (geom)",
    """
    CREATE TABLE actor_quarter (
      actor_id uuid NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
      quarter_id integer NOT NULL REFERENCES quarter (id) ON DELETE CASCADE,
      CONSTRAINT pk_actor_quarter PRIMARY KEY (actor_id, quarter_id)
    )
    """,
    "CREATE INDEX ix_actor_quarter_quarter_id ON actor_quarter (quarter_id)",
    """
    CREATE TABLE actor_offer (
      id bigserial PRIMARY KEY,
      actor_id uuid NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
      position smallint NOT NULL DEFAULT 0,
      what text NOT NULL,
      for_whom text NOT NULL DEFAULT '',
      opening_hours text NOT NULL DEFAULT '',
      note text NOT NULL DEFAULT '',
      CONSTRAINT ck_actor_offer_what_length CHECK (char_length(btrim(what)) BETWEEN 1 AND 200),
      CONSTRAINT ck_actor_offer_text_length CHECK (char_length(for_whom) <= 200
        AND char_length(opening_hours) <= 255 AND char_length(note) <= 1000)
    )
    """,
    "CREATE INDEX ix_actor_offer_actor_id ON actor_offer (actor_id, position)",
    f"""
    CREATE TABLE actor_consent_event (
      id bigserial PRIMARY KEY,
      actor_id uuid NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
      field text NOT NULL,
      granted boolean NOT NULL,
      by_account text,
      at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT ck_actor_consent_event_field CHECK (field IN ({_list(FIELDS)}))
    )
    """,
    "CREATE INDEX ix_actor_consent_event_actor_id ON actor_consent_event (actor_id, at)",
    "ALTER TABLE measure ADD COLUMN actor_id uuid REFERENCES actor (id) ON DELETE SET NULL",
    "CREATE INDEX ix_measure_actor_id ON measure (actor_id)",
    "CREATE TRIGGER actor_touch BEFORE UPDATE ON actor FOR EACH ROW EXECUTE FUNCTION karte_touch()",
    # Every write to actors, their quarters or offers bumps the 'akteure' layer version: the
    # tiles' cache key and ETag, so a withdrawn consent never comes back from a cache.
    *(
        f"CREATE TRIGGER {t}_bump_{o.lower()} AFTER {o} ON {t} {ref} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION karte_bump_from_rows('''akteure''')"
        for t in ("actor", "actor_quarter", "actor_offer")
        for o, ref in (
            ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
            ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
        )
    ),
    # A measure names its actor: a change of the link changes the measures' outputs.
    "CREATE TRIGGER actor_measure_bump AFTER UPDATE ON actor "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION karte_bump_from_rows('''massnahmen''')",
]

DOWN = [
    "DROP INDEX IF EXISTS ix_measure_actor_id",
    "ALTER TABLE measure DROP COLUMN IF EXISTS actor_id",
    "DROP TABLE IF EXISTS actor_consent_event",
    "DROP TABLE IF EXISTS actor_offer",
    "DROP TABLE IF EXISTS actor_quarter",
    "DROP TABLE IF EXISTS actor",
    "DELETE FROM layer_version WHERE layer_id = 'akteure'",
]


def upgrade() -> None:
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWN:
        op.execute(statement)
