"""Interview findings from a CSV: statements with the place as people named it.

Teams transcribe interviews into a spreadsheet: one row per statement, with the interview's
pseudonym, group and date, the layers, the kind and the place text ("Ecke Hofsteder Straße /
Amtsstraße"). Interviews are created from those columns when they do not exist yet, every
statement is placed through the quarter's gazetteer (``store_findings``), and the report counts
how each was placed (address, crossing, street, place, quarter) and how many need review.

Contact columns (name, e-mail, phone, address) are never imported from a findings file:
personal data enters only through the planners' contact endpoint, with consent recorded.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from mapservice.capture.bulk import ImportReport, Refusal
from mapservice.capture.findings import FindingRecord, check_finding, store_findings
from mapservice.capture.imports.columns import find_column
from mapservice.capture.imports.options import STATUSES, ImportOptions
from mapservice.capture.readers import KIND_WORDS
from mapservice.catalog import Catalog
from mapservice.errors import InvalidInput

NAMESPACE = uuid.UUID("0d6a9f5e-8c1b-4c56-9a57-3e2b1f4d7c22")
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "uuid"),
    "statement": ("statement", "aussage", "zitat", "text"),
    "layers": ("layers", "layer", "ebenen", "ebene", "themenebenen", "themenebene", "thema"),
    "kind": ("kind", "art"),
    "place_text": ("place_text", "ort", "ortsangabe", "place", "wo"),
    "quarter": ("quarter", "quartier"),
    "interview_id": ("interview_id", "interview"),
    "pseudonym": ("pseudonym", "kuerzel", "kürzel"),
    "group": ("participant_group", "gruppe", "group", "beteiligte"),
    "date": ("held_on", "date", "datum"),
    "status": ("status", "freigabe"),
}
PERSONAL = ("name", "vorname", "nachname", "email", "e-mail", "mail", "telefon", "phone",
            "tel", "adresse", "address", "anschrift", "full_name")  # fmt: skip
GROUPS = {
    "residents": "residents", "bewohner": "residents", "bewohner*innen": "residents",
    "bewohnerinnen": "residents", "multipliers": "multipliers", "multiplikator*innen":
    "multipliers", "multiplikatoren": "multipliers", "experts": "experts", "expert*innen":
    "experts", "experten": "experts", "administration": "administration", "verwaltung":
    "administration",
}  # fmt: skip


def refusal(row: int, code: str, de: str, en: str) -> Refusal:
    return Refusal(row, code, de, en)


def personal_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.strip().lower() in PERSONAL]


class _Interviews:
    """Interviews of the file: existing ones by id, new ones from pseudonym/group/date."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.known: set[str] = set()
        self.new: dict[str, dict[str, Any]] = {}

    def resolve(self, row: dict[str, str], quarter: str, n: int) -> str | Refusal:
        given = row.get("interview_id", "")
        if given and self._exists(given):
            return given
        pseudonym, group_raw, held = (row.get(k, "") for k in ("pseudonym", "group", "date"))
        if not pseudonym:
            return refusal(
                n, "interview_missing",
                "Interview fehlt: interview_id eines vorhandenen Interviews oder Pseudonym, "
                "Gruppe und Datum angeben.",
                "Interview missing: give the interview_id of an existing interview or "
                "pseudonym, group and date.",
            )  # fmt: skip
        group = GROUPS.get(group_raw.strip().lower())
        if group is None:
            return refusal(
                n, "unknown_group", f"Unbekannte Gruppe: {group_raw[:40]!r} (Bewohner*innen, "
                "Multiplikator*innen, Expert*innen, Verwaltung).",
                f"Unknown group: {group_raw[:40]!r} (residents, multipliers, experts, "
                "administration).",
            )  # fmt: skip
        try:
            held_on = _date(held)
        except ValueError:
            return refusal(n, "invalid_value", f"Ungültiges Datum: {held[:20]!r}.",
                           f"Invalid date: {held[:20]!r}.")  # fmt: skip
        if held_on > date.today():
            return refusal(n, "future_date", "Interviewdatum liegt in der Zukunft.",
                           "The interview date lies in the future.")  # fmt: skip
        iid = given if _is_uuid(given) else str(
            uuid.uuid5(NAMESPACE, f"{quarter}|{pseudonym}|{group}|{held_on}"))  # fmt: skip
        self.new.setdefault(iid, {"id": iid, "quarter": quarter, "held_on": held_on,
                                  "group": group, "pseudonym": pseudonym[:40]})  # fmt: skip
        return iid

    def _exists(self, iid: str) -> bool:
        if iid in self.known:
            return True
        if not _is_uuid(iid):
            return False
        found = self.conn.execute(text("SELECT 1 FROM interview WHERE id = CAST(:i AS uuid)"),
                                  {"i": iid}).first()  # fmt: skip
        if found:
            self.known.add(iid)
        return bool(found)

    def create(self) -> None:
        if self.new:
            self.conn.execute(
                text(
                    "INSERT INTO interview (id, quarter_id, held_on, participant_group, "
                    "pseudonym) SELECT CAST(:id AS uuid), q.id, :held_on, :group, :pseudonym "
                    "FROM quarter q WHERE q.slug = :quarter ON CONFLICT (id, quarter_id) DO NOTHING"
                ),
                list(self.new.values()),
            )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _date(value: str) -> date:
    value = value.strip()
    if "." in value:
        day, month, year = (int(p) for p in value.split(".")[:3])
        return date(year, month, day)
    return date.fromisoformat(value[:10])


