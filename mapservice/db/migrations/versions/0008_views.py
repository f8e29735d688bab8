"""Saved map views of planners ("Ansichten", /planung/karten).

``map_view``: one named view of a quarter map — the catalogue layers shown, the filters
(kinds, period, dimensions), the extent (centre and zoom; NULL = the whole quarter) and
external overlays (WMS, WMTS/XYZ, OGC API Features). Its ``id`` is a random 10-character
public key: the share link ``/maps/{quarter}?ansicht=<id>`` carries it, and a random key
does not reveal how many views exist or let anyone walk through them.

The quarter is a foreign key with ``ON DELETE CASCADE``: a view of a deleted quarter has
nothing to show. ``owner`` is the account name (accounts are never renamed), kept when the
account is deleted so an admin still sees whose view it was. Names are unique per owner and
quarter, so "Grünflächen 2026" means one view in a planner's list.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE map_view (
          id text PRIMARY KEY,
          quarter_id integer NOT NULL REFERENCES quarter (id) ON DELETE CASCADE,
          name text NOT NULL,
          owner text NOT NULL,
          layers text[] NOT NULL DEFAULT '{}',
          filters jsonb NOT NULL DEFAULT '{}',
          center_lat double precision,
          center_lon double precision,
          zoom smallint,
          overlays jsonb NOT NULL DEFAULT '[]',
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT ck_map_view_id_format CHECK (id ~ '^[a-z0-9]{10}$'),
          CONSTRAINT ck_map_view_name_length
            CHECK (char_length(btrim(name)) BETWEEN 1 AND 120),
          CONSTRAINT ck_map_view_extent
            CHECK ((center_lat IS NULL) = (center_lon IS NULL)
                   AND (center_lat IS NULL) = (zoom IS NULL)
                   AND (zoom IS NULL OR zoom BETWEEN 9 AND 20)
                   AND (center_lat IS NULL OR center_lat BETWEEN -85 AND 85)
                   AND (center_lon IS NULL OR center_lon BETWEEN -180 AND 180)),
          CONSTRAINT ck_map_view_overlays_array CHECK (jsonb_typeof(overlays) = 'array'),
          CONSTRAINT ck_map_view_filters_object CHECK (jsonb_typeof(filters) = 'object'),
          CONSTRAINT uq_map_view_owner_quarter_id_name UNIQUE (owner, quarter_id, name)
        )
        """
    )
    op.execute("CREATE INDEX ix_map_view_quarter_id ON map_view (quarter_id)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS map_view")
