"""Bulk loading of observations: COPY into a staging table, validate set-based, insert.

Why not row by row: a planner's file of 100,000 observations must load in seconds. Rows go
to a temporary table with one binary COPY; every check (geometry, CRS area, layer, kind,
rating, dates, quarter) is evaluated in one pass over all staged rows (:data:`CHECKED`, one
``CASE`` per row in the order of :data:`CHECK_ORDER`); refused rows are reported with their
reason and nothing is written unless every row passes (or the caller allows skipping).
Records already in the database (same id) are left alone, so a repeated import is a no-op;
rows without an id get one derived from their content, so re-importing the same file is a
no-op too.

Two ways in: :func:`bulk_load_observations` takes :class:`ObservationRecord` objects (GPX
waypoints, the demo); the columnar readers in :mod:`mapservice.capture.imports` stage
numpy/pandas columns with :func:`copy_rows` and x/y numbers instead of WKB, so no shapely
object is made per point. Both end in :func:`check_and_insert`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg.errors import CharacterNotInRepertoire
from shapely import wkb
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from mapservice.capture.bulk_checks import (
    CHECKED,
    DETAILS,
    INSERT,
    NEAREST,
    STAGE_CHANGED,
    TWICE,
    UNWRITE,
    UPDATE_CHANGED,
)
from mapservice.capture.reasons import reason_text
from mapservice.catalog import Catalog, LayerSource
from mapservice.errors import InvalidInput
from mapservice.georef.quarters import metres_de, metres_en


@dataclass
class ObservationRecord:
    """One observation as read from a file, before any check."""

    geometry: BaseGeometry | None
    layer_id: str | None
    kind: str | None
    title: str | None
    rating: int | None = None
    description: str = ""
    id: uuid.UUID | None = None
    quarter: str | None = None
    walkthrough_id: uuid.UUID | None = None
    accuracy_m: float | None = None
    observed_at: datetime | None = None
    status: str = "draft"
    author: str | None = None
    synthetic: bool = False
    row: int = 0
    problem: str | None = None  # set by a reader that could not parse the row
    problem_detail: str | None = None  # what exactly, e.g. "x='abc'"


@dataclass
class Refusal:
    row: int
    code: str
    message_de: str
    message_en: str


@dataclass
class ImportReport:
    read: int = 0
    inserted: int = 0
    existing: int = 0
    refused: list[Refusal] = field(default_factory=list)
    dry_run: bool = False
    updated: int = 0  # of ``existing``: rows an upsert changed (the rest were unchanged)

    @property
    def ok(self) -> bool:
        return not self.refused

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "existing": self.existing,
            "updated": self.updated,
            "refused": [r.__dict__ for r in self.refused],
            "dry_run": self.dry_run,
        }


# -- staging -----------------------------------------------------------------------------------
# ids stay text until checked (a reader validates their form); times travel as epoch seconds.
STAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("row_no", "int4"), ("id", "text"), ("quarter_slug", "text"), ("walkthrough_id", "text"),
    ("layer_id", "text"), ("kind", "text"), ("rating", "int4"), ("title", "text"),
    ("description", "text"), ("geom_wkb", "bytea"), ("x", "float8"), ("y", "float8"),
    ("lon", "float8"), ("lat", "float8"),
    ("accuracy_m", "float8"), ("observed_epoch", "float8"), ("status", "text"),
    ("author", "text"), ("synthetic", "bool"), ("problem", "text"), ("problem_detail", "text"),
    ("georef_method", "text"),
)  # fmt: skip
COPY_SQL = (
    f"COPY stage_observation ({', '.join(c for c, _ in STAGE_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
)
COPY_TYPES = [t for _, t in STAGE_COLUMNS]
_LAYER = [c for c, _ in STAGE_COLUMNS].index("layer_id")


def create_stage(conn: Connection) -> None:
    """A fresh temporary staging table, dropped at the end of the transaction."""
    for table in ("chunk_checked", "stage_checked", "stage_observation"):
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
    conn.execute(text(f"CREATE TEMP TABLE stage_observation ({columns}) ON COMMIT DROP"))


def copy_rows(
    conn: Connection,
    rows: Iterable[tuple[Any, ...]],
    *,
    on_progress: Callable[[int], None] | None = None,
    every: int = 5000,
) -> int:
    """Binary COPY of tuples in :data:`STAGE_COLUMNS` order; returns how many were sent."""
    raw = conn.connection.driver_connection
    n = 0
    try:
        with raw.cursor() as cur, cur.copy(COPY_SQL) as cp:
            cp.set_types(COPY_TYPES)
            for n, row in enumerate(rows, start=1):
                cp.write_row(row)
                if on_progress and n % every == 0:
                    on_progress(n)
    except CharacterNotInRepertoire as exc:  # PostgreSQL cannot store U+0000 in text
        column = str(exc).rsplit("column ", 1)[-1].strip()[:40] if "column " in str(exc) else ""
        raise InvalidInput(
            f"Die Datei enthält ein NUL-Zeichen (\\u0000) in der Spalte {column}; das ist "
            "nicht erlaubt, nichts wurde gespeichert.",
            f"The file contains a NUL character (\\u0000) in the column {column}, which is not "
            "allowed; nothing was stored.",
            code="nul_character",
        ) from None
    if on_progress:
        on_progress(n)
    return n


def layer_ids(catalog: Catalog, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Rows with a layer named by its title ("Grün & Freiraum") given its id instead; an id,
    or a value that names no layer (refused later, as typed), passes unchanged."""
    known: dict[str, str | None] = {}
    for row in rows:
        value = row[_LAYER]
        if value is None:
            yield row
            continue
        if value not in known:
            known[value] = catalog.layer_id_for(value)
        found = known[value]
        yield row if found is None or found == value else (*row[:_LAYER], found, *row[_LAYER + 1 :])


