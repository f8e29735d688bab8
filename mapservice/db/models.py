"""The schema: quarters, walkthroughs, observations, photos, interviews, reference data, access.

Geometries are stored in EPSG:4326 (what GPS, GeoJSON and web maps speak); metric work is done
in EPSG:25832 at query time. Every capture table carries ``quarter_id`` so a deployment can be
sharded by quarter. Constraints that protect the data live in the database (CHECK, triggers),
so imports through COPY obey them as much as the API does. The migrations in
``migrations/versions`` are the authority: these models describe the columns, while the keys
of 0015 (``quarter_id`` in every primary key, unique constraint and link of the per-quarter
tables, docs/citus.md) and the tables of later migrations live in the migrations only —
tests/test_citus_schema.py checks the keys on the migrated schema.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

KINDS = ("strength", "problem", "potential", "idea")
STATUSES = ("draft", "review", "changes_requested", "published", "rejected")
#: States of a pending change to a published entry (migration 0006).
REVISION_STATES = ("review", "changes_requested", "published", "rejected")
GROUPS = ("residents", "multipliers", "experts", "administration")
ROLES = ("field", "planner", "admin")
GEOREF_METHODS = ("coordinates", "address", "crossing", "street", "place", "quarter", "manual")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _geom(kind: str = "GEOMETRY") -> Geometry:
    return Geometry(geometry_type=kind, srid=4326, spatial_index=False)


def _valid(column: str) -> str:
    return f"ST_SRID({column}) = 4326 AND ST_IsValid({column}) AND NOT ST_IsEmpty({column})"


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Quarter(Base):
    __tablename__ = "quarter"
    __table_args__ = (
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,60}$'", name="slug_format"),
        CheckConstraint(_valid("boundary"), name="boundary_valid"),
        CheckConstraint("char_length(btrim(name)) BETWEEN 1 AND 120", name="name_length"),
        CheckConstraint("char_length(city) <= 120", name="city_length"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text)
    boundary: Mapped[Any] = mapped_column(_geom("MULTIPOLYGON"))
    description: Mapped[str] = mapped_column(Text, server_default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Walkthrough(Base):
    __tablename__ = "walkthrough"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="time_span"),
        CheckConstraint(
            "residents >= 0 AND multipliers >= 0 AND experts >= 0 AND administration >= 0",
            name="participants_non_negative",
        ),
        CheckConstraint(f"track IS NULL OR ({_valid('track')})", name="track_valid"),
        CheckConstraint(  # one device's recording, or several (0004)
            "track IS NULL OR GeometryType(track) IN ('LINESTRING', 'MULTILINESTRING')",
            name="track_lines",
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    team: Mapped[str] = mapped_column(Text, server_default="")
    residents: Mapped[int] = mapped_column(Integer, server_default="0")
    multipliers: Mapped[int] = mapped_column(Integer, server_default="0")
    experts: Mapped[int] = mapped_column(Integer, server_default="0")
    administration: Mapped[int] = mapped_column(Integer, server_default="0")
    track: Mapped[Any | None] = mapped_column(_geom())  # LineString, MultiLineString (0004)
    notes: Mapped[str] = mapped_column(Text, server_default="")
    author: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: 0012: the round a planner put it in; NULL = the round whose period has its start date
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("walk_round.id", ondelete="SET NULL"), index=True
    )


class Observation(Base):
    __tablename__ = "observation"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        CheckConstraint("rating BETWEEN -2 AND 2", name="rating_range"),
        CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="accuracy_positive"),
        CheckConstraint("char_length(title) BETWEEN 1 AND 200", name="title_length"),
        CheckConstraint(_valid("geom"), name="geom_valid"),
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    walkthrough_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("walkthrough.id", ondelete="SET NULL")
    )
    layer_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    geom: Mapped[Any] = mapped_column(_geom())
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    observed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(Text, server_default="draft")
    author: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    georef_method: Mapped[str | None] = mapped_column(Text)  # 0007: NULL = coordinates given


class Photo(Base):
    __tablename__ = "photo"
    __table_args__ = (
        UniqueConstraint("observation_id", "sha256", name="photo_once_per_observation"),
        CheckConstraint(
            _in("media_type", ("image/jpeg", "image/png", "image/webp")), name="media_type_known"
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE")
    )
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: 0006: set while the photo belongs to a pending change of a published entry
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Interview(Base):
    __tablename__ = "interview"
    __table_args__ = (CheckConstraint(_in("participant_group", GROUPS), name="group_known"),)
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    participant_group: Mapped[str] = mapped_column(Text)
    pseudonym: Mapped[str] = mapped_column(Text)
    consent: Mapped[str] = mapped_column(Text, server_default="given")  # given|withdrawn (0009)
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class InterviewContact(Base):
    """Personal data of an interviewee: its own table, never joined by a public query."""

    __tablename__ = "interview_contact"
    interview_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), primary_key=True
    )
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    full_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[str | None] = mapped_column(Text)


class Finding(Base):
    __tablename__ = "finding"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        CheckConstraint(_in("georef_method", GEOREF_METHODS), name="georef_method_known"),
        CheckConstraint("georef_confidence BETWEEN 0 AND 1", name="confidence_range"),
        CheckConstraint(f"geom IS NULL OR ({_valid('geom')})", name="geom_valid"),
        CheckConstraint(f"public_geom IS NULL OR ({_valid('public_geom')})", name="public_valid"),
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    interview_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interview.id", ondelete="CASCADE"))
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    statement: Mapped[str] = mapped_column(Text)
    layer_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    kind: Mapped[str] = mapped_column(Text)
    place_text: Mapped[str] = mapped_column(Text, server_default="")
    geom: Mapped[Any | None] = mapped_column(_geom())
    georef_method: Mapped[str] = mapped_column(Text, server_default="quarter")
    georef_confidence: Mapped[float] = mapped_column(Float, server_default="0")
    from_home_address: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    public_geom: Mapped[Any | None] = mapped_column(_geom())
    public_statement: Mapped[str | None] = mapped_column(Text)  # home numbers removed (0004)
    public_place_text: Mapped[str | None] = mapped_column(Text)
    needs_review: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[str] = mapped_column(Text, server_default="draft")
    synthetic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class ReferenceFeature(Base):
    """Planners' own reference data (schools, Kitas, ISEK areas …); may span quarters."""

    __tablename__ = "reference_feature"
    __table_args__ = (CheckConstraint(_valid("geom"), name="geom_valid"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    layer_id: Mapped[str] = mapped_column(Text)
    quarter_id: Mapped[int | None] = mapped_column(ForeignKey("quarter.id", ondelete="SET NULL"))
    geom: Mapped[Any] = mapped_column(_geom())
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    source: Mapped[str] = mapped_column(Text, server_default="")
    source_key: Mapped[str | None] = mapped_column(Text)  # 0007: the file's own id
    georef_method: Mapped[str | None] = mapped_column(Text)  # 0007: NULL = coordinates given


class GazetteerEntry(Base):
    """Streets, addresses and named places that interview statements are resolved against."""

    __tablename__ = "gazetteer_entry"
    __table_args__ = (
        CheckConstraint(_in("kind", ("street", "address", "place")), name="kind_known"),
        CheckConstraint(_valid("geom"), name="geom_valid"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quarter_id: Mapped[int | None] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    street: Mapped[str | None] = mapped_column(Text)
    housenumber: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(_geom())
    source: Mapped[str] = mapped_column(Text, server_default="")


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role_known"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    role: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(Text, server_default="")
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    password_hash: Mapped[str | None] = mapped_column(Text)  # argon2id (migration 0005)
    layers: Mapped[list[str] | None] = mapped_column(ARRAY(Text))  # NULL: every layer
    quarters: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))  # NULL: every quarter


class Token(Base):
    """Bearer tokens: only a SHA-256 of the secret is stored."""

    __tablename__ = "token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    label: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(Text, server_default="api")  # 'api' | 'session' (0005)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ModerationEvent(Base):
    """Every moderation transition, who made it and why."""

    __tablename__ = "moderation_event"
    __table_args__ = (
        CheckConstraint(
            "(observation_id IS NULL) <> (finding_id IS NULL)", name="exactly_one_target"
        ),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    observation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE")
    )
    finding_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE")
    )
    from_status: Mapped[str] = mapped_column(Text)
    to_status: Mapped[str] = mapped_column(Text)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    note: Mapped[str] = mapped_column(Text, server_default="")
    revision_id: Mapped[int | None] = mapped_column(  # 0006: the revision decided, if any
        ForeignKey("revision.id", ondelete="SET NULL")
    )


class Revision(Base):
    """A pending change to a published entry: the published row stays public until approved.

    ``changes`` holds the new column values, ``geom`` a moved geometry (migration 0006).
    """

    __tablename__ = "revision"
    __table_args__ = (
        CheckConstraint(
            "(observation_id IS NULL) <> (finding_id IS NULL)", name="exactly_one_target"
        ),
        CheckConstraint(_in("state", REVISION_STATES), name="state_known"),
        CheckConstraint(_in("source", ("edit", "import", "photo")), name="source_known"),
        CheckConstraint(f"geom IS NULL OR ({_valid('geom')})", name="geom_valid"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id", ondelete="CASCADE"))
    observation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE")
    )
    finding_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(Text, server_default="review")
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    geom: Mapped[Any | None] = mapped_column(_geom())
    author: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, server_default="edit")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LayerVersion(Base):
    """Bumped by triggers on every write to a layer: the basis of tile ETags."""

    __tablename__ = "layer_version"
    layer_id: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default="1")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ClusterCell(Base):
    """Point observations counted per level-18 XYZ cell, layer, status and kind.

    Kept exact by statement triggers on ``observation`` (migration 0002) so clustered tiles
    add up a few hundred cell rows instead of walking every point of the tile. ``code`` is the
    Morton number of (gx, gy): every tile of zoom ≤ 18 is one contiguous range of codes.
    ``sx``/``sy`` are sums of the points' Web Mercator x/y, so a cluster sits at their mean.
    """

    __tablename__ = "cluster_cell"
    __table_args__ = (
        {
            "comment": "Point observations per level-18 XYZ cell, layer, status and kind "
            "(count, sums of Web Mercator x/y); kept by the observation_cluster_* triggers, "
            "read by clustered tiles."
        },
    )
    layer_id: Mapped[str] = mapped_column(Text, primary_key=True)
    code: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    gx: Mapped[int] = mapped_column(Integer)
    gy: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)
    sx: Mapped[float] = mapped_column(Float)
    sy: Mapped[float] = mapped_column(Float)
