"""The outcome of one import: what was read, written, found already present, and refused.

The same object feeds the CLI's table, the endpoint's JSON and the tests, so a planner sees the
same words and numbers wherever they imported from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mapservice.capture.bulk import ImportReport, Refusal

MAX_LISTED = 1000  # refused rows listed in the JSON report (all are counted)


@dataclass
class ImportResult:
    """One file's import. ``written`` is true only when the transaction was committed."""

    file: str
    format: str
    target: str  # observations | reference | findings | walkthrough
    report: ImportReport
    layer: str | None = None
    crs: int | None = None
    written: bool = False
    walkthrough: dict[str, Any] | None = None
    georef: dict[str, int] = field(default_factory=dict)
    needs_review: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)
    key_column: str | None = None  # the file's own id column the rows were upserted by
    placed: list[dict[str, Any]] = field(default_factory=list)  # rows placed by address

    @property
    def updated(self) -> int:
        return self.report.updated

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def refused(self) -> list[Refusal]:
        return self.report.refused

    @property
    def new(self) -> int:
        """Rows written — or, in a dry run, rows that would have been written."""
        r = self.report
        return r.read - r.existing - len(r.refused) if r.dry_run else r.inserted

    def refused_by_code(self) -> dict[str, int]:
        return dict(Counter(r.code for r in self.report.refused).most_common())

    def summary(self) -> tuple[str, str]:
        """One line in German and in English."""
        r = self.report
        new_de, new_en = ("würden neu", "would be new") if r.dry_run else ("neu", "new")
        de = (
            f"{r.read} gelesen, {self.new} {new_de}, {r.existing} schon vorhanden, "
            f"{len(r.refused)} abgelehnt"
        )
        en = (
            f"{r.read} read, {self.new} {new_en}, {r.existing} already present, "
            f"{len(r.refused)} refused"
        )
        if self.key_column and r.updated:
            de += f" ({r.updated} geändert)"
            en += f" ({r.updated} updated)"
        if r.dry_run:
            de, en = de + " (Probelauf, nichts gespeichert)", en + " (dry run, nothing written)"
        elif not self.written:
            de, en = de + " – nichts gespeichert", en + " – nothing written"
        return de, en

    def as_dict(self) -> dict[str, Any]:
        r = self.report
        de, en = self.summary()
        return {
            "file": self.file,
            "format": self.format,
            "target": self.target,
            "layer": self.layer,
            "crs": f"EPSG:{self.crs}" if self.crs else None,
            "read": r.read,
            "inserted": r.inserted,
            "new": self.new,
            "existing": r.existing,
            "updated": r.updated,
            "unchanged": max(r.existing - r.updated, 0),
            "key_column": self.key_column,
            "placed": self.placed[:MAX_LISTED],
            "refused_count": len(r.refused),
            "refused_by_code": self.refused_by_code(),
            "refused": [vars(x) for x in r.refused[:MAX_LISTED]],
            "dry_run": r.dry_run,
            "written": self.written,
            "walkthrough": self.walkthrough,
            "georef": self.georef,
            "needs_review": self.needs_review,
            "notes": [{"de": de, "en": en} for de, en in self.notes],
            "summary_de": de,
            "summary_en": en,
        }