def _record_rows(records: Iterable[ObservationRecord]) -> Iterable[tuple[Any, ...]]:
    for n, rec in enumerate(records, start=1):
        yield (
            rec.row or n, _text(rec.id), rec.quarter, _text(rec.walkthrough_id), rec.layer_id,
            rec.kind, rec.rating, rec.title, rec.description,
            wkb.dumps(rec.geometry) if rec.geometry is not None else None, None, None, None, None,
            rec.accuracy_m, rec.observed_at.timestamp() if rec.observed_at else None,
            rec.status, rec.author, rec.synthetic, rec.problem, rec.problem_detail, None,
        )  # fmt: skip


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _allowed_types(catalog: Catalog) -> str:
    """Observation layers and their geometry types, as PostGIS ``GeometryType`` spells them."""
    return json.dumps(
        [
            {"layer": layer.id, "types": [str(t).upper() for t in layer.geometry_types]}
            for layer in catalog.of_source(LayerSource.OBSERVATIONS)
        ]
    )


def bulk_load_observations(
    conn: Connection,
    catalog: Catalog,
    records: Iterable[ObservationRecord],
    *,
    srid: int = 4326,
    area_of_use: tuple[float, float, float, float] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Stage, check and insert observations inside the caller's transaction.

    ``area_of_use`` is the CRS's valid box in the source coordinates; rows outside it are
    refused before transforming (a Gauß-Krüger file read as UTM lands somewhere plausible but
    wrong). Nothing is inserted when a row is refused, unless ``skip_invalid``.
    """
    load = StagedLoad(conn, catalog, srid=srid, area_of_use=area_of_use, dry_run=dry_run,
                      skip_invalid=skip_invalid)  # fmt: skip
    load.add(_record_rows(records), on_progress=on_progress)
    return load.finish()


class StagedLoad:
    """Rows go in chunk by chunk — COPY, then every check over the chunk — and
    :meth:`finish` checks across chunks (an id given twice), reports and inserts.

    ``optimistic`` (for callers that own the transaction, like ``run_import``): each chunk is
    inserted as soon as it passed, so the database writes one chunk while the caller reads the
    next; once a row is refused no further chunk is inserted, and the caller must roll back
    when :attr:`ImportReport.ok` is false (unless ``skip_invalid``) or in a dry run. Without
    it nothing is written before every row of every chunk passed.
    """

    def __init__(
        self,
        conn: Connection,
        catalog: Catalog,
        *,
        srid: int = 4326,
        area_of_use: tuple[float, float, float, float] | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        optimistic: bool = False,
        upsert: bool = False,
    ) -> None:
        self.conn, self.srid, self.upsert = conn, srid, upsert
        self.catalog = catalog
        self.updated = 0
        self.dry_run, self.skip_invalid, self.optimistic = dry_run, skip_invalid, optimistic
        area = area_of_use or (0.0, 0.0, 0.0, 0.0)
        self.params = {
            "srid": srid, "check_area": area_of_use is not None,
            "ax0": area[0], "ay0": area[1], "ax1": area[2], "ay1": area[3],
            "allowed": _allowed_types(catalog),
        }  # fmt: skip
        self.read = self.inserted = 0
        self.refused_seen = False
        self._settings = _tune(conn)
        create_stage(conn)
        conn.execute(text(CHECKED.format(table="stage_checked") + " WITH NO DATA"), self.params)
        columns = list(conn.execute(text("SELECT * FROM stage_checked LIMIT 0")).keys())
        chosen = [c if c != "inserted" else f"(:wrote AND {_WRITTEN}) AS inserted" for c in columns]
        self._keep = f"INSERT INTO stage_checked SELECT {', '.join(chosen)} FROM chunk_checked"

    def add(
        self, rows: Iterable[tuple[Any, ...]], *, on_progress: Callable[[int], None] | None = None
    ) -> int:
        """Stage and check one chunk (rows in ``STAGE_COLUMNS`` order); returns its size."""
        conn = self.conn
        conn.execute(text("TRUNCATE stage_observation"))
        n = copy_rows(conn, layer_ids(self.catalog, rows), on_progress=on_progress)
        conn.execute(text(CHECKED.format(table="chunk_checked")), self.params)
        conn.execute(text(TWICE.format(table="chunk_checked")))
        refused = conn.execute(text(_ANY_REFUSED.format(table="chunk_checked"))).first()
        self.refused_seen = self.refused_seen or refused is not None
        wrote = (
            self.optimistic and not self.dry_run and (self.skip_invalid or not self.refused_seen)
        )
        if wrote:
            self.inserted += _insert(conn, INSERT.format(table="chunk_checked"))
            if self.upsert:
                update = text(UPDATE_CHANGED.format(table="chunk_checked"))
                self.updated += int(conn.execute(update).rowcount or 0)
                staged = text(STAGE_CHANGED.format(table="chunk_checked"))
                self.updated += int(conn.execute(staged).rowcount or 0)
        conn.execute(text(self._keep), {"wrote": wrote})  # remembers which rows were written
        conn.execute(text("DROP TABLE chunk_checked"))
        self.read += n
        return n

    def finish(self) -> ImportReport:
        """Checks across chunks, the report, and (unless optimistic) the insert."""
        conn = self.conn
        report = ImportReport(read=self.read, dry_run=self.dry_run)
        conn.execute(text(TWICE.format(table="stage_checked")))
        report.refused = _refusals(conn)
        allowed = not self.dry_run and (self.skip_invalid or not report.refused)
        if self.optimistic:
            if allowed and report.refused:  # ids given twice in different chunks
                self.inserted -= int(conn.execute(text(UNWRITE)).rowcount or 0)
            report.inserted = self.inserted if allowed else 0
        elif allowed:
            report.inserted = _insert(conn, INSERT.format(table="stage_checked"))
            if self.upsert:
                update = text(UPDATE_CHANGED.format(table="stage_checked"))
                self.updated += int(conn.execute(update).rowcount or 0)
                staged = text(STAGE_CHANGED.format(table="stage_checked"))
                self.updated += int(conn.execute(staged).rowcount or 0)
        report.updated = self.updated if allowed else 0
        report.existing = int(conn.execute(text(_PRESENT)).scalar_one())
        _restore(conn, self._settings)
        return report


_ANY_REFUSED = "SELECT 1 FROM {table} WHERE reason IS NOT NULL LIMIT 1"
_WRITTEN = "reason IS NULL AND NOT repeated"  # what INSERT writes
_PRESENT = "SELECT count(*) FROM stage_checked WHERE reason IS NULL AND repeated"


def _tune(conn: Connection) -> dict[str, str]:
    """Settings for big set-based statements, for this transaction only; returns the old ones.

    JIT compilation costs 1–2 s per statement here and buys nothing (the time goes into
    PostGIS functions, which JIT cannot compile); 64 MB lets the hashes over 100,000 staged
    rows stay in memory instead of spilling to disk.
    """
    before = {}
    for name, value in (("jit", "off"), ("work_mem", "64MB")):
        before[name] = conn.execute(text("SELECT current_setting(:n)"), {"n": name}).scalar_one()
        conn.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})
    return before


def _restore(conn: Connection, settings: dict[str, str]) -> None:
    for name, value in settings.items():
        conn.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})


def _insert(conn: Connection, insert: str) -> int:
    """Plain INSERT (fast); if a concurrent writer stored one of the ids meanwhile, redo the
    insert skipping conflicts — ``ON CONFLICT`` on every row costs about a fifth more."""
    try:
        with conn.begin_nested():
            return int(conn.execute(text(insert)).rowcount)
    except IntegrityError:
        return int(conn.execute(text(f"{insert} ON CONFLICT (id, quarter_id) DO NOTHING")).rowcount)


def _refusals(conn: Connection) -> list[Refusal]:
    if not conn.execute(
        text("SELECT 1 FROM stage_checked WHERE reason IS NOT NULL LIMIT 1")
    ).first():
        return []
    conn.execute(text(DETAILS))
    nearest = {row.row_no: row for row in conn.execute(text(NEAREST))}
    refusals = []
    for row_no, code, detail in conn.execute(
        text("SELECT row_no, reason, detail FROM stage_checked WHERE reason IS NOT NULL "
             "ORDER BY row_no")
    ):  # fmt: skip
        de, en = reason_text(code, detail or "")
        near = nearest.get(row_no)
        if near is not None:
            de, en = _with_nearest(near.given, near.slug, float(near.metres), bool(near.swapped))
        refusals.append(Refusal(row_no, code, de, en))
    return refusals


def _with_nearest(given: str | None, slug: str, metres: float, swapped: bool) -> tuple[str, str]:
    """Say how far off a geometry outside its quarter is, and suspect swapped axes."""
    if given:
        de = f"Geometrie liegt außerhalb des Quartiers {given}"
        en = f"Geometry lies outside the quarter {given}"
    else:
        de, en = "Geometrie liegt außerhalb aller Quartiere", "Geometry lies outside every quarter"
    if slug == given:
        de += f", {metres_de(metres)} entfernt"
        en += f", {metres_en(metres)} away"
    else:
        de += f"; nächstes Quartier: {slug}, {metres_de(metres)} entfernt"
        en += f"; nearest quarter: {slug}, {metres_en(metres)} away"
    de, en = de + ".", en + "."
    if swapped:
        de += " Breite/Länge vertauscht? Mit getauschten Achsen läge der Punkt im Quartier."
        en += " Latitude/longitude swapped? With swapped axes the point would lie in a quarter."
    return de, en