def _rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    mapping = {key: find_column(list(frame.columns), names) for key, names in COLUMNS.items()}
    if mapping["statement"] is None:
        raise InvalidInput(
            "Spalte für die Aussage fehlt (statement oder aussage).",
            "The statement column is missing (statement or aussage).",
            code="csv_columns_missing",
        )
    return [
        {key: str(record.get(col, "") or "").strip() for key, col in mapping.items() if col}
        for record in frame.to_dict("records")
    ]


def import_findings(
    conn: Connection, catalog: Catalog, frame: pd.DataFrame, options: ImportOptions
) -> tuple[ImportReport, dict[str, int], int]:
    """Check, georeference and store the findings of a table; returns the report, how many
    were placed by each method, and how many need review."""
    report = ImportReport(read=len(frame), dry_run=options.dry_run)
    quarters = set(conn.execute(text("SELECT slug FROM quarter")).scalars())
    interviews = _Interviews(conn)
    records: list[FindingRecord] = []
    for n, row in enumerate(_rows(frame), start=1):
        quarter = row.get("quarter") or options.quarter or ""
        if quarter not in quarters:
            report.refused.append(refusal(n, "unknown_quarter",
                                          f"Unbekanntes Quartier: {quarter[:64]!r}.",
                                          f"Unknown quarter: {quarter[:64]!r}."))  # fmt: skip
            continue
        interview = interviews.resolve(row, quarter, n)
        if isinstance(interview, Refusal):
            report.refused.append(interview)
            continue
        kind = row.get("kind") or options.kind or ""
        layers = [
            catalog.layer_id_for(p) or p.strip()
            for p in (row.get("layers") or options.layer or "").split(",")
        ]
        rec = FindingRecord(
            statement=row.get("statement", ""), kind=KIND_WORDS.get(kind.lower(), kind),
            quarter=quarter, interview_id=interview, layer_ids=[p for p in layers if p],
            place_text=row.get("place_text", ""), status=row.get("status") or options.status,
        )  # fmt: skip
        rec.id = row.get("id") if _is_uuid(row.get("id", "")) else str(uuid.uuid5(
            NAMESPACE, f"{interview}|{rec.statement}|{rec.place_text}"))  # fmt: skip
        try:
            check_finding(catalog, rec)
            if rec.status not in STATUSES:
                raise InvalidInput(
                    f"Unbekannter Status: {rec.status[:20]!r}.",
                    f"Unknown status: {rec.status[:20]!r}.",
                    code="unknown_status",
                )
        except InvalidInput as exc:
            report.refused.append(refusal(n, exc.code, exc.message_de, exc.message_en))
            continue
        records.append(rec)
    ids = [str(r.id) for r in records]
    existing = set(
        conn.execute(
            text("SELECT id::text FROM finding WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": ids}
        ).scalars()
    )
    fresh = [r for r in records if str(r.id) not in existing]
    report.existing = len(records) - len(fresh)
    if options.dry_run or (report.refused and not options.skip_invalid):
        return report, {}, 0
    interviews.create()
    placed = store_findings(conn, catalog, fresh)
    report.inserted = len(placed)
    review = conn.execute(
        text("SELECT count(*) FROM finding WHERE id = ANY(CAST(:ids AS uuid[])) AND needs_review"),
        {"ids": [p["id"] for p in placed]},
    ).scalar_one()
    return report, dict(Counter(p["method"] for p in placed).most_common()), int(review)
