"""The 17 UN Sustainable Development Goals (SDGs) that layers are tagged with.

Read from ``data/sdg.csv`` (number, official German short title as the Bundesregierung and
the "SDG-Indikatoren für Kommunen" use it, English title, the UN colour), so a title is
fixed in one place and the catalogue, legend, OGC metadata and indicators agree on it.
A layer's ``sdg = [..]`` list is validated against these numbers (``model.Layer``).

    >>> goals()[11].title("de")
    'Nachhaltige Städte und Gemeinden'
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mapservice.errors import InvalidInput

SDG_COUNT = 17


def sdg_file() -> Path:
    """``data/sdg.csv`` of the repository, found from this file, not the working directory."""
    return Path(__file__).resolve().parents[2] / "data" / "sdg.csv"


@dataclass(frozen=True)
class Goal:
    """One SDG: its number, titles and the UN's colour (drawn as a swatch, never as text)."""

    number: int
    title_de: str
    title_en: str
    colour: str

    def title(self, lang: str = "de") -> str:
        return self.title_en if lang.strip().lower().startswith("en") else self.title_de

    def label(self, lang: str = "de") -> str:
        """ "SDG 11 Nachhaltige Städte und Gemeinden"."""
        return f"SDG {self.number} {self.title(lang)}"

    def as_json(self) -> dict[str, object]:
        return {"goal": self.number, "title_de": self.title_de, "title_en": self.title_en}


@cache
def goals() -> dict[int, Goal]:
    """Number → goal; the file must list 1…17 once each (checked here, and in the tests)."""
    with sdg_file().open(encoding="utf-8", newline="") as handle:
        rows = [
            Goal(int(r["number"]), r["title_de"].strip(), r["title_en"].strip(), r["colour"])
            for r in csv.DictReader(handle)
        ]
    found = {g.number: g for g in rows}
    if len(rows) != SDG_COUNT or sorted(found) != list(range(1, SDG_COUNT + 1)):
        raise ValueError(f"{sdg_file()}: expected goals 1–17 once each, found {sorted(found)}")
    return found


def parse_goal(value: str | None) -> int | None:
    """A goal number from a query parameter (``?sdg=11``), or None; else ``InvalidInput``."""
    if value is None or not value.strip():  # "?sdg=" (the form's "all goals"): no filter
        return None
    text = value.strip().removeprefix("SDG").removeprefix("sdg").strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= SDG_COUNT:
        return int(text)
    raise InvalidInput(
        f"Ungültiger Parameter sdg: {value[:30]!r} ist kein Nachhaltigkeitsziel; erlaubt sind "
        "die Nummern 1 bis 17 (z. B. sdg=11 für Nachhaltige Städte und Gemeinden).",
        f"Invalid parameter sdg: {value[:30]!r} is not a Sustainable Development Goal; "
        "allowed are the numbers 1 to 17 (e.g. sdg=11 for Sustainable cities and communities).",
        code="invalid_sdg",
    )
